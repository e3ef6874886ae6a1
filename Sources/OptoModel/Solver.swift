/// A snapshot of a running search, handed to ``SolverOptions/progress``.
public struct SolveProgress: Sendable {
    /// Seconds since the solve started.
    public var elapsedSeconds: Double
    /// The best objective value found so far, if any.
    public var incumbent: Double?
    /// The best proven bound on the optimum, if known.
    public var bestBound: Double?
    /// The relative gap between incumbent and bound, if both are known.
    public var relativeGap: Double?
    /// Search nodes explored so far.
    public var nodeCount: Int

    /// A snapshot.
    public init(elapsedSeconds: Double, incumbent: Double?, bestBound: Double?, relativeGap: Double?, nodeCount: Int) {
        self.elapsedSeconds = elapsedSeconds
        self.incumbent = incumbent
        self.bestBound = bestBound
        self.relativeGap = relativeGap
        self.nodeCount = nodeCount
    }
}

/// Cutting-plane families a MIP backend may add (each off by default).
public struct CutOptions: Sendable, Hashable {
    /// Gomory mixed-integer cuts.
    public var gomory = false
    /// Mixed-integer rounding cuts.
    public var mixedIntegerRounding = false
    /// Mixed cover cuts.
    public var cover = false
    /// Clique cuts.
    public var clique = false

    /// No cuts.
    public init() {}

    /// Every family on.
    public static var all: CutOptions {
        var c = CutOptions()
        c.gomory = true; c.mixedIntegerRounding = true; c.cover = true; c.clique = true
        return c
    }
}

/// How to solve: limits, tolerances, warm start and callbacks.
public struct SolverOptions: Sendable {
    /// Wall-clock limit in seconds for the whole solve (nil: none).
    /// Values ≤ 0, NaN or below a millisecond are treated as one millisecond.
    public var timeLimit: Double?
    /// Stop a MIP search once `|incumbent − bound| / |incumbent| ≤ relativeGap`
    /// (nil, zero, negative or NaN: prove optimality).
    public var relativeGap: Double?
    /// Let the backend simplify the model before solving (on by default).
    public var presolve = true
    /// Solve LPs (and a MIP's root relaxation) with the dual simplex,
    /// falling back to the primal one if it fails (off: primal). GLPK's dual
    /// simplex takes the transit routing LP at N = 64 (4,548 rows and a
    /// dense λ column) in 0.5 s where the primal takes 0.7–1.0 s.
    public var dualSimplex = false
    /// Let the backend's MIP presolver transform an integer model before its
    /// branch and bound (off by default). GLPK's tightens bounds, reduces
    /// the coefficients of binary columns and removes redundant rows, which
    /// changes the search tree: one feasibility test of the transit
    /// link-pool search (N = 16) answers in 5 s with it and not in 45 s
    /// without, another in 0.9 s without and not in 54 s with, so that
    /// search tries both. The presolver works on a transformed model, so the MIP
    /// runs with it only when no ``warmStart`` is given (a warm start is in
    /// the original columns) and the model is in the window the LP presolver
    /// is safe in; otherwise the option is ignored.
    public var integerPresolve = false
    /// A full feasible assignment to start a MIP search from (e.g. a
    /// heuristic's plan). The backend checks it is complete, within bounds,
    /// integral and satisfies every row (tolerance 1e-6) before handing it to
    /// the solver; the outcome is in ``SolveResult/warmStart``. Ignored for LPs.
    public var warmStart: [VariableID: Double]?
    /// Cutting planes for MIPs.
    public var cuts = CutOptions()
    /// Which open node a MIP search takes next (GLPK's backtracking rule;
    /// other backends keep their own order).
    public var nodeSelection = NodeSelection.bestLocalBound
    /// Let the solver print its log to standard error (off: the solver prints nothing).
    public var verbose = false
    /// Called a few times a second during a MIP search, from the solving thread.
    public var progress: (@Sendable (SolveProgress) -> Void)?
    /// Polled during a MIP search; when it returns true the search stops and
    /// the result is `.interrupted` with the incumbent, if any.
    public var shouldStop: (@Sendable () -> Bool)?
    /// For an LP: once it is optimal at `z`, optimise this second objective
    /// over the points that keep the model's own objective within
    /// ``SecondStage/relativeSlack`` of `z`, starting from the first
    /// optimum's basis (a lexicographic LP in one call, e.g. the least
    /// transit among the routings of the best λ). A backend that does not
    /// do it, or a second stage that fails, returns the first optimum with
    /// ``SolveResult/secondStageSolved`` false: the caller then builds the
    /// second model itself. Ignored for MIPs.
    public var secondStage: SecondStage?

