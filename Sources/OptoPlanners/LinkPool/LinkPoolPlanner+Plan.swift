import OptoCore

extension LinkPoolProblem {
    /// `utilisation = Σ a / (r_c·Σ n + Σ p_i over the nodes that carry
    /// anything)`, where a node carries something when it sends or receives
    /// a positive carried rate; 0 when the denominator is 0.
    ///
    /// - Complexity: O(N²).
    func utilisation(_ a: LinkPoolAllocation) -> Double {
        var carries = [Bool](repeating: false, count: n)
        var total = 0.0
        var circuits = 0
        for i in 0..<n {
            for j in 0..<n {
                let k = i * n + j
                circuits += a.counts[k]
                if a.carried[k] > 0 {
                    total += a.carried[k]
                    carries[i] = true
                    carries[j] = true
                }
            }
        }
        var denominator = Double(circuits) * rate
        for i in 0..<n where carries[i] { denominator += packet[i] }
        return denominator > 0 ? total / denominator : 0
    }

    /// The smallest `a[i][j] / R[i][j]` over pairs with demand (the `λ` the
    /// allocation guarantees every pair); 0 without demand.
    func guaranteedLambda(_ a: LinkPoolAllocation) -> Double {
        var best = Double.infinity
        for k in 0..<(n * n) where demand[k] > 0 { best = min(best, a.carried[k] / demand[k]) }
        return best.isFinite ? best : 0
    }

    /// The plan file's view of an allocation: circuits listed with
    /// multiplicity in (from, to) order, rates as nested rows, and the
    /// link-pool metrics (`lambda`, `carried`, `utilisation`).
    ///
    /// - Complexity: O(N² + circuits).
    func plan(_ a: LinkPoolAllocation, method: String, status: PlanStatus, bound: Double? = nil, gap: Double? = nil,
              seconds: Double, notes: [String] = []) -> LinkPoolPlan {
        var circuits: [Circuit] = []
        for i in 0..<n {
            for j in 0..<n {
                for _ in 0..<max(0, a.counts[i * n + j]) { circuits.append(Circuit(i, j)) }
            }
        }
        func nested(_ flat: [Double]) -> [[Double]] {
            (0..<n).map { i in Array(flat[(i * n)..<((i + 1) * n)]) }
        }
        var metrics = PlanMetrics(objective: a.objective, bound: bound, gap: gap, solveSeconds: seconds)
        metrics.lambda = objective == .concurrent ? a.objective : guaranteedLambda(a)
        metrics.carried = a.carried.reduce(0, +)
        metrics.utilisation = utilisation(a)
        if hasCurrent { metrics.circuitsChanged = changes(a.counts) }
        return LinkPoolPlan(method: method, status: status, metrics: metrics, circuits: circuits,
                            electrical: nested(a.electrical), carried: nested(a.carried),
                            transit: transit ? a.transit : nil, notes: notes.isEmpty ? nil : notes)
    }

    /// An empty plan for an instance without a feasible allocation.
    func infeasiblePlan(method: String, seconds: Double, notes: [String]) -> LinkPoolPlan {
        let zero = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        let metrics = PlanMetrics(objective: 0, bound: nil, gap: nil, solveSeconds: seconds)
        return LinkPoolPlan(method: method, status: .infeasible, metrics: metrics, circuits: [],
                            electrical: zero, carried: zero, transit: transit ? [] : nil, notes: notes.isEmpty ? nil : notes)
    }
}
