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

    @Test("the pod trace loads")
    func podTrace() throws {
        let (series, _) = try TrafficSeries.read(contentsOf: Self.root.appendingPathComponent("traces/fb_pod_a_4x4_series.csv"), factor: 1e6)
        #expect(series.nodes == 4 && series.snapshots.count == 2498)
        #expect(abs(series.snapshots[0][0, 1] - 732e6) < 1)
    }
}
