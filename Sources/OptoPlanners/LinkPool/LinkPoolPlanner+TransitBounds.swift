import OptoCore

// MARK: - Counting bounds with transit (maxHops 2)
//
// λ = 0 forced by degree. With the concurrent objective λ > 0 needs every
// pair with demand served: a pair whose two ends do not both have a packet
// port needs a circuit s→t or a path s→k→t. Let o_j and i_j be the numbers
// of distinct out- and in-neighbours of node j (nodes it has circuits to,
// and from). Node s reaches at most o_s + Σ_{j ∈ out(s)} o_j nodes within
// two circuits; summed over s that is Σ_s o_s + Σ_j i_j·o_j, and since
// Σ_s o_s = Σ_j i_j (both count the pairs with a circuit),
//     reach ≤ Σ_j [ (o_j + i_j)/2 + o_j·i_j ]
// with o_j ≤ min(tx_j, q_j, N−1), i_j ≤ min(rx_j, q_j, N−1), o_j + i_j ≤ q_j
// (a circuit takes one pooled port at each end). Each node's term is
// maximised alone over those integers. When more pairs need a circuit path
// than that, no allocation has λ > 0: λ = 0 is optimal.

extension LinkPoolProblem {
    /// Whether pair `k` (row-major) has demand and an end without a packet
    /// port: with the concurrent objective it needs a circuit or a path of
    /// two circuits for λ > 0.
    @inline(__always) func needsCircuitPath(_ k: Int) -> Bool {
        demand[k] > 0 && k / n != k % n && !(packet[k / n] > 0 && packet[k % n] > 0)
    }

    /// Whether `counts` join `s→t` by a circuit of its own or by two
    /// circuits `s→k→t`.
    ///
    /// - Complexity: O(N).
    func joined(_ s: Int, _ t: Int, in counts: [Int]) -> Bool {
        counts[s * n + t] > 0 || (0..<n).contains { $0 != s && $0 != t && counts[s * n + $0] > 0 && counts[$0 * n + t] > 0 }
    }

    /// Pairs with demand that cannot use the packet fabric (an end without
    /// a packet port), and the most ordered pairs any allocation joins
    /// within two circuits (see the comment above).
    ///
    /// - Complexity: O(N² + Σ q).
    func transitReach() -> (needed: Int, reachable: Int) {
        var needed = 0
        for k in 0..<(n * n) where needsCircuitPath(k) { needed += 1 }
        var twice = 0
        for j in 0..<n {
            let outMax = min(tx[j], ports[j], n - 1), inMax = min(rx[j], ports[j], n - 1)
            var best = 0
            for o in 0...max(0, outMax) {
                let i = max(0, min(inMax, ports[j] - o))
                best = max(best, o + i + 2 * o * i)
            }
            twice += best
        }
        return (needed, twice / 2)
    }

    /// Why λ = 0 is optimal with transit whatever the circuits (the
    /// counting bound above), or nil when the count does not settle it.
    func transitZeroLambdaReason() -> String? {
        guard transit, objective == .concurrent else { return nil }
        let (needed, reachable) = transitReach()
        guard needed > reachable else { return nil }
        return "λ = 0 is optimal: \(needed) pairs with demand lack a packet port at one end and need a path of at most two circuits, "
            + "but the port counts join at most \(reachable) ordered pairs within two circuits"
    }
}
