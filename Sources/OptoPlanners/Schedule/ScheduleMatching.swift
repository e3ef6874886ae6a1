/// Maximum-cardinality bipartite matching on a dense `n × n` weight matrix
/// restricted to the cells at or above a threshold, kept incrementally: the
/// matching survives threshold changes and weight updates, and only the
/// pairs that dropped below the threshold are repaired.
///
/// From scratch (many free rows) it runs Hopcroft–Karp phases (Hopcroft &
/// Karp, SIAM J. Comput. 1973): BFS layers from every free row, then
/// vertex-disjoint shortest augmenting paths. A repair of a few free rows
/// runs one iterative DFS per free row (Kuhn 1955), which stops at the first
/// augmenting path instead of paying a full BFS layer; a row that cannot be
/// augmented never can be later in the same graph, so one pass is maximum,
/// and ``repairPerfect(threshold:weights:)`` stops at the first failure.
///
/// - Complexity: HK: O(√n) phases of O(n²) each (the graph is dense);
///   repair: O(n²) per free row in the worst case.
final class ThresholdMatcher {
    let n: Int
    // Raw storage: these loops are the hot path of Solstice and BvN, and
    // class-held arrays would pay exclusivity and bounds checks per cell.
    private let matchRowP: UnsafeMutablePointer<Int>
    private let matchColP: UnsafeMutablePointer<Int>
    private let dist: UnsafeMutablePointer<Int>
    private let queue: UnsafeMutablePointer<Int>
    private let iter: UnsafeMutablePointer<Int>
    private let seenCol: UnsafeMutablePointer<Int>
    private let stackRow: UnsafeMutablePointer<Int>
    private let stackCol: UnsafeMutablePointer<Int>
    private var stamp = 0
    /// Cells at or above the prepared threshold, row by row (CSR); cells
    /// that later drop below it are skipped lazily.
    private let adjStart: UnsafeMutablePointer<Int>
    private let adjCol: UnsafeMutablePointer<Int32>
    private var preparedThreshold = Double.nan

