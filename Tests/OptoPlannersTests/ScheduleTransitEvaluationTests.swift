import Testing
import OptoCore
import OptoEval
import OptoGLPK
@testable import OptoPlanners

/// Epochs plans with transit scored by the evaluator's transit rule (each
/// entry's bytes a share of its pair's bytes then left, returned at the
/// epoch's end): the evaluator never serves more than the planner claims
/// on its own demand, and serves exactly the claim when the plan's routing
/// is the only way to serve.
@Suite("Epochs transit plans through the evaluator")
struct ScheduleTransitEvaluationTests {
    @Test("planned and evaluated bytes agree on the hand case, where 0→2 has no way but 0→1→2")
    func handCaseExact() throws {
        let instance = ScheduleTransitTests.instance(ScheduleTransitTests.handFabric, ScheduleTransitTests.handEpochs)
        for method in [ScheduleMethod.ilp, .greedy] {
            let plan = try SchedulePlanner.plan(instance, method: method, options: ScheduleTransitTests.options())
            let m = try Evaluator.evaluate(plan, on: instance)
            let claimed = try #require(plan.metrics.servedBytes)
            #expect(abs(try #require(m.servedBytes) - claimed) <= 1e-8 * claimed, "\(method): \(m.servedBytes ?? -1) vs \(claimed)")
        }
    }

    @Test("the evaluator never serves more than an epochs transit plan claims", arguments: [UInt64(41), 42, 43, 44])
    func neverMoreThanClaimed(seed: UInt64) throws {
        let instance = ScheduleTransitTests.randomInstance(nodes: 4, ports: seed % 2 == 0 ? 2 : 1, epochs: 3, seed: seed)
        for method in [ScheduleMethod.ilp, .greedy, .static, .rotor] {
            let plan = try SchedulePlanner.plan(instance, method: method, options: ScheduleTransitTests.options())
            let m = try Evaluator.evaluate(plan, on: instance)
            let claimed = try #require(plan.metrics.servedBytes)
            #expect(try #require(m.servedBytes) <= claimed * (1 + 1e-9) + 1, "seed \(seed) \(method): \(m.servedBytes ?? -1) vs \(claimed), 1-hop-only \(plan.epochs!.allSatisfy { $0.transit == nil })")
        }
    }
}

