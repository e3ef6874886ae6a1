import OptoModel

/// What every planner is told besides its instance and method.
///
/// Planners formulate through ``OptoModel`` and never see a concrete backend:
/// the caller (the command line, a test, a benchmark) injects one as
/// ``solver``. Heuristic methods ignore the solver fields.
public struct PlanningOptions: Sendable {
    /// Wall-clock limit in seconds for an exact search (default 30 s, as the
    /// `auto` method of PROBLEMS.md prescribes).
    public var timeLimit: Double
    /// The backend that solves exact models; `nil` makes exact methods throw
    /// ``PlanningError/noSolver``.
    public var solver: (any Solver)?
    /// Configuration slots `M` of the window-mode schedule model (nil: the
    /// planner's documented default).
    public var slots: Int?
    /// Relative MIP gap at which an exact search may stop (nil: prove optimality).
    public var relativeGap: Double?
    /// Called a few times a second during an exact search.
    public var progress: (@Sendable (SolveProgress) -> Void)?
    /// Polled during an exact search; returning true stops it with the best
    /// plan found so far (reported `feasible`, never `optimal`).
    public var shouldStop: (@Sendable () -> Bool)?
    /// Let the solver print its log to standard error.
    public var verbose: Bool

    /// Options with the defaults above.
    public init(timeLimit: Double = 30, solver: (any Solver)? = nil, slots: Int? = nil, relativeGap: Double? = nil,
                progress: (@Sendable (SolveProgress) -> Void)? = nil, shouldStop: (@Sendable () -> Bool)? = nil,
                verbose: Bool = false) {
        self.timeLimit = timeLimit
        self.solver = solver
        self.slots = slots
        self.relativeGap = relativeGap
        self.progress = progress
        self.shouldStop = shouldStop
        self.verbose = verbose
    }

    /// The solver options for one exact search, with an optional warm start.
    public func solverOptions(warmStart: [VariableID: Double]? = nil) -> SolverOptions {
        SolverOptions(timeLimit: timeLimit, relativeGap: relativeGap, warmStart: warmStart,
                      verbose: verbose, progress: progress, shouldStop: shouldStop)
    }
}

/// Errors a planner raises for reasons other than bad input.
public enum PlanningError: Error, Equatable, CustomStringConvertible {
    /// An exact method was asked for but no solver was injected.
    case noSolver
    /// The method does not apply to this instance (e.g. window-only method in epochs mode).
    case methodNotApplicable(method: String, reason: String)
    /// The solver failed without returning a solution.
    case solverFailed(String)
    /// The instance has no feasible plan, so there is no model to build
    /// (export only: planners return a plan with status `infeasible`).
    case noFeasiblePlan(String)

    public var description: String {
        switch self {
        case .noSolver: "no solver backend was given for an exact method"
        case let .methodNotApplicable(method, reason): "method '\(method)' does not apply: \(reason)"
        case let .solverFailed(message): "the solver failed: \(message)"
        case let .noFeasiblePlan(reason): "no feasible plan: \(reason)"
        }
    }
}
