/// Maximum flow on the transportation network of the packet fabric:
/// rows (senders) and columns (receivers) with capacities, and pair arcs
/// capped by what each pair still has to send.
///
/// `maximise Σ e[i][j]` subject to `0 ≤ e[i][j] ≤ r[i][j]`,
/// `Σ_j e[i][j] ≤ supply[i]`, `Σ_i e[i][j] ≤ capacity[j]`.
///
/// Exact: a greedy fill followed by Dinic's blocking flows on the residual
/// network (source → row → column → sink). Volumes are doubles; residual
/// capacities below `1e-12 ×` the largest capacity count as zero.
///
/// - Complexity: O(V²E) worst case with `V = 2N + 2` and `E` the non-zero
///   pairs; in practice a few BFS phases after the greedy fill. When every
///   row and column fits its capacity the answer is the total, in O(N²).
struct TransportationProblem {
    let n: Int
    /// `r[i*n+j]`.
    let residual: [Double]
    let supply: [Double]
    let capacity: [Double]

    /// The best total and, when `wantFlows`, the flow per pair (`n*n`, row-major).
    func solve(wantFlows: Bool = false) -> (value: Double, flows: [Double]?) {
        var rowSum = [Double](repeating: 0, count: n)
        var colSum = [Double](repeating: 0, count: n)
        var total = 0.0
        var maxCap = 0.0
        for i in 0..<n {
            for j in 0..<n {
                let v = residual[i * n + j]
                if v > 0 { rowSum[i] += v; colSum[j] += v; total += v; maxCap = max(maxCap, v) }
            }
        }
        if total <= 0 { return (0, wantFlows ? [Double](repeating: 0, count: n * n) : nil) }
        var fits = true
        for i in 0..<n where rowSum[i] > supply[i] || colSum[i] > capacity[i] { fits = false; break }
        if fits { return (total, wantFlows ? residual.map { max($0, 0) } : nil) }

        for i in 0..<n { maxCap = max(maxCap, min(supply[i], rowSum[i]), min(capacity[i], colSum[i])) }
        let eps = maxCap * 1e-12

        // Network: 0 source, 1...n rows, n+1...2n columns, 2n+1 sink.
        let source = 0, sink = 2 * n + 1, nodes = 2 * n + 2
        var head = [Int](repeating: -1, count: nodes)
        var to: [Int] = [], cap: [Double] = [], next: [Int] = []
        to.reserveCapacity(4 * n * n / 2 + 4 * n)
        cap.reserveCapacity(to.capacity); next.reserveCapacity(to.capacity)
        func addEdge(_ u: Int, _ v: Int, _ c: Double) -> Int {
            let e = to.count
            to.append(v); cap.append(c); next.append(head[u]); head[u] = e
            to.append(u); cap.append(0); next.append(head[v]); head[v] = e + 1
            return e
        }
        var rowRem = (0..<n).map { min(supply[$0], rowSum[$0]) }
        var colRem = (0..<n).map { min(capacity[$0], colSum[$0]) }
        // Greedy fill, recorded as initial flow on the arcs.
        var pairEdge = [Int](repeating: -1, count: wantFlows ? n * n : 0)
        var sourceEdge = [Int](repeating: -1, count: n), sinkEdge = [Int](repeating: -1, count: n)
        for i in 0..<n { sourceEdge[i] = addEdge(source, 1 + i, max(0, min(supply[i], rowSum[i]))) }
        for j in 0..<n { sinkEdge[j] = addEdge(1 + n + j, sink, max(0, min(capacity[j], colSum[j]))) }
        var flowValue = 0.0
        for i in 0..<n {
            for j in 0..<n {
                let r = residual[i * n + j]
                guard r > eps else { continue }
                let e = addEdge(1 + i, 1 + n + j, r)
                if wantFlows { pairEdge[i * n + j] = e }
                let f = min(r, rowRem[i], colRem[j])
                if f > eps {
                    cap[e] -= f; cap[e + 1] += f
                    rowRem[i] -= f; colRem[j] -= f; flowValue += f
                    cap[sourceEdge[i]] -= f; cap[sourceEdge[i] + 1] += f
                    cap[sinkEdge[j]] -= f; cap[sinkEdge[j] + 1] += f
                }
            }
        }
        // Dinic.
        var level = [Int](repeating: -1, count: nodes)
        var iter = [Int](repeating: -1, count: nodes)
        var queue = [Int](repeating: 0, count: nodes)
        func bfs() -> Bool {
            for v in 0..<nodes { level[v] = -1 }
            level[source] = 0
            var qh = 0, qt = 0
            queue[qt] = source; qt += 1
            while qh < qt {
                let u = queue[qh]; qh += 1
                var e = head[u]
                while e >= 0 {
                    if cap[e] > eps && level[to[e]] < 0 { level[to[e]] = level[u] + 1; queue[qt] = to[e]; qt += 1 }
                    e = next[e]
                }
            }
            return level[sink] >= 0
        }
        func dfs(_ u: Int, _ f: Double) -> Double {
            if u == sink { return f }
            while iter[u] >= 0 {
                let e = iter[u]
                let v = to[e]
                if cap[e] > eps && level[v] == level[u] + 1 {
                    let d = dfs(v, min(f, cap[e]))
                    if d > eps {
                        cap[e] -= d; cap[e ^ 1] += d
                        return d
                    }
                }
                iter[u] = next[e]
            }
            return 0
        }
        while bfs() {
            for v in 0..<nodes { iter[v] = head[v] }
            while true {
                let f = dfs(source, .infinity)
                if f <= eps { break }
                flowValue += f
            }
        }
        var flows: [Double]? = nil
        if wantFlows {
            var fl = [Double](repeating: 0, count: n * n)
            for k in 0..<(n * n) where pairEdge[k] >= 0 { fl[k] = cap[pairEdge[k] + 1] }
            flows = fl
        }
        return (min(flowValue, total), flows)
    }
}
