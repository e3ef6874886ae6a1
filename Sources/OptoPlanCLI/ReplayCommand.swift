import ArgumentParser
import Foundation
import OptoCore
import OptoPlanners
import OptoReplay
import OptoTraffic

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `optoplan replay TRACE --horizon H --fabric FABRIC.json …`: the
/// rolling-horizon loop of PROBLEMS.md §5 on a trace (see `ReplayRunner`).
public struct ReplayCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a trace: forecast, plan the next epochs, keep the first, score it on the actual traffic, repeat.",
        discussion: """
        TRACE is a t,src,dst,demand CSV file or an epochs-mode schedule instance, read as `optoplan predict` \
        reads it (--unit, --holdout). The first part trains the predictor; every held-back epoch e is one step: \
        forecast the next --horizon epochs from the snapshots before e, plan them in epochs mode (auto by \
        default, within --step-limit seconds, warm-started from the previous step's plan) from the circuits in \
        place (new circuits pay δ), keep epoch e's configuration and score it on the actual matrix with the \
        evaluator, the backlog carried. The totals compare replay with perfect foresight (the held-back part \
        planned with auto on its actual matrices within --time-limit) and static (one configuration planned on \
        the training part).

        --fabric is a schedule instance (its fabric is used) or a JSON object {"fabric": {…}}; with "maxHops": 2 \
        in it each kept epoch also routes transit over two circuits (its free ports filled for two-circuit paths, \
        the bytes expected routed by the routing LP, the routes kept with the circuits). --hedge Q plans \
        on the per-pair Q-quantile of forecast plus the predictor's training residuals; --scenarios K on K \
        matrices per epoch drawn from those residuals (--seed), maximising the mean served bytes. --output DIR \
        writes each step's plan (DIR/epoch-NNNNNN.plan.json, whose first epoch is the kept one) and \
        DIR/summary.json; a rerun with the same settings reads the plans already there instead of planning \
        them again. Progress goes to standard error; Ctrl-C stops after the current step and reports the \
        epochs done (a second Ctrl-C quits at once). Exit status 64 for bad arguments, 65 for a bad trace or \
        fabric file.

        Example:
          optoplan replay datasets/traces/fb_pod_a_4x4_series.csv --unit MB --horizon 4 --fabric pods.json
        """
    )

    @OptionGroup public var traceOptions: TraceOptions

    var trace: String { traceOptions.trace }

    @Option(help: "Epochs forecast and planned at each step.")
    public var horizon: Int

    @Option(help: "The fabric: a schedule instance or {\"fabric\": {…}} (JSON).")
    public var fabric: String

    @Option(help: "Duration of every epoch.")
    public var epoch: String = "1s"

    @Option(help: "Plan on the per-pair Q-quantile of forecast plus training residual (0 to 1).")
    public var hedge: Double?

    @Option(help: "Plan on K scenarios drawn from the training residuals.")
    public var scenarios: Int?

    @Option(help: "Seed of the scenario draws.")
    public var seed: UInt64 = 1

    @Option(help: "Method of each step's plan: auto, ilp or greedy.")
    public var method: ScheduleMethod = .auto

    @Option(help: "Seconds each step's plan may take (default 2).")
    public var stepLimit: Double = ReplayConfiguration.defaultStepTimeLimit

    @Option(help: "table, csv or json.")
    public var format: String = "table"

    @Option(name: .shortAndLong, help: "Directory for each kept plan and summary.json; resumes from it.")
    public var output: String?

    @OptionGroup public var search: ExactSearchOptions

    public init() {}

    public func validate() throws {
        guard horizon >= 1, horizon <= 10_000 else { throw ValidationError("--horizon must be 1 to 10000") }
        _ = try PredictCommand.quantity(epoch, .time, "epoch")
        if hedge != nil && scenarios != nil { throw ValidationError("--hedge and --scenarios exclude each other") }
        if let q = hedge, !(q >= 0 && q <= 1) { throw ValidationError("--hedge must be a quantile between 0 and 1") }
        if let k = scenarios, !(k >= 1 && k <= 1000) { throw ValidationError("--scenarios must be 1 to 1000") }
        guard [.auto, .ilp, .greedy].contains(method) else { throw ValidationError("--method must be auto, ilp or greedy") }
        guard stepLimit.isFinite, stepLimit > 0 else { throw ValidationError("--step-limit must be a positive number of seconds") }
        guard ["table", "csv", "json"].contains(format) else { throw ValidationError("--format must be table, csv or json") }
    }

    /// The hedging the flags ask for.
    static func hedging(hedge: Double?, scenarios: Int?, seed: UInt64) -> Hedging {
        if let q = hedge { return .quantile(q) }
        if let k = scenarios { return .scenarios(count: k, seed: seed) }
        return .none
    }

    public func run() throws {
        let series = try traceOptions.read()
        let (fab, maxHops) = try Self.readFabric(fabric)
        var options = try search.planningOptions()
        options.timeLimit = search.timeLimit
        let config = ReplayConfiguration(fabric: fab, epochDuration: try PredictCommand.quantity(epoch, .time, "epoch"),
                                         holdout: traceOptions.holdout, horizon: horizon, predictor: traceOptions.predictor,
                                         hedging: Self.hedging(hedge: hedge, scenarios: scenarios, seed: seed),
                                         method: method, stepTimeLimit: stepLimit, referenceTimeLimit: search.timeLimit,
                                         solver: options.solver, maxHops: maxHops)
        let runner: ReplayRunner
        do {
            runner = try ReplayRunner(series: series, configuration: config)
        } catch {
            switch error {
            case .invalidTrace(let m): StandardError.print("error: \(trace): \(m)"); throw ExitStatus.badInput
            case .invalidArgument(let m): StandardError.print("error: \(m)"); throw ExitStatus.badArguments
            }
        }
        runner.notes.forEach { StandardError.print("note: \($0)") }
        let store = try output.map { try ReplayStore(directory: $0, settings: config.fingerprint + " trace=\(series.nodes)x\(series.snapshots.count)", fabric: fab) }

        let session = ExactSolveSession(search.display, output: nil)
        session.installSignalHandler()
        defer { session.finish() }
        let progress = ReplayProgress(quiet: search.display.quiet, isTerminal: isatty(STDERR_FILENO) != 0)
        let report: ReplayReport
        do {
            report = try runner.run(resumed: { t in try store?.plan(at: t) },
                                    kept: { t, plan in try store?.save(plan, at: t) },
                                    progress: { row, i, n in progress.show(row, i, n) },
                                    shouldStop: { session.stopRequested })
        } catch let e as ExitCode {
            throw e
        } catch {
            progress.clear()
            StandardError.print("error: \(error)")
            throw ExitStatus.badInput
        }
        progress.clear()
        report.notes.filter { !runner.notes.contains($0) }.forEach { StandardError.print("note: \($0)") }
        let json = Self.json(report)
        if let store { try store.saveSummary(json) }
        switch format {
        case "json": print(json.serialized(pretty: true))
        case "csv": print(Self.csv(report), terminator: "")
        default: print(Self.table(report), terminator: "")
        }
    }

    /// Reads `--fabric`: a schedule instance's fabric, or `{"fabric": {…}}`,
    /// with its `maxHops` (1 or 2).
    static func readFabric(_ path: String) throws(ExitCode) -> (Fabric, Int) {
        let url = CLIFiles.userURL(path)
        do {
            let data = try TextFile.contents(of: url, file: path)
            let json: JSONValue
            switch JSONValue.parse([UInt8](data)) {
            case .success(let j): json = j
            case .failure(let e):
                StandardError.print("error: \(path): \(e)")
                throw ExitStatus.badInput
            }
            let ctx = InputContext(file: path, baseDirectory: url.deletingLastPathComponent())
            guard case .object(let members) = json, let fabricJSON = members.first(where: { $0.key == "fabric" })?.value else {
                StandardError.print("error: \(path): expected a schedule instance or an object with a \"fabric\" member")
                throw ExitStatus.badInput
            }
            let f = InstanceReader.readScheduleFabricWithHops(fabricJSON, ctx)
            if let first = ctx.reportedErrors.first {
                StandardError.print("error: \(first)")
                throw ExitStatus.badInput
            }
            guard let f else {
                StandardError.print("error: \(path): fabric: not a schedule fabric")
                throw ExitStatus.badInput
            }
            return f
        } catch let e as ExitCode {
            throw e
        } catch {
            StandardError.print("error: \(error)")
            throw ExitStatus.badInput
        }
    }

    static func totalsJSON(_ t: ReplayTotals) -> JSONValue {
        .object([("servedBytes", .number(t.servedBytes)), ("backlogBytes", .number(t.backlogBytes)),
                 ("circuitsChanged", .number(Double(t.circuitsChanged))), ("cpuSeconds", .number(t.cpuSeconds))])
    }

    /// The `--format json` document of FORMATS.md (`epochs`, `totals`), with the predictor and notes.
    static func json(_ r: ReplayReport) -> JSONValue {
        let epochs: [JSONValue] = r.epochs.map { e in
            .object([("epoch", .number(Double(e.epoch))), ("servedBytes", .number(e.servedBytes)),
                     ("backlogBytes", .number(e.backlogBytes)), ("circuitsChanged", .number(Double(e.circuitsChanged))),
                     ("forecastError", e.forecastError.isFinite ? .number(e.forecastError) : .null),
                     ("method", .string(e.method)), ("cpuSeconds", .number(e.cpuSeconds))])
        }
        var totals: [(key: String, value: JSONValue)] = [("replay", totalsJSON(r.replay))]
        if let pf = r.perfectForesight { totals.append(("perfectForesight", totalsJSON(pf))) }
        if let st = r.staticPlan { totals.append(("static", totalsJSON(st))) }
        return .object([("predictor", .string(r.predictor.description)), ("firstEpoch", .number(Double(r.split))),
                        ("epochs", .array(epochs)), ("totals", .object(totals)), ("interrupted", .bool(r.interrupted)),
                        ("notes", .array(r.notes.map { .string($0) }))])
    }

    static func csv(_ r: ReplayReport) -> String {
        var lines = ["row,epoch,servedBytes,backlogBytes,circuitsChanged,forecastError,cpuSeconds"]
        for e in r.epochs {
            lines.append("epoch,\(e.epoch),\(JSONValue.numberText(e.servedBytes)),\(JSONValue.numberText(e.backlogBytes)),"
                         + "\(e.circuitsChanged),\(e.forecastError.isFinite ? JSONValue.numberText(e.forecastError) : ""),"
                         + "\(JSONValue.numberText(e.cpuSeconds))")
        }
        func total(_ name: String, _ t: ReplayTotals?) {
            guard let t else { return }
            lines.append("\(name),,\(JSONValue.numberText(t.servedBytes)),\(JSONValue.numberText(t.backlogBytes)),"
                         + "\(t.circuitsChanged),,\(JSONValue.numberText(t.cpuSeconds))")
        }
        total("replay", r.replay)
        total("perfectForesight", r.perfectForesight)
        total("static", r.staticPlan)
        return lines.map { $0 + "\n" }.joined()
    }

    static func table(_ r: ReplayReport) -> String {
        func right(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        func vol(_ v: Double) -> String { Quantity.format(v, as: .volume) }
        var lines = ["predictor: \(r.predictor.description); epochs \(r.split)…\(r.split + r.epochs.count - 1) of \(r.snapshots) replayed",
                     "epoch        served       backlog  circuits changed  forecast NMAE  method"]
        for e in r.epochs {
            lines.append(right(String(e.epoch), 5) + "  " + right(vol(e.servedBytes), 12) + "  " + right(vol(e.backlogBytes), 12)
                         + "  " + right(String(e.circuitsChanged), 16) + "  "
                         + right(e.forecastError.isFinite ? String(format: "%.4f", e.forecastError) : "—", 13) + "  " + e.method)
        }
        lines.append("")
        lines.append("total                      served       backlog  circuits changed  CPU s  served / perfect foresight")
        let pfServed = r.perfectForesight?.servedBytes
        func total(_ name: String, _ t: ReplayTotals?) {
            guard let t else { return }
            let ratio = pfServed.map { $0 > 0 ? String(format: "%.4f", t.servedBytes / $0) : "—" } ?? "—"
            lines.append(name.padding(19) + right(vol(t.servedBytes), 13) + "  " + right(vol(t.backlogBytes), 12) + "  "
                         + right(String(t.circuitsChanged), 16) + "  " + right(String(format: "%.1f", t.cpuSeconds), 5) + "  " + ratio)
        }
        total("replay", r.replay)
        total("perfect foresight", r.perfectForesight)
        total("static", r.staticPlan)
        return lines.map { $0 + "\n" }.joined()
    }
}

