import ArgumentParser
import Foundation
import OptoCore
import Testing
@testable import OptoPlanCLI

@Suite("optoplan linkpool")
struct LinkPoolCommandTests {
    /// The seed white paper's example (PROBLEMS.md §2).
    static let instance = """
    { "problem": "linkpool",
      "fabric": { "nodes": 2, "opticalPorts": 2, "circuitRate": "400Gbps", "packetRate": "100Gbps" },
      "demand": [[0, "8Gbps"], ["1Gbps", 0]],
      "objective": "concurrent" }
    """

    func directory(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("linkpool-cli-\(UUID().uuidString)")
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

    @Test("every method writes a valid plan with the reference figures")
    func methods() throws {
        let dir = try directory(["i.json": Self.instance])
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("i.json").path
        for (method, push, pull, utilisation) in [("ilp", 800e9, 100e9, 0.9), ("greedy", 800e9, 100e9, 0.9),
                                                  ("auto", 800e9, 100e9, 0.9), ("symmetric", 500e9, 62.5e9, 0.5625)] {
            let out = dir.appendingPathComponent("\(method).json")
            #expect(try run([input, "--method", method, "--time-limit", "10", "--output", out.path]) == 0)
            let p = try plan(out)
            #expect(p.method.hasSuffix(method == "auto" ? "ilp" : method))
            #expect(abs(p.carried[0][1] - push) <= 1e-9 * push)
            #expect(abs(p.carried[1][0] - pull) <= 1e-9 * pull)
            #expect(abs((p.metrics.utilisation ?? -1) - utilisation) <= 1e-9)
            let validate = try ValidateCommand.parse([out.path, input])
            #expect(throws: Never.self) { try validate.run() }
        }
        #expect(try plan(dir.appendingPathComponent("ilp.json")).status == .optimal)
        #expect(try plan(dir.appendingPathComponent("greedy.json")).status == .heuristic)
    }

    @Test("the summary names λ, carried, utilisation, circuits, status, gap and time")
    func summary() throws {
        let dir = try directory(["i.json": Self.instance])
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("p.json")
        #expect(try run([dir.appendingPathComponent("i.json").path, "--method", "ilp", "--output", out.path]) == 0)
        let text = LinkPoolCommand.summary(try plan(out), objective: .concurrent)
        let first = try #require(text.split(separator: "\n").first.map(String.init))
        #expect(first.hasPrefix("linkpool ilp (optimal, concurrent): λ 100, carried 900Gbps, utilisation 90.00%, 2 circuits, gap 0.00%, "))
        #expect(first.hasSuffix(" s"))
    }

    @Test("bad arguments and bad input have their exit statuses")
    func exitStatuses() throws {
        // Today's two circuits need two ports at node 1, which has one: the
        // reader rejects such a file (bad input), so no file-borne instance is
        // infeasible (keeping today's circuits is always allowed).
        let infeasible = """
        { "problem": "linkpool",
          "fabric": { "nodes": 2, "opticalPorts": [2, 1], "circuitRate": "400Gbps", "packetRate": "100Gbps" },
          "demand": [[0, "8Gbps"], ["1Gbps", 0]],
          "current": [[0, 1], [0, 1]], "maxChanges": 0 }
        """
        let dir = try directory(["i.json": Self.instance, "bad.json": #"{ "problem": "linkpool" }"#, "inf.json": infeasible])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: (any Error).self) { try LinkPoolCommand.parse([dir.appendingPathComponent("i.json").path, "--time-limit", "0"]) }
        #expect(throws: (any Error).self) { try LinkPoolCommand.parse([dir.appendingPathComponent("i.json").path, "--method", "nope"]) }
        #expect(try run([dir.appendingPathComponent("bad.json").path, "--method", "greedy"]) == 65)
        let out = dir.appendingPathComponent("inf.plan.json")
        #expect(try run([dir.appendingPathComponent("inf.json").path, "--method", "ilp", "--output", out.path]) == 65)
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}
