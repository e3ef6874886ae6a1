/// Link loads of a partial or complete set of offsets, updated job by job.
///
/// The greedy placement and the local search both ask one question many
/// times: with every other job where it is, what excess and peak would job
/// `k` at offset `o` give? Adding a non-negative rate only raises a link's
/// load, so the answer needs only the slots where `k` is active plus the
/// per-link maxima of the loads without `k`.
struct StaggerLoadState {
    let grid: StaggerGrid
    /// `loads[l][τ]`, bits per second, of the jobs currently placed.
    var loads: [[Double]]
    /// Offset of each placed job, nil when not placed.
    var offsets: [Int?]

    init(grid: StaggerGrid) {
        self.grid = grid
        self.loads = [[Double]](repeating: [Double](repeating: 0, count: grid.hyperSlots), count: grid.linkCount)
        self.offsets = [Int?](repeating: nil, count: grid.jobs.count)
    }

    /// Adds job `k` at offset `o`.
    mutating func place(_ k: Int, at o: Int) {
        precondition(offsets[k] == nil)
        offsets[k] = o
        let links = grid.jobs[k].links
        grid.forEachActiveSlot(job: k, offset: o) { tau, r in
            for l in links { loads[l][tau] += r }
        }
    }

    /// Removes job `k`, restoring exact zeros where nothing else is active.
    mutating func remove(_ k: Int) {
        guard let o = offsets[k] else { return }
        offsets[k] = nil
        let links = grid.jobs[k].links
        grid.forEachActiveSlot(job: k, offset: o) { tau, r in
            for l in links {
                let v = loads[l][tau] - r
                loads[l][tau] = abs(v) <= r * 1e-12 ? 0 : v
            }
        }
    }

    /// Excess (bits per second × slots) and peak of the current placement.
    ///
    /// - Complexity: O(L·H), no allocation.
    func excessAndPeak() -> (excess: Double, peak: Double) {
        var excess = 0.0, peak = 0.0
        for l in 0..<grid.linkCount {
            let c = grid.capacities[l]
            var most = 0.0
            for v in loads[l] {
                excess += StaggerGrid.over(v, c)
                if v > most { most = v }
            }
            peak = max(peak, most / c)
        }
        return (excess, peak)
    }

    /// The largest load/capacity of every link, with the current placement.
    func linkPeaks() -> [Double] {
        (0..<grid.linkCount).map { l in (loads[l].max() ?? 0) / grid.capacities[l] }
    }

    /// The excess added (in bits per second × slots) and the resulting
    /// global peak if job `k`, not placed, were placed at offset `o`.
    ///
    /// - Parameters:
    ///   - linkPeaks: ``linkPeaks()`` of the current placement.
    ///   - otherPeak: the largest of `linkPeaks` over links `k` does not use.
    /// - Complexity: O(|links_k| × active_k × H/P_k).
    func trial(_ k: Int, at o: Int, linkPeaks: [Double], otherPeak: Double) -> (excess: Double, peak: Double) {
        let links = grid.jobs[k].links
        var added = 0.0
        var peak = otherPeak
        for l in links { peak = max(peak, linkPeaks[l]) }
        grid.forEachActiveSlot(job: k, offset: o) { tau, r in
            for l in links {
                let c = grid.capacities[l]
                let before = loads[l][tau]
                let after = before + r
                added += StaggerGrid.over(after, c) - StaggerGrid.over(before, c)
                let ratio = after / c
                if ratio > peak { peak = ratio }
            }
        }
        return (added, peak)
    }

    /// The offset of `0..<P_k` that adds the least excess, ties broken by
    /// the lower resulting peak, then by the smaller offset.
    func bestOffset(for k: Int, tolerance: Double) -> (offset: Int, excess: Double, peak: Double) {
        let peaks = linkPeaks()
        let uses = Set(grid.jobs[k].links)
        var otherPeak = 0.0
        for l in 0..<grid.linkCount where !uses.contains(l) { otherPeak = max(otherPeak, peaks[l]) }
        var best = (offset: 0, excess: Double.infinity, peak: Double.infinity)
        for o in 0..<grid.jobs[k].period {
            let t = trial(k, at: o, linkPeaks: peaks, otherPeak: otherPeak)
            if Self.better(t.excess, t.peak, than: best.excess, best.peak, tolerance: tolerance) {
                best = (o, t.excess, t.peak)
            }
        }
        return best
    }

    /// `(e1, p1) < (e2, p2)` lexicographically; excess differences within
    /// `tolerance` (bits per second × slots) and peak differences within
    /// 1e-9 count as ties.
    static func better(_ e1: Double, _ p1: Double, than e2: Double, _ p2: Double, tolerance: Double) -> Bool {
        if e2 == .infinity { return e1 < .infinity || p1 < p2 }
        if e1 < e2 - tolerance { return true }
        if e1 > e2 + tolerance { return false }
        return p1 < p2 - 1e-9
    }
}
