import Testing
import OptoCore
import OptoEval
import OptoGLPK
import OptoTraffic
@testable import OptoPlanners

@Suite("Stagger plans in the evaluator")
struct StaggerEvaluationTests {
    /// Mean iteration, p99 iteration and slowdown of every job.
    static func jobs(_ plan: StaggerPlan, _ inst: StaggerInstance, iterations: Int = 20) throws -> [String: EvaluationMetrics.JobMetrics] {
        try #require(try Evaluator.evaluate(plan, on: inst, iterations: iterations).jobs)
    }

    @Test("three thirds: no stretch for the ILP plan, 5/3 for aligned")
    func threeThirds() throws {
        let inst = StaggerFixtures.threeThirds()
        let ilp = try StaggerPlanner.plan(inst, method: .ilp, options: PlanningOptions(timeLimit: 10, solver: GLPKSolver()))
        for (name, m) in try Self.jobs(ilp, inst) {
            #expect(abs(m.slowdown - 1) <= 1e-6, "\(name) is stretched under the ILP plan")
            #expect(abs(m.p99Iteration - 0.030) <= 1e-9)
        }
        // Aligned: the three 1 Gbit phases share 100 Gb/s, so each takes
        // 30 ms instead of 10 and every iteration lasts 50 ms, not 30.
        let aligned = try StaggerPlanner.plan(inst, method: .aligned)
        for (name, m) in try Self.jobs(aligned, inst) {
            #expect(abs(m.meanIteration - 0.050) <= 1e-6, "\(name)")
            #expect(abs(m.slowdown - 5.0 / 3.0) <= 1e-6, "\(name)")
            #expect(abs(m.p99Iteration - 0.050) <= 1e-6, "\(name)")
        }
    }

    @Test("three identical training jobs on one link: the planned mean slowdown is at least 1.3× better than aligned")
    func threeTrainingJobs() throws {
        // The correctness case built as the benchmark builds jobs
        // (TrainingJob → staggerJob), seeded: gradient size, ranks per node
        // and compute time (m times the communication, so each job
        // communicates 1/(m+1) of its period, m in 2...4) vary.
        var rng = StaggerRNG(seed: 7)
        for _ in 0..<4 {
            let parameters = Double.random(in: 25e6...1.5e9, using: &rng)
            let ranks = [4, 8].randomElement(using: &rng)!
            let m = Int.random(in: 2...4, using: &rng)
            let rate = 100e9
            var job = TrainingJob(name: "", nodes: [0, 1], ranksPerNode: ranks,
                                  pattern: .ringAllReduce(gradientBytes: 4 * parameters), computeTime: 0, rate: rate, links: ["agg"])
            let step = job.communicationTime
            job.computeTime = Double(m) * step
            let jobs = (0..<3).map { k -> StaggerInstance.Job in
                var j = job
                j.name = "job\(k)"
                j.nodes = [2 * k, 2 * k + 1]
                return j.staggerJob(step: step)
            }
            let inst = StaggerInstance(step: step, links: [.init(name: "agg", capacity: rate)], jobs: jobs)
            let label = "parameters \(parameters), \(ranks) ranks/node, m \(m)"
            #expect(jobs.allSatisfy { abs($0.period - Double(m + 1) * step) <= 1e-9 * $0.period }, "\(label)")

            let aligned = try StaggerPlanner.plan(inst, method: .aligned)
            let ilp = try StaggerPlanner.plan(inst, method: .ilp, options: PlanningOptions(timeLimit: 10, solver: GLPKSolver()))
            let greedy = try StaggerPlanner.plan(inst, method: .greedy)
            func meanSlowdown(_ plan: StaggerPlan) throws -> Double {
                let jobs = try Self.jobs(plan, inst)
                return jobs.values.map(\.slowdown).reduce(0, +) / Double(jobs.count)
            }
            // Aligned: three phases share the link, each takes 3 steps, an
            // iteration m + 3 steps instead of m + 1.
            let a = try meanSlowdown(aligned)
            #expect(abs(a - Double(m + 3) / Double(m + 1)) <= 1e-6, "\(label): aligned \(a)")
            for (name, plan) in [("ilp", ilp), ("greedy", greedy)] {
                let planned = try meanSlowdown(plan)
                #expect(a / planned >= 1.3, "\(label): \(name) \(planned) against aligned \(a)")
            }
        }
    }

    @Test("priorities on the aligned plan separate the phases after one iteration")
    func priorities() throws {
        let inst = StaggerFixtures.threeThirds()
        let plan = try StaggerPlanner.plan(inst, method: .aligned, priorities: true)
        #expect(plan.priorities == ["a", "b", "c"])
        let jobs = try Self.jobs(plan, inst)
        // a runs first (30 ms), b waits 10 ms (40 ms), c 20 ms (50 ms); from
        // then on the phases are 10 ms apart and never collide again.
        let expected = ["a": 0.030, "b": (0.040 + 19 * 0.030) / 20, "c": (0.050 + 19 * 0.030) / 20]
        for (name, mean) in expected {
            let m = try #require(jobs[name])
            #expect(abs(m.meanIteration - mean) <= 1e-6, "\(name): \(m.meanIteration)")
        }
    }

    @Test("collision-free ILP plans of random instances run at their isolated periods")
    func collisionFreeRunsUnstretched() throws {
        var checked = 0
        for seed in 1...10 as ClosedRange<UInt64> {
            let inst = StaggerFixtures.random(seed: seed, jobs: 3, links: 2, periods: [6, 12])
            let ilp = try StaggerPlanner.plan(inst, method: .ilp, options: PlanningOptions(timeLimit: 10, solver: GLPKSolver()))
            guard ilp.metrics.excess == 0 else { continue }
            checked += 1
            let aligned = try StaggerPlanner.plan(inst, method: .aligned)
            let planned = try Self.jobs(ilp, inst, iterations: 10), baseline = try Self.jobs(aligned, inst, iterations: 10)
            for (name, m) in planned {
                #expect(abs(m.slowdown - 1) <= 1e-6, "seed \(seed): \(name) slowdown \(m.slowdown)")
                #expect(try #require(baseline[name]).slowdown >= m.slowdown - 1e-9)
            }
        }
        #expect(checked >= 3, "enough random instances have a collision-free optimum")
    }
}
