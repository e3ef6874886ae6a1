import OptoModel

extension StaggerPlanner {
    /// What the exact half of `auto` produced.
    enum AutoExact {
        /// The exact search returned a plan at least as good as the greedy
        /// start (it keeps the start where it finds nothing better).
        case solved(ILPOutcome)
        /// The greedy plan is returned: why, and a bound (bits) when the
        /// exact search proved one.
        case fallback(String, bound: Double?)
    }

    /// The exact half of `auto`: the exact model warm-started from `start`,
    /// unless the size rule of ``AutoSizeRule`` skips it.
    ///
    /// Size estimate (an upper bound on the stage-1 nonzeros on `grid`):
    /// `Σ_k |links_k| × active_k × H + Σ_k P_k`, where `active_k` is the
    /// number of slots of job `k`'s period with communication and `H` the
    /// hyper-period, in slots (each of the `P_k` offsets of job `k` puts
    /// `active_k × H/P_k` terms on each of its links' rows, plus one term in
    /// its assignment row).
    ///
    /// Falls back to the greedy plan (never throws) when no solver is
    /// given, the rule skips the model, the solver throws, or the search
    /// returned no solution for any component (a time limit or an interrupt
    /// before the first incumbent).
    ///
    /// - Complexity: O(jobs) for the estimate, then that of ``solveILP``.
    static func autoExact(_ grid: StaggerGrid, start: [Int], options: PlanningOptions,
                          clock: ContinuousClock.Instant) -> AutoExact {
        guard let solver = options.solver else { return .fallback("no solver given: the greedy plan is returned", bound: nil) }
        let nonzeros = exactNonzeroEstimate(grid)
        guard AutoSizeRule.allowsExact(nonzeros: nonzeros, timeLimit: options.timeLimit) else {
            return .fallback(AutoSizeRule.skipNote(nonzeros: nonzeros, timeLimit: options.timeLimit), bound: nil)
        }
        let outcome: ILPOutcome
        do {
            outcome = try solveILP(grid, start: start, solver: solver, options: options, clock: clock)
        } catch {
            return .fallback("the exact model failed (\(error)): the greedy plan is returned", bound: nil)
        }
        if outcome.solvedComponents == 0 && !outcome.excessProven {
            let why = (options.shouldStop?() ?? false) ? "it was interrupted" : "the time limit came first"
            let detail = outcome.notes.isEmpty ? "" : " (" + outcome.notes.joined(separator: "; ") + ")"
            return .fallback("the exact search found no plan before \(why)\(detail): the greedy plan is returned",
                             bound: outcome.bound)
        }
        return .solved(outcome)
    }

    /// The size estimate of ``autoExact(_:start:options:clock:)``, saturating at `Int.max`.
    ///
    /// - Complexity: O(jobs).
    static func exactNonzeroEstimate(_ grid: StaggerGrid) -> Int {
        var total = 0.0
        for job in grid.jobs {
            total += Double(job.links.count) * Double(job.activeSlots.count) * Double(grid.hyperSlots) + Double(job.period)
        }
        return total >= Double(Int.max) ? Int.max : Int(total)
    }
}
