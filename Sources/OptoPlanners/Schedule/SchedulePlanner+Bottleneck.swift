import Foundation

extension ScheduleHeuristics {
    /// The share of its slack behind the busiest line that a line may spend
    /// idle in one configuration of ``bottleneck(_:_:window:)``: 1, all of
    /// it (0.25 to 1 measured within 0.3 % of one another on the Facebook
    /// matrices; below, configurations get short and many).
    static let bottleneckIdleShare = 1.0

    /// Bottleneck slicing: the packet fabric takes the small entries first,
    /// then Solstice's stuffed perfect matchings are held as long as the
    /// busiest lines' circuits have data.
    ///
    /// Solstice (``solstice(_:_:window:)``) slices every cell by powers of
    /// two, which splits each entry of the busiest node into several
    /// configurations: on the Facebook cluster A matrix the busiest node's
    /// circuit is dark for `δ` in more than 500 of them, 9 % of the span.
    /// The makespan, though, is set by the busiest lines (rows or columns)
    /// alone; the others have slack and may idle. Here:
    ///
    /// 1. Packet first, for a target span `T` (`W` in window mode, the §1a
    ///    lower bound in makespan mode; ``packetFirst(_:_:target:)``): node
    ///    `i` may send and receive `p_i·T/8` on the packet fabric. Pairs no
    ///    circuit can join take that budget first; then the lines, busiest
    ///    first, each hand their smallest entries whole to the packet fabric
    ///    while both lines of the entry have budget left. The rest, `C`, is
    ///    the circuits' work.
    /// 2. Repeatedly: stuff what is left of `C` (split over port copies by
    ///    McNaughton's wrap-around rule, ``PortExpansion/wrapAround(_:ports:)``:
    ///    every copy carries an equal share of its node's line, and each
    ///    entry lands on a few copies, not on all `k_i·k_j` pairs of them) to
    ///    a bistochastic matrix with line sum `L`, the
    ///    largest line left (``stuffBistochastic(_:size:owner:)``); take a
    ///    perfect matching of its cells at or above Solstice's threshold `r`
    ///    (halved when there is none; Hopcroft–Karp kept incremental); hold
    ///    it for `t = min over matched lines ℓ of (c_ℓ + β·(L − L_ℓ))/(r_c/8)`,
    ///    over the lines whose matched cell has data, where `c_ℓ` is what
    ///    that cell still has to carry, `L_ℓ` what the line has left and
    ///    `β` = ``bottleneckIdleShare`` = 1: hold until a line would fall
    ///    behind the busiest one. A line at `L` is never stuffed and has no
    ///    slack, so its circuit carries data in every configuration and
    ///    each of its entries is served in one piece, not in one slice per
    ///    binary digit; lighter lines may idle or be cut.
    /// 3. Stop as Solstice does (the packet fabric can finish the rest within
    ///    the span, or the window is full); the makespan pass keeps the best
    ///    prefix (``ScheduleFinish/bestPrefix(_:_:_:)``). `stop` is polled
    ///    before each configuration; when it returns true the configurations
    ///    so far are returned (a shorter, still valid schedule).
    ///
    /// Each configuration drains at least one cell of `C` (the one that sets
    /// `t`), so there are at most `nnz(C)` of them (port copies counted).
    ///
    /// - Complexity: O(N² + P log P) for the packet choice (`P` non-zero
    ///   pairs), then O(K²) per configuration (stuffing and the matcher's
    ///   adjacency) plus the matching repairs, with `K = Σ k_i`.
    static func bottleneck(_ f: ScheduleFabric, _ d: [Double], window: Double?, stop: () -> Bool = { false }) -> [SlotConfig] {
        guard f.circuitBps > 0, f.ports.contains(where: { $0 > 0 }) else { return [] }
        let target = window ?? ScheduleScoring.lowerBound(f, d)
        guard target.isFinite else { return [] }
        return bottleneckSlices(f, d, window: window, circuitDemand: packetFirst(f, d, target: target),
                                idleShare: bottleneckIdleShare, stop: stop)
    }

