import Foundation
import OptoModel

/// The GLPK backend (GLPK 5.0's simplex and branch-and-cut).
///
/// - LPs: `glp_simplex` (primal), with GLPK's LP presolver when
///   ``SolverOptions/presolve`` is on. When the presolver reports "no dual
///   feasible solution" the LP is solved again without it, to tell an
///   unbounded LP from an infeasible one.
/// - MILPs: `glp_simplex` on the relaxation, then `glp_intopt` with a
///   search callback that tracks the best bound and node count, reports
///   progress, honours ``SolverOptions/shouldStop`` (`glp_ios_terminate`)
///   and installs the warm start (`glp_ios_heur_sol`). GLPK's MIP presolver
///   is used only when ``SolverOptions/integerPresolve`` asks for it and no
///   warm start is given (the callback then sees transformed columns).
///
/// GLPK prints nothing unless ``SolverOptions/verbose`` is set.
///
/// Concurrency: Debian's GLPK keeps one environment per thread, so solves
/// on different threads run in parallel; each `solve` creates, uses and
/// deletes its GLPK problem in one synchronous call on the calling thread.
/// If the library was built without thread-local storage
/// (``threadLocalEnvironment`` is false), solves are serialised by a lock.
public struct GLPKSolver: Solver {
    /// "glpk".
    public var name: String { "glpk" }

    /// A GLPK backend.
    public init() {}

    /// The linked GLPK version ("5.0").
    public static var version: String { GLPKLibrary.version }

    /// Whether the linked GLPK keeps one environment per thread (Debian's does).
    public static var threadLocalEnvironment: Bool { GLPKLibrary.threadLocalEnvironment }

    /// Solves `model`. Never throws for a validated model: every outcome is a result.
    ///
    /// - Complexity: building the GLPK problem is O(variables + constraints +
    ///   nonzeros); the solve itself is GLPK's (exponential worst case for MILPs).
    public func solve(_ model: ValidatedModel, options: SolverOptions) throws -> SolveResult {
        let start = monotonicSeconds()
        var result = withGLPK { run(model, options, start) }
        // GLPK's answer is checked against the model: a point it calls
        // feasible that violates the model (badly scaled data) is reported
        // as a numerical failure, never as a solution.
        if result.hasSolution, let why = model.infeasibility(of: result.values, tolerance: Self.feasibilityTolerance) {
            result = SolveResult(model: model.identity, termination: .numericalError, primalStatus: .noSolution,
                                 objectiveValue: nil, bestBound: result.bestBound, relativeGap: nil, nodeCount: result.nodeCount,
                                 solveSeconds: result.solveSeconds, values: [], warmStart: result.warmStart,
                                 message: "GLPK reported \(result.termination) but its point violates the model: \(why)")
        }
        return result
    }

    /// The tolerance of the check every returned point passes
    /// (``ValidatedModel/infeasibility(of:tolerance:)``).
    public static let feasibilityTolerance = 1e-6

    /// Largest ratio max|aᵢⱼ| / min|aᵢⱼ| for which GLPK's LP presolver is used.
    public static let presolveCoefficientRange = 1e30
    /// Largest finite bound, side or objective coefficient for which GLPK's LP presolver is used.
    public static let presolveMagnitude = 1e15

    /// Whether GLPK's LP presolver may see this model. Its presolver hits
    /// internal assertions (process abort) on some badly scaled models.
    /// Measured on random 4×4 models (half MILPs) whose coefficients, bounds
    /// and sides are drawn log-uniformly from 1e±k: no abort in 2,500 models
    /// for each k = 6, 9, 12, 15, 20, 25; 3 aborts in 2,500 at k = 30; every
    /// model with coefficients near 1e200 and 1e300 together aborts in its
    /// scaling ("invalid scale factor"). The window (coefficient ratio ≤ 1e30,
    /// i.e. 1e±15, magnitudes ≤ 1e15) keeps a wide margin; outside it the
    /// solve runs without the presolver, whose simplex alone showed no abort
    /// in 4,200 random models up to 1e±50.
    ///
    /// - Complexity: O(variables + constraints + nonzeros).
    public static func presolveIsSafe(_ model: ValidatedModel) -> Bool {
        var smallest = Double.infinity, largest = 0.0
        for c in model.coefficients {
            let a = abs(c)
            if a < smallest { smallest = a }
            if a > largest { largest = a }
        }
        if largest > 0 && largest / smallest > presolveCoefficientRange { return false }
        for arr in [model.lowerBounds, model.upperBounds, model.rowLower, model.rowUpper, model.objectiveCoefficients] {
            for x in arr where x.isFinite && abs(x) > presolveMagnitude { return false }
        }
        return true
    }

