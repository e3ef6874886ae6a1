import Testing
import OptoCore
@testable import OptoEval

/// Epochs plans with transit (PROBLEMS.md, Evaluator: Transit, epochs
/// mode) on the general path, `TransitFluidSimulator`.
@Suite struct TransitEpochsTests {
    func close(_ a: Double?, _ b: Double, relative: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= relative * max(1e-12, abs(b))
    }

    /// One-hop epochs plans through the general path give what
    /// `PortFluidSimulator` gives: the same model.
    @Test func generalPathEqualsTheFastPathOnOneHopPlans() throws {
        for seed in 0..<120 {
            let c = PropertyTests.randomCase(seed: UInt64(9000 + seed), window: false, epochs: true)
            let fast = try Evaluator.evaluate(c.plan, on: c.instance, actual: nil, generalPath: false)
            let general = try Evaluator.evaluate(c.plan, on: c.instance, actual: nil, generalPath: true)
            let scale = max(1, (fast.servedBytes ?? 0) + (fast.unservedBytes ?? 0))
            #expect(abs((fast.servedBytes ?? 0) - (general.servedBytes ?? 0)) <= 1e-9 * scale, "seed \(seed)")
            #expect(abs((fast.unservedBytes ?? 0) - (general.unservedBytes ?? 0)) <= 1e-9 * scale, "seed \(seed)")
            #expect(Set(fast.completionTimes?.keys ?? [:].keys) == Set(general.completionTimes?.keys ?? [:].keys), "seed \(seed)")
            for (key, t) in fast.completionTimes ?? [:] {
                #expect(close(general.completionTimes?[key], t), "seed \(seed) \(key)")
            }
            #expect(close(general.makespan, fast.makespan ?? 0) || (fast.makespan ?? 0) == 0, "seed \(seed)")
            if let b = fast.circuitBusyFraction { #expect(close(general.circuitBusyFraction, b), "seed \(seed)") }
            for (a, b) in zip(fast.packetPortUtilisation ?? [], general.packetPortUtilisation ?? []) {
                #expect(abs(a.send - b.send) <= 1e-9 && abs(a.receive - b.receive) <= 1e-9, "seed \(seed)")
            }
            #expect(general.transitServedBytes == nil)
        }
    }

    /// Three nodes with one OCS port each, 1 GB/s circuits, no packet
    /// fabric, δ = 0.1 s, three epochs of 1 s:
    /// - epoch 0: 0→2 wants 2 GB over its circuit: 1 GB served, 1 GB backlog;
    /// - epoch 1: 0→1 and 1→2 want 0.3 GB each; the circuits 0→1 and 1→2
    ///   (dark until 1.1 s) serve them, and the plan routes 0→2's backlog
    ///   over 0→1→2: 0.6 GB (what the circuits have left);
    /// - epoch 2: the circuit 0→2 again (dark until 2.1 s) serves the last 0.4 GB.
    /// By hand, in epoch 1 each circuit is shared by its pair's flow and the
    /// sub-flow (0.5 GB/s each) until the pairs finish at 1.7 s, then the
    /// sub-flow has it alone: 0.3 + 0.3 = 0.6 GB delivered, 0.4 GB returned.
    /// Everything is served (0→2 done at 2.5 s); the one-hop plan with the
    /// same circuits leaves 0.1 GB of 0→2's backlog.
    func threeEpochs(transit: Bool) -> (ScheduleInstance, SchedulePlan) {
        let fabric = Fabric(nodes: 3, ports: 1, circuitRate: 8e9, packetRate: 0, reconfigurationDelay: 0.1)
        var d0 = Matrix(size: 3), d1 = Matrix(size: 3)
        d0[0, 2] = 2e9
        d1[0, 1] = 0.3e9
        d1[1, 2] = 0.3e9
        let instance = ScheduleInstance(fabric: fabric, mode: .epochs([
            .init(duration: 1, demand: d0), .init(duration: 1, demand: d1), .init(duration: 1, demand: Matrix(size: 3)),
        ]), maxHops: 2)
        var metrics = PlanMetrics(objective: 2.6e9)
        metrics.servedBytes = transit ? 2.6e9 : 2.5e9
        let plan = SchedulePlan(method: "test", status: .heuristic, metrics: metrics, epochs: [
            .init(circuits: [Circuit(0, 2)]),
            .init(circuits: [Circuit(0, 1), Circuit(1, 2)],
                  transit: transit ? [TransitRoute(0, 1, 2, 0.6e9)] : nil,
                  served: transit ? [PairBytes(0, 2, 0.6e9)] : nil),
            .init(circuits: [Circuit(0, 2)]),
        ])
        return (instance, plan)
    }

    @Test func transitServesBacklogThatOneHopCannot() throws {
        let (instance, plan) = threeEpochs(transit: true)
        let m = try Evaluator.evaluate(plan, on: instance)
        #expect(close(m.servedBytes, 2.6e9))
        #expect(close(m.unservedBytes.map { $0 + 1 }, 1))
        #expect(close(m.transitServedBytes, 0.6e9))
        #expect(close(m.completionTimes?["0->2"], 2.5))
        #expect(close(m.completionTimes?["0->1"], 1.7))
        #expect(close(m.completionTimes?["1->2"], 1.7))
        // Live: 1 + 2·0.9 + 0.9 circuit-seconds; busy: 1 + 2·0.9 + 0.4.
        #expect(close(m.circuitBusyFraction, 3.2 / 3.7))
        let (i1, p1) = threeEpochs(transit: false)
        let oneHop = try Evaluator.evaluate(p1, on: i1)
        #expect(close(oneHop.servedBytes, 2.5e9))
        #expect(close(oneHop.unservedBytes, 0.1e9))
        #expect(oneHop.transitServedBytes == nil)
        // The plan claims as much as the evaluator serves, and no less.
        #expect((m.servedBytes ?? 0) <= (plan.metrics.servedBytes ?? 0) * (1 + 1e-9))
    }

    /// Without `served`, an entry's share is its bytes over what the pair
    /// has left: 0.3 GB of the 1 GB backlog moves, the rest waits.
    @Test func shareFallbackWithoutServed() throws {
        var (instance, plan) = threeEpochs(transit: true)
        plan.epochs?[1].served = nil
        plan.epochs?[1].transit = [TransitRoute(0, 1, 2, 0.3e9)]
        let m = try Evaluator.evaluate(plan, on: instance)
        // Epoch 1: the sub-flow delivers its 0.3 GB by 1.7 s (0.5 GB/s
        // beside the pairs' flows for 0.6 s); epoch 2 serves 0.7 of 0.9 GB.
        #expect(close(m.transitServedBytes, 0.3e9))
        #expect(close(m.servedBytes, 2.6e9))
        #expect(close(m.completionTimes?["0->2"], 2.8))
        // A share over 1 is cut to the whole backlog.
        plan.epochs?[1].transit = [TransitRoute(0, 1, 2, 5e9)]
        let over = try Evaluator.evaluate(plan, on: instance)
        #expect(close(over.transitServedBytes, 0.6e9))
    }

    /// Four nodes in a ring 0→1→2→3→0 (one port each, 1 GB/s, no packet),
    /// demand only between nodes two apart (1.5 GB each, in two epochs of
    /// 1 s, the circuits kept): transit is the only way to serve, each
    /// circuit carries two sub-flows at 0.5 GB/s. The plan's bytes per
    /// epoch (0.5 GB per pair) are exactly what the evaluator serves.
    @Test func planBytesExactWhenRoutingIsTheOnlyWay() throws {
        let fabric = Fabric(nodes: 4, ports: 1, circuitRate: 8e9, packetRate: 0, reconfigurationDelay: 0.01)
        var d = Matrix(size: 4)
        for i in 0..<4 { d[i, (i + 2) % 4] = 1.5e9 }
        let instance = ScheduleInstance(fabric: fabric, mode: .epochs([
            .init(duration: 1, demand: d), .init(duration: 1, demand: Matrix(size: 4)),
        ]), maxHops: 2)
        let ring = (0..<4).map { Circuit($0, ($0 + 1) % 4) }
        let routes = (0..<4).map { TransitRoute($0, ($0 + 1) % 4, ($0 + 2) % 4, 0.5e9) }
        let served = (0..<4).map { PairBytes($0, ($0 + 2) % 4, 0.5e9) }
        var metrics = PlanMetrics(objective: 4e9)
        metrics.servedBytes = 4e9
        let plan = SchedulePlan(method: "test", status: .heuristic, metrics: metrics, epochs: [
            .init(circuits: ring, transit: routes, served: served), .init(circuits: ring, transit: routes, served: served),
        ])
        let m = try Evaluator.evaluate(plan, on: instance)
        #expect(close(m.servedBytes, 4e9))
        #expect(close(m.transitServedBytes, 4e9))
        #expect(close(m.unservedBytes, 2e9))
        #expect(close(m.circuitBusyFraction, 1))
        // The one-hop plan with the same circuits serves nothing.
        let oneHop = SchedulePlan(method: "test", status: .heuristic, metrics: metrics,
                                  epochs: [.init(circuits: ring), .init(circuits: ring)])
        #expect(close(try Evaluator.evaluate(oneHop, on: instance).unservedBytes, 6e9))
    }

    @Test func rejectsBadEpochTransit() throws {
        let (instance, plan) = threeEpochs(transit: true)
        let bad: [[TransitRoute]] = [
            [TransitRoute(0, 2, 1, 1)],   // 0→2 and 2→1 are not epoch 1's circuits
            [TransitRoute(0, 0, 2, 1)],
            [TransitRoute(0, 1, 7, 1)],
            [TransitRoute(0, 1, 2, .nan)],
        ]
        for t in bad {
            var p = plan
            p.epochs?[1].transit = t
            #expect(throws: EvaluationError.self) { try Evaluator.evaluate(p, on: instance) }
        }
        var oneHopInstance = instance
        oneHopInstance.maxHops = 1
        #expect(throws: EvaluationError.self) { try Evaluator.evaluate(plan, on: oneHopInstance) }
    }
}
