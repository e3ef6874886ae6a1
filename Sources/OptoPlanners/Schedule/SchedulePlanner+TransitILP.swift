import OptoCore
import OptoModel

/// The epochs model with transit (PROBLEMS.md §1b "With transit",
/// `maxHops: 2`), built through OptoModel; units as the 1-hop model (volumes
/// in `U = max D`, times in `τ = U/c`).
///
/// For epoch `e` (length `L_e`), every pair `ij` a circuit can join
/// (`u_ij = min(k_i, k_j) > 0`) and every pair `st` with demand in epoch
/// `e` or before (the pairs that can have bytes left):
///
///     x_eij ∈ {0..u_ij}  circuits,  a_eij ≥ x_eij − x_(e−1)ij, a ≥ 0   new ones
///     d_eij + Σ_t g_eijt + Σ_s g_esij ≤ c·(L_e·x_eij − min(δ, L_e)·a_eij)   every circuit
///     Σ_t q_evt ≤ p_v/8·L_e,  Σ_s q_esv ≤ p_v/8·L_e                         packet ports
///     B_est = B_(e−1)st + D_est − d_est − q_est − Σ_k g_eskt,  B ≥ 0         backlog
///     Σ_j x_eij ≤ k_i,  Σ_i x_eij ≤ k_j                                      ports
///     maximise Σ (d + q + g)
///
/// with `g_eskt ≥ 0` for `k ∉ {s, t}` and `u_sk, u_kt > 0`, `d` only where
/// `u_st > 0`, `q` only where both ends have packet rate. Unlike the 1-hop
/// model, circuits exist on every pair a circuit can join, not only on
/// pairs with demand: a circuit without demand of its own can carry
/// transit. Warm start: the better of the transit heuristic's plan
/// (``ScheduleTransit/greedy(_:durations:demands:solver:)``) and the 1-hop
/// epochs optimum routed with transit (`exactTransitPlan`).
extension ScheduleExact {
    /// One scenario's flow and backlog variables (the plain model has one).
    struct TransitFlowCopy {
        /// `[e][index in demandPairs]`; nil before the pair's first epoch or where it has no such service.
        var d: [[VariableID?]]
        var q: [[VariableID?]]
        var b: [[VariableID?]]
        /// Per epoch: (index in demandPairs, via, variable).
        var g: [[(pair: Int, via: Int, v: VariableID)]]
    }

    struct TransitEpochsModel {
        var model: Model
        /// Pairs `i·N + j` a circuit can join.
        var circuitPairs: [Int]
        /// Pairs `s·N + t` with demand in some epoch (of some scenario), and the first such epoch.
        var demandPairs: [Int]
        var firstEpoch: [Int]
        /// `[e][index in circuitPairs]`, shared by every scenario.
        var x: [[VariableID]]
        var a: [[VariableID?]]
        /// One copy per scenario (one for the plain model).
        var copies: [TransitFlowCopy]
        var unit: Double
        var tau: Double

        /// The first (for the plain model: the only) scenario's variables.
        var d: [[VariableID?]] { copies[0].d }
        var q: [[VariableID?]] { copies[0].q }
        var b: [[VariableID?]] { copies[0].b }
        var g: [[(pair: Int, via: Int, v: VariableID)]] { copies[0].g }
    }

    /// Builds the epochs model with transit (the extension's documentation):
    /// the one `ilp` solves with `maxHops: 2` and `exactModel` exports.
    /// - Complexity: O(E·(N² + |pairs|·N)) variables and constraints.
    static func buildEpochsTransit(_ f: ScheduleFabric, durations: [Double], demands: [[Double]]) -> TransitEpochsModel {
        buildEpochsTransit(f, durations: durations, scenarios: [demands])
    }

