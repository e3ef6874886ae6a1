import ArgumentParser
import Foundation
import OptoCore
import Testing
@testable import OptoPlanCLI

@Suite("optoplan validate")
struct ValidateCommandTests {
    static let instance = """
    {"problem": "linkpool", "fabric": {"nodes": 2, "opticalPorts": 2, "circuitRate": "400Gbps", "packetRate": "100Gbps"},
     "demand": [[0, "8Gbps"], ["1Gbps", 0]]}
    """
    static let goodPlan = """
    {"problem": "linkpool", "method": "ilp", "status": "optimal", "metrics": {"objective": 100, "solveSeconds": 0},
     "circuits": [[0, 1], [0, 1]], "electrical": [[0, 0], [1e11, 0]], "carried": [[0, 8e11], [1e11, 0]]}
    """
    static let badPlan = """
    {"problem": "linkpool", "method": "ilp", "status": "optimal", "metrics": {"objective": 100, "solveSeconds": 0},
     "circuits": [[0, 1], [0, 1], [1, 0]], "electrical": [[0, 0], [1e11, 0]], "carried": [[0, 8e11], [1e11, 0]]}
    """

    func directory(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("validate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    /// Runs the command; returns its exit status.
    func run(_ arguments: [String]) throws -> Int32 {
        let command = try ValidateCommand.parse(arguments)
        do {
            try command.run()
            return 0
        } catch let code as ExitCode {
            return code.rawValue
        }
    }

    @Test("valid instance and plan: exit 0")
    func valid() throws {
        let dir = try directory(["i.json": Self.instance, "p.json": Self.goodPlan])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try run([dir.appendingPathComponent("i.json").path, dir.appendingPathComponent("p.json").path]) == 0)
    }

    @Test("a plan breaking its instance's port limit: exit 65")
    func invalidAgainstInstance() throws {
        let dir = try directory(["i.json": Self.instance, "p.json": Self.badPlan])
        defer { try? FileManager.default.removeItem(at: dir) }
        // On its own the plan is well formed; against the instance it is not.
        #expect(try run([dir.appendingPathComponent("p.json").path]) == 0)
        #expect(try run([dir.appendingPathComponent("p.json").path, dir.appendingPathComponent("i.json").path]) == 65)
    }

    @Test("transit entries: each problem named by its JSON path, exit 65")
    func transit() throws {
        let instance = """
        {"problem": "linkpool", "fabric": {"nodes": 3, "opticalPorts": 2, "circuitRate": 100, "packetRate": 0, "maxHops": 2},
         "demand": [[0, 0, 100], [0, 0, 0], [0, 0, 0]]}
        """
        let plan = """
        {"problem": "linkpool", "method": "m", "status": "heuristic", "metrics": {"objective": 1, "solveSeconds": 0, "lambda": 1},
         "circuits": [[0, 1], [1, 2]], "electrical": [[0, 0, 0], [0, 0, 0], [0, 0, 0]],
         "carried": [[0, 0, 100], [0, 0, 0], [0, 0, 0]], "transit": [[0, 1, 2, 100], [0, 2, 1, 1], [0, 0, 2, 1], [0, 1, 2, -1]]}
        """
        let dir = try OptoplanBinary.directory(["i.json": instance, "p.json": plan,
                                                "ok.json": plan.replacingOccurrences(of: ", [0, 2, 1, 1], [0, 0, 2, 1], [0, 1, 2, -1]", with: "")])
        defer { try? FileManager.default.removeItem(at: dir) }
        let ok = try OptoplanBinary.run(["validate", "i.json", "ok.json"], in: dir)
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        let r = try OptoplanBinary.run(["validate", "i.json", "p.json"], in: dir)
        #expect(r.status == 65)
        let text = r.stdout + r.stderr
        #expect(text.contains("transit[1]") && text.contains("not among the plan's circuits"), "\(text)")
        #expect(text.contains("transit[2]") && text.contains("third node"), "\(text)")
        #expect(text.contains("transit[3]") && text.contains("negative"), "\(text)")
        #expect(!text.contains("transit[0]"), "\(text)")
    }

    @Test("bad and missing files: exit 65")
    func badFiles() throws {
        let dir = try directory(["i.json": Self.instance.replacingOccurrences(of: "400Gbps", with: "400us"), "j.json": "{"])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try run([dir.appendingPathComponent("i.json").path]) == 65)
        #expect(try run([dir.appendingPathComponent("j.json").path]) == 65)
        #expect(try run([dir.appendingPathComponent("none.json").path]) == 65)
    }

    @Test("no file is a usage error")
    func noFiles() {
        #expect(throws: (any Error).self) { try ValidateCommand.parse([]) }
    }
}
