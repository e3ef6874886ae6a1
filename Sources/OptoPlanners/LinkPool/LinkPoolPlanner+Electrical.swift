import OptoCore

// MARK: - The electrical sub-problem
//
// With the circuits fixed, what is left of PROBLEMS.md §2 is a linear
// programme in the electrical rates `e` alone. Both objectives have a fast
// exact solution:
//
// * `concurrent`: pair `i → j` needs `e[i][j] ≥ max(0, λ·R[i][j] − n[i][j]·r_c)`
//   and nothing else ties the pairs together except the per-node send and
//   receive limits. So `λ` is feasible iff for every node `i`
//       g_i(λ) = Σ_j max(0, λ·R[i][j] − n[i][j]·r_c) ≤ p_i   (send)
//       h_i(λ) = Σ_j max(0, λ·R[j][i] − n[j][i]·r_c) ≤ p_i   (receive)
//   Each side is convex, piecewise linear and non-decreasing in λ, so its
//   largest feasible λ (its *limit*) is found by walking its breakpoints
//   `n·r_c/R` in increasing order, and the optimum is the smallest limit.
//   (The bipartite max-concurrent-flow needs no binary search here because
//   every commodity has exactly one edge.)
// * `throughput`: `a[i][j] = min(R[i][j], n[i][j]·r_c + e[i][j])`, so the
//   circuits carry `min(R, n·r_c)` and the packet fabric serves the residual
//   `d = max(0, R − n·r_c)` as a bipartite transportation problem (rows
//   capped by `p_i`, columns by `p_j`, cells by `d`): a max-flow, solved by
//   augmenting paths from a greedy start, and re-solved incrementally when
//   one cell changes.

extension LinkPoolProblem {
    /// The largest `λ` with `Σ_k max(0, λ·R_k − c_k) ≤ p` over the given pairs
    /// (one node's send or receive side): `+∞` when no pair has demand.
    ///
    /// `c_k = counts[k]·rate`, with pair `mod1` changed by `delta1` circuits
    /// and `mod2` by `delta2` (pass -1 for no change). Allocation-free: the
    /// breakpoints live in a temporary stack buffer.
    ///
    /// - Complexity: O(m log m) for m pairs with demand.
    @inline(__always)
    static func sideLimit(pairs: [Int], demand: [Double], counts: [Int], rate: Double, packet p: Double,
                          mod1: Int = -1, delta1: Int = 0, mod2: Int = -1, delta2: Int = 0) -> Double {
        if pairs.isEmpty { return .infinity }
        return withUnsafeTemporaryAllocation(of: (b: Double, r: Double, c: Double).self, capacity: pairs.count) { buffer in
            var m = 0
            for k in pairs {
                let r = demand[k]
                if r > 0 {
                    var count = counts[k]
                    if k == mod1 { count += delta1 }
                    if k == mod2 { count += delta2 }
                    let c = Double(count) * rate
                    buffer[m] = (c / r, r, c)
                    m += 1
                }
            }
            if m == 0 { return .infinity }
            var points = UnsafeMutableBufferPointer(rebasing: buffer[0..<m])
            if m > 1 { points.sort { $0.b < $1.b } }
            var sumR = 0.0, sumC = 0.0
            for idx in 0..<m {
                sumR += points[idx].r
                sumC += points[idx].c
                let next = idx + 1 < m ? points[idx + 1].b : .infinity
                let lambda = (p + sumC) / sumR
                if lambda <= next { return lambda }
            }
            return (p + sumC) / sumR
        }
    }

    /// Pair indices of node `i`'s send side (`i → j`, `j ≠ i`) with demand.
    func sendPairs(_ i: Int) -> [Int] {
        (0..<n).compactMap { j in j != i && demand[i * n + j] > 0 ? i * n + j : nil }
    }

    /// Pair indices of node `i`'s receive side (`j → i`, `j ≠ i`) with demand.
    func receivePairs(_ i: Int) -> [Int] {
        (0..<n).compactMap { j in j != i && demand[j * n + i] > 0 ? j * n + i : nil }
    }

