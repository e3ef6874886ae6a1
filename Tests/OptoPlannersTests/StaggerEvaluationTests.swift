import Testing
import OptoCore
import OptoEval
import OptoGLPK
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
