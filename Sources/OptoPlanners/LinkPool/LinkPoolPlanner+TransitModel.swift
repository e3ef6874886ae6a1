import Foundation
import OptoCore
import OptoModel

// MARK: - The model with transit (maxHops 2, PROBLEMS.md §2 "With transit")
//
// One builder for every model the transit methods solve. Rates are in r_c
// units (a circuit carries 1). Sets: pairs P⁺ = {(s, t) : R_st > 0}; routes
// s→k→t for (s, t) ∈ P⁺ and k ∉ {s, t} whose two circuits may exist.
//
// Variables.
//   n_ij ∈ ℤ, 0 ≤ n_ij ≤ U_ij     circuits (or data, in the routing LP)
//   d_st ≥ 0                       direct rate of (s, t) on its own circuits
//   f_skt ≥ 0                      rate of (s, t) over s→k→t
//   e_st ∈ [0, min(p̂_s, p̂_t)]      packet rate
//   μ ≥ 0 (concurrent, λ = μ·r_c / R_max) or a_st ∈ [0, R̂_st] (throughput)
//
// Constraints.
//   carry_st:  need_st ≤ d_st + Σ_k f_skt + e_st
//              need_st = μ·R_st/R_max (concurrent), a_st (throughput),
//              or the constant t_st = λ·R_st / r_c at a fixed λ
//   cap_ij:    d_ij + Σ_t f_ijt + Σ_s f_sij ≤ n_ij   (the circuit's rate is
//              shared by its pair and every route crossing it)
//   send_i:    Σ_j e_ij ≤ p̂_i,   recv_j: Σ_i e_ij ≤ p̂_j
//   pool_i, tx_i, rx_i, balance_ij, budget, symmetric: as in the 1-hop model
//   (fixed λ) out_i: Σ_j n_ij ≥ ⌈Σ_j t_ij − p̂_i⌉,  in_i: Σ_j n_ji ≥ ⌈Σ_j t_ji − p̂_i⌉
//              (everything node i sends leaves it on its own circuits or its
//              packet port, whatever the route; transit only adds to it)
//
// Reductions that cannot change the optimum.
//   * A circuit i→j exists only where it can carry something: R_ij > 0, or
//     some R_it > 0 (route i→j→t) or R_sj > 0 (route s→i→j), or a current
//     circuit (kept only to save changes). At a fixed λ it needs at most
//     ⌈t_ij + Σ_t t_it + Σ_s t_sj⌉ circuits (all the traffic that can cross it).
//   * d_st exists where the circuit s→t may exist; f_skt where both of its
//     circuits may (in the routing LP: where both are built).
//   * The pair bound of the 1-hop model (U_ij·r_c + min(p_i, p_j) ≥ λ·R_ij)
//     does not hold with transit; only the node bounds do.
//
// Objectives. maximise μ or Σ a (stage 1, and the routing LP); at a floor
// z ≥ z₁ − τ minimise Σ n (throughput stage 2); at a fixed λ, nothing
// (the search's test) or Σ n (concurrent stage 2); the routing LP's tidy
// pass minimises Σ f at its optimum (so a plan sends nothing over two
// circuits that one would carry as well).

/// The transit model of one problem (see the comment above).
final class LinkPoolTransitModel {
    /// Where the circuits come from.
    enum Circuits {
        /// Integer variables (continuous when `relaxed`), shared by i→j and
        /// j→i when `symmetric`.
        case variables(symmetric: Bool, relaxed: Bool)
        /// Fixed counts per ordered pair: the routing LP.
        case fixed([Int])
    }

    /// What is asked.
    enum Goal {
        /// Maximise μ (concurrent) or Σ a (throughput).
        case maximise
        /// Minimise Σ n with the objective at least `floor` (scaled units).
        case fewestAbove(floor: Double)
        /// Minimise Σ f with the objective at least `floor` (routing LP tidy pass).
        case leastTransitAbove(floor: Double)
        /// Concurrent at this λ: any feasible answer (`fewest` false) or the fewest circuits.
        case fixedLambda(Double, fewest: Bool)
    }

