import Foundation
import OptoCore
import Testing
@testable import OptoTraffic

/// `"generate": "collective"`: groups from a job's layout, by hand.
@Suite("Collective generation")
struct CollectiveGenTests {
    let fabric = #"{"nodes": 16, "ocsPortsPerNode": 4, "circuitRate": "100Gbps", "packetRate": "10Gbps", "reconfigurationDelay": "10us", "maxHops": 3}"#

    func spec(_ job: String) -> String {
        #"{"generate": "collective", "fabric": \#(fabric), "jobs": [\#(job)]}"#
    }

    @Test("tensor 2 × data 4 × pipeline 2 over 16 nodes: dp, ep, tp and pp groups and bytes as laid out by hand")
    func layout() throws {
        let nodes = Array((0..<16).reversed())   // rank i on node 15 − i
        let text = spec(#"{"name": "moe", "nodes": \#(nodes), "tensor": 2, "pipeline": 2, "gradient": "4GB", "expert": 2, "bytesPerRank": "30MB", "rounds": 2, "tensorBytes": "100MB", "activation": "8MB", "microbatches": 4}"#)
        let (s, _) = try JobSpec.read(data: Data(text.utf8), file: "s.json")
        guard case .collective(let instance) = s.instance() else { Issue.record("not a collective instance"); return }
        #expect(instance.maxHops == 3 && instance.reconfigure && instance.current == nil)
        let cs = Dictionary(uniqueKeysWithValues: instance.jobs[0].collectives.map { ($0.name, $0) })
        // Rank i: tensor i % 2, data (i / 2) % 4, stage i / 8; node 15 − i.
        func node(_ s: Int, _ d: Int, _ t: Int) -> Int { 15 - (s * 8 + d * 2 + t) }
        #expect(cs.count == 4 + 8 + 8 + 8)   // dp: 2 stages × 2 tensor; ep: those × 2 groups of 2; tp: 2 stages × 4 data; pp: 1 × 4 × 2
        #expect(cs["dp[1,0]"]?.group == [7, 5, 3, 1] && cs["dp[1,0]"]?.kind == .allreduce)
        #expect(cs["dp[0,1]"]?.group == (0..<4).map { node(0, $0, 1) })
        #expect(cs["dp[0,0]"]?.bytes == 1e9)   // 4 GB over tensor × pipeline = 4
        #expect(cs["ep[0,1,1]"]?.group == [node(0, 2, 1), node(0, 3, 1)] && cs["ep[0,1,1]"]?.kind == .alltoall)
        #expect(cs["ep[0,0,0]"]?.bytes == 2 * 30e6 / 1)   // rounds · bytesPerRank / (e − 1)
        #expect(cs["tp[1,3]"]?.group == [node(1, 3, 0), node(1, 3, 1)] && cs["tp[1,3]"]?.bytes == 100e6)
        #expect(cs["pp[0,2,1]"]?.group == [node(0, 2, 1), node(1, 2, 1)] && cs["pp[0,2,1]"]?.bytes == 32e6)
        // The generated instance reads back as a valid collective instance.
        let check = InstanceReader.check(json: InstanceWriter.json(.collective(instance)), file: "g.json", baseDirectory: nil)
        #expect(check.errors.isEmpty, "\(check.errors)")
    }

    @Test("a data-parallel job with a model: one allreduce of the model's gradient over every node")
    func model() throws {
        let text = spec(#"{"name": "r", "model": "resnet50", "nodes": [3, 1, 2]}"#)
        let (s, _) = try JobSpec.read(data: Data(text.utf8), file: "s.json")
        guard case .collective(let instance) = s.instance() else { Issue.record("not a collective instance"); return }
        let c = try #require(instance.jobs.first?.collectives.first)
        #expect(instance.jobs[0].collectives.count == 1)
        #expect(c.group == [3, 1, 2] && c.kind == .allreduce && c.bytes == ModelCatalog.profiles["resnet50"]!.gradientBytes)
    }

    @Test("bad layouts: each an error at its JSON path", arguments: [
        (#"{"name": "a", "nodes": [0, 1, 2], "tensor": 2, "gradient": "1GB"}"#, "jobs[0].nodes", "do not split"),
        (#"{"name": "a", "nodes": [0, 1, 2, 3], "expert": 3, "bytesPerRank": "1MB"}"#, "jobs[0].expert", "does not divide"),
        (#"{"name": "a", "nodes": [0, 1, 2, 3], "expert": 2}"#, "jobs[0]", "bytesPerRank"),
        (#"{"name": "a", "nodes": [0, 1], "ranksPerNode": 4, "gradient": "1GB"}"#, "jobs[0].ranksPerNode", "one rank per node"),
        (#"{"name": "a", "nodes": [0, 1, 2, 3], "data": 3, "gradient": "1GB"}"#, "jobs[0].data", "not 3"),
        (#"{"name": "a", "nodes": [0, 1], "tensorBytes": "1MB", "gradient": "1GB"}"#, "jobs[0].tensorBytes", "tensor"),
        (#"{"name": "a", "nodes": [0, 1]}"#, "jobs[0]", "no collective"),
        (#"{"name": "a", "nodes": [0, 1], "gradient": "1GB"}, {"name": "b", "nodes": [2, 1], "gradient": "1GB"}"#, "jobs[1].nodes[1]", "already in job"),
    ])
    func errors(job: String, path: String, message: String) {
        do {
            _ = try JobSpec.read(data: Data(spec(job).utf8), file: "s.json")
            Issue.record("accepted: \(job)")
        } catch {
            let text = "\(error)"
            #expect(text.contains(path) && text.contains(message), "\(text)")
        }
    }
}