    /// The demand left to the circuits when the packet fabric carries, over
    /// a span of `target`, at most `p_i·target/8` from and to each node:
    /// first the pairs no circuit can join, then, line by line from the
    /// busiest (rows and columns together), each line's smallest entries
    /// whole while both of their lines have budget left. Taking the busiest
    /// lines first keeps the budget of their partners for them: smallest
    /// entries first over the whole matrix would let light lines take it.
    /// - Complexity: O(N² + P log P), `P` the non-zero pairs.
    static func packetFirst(_ f: ScheduleFabric, _ d: [Double], target: Double) -> [Double] {
        let n = f.n
        var sendLeft = f.packetBps.map { $0 * target }
        var receiveLeft = sendLeft
        var c = d
        var candidates: [Int] = []
        for k in 0..<(n * n) where d[k] > 0 {
            let i = k / n, j = k % n
            if f.pairCap(i, j) == 0 {
                // Only the packet fabric can carry it: it uses the budget first.
                sendLeft[i] -= d[k]
                receiveLeft[j] -= d[k]
                c[k] = 0
            } else {
                candidates.append(k)
            }
        }
        candidates.sort { d[$0] < d[$1] || (d[$0] == d[$1] && $0 < $1) }
        var rowSum = [Double](repeating: 0, count: n), colSum = [Double](repeating: 0, count: n)
        var byRow = [[Int]](repeating: [], count: n), byCol = [[Int]](repeating: [], count: n)
        for k in candidates {
            rowSum[k / n] += d[k]; colSum[k % n] += d[k]
            byRow[k / n].append(k); byCol[k % n].append(k)
        }
        // Lines 0..<n are rows, n..<2n columns.
        func sum(_ line: Int) -> Double { line < n ? rowSum[line] : colSum[line - n] }
        let lines = (0..<(2 * n)).sorted { sum($0) > sum($1) || (sum($0) == sum($1) && $0 < $1) }
        for line in lines {
            for k in (line < n ? byRow[line] : byCol[line - n]) where c[k] > 0 {
                let i = k / n, j = k % n, v = d[k]
                if v <= sendLeft[i] && v <= receiveLeft[j] {
                    sendLeft[i] -= v
                    receiveLeft[j] -= v
                    c[k] = 0
                }
            }
        }
        return c
    }

    /// Step 2 of ``bottleneck(_:_:window:)`` on the circuits' work `circuitDemand`.
    static func bottleneckSlices(_ f: ScheduleFabric, _ d: [Double], window: Double?, circuitDemand: [Double],
                                 idleShare beta: Double, stop: () -> Bool) -> [SlotConfig] {
        let ex = PortExpansion(f)
        let k = ex.size
        guard k >= 2 else { return [] }
        var e = ex.wrapAround(circuitDemand, ports: f.ports)
        var row = [Double](repeating: 0, count: k), col = [Double](repeating: 0, count: k)
        var cells = 0
        for a in 0..<k {
            for b in 0..<k where e[a * k + b] > 0 { row[a] += e[a * k + b]; col[b] += e[a * k + b]; cells += 1 }
        }
        let initial = max(row.max() ?? 0, col.max() ?? 0)
        guard initial > 0 else { return [] }
        let zero = initial * 1e-12
        let rMin = initial * 1e-7
        var state = ResidualState(f, d)
        func done() -> Bool {
            if state.remaining <= state.tol || stop() { return true }
            if let w = window { return state.span + f.delta >= w }
            return state.makespanSettled
        }
        let matcher = ThresholdMatcher(n: k)
        var stuffing = Stuffing(e, size: k, owner: ex.owner)
        var s = e
        var r = -1.0
        var steps = cells + 8
        while steps > 0 && !done() {
            steps -= 1
            var largest = 0.0
            for a in 0..<k { largest = max(largest, row[a], col[a]) }
            if largest <= zero { break }
            _ = stuffing.stuff(e, into: &s)
            if r < 0 { r = pow(2, floor(log2(s.max() ?? 0))) }
            var threshold = r >= rMin ? r : zero
            // Stuffing may have raised cells above the threshold: rebuild the adjacency.
            matcher.prepare(threshold: threshold, weights: s, candidates: stuffing.cells)
            matcher.drop(below: threshold, weights: s)
            var perfect = matcher.repairPerfect(threshold: threshold, weights: s)
            while !perfect && threshold > zero {
                r /= 2
                threshold = r >= rMin ? r : zero
                matcher.prepare(threshold: threshold, weights: s, candidates: stuffing.cells)
                perfect = matcher.repairPerfect(threshold: threshold, weights: s)
            }
            guard perfect else { break }
            // Hold while no line falls behind the busiest by more than its share of
            // slack. A line matched to a stuffed cell idles whatever the hold and sets
            // no limit; the cell that sets it is drained.
            var hold = Double.infinity
            for a in 0..<k {
                let b = matcher.partner(ofRow: a)
                let v = e[a * k + b]
                if v > 0 { hold = min(hold, v + beta * (largest - max(row[a], col[b]))) }
            }
            guard hold.isFinite, hold > 0 else { break }
            var config = ex.configuration(matcher.matchRow, duration: hold / f.circuitBps)
            // Circuits on pairs with nothing left would only idle.
            config.pairs.removeAll { state.residual[$0.i * f.n + $0.j] <= 0 }
            state.apply(config)
            for a in 0..<k {
                let b = matcher.partner(ofRow: a)
                let cell = a * k + b
                guard e[cell] > 0 else { continue }
                var served = min(e[cell], hold)
                // A pair drained as a whole (its circuits pool the copies' shares) leaves its copies nothing.
                if e[cell] - served <= zero || state.residual[ex.owner[a] * f.n + ex.owner[b]] <= 0 { served = e[cell] }
                e[cell] -= served
                row[a] -= served
                col[b] -= served
            }
        }
        return state.slots
    }
}
