import Foundation
import OptoCore
import OptoTraffic

/// `optoplan-bench traffic [--datasets DIR]`: how fast the readers load the
/// real matrices, and how well each predictor forecasts the pod series
/// (one step ahead, last 20 % held back), including the back-test's own cost.
enum TrafficBench {
    static func run(_ arguments: [String]) {
        var datasets = "datasets"
        var k = 0
        while k < arguments.count {
            if arguments[k] == "--datasets", k + 1 < arguments.count { datasets = arguments[k + 1]; k += 2; continue }
            print("usage: optoplan-bench traffic [--datasets DIR]")
            return
        }
        let root = URL(fileURLWithPath: datasets)
        print("reading instances (best of 3)")
        print("file                                   nodes  cells       seconds  Mcells/s")
        let files = ((try? FileManager.default.contentsOfDirectory(at: root.appendingPathComponent("schedule"), includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
        for url in files {
            var best = Double.infinity
            var nodes = 0
            for _ in 0..<3 {
                let start = Date()
                guard let (instance, _) = try? InstanceReader.read(contentsOf: url) else { break }
                best = min(best, Date().timeIntervalSince(start))
                if case .schedule(let s) = instance { nodes = s.fabric.nodes }
            }
            let cells = nodes * nodes
            let name = "schedule/" + url.lastPathComponent
            print("\(name.padding(toLength: 38, withPad: " ", startingAt: 0)) \(String(nodes).rightAligned(5))  \(String(cells).rightAligned(9))  \(fmt(best, 4).rightAligned(8))  \(fmt(Double(cells) / best / 1e6, 1).rightAligned(8))")
        }
        let trace = root.appendingPathComponent("traces/fb_pod_a_4x4_series.csv")
        guard let (series, _) = try? TrafficSeries.read(contentsOf: trace, factor: 1e6) else {
            print("cannot read \(trace.path)")
            return
        }
        let start = Date()
        guard let bt = Backtest.run(series, holdout: 0.2) else { return }
        let seconds = Date().timeIntervalSince(start)
        print("\npredictors on the pod series (\(series.snapshots.count) snapshots of 4 pods; fit on \(bt.split), forecast \(series.snapshots.count - bt.split) one step ahead)")
        print("predictor                        NMAE held back  NMAE training  vs last value")
        let last = bt.rows.first { $0.predictor.kind == "last" }?.error ?? .nan
        for row in bt.rows {
            print("\(row.predictor.description.padding(toLength: 32, withPad: " ", startingAt: 0)) \(fmt(row.error, 4).rightAligned(14))  \(fmt(row.trainingError, 4).rightAligned(13))  \(fmt(row.error / last, 3).rightAligned(13))")
        }
        print("fitting and back-testing all three: \(fmt(seconds, 3)) s")
    }

    static func fmt(_ x: Double, _ decimals: Int) -> String {
        var p = 1.0
        for _ in 0..<decimals { p *= 10 }
        return String(describing: (x * p).rounded() / p)
    }
}


private extension String {
    func rightAligned(_ width: Int) -> String { String(repeating: " ", count: Swift.max(0, width - count)) + self }
}
