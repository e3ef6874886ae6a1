import Testing
import OptoCore
import OptoModel
import OptoGLPK
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

    /// The most bytes any routing over the plan's circuits serves
    /// (PROBLEMS.md §1b with transit, circuits fixed), by LP: per epoch
    /// direct, transit and packet bytes; a circuit carries
    /// `r_c·(L_e·x − min(δ, L_e)·a)/8` (`a` its new circuits), the packet
    /// ports `p·L_e/8`; served never ahead of the demand arrived. Returns the
    /// optimum and the plan's epochs with its transit and served entries.
    static func bestEpochsRouting(_ instance: ScheduleInstance, circuits: [[Circuit]]) throws
        -> (Double, [SchedulePlan.EpochCircuits]) {
        guard case .epochs(let epochs) = instance.mode else { return (0, []) }
        let fabric = instance.fabric
        let n = fabric.nodes
        let model = Model()
        var objective = LinearExpression()
        var cumulative: [Int: LinearExpression] = [:]
        var arrived = Array(repeating: 0.0, count: n * n)
        var epochRoutes: [[(Int, Int, Int, VariableID)]] = []
        var epochServed: [[Int: LinearExpression]] = []
        var previous = Matrix(size: n)
        for (e, epoch) in epochs.enumerated() {
            let count = circuits[e].countMatrix(nodes: n)
            for k in 0..<(n * n) { arrived[k] += epoch.demand.values[k] }
            var onCircuit: [Int: LinearExpression] = [:]
            var served: [Int: LinearExpression] = [:]
            var routes: [(Int, Int, Int, VariableID)] = []
            var send = Array(repeating: LinearExpression(), count: n), receive = send
            for s in 0..<n {
                for t in 0..<n where s != t && arrived[s * n + t] > 0 {
                    let p = model.addVariable()
                    served[s * n + t, default: LinearExpression()].add(1, p)
                    send[s].add(1, p)
                    receive[t].add(1, p)
                    if count[s, t] > 0 {
                        let d = model.addVariable()
                        served[s * n + t, default: LinearExpression()].add(1, d)
                        onCircuit[s * n + t, default: LinearExpression()].add(1, d)
                    }
                    for k in 0..<n where k != s && k != t && count[s, k] > 0 && count[k, t] > 0 {
                        let g = model.addVariable()
                        routes.append((s, k, t, g))
                        served[s * n + t, default: LinearExpression()].add(1, g)
                        onCircuit[s * n + k, default: LinearExpression()].add(1, g)
                        onCircuit[k * n + t, default: LinearExpression()].add(1, g)
                    }
                }
            }
            for (pair, expr) in onCircuit {
                let added = e == 0 ? 0 : max(0, count.values[pair] - previous.values[pair])
                let bytes = fabric.circuitRate * (epoch.duration * count.values[pair]
                                                  - min(fabric.reconfigurationDelay, epoch.duration) * added) / 8
                _ = model.addConstraint(expr, .lessThanOrEqual(max(0, bytes)))
            }
            for i in 0..<n {
                _ = model.addConstraint(send[i], .lessThanOrEqual(fabric.packetRate[i] * epoch.duration / 8))
                _ = model.addConstraint(receive[i], .lessThanOrEqual(fabric.packetRate[i] * epoch.duration / 8))
            }
            for (pair, expr) in served {
                cumulative[pair, default: LinearExpression()].add(expr)
                _ = model.addConstraint(cumulative[pair]!, .lessThanOrEqual(arrived[pair]))
                objective.add(expr)
            }
            epochRoutes.append(routes)
            epochServed.append(served)
            previous = count
        }
        model.setObjective(objective, .maximize)
        let result = try GLPKSolver().solve(try model.validated(), options: SolverOptions())
        var out: [SchedulePlan.EpochCircuits] = []
        for e in epochs.indices {
            let routes = epochRoutes[e].compactMap { s, k, t, g in
                result.value(g) > 1 ? TransitRoute(s, k, t, result.value(g)) : nil
            }
            let pairs = Set(routes.map { $0.source * n + $0.target })
            let served = pairs.sorted().map { PairBytes($0 / n, $0 % n, result.value(epochServed[e][$0]!)) }
            out.append(.init(circuits: circuits[e], transit: routes.isEmpty ? nil : routes, served: served.isEmpty ? nil : served))
        }
        return (result.objectiveValue ?? 0, out)
    }

    /// Seeded small cases (3–4 nodes, 2–3 epochs, random circuits, δ up to
    /// 0.3 s): the plan routed at the optimum over its circuits is never
    /// served more by the evaluator than it claims, on its own demand (the
    /// evaluated run is itself a routing over the same circuits). Many of
    /// the cases route transit.
    @Test func neverServesMoreThanTheOptimalPlanClaims() throws {
        var rng = SplitMix(seed: 1717)
        var withTransit = 0
        for _ in 0..<40 {
            let n = Int.random(in: 3...4, using: &rng)
            let fabric = Fabric(nodes: n, ports: 1, circuitRate: 8e9, packetRate: [0.0, 0, 0.8e9][Int.random(in: 0...2, using: &rng)],
                                reconfigurationDelay: [0, 0.05, 0.3][Int.random(in: 0...2, using: &rng)])
            let count = Int.random(in: 2...3, using: &rng)
            var epochs: [ScheduleInstance.Epoch] = []
            var circuits: [[Circuit]] = []
            for _ in 0..<count {
                var d = Matrix(size: n)
                for i in 0..<n { for j in 0..<n where i != j && Double.random(in: 0...1, using: &rng) < 0.5 {
                    d[i, j] = Double.random(in: 0.1e9...1.5e9, using: &rng).rounded()
                } }
                epochs.append(.init(duration: Double.random(in: 0.5...1.5, using: &rng), demand: d))
                // A random permutation-like configuration (one port per node).
                var targets = Array(0..<n).shuffled(using: &rng)
                if Bool.random(using: &rng) { targets.removeLast() }
                circuits.append(targets.enumerated().compactMap { i, j in i != j ? Circuit(i, j) : nil })
            }
            let instance = ScheduleInstance(fabric: fabric, mode: .epochs(epochs), maxHops: 2)
            let (optimum, planEpochs) = try Self.bestEpochsRouting(instance, circuits: circuits)
            if planEpochs.contains(where: { $0.transit != nil }) { withTransit += 1 }
            var metrics = PlanMetrics(objective: optimum)
            metrics.servedBytes = optimum
            let plan = SchedulePlan(method: "lp", status: .optimal, metrics: metrics, epochs: planEpochs)
            let m = try Evaluator.evaluate(plan, on: instance)
            #expect((m.servedBytes ?? 0) <= optimum * (1 + 1e-7) + 1, "served \(m.servedBytes ?? 0) claimed \(optimum)")
        }
        #expect(withTransit >= 8)
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
