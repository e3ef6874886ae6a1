import Testing
import OptoCore
import OptoModel
import OptoGLPK
@testable import OptoEval

/// Link-pool plans with transit (PROBLEMS.md, Evaluator: Transit): shares,
/// circuits shared by direct and transit flows, and `lambdaCapacity`.
@Suite struct TransitLinkPoolTests {
    func close(_ a: Double?, _ b: Double, relative: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= relative * max(1e-12, abs(b))
    }

    func instance(nodes: Int, demand: Matrix, packet: Double = 0, ports: Int = 4,
                  objective: LinkPoolObjective = .concurrent, maxHops: Int = 2) -> LinkPoolInstance {
        LinkPoolInstance(fabric: LinkPoolFabric(nodes: nodes, ports: ports, circuitRate: 100, packetRate: packet),
                         demand: demand, objective: objective, maxHops: maxHops)
    }

    func plan(_ circuits: [Circuit], transit: [TransitRoute]?, lambda: Double?, nodes: Int) -> LinkPoolPlan {
        var metrics = PlanMetrics(objective: lambda ?? 0)
        metrics.lambda = lambda
        let zero = Array(repeating: Array(repeating: 0.0, count: nodes), count: nodes)
        return LinkPoolPlan(method: "test", status: .heuristic, metrics: metrics, circuits: circuits,
                            electrical: zero, carried: zero, transit: transit)
    }

    /// Three nodes, circuits 0→1 and 1→2, demand only 0→2 (300), no
    /// packet fabric: the pair lives on transit alone, λ = r_c / R = 1/3.
    @Test func transitAloneCarriesThePair() throws {
        var d = Matrix(size: 3)
        d[0, 2] = 300
        let inst = instance(nodes: 3, demand: d)
        let p = plan([Circuit(0, 1), Circuit(1, 2)], transit: [TransitRoute(0, 1, 2, 100)], lambda: 1.0 / 3, nodes: 3)
        let m = try Evaluator.evaluate(p, on: inst)
        #expect(close(m.lambdaCapacity, 1.0 / 3))
        #expect(close(m.lambda, 1.0 / 3))
        #expect(close(m.rates?[0][2], 100))
        #expect(close(m.transitCarried, 100))
        #expect(close(m.carried, 100))
        #expect(close(m.circuitBusyFraction, 1))
        // The same circuits without the transit entry carry nothing for 0→2.
        let oneHop = try Evaluator.evaluate(plan([Circuit(0, 1), Circuit(1, 2)], transit: nil, lambda: 0, nodes: 3), on: inst)
        #expect(close(oneHop.lambdaCapacity, 0))
        #expect(oneHop.transitCarried == nil)
        // On other traffic (0→2 at 150) the share is still the whole pair: 100 of 150.
        var a = d
        a[0, 2] = 150
        let other = try Evaluator.evaluate(p, on: inst, actual: instance(nodes: 3, demand: a))
        #expect(close(other.lambdaCapacity, 100.0 / 150))
        #expect(close(other.rates?[0][2], 100))
    }

    /// Direct 0→1 and transit 0→1→2 share the circuit 0→1 (demand 100
    /// each, r_c = 100). Planned: λ = 0.5, half the circuit to each. The
    /// steady state splits the circuit 50/50; with 20 of packet fabric the
    /// direct flow adds 20 and λ reaches 0.6 (60 transit, 40 + 20 direct).
    @Test func directAndTransitShareACircuit() throws {
        var d = Matrix(size: 3)
        d[0, 1] = 100
        d[0, 2] = 100
        let circuits = [Circuit(0, 1), Circuit(1, 2)]
        let p = plan(circuits, transit: [TransitRoute(0, 1, 2, 50)], lambda: 0.5, nodes: 3)
        let m = try Evaluator.evaluate(p, on: instance(nodes: 3, demand: d))
        #expect(close(m.lambdaCapacity, 0.5))
        #expect(close(m.rates?[0][1], 50))
        #expect(close(m.rates?[0][2], 50))
        #expect(close(m.lambda, 0.5))
        #expect(close(m.circuitBusyFraction, 150.0 / 200))
        let withPacket = try Evaluator.evaluate(p, on: instance(nodes: 3, demand: d, packet: 20))
        #expect(close(withPacket.lambdaCapacity, 0.6))
        #expect(close(withPacket.rates?[0][1], 70))
        #expect(close(withPacket.rates?[0][2], 50))
        #expect(close(withPacket.packetPortUtilisation?[0].send, 1))
    }

