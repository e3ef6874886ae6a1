import Foundation
import Testing
import OptoCore
import OptoGLPK
@testable import OptoPlanners

@Suite("Stagger MathProg model")
struct StaggerMathProgTests {
    /// models/stagger.mod, found from this file's path.
    static let modelPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("models/stagger.mod").path

    @Test("glpsol on models/stagger.mod reaches the planner's optimum", arguments: [3, 8] as [UInt64])
    func glpsolAgrees(seed: UInt64) throws {
        let glpsol = ["/usr/bin/glpsol", "/usr/local/bin/glpsol"].first { FileManager.default.isExecutableFile(atPath: $0) }
        try #require(glpsol != nil, "glpsol (glpk-utils) is installed")
        let inst = StaggerFixtures.random(seed: seed, jobs: 4, links: 2, periods: [4, 6])
        let grid = try StaggerGrid(inst)
        let plan = try StaggerPlanner.plan(inst, method: .ilp, options: PlanningOptions(timeLimit: 20, solver: GLPKSolver()))
        #expect(plan.status == .optimal)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stagger-mod-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let dat = dir.appendingPathComponent("instance.dat")
        try StaggerPlanner.mathProgData(inst).write(to: dat, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: glpsol!)
        process.arguments = ["-m", Self.modelPath, "-d", dat.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("total_excess ") }, "\(output)")
        let value = try #require(Double(line.dropFirst("total_excess ".count)))
        let excess = plan.metrics.excess ?? -1
        #expect(abs(value - excess) <= 1e-6 * max(1, excess), "glpsol \(value) vs planner \(excess)")
        // And glpsol's offsets score the same on the grid.
        var offsets = [Int](repeating: 0, count: grid.jobs.count)
        for l in output.split(separator: "\n") where l.hasPrefix("offset ") {
            let parts = l.split(separator: " ")
            let k = try #require(grid.jobs.firstIndex { $0.name == String(parts[1]) })
            offsets[k] = try #require(Int(parts[2]))
        }
        #expect(abs(grid.score(offsets: offsets).excess - excess) <= 1e-6 * max(1, excess))
    }
}
