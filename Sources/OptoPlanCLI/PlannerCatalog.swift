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

    /// The reason, for a human.
    public var description: String {
        switch self {
        case .badInput(let s), .notApplicable(let s), .failed(let s): s
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
        case .stagger: return .minimise
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

    /// The exact model of `instance` for export, or nil when its planner has none yet.
    ///
    /// - Throws: ``PlanFailure/badInput(_:)`` for an instance its planner rejects.
    public static func exactModel(_ instance: Instance, symmetric: Bool = false) throws(PlanFailure) -> ExportedModel? {
        do {
            switch instance {
            case .schedule: return nil
            case .linkpool(let l): return try LinkPoolPlanner.exactModel(l, symmetric: symmetric)
            case .stagger(let s): return try StaggerPlanner.exactModel(s)
            }
        } catch {
            throw .badInput("\(error)")
        }
    }

    /// The MathProg data section of `instance` and the model file under
    /// `models/` it is for, or nil when that model is not in the repository.
    ///
    /// - Throws: ``PlanFailure/badInput(_:)`` for an instance its planner rejects.
    public static func mathProgData(_ instance: Instance, symmetric: Bool = false) throws(PlanFailure) -> (data: String, model: String)? {
        do {
            switch instance {
            case .schedule(let s):
                return (try SchedulePlanner.mathProgData(s), SchedulePlanner.mathProgModelName(s))
            case .linkpool(let l): return (try LinkPoolPlanner.mathProgData(l, symmetric: symmetric), "linkpool.mod")
            case .stagger(let s): return (try StaggerPlanner.mathProgData(s), "stagger.mod")
            }
        } catch {
            throw .badInput("\(error)")
        }
    }
}

extension Plan {
    /// The plan's common fields.
    public var summary: (method: String, status: PlanStatus, metrics: PlanMetrics) {
        switch self {
        case .schedule(let p): (p.method, p.status, p.metrics)
        case .linkpool(let p): (p.method, p.status, p.metrics)
        case .stagger(let p): (p.method, p.status, p.metrics)
        }
    }
}
