import ArgumentParser
import Foundation
import OptoCore
import Testing
@testable import OptoPlanCLI

@Suite("optoplan stagger")
struct StaggerCommandTests {
    /// Three identical jobs each communicating a third of the period at full capacity.
    static let instance = """
    { "problem": "stagger", "step": "1ms",
      "links": [ { "name": "agg", "capacity": "100Gbps" } ],
      "jobs": [
        { "name": "a", "period": "30ms", "links": ["agg"], "phases": [ { "start": "20ms", "duration": "10ms", "rate": "100Gbps" } ] },
        { "name": "b", "period": "30ms", "links": ["agg"], "phases": [ { "start": "20ms", "duration": "10ms", "rate": "100Gbps" } ] },
        { "name": "c", "period": "30ms", "links": ["agg"], "phases": [ { "start": "20ms", "duration": "10ms", "rate": "100Gbps" } ] } ] }
    """

    func directory(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stagger-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    func run(_ arguments: [String]) throws -> Int32 {
        let command = try StaggerCommand.parse(arguments)
        do {
            try command.run()
            return 0
        } catch let code as ExitCode {
            return code.rawValue
        }
    }

    func plan(_ url: URL) throws -> StaggerPlan {
        guard case .stagger(let p) = try PlanIO.read(contentsOf: url) else { throw CancellationError() }
        return p
    }

    @Test("ilp, greedy and aligned write valid plans with the expected excess")
    func methods() throws {
        let dir = try directory(["i.json": Self.instance])
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("i.json").path
        for (method, excess) in [("ilp", 0.0), ("greedy", 0.0), ("aligned", 2e9)] {
            let out = dir.appendingPathComponent("\(method).json")
            #expect(try run([input, "--method", method, "--time-limit", "10", "--output", out.path, "--priorities"]) == 0)
            let p = try plan(out)
            #expect(p.method == method)
            #expect(abs((p.metrics.excess ?? -1) - excess) <= 1e-6 * max(1, excess))
            #expect(Set(p.offsets.keys) == ["a", "b", "c"])
            #expect(p.priorities?.count == 3)
            // The plan checks out against its instance.
            let validate = try ValidateCommand.parse([out.path, input])
            #expect(throws: Never.self) { try validate.run() }
        }
        #expect(try plan(dir.appendingPathComponent("ilp.json")).status == .optimal)
    }

    @Test("--select-by-evaluation: the aligned plan becomes a stretch-free stagger; the ILP plan keeps its offsets")
    func selectByEvaluation() throws {
        let dir = try directory(["i.json": Self.instance])
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("i.json").path
        let out = dir.appendingPathComponent("sel.json")
        #expect(try run([input, "--method", "aligned", "--select-by-evaluation", "--iterations", "5", "--output", out.path]) == 0)
        let p = try plan(out)
        #expect(p.method == "aligned+evaluated")
        #expect(p.metrics.excess == 0)
        #expect(p.notes?.contains { $0.contains("mean slowdown over 5 iterations") } == true)
        #expect(p.notes?.contains { $0.hasPrefix("chosen by evaluated cost 1.0000") } == true, "no job is stretched")

        let exact = dir.appendingPathComponent("ilp.json")
        #expect(try run([input, "--method", "ilp", "--time-limit", "10", "--select-by-evaluation", "--output", exact.path]) == 0)
        let q = try plan(exact)
        #expect(q.method == "ilp+evaluated")
        #expect(q.status == .optimal, "a collision-free ILP plan needs no move")
        #expect(throws: (any Error).self) { try StaggerCommand.parse([input, "--select-by-evaluation", "--iterations", "0"]) }
    }

    @Test("bad input exits 65, bad arguments are rejected")
    func errors() throws {
        let offGrid = Self.instance.replacingOccurrences(of: "\"10ms\"", with: "\"10.5ms\"")
        let dir = try directory(["bad.json": offGrid, "i.json": Self.instance])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try run([dir.appendingPathComponent("bad.json").path, "--method", "greedy"]) == 65)
        #expect(try run([dir.appendingPathComponent("missing.json").path]) == 65)
        #expect(throws: (any Error).self) { try StaggerCommand.parse([dir.appendingPathComponent("i.json").path, "--method", "nope"]) }
        #expect(throws: (any Error).self) { try StaggerCommand.parse([dir.appendingPathComponent("i.json").path, "--time-limit", "-1"]) }
        // No partial output file is left behind.
        #expect(try run([dir.appendingPathComponent("bad.json").path, "--output", dir.appendingPathComponent("o.json").path]) == 65)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o.json").path))
    }

    @Test("the summary names the method, status and excess")
    func summary() {
        var metrics = PlanMetrics(objective: 2e9, solveSeconds: 0.01)
        metrics.excess = 2e9
        metrics.peak = 3
        metrics.compatibility = 1.0 / 3
        let text = StaggerCommand.summary(StaggerPlan(method: "aligned", status: .heuristic, metrics: metrics, offsets: [:]), jobs: 3)
        #expect(text.hasPrefix("stagger aligned (heuristic): 3 jobs, excess 2e+09 bits (250MB) per hyper-period, peak 3.000× capacity"))
    }
}
