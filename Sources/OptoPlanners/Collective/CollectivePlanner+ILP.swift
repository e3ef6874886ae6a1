import OptoCore
import OptoModel

/// The exact model of the `ilp` method (the "steady-rate model").
///
/// `ilp` solves this form when circuits are free (and `optoplan export`
/// writes it, as `models/collective.mod` does); with given circuits it
/// solves the ring-order model of `CollectivePlanner+RingModel.swift`: for
/// `R_c` rings the same optimum, written linearly, and solved for fewer
/// rings too (`R_c − 1` down to `⌊R_c/2⌋ + 1`); and
/// ``steadyRateTime`` scores pinned plans on that form.
///
/// The whole iteration is one horizon `T`: every job finishes by `start + T`
/// (so minimising `T` minimises the largest job time), and every transfer
/// streams at a constant rate over it. With `θ = 1/T` and `B_uv(x)` the
/// bytes pair `u→v` moves in an iteration (a function of the ring choice):
///
/// ```
/// maximise θ
/// rings:    x^{c,r}_uv ∈ {0,1}, u≠v in the group of allreduce c, ring r = 1..R_c
///           Σ_v x_uv = 1, Σ_u x_uv = 1                         (successor, predecessor)
///           o_u − o_v + (m−1)·x_uv ≤ m − 2, u,v ≠ group[0]     (Miller–Tucker–Zemlin, no subtours)
/// traffic:  D_uv = Σ_{c,r} 8·steps_c·(S_c/(R_c·m_c))·x^{c,r}_uv·θ + Σ_{alltoall c ∋ u,v} 8·S_c·θ
///           (x·θ linearised: w ≤ θ, w ≤ θ_max·x, w ≥ θ − θ_max·(1 − x))
/// supply:   z_uv + e_uv ≥ D_uv                                  (circuit part, packet part)
/// packet:   Σ_v e_uv ≤ p_u,  Σ_u e_uv ≤ p_v
/// circuits, free:  z_uv ≤ n_uv·r_c, n_uv ∈ ℤ≥0, Σ_v n_uv ≤ k_u, Σ_u n_uv ≤ k_v   (direct circuits only)
/// circuits, given: Σ_{uv : (a,b) ∈ route(u,v)} z_uv ≤ n_ab·r_c for every circuit pair a→b
///                  (route: ``CircuitRouting``; z_uv = 0 without a route)
/// ```
///
/// `R_c` is the smallest port count in the group (the rings a node's ports
/// can carry at once); shares are equal (a ring held by several of the
/// `R_c` slots carries their sum), and `R_c` equal rings are one ring with
/// all the bytes. `θ_max = 1/T₀` with `T₀` the per-node lower bound of
/// PROBLEMS.md §4 (without `δ`). The plan's time is `start + 1/θ`, with
/// `start = δ` unless the configuration equals `current`.
///
/// Where it differs from the evaluator: rates are constant over the
/// iteration (steps pipelined, not synchronised; a step's transfers are
/// not max-min shared), transfers split freely between their circuit route
/// and the packet fabric, and with free circuits only direct circuits are
/// modelled (no relays), and the `δ` saved by keeping `current` is not
/// seen by the search. Scored on this model (``steadyRateTime``), no other
/// method's plan is better than the `ilp` optimum.
extension CollectivePlanner {
    /// The steady-rate model (plans are scored on the ring-order model,
    /// ``steadyRateTime``, so nothing here is pinned).
    final class SteadyRateModel {
        let model = Model(name: "collective")
        let instance: CollectiveInstance
        let theta: VariableID
        /// Per allreduce key: per ring: successor variables `x[u*N+v]`.
        var successor: [String: [[Int: VariableID]]] = [:]
        /// Free circuits: `n[u*N+v]`.
        var counts: [Int: VariableID] = [:]
        /// `θ_max` in the model's units (θ scaled by `T₀`, so θ ≤ 1).
        let horizon: Double