    /// The same model for `K` demand scenarios sharing the circuits
    /// (`x`, `a`): one copy of `d`, `q`, `g` and `B` per scenario, with its
    /// own circuit, packet and backlog rows, and the objective the mean
    /// served over the scenarios. With one scenario it is the plain model,
    /// variable for variable and row for row.
    /// - Complexity: O(E·(N² + K·|pairs|·N)) variables and constraints.
    static func buildEpochsTransit(_ f: ScheduleFabric, durations: [Double], scenarios: [[[Double]]]) -> TransitEpochsModel {
        let n = f.n
        let epochs = durations.count
        let largest = scenarios.flatMap { $0.flatMap { $0 } }.max() ?? 0
        let unit = largest > 0 ? largest : 1
        let c = max(f.circuitBps, 1e-300)
        let tau = unit / c
        let circuitPairs = (0..<(n * n)).filter { f.pairCap($0 / n, $0 % n) > 0 && f.circuitBps > 0 }
        var demandPairs: [Int] = [], firstEpoch: [Int] = []
        for k in 0..<(n * n) where k / n != k % n {
            let first = scenarios.compactMap { $0.firstIndex(where: { $0[k] > 0 }) }.min()
            if let e = first { demandPairs.append(k); firstEpoch.append(e) }
        }
        let many = scenarios.count > 1
        let weight = 1 / Double(scenarios.count)
        let model = Model(name: many ? "schedule-epochs-transit-scenarios" : "schedule-epochs-transit")
        var x = [[VariableID]](), a = [[VariableID?]]()
        var copies = [TransitFlowCopy](repeating: TransitFlowCopy(d: [], q: [], b: [], g: []), count: scenarios.count)
        for e in 0..<epochs {
            let L = durations[e] / tau
            var xe: [VariableID] = [], ae: [VariableID?] = []
            for k in circuitPairs {
                let u = f.pairCap(k / n, k % n)
                xe.append(model.addVariable(u <= 1 ? .binary : .integer, lowerBound: 0, upperBound: Double(u), name: "x[\(e),\(k / n),\(k % n)]"))
                ae.append(e == 0 ? nil : model.addVariable(.continuous, lowerBound: 0, upperBound: Double(u), name: "a[\(e),\(k / n),\(k % n)]"))
            }
            for (sigma, demands) in scenarios.enumerated() {
                // Names of scenario σ's variables and rows carry "σ," first when there are several.
                let tag = many ? "\(sigma)," : ""
                var load = [LinearExpression](repeating: LinearExpression(), count: n * n)
                var de = [VariableID?](), qe = de, be = de
                var ge: [(pair: Int, via: Int, v: VariableID)] = []
                for (idx, k) in demandPairs.enumerated() {
                    let s = k / n, t = k % n
                    guard e >= firstEpoch[idx] else { de.append(nil); qe.append(nil); be.append(nil); continue }
                    let dv = f.pairCap(s, t) > 0 && f.circuitBps > 0 ? model.addVariable(.continuous, name: "d[\(tag)\(e),\(s),\(t)]") : nil
                    let qv = f.packetBps[s] > 0 && f.packetBps[t] > 0 ? model.addVariable(.continuous, name: "q[\(tag)\(e),\(s),\(t)]") : nil
                    let bv = model.addVariable(.continuous, name: "B[\(tag)\(e),\(s),\(t)]")
                    if let dv { load[k].add(1, dv) }
                    var balance = LinearExpression(bv)
                    if let dv { balance.add(1, dv) }
                    if let qv { balance.add(1, qv) }
                    if f.circuitBps > 0 {
                        for via in 0..<n where via != s && via != t && f.pairCap(s, via) > 0 && f.pairCap(via, t) > 0 {
                            let gv = model.addVariable(.continuous, name: "g[\(tag)\(e),\(s),\(via),\(t)]")
                            ge.append((idx, via, gv))
                            load[s * n + via].add(1, gv)
                            load[via * n + t].add(1, gv)
                            balance.add(1, gv)
                        }
                    }
                    if e > firstEpoch[idx], let prev = copies[sigma].b[e - 1][idx] { balance.add(-1, prev) }
                    model.addConstraint(balance, .equalTo(demands[e][k] / unit), name: "backlog[\(tag)\(e),\(s),\(t)]")
                    de.append(dv); qe.append(qv); be.append(bv)
                }
                for (ci, k) in circuitPairs.enumerated() where !load[k].terms.isEmpty {
                    var row = load[k] - L * xe[ci]
                    if let av = ae[ci] { row.add(min(f.delta / tau, L), av) }
                    model.addConstraint(row, .lessThanOrEqual(0), name: "circuit[\(tag)\(e),\(k / n),\(k % n)]")
                }
                copies[sigma].d.append(de); copies[sigma].q.append(qe); copies[sigma].b.append(be); copies[sigma].g.append(ge)
            }
            for (ci, k) in circuitPairs.enumerated() {
                if let av = ae[ci] { model.addConstraint(av - xe[ci] + x[e - 1][ci], .greaterThanOrEqual(0), name: "new[\(e),\(k / n),\(k % n)]") }
            }
            var tx = [LinearExpression](repeating: LinearExpression(), count: n), rx = tx
            for (ci, k) in circuitPairs.enumerated() { tx[k / n].add(1, xe[ci]); rx[k % n].add(1, xe[ci]) }
            // Packet rows per scenario, after each node's port rows (the plain model's order).
            var ps = [[LinearExpression]](repeating: [LinearExpression](repeating: LinearExpression(), count: n), count: scenarios.count)
            var pr = ps
            for sigma in scenarios.indices {
                for (idx, k) in demandPairs.enumerated() {
                    if let qv = copies[sigma].q[e][idx] { ps[sigma][k / n].add(1, qv); pr[sigma][k % n].add(1, qv) }
                }
            }
            for v in 0..<n {
                if !tx[v].terms.isEmpty { model.addConstraint(tx[v], .lessThanOrEqual(Double(f.ports[v])), name: "tx[\(e),\(v)]") }
                if !rx[v].terms.isEmpty { model.addConstraint(rx[v], .lessThanOrEqual(Double(f.ports[v])), name: "rx[\(e),\(v)]") }
                for sigma in scenarios.indices {
                    let tag = many ? "\(sigma)," : ""
                    // p_v/8·L_e in units of U (not through τ, which is infinite without circuit rate).
                    let room = f.packetBps[v] * durations[e] / unit
                    if !ps[sigma][v].terms.isEmpty { model.addConstraint(ps[sigma][v], .lessThanOrEqual(room), name: "send[\(tag)\(e),\(v)]") }
                    if !pr[sigma][v].terms.isEmpty { model.addConstraint(pr[sigma][v], .lessThanOrEqual(room), name: "recv[\(tag)\(e),\(v)]") }
                }
            }
            x.append(xe); a.append(ae)
        }
        var obj = LinearExpression()
        for copy in copies {
            for e in 0..<epochs {
                for v in copy.d[e] { if let v { obj.add(weight, v) } }
                for v in copy.q[e] { if let v { obj.add(weight, v) } }
                for p in copy.g[e] { obj.add(weight, p.v) }
            }
        }
        model.setObjective(obj, .maximize)
        return TransitEpochsModel(model: model, circuitPairs: circuitPairs, demandPairs: demandPairs, firstEpoch: firstEpoch,
                                  x: x, a: a, copies: copies, unit: unit, tau: tau)
    }

