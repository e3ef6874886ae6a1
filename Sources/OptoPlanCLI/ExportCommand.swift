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

/// `optoplan export INSTANCE --as lp|mps|mathprog --output FILE`: the exact
/// model of an instance, for another solver or for `glpsol`.
public struct ExportCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the exact model of an instance as LP or MPS, or its MathProg data.",
        discussion: """
        lp and mps write the model the planner hands to its solver (stage 1: \
        the best objective), through GLPK's writers; the objective is in the \
        planner's scaled units and standard error says the factor to the \
        plan's objective. mathprog writes the data section for \
        models/<problem>.mod (schedules: schedule.mod, schedule-makespan.mod \
        or schedule-epochs.mod, in MB and ms). The file is written atomically.

        Examples:
          optoplan export pool.json --as lp --output pool.lp && glpsol --lp pool.lp
          optoplan export jobs.json --as mathprog --output jobs.dat && glpsol -m models/stagger.mod -d jobs.dat
        """
    )

    @Argument(help: "The instance (JSON).")
    public var instance: String

    @Option(name: .customLong("as"), help: "lp, mps or mathprog.")
    public var format: ExportFormat

    @Option(name: .shortAndLong, help: "The file to write.")
    public var output: String

    @Flag(help: "Link pool: export the symmetric (paired) baseline instead.")
    public var symmetric = false

    public init() {}

    public func run() throws {
        let loaded = try CLIFiles.loadInstance(instance)
        let target = CLIFiles.userURL(output)
        switch format {
        case .mathprog:
            let result: (data: String, model: String)?
            do { result = try PlannerCatalog.mathProgData(loaded, symmetric: symmetric) } catch {
                StandardError.print("error: \(instance): \(error)")
                throw ExitStatus.badInput
            }
            guard let (data, model) = result else {
                StandardError.print("error: there is no MathProg model of \(loaded.problem.rawValue) instances yet")
                throw ExitStatus.badArguments
            }
            do { try AtomicFile.write(Data(data.utf8), to: target) } catch {
                StandardError.print("error: \(error)")
                throw ExitStatus.badArguments
            }
            StandardError.print("wrote the MathProg data of \(instance) to \(output): glpsol -m models/\(model) -d \(output)")
        case .lp, .mps:
            let exported: ExportedModel?
            do { exported = try PlannerCatalog.exactModel(loaded, symmetric: symmetric) } catch {
                StandardError.print("error: \(instance): \(error)")
                throw ExitStatus.badInput
            }
            guard let exported else {
                StandardError.print("error: the exact model of \(loaded.problem.rawValue) instances cannot be exported yet")
                throw ExitStatus.badArguments
            }
            try Self.writeAtomically(exported, format: format == .lp ? .cplexLP : .freeMPS, to: target)
            let m = exported.model
            StandardError.print("wrote \(m.name) (\(m.variableCount) variables, \(m.constraintCount) constraints, \(m.nonzeroCount) nonzeros) to \(output)")
            StandardError.print("objective × \(String(format: "%.17g", exported.objectiveScale)) = \(exported.objectiveMeaning); \(exported.notes.joined(separator: "; "))")
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
