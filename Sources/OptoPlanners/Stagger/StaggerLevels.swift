import Foundation

/// The values the exact model's two objectives can take on one component,
/// so that a bound can be rounded up to the next attainable value.
///
/// **Peak levels.** At any slot the load of link `l` is a sum, over the jobs
/// on `l`, of one value of each job's rate profile (0 included when the job
/// has an idle slot). The peak `max load/C` is therefore one of the finitely
/// many values `Σ_k v_k / C_l`, `v_k ∈ values(profile_k)`. A lower bound `b`
/// on the peak can be raised to the smallest such value `≥ b`, and a search
/// may stop as soon as its bound exceeds the largest value below its
/// incumbent.
///
/// **Excess quantum.** In model units the total excess is
/// `E = Σ_{l,τ} (load_l(τ) − C_l)⁺ / max C`, a sum of integer combinations of
/// profile values and capacities divided by `max C`. When all of them are
/// integer multiples of one rate `g` (their gcd), `E` is a multiple of
/// `q = g / max C`, and a search whose bound is within less than `q` of its
/// incumbent has proven it optimal. With real-valued rates there may be no
/// useful `g`; then no quantum is claimed.
struct StaggerLevels {
    /// Most peak levels enumerated per link before giving up (the subset
    /// sums of many distinct rates grow exponentially).
    static let maxLevelsPerLink = 4096

    /// Sorted distinct attainable values of `load/C` over the component's
    /// links, or nil when a link has more than ``maxLevelsPerLink``.
    let peakLevels: [Double]?
    /// The excess quantum `q` in model units, or nil when there is none
    /// coarser than `1e-6` of the largest value involved.
    let excessQuantum: Double?

    /// - Complexity: O(Σ_l Σ_{k on l} |values_k| × levels_l) for the
    ///   levels, O(values × log) for the gcd.
    init(grid: StaggerGrid, component: StaggerStructure.Component) {
        var all: [Double] = []
        var levelsOK = true
        var rates: [Double] = []
        for l in component.links {
            let c = grid.capacities[l]
            rates.append(c)
            guard levelsOK else { continue }
            var sums: [Double] = [0]
            for k in grid.jobsOnLink[l] {
                let values = Self.distinct(grid.jobs[k].profile)
                rates += values.filter { $0 > 0 }
                var next: [Double] = []
                next.reserveCapacity(sums.count * values.count)
                for s in sums { for v in values { next.append(s + v) } }
                sums = Self.distinct(next)
                if sums.count > Self.maxLevelsPerLink { levelsOK = false; break }
            }
            if levelsOK { all += sums.map { $0 / c } }
        }
        if !levelsOK {
            // Rates were not all collected: collect them for the quantum.
            rates = component.links.map { grid.capacities[$0] }
            for k in component.jobs { rates += Self.distinct(grid.jobs[k].profile).filter { $0 > 0 } }
        }
        peakLevels = levelsOK ? Self.distinct(all) : nil
        let cmax = grid.capacities.max() ?? 1
        excessQuantum = Self.approximateGCD(rates).map { $0 / cmax }
    }

    /// The smallest attainable peak `≥ bound` (within 1e-9), or `bound`
    /// itself when levels are unknown or all below it.
    func roundUpPeak(_ bound: Double) -> Double {
        guard let levels = peakLevels, let v = levels.first(where: { $0 >= bound - 1e-9 }) else { return bound }
        return max(bound, v)
    }

    /// The smallest gap between consecutive attainable peak values in
    /// `[floor, top]` (the floor counted as a value), or nil when unknown or
    /// there is only one value.
    func peakSpacing(from floor: Double, to top: Double) -> Double? {
        guard let levels = peakLevels else { return nil }
        let values = Self.distinct([floor] + levels.filter { $0 > floor + 1e-9 && $0 <= top + 1e-9 })
        guard values.count > 1 else { return nil }
        return zip(values, values.dropFirst()).map { $1 - $0 }.min()
    }

    /// The relative MIP gap at which a minimisation whose objective takes
    /// values `spacing` apart may stop with its incumbent proven optimal,
    /// starting from incumbent `start`: stopping needs `incumbent − bound <
    /// spacing`, and since the incumbent only falls, a relative gap of
    /// `spacing/start` (shrunk by 0.1 % for rounding) never stops too early.
    static func provingGap(spacing: Double?, start: Double) -> Double? {
        guard let s = spacing, s > 0, start > 0, start.isFinite else { return nil }
        return 0.999 * s / start
    }

    /// Sorted values with near-duplicates (relative 1e-12) merged.
    static func distinct(_ values: [Double]) -> [Double] {
        var out: [Double] = []
        for v in values.sorted() where out.last.map({ v - $0 > 1e-12 * max(1, abs(v)) }) ?? true { out.append(v) }
        return out
    }

    /// The largest `g` of which every value is an integer multiple (relative
    /// tolerance 1e-9), or nil when it is below `1e-6` of the largest value
    /// (no useful common measure).
    static func approximateGCD(_ values: [Double]) -> Double? {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        guard let largest = positive.max() else { return nil }
        let eps = 1e-9 * largest
        var g = 0.0
        for v in positive {
            var (a, b) = (max(g, v), min(g, v))
            while b > eps {
                var r = fmod(a, b)
                if b - r <= eps { r = 0 }
                (a, b) = (b, r)
            }
            g = a
            if g < 1e-6 * largest { return nil }
        }
        for v in positive {
            let n = (v / g).rounded()
            if abs(v - n * g) > 1e-9 * v { return nil }
        }
        return g
    }
}