    /// Default options: no limits, exact gap, presolve on, no cuts, silent.
    public init(timeLimit: Double? = nil, relativeGap: Double? = nil, presolve: Bool = true,
                warmStart: [VariableID: Double]? = nil, cuts: CutOptions = CutOptions(), verbose: Bool = false,
                progress: (@Sendable (SolveProgress) -> Void)? = nil, shouldStop: (@Sendable () -> Bool)? = nil) {
        self.timeLimit = timeLimit
        self.relativeGap = relativeGap
        self.presolve = presolve
        self.warmStart = warmStart
        self.cuts = cuts
        self.verbose = verbose
        self.progress = progress
        self.shouldStop = shouldStop
    }
}

/// The second objective of a lexicographic LP (``SolverOptions/secondStage``).
public struct SecondStage: Sendable {
    /// What the second stage optimises (its constant is ignored).
    public var objective: LinearExpression
    /// Its direction.
    public var sense: ObjectiveSense
    /// How far the model's objective may give way from its optimum `z`:
    /// the second stage keeps it at or beyond `z − relativeSlack·|z|` in the
    /// model's direction (at `z` itself, to the solver's row tolerance, when
    /// `z` is 0).
    public var relativeSlack: Double

    /// A second stage optimising `objective` in direction `sense`.
    public init(_ objective: LinearExpression, _ sense: ObjectiveSense, relativeSlack: Double = 1e-10) {
        self.objective = objective
        self.sense = sense
        self.relativeSlack = relativeSlack
    }
}

/// The order in which a branch-and-bound search takes its open nodes.
public enum NodeSelection: Sendable, Hashable {
    /// Depth first.
    case depthFirst
    /// Breadth first.
    case breadthFirst
    /// The node with the best bound of its own LP (GLPK's default).
    case bestLocalBound
    /// The best projection heuristic: the node whose LP value, corrected by
    /// the estimated cost of making it integral, is best. It raises the
    /// proven bound faster on models whose incumbent is found early (the
    /// window-mode slot model: its N = 16 gap at 60 s goes from 2.00 % to 1.72 %).
    case bestProjection
}

/// Why a solver stopped. Kept apart from whether it has a solution
/// (``PrimalStatus``): a time-limited run may or may not have an incumbent,
/// and is never `.optimal`.
public enum TerminationReason: Sendable, Hashable {
    /// Proven optimal (for a MIP: within the requested relative gap, 0 by default).
    case optimal
    /// Proven to have no feasible solution (for a MIP: no integer-feasible one).
    case infeasible
    /// Proven feasible with an unbounded objective.
    case unbounded
    /// Proven infeasible or unbounded, without telling which (e.g. the LP
    /// relaxation of a MIP is unbounded, or presolve found the dual infeasible).
    case infeasibleOrUnbounded
    /// The time limit stopped the search.
    case timeLimit
    /// ``SolverOptions/shouldStop`` stopped the search.
    case interrupted
    /// The solver gave up on numerical grounds (singular basis, instability).
    case numericalError
    /// The solver failed for another reason, described in ``SolveResult/message``.
    case otherError
}

/// Whether a result carries a feasible solution.
public enum PrimalStatus: Sendable, Hashable {
    /// ``SolveResult/value(_:)-…`` returns a feasible point (optimal when the termination says so).
    case feasible
    /// No feasible point is known.
    case noSolution
}

/// What happened to ``SolverOptions/warmStart``.
public enum WarmStartOutcome: Sendable, Hashable {
    /// None was given, or the model is an LP.
    case notUsed
    /// It was checked and handed to the solver.
    case accepted
    /// It was not handed over, with the reason (incomplete, infeasible, fractional, foreign handle…).
    case rejected(String)
}