    init(n: Int) {
        adjStart = UnsafeMutablePointer<Int>.allocate(capacity: n + 1)
        adjStart.initialize(repeating: 0, count: n + 1)
        adjCol = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, n * n))
        self.n = n
        func buffer(_ v: Int) -> UnsafeMutablePointer<Int> {
            let p = UnsafeMutablePointer<Int>.allocate(capacity: n + 1)
            p.initialize(repeating: v, count: n + 1)
            return p
        }
        matchRowP = buffer(-1); matchColP = buffer(-1); dist = buffer(0); queue = buffer(0)
        iter = buffer(0); seenCol = buffer(0); stackRow = buffer(0); stackCol = buffer(0)
    }

    deinit {
        for p in [matchRowP, matchColP, dist, queue, iter, seenCol, stackRow, stackCol, adjStart] { p.deallocate() }
        adjCol.deallocate()
    }

    /// Builds the adjacency of the cells `≥ threshold` (O(n²)); searches
    /// at this threshold then cost O(edges) instead of O(n²).
    func prepare(threshold: Double, weights w: [Double]) {
        if threshold == preparedThreshold { return }
        preparedThreshold = threshold
        var count = 0
        w.withUnsafeBufferPointer { wp in
            for i in 0..<n {
                adjStart[i] = count
                let base = i * n
                for j in 0..<n where wp[base + j] >= threshold { adjCol[count] = Int32(j); count += 1 }
            }
        }
        adjStart[n] = count
    }

    /// As ``prepare(threshold:weights:)``, always rebuilding, from the cells
    /// listed per row (every cell not listed must be below the threshold):
    /// O(n + listed cells). Needed when weights may have risen since the
    /// last preparation (cells that only fall are skipped lazily).
    func prepare(threshold: Double, weights w: [Double], candidates: [[Int32]]) {
        precondition(candidates.count == n)
        preparedThreshold = threshold
        var count = 0
        w.withUnsafeBufferPointer { wp in
            for i in 0..<n {
                adjStart[i] = count
                let base = i * n
                for j in candidates[i] where wp[base + Int(j)] >= threshold { adjCol[count] = j; count += 1 }
            }
        }
        adjStart[n] = count
    }

    /// Row `i` is matched to column `matchRow[i]`, or -1.
    var matchRow: [Int] { Array(UnsafeBufferPointer(start: matchRowP, count: n)) }

    /// The column matched to row `i`, or -1.
    @inline(__always) func partner(ofRow i: Int) -> Int { matchRowP[i] }

    /// Number of matched rows.
    var size: Int { (0..<n).reduce(0) { $0 + (matchRowP[$1] >= 0 ? 1 : 0) } }

    /// Unmatches every pair whose weight is below `threshold`.
    func drop(below threshold: Double, weights w: [Double]) {
        for i in 0..<n {
            let j = matchRowP[i]
            if j >= 0 && w[i * n + j] < threshold { matchRowP[i] = -1; matchColP[j] = -1 }
        }
    }

    /// Grows the matching to maximum cardinality on `{(i,j) : w[i][j] ≥ threshold}`
    /// (Hopcroft–Karp when many rows are free, single-path repairs otherwise).
    /// Returns the matching size.
    @discardableResult
    func augment(threshold: Double, weights w: [Double]) -> Int {
        prepare(threshold: threshold, weights: w)
        let free = (0..<n).reduce(0) { $0 + (matchRowP[$1] < 0 ? 1 : 0) }
        if free > 32 { hopcroftKarp(threshold, w) }
        w.withUnsafeBufferPointer { wp in
            for i in 0..<n where matchRowP[i] < 0 { _ = augmentPath(from: i, threshold, wp) }
        }
        return size
    }

    /// Whether the matching can be made perfect on the cells `≥ threshold`;
    /// stops at the first row that cannot be matched (the rows matched so far stay).
    func repairPerfect(threshold: Double, weights w: [Double]) -> Bool {
        prepare(threshold: threshold, weights: w)
        let free = (0..<n).reduce(0) { $0 + (matchRowP[$1] < 0 ? 1 : 0) }
        if free > 32 { hopcroftKarp(threshold, w) }
        return w.withUnsafeBufferPointer { wp in
            for i in 0..<n where matchRowP[i] < 0 {
                if !augmentPath(from: i, threshold, wp) { return false }
            }
            return true
        }
    }

    /// One iterative DFS for an augmenting path from free row `root`.
    private func augmentPath(from root: Int, _ threshold: Double, _ w: UnsafeBufferPointer<Double>) -> Bool {
        stamp += 1
        var top = 0
        stackRow[0] = root
        iter[root] = adjStart[root]
        let adj = adjCol
        do {
            while top >= 0 {
                let i = stackRow[top]
                let base = i * n
                var e = iter[i]
                let end = adjStart[i + 1]
                var pushed = false
                while e < end {
                    let j = Int(adj[e])
                    e += 1
                    if seenCol[j] != stamp && w[base + j] >= threshold {
                        seenCol[j] = stamp
                        stackCol[top] = j
                        let i2 = matchColP[j]
                        if i2 < 0 {
                            for t in 0...top { matchRowP[stackRow[t]] = stackCol[t]; matchColP[stackCol[t]] = stackRow[t] }
                            return true
                        }
                        iter[i] = e
                        top += 1
                        stackRow[top] = i2
                        iter[i2] = adjStart[i2]
                        pushed = true
                        break
                    }
                }
                if !pushed { iter[i] = end; top -= 1 }
            }
            return false
        }
    }

    private func hopcroftKarp(_ threshold: Double, _ w: [Double]) {
        let inf = Int.max
        w.withUnsafeBufferPointer { wp in
            while true {
                var qh = 0, qt = 0
                for i in 0..<n {
                    if matchRowP[i] < 0 { dist[i] = 0; queue[qt] = i; qt += 1 } else { dist[i] = inf }
                }
                var limit = inf
                while qh < qt {
                    let i = queue[qh]; qh += 1
                    if dist[i] >= limit { continue }
                    let base = i * n
                    for e in adjStart[i]..<adjStart[i + 1] {
                        let j = Int(adjCol[e])
                        guard wp[base + j] >= threshold else { continue }
                        let i2 = matchColP[j]
                        if i2 < 0 { limit = min(limit, dist[i] + 1) } else if dist[i2] == inf { dist[i2] = dist[i] + 1; queue[qt] = i2; qt += 1 }
                    }
                }
                if limit == inf { break }
                for i in 0..<n { iter[i] = adjStart[i] }
                var grew = false
                for i in 0..<n where matchRowP[i] < 0 {
                    if layeredPath(i, threshold, wp, limit) { grew = true }
                }
                if !grew { break }
            }
        }
    }

    private func layeredPath(_ i: Int, _ threshold: Double, _ w: UnsafeBufferPointer<Double>, _ limit: Int) -> Bool {
        let base = i * n
        let end = adjStart[i + 1]
        while iter[i] < end {
            let j = Int(adjCol[iter[i]])
            iter[i] += 1
            guard w[base + j] >= threshold else { continue }
            let i2 = matchColP[j]
            if (i2 < 0 && dist[i] + 1 == limit) || (i2 >= 0 && dist[i2] == dist[i] + 1 && layeredPath(i2, threshold, w, limit)) {
                matchRowP[i] = j
                matchColP[j] = i
                return true
            }
        }
        dist[i] = Int.max
        return false
    }
}