    let problem: LinkPoolProblem
    let model: Model
    /// n_ij (shared when symmetric); nil where the pair gets no circuit or the counts are fixed.
    var circuits: [VariableID?]
    /// The fixed counts (routing LP), else nil.
    let fixedCounts: [Int]?
    var direct: [VariableID?]
    var electrical: [VariableID?]
    var carried: [VariableID?]
    var mu: VariableID?
    /// (s, k, t, f_skt).
    var routes: [(s: Int, k: Int, t: Int, v: VariableID)] = []
    var added: [VariableID?]
    var removed: [VariableID?]
    /// z: μ or Σ a (empty at a fixed λ).
    var primary = LinearExpression()
    /// R_max (concurrent scaling).
    let demandScale: Double
    /// Why a fixed λ is infeasible before any solve (nil: solve the model).
    private(set) var infeasibleReason: String?

    /// The factor of the circuit and balance rows when an integer model is
    /// solved again after a numerical failure: GLPK rounds an integer column
    /// within its integrality tolerance (1e-5) before returning it, and a
    /// flow can ride on that slack (n = 3e-6 carrying f = 3e-6), which
    /// OptoGLPK's check of the point (1e-6, relative to the row's size)
    /// rejects. Scaled rows pass the check, but GLPK's own row tolerance
    /// then allows 1e-5 circuits of slack, so an answer of the retry is used
    /// only through its counts, which the routing LP (no integers, rows
    /// unscaled) then routes exactly; the search does not take a scaled
    /// answer as proof (see `searchConcurrentTransit`).
    static let capRowScale = 0.01

