import ArgumentParser
import Foundation
import OptoCore
import Testing
@testable import OptoPlanCLI

@Suite("optoplan evaluate")
struct EvaluateCommandTests {
    /// 0→1 (1 MB) and 0→2 (2 MB) share node 0's 10 Gb/s; a 100 Gb/s circuit 0→1 after δ = 20 µs.
    static let instance = """
    { "problem": "schedule",
      "fabric": { "nodes": 3, "ocsPortsPerNode": 1, "circuitRate": "100Gbps", "packetRate": "10Gbps", "reconfigurationDelay": "20us" },
      "demand": [[0, "1MB", "2MB"], [0, 0, 0], [0, 0, 0]] }
    """
    static let plan = """
    { "problem": "schedule", "method": "hand", "status": "heuristic",
      "metrics": { "objective": 0, "solveSeconds": 0 },
      "configurations": [ { "duration": 1e-4, "circuits": [[0, 1]] } ] }
    """
    static let actual = """
    { "problem": "schedule",
      "fabric": { "nodes": 3, "ocsPortsPerNode": 1, "circuitRate": "100Gbps", "packetRate": "10Gbps", "reconfigurationDelay": "20us" },
      "demand": [[0, 0, "1MB"], [0, 0, 0], [0, 0, 0]] }
    """
    static let fourNodes = """
    { "problem": "schedule",
      "fabric": { "nodes": 4, "ocsPortsPerNode": 1, "circuitRate": "100Gbps", "packetRate": "10Gbps" },
      "demand": [[0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]] }
    """

    func directory(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("evaluate-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    func metrics(_ arguments: [String]) throws -> [String: Any] {
        let text = try EvaluateCommand.parse(arguments).metricsText()
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func status(_ arguments: [String]) throws -> Int32 {
        do {
            _ = try EvaluateCommand.parse(arguments).metricsText()
            return 0
        } catch let code as ExitCode {
            return code.rawValue
        }
    }

    @Test("a link-pool plan with transit: the pair rides 0→1→2, lambdaCapacity r_c / R; a bad entry exits 65")
    func linkPoolTransit() throws {
        let instance = """
        {"problem": "linkpool", "fabric": {"nodes": 3, "opticalPorts": 2, "circuitRate": 100, "packetRate": 0, "maxHops": 2},
         "demand": [[0, 0, 300], [0, 0, 0], [0, 0, 0]]}
        """
        let plan = """
        {"problem": "linkpool", "method": "m", "status": "heuristic", "metrics": {"objective": 0.333, "solveSeconds": 0, "lambda": 0.3333333333333333},
         "circuits": [[0, 1], [1, 2]], "electrical": [[0, 0, 0], [0, 0, 0], [0, 0, 0]],
         "carried": [[0, 0, 100], [0, 0, 0], [0, 0, 0]], "transit": [[0, 1, 2, 100]]}
        """
        let dir = try directory(["i.json": instance, "p.json": plan,
                                 "bad.json": plan.replacingOccurrences(of: "[[0, 1, 2, 100]]", with: "[[0, 2, 1, 100]]")])
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = try metrics([dir.appendingPathComponent("i.json").path, dir.appendingPathComponent("p.json").path])
        let lambdaCapacity = try #require(m["lambdaCapacity"] as? Double)
        #expect(abs(lambdaCapacity - 1.0 / 3) < 1e-12)
        #expect((m["transitCarried"] as? Double).map { abs($0 - 100) < 1e-9 } == true)
        #expect(try status([dir.appendingPathComponent("i.json").path, dir.appendingPathComponent("bad.json").path]) == 65)
    }

    @Test("prints the stable metric names with the simulated values")
    func schedule() throws {
        let dir = try directory(["i.json": Self.instance, "p.json": Self.plan, "a.json": Self.actual, "four.json": Self.fourNodes])
        defer { try? FileManager.default.removeItem(at: dir) }
        let i = dir.appendingPathComponent("i.json").path, p = dir.appendingPathComponent("p.json").path
        let m = try metrics([i, p])
        for key in ["servedBytes", "unservedBytes", "makespan", "completionTimes", "circuitBusyFraction", "packetPortUtilisation"] {
            #expect(m[key] != nil, "missing \(key)")
        }
        let t01 = 20e-6 + (8e6 - 5e9 * 20e-6) / 105e9
        let times = try #require(m["completionTimes"] as? [String: Double])
        #expect(abs((times["0->1"] ?? 0) - t01) <= 1e-12)
        #expect(abs((m["servedBytes"] as? Double ?? 0) - 3e6) <= 1e-3)
        let ports = try #require(m["packetPortUtilisation"] as? [[String: Double]])
        #expect(ports.count == 3 && ports[0]["send"] != nil && ports[0]["receive"] != nil)

        // --actual: only 1 MB on 0→2 happened; the circuit 0→1 carries nothing.
        let a = try metrics([i, p, "--actual", dir.appendingPathComponent("a.json").path])
        #expect(abs((a["servedBytes"] as? Double ?? 0) - 1e6) <= 1e-3)
        #expect(abs((a["circuitBusyFraction"] as? Double ?? 1)) <= 1e-12)

        // A different node count, a missing file, a circuit outside the fabric: exit 65.
        #expect(try status([i, p, "--actual", dir.appendingPathComponent("four.json").path]) == 65)
        #expect(try status([i, dir.appendingPathComponent("none.json").path]) == 65)
        let bad = dir.appendingPathComponent("bad.json")
        try Self.plan.replacingOccurrences(of: "[[0, 1]]", with: "[[0, 5]]").write(to: bad, atomically: true, encoding: .utf8)
        #expect(try status([i, bad.path]) == 65)
    }

    @Test("stagger plans report per-job iteration times")
    func stagger() throws {
        let instance = """
        { "problem": "stagger", "step": "100ms",
          "links": [ { "name": "agg", "capacity": "100Gbps" } ],
          "jobs": [
            { "name": "a", "period": "300ms", "links": ["agg"], "phases": [ { "start": "200ms", "duration": "100ms", "rate": "80Gbps" } ] },
            { "name": "b", "period": "300ms", "links": ["agg"], "phases": [ { "start": "200ms", "duration": "100ms", "rate": "80Gbps" } ] } ] }
        """
        let plan = """
        { "problem": "stagger", "method": "aligned", "status": "heuristic",
          "metrics": { "objective": 0, "solveSeconds": 0 }, "offsets": { "a": 0, "b": 0 } }
        """
        let dir = try directory(["i.json": instance, "p.json": plan])
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = try metrics([dir.appendingPathComponent("i.json").path, dir.appendingPathComponent("p.json").path, "--iterations", "4"])
        let jobs = try #require(m["jobs"] as? [String: [String: Any]])
        // Two aligned jobs share 100 Gb/s: 8e9 bits at 50 Gb/s take 0.16 s: 0.36 s iterations.
        let a = try #require(jobs["a"])
        #expect(abs((a["meanIteration"] as? Double ?? 0) - 0.36) <= 1e-9)
        #expect(abs((a["slowdown"] as? Double ?? 0) - 1.2) <= 1e-9)
        #expect(a["p99Iteration"] != nil)
        #expect(throws: (any Error).self) { try EvaluateCommand.parse([dir.appendingPathComponent("i.json").path, "p", "--iterations", "0"]) }
    }
}
