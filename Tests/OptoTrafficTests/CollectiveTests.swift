import Foundation
import OptoCore
import Testing
@testable import OptoTraffic

@Suite("Traffic generators")
struct CollectiveTests {
    @Test("ring all-reduce: one hop per node, 2(R-1)/R of the gradient")
    func ring() {
        // 3 nodes × 2 ranks: R = 6, each hop carries 2·5/6 of 600 B = 1000 B.
        let m = Collectives.ringAllReduce(gradientBytes: 600, nodes: [2, 0, 3], ranksPerNode: 2, fabricSize: 4)
        #expect(abs(m[2, 0] - 1000) < 1e-9 && abs(m[0, 3] - 1000) < 1e-9 && abs(m[3, 2] - 1000) < 1e-9)
        #expect(abs(m.total - 3000) < 1e-9)
        #expect(m[1, 1] == 0 && m.rowSums[1] == 0)
        // One node: nothing crosses the fabric.
        #expect(Collectives.ringAllReduce(gradientBytes: 600, nodes: [1], ranksPerNode: 8, fabricSize: 4).total == 0)
        #expect(abs(Collectives.ringAllReduceTime(gradientBytes: 1e9, ranks: 8, rate: 1e11) - 2 * 7 / 8 * 8e9 / 1e11) < 1e-12)
    }

    @Test("all-to-all: r²·b/(R−1) per node pair and round")
    func allToAll() {
        // 2 nodes × 2 ranks, 300 B per rank: node pair carries 4·300/3 = 400 B per round.
        let m = Collectives.allToAll(bytesPerRank: 300, rounds: 2, nodes: [0, 1], ranksPerNode: 2, fabricSize: 3)
        #expect(abs(m[0, 1] - 800) < 1e-9 && abs(m[1, 0] - 800) < 1e-9)
        #expect(m[0, 2] == 0 && m[2, 0] == 0)
        // Conservation: what crosses the fabric is every rank's bytes to ranks of other nodes.
        let ranks = 4.0, perRankToOthers = 300.0 * 2 / (ranks - 1) * 2  // 2 remote ranks each
        #expect(abs(m.total - ranks * perRankToOthers) < 1e-9)
    }

    @Test("pipeline: activations forward, gradients back")
    func pipeline() {
        let m = Collectives.pipeline(activationBytes: 10, microbatches: 4, stages: [3, 1, 0], fabricSize: 4)
        #expect(m[3, 1] == 40 && m[1, 3] == 40 && m[1, 0] == 40 && m[0, 1] == 40)
        #expect(abs(m.total - 160) < 1e-9)
    }

    @Test("a training job as a stagger job on the step grid")
    func staggerJob() {
        // 100 MB gradient, 4 nodes × 1 rank: busiest node sends 2·3/4·100 MB = 150 MB = 1.2 Gb;
        // at 10 Gbps that is 120 ms. Compute 200.5 ms rounds up to 201 steps of 1 ms.
        let job = TrainingJob(name: "j", nodes: [0, 1, 2, 3], ranksPerNode: 1, pattern: .ringAllReduce(gradientBytes: 1e8),
                              computeTime: 0.2005, rate: 1e10, links: ["l"])
        #expect(abs(job.communicationTime - 0.12) < 1e-12)
        let s = job.staggerJob(step: 0.001)
        #expect(abs(s.period - 0.321) < 1e-12)
        #expect(s.phases.count == 1 && abs(s.phases[0].start - 0.201) < 1e-12 && abs(s.phases[0].duration - 0.12) < 1e-12)
        #expect(s.phases[0].rate == 1e10 && s.links == ["l"])
    }

    @Test("job specifications: every output kind, and errors name their place")
    func spec() throws {
        let text = """
        {"generate": "stagger", "step": "1ms", "links": [{"name": "agg", "capacity": "100Gbps"}],
         "jobs": [{"name": "v", "model": "vgg16", "nodes": [0, 1], "ranksPerNode": 8, "rate": "50Gbps", "links": ["agg"]},
                  {"name": "m", "pattern": "alltoall", "bytesPerRank": "64MB", "rounds": 2, "compute": "100ms",
                   "nodes": [1, 2], "ranksPerNode": 4, "rate": "50Gbps", "links": ["agg"]}]}
        """
        let (spec, _) = try JobSpec.read(data: Data(text.utf8), file: "s.json")
        guard case .stagger(let s) = spec.instance() else { Issue.record("not stagger"); return }
        #expect(s.jobs.map(\.name) == ["v", "m"])
        // VGG16: 552 MB gradient over 16 ranks: 2·15/16·552 MB = 1035 MB = 8.28 Gb at 50 Gbps = 165.6 ms → 166 steps.
        #expect(abs(s.jobs[0].phases[0].duration - 0.166) < 1e-12)
        #expect(abs(s.jobs[0].phases[0].start - 0.059) < 1e-12)  // 58.7 ms rounds up to 59 steps
        let schedule = text.replacingOccurrences(of: #""generate": "stagger", "step": "1ms", "links": [{"name": "agg", "capacity": "100Gbps"}]"#,
                                                 with: #""generate": "schedule", "iterations": 2, "fabric": {"nodes": 3, "ocsPortsPerNode": 1, "circuitRate": "100Gbps", "packetRate": "10Gbps"}"#)
        let (spec2, _) = try JobSpec.read(data: Data(schedule.utf8), file: "s.json")
        guard case .schedule(let sch) = spec2.instance(), case .window(let d, nil) = sch.mode else { Issue.record("not schedule"); return }
        #expect(abs(d[0, 1] - 2 * 2 * 15 / 16 * 552e6) < 1)  // two iterations of the ring hop 0→1
        #expect(abs(d[1, 2] - 2 * 2 * 16 * 64e6 / 7) < 1)  // alltoall: 4²·64 MB/7 per round, 2 rounds, 2 iterations
        let linkpool = schedule.replacingOccurrences(of: #""generate": "schedule", "iterations": 2, "fabric": {"nodes": 3, "ocsPortsPerNode": 1,"#,
                                                     with: #""generate": "linkpool", "fabric": {"nodes": 3, "opticalPorts": 2,"#)
        let (spec3, _) = try JobSpec.read(data: Data(linkpool.utf8), file: "s.json")
        guard case .linkpool(let lp) = spec3.instance() else { Issue.record("not linkpool"); return }
        let vgg = spec3.jobs[0]
        #expect(abs(lp.demand[0, 1] - 2 * 15 / 16 * 552e6 * 8 / vgg.iterationTime) < 1)

        let bad: [(String, String, String)] = [
            (#""model": "vgg16""#, #""model": "vgg17""#, "jobs[0].model"),
            (#""nodes": [0, 1]"#, #""nodes": [0, -1]"#, "jobs[0].nodes[1]"),
            (#""rate": "50Gbps", "links": ["agg"]},"#, #""rate": "50us", "links": ["agg"]},"#, "jobs[0].rate"),
            (#""links": ["agg"]}]}"#, #""links": ["nope"]}]}"#, "jobs[1].links[0]"),
            (#""pattern": "alltoall""#, #""pattern": "broadcast""#, "jobs[1].pattern"),
            (#""name": "m""#, #""name": "v""#, "jobs[1].name"),
        ]
        for (from, to, place) in bad {
            let t = text.replacingOccurrences(of: from, with: to)
            #expect(t != text, "\(from) not in the spec")
            do {
                _ = try JobSpec.read(data: Data(t.utf8), file: "s.json")
                Issue.record("accepted \(to)")
            } catch {
                #expect(error.place == .json(place), "\(error)")
            }
        }
    }
}