/// Maximum-weight bipartite b-matching with concave multiplicity gains:
/// row `i` takes at most `rowCap[i]` units, column `j` at most `colCap[j]`,
/// pair `(i, j)` at most `gains.count` units, and its `m`-th unit is worth
/// `gains[m][i*n+j]` (non-increasing in `m`). Units worth nothing are never
/// taken.
///
/// Exact method (`exact: true`): successive shortest augmenting paths
/// (min-cost flow, negative gains as costs) with Johnson potentials and a
/// dense O(n²) Dijkstra — the Hungarian algorithm (Kuhn 1955, Edmonds &
/// Karp 1972) generalised to b-matchings; it stops at the first path that
/// gains nothing, which gives the maximum weight, not the maximum size.
/// - Complexity: O(B·n²), `B = Σ rowCap`; O(n³) for a plain matching.
///
/// Fast method (`exact: false`): units sorted by gain and taken greedily
/// while their row, column and pair have room: a ½-approximation
/// (Avis 1983). - Complexity: O(K·n² log(K·n²)), `K = gains.count`.
func maxWeightBMatching(n: Int, rowCap: [Int], colCap: [Int], gains: [[Double]], exact: Bool) -> [Int] {
    let units = gains.count
    var used = [Int](repeating: 0, count: n * n)
    guard units > 0, n > 0 else { return used }
    if !exact {
        var order: [(Double, Int32, Int8)] = []
        order.reserveCapacity(n * n)
        for m in 0..<units {
            for k in 0..<(n * n) where gains[m][k] > 0 { order.append((gains[m][k], Int32(k), Int8(m))) }
        }
        order.sort { $0.0 > $1.0 || ($0.0 == $1.0 && $0.2 < $1.2) }
        var rowLeft = rowCap, colLeft = colCap
        for (_, k32, m) in order {
            let k = Int(k32), i = k / n, j = k % n
            if rowLeft[i] > 0 && colLeft[j] > 0 && used[k] == Int(m) {
                used[k] += 1; rowLeft[i] -= 1; colLeft[j] -= 1
            }
        }
        return used
    }
    // Nodes: rows 0..<n, columns n..<2n; source and sink implicit.
    let inf = Double.infinity
    var rowUsed = [Int](repeating: 0, count: n), colUsed = [Int](repeating: 0, count: n)
    var pot = [Double](repeating: 0, count: 2 * n)
    var maxGain = 0.0
    for k in 0..<(n * n) { maxGain = max(maxGain, gains[0][k]) }
    if maxGain <= 0 { return used }
    for j in 0..<n {
        var best = 0.0
        for i in 0..<n { best = max(best, gains[0][i * n + j]) }
        pot[n + j] = -best
    }
    var potSink = pot[n..<(2 * n)].min() ?? 0
    let tol = maxGain * 1e-12
    var dist = [Double](repeating: inf, count: 2 * n)
    var pred = [Int](repeating: -1, count: 2 * n)
    var done = [Bool](repeating: false, count: 2 * n)
    // Cost of a forward unit on (i,j) (next unit) and of undoing the last unit.
    @inline(__always) func forwardCost(_ k: Int) -> Double {
        let u = used[k]
        if u >= units { return inf }
        let g = gains[u][k]
        return g > 0 ? -g : inf
    }
    while true {
        for v in 0..<(2 * n) { dist[v] = inf; pred[v] = -1; done[v] = false }
        for i in 0..<n where rowUsed[i] < rowCap[i] { dist[i] = -pot[i]; pred[i] = -2 } // from source (π(S) = 0)
        var distSink = inf, sinkPred = -1
        while true {
            var u = -1, du = inf
            for v in 0..<(2 * n) where !done[v] && dist[v] < du { du = dist[v]; u = v }
            if u < 0 || du >= distSink { break }
            done[u] = true
            if u < n {
                let i = u, base = i * n
                for j in 0..<n where !done[n + j] {
                    let c = forwardCost(base + j)
                    if c == inf { continue }
                    let nd = du + c + pot[i] - pot[n + j]
                    if nd < dist[n + j] { dist[n + j] = nd; pred[n + j] = i }
                }
            } else {
                let j = u - n
                if colUsed[j] < colCap[j] {
                    let nd = du + pot[u] - potSink
                    if nd < distSink { distSink = nd; sinkPred = j }
                }
                for i in 0..<n where !done[i] && used[i * n + j] > 0 {
                    let c = gains[used[i * n + j] - 1][i * n + j]
                    let nd = du + c + pot[u] - pot[i]
                    if nd < dist[i] { dist[i] = nd; pred[i] = u }
                }
            }
        }
        if sinkPred < 0 { break }
        let pathCost = distSink + potSink // π(S) = 0
        if pathCost >= -tol { break }
        for v in 0..<(2 * n) { pot[v] += min(dist[v], distSink) }
        potSink += distSink
        // Augment one unit.
        colUsed[sinkPred] += 1
        var j = sinkPred
        while true {
            let i = pred[n + j]
            used[i * n + j] += 1
            if pred[i] == -2 { rowUsed[i] += 1; break }
            let jPrev = pred[i] - n
            used[i * n + jPrev] -= 1
            j = jPrev
        }
    }
    return used
}

