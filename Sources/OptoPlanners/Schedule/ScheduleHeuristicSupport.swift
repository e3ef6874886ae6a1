/// The demand still to serve while a heuristic builds a window-mode
/// schedule, with its row and column sums, so that the makespan of every
/// prefix of the schedule is known in O(N) per configuration.
struct ResidualState {
    let f: ScheduleFabric
    let n: Int
    /// Demand not yet served by circuits, `n*n` bytes.
    var residual: [Double]
    var rowSum: [Double]
    var colSum: [Double]
    /// `Σ (δ + t_m)` so far.
    var span = 0.0
    var slots: [SlotConfig] = []
    /// Volumes below this count as served.
    let tol: Double
    let total: Double

    init(_ f: ScheduleFabric, _ d: [Double]) {
        self.f = f
        n = f.n
        residual = d
        rowSum = [Double](repeating: 0, count: f.n)
        colSum = [Double](repeating: 0, count: f.n)
        var t = 0.0
        for i in 0..<f.n { for j in 0..<f.n { let v = d[i * f.n + j]; rowSum[i] += v; colSum[j] += v; t += v } }
        total = t
        tol = max(t, 1e-300) * 1e-13
    }

    /// Circuit service of `s` on the residual; appends it to the schedule.
    mutating func apply(_ s: SlotConfig) {
        guard s.duration > 0, !s.pairs.isEmpty else { return }
        if let last = slots.last, last.pairs == s.pairs {
            // The same circuits again: keep them up, no reconfiguration.
            slots[slots.count - 1].duration += s.duration
            span += s.duration
        } else {
            span += f.delta + s.duration
            slots.append(s)
        }
        for p in s.pairs {
            let k = p.i * n + p.j
            let old = residual[k]
            if old <= 0 { continue }
            var new = old - Double(p.count) * f.circuitBps * s.duration
            if new <= tol { new = 0 }
            residual[k] = new
            rowSum[p.i] -= old - new
            colSum[p.j] -= old - new
        }
    }

    /// Demand left for circuits or packets.
    var remaining: Double { max(0, rowSum.reduce(0, +)) }

    /// Time the packet fabric needs for the residual alone. O(N).
    var packetTime: Double {
        var t = 0.0
        let lineTol = max(total, 1e-300) * 1e-9
        for i in 0..<n {
            if rowSum[i] > lineTol { t = max(t, ScheduleScoring.ratio(rowSum[i], f.packetBps[i])) }
            if colSum[i] > lineTol { t = max(t, ScheduleScoring.ratio(colSum[i], f.packetBps[i])) }
        }
        return t
    }

    /// The makespan if the schedule stopped here.
    var makespan: Double { max(span, packetTime) }

    /// In makespan mode, no further configuration can help once the span
    /// covers the packet fabric's work (every later prefix is longer).
    var makespanSettled: Bool { span >= packetTime }
}

/// The finishing passes shared by every window-mode heuristic.
enum ScheduleFinish {
    /// Makespan mode: the prefix of `slots` (its last configuration possibly
    /// shortened) with the smallest `max(span, packet time of the residual)`.
    /// Stopping early leaves the tail to the packet fabric.
    /// - Complexity: O(M·N + C) plus two bisections of O(N + n_m) per step.
    static func bestPrefix(_ f: ScheduleFabric, _ d: [Double], _ slots: [SlotConfig]) -> [SlotConfig] {
        var state = ResidualState(f, d)
        var best = state.makespan, bestCount = 0
        for (m, s) in slots.enumerated() {
            state.apply(s)
            let t = state.makespan
            if t < best { best = t; bestCount = m + 1 }
        }
        // Try shortening the last kept configuration, or adding part of the next one.
        var bestSlots = Array(slots.prefix(bestCount))
        for cut in [bestCount - 1, bestCount] where cut >= 0 && cut < slots.count {
            var base = ResidualState(f, d)
            for s in slots.prefix(cut) { base.apply(s) }
            let s = slots[cut]
            func value(_ tau: Double) -> Double {
                var st = base
                var part = s
                part.duration = tau
                st.apply(part)
                return st.makespan
            }
            var lo = 0.0, hi = s.duration
            for _ in 0..<60 {
                let mid = (lo + hi) / 2
                var st = base
                var part = s
                part.duration = mid
                st.apply(part)
                if st.span < st.packetTime { lo = mid } else { hi = mid }
            }
            for tau in [lo, hi] where tau > 0 {
                let v = value(tau)
                if v < best * (1 - 1e-12) {
                    best = v
                    var part = s
                    part.duration = tau
                    bestSlots = Array(slots.prefix(cut)) + [part]
                }
            }
        }
        return bestSlots
    }