    private func run(_ model: ValidatedModel, _ options: SolverOptions, _ start: Double) -> SolveResult {
        func result(_ t: TerminationReason, _ p: PrimalStatus, objective: Double? = nil, bound: Double? = nil,
                    nodes: Int = 0, values: [Double] = [], warm: WarmStartOutcome = .notUsed, message: String = "") -> SolveResult {
            var gap: Double?
            if let o = objective, let b = bound { gap = SolveResult.gap(objective: o, bound: b) }
            return SolveResult(model: model.identity, termination: t, primalStatus: p, objectiveValue: objective,
                               bestBound: bound, relativeGap: gap, nodeCount: nodes,
                               solveSeconds: monotonicSeconds() - start, values: values, warmStart: warm, message: message)
        }

        // GLPK refuses empty problems (GLP_EFAIL); such answers are immediate.
        if let now = model.immediateOutcome() {
            return result(now.termination, now.primal, objective: now.objective, bound: now.objective, message: now.message)
        }

        // Warm start: checked here, handed over in the search callback.
        let (screening, screened) = model.screenedWarmStart(options.warmStart)
        var warm = screening
        let heuristic = screened.map { [0] + $0 }

        GLPKLibrary.silence(verbose: options.verbose)
        let problem = GLPKProblem(model)
        func remaining() -> Double? { options.timeLimit.map { $0 - (monotonicSeconds() - start) } }
        let presolve = options.presolve && Self.presolveIsSafe(model)

        // LP (or the MILP's relaxation).
        var code = problem.simplex(presolve: presolve, timeLimit: remaining(), verbose: options.verbose, dual: options.dualSimplex)
        if code == .noDualFeasible {
            // The presolver cannot tell unbounded from infeasible; the simplex can.
            code = problem.simplex(presolve: false, timeLimit: remaining(), verbose: options.verbose, dual: options.dualSimplex)
        }
        let lpStatus = problem.lpStatus

        if !model.isMIP {
            switch code {
            case .ok:
                switch lpStatus {
                case .optimal:
                    let z = problem.lpObjective
                    let values = problem.lpValues
                    if let stage = options.secondStage {
                        return secondStage(stage, problem, model, first: z, values: values, remaining: remaining(),
                                           verbose: options.verbose, result: result)
                    }
                    return result(.optimal, .feasible, objective: z, bound: z, values: values)
                case .noFeasible: return result(.infeasible, .noSolution)
                case .unbounded: return result(.unbounded, problem.lpPrimalStatus == .feasible ? .feasible : .noSolution,
                                               values: problem.lpPrimalStatus == .feasible ? problem.lpValues : [])
                default: return result(.otherError, .noSolution, message: "simplex ended with status \(lpStatus)")
                }
            case .noPrimalFeasible: return result(.infeasible, .noSolution, message: code.description)
            case .timeLimit:
                if problem.lpPrimalStatus == .feasible {
                    return result(.timeLimit, .feasible, objective: problem.lpObjective, values: problem.lpValues, message: code.description)
                }
                return result(.timeLimit, .noSolution, message: code.description)
            default:
                return result(code.isNumerical ? .numericalError : .otherError, .noSolution, message: code.description)
            }
        }

        // MILP: the relaxation must be optimal before branch and bound.
        switch code {
        case .ok:
            switch lpStatus {
            case .optimal: break
            case .noFeasible: return result(.infeasible, .noSolution, warm: warm, message: "LP relaxation infeasible")
            case .unbounded: return result(.infeasibleOrUnbounded, .noSolution, warm: warm, message: "LP relaxation unbounded")
            default: return result(.otherError, .noSolution, warm: warm, message: "relaxation ended with status \(lpStatus)")
            }
        case .noPrimalFeasible: return result(.infeasible, .noSolution, warm: warm, message: code.description)
        case .timeLimit: return result(.timeLimit, .noSolution, warm: warm, message: "time limit in the LP relaxation")
        default:
            return result(code.isNumerical ? .numericalError : .otherError, .noSolution, warm: warm, message: code.description)
        }

        let state = SearchState(start: start, maximize: model.sense == .maximize,
                                progress: options.progress, shouldStop: options.shouldStop)
        state.record(bound: problem.lpObjective)
        state.heuristic = heuristic
        if let t = remaining(), t <= 0 {
            return result(.timeLimit, .noSolution, bound: state.bound, warm: warm, message: "time limit in the LP relaxation")
        }
        let mipCode = problem.branchAndBound(timeLimit: remaining(), relativeGap: options.relativeGap,
                                             cuts: options.cuts, nodeSelection: options.nodeSelection,
                                             presolve: options.integerPresolve && heuristic == nil && Self.presolveIsSafe(model),
                                             verbose: options.verbose, state: state)
        if heuristic != nil {
            switch state.heuristicOutcome {
            case true?: warm = .accepted
            case false?: warm = .rejected("GLPK declined it (not better than its incumbent)")
            case nil: warm = .rejected("the search ended before GLPK asked for a heuristic solution")
            }
        }
        let status = problem.mipStatus
        let hasIncumbent = status == .feasible || status == .optimal
        let objective = hasIncumbent ? problem.mipObjective : nil
        let values = hasIncumbent ? problem.mipValues : []
        let primal: PrimalStatus = hasIncumbent ? .feasible : .noSolution
        // The bound never passes the incumbent.
        var bound = state.bound
        if let o = objective, let b = bound {
            bound = model.sense == .maximize ? max(o, b) : min(o, b)
        }

        switch mipCode {
        case .ok:
            switch status {
            case .optimal:
                return result(.optimal, .feasible, objective: objective, bound: objective, nodes: state.nodes,
                              values: values, warm: warm)
            case .noFeasible:
                return result(.infeasible, .noSolution, nodes: state.nodes, warm: warm)
            default:
                return result(.otherError, primal, objective: objective, bound: bound, nodes: state.nodes,
                              values: values, warm: warm, message: "branch and bound ended with status \(status)")
            }
        case .noPrimalFeasible:
            // The MIP presolver proved that no integer point is feasible
            // (the relaxation was optimal before it ran).
            return result(.infeasible, .noSolution, nodes: state.nodes, warm: warm,
                          message: "the MIP presolver found no integer-feasible point (\(mipCode.description))")
        case .gapReached:
            return result(.optimal, primal, objective: objective, bound: bound, nodes: state.nodes, values: values,
                          warm: warm, message: mipCode.description)
        case .timeLimit:
            return result(.timeLimit, primal, objective: objective, bound: bound, nodes: state.nodes, values: values,
                          warm: warm, message: mipCode.description)
        case .stopped:
            return result(.interrupted, primal, objective: objective, bound: bound, nodes: state.nodes, values: values,
                          warm: warm, message: mipCode.description)
        default:
            return result(mipCode.isNumerical ? .numericalError : .otherError, primal, objective: objective, bound: bound,
                          nodes: state.nodes, values: values, warm: warm, message: mipCode.description)
        }
    }
}

