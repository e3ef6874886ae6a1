import Testing
import OptoCore
import OptoEval
import OptoGLPK
@testable import OptoPlanners

/// Link-pool plans scored by the flow-level evaluator: the evaluator accepts
/// every plan, its independently computed `λ` capacity equals the planner's
/// `λ`, and it never carries more than the planner claimed.
@Suite("LinkPool plans through the evaluator")
struct LinkPoolEvaluatorTests {
    let options = PlanningOptions(timeLimit: 20, solver: GLPKSolver())

    @Test func referencePlansEvaluate() throws {
        for (method, carried) in [(LinkPoolMethod.ilp, 900e9), (.symmetric, 562.5e9)] {
            let plan = try LinkPoolPlanner.plan(referenceInstance(), method: method, options: options)
            let m = try Evaluator.evaluate(plan, on: referenceInstance())
            // The evaluator offers the demand itself (8 and 1 Gb/s), which the
            // circuits carry in full; its λ capacity is the planner's λ.
            #expect(close(try #require(m.lambdaCapacity), try #require(plan.metrics.lambda), relative: 1e-9))
            #expect(try #require(m.carried) <= carried)
        }
    }

    @Test func seededPlansAgreeWithTheEvaluator() throws {
        for seed in UInt64(200)..<212 {
            let objective: LinkPoolObjective = seed % 2 == 0 ? .concurrent : .throughput
            let instance = smallInstance(seed: seed, nodes: 4, maxPorts: 3, objective: objective, caps: seed % 3 == 0)
            for method in [LinkPoolMethod.ilp, .greedy, .symmetric] {
                let plan = try LinkPoolPlanner.plan(instance, method: method, options: options)
                let m = try Evaluator.evaluate(plan, on: instance)
                switch objective {
                case .concurrent:
                    #expect(close(try #require(m.lambdaCapacity), plan.metrics.objective, relative: 1e-9), "seed \(seed) \(method)")
                case .throughput:
                    // Max-min fair sharing never beats the best use of the packet fabric.
                    #expect(try #require(m.carried) <= plan.metrics.objective * (1 + 1e-9), "seed \(seed) \(method)")
                }
            }
        }
    }

    /// Transit plans (maxHops 2) scored by the evaluator's transit rule: each
    /// entry a share of its pair's traffic. On its own demand a concurrent
    /// plan's `lambdaCapacity` is its planned `λ` (exactly for the exact
    /// methods, whose routing is the routing LP's optimum over their
    /// circuits; at least `λ` for greedy); a throughput plan is never
    /// carried more than it claims.
    @Test func seededTransitPlansAgreeWithTheEvaluator() throws {
        var transitSeen = 0
        for seed in UInt64(300)..<310 {
            let objective: LinkPoolObjective = seed % 2 == 0 ? .concurrent : .throughput
            var instance = smallInstance(seed: seed, nodes: 4, maxPorts: 3, objective: objective, caps: seed % 3 == 0)
            instance.maxHops = 2
            for method in [LinkPoolMethod.ilp, .greedy, .symmetric] {
                let plan = try LinkPoolPlanner.plan(instance, method: method, options: options)
                if !(plan.transit ?? []).isEmpty { transitSeen += 1 }
                let m = try Evaluator.evaluate(plan, on: instance)
                switch objective {
                case .concurrent:
                    let capacity = try #require(m.lambdaCapacity)
                    if method == .greedy {
                        #expect(capacity >= plan.metrics.objective * (1 - 1e-9), "seed \(seed) \(method)")
                    } else {
                        #expect(close(capacity, plan.metrics.objective, relative: 1e-9), "seed \(seed) \(method): \(capacity) vs \(plan.metrics.objective)")
                    }
                case .throughput:
                    #expect(try #require(m.carried) <= plan.metrics.objective * (1 + 1e-9), "seed \(seed) \(method)")
                }
            }
        }
        // The seeds must exercise transit, or the test says nothing about it.
        #expect(transitSeen > 0)
    }
}