    /// Window mode: the configurations that fit in `W`, the last one cut short.
    static func fit(_ f: ScheduleFabric, window w: Double, _ slots: [SlotConfig]) -> [SlotConfig] {
        var out: [SlotConfig] = []
        var span = 0.0
        for s in slots {
            let room = w - span - f.delta
            if room <= 0 { break }
            var s2 = s
            s2.duration = min(s.duration, room)
            if s2.duration <= 0 { break }
            out.append(s2)
            span += f.delta + s2.duration
            if s2.duration < s.duration { break }
        }
        return out
    }
}

/// Node `i` split into `k_i` transmitter/receiver copies, so that a matching
/// of copies is a configuration: pair `(i, j)` gets one circuit per matched
/// copy pair. Demand is shared evenly among the `k_i·k_j` copy pairs, which
/// keeps every copy's line sum at `1/k_i` of its node's.
struct PortExpansion {
    let n: Int
    /// `K = Σ k_i`.
    let size: Int
    /// The node of each copy.
    let owner: [Int]

    init(_ f: ScheduleFabric) {
        n = f.n
        var o: [Int] = []
        for i in 0..<f.n { for _ in 0..<f.ports[i] { o.append(i) } }
        owner = o
        size = o.count
    }

    /// Whether every node has one port (the expansion is the identity).
    var isIdentity: Bool { size == n && owner.enumerated().allSatisfy { $0 == $1 } }

    /// The copies' demand by McNaughton's wrap-around rule (McNaughton,
    /// "Scheduling with deadlines and loss functions", Management Science
    /// 1959), applied on both sides: node `i`'s row, entries in column
    /// order, is laid end to end and cut into `k_i` equal parts, one per
    /// transmitter copy; then each column's pieces, in row order, are cut
    /// likewise over the receiver copies. Every copy then carries exactly
    /// `1/k_i` of its node's line, as with ``expand(_:ports:)``, but each
    /// entry lands on a few copy pairs (more only where it is larger than a
    /// copy's share, which lets its parallel circuits carry it): at most
    /// `nnz + 2K` cells instead of `Σ k_i·k_j` per entry. Entries between a
    /// node and itself, or to or from a node without ports, are dropped.
    /// - Complexity: O(N² + K)
    func wrapAround(_ d: [Double], ports: [Int]) -> [Double] {
        if isIdentity { return d }
        var first = [Int](repeating: 0, count: n + 1)
        for i in 0..<n { first[i + 1] = first[i] + ports[i] }
        /// Cuts `amounts` (in order) over `parts` equal parts; calls `emit(index, part, amount)`.
        func wrap(_ amounts: [(index: Int, amount: Double)], parts: Int, _ emit: (Int, Int, Double) -> Void) {
            let total = amounts.reduce(0) { $0 + $1.amount }
            guard parts > 0, total > 0 else { return }
            let share = total / Double(parts)
            var part = 0, room = share
            for (index, amount) in amounts {
                var left = amount
                while left > 0 {
                    let take = part == parts - 1 ? left : min(left, room)
                    if take > 0 { emit(index, part, take) }
                    left -= take
                    room -= take
                    if room <= share * 1e-12 && part < parts - 1 { part += 1; room = share }
                }
            }
        }
        // Rows: pieces (i, j, transmitter copy, amount), grouped by column.
        var byColumn = [[(index: Int, amount: Double)]](repeating: [], count: n)
        var pieces: [(i: Int, a: Int)] = []
        for i in 0..<n where ports[i] > 0 {
            let entries = (0..<n).compactMap { j -> (index: Int, amount: Double)? in
                j != i && ports[j] > 0 && d[i * n + j] > 0 ? (j, d[i * n + j]) : nil
            }
            wrap(entries, parts: ports[i]) { j, a, amount in
                byColumn[j].append((pieces.count, amount))
                pieces.append((i, first[i] + a))
            }
        }
        var e = [Double](repeating: 0, count: size * size)
        for j in 0..<n where ports[j] > 0 {
            wrap(byColumn[j], parts: ports[j]) { piece, b, amount in
                e[pieces[piece].a * size + first[j] + b] += amount
            }
        }
        return e
    }

    /// The copies' demand, `K × K`; copies of one node never meet.
    func expand(_ d: [Double], ports: [Int]) -> [Double] {
        if isIdentity { return d }
        var e = [Double](repeating: 0, count: size * size)
        for a in 0..<size {
            let i = owner[a]
            for b in 0..<size {
                let j = owner[b]
                if i != j { e[a * size + b] = d[i * n + j] / Double(ports[i] * ports[j]) }
            }
        }
        return e
    }

    /// The configuration of a copy matching (`matchRow[a]` is `a`'s partner or -1).
    func configuration(_ matchRow: [Int], duration: Double) -> SlotConfig {
        var counts: [Int: Int] = [:]
        for a in 0..<size {
            let b = matchRow[a]
            guard b >= 0 else { continue }
            let i = owner[a], j = owner[b]
            if i != j { counts[i * n + j, default: 0] += 1 }
        }
        return SlotConfig(duration: duration, pairs: counts.keys.sorted().map { SlotConfig.PairCount(i: $0 / n, j: $0 % n, count: counts[$0]!) })
    }
}

