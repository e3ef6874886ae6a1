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
