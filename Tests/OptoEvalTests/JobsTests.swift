import Testing
import OptoCore
@testable import OptoEval

/// Stagger plans run as dynamic jobs.
@Suite struct JobsTests {
    func close(_ a: Double?, _ b: Double, relative: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= relative * max(1e-12, abs(b))
    }

    /// Three identical jobs on one 100 Gb/s link, each sending 80 Gb/s for
    /// the last 100 ms of a 300 ms period.
    func threeJobs() -> StaggerInstance {
        let phase = StaggerInstance.Phase(start: 0.2, duration: 0.1, rate: 80e9)
        return StaggerInstance(step: 0.1, links: [.init(name: "agg", capacity: 100e9)],
                               jobs: ["a", "b", "c"].map { .init(name: $0, period: 0.3, links: ["agg"], phases: [phase]) })
    }

    func plan(_ offsets: [String: Double], priorities: [String]? = nil) -> StaggerPlan {
        StaggerPlan(method: "test", status: .heuristic, metrics: PlanMetrics(objective: 0), offsets: offsets, priorities: priorities)
    }

    /// Aligned: the three share 100 Gb/s (33.3 each), so 8e9 bits take
    /// 0.24 s instead of 0.1 s: every iteration lasts 0.2 + 0.24 = 0.44 s,
    /// a stretch of 0.44 / 0.3.
    @Test func alignedJobsStretchEveryIteration() throws {
        let m = try Evaluator.evaluate(plan(["a": 0, "b": 0, "c": 0]), on: threeJobs(), iterations: 5)
        for name in ["a", "b", "c"] {
            let job = try #require(m.jobs?[name])
            #expect(job.iterationTimes.count == 5)
            for t in job.iterationTimes { #expect(close(t, 0.44)) }
            #expect(close(job.meanIteration, 0.44))
            #expect(close(job.p99Iteration, 0.44))
            #expect(close(job.isolatedIteration, 0.3))
            #expect(close(job.slowdown, 0.44 / 0.3))
        }
    }

    /// Evenly staggered by 100 ms: the phases never overlap, no stretch.
    @Test func staggeredJobsRunAtTheirPeriod() throws {
        let m = try Evaluator.evaluate(plan(["a": 0, "b": 0.1, "c": 0.2]), on: threeJobs())
        for name in ["a", "b", "c"] {
            let job = try #require(m.jobs?[name])
            #expect(job.iterationTimes.count == 20)
            #expect(close(job.meanIteration, 0.3))
            #expect(close(job.p99Iteration, 0.3))
            #expect(close(job.slowdown, 1))
        }
        // Each phase is 1e9 bytes; at least 20 per job were served.
        #expect((m.servedBytes ?? 0) >= 60e9 * (1 - 1e-9))
    }

    /// Strict priority: two jobs aligned, "a" first. "a" keeps its 80 Gb/s
    /// (no stretch); "b" gets 20 Gb/s while "a" sends (0.1 s, 2e9 bits),
    /// then 80 Gb/s for the other 6e9 bits (0.075 s): 0.375 s iterations,
    /// and "b"'s next phase starts 0.075 s later, so from then on the two
    /// jobs no longer collide in the same way; the first iteration is exact.
    @Test func priorityProtectsTheHigherJob() throws {
        var instance = threeJobs()
        instance.jobs.removeLast()
        let m = try Evaluator.evaluate(plan(["a": 0, "b": 0], priorities: ["a", "b"]), on: instance, iterations: 3)
        let a = try #require(m.jobs?["a"])
        let b = try #require(m.jobs?["b"])
        for t in a.iterationTimes { #expect(close(t, 0.3)) }
        #expect(close(b.iterationTimes[0], 0.375))
        #expect(b.meanIteration > 0.3)
    }

    /// One job, period 0.3 s, on a 100 Gb/s link: phase A (clock 0, 0.1 s
    /// at 150 Gb/s, 15e9 bits) overruns and ends at t = 0.15 s, stopping
    /// the clock at 0.1 s; phase B (clock 0.1, 0.1 s at 40 Gb/s, 4e9 bits)
    /// starts at that reading, so it is released only at t = 0.15 s and
    /// runs alone at its 40 Gb/s until t = 0.25 s (clock 0.2, on time); the
    /// clock reaches 0.3 at t = 0.35 s. Every iteration lasts 0.35 s.
    /// (Releasing B at t = 0.1 s beside A would give A 60 Gb/s, end A at
    /// 0.1833 s and the iteration at 0.3833 s.)
    @Test func backToBackPhasesOfOneJobAreSerialised() throws {
        let instance = StaggerInstance(step: 0.1, links: [.init(name: "agg", capacity: 100e9)], jobs: [
            .init(name: "a", period: 0.3, links: ["agg"], phases: [
                .init(start: 0, duration: 0.1, rate: 150e9),
                .init(start: 0.1, duration: 0.1, rate: 40e9),
            ]),
        ])
        let m = try Evaluator.evaluate(plan(["a": 0]), on: instance, iterations: 4)
        let job = try #require(m.jobs?["a"])
        #expect(job.iterationTimes.count == 4)
        for t in job.iterationTimes { #expect(close(t, 0.35)) }
        #expect(close(job.isolatedIteration, 0.35))
        #expect(close(job.slowdown, 1))
        // Both phases' bytes, every iteration, and nothing else.
        #expect(close(m.servedBytes, 4 * (15e9 + 4e9) / 8, relative: 1e-9))
    }

    /// Two jobs whose phases overlap: job "b" sends for the whole period
    /// of job "a" and stretches it; "a"'s second phase, starting where its
    /// first ends, never runs beside its first. A 100 Gb/s link; "a":
    /// period 1 s, phases (0, 0.5 s, 100 Gb/s) and (0.5 s, 0.25 s,
    /// 100 Gb/s); "b": period 10 s, one phase (0, 10 s, 50 Gb/s). With
    /// max-min sharing, "a"'s first phase gets 50 Gb/s: 5e10 bits end at
    /// t = 1 s (clock stopped at 0.5 from t = 0.5); its second phase
    /// (2.5e10 bits) then also gets 50 Gb/s and ends at t = 1.5 s (clock
    /// 0.75 at t = 1.25, stopped); the clock reaches 1 at t = 1.75 s.
    @Test func aLatePhaseHoldsItsSuccessorUnderContention() throws {
        let instance = StaggerInstance(step: 0.25, links: [.init(name: "agg", capacity: 100e9)], jobs: [
            .init(name: "a", period: 1, links: ["agg"], phases: [
                .init(start: 0, duration: 0.5, rate: 100e9), .init(start: 0.5, duration: 0.25, rate: 100e9),
            ]),
            .init(name: "b", period: 10, links: ["agg"], phases: [.init(start: 0, duration: 10, rate: 50e9)]),
        ])
        let m = try Evaluator.evaluate(plan(["a": 0, "b": 0]), on: instance, iterations: 1)
        let a = try #require(m.jobs?["a"])
        #expect(close(a.iterationTimes[0], 1.75))
        #expect(close(a.isolatedIteration, 1))
    }

    @Test func nearestRankPercentile99() {
        #expect(nearestRankPercentile([1, 2, 3], percent: 99) == 3)
        #expect(nearestRankPercentile((1...100).map(Double.init), percent: 99) == 99)
        #expect(nearestRankPercentile((1...200).map(Double.init), percent: 99) == 198)
        #expect(nearestRankPercentile([], percent: 99) == nil)
    }

    @Test func rejectsBadInput() throws {
        #expect(throws: EvaluationError.self) { try Evaluator.evaluate(plan(["a": 0, "b": 0]), on: threeJobs()) }
        #expect(throws: EvaluationError.self) { try Evaluator.evaluate(plan(["a": 0, "b": 0, "c": 0]), on: threeJobs(), iterations: 0) }
        var zero = threeJobs()
        zero.links[0].capacity = 0
        #expect(throws: EvaluationError.self) { try Evaluator.evaluate(plan(["a": 0, "b": 0, "c": 0]), on: zero) }
        var unknown = threeJobs()
        unknown.jobs[0].links = ["nowhere"]
        #expect(throws: EvaluationError.self) { try Evaluator.evaluate(plan(["a": 0, "b": 0, "c": 0]), on: unknown) }
    }
}