    /// Half of 0→2 on transit, half on its own (packet) flow: a throughput
    /// plan's shares are `x / R`.
    @Test func throughputPlanShares() throws {
        var d = Matrix(size: 3)
        d[0, 2] = 100
        let inst = instance(nodes: 3, demand: d, packet: 30, objective: .throughput)
        let p = plan([Circuit(0, 1), Circuit(1, 2)], transit: [TransitRoute(0, 1, 2, 50)], lambda: nil, nodes: 3)
        let m = try Evaluator.evaluate(p, on: inst)
        // Transit 50 (capped by its share), direct 30 by packet (its 50 capped by the port).
        #expect(close(m.rates?[0][2], 80))
        #expect(close(m.transitCarried, 50))
        // λ·50 ≤ 100 on the circuits, λ·50 ≤ 30 on the ports: 0.6.
        #expect(close(m.lambdaCapacity, 0.6))
    }

    @Test func sharesOverOneAreScaledWithANote() throws {
        var d = Matrix(size: 4)
        d[0, 3] = 100
        let circuits = [Circuit(0, 1), Circuit(1, 3), Circuit(0, 2), Circuit(2, 3)]
        // λ = 1: P = 100, shares 0.8 + 0.8 = 1.6, scaled to 0.5 each.
        let p = plan(circuits, transit: [TransitRoute(0, 1, 3, 80), TransitRoute(0, 2, 3, 80)], lambda: 1, nodes: 4)
        let m = try Evaluator.evaluate(p, on: instance(nodes: 4, demand: d))
        #expect(m.notes?.contains { $0.contains("scaled") } == true)
        #expect(close(m.rates?[0][3], 100))
        #expect(close(m.lambdaCapacity, 2))
    }

