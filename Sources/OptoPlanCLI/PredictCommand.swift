import ArgumentParser
import Foundation
import OptoCore
import OptoTraffic

/// `optoplan predict TRACE`: fits traffic predictors on a trace, prints
/// their error on the held-back end, and writes predictions as an
/// epochs-mode schedule instance.
public struct PredictCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Fit traffic predictors on a trace and report their error on the held-back snapshots.",
        discussion: """
        TRACE is a t,src,dst,demand CSV file (one row per snapshot and pair) or an epochs-mode schedule \
        instance. Each predictor (last value, EWMA, seasonal with its period found in the trace, shape: where \
        traffic goes times the median recent total) is fitted on the first part and forecasts the held-back snapshots one step ahead; the table gives the normalised \
        mean absolute error, Σ|forecast − actual| / Σ actual. auto picks the kind with the lowest error on the \
        last quarter of the training part (each fitted on the first three quarters) and says so when another \
        does better on the held-back part. --output writes the chosen predictor's \
        forecasts of the held-back snapshots as an epochs instance, --actual the held-back snapshots \
        themselves (for `optoplan evaluate --actual`), --forecast the next --horizon epochs after the trace.

        Example:
          optoplan predict datasets/traces/fb_pod_a_4x4_series.csv --unit B --output predicted.json --actual actual.json
        """
    )

    @OptionGroup public var traceOptions: TraceOptions

    var trace: String { traceOptions.trace }
    var holdout: Double { traceOptions.holdout }
    var predictor: String { traceOptions.predictor }

    @Option(name: .shortAndLong, help: "Write the forecasts of the held-back snapshots as an epochs instance.")
    public var output: String?

    @Option(help: "Write the held-back snapshots as an epochs instance.")
    public var actual: String?

    @Option(help: "Write the forecasts of the epochs after the trace as an epochs instance.")
    public var forecast: String?

    @Option(help: "Epochs to forecast after the trace (with --forecast).")
    public var horizon: Int = 10

    @Option(help: "Take the fabric and epoch duration of the output instances from this epochs instance.")
    public var like: String?

    @Option(help: "Epoch duration of the output instances (without --like).")
    public var epoch: String = "1s"

    @Option(help: "OCS ports per node of the output instances (without --like).")
    public var ports: Int = 4

    @Option(help: "Circuit rate of the output instances (without --like).")
    public var circuitRate: String = "25Gbps"

    @Option(help: "Packet rate per node of the output instances (without --like).")
    public var packetRate: String = "10Gbps"

    @Option(help: "Reconfiguration delay of the output instances (without --like).")
    public var reconfigurationDelay: String = "10ms"

    @Option(help: "fabric.maxHops of the output instances: 1, or 2 for transit over a third node (default: that of --like, else 1).")
    public var maxHops: Int?

    public init() {}

    static func quantity(_ text: String, _ kind: QuantityKind, _ option: String) throws -> Double {
        switch Quantity.parse(text, as: kind) {
        case .success(let x): return x
        case .failure(let e): throw ValidationError("--\(option): \(e.message)")
        }
    }

    public func validate() throws {
        guard horizon >= 1, horizon <= 1_000_000 else { throw ValidationError("--horizon must be at least 1") }
        guard ports >= 0 else { throw ValidationError("--ports must be 0 or more") }
        if let h = maxHops, h != 1 && h != 2 {
            throw ValidationError("--max-hops must be 1 or 2 (epochs instances route over at most two circuits)")
        }
        _ = try Self.quantity(epoch, .time, "epoch")
        _ = try Self.quantity(circuitRate, .rate, "circuit-rate")
        _ = try Self.quantity(packetRate, .rate, "packet-rate")
        _ = try Self.quantity(reconfigurationDelay, .time, "reconfiguration-delay")
    }

    public func run() throws {
        let series = try traceOptions.read()
        guard let backtest = Backtest.run(series, holdout: holdout) else {
            StandardError.print("error: \(trace): a trace needs at least 3 snapshots")
            throw ExitStatus.badInput
        }
        print(Self.report(trace: trace, series: series, backtest: backtest), terminator: "")
        let chosen: Backtest.Row?
        if predictor == "auto" {
            let choice = Predictor.chooseAuto(training: Array(series.snapshots[..<backtest.split]))
            chosen = backtest.rows.first { $0.predictor.kind == choice.predictor.kind }
            StandardError.print("note: \(choice.note)")
            if let c = chosen, let best = backtest.rows.min(by: { $0.error < $1.error }), best.error < c.error {
                StandardError.print("note: on the held-back snapshots \(best.predictor.description) does better "
                                    + "(NMAE \(Self.format(best.error)) against \(Self.format(c.error)))")
            }
        } else {
            chosen = backtest.rows.first { $0.predictor.kind == predictor }
        }
        guard let chosen else { return }
        if output != nil || actual != nil || forecast != nil {
            StandardError.print("writing \(chosen.predictor.description)'s forecasts")
        }
        let (fabric, duration, hops) = try outputFabric(nodes: series.nodes)
        func instance(_ matrices: [Matrix]) -> Instance {
            .schedule(ScheduleInstance(fabric: fabric, mode: .epochs(matrices.map { .init(duration: duration, demand: $0.withoutDiagonal) }),
                                       maxHops: hops))
        }
        if let output { try CLIFiles.saveInstance(instance(chosen.forecasts), to: output) }
        if let actual { try CLIFiles.saveInstance(instance(Array(series.snapshots[backtest.split...])), to: actual) }
        if let forecast { try CLIFiles.saveInstance(instance(chosen.predictor.forecast(series.snapshots, horizon: horizon)), to: forecast) }
    }


    /// The table for a trace file (values multiplied by `factor`), or nil
    /// when the trace has fewer than 3 snapshots.
    static func report(trace: String, url: URL, factor: Double, holdout: Double) throws(InputError) -> String? {
        let (series, _) = try TrafficSeries.read(contentsOf: url, factor: factor)
        return Backtest.run(series, holdout: holdout).map { report(trace: trace, series: series, backtest: $0) }
    }

    /// The table `predict` prints: the trace, each predictor's NMAE on the
    /// held-back and training snapshots, and whether the seasonal period is
    /// significant.
    static func report(trace: String, series: TrafficSeries, backtest: Backtest) -> String {
        var lines: [String] = []
        let n = series.snapshots.count
        let held = n - backtest.split
        lines.append("trace: \(trace), \(n) snapshots of \(series.nodes)×\(series.nodes); fitted on the first \(backtest.split), forecasting the last \(held) (\(Int((Double(held) / Double(n) * 100).rounded())) %) one step ahead")
        let width = max(9, backtest.rows.map { $0.predictor.description.count }.max() ?? 0)
        func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
        lines.append("\(pad("predictor"))  NMAE held back  NMAE training")
        for row in backtest.rows {
            lines.append("\(pad(row.predictor.description))  \(format(row.error).padding(14))  \(format(row.trainingError))")
        }
        for row in backtest.rows {
            guard case .seasonal(let period, _) = row.predictor else { continue }
            let (significant, acf, band) = Predictor.isSignificant(period: period, in: Array(series.snapshots[..<backtest.split]))
            lines.append("seasonal period \(period): autocorrelation \(format(acf)) of the total traffic, "
                + (significant ? "outside" : "inside") + " the white-noise band ±\(format(band))"
                + (significant ? "" : ": no significant period in this trace"))
        }
        return lines.map { $0 + "\n" }.joined()
    }

    static func format(_ x: Double) -> String {
        let r = (x * 10000).rounded() / 10000
        return String(describing: r)
    }

    /// The output instances' fabric, epoch duration and `maxHops`
    /// (`--max-hops`, else that of `--like`, else 1).
    func outputFabric(nodes: Int) throws -> (Fabric, Double, Int) {
        if let like {
            let s = try CLIFiles.loadScheduleInstance(like)
            guard s.fabric.nodes == nodes else {
                StandardError.print("error: \(like): fabric.nodes: the instance has \(s.fabric.nodes) nodes but the trace has \(nodes)")
                throw ExitStatus.badInput
            }
            var duration = try Self.quantity(epoch, .time, "epoch")
            if case .epochs(let e) = s.mode, let first = e.first { duration = first.duration }
            return (s.fabric, duration, maxHops ?? s.maxHops)
        }
        let fabric = Fabric(nodes: nodes, ports: ports, circuitRate: try Self.quantity(circuitRate, .rate, "circuit-rate"),
                            packetRate: try Self.quantity(packetRate, .rate, "packet-rate"),
                            reconfigurationDelay: try Self.quantity(reconfigurationDelay, .time, "reconfiguration-delay"))
        return (fabric, try Self.quantity(epoch, .time, "epoch"), maxHops ?? 1)
    }
}

