/// How good a set of offsets is (PROBLEMS.md §3).
public struct StaggerScore: Sendable, Equatable {
    /// `Σ_l Σ_τ max(0, load_l(τ) − C_l)·Δ`, bits per hyper-period.
    public var excess: Double
    /// `max_l,τ load_l(τ)/C_l` (0 when nothing is sent).
    public var peak: Double
    /// CASSINI-style compatibility: the mean, over the links that carry any
    /// load, of `1 − (mean excess rate over the hyper-period)/C_l`. 1 means
    /// collision-free; it falls below 0 only when a link's mean excess
    /// exceeds its capacity.
    public var compatibility: Double
    /// Excess per link, bits per hyper-period, in link order.
    public var excessByLink: [Double]
    /// Jobs that are active on some link at a slot with excess.
    public var collidingJobs: Set<Int>

    /// Whether `self` is better than `other` lexicographically (lower
    /// excess, then lower peak), with a relative tolerance so rounding
    /// noise never counts as an improvement.
    public func isBetter(than other: StaggerScore) -> Bool {
        StaggerScore.lexicographicallyBetter(excess, peak, than: other.excess, other.peak)
    }

    /// `(e1, p1) < (e2, p2)` lexicographically, with tolerances.
    static func lexicographicallyBetter(_ e1: Double, _ p1: Double, than e2: Double, _ p2: Double) -> Bool {
        let tolE = 1e-9 * max(1, abs(e2))
        if e1 < e2 - tolE { return true }
        if e1 > e2 + tolE { return false }
        return p1 < p2 - 1e-9 * max(1, abs(p2))
    }
}

extension StaggerGrid {
    /// The load of every link at every slot of the hyper-period.
    ///
    /// - Parameter offsets: offset of each job in slots.
    /// - Returns: `loads[l][τ]`, bits per second.
    /// - Complexity: O(L·H + Σ_k |links_k|·active_k·H/P_k).
    public func loads(offsets: [Int]) -> [[Double]] {
        precondition(offsets.count == jobs.count, "one offset per job")
        var loads = [[Double]](repeating: [Double](repeating: 0, count: hyperSlots), count: linkCount)
        for k in jobs.indices where jobs[k].isLoaded {
            let links = jobs[k].links
            forEachActiveSlot(job: k, offset: offsets[k]) { tau, r in
                for l in links { loads[l][tau] += r }
            }
        }
        return loads
    }

    /// Excess, peak, compatibility and colliding jobs of a set of offsets.
    ///
    /// - Parameter offsets: offset of each job in slots.
    /// - Complexity: as ``loads(offsets:)``.
    public func score(offsets: [Int]) -> StaggerScore {
        let loads = loads(offsets: offsets)
        var excessSlots = 0.0
        var peak = 0.0
        var byLink = [Double](repeating: 0, count: linkCount)
        var compatibilitySum = 0.0
        var loadedLinks = 0
        var overloaded = [[Bool]](repeating: [], count: linkCount)
        for l in 0..<linkCount {
            let c = capacities[l]
            var linkOver = 0.0
            var anyLoad = false
            var flags = [Bool](repeating: false, count: hyperSlots)
            for tau in 0..<hyperSlots {
                let load = loads[l][tau]
                if load > 0 { anyLoad = true }
                peak = max(peak, load / c)
                let o = StaggerGrid.over(load, c)
                if o > 0 { linkOver += o; flags[tau] = true }
            }
            overloaded[l] = flags
            excessSlots += linkOver
            byLink[l] = linkOver * step
            if anyLoad {
                loadedLinks += 1
                compatibilitySum += 1 - linkOver / (Double(hyperSlots) * c)
            }
        }
        var colliding = Set<Int>()
        for k in jobs.indices where jobs[k].isLoaded {
            let links = jobs[k].links
            var hit = false
            forEachActiveSlot(job: k, offset: offsets[k]) { tau, _ in
                if !hit, links.contains(where: { overloaded[$0][tau] }) { hit = true }
            }
            if hit { colliding.insert(k) }
        }
        return StaggerScore(excess: excessSlots * step, peak: peak,
                            compatibility: loadedLinks == 0 ? 1 : compatibilitySum / Double(loadedLinks),
                            excessByLink: byLink, collidingJobs: colliding)
    }

    /// A lower bound on the peak of any plan: no slot can carry less than
    /// the largest single rate, and the mean load of a link over the
    /// hyper-period does not depend on the offsets.
    ///
    /// - Complexity: O(jobs × links).
    public func peakLowerBound() -> Double {
        peakLowerBound(links: 0..<linkCount)
    }

    /// ``peakLowerBound()`` over some links only.
    ///
    /// - Complexity: O(jobs × links).
    func peakLowerBound<S: Sequence<Int>>(links: S) -> Double {
        var bound = 0.0
        for l in links {
            var bits = 0.0
            for k in jobsOnLink[l] {
                bound = max(bound, jobs[k].maxRate / capacities[l])
                bits += jobs[k].bitsPerHyperPeriod
            }
            bound = max(bound, bits / (Double(hyperSlots) * step) / capacities[l])
        }
        return bound
    }

    /// A lower bound on the excess of any plan: on each link, the mean load
    /// over the hyper-period does not depend on the offsets, and excess is
    /// convex in the load, so it is at least `max(0, mean − C)·H`.
    ///
    /// - Complexity: O(jobs × links).
    public func excessLowerBound() -> Double {
        var bound = 0.0
        for l in 0..<linkCount {
            var bits = 0.0
            for k in jobsOnLink[l] { bits += jobs[k].bitsPerHyperPeriod }
            let hyperSeconds = Double(hyperSlots) * step
            bound += max(0, bits - capacities[l] * hyperSeconds)
        }
        return bound
    }
}
