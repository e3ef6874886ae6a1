import OptoCore
import OptoModel

// MARK: - The concurrent objective at a fixed λ
//
// With λ fixed, every pair's need t_ij = λ·R_ij / r_c (in circuits) is data,
// and §2 asks only whether integer circuits n_ij exist within the port
// limits (and the change budget) whose residuals fit the packet fabric:
//     Σ_j max(0, t_ij − n_ij) ≤ p̂_i   (send),   Σ_i max(0, t_ij − n_ij) ≤ p̂_j   (receive)
// (p̂ = p / r_c). Feasibility is monotone in λ (a larger λ only raises every
// t), so the exact search on λ (LinkPoolPlanner+Search.swift) needs only
// this yes/no question, and the fewest-circuits stage is the same model at
// the optimal λ with the objective min Σ n. The model, in r_c units:
//
//   n_ij ∈ ℤ,  L_ij ≤ n_ij ≤ min(U_ij, max(⌈t_ij⌉, c_ij if budget))
//   e_ij ∈ [0, min(p̂_i, p̂_j)]                     residual over the packet fabric
//   cover_ij:  n_ij + e_ij ≥ t_ij
//   mir_ij:    e_ij + f_ij·n_ij ≥ f_ij·⌈t_ij⌉,   f_ij = t_ij − ⌊t_ij⌋
//   send_i:    Σ_j e_ij ≤ p̂_i,    recv_j: Σ_i e_ij ≤ p̂_j
//   pool_i, tx_i, rx_i, balance_ij, budget         as in the λ-variable model
//   out_i:     Σ_j n_ij ≥ m⁺_i,   in_i: Σ_j n_ji ≥ m⁻_i   (circuit-count cuts)
//
// Strengthenings (each valid for every integer solution, so the optimum is
// unchanged):
//   * L_ij = ⌈t_ij − min(p̂_i, p̂_j)⌉⁺: the packet fabric can take at most
//     min(p̂_i, p̂_j) of one pair.
//   * mir_ij with cover_ij and e ≥ 0 is the convex hull of one pair's
//     {n ∈ ℤ₊, e ≥ 0 : n + e ≥ t} (the mixed-integer-rounding facet), so
//     the LP relaxation is exact pair by pair; only the node rows couple.
//   * m⁺_i: node i must move D⁺_i = Σ_j t_ij − p̂_i off the packet fabric;
//     a circuit on i → j moves at most 1 (at most f_ij if it is the
//     ⌈t_ij⌉-th), so at least the fewest such pieces, largest first, that
//     sum to D⁺_i are needed. Likewise m⁻_i on the receive side. When
//     m⁺_i + m⁻_i exceeds q_i (or m⁺_i > tx_i, m⁻_i > rx_i), or one pair's
//     L_ij exceeds U_ij, λ is infeasible without any solve: these give the
//     node-capacity upper bound on λ.
// The symmetric baseline shares one n per unordered pair; every row above
// stays valid with the shared variable on both directions.

/// The fixed-λ model of one concurrent problem, or the proof that λ is
/// infeasible before any solve.
final class LinkPoolFixedLambdaModel {
    /// What the model is for.
    enum Goal {
        /// Any feasible allocation (objective 0: the search stops at the first one).
        case feasibility
        /// The fewest circuits (stage 2).
        case fewestCircuits
    }

    let problem: LinkPoolProblem
    let lambda: Double
    let model: Model
    /// n_ij per pair (shared by i→j and j→i when symmetric); nil where it is 0.
    var circuits: [VariableID?]
    var electrical: [VariableID?]
    var added: [VariableID?]
    var removed: [VariableID?]
    /// Why λ is infeasible on counting alone (nil: the model must be solved).
    private(set) var infeasibleReason: String?