        init?(_ instance: CollectiveInstance) {
            self.instance = instance
            let f = instance.fabric
            let n = f.nodes
            let rc = f.circuitRate
            let t0 = instance.jobLowerBounds(startDelay: 0).max() ?? 0
            guard t0 > 0, t0.isFinite else { return nil }
            horizon = t0
            // θ̂ = T₀·θ ∈ [0, 1]; rates in units of r_c.
            theta = model.addVariable(lowerBound: 0, upperBound: 1, name: "theta")
            // Pair demand, in r_c units, as an expression in θ̂ and w.
            var demand: [Int: LinearExpression] = [:]
            func coefficient(_ bytes: Double) -> Double { 8 * bytes / (t0 * rc) }
            for job in instance.jobs {
                for c in job.collectives {
                    let key = CollectiveInstance.key(job: job.name, collective: c.name)
                    let m = c.group.count
                    switch c.kind {
                    case .alltoall:
                        for u in c.group { for v in c.group where v != u { demand[u * n + v, default: LinearExpression()] += coefficient(c.bytes) * theta } }
                    case .allreduce:
                        let r = CollectivePlanner.ringCount(c, f)
                        let perPair = Double(c.steps) * c.bytes / (Double(r) * Double(m))
                        var all: [[Int: VariableID]] = []
                        for ringIndex in 0..<r {
                            var x: [Int: VariableID] = [:]
                            for u in c.group { for v in c.group where v != u {
                                x[u * n + v] = model.addVariable(.binary, name: "x[\(key),\(ringIndex),\(u),\(v)]")
                            } }
                            for u in c.group {
                                model.addConstraint(LinearExpression.sum(c.group.filter { $0 != u }.map { x[u * n + $0]! }), .equalTo(1))
                                model.addConstraint(LinearExpression.sum(c.group.filter { $0 != u }.map { x[$0 * n + u]! }), .equalTo(1))
                            }
                            if m > 2 {
                                var order: [Int: VariableID] = [:]
                                for u in c.group.dropFirst() { order[u] = model.addVariable(lowerBound: 1, upperBound: Double(m - 1)) }
                                for u in c.group.dropFirst() { for v in c.group.dropFirst() where v != u {
                                    model.addConstraint(order[u]! - order[v]! + Double(m - 1) * x[u * n + v]!, .lessThanOrEqual(Double(m - 2)))
                                } }
                            }
                            for (pair, xv) in x {
                                let w = model.addVariable(lowerBound: 0, upperBound: 1)
                                model.addConstraint(w - theta, .lessThanOrEqual(0))
                                model.addConstraint(w - xv, .lessThanOrEqual(0))
                                model.addConstraint(w - theta - xv, .greaterThanOrEqual(-1))
                                demand[pair, default: LinearExpression()] += coefficient(perPair) * w
                            }
                            all.append(x)
                        }
                        successor[key] = all
                    }
                }
            }
            // Supply: circuit part z and packet part e per pair with traffic.
            let packet = f.packetRate.map { $0 / rc }
            var sendE = Array(repeating: LinearExpression(), count: n)
            var recvE = Array(repeating: LinearExpression(), count: n)
            var circuitUse: [Int: LinearExpression] = [:]
            let free = instance.reconfigure
            let given = instance.current ?? []
            // Free circuits are modelled direct only.
            let routing = CircuitRouting(nodes: n, circuits: given, maxHops: instance.reconfigure ? 1 : instance.maxHops)
            for (pair, d) in demand.sorted(by: { $0.key < $1.key }) {
                let u = pair / n, v = pair % n
                var supply = LinearExpression()
                if packet[u] > 0 && packet[v] > 0 {
                    let e = model.addVariable(lowerBound: 0, upperBound: min(packet[u], packet[v]))
                    supply += e
                    sendE[u] += e
                    recvE[v] += e
                }
                if free {
                    let cap = min(f.ocsPortsPerNode[u], f.ocsPortsPerNode[v])
                    if cap > 0 {
                        let nv = model.addVariable(.integer, lowerBound: 0, upperBound: Double(cap), name: "n[\(u),\(v)]")
                        counts[pair] = nv
                        let z = model.addVariable(lowerBound: 0)
                        model.addConstraint(z - nv, .lessThanOrEqual(0))
                        supply += z
                    }
                } else if let path = routing.route(u, v) {
                    let z = model.addVariable(lowerBound: 0)
                    supply += z
                    for h in 0..<(path.count - 1) { circuitUse[path[h] * n + path[h + 1], default: LinearExpression()] += z }
                }
                model.addConstraint(supply - d, .greaterThanOrEqual(0))
            }
            for i in 0..<n {
                if !sendE[i].terms.isEmpty { model.addConstraint(sendE[i], .lessThanOrEqual(packet[i])) }
                if !recvE[i].terms.isEmpty { model.addConstraint(recvE[i], .lessThanOrEqual(packet[i])) }
            }
            if free {
                for i in 0..<n {
                    let out = counts.filter { $0.key / n == i }.map(\.value)
                    let inn = counts.filter { $0.key % n == i }.map(\.value)
                    if !out.isEmpty { model.addConstraint(LinearExpression.sum(out), .lessThanOrEqual(Double(f.ocsPortsPerNode[i]))) }
                    if !inn.isEmpty { model.addConstraint(LinearExpression.sum(inn), .lessThanOrEqual(Double(f.ocsPortsPerNode[i]))) }
                }
            } else {
                for (pair, use) in circuitUse { model.addConstraint(use, .lessThanOrEqual(Double(routing.multiplicity[pair]))) }
            }
            model.setObjective(1.0 * theta, .maximize)
        }

