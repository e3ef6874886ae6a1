import Foundation
import OptoModel

/// Why the CBC backend cannot run: libCbcSolver is missing or unusable.
public struct CBCUnavailable: Error, Sendable, CustomStringConvertible {
    /// What was tried and how to get CBC.
    public let reason: String
    /// "CBC is not available: …".
    public var description: String { "CBC is not available: \(reason)" }
}

/// The CBC backend (COIN-OR Branch and Cut 2.10, through its C interface).
///
/// The library is opened at run time (`dlopen` of libCbcSolver, see
/// ``isAvailable``), so OptoPlan builds without CBC and GLPK stays the only
/// required solver; ``solve(_:options:)`` throws ``CBCUnavailable`` when the
/// library is absent.
///
/// - Models are loaded in one `Cbc_loadProblem` call (columns, rows, bounds,
///   objective), integer columns marked, and solved with `Cbc_solve`
///   (CBC's default strategy: presolve, cuts and heuristics; `cuts` in the
///   options is not used, CBC chooses its own cut generators). LPs go
///   through the same call, which solves them with Clp.
/// - ``SolverOptions/timeLimit`` is a wall-clock limit (`timeMode elapsed`;
///   CBC counts CPU time by default), ``SolverOptions/relativeGap`` is CBC's
///   allowable fraction gap, ``SolverOptions/presolve`` off turns off CBC's
///   presolve and MIP preprocessing.
/// - The warm start is checked like every backend's
///   (``ValidatedModel/infeasibility(of:tolerance:)``) and handed over with
///   `Cbc_setMIPStartI`; `.accepted` means it was handed over (CBC's C
///   interface does not report whether its search then used it). CBC uses
///   a start as a cutoff and, when nothing better exists, ends "infeasible"
///   without returning it; the backend then returns the start itself as
///   the optimum (it was checked feasible, and the complete search proved
///   nothing is better).
/// - Silent unless ``SolverOptions/verbose``, which sets log level 1: CBC then
///   prints its log on **standard output** (its C interface offers no way to
///   redirect it short of a message callback that would print it twice).
///
/// Not possible through CBC 2.10's C interface, and so not offered:
/// - ``SolverOptions/progress`` is never called: the interface has no
///   progress or node callback (its message callback receives log lines only
///   when logging is on, and then CBC prints them as well).
/// - ``SolverOptions/shouldStop`` is polled once before the solve (returning
///   true then gives `.interrupted` without searching) but cannot stop a
///   running search: the interface has no interrupt call. Use the time limit.
///
/// Statuses: both `Cbc_status` and `Cbc_secondaryStatus` are read (see
/// docs/modeling.md, "The CBC backend"); a run stopped by its time limit is
/// `.timeLimit`, never `.optimal`, with or without an incumbent. Every point
/// CBC returns is checked against the model, as with GLPK.
///
/// Concurrency: `CBCSolver` is a `Sendable` value with no state, but CBC
/// 2.10's `Cbc_solve` runs its command-line driver, which keeps
/// process-wide state, so solves are serialised by a process-wide lock: two
/// threads may call `solve` at once, and the second waits.
public struct CBCSolver: Solver {
    /// "cbc".
    public var name: String { "cbc" }

    /// A CBC backend (whether or not the library is present; see ``isAvailable``).
    public init() {}

    /// Whether libCbcSolver (CBC 2.10) could be opened in this process.
    public static var isAvailable: Bool {
        if case .success = CBCLibrary.loaded { return true }
        return false
    }

    /// Why CBC cannot be used, or nil when it can.
    public static var unavailableReason: CBCUnavailable? {
        if case .failure(let e) = CBCLibrary.loaded { return e }
        return nil
    }

    /// The loaded CBC version ("2.10.8"), or nil when unavailable.
    public static var version: String? {
        if case .success(let f) = CBCLibrary.loaded { return f.version }
        return nil
    }

    /// The tolerance of the check every returned point passes.
    public static let feasibilityTolerance = 1e-6