/// The progress line of a replay on standard error: in place on a
/// terminal, otherwise a log line at most every 10 s (and the last epoch).
final class ReplayProgress: @unchecked Sendable {
    let quiet: Bool
    let isTerminal: Bool
    private let began = ContinuousClock.now
    private var lastLog = -Double.infinity
    private var shown = false

    init(quiet: Bool, isTerminal: Bool) {
        self.quiet = quiet
        self.isTerminal = isTerminal
    }

    func show(_ row: ReplayEpoch, _ i: Int, _ n: Int) {
        guard !quiet else { return }
        let c = (ContinuousClock.now - began).components
        let elapsed = Double(c.seconds) + Double(c.attoseconds) * 1e-18
        let left = elapsed / Double(i + 1) * Double(n - i - 1)
        let line = String(format: "replay: epoch %d of %d (trace epoch %d%@), %.1f s elapsed, about %.0f s left",
                          i + 1, n, row.epoch, row.resumed ? ", read back" : "", elapsed, left)
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            shown = true
        } else if elapsed - lastLog >= 10 || i + 1 == n {
            lastLog = elapsed
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    func clear() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
    }
}

/// The `--output DIR` of a replay: one plan file per kept epoch, the
/// settings they were made with, and the summary.
struct ReplayStore {
    let directory: URL
    let path: String
    let fabric: Fabric

