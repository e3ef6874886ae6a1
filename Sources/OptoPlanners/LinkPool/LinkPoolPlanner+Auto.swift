import OptoModel

extension LinkPoolProblem {
    /// The size estimate `auto` holds against ``AutoSizeRule``: an upper
    /// bound on the stage-1 nonzeros, `14 × |{i→j : R_ij > 0 or c_ij > 0}|`
    /// (per pair: its circuit in two pool rows, a tx, an rx, a carry and a
    /// balance row; its electrical rate in the send, receive and carry rows;
    /// `λ` or its carried rate in the carry row; its added and removed
    /// counts in the balance and budget rows).
    ///
    /// - Complexity: O(N²).
    var exactNonzeroEstimate: Int {
        var pairs = 0
        for k in 0..<(n * n) where pairMatters(k) { pairs += 1 }
        guard transit else { return 14 * pairs }
        // With transit: every ordered pair may hold a circuit (two pool rows,
        // a tx, an rx, a cap and a balance row), and every pair with demand
        // up to N − 2 routes, each in one carry and two cap rows.
        var demandPairs = 0
        for k in 0..<(n * n) where demand[k] > 0 { demandPairs += 1 }
        return 14 * pairs + 6 * n * max(0, n - 1) + 3 * demandPairs * max(0, n - 2)
    }

    /// A bound on the objective that needs no model, reported by `auto`
    /// when the size rule skips the exact model. Every node can send at
    /// most `min(q_i, tx_i)·r_c + p_i` and receive at most
    /// `min(q_i, rx_i)·r_c + p_i`, and a pair (one hop) at most
    /// `cap_ij·r_c + min(p_i, p_j)`. So, with row sums `S_i` and column
    /// sums `T_i` of `R`:
    ///
    /// - concurrent: `λ ≤` the split bound (`splitBound`: each node's ports
    ///   split in whole circuits between sending and receiving, which is
    ///   below each side's capacity over its sum) and, with one hop, every
    ///   pair's capacity over its demand;
    /// - throughput: `Σ a ≤ min(Σ_i min(S_i, send_i), Σ_i min(T_i, receive_i))`.
    ///
    /// The change budget is ignored (it only lowers the optimum).
    ///
    /// - Complexity: O(N² + N·log q).
    func cheapBound() -> Double {
        let rc = rate
        var rows = [Double](repeating: 0, count: n), cols = rows
        for i in 0..<n {
            for j in 0..<n where i != j {
                rows[i] += demand[i * n + j]
                cols[j] += demand[i * n + j]
            }
        }
        func send(_ i: Int) -> Double { Double(min(ports[i], tx[i])) * rc + packet[i] }
        func receive(_ i: Int) -> Double { Double(min(ports[i], rx[i])) * rc + packet[i] }
        switch objective {
        case .concurrent:
            var bound = splitBound()
            // With transit a pair is not limited to its own circuits.
            for i in 0..<n where !transit {
                for j in 0..<n where i != j && demand[i * n + j] > 0 {
                    bound = min(bound, (Double(pairCap(i, j)) * rc + min(packet[i], packet[j])) / demand[i * n + j])
                }
            }
            return bound
        case .throughput:
            var out = 0.0, inn = 0.0
            for i in 0..<n {
                out += min(rows[i], send(i))
                inn += min(cols[i], receive(i))
            }
            return min(out, inn)
        }
    }
}