    /// The largest `λ` the circuits `counts` allow with the best electrical
    /// rates (exact; see the comment at the top of this file).
    ///
    /// - Complexity: O(N² log N).
    func concurrentLambda(_ counts: [Int]) -> Double {
        var best = Double.infinity
        for i in 0..<n {
            let s = Self.sideLimit(pairs: sendPairs(i), demand: demand, counts: counts, rate: rate, packet: packet[i])
            let r = Self.sideLimit(pairs: receivePairs(i), demand: demand, counts: counts, rate: rate, packet: packet[i])
            best = min(best, s, r)
        }
        return best
    }

    /// The best electrical and carried rates for the circuits `counts`, with
    /// the objective's value: `λ` (concurrent) or `Σ a` (throughput).
    ///
    /// For `concurrent`, `e[i][j] = max(0, λ·R[i][j] − n[i][j]·r_c)`: the
    /// least electrical use that carries `a = λ·R`.
    ///
    /// - Complexity: O(N² log N) (concurrent); a max-flow on N + N vertices
    ///   and N² edges (throughput).
    func allocation(_ counts: [Int]) -> LinkPoolAllocation {
        switch objective {
        case .concurrent:
            let lambda = concurrentLambda(counts)
            var e = [Double](repeating: 0, count: n * n), a = e
            for k in 0..<(n * n) where demand[k] > 0 {
                a[k] = lambda * demand[k]
                e[k] = max(0, a[k] - Double(counts[k]) * rate)
            }
            return LinkPoolAllocation(counts: counts, electrical: e, carried: a, objective: lambda)
        case .throughput:
            var t = ElectricalTransport(self, counts: counts)
            t.solve()
            var a = [Double](repeating: 0, count: n * n)
            var total = 0.0
            for k in 0..<(n * n) where demand[k] > 0 {
                a[k] = min(demand[k], Double(counts[k]) * rate) + t.flow[k]
                total += a[k]
            }
            return LinkPoolAllocation(counts: counts, electrical: t.flow, carried: a, objective: total)
        }
    }

    /// The objective value of the circuits `counts` (see ``allocation(_:)``).
    func objectiveValue(_ counts: [Int]) -> Double {
        switch objective {
        case .concurrent: concurrentLambda(counts)
        case .throughput: allocation(counts).objective
        }
    }
}

/// Circuits with their best electrical and carried rates (flat `N×N`, bits
/// per second) and the objective value they reach.
struct LinkPoolAllocation: Sendable {
    /// Circuits per ordered pair.
    var counts: [Int]
    /// `e[i][j]`.
    var electrical: [Double]
    /// `a[i][j]`.
    var carried: [Double]
    /// `λ` (concurrent) or `Σ a` (throughput).
    var objective: Double
    /// With transit: `d[i][j]`, the rate pair `i → j` sends on its own
    /// circuits (empty: all of `carried − electrical`).
    var direct: [Double] = []
    /// With transit: the rates routed over two circuits (bits per second).
    var transit: [TransitRoute] = []
}

/// The throughput objective's electrical part: a bipartite transportation
/// problem (send side `i` capped by `p_i`, receive side `j` by `p_j`, cell
/// `i → j` by the residual demand `max(0, R − n·r_c)`), kept as a feasible
/// flow that augmenting paths make maximum.
///
/// Values below `epsilon` (a millionth of a bit per second, relative to the
/// largest rate) are treated as zero so that floating-point dust never
/// drives an augmentation.
struct ElectricalTransport: Sendable {
    let n: Int
    /// Cell capacities (residual demand), flat.
    var cap: [Double]
    /// Current flow per cell, flat.
    var flow: [Double]
    /// Send-side capacities `p_i`.
    let rowCap: [Double]
    /// Receive-side capacities `p_j`.
    let colCap: [Double]
    /// Flow out of each send side.
    var rowUse: [Double]
    /// Flow into each receive side.
    var colUse: [Double]
    /// Threshold below which an amount counts as zero.
    let epsilon: Double

