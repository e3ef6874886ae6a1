import Foundation
import OptoCore
import Testing
@testable import OptoTraffic

/// The stagger datasets are what `optoplan gen` makes of their specs, and
/// the pod trace loads as 2,498 snapshots of 4 pods.
@Suite("Generated datasets")
struct DatasetSyncTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("datasets")

    @Test("stagger instances match their specs")
    func staggerInSync() throws {
        let specs = try FileManager.default.contentsOfDirectory(at: Self.root.appendingPathComponent("stagger/specs"), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
        #expect(specs.count >= 4)
        for spec in specs {
            let (s, _) = try JobSpec.read(contentsOf: spec)
            let stored = try InstanceReader.read(contentsOf: Self.root.appendingPathComponent("stagger/\(spec.lastPathComponent)")).instance
            #expect(s.instance() == stored, "\(spec.lastPathComponent) is out of date: run optoplan gen")
        }
    }

    @Test("the stored forecasts are the EWMA back-test's, against the stored actuals")
    func podForecasts() throws {
        let (series, _) = try TrafficSeries.read(contentsOf: Self.root.appendingPathComponent("traces/fb_pod_a_4x4_series.csv"), factor: 1e6)
        let bt = try #require(Backtest.run(series, holdout: 0.2, kinds: ["ewma"]))
        let predicted = try InstanceReader.read(contentsOf: Self.root.appendingPathComponent("epochs/fb-pod-a-last20pct-predicted.json")).instance
        let actual = try InstanceReader.read(contentsOf: Self.root.appendingPathComponent("epochs/fb-pod-a-last20pct.json")).instance
        guard case .schedule(let p) = predicted, case .epochs(let pe) = p.mode, case .schedule(let a) = actual, case .epochs(let ae) = a.mode else {
            Issue.record("not epochs instances"); return
        }
        #expect(pe.count == ae.count && pe.count == bt.rows[0].forecasts.count)
        for (e, f) in zip(pe, bt.rows[0].forecasts) {
            for k in f.values.indices { #expect(abs(e.demand.values[k] - f.values[k]) <= 1e-9 * max(1, f.values[k])) }
        }
        for (e, s) in zip(ae, series.snapshots[bt.split...]) { #expect(e.demand == s) }
        #expect(abs(Predictor.nmae(pe.map(\.demand), ae.map(\.demand)) - bt.rows[0].error) < 1e-9)
    }

    @Test("the pod trace loads")
    func podTrace() throws {
        let (series, _) = try TrafficSeries.read(contentsOf: Self.root.appendingPathComponent("traces/fb_pod_a_4x4_series.csv"), factor: 1e6)
        #expect(series.nodes == 4 && series.snapshots.count == 2498)
        #expect(abs(series.snapshots[0][0, 1] - 732e6) < 1)
    }
}
