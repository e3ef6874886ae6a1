import Foundation

extension ScheduleHeuristics {
    /// Solstice (Liu, Lu, Zhang, Porter, Snoeren, Vahdat et al., "Scheduling
    /// techniques for hybrid circuit/packet networks", CoNEXT 2015).
    ///
    /// 1. Stuff the demand (split over port copies when `k_i > 1`, see
    ///    ``PortExpansion``) to a bistochastic matrix with line sum `L`.
    /// 2. Slice: with `r` the largest power of two at most the largest
    ///    entry, while a perfect matching of the cells `≥ r` exists, hold it
    ///    for `r / (r_c/8)` and subtract `r` from its cells; otherwise halve
    ///    `r`. Hopcroft–Karp is kept incremental between slices.
    /// 3. Stop as soon as the packet fabric can finish the rest within the
    ///    span (makespan mode) or the window is full; below `r = 10⁻⁷·L` the
    ///    rest is decomposed exactly (BvN), so a fabric without packet
    ///    capacity is still served in full.
    /// The makespan pass then keeps the best prefix (see ``ScheduleFinish``).
    /// `stop` is polled before each slice; when it returns true the
    /// configurations so far are returned (a shorter, still valid schedule).
    ///
    /// - Complexity: O(K²) per slice plus O(K²) per re-augmentation, with
    ///   `K = Σ k_i`; the number of slices is at most `log(max/min)` halvings
    ///   plus the configurations emitted.
    static func solstice(_ f: ScheduleFabric, _ d: [Double], window: Double?, stop: () -> Bool = { false }) -> [SlotConfig] {
        decompose(f, d, window: window, quantised: true, stop: stop)
    }

    /// Birkhoff–von Neumann decomposition (Birkhoff 1946; von Neumann 1953;
    /// used for circuit switches by Chang, Chen & Huang, INFOCOM 2000): the
    /// demand stuffed to bistochastic (``stuffBistochastic(_:size:owner:)``,
    /// i.e. scaled to doubly stochastic by `1/L`) is written as a sum of
    /// perfect matchings, each held for its smallest cell, found by
    /// incremental Hopcroft–Karp on the positive cells. Emitted in the order
    /// found; the same stopping rule and finishing pass as Solstice.
    ///
    /// - Complexity: at most K² − 2K + 2 matchings, each after O(K²)
    ///   re-augmentation work.
    static func bvn(_ f: ScheduleFabric, _ d: [Double], window: Double?, stop: () -> Bool = { false }) -> [SlotConfig] {
        decompose(f, d, window: window, quantised: false, stop: stop)
    }

    private static func decompose(_ f: ScheduleFabric, _ d: [Double], window: Double?, quantised: Bool,
                                  stop: () -> Bool) -> [SlotConfig] {
        let ex = PortExpansion(f)
        let k = ex.size
        guard k >= 2, f.circuitBps > 0 else { return [] }
        var (s, lineSum) = stuffBistochastic(ex.expand(d, ports: f.ports), size: k, owner: ex.owner)
        guard lineSum > 0 else { return [] }
        var state = ResidualState(f, d)
        let matcher = ThresholdMatcher(n: k)
        let zero = lineSum * 1e-12
        func done() -> Bool {
            if state.remaining <= state.tol || stop() { return true }
            if let w = window { return state.span + f.delta >= w }
            return state.makespanSettled
        }
        if quantised {
            let largest = s.max() ?? 0
            var r = pow(2, floor(log2(largest)))
            let rMin = lineSum * 1e-7
            while r >= rMin && !done() {
                matcher.drop(below: r, weights: s)
                if matcher.repairPerfect(threshold: r, weights: s) {
                    // Hold the matching for as many slices of r as all its cells afford
                    // (what repeated slices of the same matching would do, without their δ).
                    var least = Double.infinity
                    for a in 0..<k { least = min(least, s[a * k + matcher.partner(ofRow: a)]) }
                    let slice = r * max(1, (least / r).rounded(.down))
                    state.apply(ex.configuration(matcher.matchRow, duration: slice / f.circuitBps))
                    for a in 0..<k { s[a * k + matcher.partner(ofRow: a)] -= slice }
                } else {
                    r /= 2
                }
            }
        }
        // Exact decomposition of what is left.
        var guardSteps = k * k + 8
        while !done() && guardSteps > 0 {
            guardSteps -= 1
            matcher.drop(below: zero, weights: s)
            guard matcher.repairPerfect(threshold: zero, weights: s) else { break }
            var least = Double.infinity
            for a in 0..<k { least = min(least, s[a * k + matcher.partner(ofRow: a)]) }
            state.apply(ex.configuration(matcher.matchRow, duration: least / f.circuitBps))
            for a in 0..<k {
                let c = a * k + matcher.partner(ofRow: a)
                s[c] -= least
                if s[c] < zero { s[c] = 0 }
            }
        }
        return state.slots
    }

    /// RotorNet's demand-oblivious round robin (Mellette et al., "RotorNet:
    /// a scalable, low-complexity, optical datacenter network", SIGCOMM 2017):
    /// the nodes with ports, in a cycle, are joined by every cyclic shift
    /// `i → i + s`, `s = 1 … A−1`, `k_min` shifts per configuration, each
    /// configuration held equally long. Window mode: one round fills the
    /// window (fewer configurations when `δ` would eat it). Makespan mode:
    /// the hold time is bisected so that the round ends when the packet
    /// fabric finishes what the circuits left.
    ///
    /// - Complexity: O(N²) per bisection step, 60 steps.
    static func rotor(_ f: ScheduleFabric, _ d: [Double], window: Double?) -> [SlotConfig] {
        let n = f.n
        let active = (0..<n).filter { f.ports[$0] > 0 }
        let a = active.count
        guard a >= 2, f.circuitBps > 0 else { return [] }
        let kmin = active.map { f.ports[$0] }.min()!
        var configs: [[SlotConfig.PairCount]] = []
        var shift = 1
        while shift < a {
            var pairs: [SlotConfig.PairCount] = []
            for s in shift..<min(a, shift + kmin) {
                for x in 0..<a { pairs.append(.init(i: active[x], j: active[(x + s) % a], count: 1)) }
            }
            configs.append(pairs)
            shift += kmin
        }
        if let w = window {
            var c = configs.count
            if f.delta > 0 { c = Int(min(Double(c), (w / (2 * f.delta)).rounded(.down))) }
            guard c >= 1 else { return [] }
            let t = w / Double(c) - f.delta
            guard t > 0 else { return [] }
            return configs.prefix(c).map { SlotConfig(duration: t, pairs: $0) }
        }
        let c = Double(configs.count)
        var hi = (d.max() ?? 0) / f.circuitBps
        guard hi > 0 else { return [] }
        func packet(_ t: Double) -> Double {
            let v = f.circuitBps * t
            return ScheduleScoring.packetTime(f, d.map { max(0, $0 - v) }, tolerance: 1e-9 * (d.reduce(0, +)))
        }
        // Pairs between ported nodes drain at t = D / (r_c/8); others need the packet fabric.
        var lo = 0.0
        if packet(hi) > c * (f.delta + hi) {
            return configs.map { SlotConfig(duration: hi, pairs: $0) }
        }
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            if c * (f.delta + mid) < packet(mid) { lo = mid } else { hi = mid }
        }
        let t = c * (f.delta + lo) < packet(lo) ? hi : lo
        return configs.map { SlotConfig(duration: t, pairs: $0) }
    }
}