        /// The horizon `T = T₀/θ̂` of a solution, seconds (infinite at θ̂ = 0).
        func horizon(_ r: SolveResult) -> Double {
            let t = r.value(theta)
            return t > 1e-12 ? horizon / t : .infinity
        }

        /// The rings of a solution: `S` split evenly over the `R_c` rings,
        /// equal rings merged (their shares added).
        func rings(_ r: SolveResult) -> [String: [CollectivePlan.Ring]] {
            let n = instance.fabric.nodes
            var out: [String: [CollectivePlan.Ring]] = [:]
            for job in instance.jobs {
                for c in job.collectives where c.kind == .allreduce {
                    let key = CollectiveInstance.key(job: job.name, collective: c.name)
                    guard let all = successor[key] else { continue }
                    var orders: [[Int]] = [], shares: [Int] = []
                    for x in all {
                        var next: [Int: Int] = [:]
                        for (pair, v) in x where r.value(v) > 0.5 { next[pair / n] = pair % n }
                        var order = [c.group[0]]
                        while order.count < c.group.count, let s = next[order.last!], !order.contains(s) { order.append(s) }
                        if order.count != c.group.count { order = c.group }
                        if let i = orders.firstIndex(of: order) { shares[i] += 1 } else { orders.append(order); shares.append(1) }
                    }
                    var rings = zip(orders, shares).map { CollectivePlan.Ring(order: $0, bytes: c.bytes * Double($1) / Double(all.count)) }
                    rings[rings.count - 1].bytes = c.bytes - rings.dropLast().reduce(0) { $0 + $1.bytes }
                    out[key] = rings
                }
            }
            return out
        }

        /// The free circuits of a solution.
        func circuits(_ r: SolveResult) -> [Circuit] {
            let n = instance.fabric.nodes
            var out: [Circuit] = []
            for (pair, v) in counts.sorted(by: { $0.key < $1.key }) {
                let k = Int(r.value(v).rounded())
                for _ in 0..<max(0, k) { out.append(Circuit(pair / n, pair % n)) }
            }
            return out
        }
    }

    /// A plan's horizon `T` on the steady-rate model (rings and circuits
    /// pinned: an LP, the ring-order model with every ring fixed), plus its
    /// start delay: what `ilp` minimises. Free instances route the pinned
    /// configuration direct only, as the free model does.
    public static func steadyRateTime(_ instance: CollectiveInstance, circuits: [Circuit], rings: [String: [CollectivePlan.Ring]],
                                      solver: any Solver) throws -> Double {
        guard let m = RingOrderModel(instance, circuits: circuits, maxHops: instance.reconfigure ? 1 : instance.maxHops, fixedRings: rings) else {
            return instance.startDelay(for: circuits)
        }
        if m.infeasible { return .infinity }
        let r = try solver.solve(m.model, options: SolverOptions(timeLimit: 30))
        guard r.hasSolution else { return .infinity }
        return instance.startDelay(for: circuits) + m.horizon(r)
    }
}
