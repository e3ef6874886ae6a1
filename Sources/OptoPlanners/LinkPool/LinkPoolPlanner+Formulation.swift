import OptoCore
import OptoModel

// MARK: - The exact model (PROBLEMS.md §2)
//
// Sets and data. Nodes V = 0..N-1; ordered pairs P = {(i, j) : i ≠ j}. Pooled
// ports q_i, transmit/receive caps tx_i, rx_i (q_i when absent), circuit rate
// r_c, packet limit p_i, demand R_ij ≥ 0, current circuits c_ij, change
// budget B (optional).
//
// Variables.
//   n_ij ∈ ℤ, 0 ≤ n_ij ≤ U_ij   circuits i → j
//   e_ij ≥ 0                     electrical rate i → j
//   λ ≥ 0                        (concurrent) common growth factor
//   a_ij ∈ [0, R_ij]             (throughput) carried rate
//   add_ij, rem_ij ≥ 0           (with B) circuits added / removed on i → j
//
// Constraints.
//   pool_i:  Σ_j n_ij + Σ_j n_ji ≤ q_i            every port points one way
//   tx_i:    Σ_j n_ij ≤ tx_i,  rx_i: Σ_j n_ji ≤ rx_i
//   send_i:  Σ_j e_ij ≤ p_i,   recv_j: Σ_i e_ij ≤ p_j
//   carry_ij (concurrent):  λ·R_ij ≤ r_c·n_ij + e_ij
//   carry_ij (throughput):  a_ij ≤ r_c·n_ij + e_ij
//   balance_ij (with B):    n_ij − add_ij + rem_ij = c_ij
//   budget (with B):        Σ (add_ij + rem_ij) ≤ B
//   symmetric (baseline):   n_ij = n_ji (one shared variable per unordered pair)
//
// Objective, lexicographic.
//   Stage 1: maximise z = λ (concurrent) or Σ a_ij (throughput).
//            Warm-started from the greedy plan; GLPK's Gomory cuts on (they
//            take the N = 16 benchmark proofs from over 10 s to under 1 s).
//   Stage 2: minimise Σ n_ij subject to z ≥ z₁ − τ, where z₁ is stage 1's
//            value and τ = 1e-7·max(1, |z₁|) (in the scaled units below)
//            absorbs the solver's feasibility tolerance. Warm-started from
//            stage 1's solution, which is feasible for stage 2.
//   The planner solves this model for `throughput`; for `concurrent` it
//   searches on λ instead (LinkPoolPlanner+Search.swift), whose fixed-λ
//   model (LinkPoolPlanner+FixedLambda.swift) also serves as the
//   concurrent stage 2. This λ-variable model stays the exported one.
//   Time: stage 1 gets 90 % of the limit; stage 2 what is left, at most a
//   quarter of the limit (or 1 s). If stage 2 does not finish, the plan is
//   stage 2's incumbent or stage 1's allocation with every circuit removed
//   whose removal does not lower z, and a note says the minimum is unproven.
//
// Why two solves and not one weighted objective `z − ε·Σ n`: λ is
// continuous, and the gap between the best and the second-best value of z
// over integer circuit matrices has no useful a-priori lower bound from
// the data (it shrinks with the demand's denominators), so no fixed ε is
// provably small enough never to trade objective for fewer circuits. Two
// stages need no such ε: stage 2 can only choose among allocations that are
// (to τ) as good as stage 1's. The plan's figures are then recomputed from
// the chosen n with the exact electrical sub-problem, and stage 2's answer
// is kept only if that exact objective is no worse than stage 1's (1e-9
// relative); otherwise stage 1's allocation is pruned instead.
//
// Reductions that cannot change the optimum.
//   * U_ij = 0 on pairs with neither demand nor a current circuit (such a
//     circuit carries nothing, so a best allocation with the fewest circuits
//     never has one); with a current circuit but no demand, U_ij = c_ij
//     (keeping it may be needed only to save changes). Otherwise
//     U_ij = min(q_i, q_j, tx_i, rx_j). In the symmetric model a pair counts
//     when either direction does.
//   * e_ij exists only where R_ij > 0 (elsewhere it carries nothing), with
//     e_ij ≤ min(p_i, p_j), and also ≤ R_ij for throughput.
//   * add/rem are continuous: for a fixed integer n the smallest feasible
//     add + rem is |n − c|, integral, so integrality is implied.
//
// Scaling. GLPK sees rates divided by r_c (a circuit carries 1). For the
// concurrent objective the solver's variable is μ = λ·R_max / r_c with
// demands R_ij / R_max, so μ is of the order of circuits per pair whatever
// the units of R. The same model is in models/linkpool.mod (MathProg).