    /// Builds the model at `lambda`; `relaxed` makes every variable
    /// continuous (the LP relaxation, for the search's upper bound).
    ///
    /// - Complexity: O(N² log N).
    init(_ p: LinkPoolProblem, lambda: Double, symmetric: Bool, goal: Goal, relaxed: Bool = false) {
        problem = p
        self.lambda = lambda
        let n = p.n
        let m = Model(name: symmetric ? "linkpool-fixed-symmetric" : "linkpool-fixed")
        model = m
        circuits = [VariableID?](repeating: nil, count: n * n)
        electrical = circuits
        added = circuits
        removed = circuits
        let rc = p.rate
        let pHat = p.packet.map { $0 / rc }
        let budget = p.maxChanges != nil

        // Needs and their integer parts (snapped to an integer within 1e-9
        // so that a need of exactly k circuits is not read as k + 1).
        var need = [Double](repeating: 0, count: n * n)
        var whole = [Int](repeating: 0, count: n * n)
        var part = [Double](repeating: 0, count: n * n)
        for k in 0..<(n * n) where p.demand[k] > 0 {
            let t = max(0, lambda) * p.demand[k] / rc
            let r = t.rounded()
            let snapped = abs(t - r) <= 1e-9 * max(1, t) ? r : t
            need[k] = snapped
            whole[k] = Int(snapped.rounded(.down))
            part[k] = snapped - snapped.rounded(.down)
        }
        func ceilNeed(_ k: Int) -> Int { whole[k] + (part[k] > 0 ? 1 : 0) }

        // Bounds per ordered pair, then the variables.
        var lower = [Int](repeating: 0, count: n * n), upper = lower
        for i in 0..<n {
            for j in 0..<n where i != j {
                let k = i * n + j
                guard p.pairMatters(k) else { continue }
                var u = p.pairCap(i, j)
                if p.demand[k] > 0 {
                    u = min(u, budget ? max(ceilNeed(k), p.current[k]) : ceilNeed(k))
                    let l = (need[k] - min(pHat[i], pHat[j]) - 1e-9).rounded(.up)
                    lower[k] = max(0, Int(l))
                } else {
                    u = budget ? min(u, p.current[k]) : 0
                }
                upper[k] = u
                if lower[k] > u && infeasibleReason == nil {
                    infeasibleReason = "pair \(i)->\(j) needs \(lower[k]) circuits, at most \(u) fit"
                }
            }
        }
        let kind: VariableKind = relaxed ? .continuous : .integer
        for i in 0..<n {
            for j in 0..<n where i != j {
                let k = i * n + j
                if symmetric {
                    guard i < j else { continue }
                    let back = j * n + i
                    let u = min(max(upper[k], upper[back]), p.pairCap(i, j), p.pairCap(j, i))
                    let l = max(lower[k], lower[back])
                    if l > u && infeasibleReason == nil {
                        infeasibleReason = "pair \(i)<->\(j) needs \(l) circuits each way, at most \(u) fit"
                    }
                    guard u > 0 else { continue }
                    let v = m.addVariable(kind, lowerBound: Double(min(l, u)), upperBound: Double(u), name: "n[\(i),\(j)]")
                    circuits[k] = v
                    circuits[back] = v
                    upper[k] = u
                    upper[back] = u
                } else {
                    guard upper[k] > 0 else { continue }
                    circuits[k] = m.addVariable(kind, lowerBound: Double(min(lower[k], upper[k])), upperBound: Double(upper[k]),
                                                name: "n[\(i),\(j)]")
                }
            }
        }
        for k in 0..<(n * n) where need[k] > 0 {
            let i = k / n, j = k % n
            electrical[k] = m.addVariable(.continuous, lowerBound: 0, upperBound: min(pHat[i], pHat[j], need[k]), name: "e[\(i),\(j)]")
        }

        // Cover and rounding rows per pair.
        for k in 0..<(n * n) where need[k] > 0 {
            let i = k / n, j = k % n
            var cover = LinearExpression()
            cover.add(1, electrical[k]!)
            if let v = circuits[k] { cover.add(1, v) }
            m.addConstraint(cover, .greaterThanOrEqual(need[k]), name: "cover[\(i),\(j)]")
            let f = part[k]
            if let v = circuits[k], f > 1e-9, f < 1 - 1e-9, upper[k] >= ceilNeed(k) {
                var mir = LinearExpression()
                mir.add(1, electrical[k]!)
                mir.add(f, v)
                m.addConstraint(mir, .greaterThanOrEqual(f * Double(ceilNeed(k))), name: "mir[\(i),\(j)]")
            }
        }

        // Node rows: ports, packet fabric, circuit counts.
        for i in 0..<n {
            var pool = LinearExpression(), tx = LinearExpression(), rx = LinearExpression()
            var send = LinearExpression(), recv = LinearExpression()
            var outPairs: [Int] = [], inPairs: [Int] = []
            for j in 0..<n where j != i {
                let o = i * n + j, b = j * n + i
                if let v = circuits[o] { pool.add(1, v); tx.add(1, v) }
                if let v = circuits[b] { pool.add(1, v); rx.add(1, v) }
                if let v = electrical[o] { send.add(1, v); outPairs.append(o) }
                if let v = electrical[b] { recv.add(1, v); inPairs.append(b) }
            }
            if !pool.terms.isEmpty {
                m.addConstraint(pool, .lessThanOrEqual(Double(p.ports[i])), name: "pool[\(i)]")
                if p.tx[i] < p.ports[i] { m.addConstraint(tx, .lessThanOrEqual(Double(p.tx[i])), name: "tx[\(i)]") }
                if p.rx[i] < p.ports[i] { m.addConstraint(rx, .lessThanOrEqual(Double(p.rx[i])), name: "rx[\(i)]") }
            }
            if !send.terms.isEmpty { m.addConstraint(send, .lessThanOrEqual(pHat[i]), name: "send[\(i)]") }
            if !recv.terms.isEmpty { m.addConstraint(recv, .lessThanOrEqual(pHat[i]), name: "recv[\(i)]") }
            let fewestOut = Self.fewestCircuits(outPairs, need: need, whole: whole, part: part, upper: upper, packet: pHat[i])
            let fewestIn = Self.fewestCircuits(inPairs, need: need, whole: whole, part: part, upper: upper, packet: pHat[i])
            guard let out = fewestOut, let inc = fewestIn else {
                if infeasibleReason == nil { infeasibleReason = "node \(i) cannot move enough traffic off the packet fabric" }
                continue
            }
            if out + inc > p.ports[i] || out > p.tx[i] || inc > p.rx[i] {
                if infeasibleReason == nil {
                    infeasibleReason = "node \(i) needs \(out) transmit and \(inc) receive circuits, \(p.ports[i]) ports"
                }
            }
            if out > 0 { m.addConstraint(tx, .greaterThanOrEqual(Double(out)), name: "out[\(i)]") }
            if inc > 0 { m.addConstraint(rx, .greaterThanOrEqual(Double(inc)), name: "in[\(i)]") }
        }

        // Change budget (as in the λ-variable model).
        (added, removed) = p.addChangeBudget(to: m, circuits: circuits) { Double(max(0, upper[$0] - p.current[$0])) }

        switch goal {
        case .feasibility:
            m.setObjective(LinearExpression(), .minimize)
        case .fewestCircuits:
            var count = LinearExpression()
            for k in 0..<(n * n) { if let v = circuits[k] { count.add(1, v) } }
            m.setObjective(count, .minimize)
        }
    }

