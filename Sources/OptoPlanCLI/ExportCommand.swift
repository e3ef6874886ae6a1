import ArgumentParser
import Foundation
import OptoCore
import OptoGLPK
import OptoPlanners

/// The file formats `optoplan export` writes.
public enum ExportFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// CPLEX LP, through GLPK's writer.
    case lp
    /// Free MPS, through GLPK's writer (a maximisation is written negated, with a comment saying so).
    case mps
    /// The instance's MathProg data section for `models/<problem>.mod`.
    case mathprog
}

/// `optoplan export INSTANCE --as lp|mps|mathprog --output FILE [--slots M] [--symmetric]`:
/// the exact model of an instance, for another solver or for `glpsol`.
public struct ExportCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the exact model of an instance as LP or MPS, or its MathProg data.",
        discussion: """
        lp and mps write the model the planner's ilp method hands to its \
        solver (link pool and stagger: stage 1, the best objective), through \
        GLPK's writers; the objective is in the planner's scaled units and \
        standard error says the factor to the plan's objective. Schedules in \
        window or makespan mode get the slot model with --slots M slots \
        (default: the planner's, from the best heuristic plan); epochs mode \
        gets the epochs model. mathprog writes the data section for \
        models/<problem>.mod (schedules: schedule.mod, schedule-makespan.mod \
        or schedule-epochs.mod, in MB and ms). The file is written \
        atomically.

        Exit status: 0 written; 1 the instance has no feasible plan (a \
        makespan instance with demand that can never be served: there is no \
        model); 64 bad arguments (an option that does not apply to the \
        instance, an unwritable output); 65 bad input.

        Examples:
          optoplan export pool.json --as lp --output pool.lp
          glpsol --lp pool.lp
          optoplan export sched.json --as mps --slots 4 --output sched.mps
          glpsol --freemps sched.mps --min
          optoplan export jobs.json --as mathprog --output jobs.dat
          glpsol -m models/stagger.mod -d jobs.dat
        """
    )

    @Argument(help: "The instance (JSON).")
    public var instance: String

    @Option(name: .customLong("as"), help: "lp, mps or mathprog.")
    public var format: ExportFormat

    @Option(name: .shortAndLong, help: "The file to write.")
    public var output: String

    @Option(help: "Schedules in window or makespan mode: configuration slots M of the model (default: the planner's).")
    public var slots: Int?

    @Flag(help: "Link pool: export the symmetric (paired) baseline instead.")
    public var symmetric = false

    public init() {}

    public func validate() throws {
        if let s = slots, s < 1 { throw ValidationError("--slots must be at least 1") }
    }

    public func run() throws {
        let loaded = try CLIFiles.loadInstance(instance)
        if slots != nil && !PlannerCatalog.takesSlots(loaded) {
            StandardError.print("error: --slots applies to schedule instances in window or makespan mode, not to this \(Self.kind(loaded)) instance")
            throw ExitStatus.badArguments
        }
        if symmetric && loaded.problem != .linkpool {
            StandardError.print("error: --symmetric applies to link-pool instances, not to this \(Self.kind(loaded)) instance")
            throw ExitStatus.badArguments
        }
        let target = CLIFiles.userURL(output)
        switch format {
        case .mathprog:
            let result: (data: String, model: String)
            do { result = try PlannerCatalog.mathProgData(loaded, symmetric: symmetric, slots: slots) } catch {
                throw Self.fail(error, instance: instance)
            }
            do { try AtomicFile.write(Data(result.data.utf8), to: target) } catch {
                StandardError.print("error: \(error)")
                throw ExitStatus.badArguments
            }
            StandardError.print("wrote the MathProg data of \(instance) to \(output): glpsol -m models/\(result.model) -d \(output)")
        case .lp, .mps:
            let exported: ExportedModel
            do { exported = try PlannerCatalog.exactModel(loaded, symmetric: symmetric, slots: slots) } catch {
                throw Self.fail(error, instance: instance)
            }
            try Self.writeAtomically(exported, format: format == .lp ? .cplexLP : .freeMPS, to: target)
            let m = exported.model
            StandardError.print("wrote \(m.name) (\(m.variableCount) variables, \(m.constraintCount) constraints, \(m.nonzeroCount) nonzeros) to \(output)")
            StandardError.print("objective × \(String(format: "%.17g", exported.objectiveScale)) = \(exported.objectiveMeaning); \(exported.notes.joined(separator: "; "))")
        }
    }

    /// The instance's kind for messages (`schedule (epochs mode)`, `linkpool`, …).
    static func kind(_ instance: Instance) -> String {
        if case .schedule(let s) = instance, case .epochs = s.mode { return "schedule (epochs mode)" }
        return instance.problem.rawValue
    }

    /// Prints why there is no model and returns the exit status (FORMATS.md).
    static func fail(_ failure: PlanFailure, instance: String) -> ExitCode {
        switch failure {
        case .badInput(let why):
            StandardError.print("error: \(instance): \(why)")
            return ExitStatus.badInput
        case .infeasible(let why):
            StandardError.print("error: \(instance): no feasible plan, so no model to export: \(why)")
            return ExitStatus.infeasible
        case .notApplicable(let why):
            StandardError.print("error: \(why)")
            return ExitStatus.badArguments
        case .failed(let why):
            StandardError.print("error: \(instance): \(why)")
            return ExitStatus.infeasible
        }
    }

    /// Writes through GLPK into a temporary file beside `url`, then renames it.
    static func writeAtomically(_ exported: ExportedModel, format: ModelFileFormat, to url: URL) throws(ExitCode) {
        let dir = url.deletingLastPathComponent()
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        do {
            try GLPKSolver.write(exported.model, as: format, to: temp.path)
            if rename(temp.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temp)
                StandardError.print("error: \(url.path): \(reason)")
                throw ExitStatus.badArguments
            }
        } catch let code as ExitCode {
            throw code
        } catch {
            try? FileManager.default.removeItem(at: temp)
            StandardError.print("error: \(error)")
            throw ExitStatus.badArguments
        }
    }
}
