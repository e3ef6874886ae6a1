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

    /// Greedy placement, local search, then iterated local search.
    ///
    /// 1. Jobs in descending communication volume; each goes to the offset
    ///    that adds the least excess to the jobs already placed (ties: the
    ///    lower resulting peak, then the smaller offset).
    /// 2. Local search: take a job out and put it back at its best offset
    ///    against all the others; keep the move when the plan's
    ///    (excess, peak) gets strictly better, and then revisit the jobs
    ///    sharing a link with it. It ends when no single move helps (each
    ///    kept move strictly lowers the lexicographic score, so it ends).
    /// 3. Kicks (iterated local search): `kicks` times, move one job and
    ///    one of its link neighbours to pseudo-random offsets (a fixed seed,
    ///    so plans are reproducible), run the local search from there, and
    ///    keep the result only when it beats the best plan so far.
    ///
    /// The result is a local optimum: no single move improves it. Jobs that
    /// load no link keep offset 0.
    ///
    /// - Parameter kicks: perturbations after the first local search
    ///   (default: `3 × jobs`, at least 16).
    /// - Returns: the offsets in slots and the number of improving moves kept.
    /// - Complexity: O((1 + kicks) × moves × P × |links| × active × H/P),
    ///   plus O(L·H) per move for the per-link maxima.
    public static func greedyOffsets(_ grid: StaggerGrid, kicks: Int? = nil,
                                     shouldStop: (() -> Bool)? = nil) -> (offsets: [Int], moves: Int) {
        let order = greedyOrder(grid).filter { grid.jobs[$0].isLoaded }
        let tolerance = 1e-9 * (grid.capacities.max() ?? 1)
        var state = StaggerLoadState(grid: grid)
        for k in order {
            let best = state.bestOffset(for: k, tolerance: tolerance)
            state.place(k, at: best.offset)
        }
        // Neighbours: jobs sharing a link.
        var neighbours = [[Int]](repeating: [], count: grid.jobs.count)
        for k in order {
            var set = Set<Int>()
            for l in grid.jobs[k].links { set.formUnion(grid.jobsOnLink[l]) }
            set.remove(k)
            neighbours[k] = set.sorted()
        }
        var moves = localSearch(&state, start: order, neighbours: neighbours, tolerance: tolerance, shouldStop: shouldStop)
        var best = state
        var bestScore = state.excessAndPeak()
        let kickCount = kicks ?? max(16, 3 * order.count)
        var rng = SplitMix64(seed: 0x5EED_0F_57A6)
        for _ in 0..<(order.isEmpty ? 0 : kickCount) {
            if shouldStop?() ?? false { break }
            let a = order[Int(rng.next() % UInt64(order.count))]
            var kicked = [a]
            if !neighbours[a].isEmpty { kicked.append(neighbours[a][Int(rng.next() % UInt64(neighbours[a].count))]) }
            for k in kicked {
                state.remove(k)
                state.place(k, at: Int(rng.next() % UInt64(grid.jobs[k].period)))
            }
            var start = kicked
            for k in kicked { start += neighbours[k] }
            let m = localSearch(&state, start: start, neighbours: neighbours, tolerance: tolerance, shouldStop: shouldStop)
            let score = state.excessAndPeak()
            if StaggerLoadState.better(score.excess, score.peak, than: bestScore.excess, bestScore.peak, tolerance: tolerance) {
                best = state
                bestScore = score
                moves += m
            } else {
                state = best
            }
        }
        return (best.offsets.map { $0 ?? 0 }, moves)
    }

    /// Single-job moves from a worklist until none helps; returns the moves kept.
    static func localSearch(_ state: inout StaggerLoadState, start: [Int], neighbours: [[Int]],
                            tolerance: Double, shouldStop: (() -> Bool)?) -> Int {
        let grid = state.grid
        var queue: [Int] = []
        var queued = [Bool](repeating: false, count: grid.jobs.count)
        for k in start where !queued[k] { queue.append(k); queued[k] = true }
        var head = 0
        var moves = 0
        while head < queue.count {
            if moves % 64 == 63, shouldStop?() ?? false { break }
            let k = queue[head]
            head += 1
            queued[k] = false
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
                for n in neighbours[k] + [k] where !queued[n] { queue.append(n); queued[n] = true }
                if head > 4096 { queue.removeFirst(head); head = 0 }
            } else {
                state.place(k, at: current)
            }
        }
        return moves
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

/// SplitMix64: a small seeded generator so heuristic plans are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