/// Solstice's stuffing (Liu et al., CoNEXT 2015, §4.1): raise entries until
/// every row and column sums to the largest line sum `L`, first on cells
/// that already carry demand (no new circuit needed), then anywhere with
/// slack (the diagonal only as a last resort; matched there, a copy idles).
/// - Complexity: O(K²)
func stuffBistochastic(_ m: [Double], size k: Int, owner: [Int]) -> (matrix: [Double], lineSum: Double) {
    var s = m
    guard k > 0 else { return (s, 0) }
    var stuffing = Stuffing(m, size: k, owner: owner)
    let lineSum = stuffing.stuff(m, into: &s)
    return (s, lineSum)
}

/// ``stuffBistochastic(_:size:owner:)`` for a matrix that only shrinks
/// between calls (a planner that stuffs what is left once per
/// configuration): it keeps, per row, the cells where the stuffed matrix
/// can be non-zero, so a call costs O(K + cells) instead of O(K²) plus the
/// rows that need filling outside their own cells.
struct Stuffing {
    let k: Int
    let owner: [Int]
    /// Per row, the columns where the stuffed matrix may be non-zero: the
    /// matrix's support (ascending) followed by the cells stuffed outside it.
    private(set) var cells: [[Int32]]
    private var row: [Double]
    private var col: [Double]

    /// Starts from `m` (`k × k`); the stuffed matrix passed to ``stuff(_:into:)``
    /// must equal `m` on the first call.
    init(_ m: [Double], size k: Int, owner: [Int]) {
        precondition(m.count == k * k && owner.count == k)
        self.k = k
        self.owner = owner
        cells = (0..<k).map { a in (0..<k).compactMap { b in m[a * k + b] > 0 ? Int32(b) : nil } }
        row = [Double](repeating: 0, count: k)
        col = [Double](repeating: 0, count: k)
    }

    /// Writes into `s` the stuffing of `m` and returns its line sum `L` (0
    /// when `m` is all zero). Since the last call (or `init`), `m` may only
    /// have decreased, and `s` must be what that call wrote.
    /// - Complexity: O(K + Σ cells), plus O(K) per column with slack for
    ///   each row that its own cells cannot fill.
    mutating func stuff(_ m: [Double], into s: inout [Double]) -> Double {
        precondition(m.count == k * k && s.count == k * k)
        let k = self.k
        // Reset the last stuffing; keep the support of m. Sums in the order of the dense loops.
        for b in 0..<k { col[b] = 0 }
        for a in 0..<k {
            let count = cells[a].count
            var kept = 0
            var r = 0.0
            for idx in 0..<count {
                let b32 = cells[a][idx]
                let b = Int(b32), v = m[a * k + b]
                s[a * k + b] = v
                if v > 0 { cells[a][kept] = b32; kept += 1; r += v; col[b] += v }
            }
            cells[a].removeLast(count - kept)
            row[a] = r
        }
        var L = 0.0
        for a in 0..<k { L = max(L, row[a], col[a]) }
        guard L > 0 else { return 0 }
        let tol = L * 1e-13
        // Phase 1: existing non-zero cells.
        for a in 0..<k where L - row[a] > tol {
            for b32 in cells[a] {
                let b = Int(b32), x = a * k + b
                let add = min(L - row[a], L - col[b])
                if add > 0 { s[x] += add; row[a] += add; col[b] += add }
                if L - row[a] <= tol { break }
            }
        }
        // Phase 2: any cell between different nodes, then anything. Each row
        // scans the columns with slack cyclically from where the last one stopped.
        for pass in 0..<2 {
            let open = (0..<k).filter { L - col[$0] > tol }
            guard !open.isEmpty else { break }
            var b0 = 0
            for a in 0..<k where L - row[a] > tol {
                // The first open column at or after b0 (binary search), cyclically.
                var lo = 0, hi = open.count
                while lo < hi { let mid = (lo + hi) / 2; if open[mid] < b0 { lo = mid + 1 } else { hi = mid } }
                var idx = lo == open.count ? 0 : lo
                var visited = 0
                while L - row[a] > tol && visited < open.count {
                    let b = open[idx], x = a * k + b
                    if L - col[b] > tol && (pass == 1 || owner[a] != owner[b]) {
                        let add = min(L - row[a], L - col[b])
                        if s[x] == 0 { cells[a].append(Int32(b)) }
                        s[x] += add; row[a] += add; col[b] += add
                    }
                    if L - row[a] > tol { idx = (idx + 1) % open.count; visited += 1 } else { b0 = b }
                }
            }
        }
        return L
    }
}
