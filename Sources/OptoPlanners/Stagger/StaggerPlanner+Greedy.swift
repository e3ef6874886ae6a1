extension StaggerPlanner {
    /// Every offset 0: the baseline with no planning.
    ///
    /// - Complexity: O(jobs).
    public static func alignedOffsets(_ grid: StaggerGrid) -> [Int] {
        [Int](repeating: 0, count: grid.jobs.count)
    }

    /// The order greedy places jobs in: descending communication volume
    /// (bits per hyper-period summed over the job's links), ties by
    /// instance order. Jobs that load no link come last.
    ///
    /// - Complexity: O(jobs log jobs).
    static func greedyOrder(_ grid: StaggerGrid) -> [Int] {
        grid.jobs.indices.sorted { a, b in
            let va = grid.jobs[a].isLoaded ? grid.jobs[a].bitsPerHyperPeriod * Double(grid.jobs[a].links.count) : -1
            let vb = grid.jobs[b].isLoaded ? grid.jobs[b].bitsPerHyperPeriod * Double(grid.jobs[b].links.count) : -1
            return va != vb ? va > vb : a < b
        }
    }

    /// Greedy placement then local search.
    ///
    /// 1. Jobs in descending communication volume; each goes to the offset
    ///    that adds the least excess to the jobs already placed (ties: the
    ///    lower resulting peak, then the smaller offset).
    /// 2. Local search: take each job out in turn and put it back at its best
    ///    offset against all the others; keep the move when the plan's
    ///    (excess, peak) gets strictly better. Passes repeat until one
    ///    changes nothing (each kept move strictly lowers the plan's
    ///    lexicographic score, so this ends), or `shouldStop` returns true.
    ///
    /// Jobs that load no link keep offset 0.
    ///
    /// - Returns: the offsets in slots and the number of local-search moves kept.
    /// - Complexity: O(passes × Σ_k P_k × |links_k| × active_k × H/P_k),
    ///   plus O(L·H) per job for the per-link maxima.
    public static func greedyOffsets(_ grid: StaggerGrid, shouldStop: (() -> Bool)? = nil) -> (offsets: [Int], moves: Int) {
        let order = greedyOrder(grid).filter { grid.jobs[$0].isLoaded }
        let tolerance = 1e-9 * (grid.capacities.max() ?? 1)
        var state = StaggerLoadState(grid: grid)
        for k in order {
            let best = state.bestOffset(for: k, tolerance: tolerance)
            state.place(k, at: best.offset)
        }
        var moves = 0
        var changed = true
        var passes = 0
        while changed, passes < 10_000, !(shouldStop?() ?? false) {
            changed = false
            passes += 1
            for k in order {
                guard let current = state.offsets[k] else { continue }
                state.remove(k)
                let peaks = state.linkPeaks()
                let uses = Set(grid.jobs[k].links)
                var otherPeak = 0.0
                for l in 0..<grid.linkCount where !uses.contains(l) { otherPeak = max(otherPeak, peaks[l]) }
                let stay = state.trial(k, at: current, linkPeaks: peaks, otherPeak: otherPeak)
                let best = state.bestOffset(for: k, tolerance: tolerance)
                if best.offset != current,
                   StaggerLoadState.better(best.excess, best.peak, than: stay.excess, stay.peak, tolerance: tolerance) {
                    state.place(k, at: best.offset)
                    moves += 1
                    changed = true
                } else {
                    state.place(k, at: current)
                }
            }
        }
        return (state.offsets.map { $0 ?? 0 }, moves)
    }

    /// The exact optimum by enumerating every combination of offsets — a
    /// naive oracle for tests, with no symmetry reduction.
    ///
    /// - Parameter limit: the most combinations it will enumerate.
    /// - Returns: the lexicographically best (excess, peak) offsets, the
    ///   first found among equals (odometer order, job 0 fastest).
    /// - Throws: ``StaggerError/tooManyCombinations(limit:)``.
    /// - Complexity: O(Π_k P_k × cost of ``StaggerGrid/score(offsets:)``).
    public static func bruteForceOffsets(_ grid: StaggerGrid, limit: Int = 2_000_000) throws -> (offsets: [Int], score: StaggerScore) {
        var combinations = 1
        for job in grid.jobs {
            let (m, overflow) = combinations.multipliedReportingOverflow(by: job.period)
            guard !overflow, m <= limit else { throw StaggerError.tooManyCombinations(limit: limit) }
            combinations = m
        }
        var offsets = [Int](repeating: 0, count: grid.jobs.count)
        var best = (offsets: offsets, score: grid.score(offsets: offsets))
        while true {
            var k = 0
            while k < offsets.count {
                offsets[k] += 1
                if offsets[k] < grid.jobs[k].period { break }
                offsets[k] = 0
                k += 1
            }
            if k == offsets.count { break }
            let s = grid.score(offsets: offsets)
            if s.isBetter(than: best.score) { best = (offsets, s) }
        }
        return best
    }

    /// A priority order for the evaluator: among the jobs that collide
    /// (are active where some link's load exceeds its capacity), the
    /// shortest communication per iteration first, so it finishes and its
    /// phases separate from the others ("unfair" scheduling); then the
    /// jobs that never collide, in the same order. Ties by instance order.
    ///
    /// - Complexity: O(jobs log jobs) after scoring.
    public static func priorityOrder(_ grid: StaggerGrid, score: StaggerScore) -> [String] {
        func key(_ k: Int) -> (Int, Double, Int) {
            let j = grid.jobs[k]
            return (score.collidingJobs.contains(k) ? 0 : 1, Double(j.communicationSlots), k)
        }
        return grid.jobs.indices.sorted { key($0) < key($1) }.map { grid.jobs[$0].name }
    }
}
