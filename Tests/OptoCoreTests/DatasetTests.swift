import Foundation
import Testing
@testable import OptoCore

/// Every instance in datasets/ loads, and the reference cases hold the
/// figures the spec quotes.
@Suite("Datasets")
struct DatasetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("datasets")

    static func instanceFiles() -> [URL] {
        let dirs = ["schedule", "epochs", "linkpool", "stagger", "collective"]
        return dirs.flatMap { dir in
            ((try? FileManager.default.contentsOfDirectory(at: root.appendingPathComponent(dir), includingPropertiesForKeys: nil)) ?? [])
                .filter { $0.pathExtension == "json" }
        }.sorted { $0.path < $1.path }
    }

    @Test("every instance file loads")
    func allLoad() throws {
        let files = Self.instanceFiles()
        #expect(files.count >= 17)
        var kinds = Set<ProblemKind>()
        for url in files {
            do {
                let (instance, _) = try InstanceReader.read(contentsOf: url)
                kinds.insert(instance.problem)
            } catch {
                Issue.record("\(error)")
            }
        }
        #expect(kinds == Set(ProblemKind.allCases))
    }

    @Test("the link-pool reference case: 2 racks, 2 ports, 400/100 Gb/s, demand 8:1")
    func linkpoolReference() throws {
        let (instance, _) = try InstanceReader.read(contentsOf: Self.root.appendingPathComponent("linkpool/two-racks-8to1.json"))
        guard case .linkpool(let l) = instance else { Issue.record("not linkpool"); return }
        #expect(l.fabric.opticalPorts == [2, 2] && l.fabric.circuitRate == 4e11 && l.fabric.packetRate == [1e11, 1e11])
        #expect(abs(l.demand[0, 1] / l.demand[1, 0] - 8) < 1e-12)
        // Both circuits on push: λ = min((2·400 + 100)/800, 100/100) = 1; symmetric: (400 + 100)/800 = 0.625.
        let asymmetric = min((2 * l.fabric.circuitRate + l.fabric.packetRate[0]) / l.demand[0, 1], l.fabric.packetRate[1] / l.demand[1, 0])
        let symmetric = min((l.fabric.circuitRate + l.fabric.packetRate[0]) / l.demand[0, 1], (l.fabric.circuitRate + l.fabric.packetRate[1]) / l.demand[1, 0])
        #expect(abs(asymmetric - 1) < 1e-12 && abs(symmetric - 0.625) < 1e-12)
    }

    @Test("the Facebook cluster matrices are directional halves of the pair sums")
    func facebookDirectional() throws {
        let (instance, _) = try InstanceReader.read(contentsOf: Self.root.appendingPathComponent("schedule/fb-cluster-A.json"))
        guard case .schedule(let s) = instance, case .window(let d, nil) = s.mode else { Issue.record("wrong kind"); return }
        #expect(d.rows == 159)
        for i in 0..<d.rows { for j in 0..<d.columns { #expect(d[i, j] == d[j, i]) } }
        // Total bytes of cluster A (sum over both triangles of the source): 38,320,815,494.
        #expect(abs(d.total - 38_320_815_494) < 1)
    }
}
