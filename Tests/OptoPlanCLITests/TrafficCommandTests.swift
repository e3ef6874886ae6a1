import ArgumentParser
import Foundation
import OptoCore
import Testing
@testable import OptoPlanCLI

@Suite("optoplan gen and predict")
struct TrafficCommandTests {
    func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("traffic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func status(_ body: () throws -> Void) rethrows -> Int32 {
        do {
            try body()
            return 0
        } catch let code as ExitCode {
            return code.rawValue
        }
    }

    @Test("gen writes a valid instance; a bad spec exits 65")
    func gen() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = """
        {"generate": "linkpool", "fabric": {"nodes": 3, "opticalPorts": 2, "circuitRate": "400Gbps", "packetRate": "100Gbps"},
         "jobs": [{"name": "r", "model": "resnet50", "nodes": [0, 1, 2], "ranksPerNode": 8, "rate": "100Gbps"}]}
        """
        try spec.write(to: dir.appendingPathComponent("spec.json"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.json").path
        #expect(try status { try GenCommand.parse([dir.appendingPathComponent("spec.json").path, "-o", out]).run() } == 0)
        let (instance, _) = try InstanceReader.read(contentsOf: URL(fileURLWithPath: out))
        guard case .linkpool(let l) = instance else { Issue.record("not linkpool"); return }
        #expect(l.demand[0, 1] > 0 && l.demand[1, 2] > 0 && l.demand[2, 0] > 0 && l.demand[1, 0] == 0)
        try spec.replacingOccurrences(of: "resnet50", with: "resnet51").write(to: dir.appendingPathComponent("bad.json"), atomically: true, encoding: .utf8)
        #expect(try status { try GenCommand.parse([dir.appendingPathComponent("bad.json").path]).run() } == 65)
    }

    @Test("predict writes forecasts and actuals of the held-back snapshots")
    func predict() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var csv = "t,src,dst,demand\n"
        for t in 0..<50 { csv += "\(t),0,1,\(t % 5 == 0 ? 100 : 10)\n\(t),1,0,5\n" }
        try csv.write(to: dir.appendingPathComponent("trace.csv"), atomically: true, encoding: .utf8)
        let pred = dir.appendingPathComponent("pred.json").path, actual = dir.appendingPathComponent("actual.json").path
        let future = dir.appendingPathComponent("future.json").path
        #expect(try status {
            try PredictCommand.parse([dir.appendingPathComponent("trace.csv").path, "--unit", "MB", "--predictor", "seasonal",
                                      "--output", pred, "--actual", actual, "--forecast", future, "--horizon", "5"]).run()
        } == 0)
        guard case .schedule(let p) = try InstanceReader.read(contentsOf: URL(fileURLWithPath: pred)).instance, case .epochs(let pe) = p.mode,
              case .schedule(let a) = try InstanceReader.read(contentsOf: URL(fileURLWithPath: actual)).instance, case .epochs(let ae) = a.mode,
              case .schedule(let f) = try InstanceReader.read(contentsOf: URL(fileURLWithPath: future)).instance, case .epochs(let fe) = f.mode else {
            Issue.record("not epochs instances"); return
        }
        #expect(pe.count == 10 && ae.count == 10 && fe.count == 5)
        // The period 5 is exact, so the seasonal forecasts are the actuals.
        for (x, y) in zip(pe, ae) { #expect(abs(x.demand[0, 1] - y.demand[0, 1]) < 1e-6) }
        #expect(abs(fe[0].demand[0, 1] - 100e6) < 1e-6)  // t = 50 is a multiple of 5
        #expect(throws: (any Error).self) { try PredictCommand.parse(["x.csv", "--holdout", "1.5"]) }
        #expect(try status { try PredictCommand.parse([dir.appendingPathComponent("none.csv").path]).run() } == 65)
    }
}

@Suite("optoplan predict: golden output")
struct PredictGoldenTests {
    @Test("the pod series table")
    func podSeries() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try PredictCommand.report(trace: "datasets/traces/fb_pod_a_4x4_series.csv",
                                             url: root.appendingPathComponent("datasets/traces/fb_pod_a_4x4_series.csv"), factor: 1e6, holdout: 0.2)
        #expect(text == """
        trace: datasets/traces/fb_pod_a_4x4_series.csv, 2498 snapshots of 4×4; fitted on the first 1998, forecasting the last 500 (20 %) one step ahead
        predictor                        NMAE held back  NMAE training
        last value                       0.3467          0.3545
        EWMA (alpha 0.02)                0.2464          0.2521
        seasonal (period 4, 20 seasons)  0.2526          0.256
        shape (alpha 0.02, total of 50)  0.2455          0.2511
        seasonal period 4: autocorrelation 0.0534 of the total traffic, outside the white-noise band ±0.0447

        """)
    }
}