/// The pairs with demand left, by residual from the largest (ties by
/// index), kept sorted while a heuristic serves a few pairs at a time, so
/// that the sorted-greedy b-matching of ``maxWeightBMatching(n:rowCap:colCap:gains:exact:)``
/// (weights `min(R, c)` per circuit, for any `c`) needs no sort of its own.
///
/// - Complexity: O(P log P) to build, `P` the non-zero pairs; O(P + m log m)
///   to re-place `m` changed pairs.
struct ResidualOrder {
    /// Pair indices `i*n + j` with a positive residual, largest first.
    private(set) var pairs: [Int32]
    private var moved: [Bool]

    init(_ r: [Double]) {
        pairs = r.indices.filter { r[$0] > 0 }.map { Int32($0) }
        pairs.sort { r[Int($0)] > r[Int($1)] || (r[Int($0)] == r[Int($1)] && $0 < $1) }
        moved = [Bool](repeating: false, count: r.count)
    }

    /// Re-places `changed` after their residuals in `r` went down (drained ones leave).
    mutating func update(_ r: [Double], changed: [Int]) {
        guard !changed.isEmpty else { return }
        for k in changed { moved[k] = true }
        var fresh = changed.filter { r[$0] > 0 }.map { Int32($0) }
        fresh.sort { r[Int($0)] > r[Int($1)] || (r[Int($0)] == r[Int($1)] && $0 < $1) }
        var kept: [Int32] = []
        kept.reserveCapacity(pairs.count)
        for k in pairs where !moved[Int(k)] { kept.append(k) }
        for k in changed { moved[k] = false }
        // Merge.
        var out: [Int32] = []
        out.reserveCapacity(kept.count + fresh.count)
        var a = 0, b = 0
        while a < kept.count || b < fresh.count {
            if b == fresh.count { out.append(kept[a]); a += 1; continue }
            if a == kept.count { out.append(fresh[b]); b += 1; continue }
            let x = kept[a], y = fresh[b], rx = r[Int(x)], ry = r[Int(y)]
            if rx > ry || (rx == ry && x < y) { out.append(x); a += 1 } else { out.append(y); b += 1 }
        }
        pairs = out
    }

