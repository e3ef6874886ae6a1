import Foundation
import OptoCore
import OptoGLPK
@testable import OptoPlanners
import Testing

/// `models/collective.mod` solved by glpsol alone against the `ilp` method.
@Suite("Collective MathProg model")
struct CollectiveMathProgTests {
    let glpk = PlanningOptions(timeLimit: 20, solver: GLPKSolver())

    func glpsol(_ data: String) throws -> String {
        let glpsol = ["/usr/bin/glpsol", "/usr/local/bin/glpsol"].first { FileManager.default.isExecutableFile(atPath: $0) }
        try #require(glpsol != nil, "glpsol (glpk-utils) is needed for this test")
        let mod = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models/collective.mod")
        let dat = FileManager.default.temporaryDirectory.appendingPathComponent("collective-\(UUID().uuidString).dat")
        try data.write(to: dat, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: dat) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: glpsol!)
        process.arguments = ["-m", mod.path, "-d", dat.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        return output
    }

    func horizon(_ output: String) throws -> Double {
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("HORIZON ") }, "\(output)")
        return try #require(Double(line.dropFirst("HORIZON ".count)))
    }

    @Test("glpsol on collective.mod reaches ilp's optimum: the reference case, given circuits with relays and packet fabric, free circuits with an alltoall")
    func sameOptimum() throws {
        var cases: [(String, CollectiveInstance)] = [("reference", fiveServerRing())]
        for seed in UInt64(1)...3 {
            cases.append(("given \(seed)", randomGivenInstance(seed: seed, nodes: 6, m: 4, ports: 2, packet: seed == 2 ? 20e9 : 0,
                                                               maxHops: 3, alltoall: true, cycle: true)))
        }
        let free = CollectiveInstance(fabric: Fabric(nodes: 4, ports: 1, circuitRate: 100e9, packetRate: 10e9, reconfigurationDelay: 1e-5),
                                      jobs: [CollectiveJob(name: "j", collectives: [
                                          Collective(name: "dp", kind: .allreduce, group: [0, 1, 2, 3], bytes: 4e8),
                                          Collective(name: "ep", kind: .alltoall, group: [1, 3], bytes: 5e7)])])
        cases.append(("free", free))
        for (name, instance) in cases {
            let plan = try CollectivePlanner.plan(instance, method: .ilp, options: glpk)
            #expect(plan.status == .optimal, "\(name)")
            let t = try horizon(glpsol(CollectivePlanner.mathProgData(instance)))
            let ilp = try #require(plan.metrics.time) - instance.startDelay(for: plan.circuits)
            #expect(abs(t - ilp) <= 1e-6 * ilp, "\(name): glpsol \(t) s, ilp \(ilp) s")
        }
    }

    @Test("the reference case's horizon is the bound, 8 steps of 200 MB at 400 Gb/s (32 ms), and its ring the circuit cycle")
    func referenceClosedForm() throws {
        let output = try glpsol(CollectivePlanner.mathProgData(fiveServerRing()))
        #expect(abs(try horizon(output) - 0.032) <= 1e-9)
        let ring = try #require(output.split(separator: "\n").first { $0.hasPrefix("RING ") })
        #expect(Set(ring.split(separator: " ").dropFirst(3).map(String.init)) == ["0->2", "2->4", "4->1", "1->3", "3->0"])
    }

    @Test("an instance that moves no bytes has no data section")
    func nothingToOptimise() {
        let idle = CollectiveInstance(fabric: Fabric(nodes: 2, ports: 1, circuitRate: 100e9, packetRate: 0, reconfigurationDelay: 0),
                                      jobs: [CollectiveJob(name: "j", collectives: [Collective(name: "dp", kind: .allreduce, group: [0], bytes: 1e9)])])
        #expect(throws: PlanningError.self) { try CollectivePlanner.mathProgData(idle) }
    }
}