    @Test func rejectsBadTransit() throws {
        var d = Matrix(size: 3)
        d[0, 2] = 100
        let circuits = [Circuit(0, 1), Circuit(1, 2)]
        let bad: [[TransitRoute]] = [
            [TransitRoute(0, 2, 1, 10)],    // over 0→2 and 2→1: missing circuits
            [TransitRoute(0, 0, 2, 10)],    // k = s
            [TransitRoute(0, 1, 5, 10)],    // out of range
            [TransitRoute(0, 1, 2, -1)],    // negative
            [TransitRoute(1, 0, 2, 10)],    // 1→0 missing; pair 1→2 has no demand either
        ]
        for t in bad {
            #expect(throws: EvaluationError.self) {
                try Evaluator.evaluate(plan(circuits, transit: t, lambda: 1, nodes: 3), on: instance(nodes: 3, demand: d))
            }
        }
        #expect(throws: EvaluationError.self) {
            try Evaluator.evaluate(plan(circuits, transit: [TransitRoute(0, 1, 2, 10)], lambda: 1, nodes: 3),
                                   on: instance(nodes: 3, demand: d, maxHops: 1))
        }
    }

    /// The best routing over fixed circuits by LP (maximum concurrent flow
    /// with transit, PROBLEMS.md §2): `λ`, and the transit rates.
    static func bestRouting(_ inst: LinkPoolInstance, circuits: [Circuit]) throws -> (Double, [TransitRoute]) {
        let n = inst.fabric.nodes
        let count = circuits.countMatrix(nodes: n)
        let r = inst.fabric.circuitRate
        let model = Model()
        let lambda = model.addVariable()
        var direct: [Int: VariableID] = [:]
        var transit: [(Int, Int, Int, VariableID)] = []
        var packet: [Int: VariableID] = [:]
        var onCircuit: [Int: LinearExpression] = [:]
        var served: [Int: LinearExpression] = [:]
        for s in 0..<n {
            for t in 0..<n where s != t && inst.demand[s, t] > 0 {
                let e = model.addVariable()
                packet[s * n + t] = e
                served[s * n + t, default: LinearExpression()].add(1, e)
                if count[s, t] > 0 {
                    let x = model.addVariable()
                    direct[s * n + t] = x
                    served[s * n + t, default: LinearExpression()].add(1, x)
                    onCircuit[s * n + t, default: LinearExpression()].add(1, x)
                }
                for k in 0..<n where k != s && k != t && count[s, k] > 0 && count[k, t] > 0 {
                    let f = model.addVariable()
                    transit.append((s, k, t, f))
                    served[s * n + t, default: LinearExpression()].add(1, f)
                    onCircuit[s * n + k, default: LinearExpression()].add(1, f)
                    onCircuit[k * n + t, default: LinearExpression()].add(1, f)
                }
            }
        }
        for (pair, expr) in onCircuit { _ = model.addConstraint(expr, .lessThanOrEqual(count.values[pair] * r)) }
        for (pair, expr) in served { _ = model.addConstraint(expr - inst.demand.values[pair] * lambda, .equalTo(0)) }
        for i in 0..<n {
            let send = LinearExpression.sum(packet.filter { $0.key / n == i }.map { LinearExpression($0.value) })
            let receive = LinearExpression.sum(packet.filter { $0.key % n == i }.map { LinearExpression($0.value) })
            _ = model.addConstraint(send, .lessThanOrEqual(inst.fabric.packetRate[i]))
            _ = model.addConstraint(receive, .lessThanOrEqual(inst.fabric.packetRate[i]))
        }
        model.setObjective(LinearExpression(lambda), .maximize)
        let result = try GLPKSolver().solve(try model.validated(), options: SolverOptions())
        let routes = transit.compactMap { s, k, t, f in
            result.value(f) > 1e-9 ? TransitRoute(s, k, t, result.value(f)) : nil
        }
        return (result.value(lambda), routes)
    }

    /// Seeded random fabrics and circuits: the plan made of the best
    /// routing (LP) has `lambdaCapacity` equal to its `λ` on its own demand;
    /// and the closed form is feasible at its value and infeasible just above.
    @Test func lambdaCapacityEqualsTheBestRoutingsLambda() throws {
        var rng = SplitMix(seed: 1616)
        var withTransit = 0
        for _ in 0..<40 {
            let n = Int.random(in: 3...5, using: &rng)
            var d = Matrix(size: n)
            for i in 0..<n { for j in 0..<n where i != j && Double.random(in: 0...1, using: &rng) < 0.6 {
                d[i, j] = Double.random(in: 10...200, using: &rng)
            } }
            guard d.total > 0 else { continue }
            let packet = [0.0, 0, 20, 60][Int.random(in: 0...3, using: &rng)]
            let inst = instance(nodes: n, demand: d, packet: packet, ports: 3)
            var ports = Array(repeating: 3, count: n)
            var circuits: [Circuit] = []
            for _ in 0..<(3 * n) {
                let i = Int.random(in: 0..<n, using: &rng), j = Int.random(in: 0..<n, using: &rng)
                if i != j && ports[i] > 0 && ports[j] > 0 {
                    ports[i] -= 1
                    ports[j] -= 1
                    circuits.append(Circuit(i, j))
                }
            }
            let (lambda, routes) = try Self.bestRouting(inst, circuits: circuits)
            guard lambda > 1e-6 else { continue }
            if !routes.isEmpty { withTransit += 1 }
            let p = plan(circuits, transit: routes, lambda: lambda, nodes: n)
            let m = try Evaluator.evaluate(p, on: inst)
            #expect(close(m.lambdaCapacity, lambda, relative: 1e-7), "λ \(lambda) vs \(String(describing: m.lambdaCapacity))")
            // Never more than the plan claims, on its own demand.
            #expect((m.lambda ?? 0) <= min(1, lambda) * (1 + 1e-7))
            // Feasible at the value, infeasible 1e-6 above (independent loop).
            var notes: [String] = []
            let capacity = circuits.countMatrix(nodes: n).scaled(by: 100)
            let shares = try Evaluator.transitShares(p, on: inst, circuitCapacity: capacity, notes: &notes)
            func slack(_ x: Double) -> Double {
                var transitLoad = Matrix(size: n)
                var directLoad = d
                for s in shares {
                    transitLoad[s.source, s.via] += x * s.phi * d[s.source, s.target]
                    transitLoad[s.via, s.target] += x * s.phi * d[s.source, s.target]
                    directLoad[s.source, s.target] -= s.phi * d[s.source, s.target]
                }
                var worst = Double.infinity
                var send = Array(repeating: 0.0, count: n), receive = Array(repeating: 0.0, count: n)
                for i in 0..<n { for j in 0..<n where i != j {
                    worst = min(worst, capacity[i, j] - transitLoad[i, j])
                    let need = max(0, x * directLoad[i, j] - max(0, capacity[i, j] - transitLoad[i, j]))
                    send[i] += need
                    receive[j] += need
                } }
                for i in 0..<n { worst = min(worst, packet - send[i], packet - receive[i]) }
                return worst
            }
            let found = try #require(m.lambdaCapacity)
            #expect(slack(found) >= -1e-7)
            #expect(slack(found * (1 + 1e-6)) < 0)
        }
        #expect(withTransit >= 10)
    }
}