    /// The transportation problem for circuits `counts`, with a zero flow.
    init(_ problem: LinkPoolProblem, counts: [Int]) {
        n = problem.n
        var c = [Double](repeating: 0, count: n * n)
        var top = problem.rate
        for k in 0..<(n * n) where problem.demand[k] > 0 {
            c[k] = max(0, problem.demand[k] - Double(counts[k]) * problem.rate)
            top = max(top, problem.demand[k])
        }
        for p in problem.packet { top = max(top, p) }
        cap = c
        flow = [Double](repeating: 0, count: n * n)
        rowCap = problem.packet
        colCap = problem.packet
        rowUse = [Double](repeating: 0, count: n)
        colUse = [Double](repeating: 0, count: n)
        epsilon = top * 1e-12
    }

    /// Total flow.
    var total: Double { rowUse.reduce(0, +) }

    /// Makes the flow maximum: a greedy fill of the cells, then augmenting
    /// paths (breadth first) until none is left.
    ///
    /// - Complexity: O(P·N²) for P augmenting paths.
    mutating func solve() {
        for i in 0..<n {
            for j in 0..<n where cap[i * n + j] > flow[i * n + j] + epsilon {
                let k = i * n + j
                let amount = min(cap[k] - flow[k], rowCap[i] - rowUse[i], colCap[j] - colUse[j])
                if amount > epsilon {
                    flow[k] += amount
                    rowUse[i] += amount
                    colUse[j] += amount
                }
            }
        }
        augment()
    }

    /// Sets the capacity of cell `k` to `value`, cutting its flow if it no
    /// longer fits (the flow stays feasible but may no longer be maximum:
    /// call ``augment()``).
    mutating func setCapacity(_ k: Int, _ value: Double) {
        cap[k] = max(0, value)
        let excess = flow[k] - cap[k]
        if excess > 0 {
            flow[k] = cap[k]
            rowUse[k / n] -= excess
            colUse[k % n] -= excess
        }
    }

    /// Augments along shortest paths from send sides with room to receive
    /// sides with room until no path is left.
    ///
    /// - Complexity: O(N²) per path.
    mutating func augment() {
        // Vertices: send side i is i, receive side j is n + j.
        var parent = [Int](repeating: -1, count: 2 * n)
        var queue = [Int]()
        queue.reserveCapacity(2 * n)
        while true {
            for v in 0..<(2 * n) { parent[v] = -1 }
            queue.removeAll(keepingCapacity: true)
            for i in 0..<n where rowCap[i] - rowUse[i] > epsilon {
                parent[i] = i  // a root
                queue.append(i)
            }
            var sink = -1
            var head = 0
            search: while head < queue.count {
                let v = queue[head]
                head += 1
                if v < n {
                    let i = v
                    for j in 0..<n where parent[n + j] < 0 && cap[i * n + j] - flow[i * n + j] > epsilon {
                        parent[n + j] = i
                        if colCap[j] - colUse[j] > epsilon { sink = n + j; break search }
                        queue.append(n + j)
                    }
                } else {
                    let j = v - n
                    for i in 0..<n where parent[i] < 0 && flow[i * n + j] > epsilon {
                        parent[i] = v
                        queue.append(i)
                    }
                }
            }
            if sink < 0 { return }
            // Bottleneck along the path.
            var amount = colCap[sink - n] - colUse[sink - n]
            var v = sink
            while true {
                if v >= n {
                    let i = parent[v], j = v - n
                    amount = min(amount, cap[i * n + j] - flow[i * n + j])
                    v = i
                } else {
                    if parent[v] == v { amount = min(amount, rowCap[v] - rowUse[v]); break }
                    let j = parent[v] - n
                    amount = min(amount, flow[v * n + j])
                    v = parent[v]
                }
            }
            // Apply.
            colUse[sink - n] += amount
            v = sink
            while true {
                if v >= n {
                    let i = parent[v], j = v - n
                    flow[i * n + j] += amount
                    v = i
                } else {
                    if parent[v] == v { rowUse[v] += amount; break }
                    let j = parent[v] - n
                    flow[v * n + j] -= amount
                    v = parent[v]
                }
            }
        }
    }
}