/// What a solver returns.
public struct SolveResult: Sendable {
    /// Why the solver stopped.
    public var termination: TerminationReason
    /// Whether a feasible solution is available.
    public var primalStatus: PrimalStatus
    /// The objective at the returned solution (nil without one).
    public var objectiveValue: Double?
    /// The best proven bound on the optimum (a lower bound when minimising);
    /// equal to the objective for an optimal LP; nil when none is known.
    public var bestBound: Double?
    /// `|objective − bound| / max(|objective|, 1e-10)`, nil unless both are known.
    public var relativeGap: Double?
    /// Branch-and-bound nodes explored (0 for an LP).
    public var nodeCount: Int
    /// Wall-clock seconds spent in the solver.
    public var solveSeconds: Double
    /// The warm start's fate.
    public var warmStart: WarmStartOutcome
    /// A human-readable detail from the backend (e.g. the return code), or "".
    public var message: String
    /// Whether ``SolverOptions/secondStage`` was solved: the values are then
    /// its optimum, ``objectiveValue`` the model's objective there and
    /// ``bestBound`` the first stage's optimum. False without a second
    /// stage, for a backend that does not do it, or when it failed (the
    /// values are then the first stage's optimum).
    public var secondStageSolved = false
    /// The model the result belongs to.
    public let model: ModelIdentity
    /// Primal values by variable index (empty without a solution).
    public let values: [Double]

    /// A result. `values` must be indexed like the model's variables, or empty.
    public init(model: ModelIdentity, termination: TerminationReason, primalStatus: PrimalStatus,
                objectiveValue: Double?, bestBound: Double?, relativeGap: Double?, nodeCount: Int,
                solveSeconds: Double, values: [Double], warmStart: WarmStartOutcome = .notUsed, message: String = "") {
        self.model = model
        self.termination = termination
        self.primalStatus = primalStatus
        self.objectiveValue = objectiveValue
        self.bestBound = bestBound
        self.relativeGap = relativeGap
        self.nodeCount = nodeCount
        self.solveSeconds = solveSeconds
        self.values = values
        self.warmStart = warmStart
        self.message = message
    }

    /// Whether a feasible solution is available.
    public var hasSolution: Bool { primalStatus == .feasible && !values.isEmpty }

    /// The value of a variable in the returned solution; NaN when there is
    /// no solution or the handle belongs to another model.
    ///
    /// - Complexity: O(1).
    public func value(_ variable: VariableID) -> Double {
        guard hasSolution, variable.model == model, variable.index < values.count else { return .nan }
        return values[variable.index]
    }

    /// The value of an expression in the returned solution (NaN as for ``value(_:)-(VariableID)``).
    ///
    /// - Complexity: O(terms).
    public func value(_ expression: LinearExpression) -> Double {
        expression.evaluate { value($0) }
    }

    /// The relative gap formula every backend reports.
    public static func gap(objective: Double, bound: Double) -> Double {
        abs(objective - bound) / max(abs(objective), 1e-10)
    }
}

/// A backend that solves validated models. Implementations are values that
/// can be shared across tasks; each `solve` call is independent.
///
/// A backend implements one method; validation, handle checks and the
/// warm-start checks are shared (see ``ValidatedModel/infeasibility(of:tolerance:)``).
public protocol Solver: Sendable {
    /// A short name for logs and tables ("glpk").
    var name: String { get }
    /// Solves a validated model. Throws only for failures that leave no
    /// result at all (e.g. the backend is unavailable); every solver outcome,
    /// failures included, is a ``SolveResult``.
    func solve(_ model: ValidatedModel, options: SolverOptions) throws -> SolveResult
}

extension Solver {
    /// Validates `model` and solves it.
    ///
    /// - Throws: ``ModelError`` when the model is malformed; whatever the backend throws.
    public func solve(_ model: Model, options: SolverOptions = SolverOptions()) throws -> SolveResult {
        try solve(model.validated(), options: options)
    }
}