    /// Builds the model.
    ///
    /// - Complexity: O(N³) in the worst case (one variable per route).
    init(_ p: LinkPoolProblem, circuits source: Circuits, goal: Goal, rowScale: Double = 1, cuts: Bool = false) {
        problem = p
        let n = p.n
        let m = Model(name: "linkpool-transit")
        model = m
        circuits = [VariableID?](repeating: nil, count: n * n)
        direct = circuits
        electrical = circuits
        carried = circuits
        added = circuits
        removed = circuits
        demandScale = p.demand.max() ?? 1
        let rc = p.rate
        let pHat = p.packet.map { $0 / rc }
        var fixedLambda: Double?
        if case .fixedLambda(let l, _) = goal { fixedLambda = max(0, l) }
        // Needs at a fixed λ, snapped to an integer within 1e-9.
        var need = [Double](repeating: 0, count: n * n)
        if let lambda = fixedLambda {
            for k in 0..<(n * n) where p.demand[k] > 0 {
                let t = lambda * p.demand[k] / rc
                let r = t.rounded()
                need[k] = abs(t - r) <= 1e-9 * max(1, t) ? r : t
            }
        }
        // Which circuits may exist, and their upper bounds.
        var present = [Bool](repeating: false, count: n * n)
        var upper = [Int](repeating: 0, count: n * n)
        let budget = p.maxChanges != nil
        switch source {
        case .fixed(let counts):
            fixedCounts = counts
            for k in 0..<(n * n) where counts[k] > 0 && k / n != k % n {
                present[k] = true
                upper[k] = counts[k]
            }
        case .variables:
            fixedCounts = nil
            var outDemand = [Double](repeating: 0, count: n), inDemand = outDemand
            var outCount = [Int](repeating: 0, count: n), inCount = outCount
            for i in 0..<n {
                for j in 0..<n where i != j && p.demand[i * n + j] > 0 {
                    outDemand[i] += fixedLambda == nil ? p.demand[i * n + j] : need[i * n + j]
                    inDemand[j] += fixedLambda == nil ? p.demand[i * n + j] : need[i * n + j]
                    outCount[i] += 1
                    inCount[j] += 1
                }
            }
            for i in 0..<n {
                for j in 0..<n where i != j {
                    let k = i * n + j
                    // Routes over i→j: its own pair, i→j→t (t ≠ i, j), s→i→j (s ≠ i, j).
                    let own = p.demand[k] > 0
                    let firstHop = outCount[i] - (own ? 1 : 0) - (p.demand[i * n + i] > 0 ? 1 : 0) > 0
                    let secondHop = inCount[j] - (own ? 1 : 0) > 0
                    var u = p.pairCap(i, j)
                    if own || firstHop || secondHop {
                        if let _ = fixedLambda {
                            // All the traffic that can cross i→j: its own, i's other
                            // sends (as first hop), j's other receives (as second hop).
                            let mine = need[k]
                            let crossing = mine + (outDemand[i] - mine) + (inDemand[j] - mine)
                            let c = Int((crossing - 1e-9).rounded(.up))
                            u = min(u, budget ? max(c, p.current[k]) : c)
                        }
                    } else {
                        u = budget ? min(u, p.current[k]) : 0
                    }
                    upper[k] = max(0, u)
                    present[k] = upper[k] > 0
                }
            }
        }
        var symmetric = false, relaxed = false
        if case .variables(let s, let r) = source { symmetric = s; relaxed = r }
        if symmetric {
            for i in 0..<n {
                for j in (i + 1)..<max(i + 1, n) {
                    let a = i * n + j, b = j * n + i
                    let u = min(max(upper[a], upper[b]), p.pairCap(i, j), p.pairCap(j, i))
                    upper[a] = u
                    upper[b] = u
                    present[a] = u > 0
                    present[b] = u > 0
                }
            }
        }

        // Circuit variables.
        if fixedCounts == nil {
            let kind: VariableKind = relaxed ? .continuous : .integer
            for i in 0..<n {
                for j in 0..<n where i != j && present[i * n + j] {
                    let k = i * n + j
                    if symmetric {
                        guard i < j else { continue }
                        let v = m.addVariable(kind, lowerBound: 0, upperBound: Double(upper[k]), name: "n[\(i),\(j)]")
                        circuits[k] = v
                        circuits[j * n + i] = v
                    } else {
                        circuits[k] = m.addVariable(kind, lowerBound: 0, upperBound: Double(upper[k]), name: "n[\(i),\(j)]")
                    }
                }
            }
        }

        // Rates per pair with demand.
        let throughput = p.objective == .throughput && fixedLambda == nil
        for k in 0..<(n * n) where p.demand[k] > 0 {
            let s = k / n, t = k % n
            var cap = throughput ? p.demand[k] / rc : .infinity
            if fixedLambda != nil { cap = need[k] }
            if present[k] {
                direct[k] = m.addVariable(.continuous, lowerBound: 0, upperBound: min(cap, Double(upper[k])), name: "d[\(s),\(t)]")
            }
            let eCap = min(pHat[s], pHat[t], cap)
            if eCap > 0 {
                electrical[k] = m.addVariable(.continuous, lowerBound: 0, upperBound: eCap, name: "e[\(s),\(t)]")
            }
            if throughput {
                carried[k] = m.addVariable(.continuous, lowerBound: 0, upperBound: p.demand[k] / rc, name: "a[\(s),\(t)]")
            }
            for via in 0..<n where via != s && via != t && present[s * n + via] && present[via * n + t] {
                let u = min(cap, Double(upper[s * n + via]), Double(upper[via * n + t]))
                routes.append((s, via, t, m.addVariable(.continuous, lowerBound: 0, upperBound: u, name: "f[\(s),\(via),\(t)]")))
            }
        }
        if p.objective == .concurrent && fixedLambda == nil {
            // μ ≤ what every node side can carry (the node bound; no pair bound with transit).
            var bound = Double.infinity
            for i in 0..<n {
                var out = 0.0, inc = 0.0, outCap = 0.0, inCap = 0.0
                for j in 0..<n where j != i {
                    out += p.demand[i * n + j] / demandScale
                    inc += p.demand[j * n + i] / demandScale
                    outCap += Double(upper[i * n + j])
                    inCap += Double(upper[j * n + i])
                }
                if out > 0 { bound = min(bound, (min(outCap, Double(min(p.ports[i], p.tx[i]))) + pHat[i]) / out) }
                if inc > 0 { bound = min(bound, (min(inCap, Double(min(p.ports[i], p.rx[i]))) + pHat[i]) / inc) }
            }
            mu = m.addVariable(.continuous, lowerBound: 0, upperBound: bound.isFinite ? bound : 1e12, name: "mu")
        }

        // Carry rows.
        var routesOf = [[Int]](repeating: [], count: n * n)
        for (idx, r) in routes.enumerated() { routesOf[r.s * n + r.t].append(idx) }
        for k in 0..<(n * n) where p.demand[k] > 0 {
            let s = k / n, t = k % n
            var row = LinearExpression()
            if let v = direct[k] { row.add(1, v) }
            if let v = electrical[k] { row.add(1, v) }
            for idx in routesOf[k] { row.add(1, routes[idx].v) }
            if fixedLambda != nil {
                m.addConstraint(row, .greaterThanOrEqual(need[k]), name: "carry[\(s),\(t)]")
                if row.terms.isEmpty && infeasibleReason == nil {
                    infeasibleReason = "pair \(s)->\(t) has no circuit, route or packet fabric"
                }
            } else if let mu {
                row.add(-(p.demand[k] / demandScale), mu)
                m.addConstraint(row, .greaterThanOrEqual(0), name: "carry[\(s),\(t)]")
            } else {
                row.add(-1, carried[k]!)
                m.addConstraint(row, .greaterThanOrEqual(0), name: "carry[\(s),\(t)]")
            }
        }
        // Circuit rows: direct plus every route crossing.
        var crossing = [LinearExpression](repeating: LinearExpression(), count: n * n)
        for k in 0..<(n * n) { if let v = direct[k] { crossing[k].add(1, v) } }
        for r in routes {
            crossing[r.s * n + r.k].add(1, r.v)
            crossing[r.k * n + r.t].add(1, r.v)
        }
        // `rowScale` (a retry, see `capRowScale`) multiplies the circuit and
        // balance rows of the integer models.
        let scale = fixedCounts == nil && !relaxed ? rowScale : 1
        for k in 0..<(n * n) where present[k] && !crossing[k].terms.isEmpty {
            var row = LinearExpression()
            row.add(crossing[k], scaledBy: scale)
            if let counts = fixedCounts {
                m.addConstraint(row, .lessThanOrEqual(Double(counts[k])), name: "cap[\(k / n),\(k % n)]")
            } else if let v = circuits[k] {
                row.add(-scale, v)
                m.addConstraint(row, .lessThanOrEqual(0), name: "cap[\(k / n),\(k % n)]")
            }
        }
        // Strengthening rows of the fixed-λ test (see `addTestCuts`).
        if fixedLambda != nil && fixedCounts == nil && cuts {
            addTestCuts(need: need, present: present, scale: scale)
        }
        // Packet rows.
        for i in 0..<n {
            var send = LinearExpression(), recv = LinearExpression()
            for j in 0..<n where j != i {
                if let v = electrical[i * n + j] { send.add(1, v) }
                if let v = electrical[j * n + i] { recv.add(1, v) }
            }
            if send.terms.count > 1 { m.addConstraint(send, .lessThanOrEqual(pHat[i]), name: "send[\(i)]") }
            if recv.terms.count > 1 { m.addConstraint(recv, .lessThanOrEqual(pHat[i]), name: "recv[\(i)]") }
        }
        // Port rows, circuit-count cuts, change budget.
        if fixedCounts == nil {
            for i in 0..<n {
                var pool = LinearExpression(), tx = LinearExpression(), rx = LinearExpression()
                var sends = 0.0, receives = 0.0
                for j in 0..<n where j != i {
                    if let v = circuits[i * n + j] { pool.add(1, v); tx.add(1, v) }
                    if let v = circuits[j * n + i] { pool.add(1, v); rx.add(1, v) }
                    sends += need[i * n + j]
                    receives += need[j * n + i]
                }
                if !pool.terms.isEmpty {
                    m.addConstraint(pool, .lessThanOrEqual(Double(p.ports[i])), name: "pool[\(i)]")
                    if p.tx[i] < p.ports[i] { m.addConstraint(tx, .lessThanOrEqual(Double(p.tx[i])), name: "tx[\(i)]") }
                    if p.rx[i] < p.ports[i] { m.addConstraint(rx, .lessThanOrEqual(Double(p.rx[i])), name: "rx[\(i)]") }
                }
                guard fixedLambda != nil else { continue }
                let out = max(0, Int((sends - pHat[i] - 1e-9 * max(1, sends)).rounded(.up)))
                let inc = max(0, Int((receives - pHat[i] - 1e-9 * max(1, receives)).rounded(.up)))
                if (out + inc > p.ports[i] || out > p.tx[i] || inc > p.rx[i]) && infeasibleReason == nil {
                    infeasibleReason = "node \(i) needs \(out) transmit and \(inc) receive circuits, \(p.ports[i]) ports"
                }
                if out > 0 { m.addConstraint(tx, .greaterThanOrEqual(Double(out)), name: "out[\(i)]") }
                if inc > 0 { m.addConstraint(rx, .greaterThanOrEqual(Double(inc)), name: "in[\(i)]") }
            }
            let caps = upper
            (added, removed) = p.addChangeBudget(to: m, circuits: circuits, rowScale: scale) { Double(max(0, caps[$0] - p.current[$0])) }
        }

        // Objectives.
        if let mu { primary = LinearExpression(mu) }
        if throughput { primary = LinearExpression.sum(carried.compactMap { $0 }) }
        var circuitCount = LinearExpression()
        for k in 0..<(n * n) { if let v = circuits[k] { circuitCount.add(1, v) } }
        switch goal {
        case .maximise:
            m.setObjective(primary, .maximize)
        case .fewestAbove(let floor):
            m.addConstraint(primary, .greaterThanOrEqual(floor), name: "stage1")
            m.setObjective(circuitCount, .minimize)
        case .leastTransitAbove(let floor):
            m.addConstraint(primary, .greaterThanOrEqual(floor), name: "stage1")
            m.setObjective(LinearExpression.sum(routes.map { $0.v }), .minimize)
        case .fixedLambda(_, let fewest):
            m.setObjective(fewest ? circuitCount : LinearExpression(), .minimize)
        }
    }

