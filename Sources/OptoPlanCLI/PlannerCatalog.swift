import Foundation
import OptoCore
import OptoGLPK
import OptoModel
import OptoPlanners

/// Which direction a problem's objective goes.
public enum ObjectiveDirection: String, Sendable {
    /// Larger is better (served bytes, λ, carried rate).
    case maximise
    /// Smaller is better (makespan, excess).
    case minimise
}

/// Why planning one instance with one method did not give a plan.
public enum PlanFailure: Error, Sendable, CustomStringConvertible {
    /// The instance is malformed for its planner (exit status 65).
    case badInput(String)
    /// The method name is not one of the problem's methods, or does not
    /// apply to this instance (epochs-only, window-only…).
    case notApplicable(String)
    /// The planner or its solver failed.
    case failed(String)
    /// The instance has no feasible plan, so there is no model to export
    /// (planners themselves return a plan with status `infeasible`).
    case infeasible(String)

    /// The reason, for a human.
    public var description: String {
        switch self {
        case .badInput(let s), .notApplicable(let s), .failed(let s), .infeasible(let s): s
        }
    }
}

/// Every planner, seen by problem kind: its methods by command-line name,
/// its default method, its objective's direction, and one call that plans
/// an ``Instance`` with a method named as on the command line.
///
/// `compare`, `batch` and `report` go through this table only, so a new
/// planner or method is one case here.
public enum PlannerCatalog {
    /// Every method of `kind`, by command-line name, in the order `compare` lists them.
    ///
    /// - Complexity: O(1).
    public static func methods(for kind: ProblemKind) -> [String] {
        switch kind {
        case .schedule: ScheduleMethod.allCases.map(\.rawValue)
        case .linkpool: LinkPoolMethod.allCases.map(\.rawValue)
        case .stagger: StaggerMethod.allCases.map(\.rawValue)
        case .collective: CollectiveMethod.allCases.map(\.rawValue)
        }
    }

    /// The methods `compare` runs when none are named: all but `auto`
    /// (which repeats a heuristic and the exact model).
    public static func compareMethods(for kind: ProblemKind) -> [String] {
        methods(for: kind).filter { $0 != "auto" }
    }

    /// The method a planner command uses without `--method`.
    public static let defaultMethod = "auto"

    /// The direction of the plan's `metrics.objective` for `instance`.
    public static func direction(of instance: Instance) -> ObjectiveDirection {
        switch instance {
        case .schedule(let s):
            if case .window(_, nil) = s.mode { return .minimise }
            return .maximise
        case .linkpool: return .maximise
        case .stagger, .collective: return .minimise
        }
    }

    /// What `metrics.objective` measures for `instance`, with its unit.
    public static func objectiveName(of instance: Instance) -> String {
        switch instance {
        case .schedule(let s):
            if case .window(_, nil) = s.mode { return "makespan (s)" }
            return "served bytes"
        case .linkpool(let l): return l.objective == .concurrent ? "lambda" : "carried (bit/s)"
        case .stagger: return "excess (bit/hyper-period)"
        case .collective: return "largest job time (s)"
        }
    }

    /// Plans options for the command line: the given time limit and solver (GLPK by default).
    public static func options(timeLimit: Double, verbose: Bool = false, solver: any Solver = GLPKSolver()) -> PlanningOptions {
        PlanningOptions(timeLimit: timeLimit, solver: solver, verbose: verbose)
    }

    /// Plans `instance` with the method named `method`.
    ///
    /// - Throws: ``PlanFailure``: `badInput` for an instance its planner
    ///   rejects, `notApplicable` for an unknown or inapplicable method,
    ///   `failed` when the planner or solver fails.
    /// - Complexity: that of the method, bounded by `options.timeLimit` for exact searches.
    public static func plan(_ instance: Instance, method: String, options: PlanningOptions) throws(PlanFailure) -> Plan {
        do {
            switch instance {
            case .schedule(let s):
                guard let m = ScheduleMethod(rawValue: method) else { throw unknown(method, .schedule) }
                return .schedule(try SchedulePlanner.plan(s, method: m, options: options))
            case .linkpool(let l):
                guard let m = LinkPoolMethod(rawValue: method) else { throw unknown(method, .linkpool) }
                return .linkpool(try LinkPoolPlanner.plan(l, method: m, options: options))
            case .stagger(let s):
                guard let m = StaggerMethod(rawValue: method) else { throw unknown(method, .stagger) }
                return .stagger(try StaggerPlanner.plan(s, method: m, options: options))
            case .collective(let c):
                guard let m = CollectiveMethod(rawValue: method) else { throw unknown(method, .collective) }
                return .collective(try CollectivePlanner.plan(c, method: m, options: options, judge: CollectiveCommand.judge(c)))
            }
        } catch let failure as PlanFailure {
            throw failure
        } catch let error as PlanningError {
            if case .methodNotApplicable = error { throw .notApplicable("\(error)") }
            throw .failed("\(error)")
        } catch let error as LinkPoolError {
            if case .heuristicFailed = error { throw .failed("\(error)") }
            throw .badInput("\(error)")
        } catch let error as StaggerError {
            throw .badInput("\(error)")
        } catch let error as ScheduleError {
            throw .badInput("\(error)")
        } catch {
            throw .failed("\(error)")
        }
    }

