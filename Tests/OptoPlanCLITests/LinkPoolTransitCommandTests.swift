import ArgumentParser
import Foundation
import OptoCore
import OptoPlanners
import Testing
@testable import OptoPlanCLI

/// `optoplan linkpool` with transit: `--route-only` and plans with `transit`.
@Suite("optoplan linkpool with transit")
struct LinkPoolTransitCommandTests {
    /// Three nodes, circuits 0→1 and 1→2 today, demand only 0→2, no packet fabric.
    static let chain = """
    { "problem": "linkpool",
      "fabric": { "nodes": 3, "opticalPorts": 2, "circuitRate": "400Gbps", "packetRate": 0, "maxHops": 2 },
      "demand": [[0, 0, "100Gbps"], [0, 0, 0], [0, 0, 0]],
      "current": [[0, 1], [1, 2]] }
    """

    func directory(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("linkpool-transit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    func run(_ arguments: [String]) throws -> Int32 {
        let command = try LinkPoolCommand.parse(arguments)
        do {
            try command.run()
            return 0
        } catch let code as ExitCode {
            return code.rawValue
        }
    }

    func plan(_ url: URL) throws -> LinkPoolPlan {
        guard case .linkpool(let p) = try PlanIO.read(contentsOf: url) else { throw CancellationError() }
        return p
    }

    @Test func routeOnlyRoutesOverTheCurrentCircuits() throws {
        let dir = try directory(["i.json": Self.chain])
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("route.json")
        #expect(try run([dir.appendingPathComponent("i.json").path, "--route-only", "--output", out.path]) == 0)
        let p = try plan(out)
        #expect(p.method == "route")
        #expect(p.circuits == [Circuit(0, 1), Circuit(1, 2)])
        #expect(abs((p.metrics.lambda ?? 0) - 4) <= 1e-9 * 4)
        #expect(p.transit?.count == 1)
        #expect(abs((p.transit?.first?.amount ?? 0) - 400e9) <= 1e-9 * 400e9)
        // --method auto is the default, so it is accepted.
        #expect(try run([dir.appendingPathComponent("i.json").path, "--route-only", "--method", "auto", "--output", out.path]) == 0)
    }

    @Test func routeOnlyErrors() throws {
        let noCurrent = Self.chain.replacingOccurrences(of: ",\n  \"current\": [[0, 1], [1, 2]]", with: "")
        #expect(noCurrent != Self.chain)
        let dir = try directory(["i.json": Self.chain, "bare.json": noCurrent])
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("route.json")
        #expect(try run([dir.appendingPathComponent("i.json").path, "--route-only", "--method", "ilp", "--output", out.path]) == 64)
        #expect(try run([dir.appendingPathComponent("bare.json").path, "--route-only", "--output", out.path]) == 65)
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func ilpWithTransitWritesTransitEntries() throws {
        // The same chain without current circuits: with two ports per node
        // the best is two direct circuits 0→2 (λ = 8), no transit needed.
        let dir = try directory(["i.json": Self.chain])
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("ilp.json")
        #expect(try run([dir.appendingPathComponent("i.json").path, "--method", "ilp", "--time-limit", "10", "--output", out.path]) == 0)
        let p = try plan(out)
        #expect(p.status == .optimal)
        #expect(abs(p.metrics.objective - 8) <= 1e-7 * 8)
        #expect(p.transit == [])
    }
}