    /// Rows that hold for integer circuits at a fixed λ (needs t_st) and cut
    /// the relaxation's spreading of small pairs over many thin circuits:
    ///   direct_st:  d_st ≤ t_st·n_st  (t_st < 1: one circuit carries all of
    ///               the pair, none carries nothing)
    ///   first_sk:   Σ_t f_skt / t_st ≤ D⁺_k(s)·n_sk, where D⁺_k(s) is the
    ///               most out-neighbours k can have besides s: min(tx_k,
    ///               q_k − 1, circuits k→t that may exist, t ≠ s). Each pair
    ///               (s, t) sends a share f_skt/t_st ≤ 1 of its need via k,
    ///               and only over a circuit k→t (n_kt ≥ 1): the shares are
    ///               at most the number of such t when n_sk ≥ 1, and zero
    ///               when n_sk = 0.
    ///   second_kt:  Σ_s f_skt / t_st ≤ D⁻_k(t)·n_kt, the same into t.
    /// Shares use min(1/t_st, 1e4) (a smaller factor keeps the row valid).
    ///
    /// - Complexity: O(routes + N²) nonzeros.
    private func addTestCuts(need: [Double], present: [Bool], scale: Double) {
        let p = problem, n = p.n, m = model
        for k in 0..<(n * n) where need[k] > 0 && need[k] < 1 {
            guard let d = direct[k], let c = circuits[k] else { continue }
            var row = LinearExpression()
            row.add(scale, d)
            row.add(-scale * need[k], c)
            m.addConstraint(row, .lessThanOrEqual(0), name: "direct[\(k / n),\(k % n)]")
        }
        var outCount = [Int](repeating: 0, count: n), inCount = outCount
        for k in 0..<(n * n) where present[k] && k / n != k % n { outCount[k / n] += 1; inCount[k % n] += 1 }
        var first = [LinearExpression](repeating: LinearExpression(), count: n * n), second = first
        var firstSum = [Double](repeating: 0, count: n * n), secondSum = firstSum
        for r in routes {
            let share = min(1 / need[r.s * n + r.t], 1e4)
            first[r.s * n + r.k].add(scale * share, r.v)
            second[r.k * n + r.t].add(scale * share, r.v)
            firstSum[r.s * n + r.k] += share
            secondSum[r.k * n + r.t] += share
        }
        // Pair e = a→b: `first` rows have the hub k = b (shares of s = a through
        // k, out over k's circuits), `second` rows the hub k = a (shares
        // into t = b, in over k's circuits); the reverse pair b→a is the one
        // a hub's count leaves out.
        func addShareRows(_ rows: [LinearExpression], _ sums: [Double], outward: Bool, label: String) {
            for e in 0..<(n * n) where !rows[e].terms.isEmpty {
                guard let c = circuits[e] else { continue }
                let a = e / n, b = e % n, hub = outward ? b : a
                let back = present[b * n + a] ? 1 : 0
                let degree = min(outward ? p.tx[hub] : p.rx[hub], p.ports[hub] - 1, (outward ? outCount : inCount)[hub] - back)
                guard Double(degree) < sums[e] else { continue }
                var row = rows[e]
                row.add(-scale * Double(max(0, degree)), c)
                m.addConstraint(row, .lessThanOrEqual(0), name: "\(label)[\(a),\(b)]")
            }
        }
        addShareRows(first, firstSum, outward: true, label: "first")
        addShareRows(second, secondSum, outward: false, label: "second")
    }