/// The trace arguments `predict` and `replay` share: the file, its unit,
/// the held-back fraction and the predictor.
public struct TraceOptions: ParsableArguments {
    @Argument(help: "The trace: a t,src,dst,demand CSV file or an epochs instance.")
    public var trace: String

    @Option(help: "Unit of the trace's values (a volume unit such as B, MB, GiB).")
    public var unit: String = "B"

    @Option(help: "Fraction of the snapshots held back at the end (replay: the part replayed).")
    public var holdout: Double = 0.2

    @Option(help: "auto (lowest error on the last quarter of the training part), last, ewma, seasonal, shape.")
    public var predictor: String = "auto"

    public init() {}

    public func validate() throws {
        guard holdout > 0, holdout < 1 else { throw ValidationError("--holdout must be between 0 and 1") }
        guard (["auto"] + Predictor.kinds).contains(predictor) else {
            throw ValidationError("--predictor must be auto, \(Predictor.kinds.joined(separator: ", "))")
        }
        guard QuantityKind.volume.factor(of: unit) != nil else { throw ValidationError("--unit: \"\(unit)\" is not a volume unit") }
    }

    /// The trace read with its unit, notes printed; bad input exits 65.
    func read() throws(ExitCode) -> TrafficSeries {
        let factor = QuantityKind.volume.factor(of: unit) ?? 1
        do {
            let (s, notes) = try TrafficSeries.read(contentsOf: CLIFiles.userURL(trace), factor: factor)
            notes.forEach { StandardError.print("note: \($0)") }
            return s
        } catch {
            StandardError.print("error: \(error)")
            throw ExitStatus.badInput
        }
    }
}

extension String {
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