    /// The status to give a transit model's warm start when the model's own
    /// plan serves less than it (`modelServed` against `startServed`), or
    /// nil when the model's plan stands. The start is handed over with every
    /// flow shrunk by 10⁻⁹ (``transitWarmStart(_:_:demands:counts:flows:copy:)``),
    /// so a model that keeps it serves that much less: only a shortfall above
    /// 10⁻⁷ is a start the solver did not take. The start is optimal when it
    /// reaches the model's bound.
    static func startStatus(modelServed: Double, startServed: Double, bound: Double?) -> PlanStatus? {
        guard modelServed < startServed * (1 - 1e-7) else { return nil }
        return (bound.map { $0 <= startServed * (1 + 1e-9) } ?? false) ? .optimal : .feasible
    }

    /// A circuit series and its routing as a full assignment of `built`
    /// (flows scaled by `1 − 10⁻⁹` so every row holds); nil when the routing
    /// uses a variable the model lacks. `copy` is the scenario whose flow
    /// variables the routing fills (the circuits are shared).
    static func transitWarmStart(_ built: TransitEpochsModel, _ f: ScheduleFabric, demands: [[Double]], counts: [[Int]],
                                 flows: [TransitEpochFlows], copy: Int = 0) -> [VariableID: Double]? {
        let cp = built.copies[copy]
        let n = f.n
        let unit = built.unit
        let shrink = 1 - 1e-9
        var warm: [VariableID: Double] = [:]
        var pairIndex = [Int: Int]()
        for (idx, k) in built.demandPairs.enumerated() { pairIndex[k] = idx }
        var backlog = [Double](repeating: 0, count: built.demandPairs.count)
        let circuitSet = Set(built.circuitPairs)
        for e in counts.indices {
            for (ci, k) in built.circuitPairs.enumerated() {
                warm[built.x[e][ci]] = Double(counts[e][k])
                if let av = built.a[e][ci] { warm[av] = Double(max(0, counts[e][k] - counts[e - 1][k])) }
            }
            for k in 0..<(n * n) where counts[e][k] > 0 && !circuitSet.contains(k) { return nil }
            var transitOf = [Int: [Int: Double]]()
            for r in flows[e].transit {
                guard let idx = pairIndex[r.source * n + r.target] else { return nil }
                transitOf[idx, default: [:]][r.via, default: 0] += r.amount
            }
            var used = Set<Int>()
            for p in cp.g[e] {
                let v = (transitOf[p.pair]?[p.via] ?? 0) * shrink / unit
                if v > 0 { used.insert(p.pair * n + p.via) }
                warm[p.v] = v
            }
            for (idx, m) in transitOf { for (via, amt) in m where amt > 0 && !used.contains(idx * n + via) { return nil } }
            for (idx, k) in built.demandPairs.enumerated() {
                guard let bv = cp.b[e][idx] else {
                    if flows[e].direct[k] > 0 || flows[e].packet[k] > 0 || transitOf[idx] != nil { return nil }
                    continue
                }
                let dv = flows[e].direct[k] * shrink / unit, qv = flows[e].packet[k] * shrink / unit
                if let v = cp.d[e][idx] { warm[v] = dv } else if dv > 0 { return nil }
                if let v = cp.q[e][idx] { warm[v] = qv } else if qv > 0 { return nil }
                let tv = (transitOf[idx]?.values.reduce(0, +) ?? 0) * shrink / unit
                backlog[idx] = max(0, backlog[idx] + demands[e][k] / unit - dv - qv - tv)
                warm[bv] = backlog[idx]
            }
        }
        return warm
    }

