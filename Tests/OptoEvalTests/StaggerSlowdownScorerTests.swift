import Testing
import OptoCore
@testable import OptoEval

@Suite struct StaggerSlowdownScorerTests {
    /// Jobs of different periods and rates on two links, one spanning both.
    func instance() -> StaggerInstance {
        StaggerInstance(step: 0.01, links: [.init(name: "x", capacity: 100e9), .init(name: "y", capacity: 150e9)], jobs: [
            .init(name: "a", period: 0.06, links: ["x"], phases: [.init(start: 0.03, duration: 0.03, rate: 100e9)]),
            .init(name: "b", period: 0.04, links: ["x", "y"], phases: [.init(start: 0.02, duration: 0.02, rate: 60e9)]),
            .init(name: "c", period: 0.12, links: ["y"], phases: [.init(start: 0, duration: 0.05, rate: 100e9),
                                                                  .init(start: 0.08, duration: 0.02, rate: 40e9)]),
        ])
    }

    @Test("the scorer's mean slowdown is the evaluator's, with and without priorities")
    func agreesWithEvaluator() throws {
        let inst = instance()
        let scorer = try StaggerSlowdownScorer(inst, iterations: 7)
        let plans: [([String: Double], [String]?)] = [
            (["a": 0, "b": 0, "c": 0], nil),
            (["a": 0.02, "b": 0.01, "c": 0.07], nil),
            (["a": 0.02, "b": 0.01, "c": 0.07], ["c", "a", "b"]),
            (["a": 0.05, "b": 0.03, "c": 0.11], ["b"]),
        ]
        var distinct = Set<Double>()
        for (offsets, priorities) in plans {
            let plan = StaggerPlan(method: "t", status: .heuristic, metrics: PlanMetrics(objective: 0), offsets: offsets, priorities: priorities)
            let jobs = try #require(try Evaluator.evaluate(plan, on: inst, iterations: 7).jobs)
            let expected = jobs.values.map(\.slowdown).reduce(0, +) / Double(jobs.count)
            let got = try scorer.meanSlowdown(plan)
            #expect(abs(got - expected) <= 1e-12 * expected, "\(offsets) \(priorities ?? [])")
            #expect(got >= 1 - 1e-12)
            distinct.insert((got * 1e9).rounded())
        }
        #expect(distinct.count > 1, "the plans differ, so should some scores")
    }

    @Test("a missing offset or too few iterations is an error")
    func errors() throws {
        #expect(throws: EvaluationError.self) { try StaggerSlowdownScorer(instance(), iterations: 0) }
        let scorer = try StaggerSlowdownScorer(instance(), iterations: 2)
        let plan = StaggerPlan(method: "t", status: .heuristic, metrics: PlanMetrics(objective: 0), offsets: ["a": 0, "b": 0])
        #expect(throws: EvaluationError.self) { try scorer.meanSlowdown(plan) }
    }
}
