extension ScheduleHeuristics {
    /// Epochs mode (PROBLEMS.md §1b), `greedy`: epoch by epoch, the
    /// maximum-weight b-matching of what is available (backlog plus the
    /// epoch's predicted demand), where a circuit kept from the previous
    /// epoch is worth up to `r_c·L_e/8` bytes and a new one up to
    /// `r_c·(L_e − δ)/8` — the reconfiguration's lost bytes are the change
    /// penalty. The epoch is then scored (circuits, then the packet fabric)
    /// and its leftovers carried over.
    ///
    /// - Complexity: per epoch one b-matching (O(Σk·N²) exact up to
    ///   ``exactMatchingLimit`` nodes, sorted greedy above) and one
    ///   transportation max-flow.
    static func epochsGreedy(_ f: ScheduleFabric, durations: [Double], demands: [[Double]],
                             start: EpochsStart = EpochsStart()) -> [[Int]] {
        let n = f.n
        var backlog = start.backlog.count == n * n ? start.backlog : [Double](repeating: 0, count: n * n)
        var previous: [Int]? = start.circuits
        var plan: [[Int]] = []
        for e in durations.indices {
            let L = durations[e]
            for k in 0..<(n * n) { backlog[k] += demands[e][k] }
            let counts = epochMatching(f, duration: L, available: backlog, previous: previous)
            _ = ScheduleScoring.epochStep(f, duration: L, available: &backlog, counts: counts, previous: previous)
            plan.append(counts)
            previous = counts
        }
        return plan
    }

    /// One epoch of `greedy`: the maximum-weight b-matching of `available`
    /// where a circuit kept from `previous` is worth up to `r_c·L/8` bytes
    /// and a new one up to `r_c·(L − δ)/8` (every circuit counts as kept
    /// when `previous` is nil, the first epoch).
    /// - Complexity: one b-matching.
    static func epochMatching(_ f: ScheduleFabric, duration L: Double, available backlog: [Double], previous: [Int]?) -> [Int] {
        let n = f.n
        let units = f.ports.max() ?? 0
        var g = [[Double]](repeating: [Double](repeating: 0, count: n * n), count: units)
        let keep = f.circuitBps * L, fresh = f.circuitBps * max(0, L - f.delta)
        for i in 0..<n {
            for j in 0..<n where i != j {
                let k = i * n + j, v = backlog[k]
                guard v > 0 else { continue }
                var cum = 0.0
                for m in 0..<min(f.pairCap(i, j), units) {
                    let kept = previous == nil || m < previous![k]
                    let next = cum + (kept ? keep : fresh)
                    let gain = min(v, next) - min(v, cum)
                    if gain <= 0 { break }
                    g[m][k] = gain
                    cum = next
                }
            }
        }
        return units == 0 || f.circuitBps <= 0 ? [Int](repeating: 0, count: n * n)
            : maxWeightBMatching(n: n, rowCap: f.ports, colCap: f.ports, gains: g, exact: n <= exactMatchingLimit)
    }

    /// Epochs mode, `static`: one maximum-weight b-matching of the total
    /// demand (a circuit worth up to `r_c·ΣL_e/8`), held through every epoch.
    /// - Complexity: one b-matching.
    static func epochsStatic(_ f: ScheduleFabric, durations: [Double], demands: [[Double]]) -> [[Int]] {
        let n = f.n
        var total = [Double](repeating: 0, count: n * n)
        for d in demands { for k in 0..<(n * n) { total[k] += d[k] } }
        let counts = staticCounts(f, total, perCircuit: f.circuitBps * durations.reduce(0, +))
        return durations.map { _ in counts }
    }

    static func staticCounts(_ f: ScheduleFabric, _ d: [Double], perCircuit c: Double) -> [Int] {
        guard f.circuitBps > 0, f.ports.contains(where: { $0 > 0 }) else { return [Int](repeating: 0, count: f.n * f.n) }
        return maxWeightBMatching(n: f.n, rowCap: f.ports, colCap: f.ports,
                                  gains: unitGains(f, residual: d, perCircuit: c), exact: f.n <= exactMatchingLimit)
    }

    /// Epochs mode, `rotor`: epoch `e` holds round-robin configuration
    /// `e mod C` (see ``rotor(_:_:window:)``), whatever the demand.
    /// - Complexity: O(N·k) per epoch.
    static func epochsRotor(_ f: ScheduleFabric, durations: [Double]) -> [[Int]] {
        let n = f.n
        let round = rotor(f, [Double](repeating: 1, count: n * n), window: 1e300)
        guard !round.isEmpty else { return durations.map { _ in [Int](repeating: 0, count: n * n) } }
        return durations.indices.map { e in
            var c = [Int](repeating: 0, count: n * n)
            for p in round[e % round.count].pairs { c[p.i * n + p.j] += p.count }
            return c
        }
    }
}