    /// Solves `model`.
    ///
    /// - Throws: ``CBCUnavailable`` when libCbcSolver cannot be loaded; every
    ///   solver outcome, failures included, is a result.
    /// - Complexity: loading is O(variables + constraints + nonzeros); the
    ///   solve is CBC's (exponential worst case for MILPs). Solves are serialised.
    public func solve(_ model: ValidatedModel, options: SolverOptions) throws -> SolveResult {
        let f: CBCFunctions
        switch CBCLibrary.loaded {
        case .success(let table): f = table
        case .failure(let e): throw e
        }
        let start = monotonicSeconds()
        var result = run(f, model, options, start)
        if result.hasSolution, let why = model.infeasibility(of: result.values, tolerance: Self.feasibilityTolerance) {
            result = SolveResult(model: model.identity, termination: .numericalError, primalStatus: .noSolution,
                                 objectiveValue: nil, bestBound: result.bestBound, relativeGap: nil, nodeCount: result.nodeCount,
                                 solveSeconds: result.solveSeconds, values: [], warmStart: result.warmStart,
                                 message: "CBC reported \(result.termination) but its point violates the model: \(why)")
        }
        return result
    }

    private func run(_ f: CBCFunctions, _ model: ValidatedModel, _ options: SolverOptions, _ start: Double) -> SolveResult {
        let maximize = model.sense == .maximize
        func result(_ t: TerminationReason, _ p: PrimalStatus, objective: Double? = nil, bound: Double? = nil,
                    nodes: Int = 0, values: [Double] = [], warm: WarmStartOutcome = .notUsed, message: String = "") -> SolveResult {
            var gap: Double?
            if let o = objective, let b = bound { gap = SolveResult.gap(objective: o, bound: b) }
            return SolveResult(model: model.identity, termination: t, primalStatus: p, objectiveValue: objective,
                               bestBound: bound, relativeGap: gap, nodeCount: nodes,
                               solveSeconds: monotonicSeconds() - start, values: values, warmStart: warm, message: message)
        }

        if let now = model.immediateOutcome() {
            return result(now.termination, now.primal, objective: now.objective, bound: now.objective, message: now.message)
        }

        let (screening, mipStart) = model.screenedWarmStart(options.warmStart)
        let warm = mipStart != nil ? WarmStartOutcome.accepted : screening
        if options.shouldStop?() == true {
            return result(.interrupted, .noSolution, warm: warm, message: "stopped before the solve started")
        }

        CBCLibrary.lock.lock()
        defer { CBCLibrary.lock.unlock() }
        guard let problem = CBCProblem(f, model) else {
            return result(.otherError, .noSolution, warm: warm, message: "Cbc_newModel failed")
        }
        problem.logLevel(options.verbose ? 1 : 0)
        if let limit = options.timeLimit {
            // Time spent waiting for the lock counts against the limit.
            let remaining = limit - (monotonicSeconds() - start)
            problem.timeLimit(remaining.isNaN ? 0.001 : max(remaining, 0.001))
        }
        if let gap = options.relativeGap, gap.isFinite, gap > 0 { problem.relativeGap(gap) }
        if !options.presolve {
            problem.parameter("presolve", "off")
            problem.parameter("preprocess", "off")
        }
        if let mipStart { problem.mipStart(mipStart) }

        let code = problem.solve()
        let status = problem.status, secondary = problem.secondaryStatus
        let detail = "Cbc_solve \(code), status \(status), secondary status \(secondary)"
        let constant = model.objectiveConstant
        let nodes = model.isMIP ? max(problem.nodes, 0) : 0

        if !model.isMIP {
            if problem.provenOptimal, let x = problem.columnSolution {
                let z = model.objectiveValue(x)
                return result(.optimal, .feasible, objective: z, bound: z, values: x, message: detail)
            }
            if problem.provenInfeasible || problem.continuousUnbounded {
                // CBC 2.10 reports an unbounded LP as "proven infeasible"
                // (Cbc_solve 1, status -1 for both). The same rows with a
                // zero objective cannot be unbounded: if they are feasible,
                // the LP was unbounded.
                guard let check = CBCProblem(f, model, feasibilityOnly: true) else {
                    return result(.infeasibleOrUnbounded, .noSolution, message: detail)
                }
                check.logLevel(options.verbose ? 1 : 0)
                if let limit = options.timeLimit { check.timeLimit(max(limit - (monotonicSeconds() - start), 0.001)) }
                _ = check.solve()
                if check.provenOptimal { return result(.unbounded, .noSolution, message: detail + "; feasible with a zero objective") }
                if check.provenInfeasible { return result(.infeasible, .noSolution, message: detail) }
                return result(.infeasibleOrUnbounded, .noSolution, message: detail)
            }
            if problem.secondsLimitReached || secondary == 4 { return result(.timeLimit, .noSolution, message: detail) }
            if problem.abandoned || status == 2 { return result(.numericalError, .noSolution, message: detail) }
            return result(.otherError, .noSolution, message: detail)
        }

        // When CBC claims no solution (infeasible, or relaxation worse than
        // the cutoff) Cbc_bestSolution may still point at a stale array.
        let claimsNone = (status == 0 && (secondary == 1 || secondary == 7)) || problem.provenInfeasible
        var incumbent = claimsNone ? nil : problem.bestSolution
        var objective = incumbent.map { model.objectiveValue($0) }
        // CBC turns a MIP start into a cutoff and then looks only for better
        // solutions; when none exists it reports the search "infeasible"
        // (status 0, secondary 1: relaxation worse than the cutoff) and
        // returns no solution, the start included. The start was checked
        // above, so it is the incumbent whenever CBC has none as good.
        var startIsIncumbent = false
        if let start = mipStart {
            let z = model.objectiveValue(start)
            if objective.map({ maximize ? z > $0 : z < $0 }) ?? true {
                incumbent = start
                objective = z
                startIsIncumbent = true
            }
        }
        let primal: PrimalStatus = incumbent == nil ? .noSolution : .feasible
        // CBC's bound is in the model's sense; it is kept only when finite
        // (CBC reports ±COIN_DBL_MAX before it has one) and never past the incumbent.
        var bound: Double? = problem.bestPossible + constant
        if let b = bound, !b.isFinite || abs(b) >= 1e30 { bound = nil }
        if let o = objective, let b = bound { bound = maximize ? max(o, b) : min(o, b) }

        switch status {
        case 0:
            if startIsIncumbent, let o = objective, let x = incumbent,
               problem.provenInfeasible || secondary == 1 || secondary == 0 || problem.provenOptimal {
                // The complete search found nothing better than the start: it is optimal.
                return result(.optimal, .feasible, objective: o, bound: o, nodes: nodes, values: x, warm: warm,
                              message: detail + "; no solution better than the warm start")
            }
            if problem.provenInfeasible || secondary == 1 {
                return result(.infeasible, .noSolution, nodes: nodes, warm: warm, message: detail)
            }
            if secondary == 7 || problem.continuousUnbounded {
                return result(.infeasibleOrUnbounded, .noSolution, nodes: nodes, warm: warm, message: detail)
            }
            if let o = objective, let x = incumbent {
                // Completed (secondary 0), or stopped on the requested gap (2): optimal within relativeGap.
                if secondary == 0 || problem.provenOptimal {
                    return result(.optimal, .feasible, objective: o, bound: o, nodes: nodes, values: x, warm: warm, message: detail)
                }
                if secondary == 2 {
                    return result(.optimal, .feasible, objective: o, bound: bound, nodes: nodes, values: x, warm: warm, message: detail)
                }
            }
            return result(.otherError, primal, objective: objective, bound: bound, nodes: nodes,
                          values: incumbent ?? [], warm: warm, message: detail)
        case 1:
            if secondary == 2, let o = objective, let x = incumbent {
                return result(.optimal, .feasible, objective: o, bound: bound, nodes: nodes, values: x, warm: warm, message: detail)
            }
            let reason: TerminationReason = secondary == 4 || problem.secondsLimitReached ? .timeLimit
                : secondary == 5 ? .interrupted : .otherError
            return result(reason, primal, objective: objective, bound: bound, nodes: nodes,
                          values: incumbent ?? [], warm: warm, message: detail)
        case 2:
            return result(.numericalError, .noSolution, bound: bound, nodes: nodes, warm: warm, message: detail)
        case 5:
            return result(.interrupted, primal, objective: objective, bound: bound, nodes: nodes,
                          values: incumbent ?? [], warm: warm, message: detail)
        default:
            return result(.otherError, primal, objective: objective, bound: bound, nodes: nodes,
                          values: incumbent ?? [], warm: warm, message: detail)
        }
    }
}
