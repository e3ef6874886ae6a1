import ArgumentParser
import Foundation
import OptoCore

/// `optoplan batch INPUT_DIR --output DIR [--method M] [--shard I/N] [--jobs J] [--time-limit S]`.
public struct BatchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Plan every instance file under a directory, one plan file each.",
        discussion: """
        Every instance under INPUT_DIR is planned with its problem's default \
        method (or --method) and written atomically to DIR/<name>.plan.json. \
        Instances are the *.json files (recursively; *.plan.json, hidden files \
        and DIR itself excepted) holding a JSON object with a "problem" field; \
        other valid JSON (job specifications for optoplan gen, plans) is \
        listed as not an instance and left alone, while unreadable files and \
        malformed JSON are bad input. Plans \
        that already exist are skipped, so a killed batch resumes where it \
        stopped. --shard I/N takes a stable share by file name (FNV-1a of the \
        relative path, mod N); without it the shard comes from \
        SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (minus SLURM_ARRAY_TASK_MIN) \
        or JOB_COMPLETION_INDEX/OPTOPLAN_SHARD_COUNT. One failure never stops \
        the batch. Exit status: 0 all planned (or skipped); 65 some file was \
        bad input; 1 otherwise when some instance had no feasible plan or \
        failed to plan. See docs/batch.md for Slurm and Kubernetes.

        --time-limit S bounds each instance's exact search, and with auto its \
        heuristics too where they can stop cheaply: schedules' greedy, \
        eclipse and solstice stop at S keeping the configurations they have \
        (static and rotor always complete), stagger's greedy local search \
        stops at S, link pools' greedy start gets S/10; the exact model gets \
        what is left. A heuristic named with --method runs to the end, and \
        so does the epochs-mode greedy (one matching per epoch), so an \
        instance may take longer than S; the per-instance lines show the time.

        Examples:
          optoplan batch traces/ --output plans/ --jobs 2 --time-limit 10
          optoplan batch traces/ --output plans/ --shard 0/3
        """
    )

    @Argument(help: "The directory of instance files.")
    public var inputDir: String

    @Option(name: .shortAndLong, help: "The directory for plan files (created if missing).")
    public var output: String

    @Option(help: "The method for every instance (default: each problem's auto).")
    public var method: String?

    @Option(help: "Take only share I of N (0-based), e.g. 1/4.")
    public var shard: String?

    @Option(help: "Instances planned at once (default 1).")
    public var jobs: Int = 1

    @Option(name: .long, help: "Seconds for each instance's exact search, and auto's heuristics (default 30).")
    public var timeLimit: Double = 30

    @OptionGroup public var solverOption: SolverOption

    public init() {}

    public func validate() throws {
        guard timeLimit.isFinite, timeLimit > 0 else { throw ValidationError("--time-limit must be a positive number of seconds") }
        guard jobs >= 1, jobs <= 1024 else { throw ValidationError("--jobs must be between 1 and 1024") }
        if let method {
            let known = Set(ProblemKind.allCases.flatMap { PlannerCatalog.methods(for: $0) })
            guard known.contains(method) else {
                throw ValidationError("--method '\(method)' is not a method of any planner (\(known.sorted().joined(separator: ", ")))")
            }
        }
    }

    public func run() throws {
        let shard: BatchShard?
        do { shard = try BatchShard.resolve(option: self.shard, environment: ProcessInfo.processInfo.environment) } catch {
            StandardError.print("error: \(error)")
            throw ExitStatus.badArguments
        }
        var isDir: ObjCBool = false
        let input = CLIFiles.userURL(inputDir)
        guard FileManager.default.fileExists(atPath: input.path, isDirectory: &isDir), isDir.boolValue else {
            StandardError.print("error: \(inputDir) is not a directory")
            throw ExitStatus.badArguments
        }
        let outputURL = CLIFiles.userURL(output)
        do { try FileManager.default.createDirectory(at: outputURL, withIntermediateDirectories: true) } catch {
            StandardError.print("error: cannot create \(output): \(error.localizedDescription)")
            throw ExitStatus.badArguments
        }
        var runner = BatchRunner(inputDirectory: input, outputDirectory: outputURL, method: method, shard: shard,
                                 jobs: jobs, timeLimit: timeLimit)
        runner.solver = try solverOption.make()
        let items: [BatchRunner.Item]
        do { items = try runner.items() } catch {
            StandardError.print("error: cannot list \(inputDir): \(error.localizedDescription)")
            throw ExitStatus.badArguments
        }
        let progress = BatchProgress(total: items.count, terminal: isatty(STDERR_FILENO) == 1)
        let shardText = shard.map { " (shard \($0))" } ?? ""
        StandardError.print("batch: \(items.count) JSON file(s)\(shardText), \(jobs) at once")
        let outcomes = runner.run(items) { done, item, outcome in progress.report(done: done, item: item, outcome: outcome) }
        progress.finish()
        let summary = BatchSummary(items: items, outcomes: outcomes, seconds: progress.elapsed)
        StandardError.print(summary.text(shard: shard))
        if let status = summary.exitStatus { throw status }
    }
}

