import OptoCore

/// The traffic that one iteration of a training job puts between nodes.
///
/// Ranks (GPUs) sit on fabric nodes, `ranksPerNode` on each; traffic
/// between ranks of the same node stays inside it and never reaches the
/// fabric. Each generator returns an `N × N` matrix of bytes per
/// iteration with a zero diagonal.
public enum Collectives {
    /// Ring all-reduce of `gradientBytes` over the ranks of `nodes` (data
    /// parallelism). The ring visits the ranks node by node in the order
    /// given, so it crosses the fabric once from each node to the next (and
    /// from the last back to the first). Over a ring of `R` ranks every hop
    /// carries `2·(R−1)/R · gradientBytes` (reduce-scatter then all-gather).
    ///
    /// With a single node nothing crosses the fabric.
    /// - Complexity: O(N² + nodes)
    public static func ringAllReduce(gradientBytes: Double, nodes: [Int], ranksPerNode: Int, fabricSize n: Int) -> Matrix {
        var m = Matrix(size: n)
        let ranks = nodes.count * ranksPerNode
        guard nodes.count > 1, ranks > 1 else { return m }
        let perHop = 2 * Double(ranks - 1) / Double(ranks) * gradientBytes
        for (k, from) in nodes.enumerated() {
            let to = nodes[(k + 1) % nodes.count]
            if from != to { m[from, to] += perHop }
        }
        return m
    }

    /// All-to-all among the ranks of `nodes`, as in mixture-of-experts
    /// token routing: every rank sends `bytesPerRank` per round, spread
    /// evenly over the other ranks, `rounds` times per iteration (for
    /// instance two per MoE layer, forward and backward). Node `i` sends
    /// node `j` `r²·bytesPerRank/(R−1)` per round, `r` ranks per node and
    /// `R` ranks in all.
    /// - Complexity: O(N² + nodes²)
    public static func allToAll(bytesPerRank: Double, rounds: Int = 1, nodes: [Int], ranksPerNode: Int, fabricSize n: Int) -> Matrix {
        var m = Matrix(size: n)
        let ranks = nodes.count * ranksPerNode
        guard ranks > 1 else { return m }
        let perPair = Double(ranksPerNode * ranksPerNode) * bytesPerRank / Double(ranks - 1) * Double(rounds)
        for a in nodes { for b in nodes where a != b { m[a, b] += perPair } }
        return m
    }

    /// Pipeline parallelism: stage `s` runs on `stages[s]`; each of
    /// `microbatches` microbatches sends `activationBytes` forward from each
    /// stage to the next and as many gradient bytes backward.
    /// - Complexity: O(N² + stages)
    public static func pipeline(activationBytes: Double, microbatches: Int, stages: [Int], fabricSize n: Int) -> Matrix {
        var m = Matrix(size: n)
        let volume = activationBytes * Double(microbatches)
        for s in stages.indices.dropLast() {
            let a = stages[s], b = stages[s + 1]
            guard a != b else { continue }
            m[a, b] += volume
            m[b, a] += volume
        }
        return m
    }

    /// Time for a ring all-reduce of `gradientBytes` over `ranks` ranks
    /// when each rank sends at `rate` bits per second:
    /// `2·(R−1)/R · gradientBytes · 8 / rate`.
    public static func ringAllReduceTime(gradientBytes: Double, ranks: Int, rate: Double) -> Double {
        guard ranks > 1, rate > 0 else { return 0 }
        return 2 * Double(ranks - 1) / Double(ranks) * gradientBytes * 8 / rate
    }
}
