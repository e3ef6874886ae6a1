import ArgumentParser
import Foundation
import OptoCore

/// Exit statuses of every `optoplan` subcommand (FORMATS.md "Command line").
/// This is the one place they are defined; commands throw these.
///
/// | status | meaning |
/// | --- | --- |
/// | 0 | success |
/// | 1 | the problem has no feasible plan |
/// | 64 | bad arguments (argument-parser's validation failures use it too) |
/// | 65 | bad input data: the message names the file, the place and what was wrong |
///
/// An output file that cannot be written (`--output` in a missing or
/// read-only directory) is a bad argument: 64.
public enum ExitStatus {
    /// 0: success.
    public static let ok = ExitCode(0)
    /// 1: the problem has no feasible plan.
    public static let infeasible = ExitCode(1)
    /// 64 (`EX_USAGE`): bad arguments.
    public static let badArguments = ExitCode(64)
    /// 65 (`EX_DATAERR`): bad input data.
    public static let badInput = ExitCode(65)
}

/// Standard error, for summaries, notes and error messages.
public enum StandardError {
    /// Writes one line (a newline is added) to standard error.
    public static func print(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Loading and saving for the subcommands: input errors become a message on
/// standard error and exit status 65; notes go to standard error.
public enum CLIFiles {
    /// A URL for a path given on the command line (relative to the working directory).
    public static func url(_ path: String) -> URL { URL(fileURLWithPath: path) }

    /// A user-facing URL keeping the path as typed (messages show it as given).
    static func userURL(_ path: String) -> URL {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path) }
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        return URL(fileURLWithPath: path, relativeTo: cwd)
    }

    /// Reads an instance, printing its notes; on bad input prints the error
    /// and throws exit status 65.
    public static func loadInstance(_ path: String, quiet: Bool = false) throws(ExitCode) -> Instance {
        do {
            let (instance, notes) = try InstanceReader.read(contentsOf: userURL(path))
            if !quiet { notes.forEach { StandardError.print("note: \($0)") } }
            return instance
        } catch {
            StandardError.print("error: \(error)")
            throw ExitStatus.badInput
        }
    }

    /// Reads an instance of one problem kind (a file of another kind is bad input).
    public static func loadInstance(_ path: String, expecting kind: ProblemKind, quiet: Bool = false) throws(ExitCode) -> Instance {
        do {
            let (instance, notes) = try InstanceReader.read(contentsOf: userURL(path), expecting: kind)
            if !quiet { notes.forEach { StandardError.print("note: \($0)") } }
            return instance
        } catch {
            StandardError.print("error: \(error)")
            throw ExitStatus.badInput
        }
    }

    /// Reads a schedule instance.
    public static func loadScheduleInstance(_ path: String) throws(ExitCode) -> ScheduleInstance {
        guard case .schedule(let s) = try loadInstance(path, expecting: .schedule) else { throw ExitStatus.badInput }
        return s
    }

    /// Reads a link-pool instance.
    public static func loadLinkPoolInstance(_ path: String) throws(ExitCode) -> LinkPoolInstance {
        guard case .linkpool(let s) = try loadInstance(path, expecting: .linkpool) else { throw ExitStatus.badInput }
        return s
    }

    /// Reads a stagger instance.
    public static func loadStaggerInstance(_ path: String) throws(ExitCode) -> StaggerInstance {
        guard case .stagger(let s) = try loadInstance(path, expecting: .stagger) else { throw ExitStatus.badInput }
        return s
    }

    /// Reads a plan; on bad input prints the error and throws exit status 65.
    public static func loadPlan(_ path: String) throws(ExitCode) -> Plan {
        do {
            return try PlanIO.read(contentsOf: userURL(path))
        } catch {
            StandardError.print("error: \(error)")
            throw ExitStatus.badInput
        }
    }

    /// Writes a plan atomically to `path`, or prints it on standard output
    /// when `path` is nil or `-`. A write failure prints the reason and
    /// throws exit status 64.
    public static func savePlan(_ plan: Plan, to path: String?) throws(ExitCode) {
        do {
            if let path, path != "-" {
                try PlanIO.write(plan, to: userURL(path))
            } else {
                print(try PlanIO.text(plan), terminator: "")
            }
        } catch {
            StandardError.print("error: \(error)")
            throw ExitStatus.badArguments
        }
    }

    /// Writes an instance atomically to `path`, or prints it on standard output.
    public static func saveInstance(_ instance: Instance, to path: String?) throws(ExitCode) {
        do {
            if let path, path != "-" {
                try InstanceWriter.write(instance, to: userURL(path))
            } else {
                print(InstanceWriter.text(instance), terminator: "")
            }
        } catch {
            StandardError.print("error: \(error)")
            throw ExitStatus.badArguments
        }
    }
}
