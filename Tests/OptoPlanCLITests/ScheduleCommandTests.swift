import ArgumentParser
import Foundation
import OptoCore
import Testing
@testable import OptoPlanCLI

@Suite("optoplan schedule")
struct ScheduleCommandTests {
    /// FORMATS.md's example instance.
    static let instance = """
    { "problem": "schedule",
      "fabric": { "nodes": 4, "ocsPortsPerNode": 1, "circuitRate": "100Gbps", "packetRate": "10Gbps", "reconfigurationDelay": "20us" },
      "window": "1ms",
      "demand": [[0, "2MB", 0, "64KB"], ["1MB", 0, 0, 0], [0, 0, 0, "3MB"], [0, "500KB", 0, 0]] }
    """
    static let epochs = """
    { "problem": "schedule",
      "fabric": { "nodes": 2, "ocsPortsPerNode": 1, "circuitRate": "8Gbps", "packetRate": 0, "reconfigurationDelay": "500ms" },
      "epochs": [ { "duration": "1s", "demand": [[0, "1GB"], [0, 0]] }, { "duration": "1s", "demand": [[0, 0], ["400MB", 0]] } ] }
    """
    static let actual = """
    { "problem": "schedule",
      "fabric": { "nodes": 2, "ocsPortsPerNode": 1, "circuitRate": "8Gbps", "packetRate": 0, "reconfigurationDelay": "500ms" },
      "epochs": [ { "duration": "1s", "demand": [[0, "2GB"], [0, 0]] }, { "duration": "1s", "demand": [[0, 0], [0, 0]] } ] }
    """

    func directory(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedule-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    func run(_ arguments: [String]) throws -> Int32 {
        let command = try ScheduleCommand.parse(arguments)
        do {
            try command.run()
            return 0
        } catch let code as ExitCode {
            return code.rawValue
        }
    }

    func plan(_ url: URL) throws -> SchedulePlan {
        guard case .schedule(let p) = try PlanIO.read(contentsOf: url) else { throw CancellationError() }
        return p
    }

    @Test("every method writes a plan inside the window; ilp reports its slots, bound and gap")
    func methods() throws {
        let dir = try directory(["i.json": Self.instance])
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("i.json").path
        for method in ["solstice", "bottleneck", "eclipse", "greedy", "bvn", "static", "rotor", "auto", "ilp"] {
            let out = dir.appendingPathComponent("\(method).json")
            #expect(try run([input, "--method", method, "--time-limit", "5", "--slots", "3", "--output", out.path]) == 0)
            let p = try plan(out)
            #expect(p.method.hasSuffix(method) || method == "auto")
            let span = (p.configurations ?? []).reduce(0.0) { $0 + 20e-6 + $1.duration }
            #expect(span <= 1e-3 * (1 + 1e-9))
            #expect((p.metrics.servedBytes ?? 0) > 0)
            if method == "ilp" {
                #expect(p.metrics.slots == 3)
                #expect(p.metrics.bound != nil && p.metrics.gap != nil)
            }
        }
    }

    @Test("bad arguments and bad input exit 64 and 65")
    func exits() throws {
        let dir = try directory(["i.json": Self.instance, "bad.json": #"{"problem": "schedule", "fabric": {"nodes": 2}}"#])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: (any Error).self) { _ = try ScheduleCommand.parse([dir.appendingPathComponent("i.json").path, "--slots", "0"]).validate() }
        #expect(try run([dir.appendingPathComponent("bad.json").path]) == 65)
        // A one-matrix method on an epochs instance is a bad argument.
        let e = dir.appendingPathComponent("e.json")
        try Self.epochs.write(to: e, atomically: true, encoding: .utf8)
        #expect(try run([e.path, "--method", "solstice", "--output", dir.appendingPathComponent("x.json").path]) == 64)
    }

    @Test("--actual scores the plan made on the prediction against the actual series")
    func actualComparison() throws {
        let dir = try directory(["p.json": Self.epochs, "a.json": Self.actual])
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("plan.json")
        #expect(try run([dir.appendingPathComponent("p.json").path, "--method", "greedy", "--actual",
                         dir.appendingPathComponent("a.json").path, "--output", out.path]) == 0)
        let p = try plan(out)
        #expect(p.epochs?.count == 2)
        let table = try ScheduleCommand.compare(p,
            predicted: { guard case .schedule(let s) = try InstanceReader.read(contentsOf: dir.appendingPathComponent("p.json")).instance else { throw CancellationError() }; return s }(),
            actual: { guard case .schedule(let s) = try InstanceReader.read(contentsOf: dir.appendingPathComponent("a.json")).instance else { throw CancellationError() }; return s }())
        #expect(table.contains("epoch"))
        #expect(table.split(separator: "\n").count == 4)   // header, two epochs, total
    }
}
