import ArgumentParser
import Foundation
import OptoCore

/// `optoplan validate FILE…`: checks instance and plan files and prints
/// every problem found.
///
/// A plan is also checked against an instance of the same problem given on
/// the same command line: the nearest one before it, or else the first one
/// after it. Each valid file gets one `ok` line on standard output; each
/// problem and note goes to standard error. Exit 0 when every file is
/// valid, 65 otherwise.
public struct ValidateCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check instance and plan files (and plans against their instances) and print every problem.",
        discussion: """
        A plan is checked against the instance of the same problem listed nearest before it \
        (or, if none, the first after it): circuits naming nodes out of range, port limits, \
        the window, offsets off the step grid, and so on. Exit status 0 when all files are \
        valid, 65 otherwise.

        Example:
          optoplan validate datasets/linkpool/two-racks-8to1.json pool.plan.json
        """
    )

    @Argument(help: "Instance and plan files (JSON).")
    public var files: [String]

    public init() {}

    public func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file") }
    }

    public func run() throws {
        let checked = files.map { DataFile.check(contentsOf: CLIFiles.userURL($0)) }
        var problems = 0
        for (k, c) in checked.enumerated() {
            c.notes.forEach { StandardError.print("note: \($0)") }
            var errors = c.errors
            var against: String?
            if let plan = c.plan {
                let candidates = checked.indices.filter { checked[$0].instance?.problem == plan.problem }
                if let i = candidates.last(where: { $0 < k }) ?? candidates.first(where: { $0 > k }),
                   let instance = checked[i].instance {
                    errors = PlanChecker.check(plan, file: c.file, against: instance, instanceFile: checked[i].file)
                    against = checked[i].file
                }
            }
            for e in errors { StandardError.print("error: \(e)") }
            problems += errors.count
            if errors.isEmpty {
                print("\(c.file): ok (\(summary(c, against: against)))")
            }
        }
        if problems > 0 {
            StandardError.print("\(problems) problem\(problems == 1 ? "" : "s") found")
            throw ExitStatus.badInput
        }
    }

    func summary(_ c: DataFile.Checked, against: String?) -> String {
        if let plan = c.plan {
            let where_ = against.map { ", checked against \($0)" } ?? ", no instance given"
            return "\(plan.problem.rawValue) plan by \(plan.method), \(plan.status.rawValue)\(where_)"
        }
        guard let instance = c.instance else { return "" }
        switch instance {
        case .schedule(let s):
            switch s.mode {
            case .window(_, let w):
                return "schedule instance, \(s.fabric.nodes) nodes, window mode" + (w.map { ", window \(Quantity.format($0, as: .time))" } ?? ", makespan")
            case .epochs(let e):
                return "schedule instance, \(s.fabric.nodes) nodes, \(e.count) epochs"
            }
        case .linkpool(let l):
            return "linkpool instance, \(l.fabric.nodes) nodes, \(l.objective.rawValue)"
        case .stagger(let s):
            return "stagger instance, \(s.jobs.count) jobs on \(s.links.count) links"
        case .collective(let c):
            let count = c.jobs.reduce(0) { $0 + $1.collectives.count }
            return "collective instance, \(c.fabric.nodes) nodes, \(c.jobs.count) job\(c.jobs.count == 1 ? "" : "s"), \(count) collective\(count == 1 ? "" : "s")"
        }
    }
}
