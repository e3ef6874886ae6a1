import OptoCore
import OptoModel

/// The stagger methods, named as on the command line.
public enum StaggerMethod: String, Sendable, CaseIterable, Codable {
    /// `greedy`, then the exact model warm-started from it within the time
    /// limit (`auto:ilp`); the greedy plan (`auto:greedy`, status
    /// `heuristic`, with the offset-independent excess bound or the exact
    /// search's) when no solver is given, the solver throws or returns no
    /// plan, or the size rule skips the model (see
    /// `StaggerPlanner+Auto.swift` and ``AutoSizeRule``).
    case auto
    /// The exact model through the injected solver.
    case ilp
    /// Greedy placement by descending volume, then local search.
    case greedy
    /// Every offset 0: no planning.
    case aligned
}

/// Staggered job-communication windows (PROBLEMS.md §3): picks an offset per
/// job on the step grid so that communication phases sharing a link
/// interleave instead of colliding.
///
/// Objective: the total excess `Σ_l Σ_τ max(0, load_l(τ) − C_l)·Δ` in bits
/// per hyper-period, ties broken by the lower peak `max load/C`. The exact
/// formulation is written out on `solveILP` (StaggerPlanner+ILP.swift) and in
/// `models/stagger.mod`.
public enum StaggerPlanner {
    /// Plans `instance` with `method`.
    ///
    /// - Parameters:
    ///   - priorities: also write a priority order (shortest communication
    ///     first among colliding jobs) for the evaluator to apply.
    /// - Throws: ``StaggerError`` for an instance that cannot be put on its
    ///   step grid (see ``StaggerGrid/init(_:maxHyperSlots:)``);
    ///   ``PlanningError/noSolver`` when `ilp` has no solver.
    /// - Complexity: `aligned` O(L·H + Σ load terms); `greedy` see
    ///   ``greedyOffsets(_:shouldStop:)``; `ilp` exponential in the worst
    ///   case, bounded by `options.timeLimit`.
    public static func plan(_ instance: StaggerInstance, method: StaggerMethod, options: PlanningOptions = PlanningOptions(),
                            priorities: Bool = false) throws -> StaggerPlan {
        let clock = ContinuousClock.now
        let grid = try StaggerGrid(instance)
        // Plan on the coarsest grid the instance lives on (no loss: see
        // ``StaggerGrid/coarseness``), score on the instance's own.
        let factor = grid.coarseness
        let coarse = grid.coarsened(by: factor)
        var offsets: [Int]
        var status: PlanStatus
        var bound: Double?
        var notes: [String] = []
        let methodName: String
        switchMethod: switch method {
        case .aligned:
            offsets = alignedOffsets(grid)
            status = .heuristic
            methodName = "aligned"
        case .greedy:
            let g = greedyOffsets(coarse, shouldStop: options.shouldStop)
            offsets = g.offsets.map { $0 * factor }
            status = .heuristic
            methodName = "greedy"
            if g.moves > 0 { notes.append("local search moved \(g.moves) job(s)") }
        case .ilp, .auto:
            // auto: the time limit bounds the greedy search too (its local
            // search and kicks stop at the limit; the first placement always
            // completes); the exact model then gets what is left.
            let limit = options.timeLimit.isFinite && options.timeLimit > 0 ? options.timeLimit : 30
            let deadline = clock + .seconds(limit)
            let interrupt = options.shouldStop
            var cut = false
            let stop: () -> Bool = method == .auto
                ? { if interrupt?() == true || ContinuousClock.now >= deadline { cut = true }; return cut }
                : { interrupt?() == true }
            let g = greedyOffsets(coarse, shouldStop: stop)
            if cut {
                let why = interrupt?() == true ? "an interrupt" : "the time limit"
                notes.append("\(why) cut the greedy local search short")
            }
            let exact: ILPOutcome
            if method == .auto {
                switch autoExact(coarse, start: g.offsets, options: options, clock: clock) {
                case .solved(let o):
                    exact = o
                case .fallback(let why, let exactBound):
                    offsets = g.offsets.map { $0 * factor }
                    status = .heuristic
                    methodName = "auto:greedy"
                    bound = exactBound ?? grid.excessLowerBound()
                    notes.append(why)
                    break switchMethod
                }
            } else {
                guard let solver = options.solver else { throw PlanningError.noSolver }
                exact = try solveILP(coarse, start: g.offsets, solver: solver, options: options, clock: clock)
            }
            let outcome = exact
            offsets = outcome.offsets.map { $0 * factor }
            if factor > 1 { notes.append("planned on a \(factor)× coarser grid (every period and rate change is a multiple of \(factor) steps)") }
            bound = outcome.bound
            status = outcome.excessProven && outcome.peakProven ? .optimal : .feasible
            if outcome.excessProven && !outcome.peakProven {
                notes.append("the excess is optimal; the peak tie-break was not proven")
            }
            notes += outcome.notes
            methodName = method == .auto ? "auto:ilp" : "ilp"
        }
        let score = grid.score(offsets: offsets)
        var metrics = PlanMetrics(objective: score.excess, solveSeconds: elapsed(since: clock))
        metrics.excess = score.excess
        metrics.peak = score.peak
        metrics.compatibility = score.compatibility
        if let b = bound {
            let b = min(b, score.excess)
            metrics.bound = b
            metrics.gap = score.excess <= 0 ? 0 : (score.excess - b) / score.excess
        }
        return StaggerPlan(method: methodName, status: status, metrics: metrics,
                           offsets: grid.offsetSeconds(offsets),
                           priorities: priorities ? priorityOrder(grid, score: score) : nil,
                           notes: notes.isEmpty ? nil : notes)
    }

    /// Scores a plan's offsets against an instance.
    ///
    /// - Throws: ``StaggerError`` for a bad instance or an offset missing,
    ///   off the grid or out of range.
    /// - Complexity: as ``StaggerGrid/score(offsets:)``.
    public static func score(_ plan: StaggerPlan, on instance: StaggerInstance) throws -> StaggerScore {
        let grid = try StaggerGrid(instance)
        return grid.score(offsets: try grid.offsetSlots(plan.offsets))
    }
}