    static let settingsFile = "replay-settings.txt"

    /// Opens (creating) `directory`; a directory holding a replay of other settings is refused (exit 64).
    init(directory path: String, settings: String, fabric: Fabric) throws(ExitCode) {
        self.path = path
        self.directory = CLIFiles.userURL(path)
        self.fabric = fabric
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            StandardError.print("error: \(path): cannot create the output directory (\(error.localizedDescription))")
            throw ExitStatus.badArguments
        }
        let settingsURL = directory.appendingPathComponent(Self.settingsFile)
        if let old = try? String(contentsOf: settingsURL, encoding: .utf8) {
            guard old.trimmingCharacters(in: .whitespacesAndNewlines) == settings else {
                StandardError.print("error: \(path)/\(Self.settingsFile): this directory holds a replay made with other settings; use another --output directory")
                throw ExitStatus.badArguments
            }
        } else {
            do { try AtomicFile.write(settings + "\n", to: settingsURL) } catch {
                StandardError.print("error: \(error)")
                throw ExitStatus.badArguments
            }
        }
    }

    func name(_ t: Int) -> String { String(format: "epoch-%06d.plan.json", t) }

    /// The plan kept for epoch `t`, if the directory has it; a bad file ends the run (exit 65).
    func plan(at t: Int) throws(ExitCode) -> SchedulePlan? {
        let url = directory.appendingPathComponent(name(t))
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let file = "\(path)/\(name(t))"
        do {
            let plan = try PlanIO.read(data: try TextFile.contents(of: url, file: file), file: file)
            guard case .schedule(let s) = plan, let epochs = s.epochs, let first = epochs.first else {
                throw fail(file, "epochs: not an epochs-mode schedule plan")
            }
            let n = fabric.nodes
            var tx = [Int](repeating: 0, count: n), rx = tx
            for (k, c) in first.circuits.enumerated() {
                guard c.from >= 0, c.from < n, c.to >= 0, c.to < n, c.from != c.to else {
                    throw fail(file, "epochs[0].circuits[\(k)]: \(c) is not a circuit of the \(n)-node fabric")
                }
                tx[c.from] += 1; rx[c.to] += 1
            }
            for i in 0..<n where tx[i] > fabric.ocsPortsPerNode[i] || rx[i] > fabric.ocsPortsPerNode[i] {
                throw fail(file, "epochs[0].circuits: node \(i) uses more than its \(fabric.ocsPortsPerNode[i]) ports")
            }
            return s
        } catch let e as ExitCode {
            throw e
        } catch {
            StandardError.print("\nerror: \(error)")
            throw ExitStatus.badInput
        }
    }

    private func fail(_ file: String, _ message: String) -> ExitCode {
        StandardError.print("\nerror: \(file): \(message)")
        return ExitStatus.badInput
    }

    func save(_ plan: SchedulePlan, at t: Int) throws {
        do { try PlanIO.write(.schedule(plan), to: directory.appendingPathComponent(name(t))) } catch {
            StandardError.print("\nerror: \(error)")
            throw ExitStatus.badArguments
        }
    }

    func saveSummary(_ json: JSONValue) throws(ExitCode) {
        do { try AtomicFile.write(json.serialized(pretty: true) + "\n", to: directory.appendingPathComponent("summary.json")) } catch {
            StandardError.print("error: \(error)")
            throw ExitStatus.badArguments
        }
    }
}