/// How the exact model is solved: the solver and its limits.
struct LinkPoolSolveSettings {
    var solver: any Solver
    /// Seconds for the whole exact method (both stages).
    var timeLimit: Double
    var relativeGap: Double?
    var verbose: Bool = false
    var progress: (@Sendable (SolveProgress) -> Void)?
    var shouldStop: (@Sendable () -> Bool)?
}

/// The exact model built for one problem: the OptoModel `Model` and the
/// handles of its variables per pair.
final class LinkPoolFormulation {
    let problem: LinkPoolProblem
    let symmetric: Bool
    let model: Model
    /// n_ij per pair (shared by i→j and j→i when symmetric); nil where U_ij = 0.
    var circuits: [VariableID?]
    /// ê_ij = e_ij / r_c per pair with demand.
    var electrical: [VariableID?]
    /// â_ij = a_ij / r_c per pair with demand (throughput).
    var carried: [VariableID?]
    /// μ = λ·R_max / r_c (concurrent).
    var mu: VariableID?
    /// add_ij and rem_ij (with a change budget).
    var added: [VariableID?]
    var removed: [VariableID?]
    /// The primary objective z (scaled).
    var primary = LinearExpression()
    /// Σ n_ij over ordered pairs.
    var circuitCount = LinearExpression()
    /// R_max (concurrent scaling), bits per second.
    let demandScale: Double