/// The progress display: a rewritten line on a terminal, one plain line per
/// instance otherwise.
final class BatchProgress: @unchecked Sendable {
    let total: Int
    let terminal: Bool
    let start = Date()
    private var failed = 0
    private var skipped = 0

    init(total: Int, terminal: Bool) {
        self.total = total
        self.terminal = terminal
    }

    var elapsed: Double { Date().timeIntervalSince(start) }

    /// Called serialised by the runner after each instance.
    func report(done: Int, item: BatchRunner.Item, outcome: BatchRunner.Outcome) {
        let width = String(total).count
        let position = "[" + String(repeating: " ", count: max(0, width - String(done).count)) + "\(done)/\(total)]"
        var line: String
        switch outcome {
        case let .planned(problem, method, status, seconds):
            line = "planned \(item.relativePath): \(problem.rawValue) \(method) \(status.rawValue), \(String(format: "%.2f", seconds)) s"
        case .skipped:
            skipped += 1
            line = "skipped \(item.relativePath): plan exists"
        case .notInstance(let why):
            skipped += 1
            line = "skipped \(item.relativePath): \(why)"
        case .badInput(let why):
            failed += 1
            line = "FAILED \(item.relativePath): bad input: \(why)"
        case .failed(let why):
            failed += 1
            line = "FAILED \(item.relativePath): \(why)"
        }
        if terminal {
            let t = elapsed
            let worked = done - skipped
            let rate = t > 0 ? Double(worked) / t : 0
            let left = rate > 0 ? Double(total - done) / rate : 0
            var status = "\(position) \(String(format: "%.2f", rate)) plans/s, ~\(Self.duration(left)) left"
            if failed > 0 { status += ", \(failed) failed" }
            // Failures stay on screen; the status line is rewritten.
            if case .badInput = outcome { FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + "\n").utf8)) }
            if case .failed = outcome { FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + "\n").utf8)) }
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + status).utf8))
        } else {
            StandardError.print("\(position) \(line)")
        }
    }

    func finish() {
        if terminal && total > 0 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    static func duration(_ s: Double) -> String {
        if s < 60 { return String(format: "%.0f s", s) }
        if s < 3600 { return String(format: "%.0f min", s / 60) }
        return String(format: "%.1f h", s / 3600)
    }
}

/// Counts and failures of a finished batch, its summary and exit status.
struct BatchSummary {
    var planned = 0
    var infeasible = 0
    var skipped = 0
    var notInstances: [(String, String)] = []
    var badInput: [(String, String)] = []
    var failed: [(String, String)] = []
    var seconds: Double

    init(items: [BatchRunner.Item], outcomes: [BatchRunner.Outcome], seconds: Double) {
        self.seconds = seconds
        for (item, outcome) in zip(items, outcomes) {
            switch outcome {
            case .planned(_, _, let status, _):
                planned += 1
                if status == .infeasible { infeasible += 1 }
            case .skipped: skipped += 1
            case .notInstance(let why): notInstances.append((item.relativePath, why))
            case .badInput(let why): badInput.append((item.relativePath, why))
            case .failed(let why): failed.append((item.relativePath, why))
            }
        }
    }

    func text(shard: BatchShard?) -> String {
        var s = "batch done in \(String(format: "%.1f", seconds)) s: \(planned) planned"
        if infeasible > 0 { s += " (\(infeasible) with no feasible plan)" }
        s += ", \(skipped) skipped, \(badInput.count + failed.count) failed"
        if !notInstances.isEmpty { s += ", \(notInstances.count) not instance\(notInstances.count == 1 ? "" : "s")" }
        if let shard { s += " [shard \(shard)]" }
        for (path, why) in notInstances { s += "\n  skipped: \(path): \(why)" }
        for (path, why) in badInput { s += "\n  bad input: \(path): \(why)" }
        for (path, why) in failed { s += "\n  failed: \(path): \(why)" }
        return s
    }

    /// nil for success; 65 when any file was bad input; 1 when any instance
    /// failed or had no feasible plan.
    var exitStatus: ExitCode? {
        if !badInput.isEmpty { return ExitStatus.badInput }
        if !failed.isEmpty || infeasible > 0 { return ExitStatus.infeasible }
        return nil
    }
}
