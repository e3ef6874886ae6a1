import Foundation
import Testing
import OptoCore
import OptoGLPK
import OptoModel
@testable import OptoPlanners

@Suite("Schedule MathProg model")
struct ScheduleModelFileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let glpsol = ["/usr/bin/glpsol", "/usr/local/bin/glpsol"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The instance as MathProg data in MB and ms (a circuit moves 1 MB/ms).
    static func dat(_ d: Matrix, fabric f: Fabric, window: Double, slots: Int) -> String {
        let n = d.rows
        var s = "data;\nparam N := \(n);\nparam c := \(f.circuitRate / 8 / 1e9);\nparam delta := \(f.reconfigurationDelay * 1e3);\n"
        s += "param W := \(window * 1e3);\nparam M := \(slots);\n"
        s += "param k := " + (0..<n).map { "\($0) \(f.ocsPortsPerNode[$0])" }.joined(separator: " ") + ";\n"
        s += "param p := " + (0..<n).map { "\($0) \(f.packetRate[$0] / 8 / 1e9)" }.joined(separator: " ") + ";\n"
        s += "param D : " + (0..<n).map(String.init).joined(separator: " ") + " :=\n"
        for i in 0..<n { s += "\(i) " + (0..<n).map { String(d[i, $0] / 1e6) }.joined(separator: " ") + "\n" }
        return s + ";\nend;\n"
    }

    @Test("glpsol on models/schedule.mod reaches the planner's optimum (N = 3)",
          .enabled(if: glpsol != nil, "glpsol (glpk-utils) is not installed"))
    func glpsolMatchesPlanner() throws {
        var rng = ScheduleRNG(seed: 101)
        let d = ScheduleFixtures.demand(nodes: 3, density: 0.8, scale: 1e8, rng: &rng)
        let fabric = ScheduleFixtures.fabric(nodes: 3, packetBytesPerSecond: 1e7, delta: 2e-3)
        let w = try ScheduleScoring.lowerBound(fabric: fabric, demand: d) * 0.7
        let plan = try SchedulePlanner.plan(ScheduleInstance(fabric: fabric, demand: d, window: w), method: .ilp,
                                            options: PlanningOptions(timeLimit: 20, solver: GLPKSolver(), slots: 4))
        #expect(plan.status == .optimal)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("optoplan-schedule-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let datURL = dir.appendingPathComponent("n3.dat")
        try Self.dat(d, fabric: fabric, window: w, slots: 4).write(to: datURL, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.glpsol!)
        process.arguments = ["-m", Self.root.appendingPathComponent("models/schedule.mod").path, "-d", datURL.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        try process.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let line = try #require(out.split(separator: "\n").first { $0.hasPrefix("served ") })
        let servedMB = try #require(Double(line.dropFirst("served ".count)))
        #expect(abs(servedMB * 1e6 - plan.metrics.objective) <= 1e-5 * plan.metrics.objective, "glpsol \(servedMB) MB, planner \(plan.metrics.objective) B")
    }

    /// glpsol's `served` (MB) on `models/schedule-epochs.mod` with `data`.
    static func glpsolServed(_ data: String) throws -> Double {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("optoplan-epochs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let datURL = dir.appendingPathComponent("e.dat")
        try data.write(to: datURL, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.glpsol!)
        process.arguments = ["-m", Self.root.appendingPathComponent("models/schedule-epochs.mod").path, "-d", datURL.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        try process.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let line = try #require(out.split(separator: "\n").first { $0.hasPrefix("served ") }, "\(out)")
        return try #require(Double(line.dropFirst("served ".count)))
    }

    @Test("glpsol on models/schedule-epochs.mod with and without transit reaches the planner's optimum",
          .enabled(if: glpsol != nil, "glpsol (glpk-utils) is not installed"), arguments: [UInt64(7), 8])
    func glpsolEpochsTransit(seed: UInt64) throws {
        var rng = ScheduleRNG(seed: seed)
        let f = ScheduleFixtures.fabric(nodes: 4, ports: 1, packetBytesPerSecond: 2e7, delta: 2e-3)
        let epochs = (0..<3).map { _ in ScheduleInstance.Epoch(duration: 0.01, demand: ScheduleFixtures.demand(nodes: 4, density: 0.5, scale: 1.5e7, rng: &rng)) }
        var served: [Int: Double] = [:]
        for hops in [1, 2] {
            let inst = ScheduleInstance(fabric: f, mode: .epochs(epochs), maxHops: hops)
            let plan = try SchedulePlanner.plan(inst, method: .ilp, options: PlanningOptions(timeLimit: 20, solver: GLPKSolver()))
            #expect(plan.status == .optimal)
            let data = try SchedulePlanner.mathProgData(inst)
            #expect(data.contains("param maxHops := 2;") == (hops == 2))
            let mb = try Self.glpsolServed(data)
            #expect(abs(mb * 1e6 - plan.metrics.objective) <= 1e-6 * plan.metrics.objective, "maxHops \(hops): glpsol \(mb) MB, planner \(plan.metrics.objective) B")
            // The LP export of the same instance reaches the same optimum.
            let exported = try SchedulePlanner.exactModel(inst)
            let r = try GLPKSolver().solve(exported.model, options: SolverOptions(timeLimit: 20))
            #expect(abs((r.objectiveValue ?? 0) * exported.objectiveScale - plan.metrics.objective) <= 1e-6 * plan.metrics.objective)
            served[hops] = plan.metrics.objective
        }
        #expect(served[2]! >= served[1]! * (1 - 1e-9))
    }
}
