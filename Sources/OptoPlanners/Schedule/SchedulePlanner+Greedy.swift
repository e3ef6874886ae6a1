/// The window-mode heuristics of PROBLEMS.md §1, each returning the
/// configurations it holds, in order (durations in seconds).
enum ScheduleHeuristics {
    /// Largest instance (nodes) on which the weighted heuristics use the
    /// exact b-matching; above it they use the sorted greedy ½-approximation.
    static let exactMatchingLimit = 96

    /// Gains of the `m`-th parallel circuit on each pair when a circuit moves
    /// `perCircuit` bytes and the pair has `residual` left:
    /// `min(R, (m+1)·c) − min(R, m·c)`, cut at `min(k_i, k_j)` circuits.
    static func unitGains(_ f: ScheduleFabric, residual r: [Double], perCircuit c: Double) -> [[Double]] {
        let n = f.n
        let units = f.ports.max() ?? 0
        guard units > 0 else { return [] }
        var g = [[Double]](repeating: [Double](repeating: 0, count: n * n), count: units)
        for i in 0..<n {
            for j in 0..<n where i != j {
                let k = i * n + j, v = r[k]
                guard v > 0 else { continue }
                let cap = f.pairCap(i, j)
                for m in 0..<min(cap, units) {
                    let gain = min(v, Double(m + 1) * c) - min(v, Double(m) * c)
                    if gain <= 0 { break }
                    g[m][k] = gain
                }
            }
        }
        return g
    }

    /// A configuration from per-pair circuit counts.
    static func slot(_ n: Int, counts: [Int], duration: Double) -> SlotConfig {
        var pairs: [SlotConfig.PairCount] = []
        for k in 0..<(n * n) where counts[k] > 0 { pairs.append(.init(i: k / n, j: k % n, count: counts[k])) }
        return SlotConfig(duration: duration, pairs: pairs)
    }

    /// A configuration from circuit counts keyed by pair index `i*n + j`.
    static func slot(_ n: Int, counts: [Int: Int], duration: Double) -> SlotConfig {
        let pairs = counts.keys.sorted().compactMap { k in counts[k]! > 0 ? SlotConfig.PairCount(i: k / n, j: k % n, count: counts[k]!) : nil }
        return SlotConfig(duration: duration, pairs: pairs)
    }

    /// The hold time `t` among the pairs' drain times that maximises the
    /// bytes served per unit of time including the reconfiguration,
    /// `Σ min(R_ij, n_ij·r_c·t/8) / (δ + t)`, capped by `limit`.
    /// - Complexity: O(P log P) for `P` matched pairs.
    static func bestHold(_ f: ScheduleFabric, residual r: [Double], counts: [Int: Int], limit: Double) -> (duration: Double, served: Double) {
        var items: [(t: Double, r: Double, rate: Double)] = []
        for k in counts.keys.sorted() where counts[k]! > 0 && r[k] > 0 {
            let rate = Double(counts[k]!) * f.circuitBps
            items.append((min(r[k] / rate, limit), r[k], rate))
        }
        guard !items.isEmpty else { return (0, 0) }
        items.sort { $0.t < $1.t }
        var rateLeft = items.reduce(0) { $0 + $1.rate }
        var drained = 0.0
        var best = (duration: 0.0, served: 0.0), bestRatio = -1.0
        for it in items {
            let t = it.t
            guard t > 0 else { drained += it.r; rateLeft -= it.rate; continue }
            let served = drained + rateLeft * t
            let ratio = served / (f.delta + t)
            if ratio > bestRatio { bestRatio = ratio; best = (t, served) }
            drained += min(it.r, it.rate * t)
            rateLeft -= it.rate
        }
        return best
    }

