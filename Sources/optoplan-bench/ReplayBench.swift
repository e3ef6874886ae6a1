import Foundation
import OptoCore
import OptoGLPK
import OptoPlanners
import OptoReplay
import OptoTraffic

/// `optoplan-bench replay [--datasets DIR] [--traces pods,coflow] [--horizon H]
/// [--step-limit S] [--rows last,ewma,shape,hedge,scenarios] [--max-hops 1|2]`: the
/// rolling-horizon replay of PROBLEMS.md §5 on the two traces:
///
/// - pods: `traces/fb_pod_a_4x4_series.csv` in MB, 1 s epochs, 10 ports,
///   6 Gb/s circuits, 10 Gb/s packet, δ = 10 ms, last 20 % replayed;
/// - coflow: `traces/coflow_fb2010_150racks_series_60s_bytes.csv`, each
///   60 s snapshot replayed as a 1 s epoch, 4 ports, 100 G / 10 G,
///   δ = 20 µs, last half replayed.
///
/// `--max-hops 2` replays with transit (each kept epoch routed over two
/// circuits; the references with transit too).
///
/// For each predictor and hedge: served bytes as a fraction of perfect
/// foresight, backlog left, circuits changed, wall and CPU seconds (the
/// replay's own: forecasting, planning, scoring); then the two references.
enum ReplayBench {
    struct Trace {
        var name: String
        var file: String
        var factor: Double
        var holdout: Double
        var fabric: Fabric
    }

    static let traces = [
        Trace(name: "pods", file: "traces/fb_pod_a_4x4_series.csv", factor: 1e6, holdout: 0.2,
              fabric: Fabric(nodes: 4, ports: 10, circuitRate: 6e9, packetRate: 10e9, reconfigurationDelay: 0.01)),
        Trace(name: "coflow", file: "traces/coflow_fb2010_150racks_series_60s_bytes.csv", factor: 1, holdout: 0.5,
              fabric: Fabric(nodes: 150, ports: 4, circuitRate: 100e9, packetRate: 10e9, reconfigurationDelay: 20e-6)),
    ]