    /// Epochs mode with transit: the model warm-started from `start` (a
    /// circuit series and its routing). Returns the circuits and the
    /// model's routing.
    static func planEpochsTransit(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], options: PlanningOptions,
                                  start: (counts: [[Int]], flows: [TransitEpochFlows])) throws
        -> (counts: [[Int]], flows: [TransitEpochFlows], status: PlanStatus, bound: Double?, gap: Double?, notes: [String]) {
        guard let solver = options.solver else { throw PlanningError.noSolver }
        let n = f.n
        let epochs = durations.count
        let built = buildEpochsTransit(f, durations: durations, demands: demands)
        let warm = transitWarmStart(built, f, demands: demands, counts: start.counts, flows: start.flows)
        let result = try solver.solve(built.model, options: options.solverOptions(warmStart: warm))
        guard result.hasSolution else {
            throw PlanningError.solverFailed("no plan found (\(result.termination)) \(result.message)")
        }
        let unit = built.unit
        var counts = [[Int]](repeating: [Int](repeating: 0, count: n * n), count: epochs)
        for e in 0..<epochs {
            for (ci, k) in built.circuitPairs.enumerated() { counts[e][k] = Int(result.value(built.x[e][ci]).rounded()) }
        }
        let flows = ScheduleTransit.clamped(f, durations: durations, demands: demands, counts: counts,
                                            flows: transitFlows(built, result, nodes: n, epochs: epochs))
        let objective = (result.objectiveValue ?? 0) * unit
        let optimal = result.termination == .optimal
        var bound = (result.bestBound ?? demands.reduce(0) { $0 + $1.reduce(0, +) } / unit) * unit
        if optimal { bound = max(bound, objective) }
        var notes = warmNote(result.warmStart)
        if warm == nil { notes.append("warm start: the starting plan did not fit the model") }
        return (counts, flows, optimal ? .optimal : .feasible, bound, SolveResult.gap(objective: objective, bound: bound), notes)
    }
}