    static func unknown(_ method: String, _ kind: ProblemKind) -> PlanFailure {
        .notApplicable("'\(method)' is not a \(kind.rawValue) method (one of \(methods(for: kind).joined(separator: ", ")))")
    }

    /// The exact model of `instance` for export (`--as lp|mps`).
    ///
    /// - Parameters:
    ///   - symmetric: link pools: the paired baseline's model.
    ///   - slots: window- and makespan-mode schedules: the slot count `M`
    ///     (nil: the planner's default).
    /// - Throws: ``PlanFailure``: `badInput` for an instance its planner
    ///   rejects, `infeasible` when it has no feasible plan and so no
    ///   model, `notApplicable` for an option that does not apply.
    public static func exactModel(_ instance: Instance, symmetric: Bool = false, slots: Int? = nil) throws(PlanFailure) -> ExportedModel {
        do {
            switch instance {
            case .schedule(let s): return try SchedulePlanner.exactModel(s, slots: slots)
            case .linkpool(let l): return try LinkPoolPlanner.exactModel(l, symmetric: symmetric)
            case .stagger(let s): return try StaggerPlanner.exactModel(s)
            case .collective(let c): return try CollectivePlanner.exactModel(c)
            }
        } catch {
            throw exportFailure(error)
        }
    }

    /// The MathProg data section of `instance` and the model file under
    /// `models/` it is for.
    ///
    /// - Parameters: as ``exactModel(_:symmetric:slots:)``.
    /// - Throws: as ``exactModel(_:symmetric:slots:)``.
    public static func mathProgData(_ instance: Instance, symmetric: Bool = false, slots: Int? = nil) throws(PlanFailure) -> (data: String, model: String) {
        do {
            switch instance {
            case .schedule(let s):
                return (try SchedulePlanner.mathProgData(s, slots: slots), SchedulePlanner.mathProgModelName(s))
            case .linkpool(let l): return (try LinkPoolPlanner.mathProgData(l, symmetric: symmetric), "linkpool.mod")
            case .stagger(let s): return (try StaggerPlanner.mathProgData(s), "stagger.mod")
            case .collective(let c): return (try CollectivePlanner.mathProgData(c), "collective.mod")
            }
        } catch {
            throw exportFailure(error)
        }
    }

    /// How an export failure is reported: input errors are bad input.
    static func exportFailure(_ error: any Error) -> PlanFailure {
        guard let planning = error as? PlanningError else { return .badInput("\(error)") }
        switch planning {
        case .noFeasiblePlan(let why): return .infeasible(why)
        case .methodNotApplicable: return .notApplicable("\(planning)")
        case .noSolver, .solverFailed: return .failed("\(planning)")
        }
    }

    /// Whether `--slots` applies to `instance`: schedules in window or
    /// makespan mode (the slot model); not epochs, link pools or stagger.
    public static func takesSlots(_ instance: Instance) -> Bool {
        if case .schedule(let s) = instance, case .window = s.mode { return true }
        return false
    }
}

extension Plan {
    /// The plan's common fields.
    public var summary: (method: String, status: PlanStatus, metrics: PlanMetrics) {
        switch self {
        case .schedule(let p): (p.method, p.status, p.metrics)
        case .linkpool(let p): (p.method, p.status, p.metrics)
        case .stagger(let p): (p.method, p.status, p.metrics)
        case .collective(let p): (p.method, p.status, p.metrics)
        }
    }
}