    /// One maximum-weight b-matching held for the whole span
    /// (the static-topology baseline, e.g. c-Through's and Helios'
    /// configuration of one epoch). Window mode: held for `W − δ` with gains
    /// `min(D, circuit volume)`. Makespan mode: the hold time is bisected so
    /// the circuits end when the packet fabric does, and the matching is
    /// recomputed for that hold time (three rounds).
    ///
    /// - Complexity: O(Σk·N²) per matching (exact), O(N² log N) above ``exactMatchingLimit``.
    static func staticPlan(_ f: ScheduleFabric, _ d: [Double], window: Double?) -> [SlotConfig] {
        let n = f.n
        guard f.circuitBps > 0 else { return [] }
        let exact = n <= exactMatchingLimit
        func match(_ t: Double) -> [Int] {
            maxWeightBMatching(n: n, rowCap: f.ports, colCap: f.ports,
                               gains: unitGains(f, residual: d, perCircuit: f.circuitBps * t), exact: exact)
        }
        if let w = window {
            let t = w - f.delta
            guard t > 0 else { return [] }
            let counts = match(t)
            return counts.contains(where: { $0 > 0 }) ? [slot(n, counts: counts, duration: t)] : []
        }
        var t = max(ScheduleScoring.lowerBound(f, d), 1e-12)
        var best: SlotConfig? = nil, bestT = Double.infinity
        for _ in 0..<3 {
            let counts = match(t)
            guard counts.contains(where: { $0 > 0 }) else { break }
            let hold = balancedHold(f, d, counts: counts)
            let s = slot(n, counts: counts, duration: hold.duration)
            if hold.makespan < bestT { bestT = hold.makespan; best = s }
            t = hold.duration
        }
        return best.map { [$0] } ?? []
    }