    static func run(_ arguments: [String]) {
        var datasets = "datasets", names = ["pods", "coflow"], horizon = 4
        var stepLimit = ReplayConfiguration.defaultStepTimeLimit
        var rows = ["last", "ewma", "shape", "hedge", "scenarios"]
        var quantile = 0.9, scenarios = 8, seed: UInt64 = 1, maxHops = 1
        var k = 0
        func value() -> String? { k + 1 < arguments.count ? arguments[k + 1] : nil }
        while k < arguments.count {
            switch (arguments[k], value()) {
            case ("--datasets", let v?): datasets = v
            case ("--traces", let v?): names = v.split(separator: ",").map(String.init)
            case ("--horizon", let v?): horizon = Int(v) ?? horizon
            case ("--step-limit", let v?): stepLimit = Double(v) ?? stepLimit
            case ("--rows", let v?): rows = v.split(separator: ",").map(String.init)
            case ("--quantile", let v?): quantile = Double(v) ?? quantile
            case ("--scenarios", let v?): scenarios = Int(v) ?? scenarios
            case ("--seed", let v?): seed = UInt64(v) ?? seed
            case ("--max-hops", let v?): maxHops = Int(v) ?? maxHops
            default:
                print("usage: optoplan-bench replay [--datasets DIR] [--traces pods,coflow] [--horizon H] [--step-limit S] "
                      + "[--rows last,ewma,shape,hedge,scenarios] [--quantile Q] [--scenarios K] [--seed S] [--max-hops 1|2]")
                return
            }
            k += 2
        }
        for trace in traces where names.contains(trace.name) {
            let url = URL(fileURLWithPath: datasets).appendingPathComponent(trace.file)
            guard let (series, _) = try? TrafficSeries.read(contentsOf: url, factor: trace.factor) else {
                print("cannot read \(url.path)")
                continue
            }
            let base = ReplayConfiguration(fabric: trace.fabric, epochDuration: 1, holdout: trace.holdout, horizon: horizon,
                                           predictor: "last", stepTimeLimit: stepLimit, referenceTimeLimit: 30, solver: GLPKSolver(),
                                           maxHops: maxHops)
            let reference: ReplayRunner
            do { reference = try ReplayRunner(series: series, configuration: base) } catch { print("\(trace.name): \(error)"); continue }
            let count = reference.replayedEpochs
            FileHandle.standardOutput.write(Data(("\n\(trace.name): \(series.snapshots.count) snapshots of \(series.nodes) nodes, epochs \(reference.split)… replayed "
                  + "(\(count)), H = \(horizon), per-step limit \(stepLimit) s\(maxHops == 2 ? ", transit (maxHops 2)" : "")\n").utf8))
            var t0 = Date(), c0 = ReplayRunner.cpuSeconds()
            guard let pf = try? reference.perfectForesight(epochs: count) else { print("perfect foresight failed"); continue }
            let pfWall = Date().timeIntervalSince(t0)
            t0 = Date(); c0 = ReplayRunner.cpuSeconds()
            guard let st = try? reference.staticReference(epochs: count) else { print("static failed"); continue }
            let stWall = Date().timeIntervalSince(t0)
            _ = c0
            // Written unbuffered like the rows, so the header stays above them when piped.
            FileHandle.standardOutput.write(Data("plan                                  served/PF   served        backlog       changed  wall s   CPU s\n".utf8))
            func line(_ name: String, _ t: ReplayTotals, wall: Double) {
                let ratio = pf.servedBytes > 0 ? t.servedBytes / pf.servedBytes : .nan
                let text = name.padding(toLength: 36, withPad: " ", startingAt: 0) + "  " + String(format: "%9.5f", ratio) + "   "
                      + Quantity.format(t.servedBytes, as: .volume).padding(toLength: 12, withPad: " ", startingAt: 0) + "  "
                      + Quantity.format(t.backlogBytes, as: .volume).padding(toLength: 12, withPad: " ", startingAt: 0) + "  "
                      + String(format: "%7d  %7.1f  %6.1f", t.circuitsChanged, wall, t.cpuSeconds)
                FileHandle.standardOutput.write(Data((text + "\n").utf8))
            }
            line("perfect foresight (auto, 30 s)", pf, wall: pfWall)
            line("static (trained)", st, wall: stWall)
            for row in rows {
                // A row is `PREDICTOR`, `hedge[:PREDICTOR][:Q]` or
                // `scenarios[:PREDICTOR][:K]` (predictor auto, --quantile, --scenarios by default).
                var config = base
                let parts = row.split(separator: ":").map(String.init)
                let kinds = Set(Predictor.kinds + ["auto"])
                let predictorPart = parts.dropFirst().first { kinds.contains($0) }
                let numberPart = parts.dropFirst().first { !kinds.contains($0) }
                switch parts[0] {
                case let kind where kinds.contains(kind) && parts.count == 1: config.predictor = kind
                case "exact": config.exactForecast = true
                case "hedge":
                    config.predictor = predictorPart ?? "auto"
                    config.hedging = .quantile(numberPart.flatMap(Double.init) ?? quantile)
                case "scenarios":
                    config.predictor = predictorPart ?? "auto"
                    config.hedging = .scenarios(count: numberPart.flatMap(Int.init) ?? scenarios, seed: seed)
                default: print("unknown row \(row)"); continue
                }
                t0 = Date()
                do {
                    let runner = try ReplayRunner(series: series, configuration: config)
                    let r = try runner.run(references: false)
                    var label = config.exactForecast ? "replay, exact forecast (reference)" : "replay \(runner.predictor.kind)"
                    if case .quantile(let q) = config.hedging { label += " hedge q=\(q)" }
                    if case .scenarios(let k, _) = config.hedging { label += " \(k) scenarios" }
                    line(label, r.replay, wall: Date().timeIntervalSince(t0))
                } catch {
                    print("\(row): \(error)")
                }
            }
        }
    }
}