    /// The sorted-greedy (½-approximate, Avis 1983) maximum-weight matching
    /// of ``maxWeightBMatching(n:rowCap:colCap:gains:exact:)`` for one port
    /// per node (`f.ports` all 0 or 1) and weights `min(R, c)`, with the same
    /// order of pairs: by weight from the largest, ties by index. That order
    /// is the pairs with `R ≥ c` (all worth `c`) by index, then the others
    /// as this order has them, so it needs a scan, not a sort. `rowLoad` and
    /// `colLoad` are the residual's line sums: the scan stops when no node
    /// with something left to send, or none with something left to receive,
    /// is free.
    /// - Returns: the circuits taken per pair (1 each) and their total weight.
    /// - Complexity: O(N²) for the first part, then O(P), usually far less.
    func greedyMatching(_ f: ScheduleFabric, residual r: [Double], perCircuit c: Double,
                        rowLoad: [Double], colLoad: [Double]) -> (counts: [Int: Int], served: Double) {
        precondition(f.ports.allSatisfy { $0 <= 1 })
        let n = f.n
        guard c > 0 else { return ([:], 0) }
        var rowFree = (0..<n).map { f.ports[$0] > 0 && rowLoad[$0] > 0 }
        var colFree = (0..<n).map { f.ports[$0] > 0 && colLoad[$0] > 0 }
        var rowsLeft = rowFree.reduce(0) { $0 + ($1 ? 1 : 0) }
        var colsLeft = colFree.reduce(0) { $0 + ($1 ? 1 : 0) }
        var counts: [Int: Int] = [:]
        var served = 0.0
        // Pairs worth c: a prefix of this order; taken by index, i.e. row by row.
        var lo = 0, hi = pairs.count
        while lo < hi { let mid = (lo + hi) / 2; if r[Int(pairs[mid])] >= c { lo = mid + 1 } else { hi = mid } }
        let capped = lo
        if capped > 0 {
            for i in 0..<n where rowFree[i] {
                if rowsLeft == 0 || colsLeft == 0 { break }
                let base = i * n
                for j in 0..<n where colFree[j] && r[base + j] >= c {
                    rowFree[i] = false; colFree[j] = false; rowsLeft -= 1; colsLeft -= 1
                    counts[base + j] = 1
                    served += c
                    break
                }
            }
        }
        var x = capped
        while x < pairs.count && rowsLeft > 0 && colsLeft > 0 {
            let k = Int(pairs[x])
            let i = k / n, j = k % n
            if rowFree[i] && colFree[j] {
                rowFree[i] = false; colFree[j] = false; rowsLeft -= 1; colsLeft -= 1
                counts[k] = 1
                served += r[k]
            }
            x += 1
        }
        return (counts, served)
    }
}