extension ScheduleExact {
    /// The best routing of a fixed circuit series over the whole series:
    /// the epochs transit model with every circuit count fixed to `counts`
    /// (equality rows; the new-circuit counts then settle at their least
    /// value, since they only take capacity away), so what remains is a
    /// linear program over direct, transit and packet bytes and the
    /// backlog. Its optimum is the most any routing of these circuits can
    /// serve, so the evaluator, which routes them by the plan's shares and
    /// max-min fairness, never serves more than a plan that claims it
    /// (PROBLEMS.md, Evaluator). The per-epoch routing LP of the transit
    /// heuristic is myopic: it fills an epoch's circuits with the bytes at
    /// hand even when a later epoch had room for them.
    ///
    /// - Returns: the flows, or nil when the solver found no optimal
    ///   solution within `timeLimit` or the counts do not fit the model.
    static func routeSeries(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], counts: [[Int]],
                            solver: any Solver, timeLimit: Double) throws -> [TransitEpochFlows]? {
        let n = f.n
        let built = buildEpochsTransit(f, durations: durations, demands: demands)
        let circuitSet = Set(built.circuitPairs)
        for e in counts.indices {
            for k in 0..<(n * n) where counts[e][k] > 0 && !circuitSet.contains(k) { return nil }
            for (ci, k) in built.circuitPairs.enumerated() {
                built.model.addConstraint(LinearExpression(built.x[e][ci]), .equalTo(Double(counts[e][k])),
                                          name: "fixed[\(e),\(k / n),\(k % n)]")
            }
        }
        let result = try solver.solve(built.model, options: SolverOptions(timeLimit: timeLimit))
        guard result.termination == .optimal, result.hasSolution else { return nil }
        return ScheduleTransit.clamped(f, durations: durations, demands: demands, counts: counts,
                                       flows: transitFlows(built, result, nodes: n, epochs: durations.count))
    }

    /// The direct, packet and transit bytes of a solved transit epochs
    /// model, per epoch (before `ScheduleTransit.clamped`), of scenario `copy`.
    static func transitFlows(_ built: TransitEpochsModel, _ result: SolveResult, nodes n: Int, epochs: Int,
                             copy: Int = 0) -> [TransitEpochFlows] {
        let cp = built.copies[copy]
        let unit = built.unit
        var flows = [TransitEpochFlows](repeating: TransitEpochFlows(nodes: n), count: epochs)
        for e in 0..<epochs {
            for (idx, k) in built.demandPairs.enumerated() {
                if let v = cp.d[e][idx] { flows[e].direct[k] = max(0, result.value(v)) * unit }
                if let v = cp.q[e][idx] { flows[e].packet[k] = max(0, result.value(v)) * unit }
            }
            for p in cp.g[e] {
                let v = max(0, result.value(p.v)) * unit
                let k = built.demandPairs[p.pair]
                if v > 0 { flows[e].transit.append(TransitRoute(k / n, p.via, k % n, v)) }
            }
        }
        return flows
    }
}