    /// The scaled objective value of an objective in plan units (λ or bits per second).
    func scaled(_ objective: Double) -> Double {
        problem.objective == .concurrent ? objective * demandScale / problem.rate : objective / problem.rate
    }

    /// The objective in plan units of a scaled value.
    func unscaled(_ z: Double) -> Double {
        problem.objective == .concurrent ? z * problem.rate / demandScale : z * problem.rate
    }

    /// The circuit counts of a solution (rounded), or the fixed counts.
    func counts(_ result: SolveResult) -> [Int] {
        if let fixedCounts { return fixedCounts }
        let n = problem.n
        var c = [Int](repeating: 0, count: n * n)
        for k in 0..<(n * n) {
            if let v = circuits[k] { c[k] = max(0, Int(result.value(v).rounded())) }
        }
        return c
    }

    /// A full assignment for an allocation with its routing (`a.direct`,
    /// `a.transit`), scaled by `scale` (≤ 1: every rate shrunk together,
    /// which keeps every row), or nil when it does not fit the model.
    ///
    /// - Complexity: O(N² + routes).
    func warmStart(_ a: LinkPoolAllocation, scale: Double = 1 - 1e-9) -> [VariableID: Double]? {
        let p = problem, n = p.n, rc = p.rate
        var start: [VariableID: Double] = [:]
        for k in 0..<(n * n) {
            if let v = circuits[k] {
                let c = Double(a.counts[k])
                if let old = start[v], old != c { return nil }
                start[v] = c
            } else if a.counts[k] != 0 && fixedCounts == nil {
                return nil
            }
            if let v = added[k] { start[v] = Double(max(0, a.counts[k] - p.current[k])) }
            if let v = removed[k] { start[v] = Double(max(0, p.current[k] - a.counts[k])) }
            if let v = electrical[k] { start[v] = a.electrical[k] / rc * scale }
            if let v = carried[k] { start[v] = a.carried[k] / rc * scale }
            let d = a.direct.isEmpty ? 0 : a.direct[k]
            if let v = direct[k] { start[v] = d / rc * scale } else if d > 1e-9 * rc { return nil }
        }
        var index: [Int: VariableID] = [:]
        for r in routes { index[(r.s * n + r.k) * n + r.t] = r.v }
        for v in routes { start[v.v] = 0 }
        for r in a.transit {
            guard let v = index[(r.source * n + r.via) * n + r.target] else { return nil }
            start[v] = r.amount / rc * scale
        }
        if let mu { start[mu] = scaled(a.objective) * scale }
        return start
    }
}