    /// The fewest circuits on `pairs` (one side of one node) that bring the
    /// side's residual `Σ max(0, t − n)` down to `packet`: circuits move 1
    /// each, the ⌈t⌉-th of a pair only its fractional part, at most
    /// `upper` per pair. Nil when even every allowed circuit is not enough.
    ///
    /// - Complexity: O(m log m) for m pairs.
    static func fewestCircuits(_ pairs: [Int], need: [Double], whole: [Int], part: [Double], upper: [Int],
                               packet: Double) -> Int? {
        var excess = -packet
        for k in pairs { excess += need[k] }
        let tolerance = 1e-9 * max(1, packet)
        if excess <= tolerance { return 0 }
        var units = 0
        var pieces: [Double] = []
        for k in pairs {
            units += min(whole[k], upper[k])
            if upper[k] > whole[k] && part[k] > 0 { pieces.append(part[k]) }
        }
        if excess <= Double(units) + tolerance { return Int((excess - tolerance).rounded(.up)) }
        var left = excess - Double(units)
        var count = units
        for f in pieces.sorted(by: >) {
            count += 1
            left -= f
            if left <= tolerance { return count }
        }
        return nil
    }

    /// A full assignment for `counts` (feasible at this λ when the
    /// allocation's own λ is at least it), or nil when it does not fit.
    ///
    /// - Complexity: O(N²).
    func warmStart(_ counts: [Int]) -> [VariableID: Double]? {
        let p = problem, n = p.n
        var start: [VariableID: Double] = [:]
        for k in 0..<(n * n) {
            if let v = circuits[k] {
                let c = Double(counts[k])
                if let old = start[v], old != c { return nil }
                start[v] = c
            } else if counts[k] != 0 {
                return nil
            }
        }
        for k in 0..<(n * n) {
            if let v = electrical[k] {
                start[v] = max(0, lambda * p.demand[k] / p.rate - Double(counts[k]))
            }
            if let v = added[k] { start[v] = Double(max(0, counts[k] - p.current[k])) }
            if let v = removed[k] { start[v] = Double(max(0, p.current[k] - counts[k])) }
        }
        return start
    }

    /// The circuit counts of a solution (rounded to the nearest integer).
    func counts(_ result: SolveResult) -> [Int] {
        let n = problem.n
        var c = [Int](repeating: 0, count: n * n)
        for k in 0..<(n * n) {
            if let v = circuits[k] { c[k] = max(0, Int(result.value(v).rounded())) }
        }
        return c
    }
}
