import Foundation
import OptoCore
import Testing

/// `optoplan export` of a link-pool instance with transit (`maxHops: 2`),
/// run as a process and checked with glpsol: the LP, MPS and MathProg
/// (`models/linkpool.mod` with `param maxHops := 2`) exports reach the
/// planner's transit optimum (1e-6 relative), and that optimum is above the
/// 1-hop one on these instances (so the transit part of the model is used).
@Suite("End to end: export with transit")
struct LinkPoolTransitExportTests {
    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * max(abs(a), abs(b)) + 1e-9 }

    @Test("LP, MPS and MathProg exports with transit reach the planner's optimum", arguments: [1, 3] as [UInt64])
    func exports(seed: UInt64) throws {
        let oneHop = E2EInstances.linkpool(seed: seed, n: 4, ports: 3)
            .replacingOccurrences(of: "\"packetRate\": \"100Gbps\"", with: "\"packetRate\": \"10Gbps\"")
        let transit = oneHop.replacingOccurrences(of: "\"packetRate\": \"10Gbps\"", with: "\"packetRate\": \"10Gbps\", \"maxHops\": 2")
        #expect(transit != oneHop)
        let dir = try OptoplanBinary.directory(["pool.json": transit, "direct.json": oneHop])
        defer { try? FileManager.default.removeItem(at: dir) }
        let (objective, status) = try ExportEndToEndTests.planObjective(dir, "pool.json")
        #expect(status == .optimal)
        let (direct, _) = try ExportEndToEndTests.planObjective(dir, "direct.json")
        #expect(objective > direct * (1 + 1e-6), "transit \(objective) vs one hop \(direct)")

        let lp = try OptoplanBinary.run(["export", "pool.json", "--as", "lp", "--output", "pool.lp"], in: dir)
        #expect(lp.status == 0, "\(lp.stderr)")
        let lpValue = try ExportEndToEndTests.glpsolObjective(["--lp", dir.appendingPathComponent("pool.lp").path], dir: dir)
        #expect(close(lpValue * (try ExportEndToEndTests.factor(lp.stderr)), objective), "LP \(lpValue) vs planner \(objective)")

        let mps = try OptoplanBinary.run(["export", "pool.json", "--as", "mps", "--output", "pool.mps"], in: dir)
        #expect(mps.status == 0, "\(mps.stderr)")
        let mpsValue = try ExportEndToEndTests.glpsolObjective(["--freemps", dir.appendingPathComponent("pool.mps").path, "--min"], dir: dir)
        #expect(close(-mpsValue * (try ExportEndToEndTests.factor(mps.stderr)), objective), "MPS \(mpsValue) vs planner \(objective)")

        let dat = try OptoplanBinary.run(["export", "pool.json", "--as", "mathprog", "--output", "pool.dat"], in: dir)
        #expect(dat.status == 0, "\(dat.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("pool.dat"), encoding: .utf8).contains("param maxHops := 2;"))
        let model = OptoplanBinary.packageRoot.appendingPathComponent("models/linkpool.mod").path
        let g = try OptoplanBinary.glpsol(["-m", model, "-d", dir.appendingPathComponent("pool.dat").path])
        #expect(g.status == 0, "\(g.output)")
        let line = try #require(g.output.split(separator: "\n").first { $0.hasPrefix("OBJECTIVE ") }, "\(g.output)")
        let value = try #require(Double(line.dropFirst("OBJECTIVE ".count)))
        #expect(close(value, objective), "MathProg \(value) vs planner \(objective)")
    }
}