    /// Builds stage 1 (maximise z), or stage 2 (minimise Σ n with
    /// z ≥ `stage2Floor`) when the floor is given.
    ///
    /// - Complexity: O(N²) variables and constraint terms.
    init(_ p: LinkPoolProblem, symmetric: Bool, stage2Floor: Double? = nil) {
        problem = p
        self.symmetric = symmetric
        let n = p.n
        let m = Model(name: symmetric ? "linkpool-symmetric" : "linkpool")
        model = m
        circuits = [VariableID?](repeating: nil, count: n * n)
        electrical = circuits
        carried = circuits
        added = circuits
        removed = circuits
        demandScale = p.demand.max() ?? 1
        let rc = p.rate
        let pHat = p.packet.map { $0 / rc }

        // Circuit variables.
        for i in 0..<n {
            for j in 0..<n where i != j {
                let k = i * n + j
                if symmetric {
                    guard i < j else { continue }
                    let back = j * n + i
                    guard p.pairMatters(k) || p.pairMatters(back) else { continue }
                    var upper = min(p.pairCap(i, j), p.pairCap(j, i))
                    if p.demand[k] == 0 && p.demand[back] == 0 { upper = min(upper, max(p.current[k], p.current[back])) }
                    guard upper > 0 else { continue }
                    let v = m.addVariable(.integer, lowerBound: 0, upperBound: Double(upper), name: "n[\(i),\(j)]")
                    circuits[k] = v
                    circuits[back] = v
                } else {
                    guard p.pairMatters(k) else { continue }
                    var upper = p.pairCap(i, j)
                    if p.demand[k] == 0 { upper = min(upper, p.current[k]) }
                    guard upper > 0 else { continue }
                    circuits[k] = m.addVariable(.integer, lowerBound: 0, upperBound: Double(upper),
                                                name: "n[\(i),\(j)]")
                }
            }
        }
        // Electrical (and carried) variables.
        for k in 0..<(n * n) where p.demand[k] > 0 {
            let i = k / n, j = k % n
            var upper = min(pHat[i], pHat[j])
            if p.objective == .throughput { upper = min(upper, p.demand[k] / rc) }
            electrical[k] = m.addVariable(.continuous, lowerBound: 0, upperBound: upper, name: "e[\(i),\(j)]")
            if p.objective == .throughput {
                carried[k] = m.addVariable(.continuous, lowerBound: 0, upperBound: p.demand[k] / rc, name: "a[\(i),\(j)]")
            }
        }
        if p.objective == .concurrent {
            // μ ≤ (U_ij + min(p̂_i, p̂_j)) / R̂_ij for every pair with demand.
            var upper = Double.infinity
            for k in 0..<(n * n) where p.demand[k] > 0 {
                let i = k / n, j = k % n
                let cap = Double(p.pairCap(i, j)) + min(pHat[i], pHat[j])
                upper = min(upper, cap / (p.demand[k] / demandScale))
            }
            mu = m.addVariable(.continuous, lowerBound: 0, upperBound: upper, name: "mu")
        }

        // Port rows.
        for i in 0..<n {
            var pool = LinearExpression(), tx = LinearExpression(), rx = LinearExpression()
            for j in 0..<n where j != i {
                if let v = circuits[i * n + j] { pool.add(1, v); tx.add(1, v) }
                if let v = circuits[j * n + i] { pool.add(1, v); rx.add(1, v) }
            }
            if !pool.terms.isEmpty {
                m.addConstraint(pool, .lessThanOrEqual(Double(p.ports[i])), name: "pool[\(i)]")
                if p.tx[i] < p.ports[i] { m.addConstraint(tx, .lessThanOrEqual(Double(p.tx[i])), name: "tx[\(i)]") }
                if p.rx[i] < p.ports[i] { m.addConstraint(rx, .lessThanOrEqual(Double(p.rx[i])), name: "rx[\(i)]") }
            }
        }
        // Electrical rows.
        for i in 0..<n {
            var send = LinearExpression(), recv = LinearExpression()
            for j in 0..<n where j != i {
                if let v = electrical[i * n + j] { send.add(1, v) }
                if let v = electrical[j * n + i] { recv.add(1, v) }
            }
            if send.terms.count > 1 { m.addConstraint(send, .lessThanOrEqual(pHat[i]), name: "send[\(i)]") }
            if recv.terms.count > 1 { m.addConstraint(recv, .lessThanOrEqual(pHat[i]), name: "recv[\(i)]") }
        }
        // Carry rows.
        for k in 0..<(n * n) where p.demand[k] > 0 {
            let i = k / n, j = k % n
            var row = LinearExpression()
            switch p.objective {
            case .concurrent: row.add(p.demand[k] / demandScale, mu!)
            case .throughput: row.add(1, carried[k]!)
            }
            if let v = circuits[k] { row.add(-1, v) }
            row.add(-1, electrical[k]!)
            m.addConstraint(row, .lessThanOrEqual(0), name: "carry[\(i),\(j)]")
        }
        // Change budget.
        (added, removed) = p.addChangeBudget(to: m, circuits: circuits) { k in
            circuits[k] == nil ? 0 : Double(max(0, p.pairCap(k / p.n, k % p.n) - p.current[k]))
        }

        // Objectives.
        switch p.objective {
        case .concurrent: primary = LinearExpression(mu!)
        case .throughput: primary = LinearExpression.sum(carried.compactMap { $0 })
        }
        for k in 0..<(n * n) { if let v = circuits[k] { circuitCount.add(1, v) } }
        if let floor = stage2Floor {
            m.addConstraint(primary, .greaterThanOrEqual(floor), name: "stage1")
            m.setObjective(circuitCount, .minimize)
        } else {
            m.setObjective(primary, .maximize)
        }
    }