    /// For one configuration held alone, the hold time minimising
    /// `max(δ + t, packet time of the residual)` by bisection.
    static func balancedHold(_ f: ScheduleFabric, _ d: [Double], counts: [Int]) -> (duration: Double, makespan: Double) {
        var hi = 0.0
        for k in counts.indices where counts[k] > 0 { hi = max(hi, d[k] / (Double(counts[k]) * f.circuitBps)) }
        let tol = 1e-9 * d.reduce(0, +)
        func packet(_ t: Double) -> Double {
            var r = d
            for k in counts.indices where counts[k] > 0 { r[k] = max(0, r[k] - Double(counts[k]) * f.circuitBps * t) }
            return ScheduleScoring.packetTime(f, r, tolerance: tol)
        }
        var lo = 0.0
        if packet(hi) >= f.delta + hi { return (hi, packet(hi)) }
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            if f.delta + mid < packet(mid) { lo = mid } else { hi = mid }
        }
        return (hi, max(f.delta + hi, packet(hi)))
    }

    /// Greedy: repeatedly the maximum-weight b-matching of the residual
    /// demand (each extra parallel circuit weighted by what it adds for the
    /// previous hold time), held for the drain time that serves the most
    /// bytes per unit of time including `δ` (``bestHold(_:residual:counts:limit:)``).
    /// The sunflow/"max-weight matching" baseline of the hybrid-switch
    /// literature (e.g. Helios, Farrington et al., SIGCOMM 2010).
    ///
    /// - Complexity: per configuration one b-matching, O(Σk·N²) exact or
    ///   O(N² log N) sorted-greedy above ``exactMatchingLimit`` — O(N²) with
    ///   one port per node, where the pairs are kept sorted by residual
    ///   (``ResidualOrder``) and only the served ones are re-placed; at most
    ///   N² configurations (each drains a pair), stopped early by the packet rule.
    static func greedy(_ f: ScheduleFabric, _ d: [Double], window: Double?, stop: () -> Bool = { false }) -> [SlotConfig] {
        weighted(f, d, window: window, eclipse: false, stop: stop)
    }

    /// Eclipse (Bojja Venkatakrishnan, Alizadeh & Viswanath, "Costly
    /// circuits, submodular schedules and approximate Carathéodory theorems",
    /// SIGMETRICS 2016): greedily the configuration and hold time `t` that
    /// maximise the bytes served per unit of time including the
    /// reconfiguration, `Σ min(R_ij, n_ij·r_c·t/8) / (δ + t)` — a
    /// submodular-cover greedy with a (1 − 1/e)-style guarantee in the
    /// window setting. For each candidate `t` on a halving grid from the
    /// largest drain time (8 values, 4 above ``exactMatchingLimit``) the maximum-weight b-matching of
    /// `min(R, r_c·t/8)` is found; the best ratio wins, and its hold time is
    /// refined over the matched pairs' drain times.
    ///
    /// - Complexity: 8 b-matchings per configuration, 4 above the limit
    ///   (see ``greedy(_:_:window:)``).
    static func eclipse(_ f: ScheduleFabric, _ d: [Double], window: Double?, stop: () -> Bool = { false }) -> [SlotConfig] {
        weighted(f, d, window: window, eclipse: true, stop: stop)
    }

    /// `greedy` and `eclipse`; `stop` is polled before each configuration,
    /// and when it returns true the configurations so far are returned.
    private static func weighted(_ f: ScheduleFabric, _ d: [Double], window: Double?, eclipse: Bool,
                                 stop: () -> Bool) -> [SlotConfig] {
        let n = f.n
        guard f.circuitBps > 0, f.ports.contains(where: { $0 > 0 }) else { return [] }
        let exact = n <= exactMatchingLimit
        var state = ResidualState(f, d)
        // Above the exact limit with one port per node: the same sorted greedy from one
        // order of the residual, kept up to date, instead of a sort per matching.
        var order = exact || f.ports.contains(where: { $0 > 1 }) ? nil : ResidualOrder(d)
        /// The b-matching for circuits that each carry `perCircuit` bytes: circuits per pair and the bytes they serve.
        func matching(_ perCircuit: Double) -> (counts: [Int: Int], served: Double) {
            if let order {
                return order.greedyMatching(f, residual: state.residual, perCircuit: perCircuit,
                                            rowLoad: state.rowSum, colLoad: state.colSum)
            }
            let g = unitGains(f, residual: state.residual, perCircuit: perCircuit)
            let dense = maxWeightBMatching(n: n, rowCap: f.ports, colCap: f.ports, gains: g, exact: exact)
            var counts: [Int: Int] = [:], served = 0.0
            for k in dense.indices where dense[k] > 0 {
                counts[k] = dense[k]
                for m in 0..<dense[k] { served += g[m][k] }
            }
            return (counts, served)
        }
        var hold = (d.max() ?? 0) / f.circuitBps
        var steps = n * n + 8
        while steps > 0 {
            steps -= 1
            if state.remaining <= state.tol || stop() { break }
            let limit: Double
            if let w = window {
                limit = w - state.span - f.delta
                if limit <= 0 { break }
            } else {
                if state.makespanSettled { break }
                limit = .infinity
            }
            var bestCounts: [Int: Int] = [:], bestT = 0.0, bestRatio = -1.0
            if eclipse {
                let largest = order.map { $0.pairs.first.map { state.residual[Int($0)] } ?? 0 } ?? (state.residual.max() ?? 0)
                var t = min(limit, largest / f.circuitBps)
                for _ in 0..<(exact ? 8 : 4) {
                    let (counts, served) = matching(f.circuitBps * t)
                    let ratio = served / (f.delta + t)
                    if ratio > bestRatio { bestRatio = ratio; bestCounts = counts; bestT = t }
                    t /= 2
                }
                let refined = bestHold(f, residual: state.residual, counts: bestCounts, limit: limit)
                if refined.duration > 0 && refined.served / (f.delta + refined.duration) > bestRatio {
                    bestT = refined.duration
                }
            } else {
                bestCounts = matching(f.circuitBps * min(hold, limit)).counts
                bestT = bestHold(f, residual: state.residual, counts: bestCounts, limit: limit).duration
            }
            guard bestT > 0, !bestCounts.isEmpty else { break }
            hold = bestT
            state.apply(slot(n, counts: bestCounts, duration: bestT))
            order?.update(state.residual, changed: Array(bestCounts.keys))
        }
        return state.slots
    }
}