extension GLPKSolver {
    /// The second stage of a lexicographic LP (``SolverOptions/secondStage``)
    /// on `problem`, optimal at `first` with `values`: the model's objective
    /// kept within the slack by one more row, the second objective set, and
    /// the primal simplex run again from the optimal basis (no presolve, so
    /// the basis is kept). When the stage cannot be posed (a foreign or
    /// out-of-range variable, a non-finite coefficient), its simplex does
    /// not end optimal or its point fails the model's check, the first
    /// optimum is returned with `secondStageSolved` false and the reason in
    /// the message.
    ///
    /// - Complexity: O(columns) to pose; the simplex from a warm basis.
    fileprivate func secondStage(_ stage: SecondStage, _ problem: GLPKProblem, _ model: ValidatedModel, first z: Double,
                                 values: [Double], remaining: Double?, verbose: Bool,
                                 result: (TerminationReason, PrimalStatus, Double?, Double?, Int, [Double], WarmStartOutcome, String) -> SolveResult)
                                 -> SolveResult {
        func firstOnly(_ why: String) -> SolveResult {
            result(.optimal, .feasible, z, z, 0, values, .notUsed, "second stage not solved: \(why)")
        }
        var objective = [Double](repeating: 0, count: model.variableCount)
        for t in stage.objective.terms {
            guard t.variable.model == model.identity, t.variable.index < objective.count else {
                return firstOnly("its objective names a variable of another model")
            }
            guard t.coefficient.isFinite else { return firstOnly("its objective has a non-finite coefficient") }
            objective[t.variable.index] += t.coefficient
        }
        guard stage.relativeSlack.isFinite, stage.relativeSlack >= 0 else { return firstOnly("its slack is not a finite non-negative number") }
        if let t = remaining, t <= 0 { return firstOnly("no time left") }
        // The row holds the objective without its constant.
        let give = stage.relativeSlack * abs(z)
        let maximize = model.sense == .maximize
        let edge = (maximize ? z - give : z + give) - model.objectiveConstant
        problem.restrictAndReplaceObjective(row: model.objectiveCoefficients, lower: maximize ? edge : nil, upper: maximize ? nil : edge,
                                            objective: objective, maximize: stage.sense == .maximize)
        let code = problem.simplex(presolve: false, timeLimit: remaining, verbose: verbose)
        guard code == .ok, problem.lpStatus == .optimal else {
            return firstOnly(code == .ok ? "simplex ended with status \(problem.lpStatus)" : code.description)
        }
        let second = problem.lpValues
        if let why = model.infeasibility(of: second, tolerance: Self.feasibilityTolerance) {
            return firstOnly("its point violates the model: \(why)")
        }
        var r = result(.optimal, .feasible, model.objectiveValue(second), z, 0, second, .notUsed, "")
        r.secondStageSolved = true
        return r
    }
}

/// Serialises GLPK calls when the library has no per-thread environment.
let serialLock = NSLock()