    /// The scaled objective value `z` of an objective in plan units (λ or bits per second).
    func scaled(_ objective: Double) -> Double {
        switch problem.objective {
        case .concurrent: objective * demandScale / problem.rate
        case .throughput: objective / problem.rate
        }
    }

    /// The objective in plan units of a scaled value `z`.
    func unscaled(_ z: Double) -> Double {
        switch problem.objective {
        case .concurrent: z * problem.rate / demandScale
        case .throughput: z * problem.rate
        }
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

    /// A full assignment of this model's variables for an allocation, or nil
    /// when the allocation does not fit the model (e.g. an asymmetric one in
    /// the symmetric model). Rates are shrunk by a relative 1e-9 so rounding
    /// never breaks a row.
    ///
    /// - Complexity: O(N²).
    func warmStart(_ a: LinkPoolAllocation) -> [VariableID: Double]? {
        let p = problem, n = p.n, rc = p.rate
        var start: [VariableID: Double] = [:]
        for k in 0..<(n * n) {
            if let v = circuits[k] {
                let c = Double(a.counts[k])
                if let old = start[v], old != c { return nil }
                start[v] = c
            } else if a.counts[k] != 0 {
                return nil
            }
        }
        let shrink = 1 - 1e-9
        for k in 0..<(n * n) {
            if let v = electrical[k] { start[v] = a.electrical[k] / rc }
            if let v = carried[k] { start[v] = a.carried[k] / rc * shrink }
            if let v = added[k] { start[v] = Double(max(0, a.counts[k] - p.current[k])) }
            if let v = removed[k] { start[v] = Double(max(0, p.current[k] - a.counts[k])) }
        }
        if let mu { start[mu] = scaled(a.objective) * shrink }
        return start
    }
}


extension LinkPoolProblem {
    /// The change-budget rows both exact formulations share: for every pair
    /// with a circuit variable or a current circuit, `n − add + rem = c`
    /// with continuous `add ∈ [0, addCap(k)]` and `rem ∈ [0, c]` (integral
    /// at the optimum: for a fixed integer `n` the smallest `add + rem` is
    /// `|n − c|`), and `Σ (add + rem) ≤ maxChanges`. Nothing without a budget.
    ///
    /// - Returns: the `add` and `rem` variables per pair (nil elsewhere).
    /// - Complexity: O(N²).
    ///
    /// `rowScale` multiplies the balance rows (the transit models pass
    /// `LinkPoolTransitModel.capRowScale`, see there; 1 leaves them as written).
    func addChangeBudget(to m: Model, circuits: [VariableID?], rowScale: Double = 1, addCap: (Int) -> Double)
        -> (added: [VariableID?], removed: [VariableID?]) {
        var added = [VariableID?](repeating: nil, count: n * n)
        var removed = added
        guard let budget = maxChanges else { return (added, removed) }
        var total = LinearExpression()
        for k in 0..<(n * n) {
            let cur = current[k]
            let v = circuits[k]
            if v == nil && cur == 0 { continue }
            let i = k / n, j = k % n
            let a = m.addVariable(.continuous, lowerBound: 0, upperBound: max(addCap(k), 0), name: "add[\(i),\(j)]")
            let r = m.addVariable(.continuous, lowerBound: 0, upperBound: Double(cur), name: "rem[\(i),\(j)]")
            added[k] = a
            removed[k] = r
            var row = LinearExpression()
            if let v { row.add(rowScale, v) }
            row.add(-rowScale, a)
            row.add(rowScale, r)
            m.addConstraint(row, .equalTo(rowScale * Double(cur)), name: "balance[\(i),\(j)]")
            total.add(1, a)
            total.add(1, r)
        }
        if !total.terms.isEmpty { m.addConstraint(total, .lessThanOrEqual(Double(budget)), name: "budget") }
        return (added, removed)
    }
}
