import ArgumentParser
import Foundation
import OptoCBC
import OptoCore
import Testing
@testable import OptoPlanCLI

@Suite("--solver glpk|cbc")
struct SolverOptionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs a parsed command; returns its exit status.
    func run(_ command: some ParsableCommand) throws -> Int32 {
        var command = command
        do {
            try command.run()
            return 0
        } catch let code as ExitCode {
            return code.rawValue
        }
    }

    func objective(_ url: URL) throws -> (String, Double) {
        let s = try PlanIO.read(contentsOf: url).summary
        return (s.status.rawValue, s.metrics.objective)
    }

    @Test("every planner command takes --solver; glpk and cbc (when installed) reach the same optimum, else cbc exits 64")
    func planners() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("solver-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs: [(String, String)] = [
            ("schedule", "datasets/schedule/formats-example.json"),
            ("linkpool", "datasets/linkpool/two-racks-8to1.json"),
            ("stagger", "datasets/stagger/vgg16-x3.json"),
        ]
        for (name, file) in inputs {
            let input = Self.root.appendingPathComponent(file).path
            var results: [String: (String, Double)] = [:]
            for solver in SolverChoice.allCases {
                let out = dir.appendingPathComponent("\(name)-\(solver.rawValue).json")
                let args = [input, "--method", "ilp", "--time-limit", "20", "--solver", solver.rawValue, "--output", out.path]
                let status: Int32 = switch name {
                case "schedule": try run(ScheduleCommand.parse(args))
                case "linkpool": try run(LinkPoolCommand.parse(args))
                default: try run(StaggerCommand.parse(args))
                }
                if solver == .cbc && !CBCSolver.isAvailable {
                    #expect(status == 64, "\(name): --solver cbc without CBC")
                    continue
                }
                #expect(status == 0, "\(name) --solver \(solver.rawValue)")
                if status == 0 { results[solver.rawValue] = try objective(out) }
            }
            if let g = results["glpk"], let c = results["cbc"] {
                #expect(g.0 == "optimal" && c.0 == "optimal", "\(name): \(g) \(c)")
                #expect(abs(g.1 - c.1) <= 1e-6 * (1 + abs(g.1)), "\(name): glpk \(g.1), cbc \(c.1)")
            }
        }
    }

    @Test("every planner command, compare and batch parse --solver; an unknown solver is a usage error; glpk is the default")
    func parsing() throws {
        #expect(throws: (any Error).self) { try StaggerCommand.parse(["x.json", "--solver", "cplex"]) }
        #expect(try StaggerCommand.parse(["x.json"]).search.solverOption.solver == .glpk)
        #expect(try LinkPoolCommand.parse(["x.json", "--solver", "cbc"]).search.solverOption.solver == .cbc)
        #expect(try ScheduleCommand.parse(["x.json", "--solver", "glpk"]).search.solverOption.solver == .glpk)
        #expect(try CompareCommand.parse(["x.json", "--solver", "cbc"]).solverOption.solver == .cbc)
        #expect(try BatchCommand.parse(["dir", "-o", "out", "--solver", "cbc"]).solverOption.solver == .cbc)
        #expect(throws: (any Error).self) { try BatchCommand.parse(["dir", "-o", "out", "--solver", "gurobi"]) }
    }

    @Test("choosing cbc either builds the backend or names what is missing")
    func unavailable() {
        do {
            let s = try SolverChoice.cbc.makeSolver()
            #expect(CBCSolver.isAvailable)
            #expect(s.name == "cbc")
        } catch {
            #expect(!CBCSolver.isAvailable)
            #expect(error.rawValue == 64)
        }
        #expect((try? SolverChoice.glpk.makeSolver())?.name == "glpk")
    }

    @Test("without libCbcSolver, --solver cbc exits 64 naming CBC; glpk still plans (end to end)")
    func missingLibrary() throws {
        let input = Self.root.appendingPathComponent("datasets/stagger/vgg16-x3.json").path
        let env = ["OPTOPLAN_CBC_LIBRARY": "/nonexistent/libCbcSolver.so"]
        let cbc = try OptoplanBinary.run(["stagger", input, "--method", "ilp", "--solver", "cbc"], environment: env)
        #expect(cbc.status == 64)
        #expect(cbc.stderr.contains("CBC is not available"), "\(cbc.stderr)")
        #expect(cbc.stdout.isEmpty)
        let glpk = try OptoplanBinary.run(["stagger", input, "--method", "ilp", "--solver", "glpk"], environment: env)
        #expect(glpk.status == 0, "\(glpk.stderr)")
        #expect(glpk.stdout.contains("\"stagger\""))
    }
}
