import Foundation
import OptoCore
import Testing
@testable import OptoPlanCLI

/// `optoplan batch`, run as a process.
@Suite("End to end: batch", .serialized)
struct BatchEndToEndTests {
    /// `count` small instances of both kinds, named `i00.json`…
    static func inputs(_ count: Int) -> [String: String] {
        var files: [String: String] = [:]
        for i in 0..<count {
            let name = String(format: "in/i%02d.json", i)
            files[name] = i % 2 == 0 ? E2EInstances.linkpool(seed: UInt64(i + 1), n: 3)
                                     : E2EInstances.stagger(seed: UInt64(i + 1), jobs: 3)
        }
        return files
    }

    func plans(_ dir: URL) throws -> [String: Date] {
        guard let walker = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.contentModificationDateKey]) else { return [:] }
        var found: [String: Date] = [:]
        for case let url as URL in walker where url.lastPathComponent.hasSuffix(".plan.json") {
            let date = try url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate ?? .distantPast
            found[String(url.path.dropFirst(dir.path.count + 1))] = date
        }
        return found
    }

    @Test("a malformed instance among good ones: the good ones are planned, the bad one reported, exit non-zero")
    func malformed() throws {
        var files = Self.inputs(4)
        files["in/broken.json"] = #"{ "problem": "linkpool", "fabric": { "nodes": 2, "opticalPorts": 2 }, "demand": [[0, "1Gbps"]] }"#
        files["in/sub/deep.json"] = E2EInstances.stagger(seed: 9)
        let dir = try OptoplanBinary.directory(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try OptoplanBinary.run(["batch", "in", "--output", "out", "--jobs", "2", "--time-limit", "5"], in: dir)
        #expect(r.status == 65, "\(r.stderr)")
        let written = try plans(dir.appendingPathComponent("out"))
        #expect(Set(written.keys) == ["i00.plan.json", "i01.plan.json", "i02.plan.json", "i03.plan.json", "sub/deep.plan.json"])
        #expect(r.stderr.contains("FAILED broken.json"))
        #expect(r.stderr.contains("5 planned, 0 skipped, 1 failed"), "\(r.stderr)")
        for name in written.keys {
            let plan = try PlanIO.read(contentsOf: dir.appendingPathComponent("out/\(name)"))
            #expect(plan.summary.status != .infeasible)
        }
        // Rerun: everything skipped, the failure reported again.
        let again = try OptoplanBinary.run(["batch", "in", "--output", "out"], in: dir)
        #expect(again.status == 65)
        #expect(again.stderr.contains("0 planned, 5 skipped, 1 failed"), "\(again.stderr)")
    }

    @Test("JSON that is not an instance is listed and left alone; malformed JSON is bad input named by file and place")
    func notInstances() throws {
        var files = Self.inputs(3)
        // A job specification for optoplan gen, kept beside the instances (as datasets/stagger/specs/ is).
        files["in/specs/vgg.json"] = #"{ "generate": "stagger", "step": "10ms", "links": [], "jobs": [] }"#
        // A plan saved under another name, and a bare matrix.
        files["in/old-result.json"] = #"{ "problem": "linkpool", "method": "greedy", "status": "heuristic", "metrics": { "objective": 1 } }"#
        files["in/matrix.json"] = "[[0, 1], [1, 0]]"
        // Malformed JSON (a missing value) and an instance with a bad field.
        files["in/truncated.json"] = "{ \"problem\": \"linkpool\",\n  \"fabric\": }"
        files["in/wrong-unit.json"] = #"{ "problem": "linkpool", "fabric": { "nodes": 2, "opticalPorts": 2, "circuitRate": "20us", "packetRate": "100Gbps" }, "demand": [[0, "8Gbps"], ["1Gbps", 0]] }"#
        let dir = try OptoplanBinary.directory(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try OptoplanBinary.run(["batch", "in", "--output", "out", "--method", "greedy"], in: dir)
        #expect(r.status == 65, "\(r.stderr)")
        let written = try plans(dir.appendingPathComponent("out"))
        #expect(Set(written.keys) == ["i00.plan.json", "i01.plan.json", "i02.plan.json"])
        let summary = try #require(r.stderr.split(separator: "\n").first { $0.hasPrefix("batch done") }, "\(r.stderr)")
        #expect(summary.hasSuffix("3 planned, 0 skipped, 2 failed, 3 not instances"), "\(summary)")
        #expect(r.stderr.contains("skipped: specs/vgg.json: not an instance: no \"problem\" field"), "\(r.stderr)")
        #expect(r.stderr.contains("skipped: old-result.json: a plan, not an instance"), "\(r.stderr)")
        #expect(r.stderr.contains("skipped: matrix.json: not an instance: the top level is an array"), "\(r.stderr)")
        // Bad input names the file and the place: line and column, or the JSON path.
        #expect(r.stderr.contains("bad input: truncated.json: ") && r.stderr.contains("truncated.json: line 2, column "), "\(r.stderr)")
        #expect(r.stderr.contains("wrong-unit.json: fabric.circuitRate: "), "\(r.stderr)")
        // Without the bad files the batch succeeds: not-instances are no failure.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("in/truncated.json"))
        try FileManager.default.removeItem(at: dir.appendingPathComponent("in/wrong-unit.json"))
        let again = try OptoplanBinary.run(["batch", "in", "--output", "out", "--method", "greedy"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("0 planned, 3 skipped, 0 failed, 3 not instances"), "\(again.stderr)")
    }

    @Test("shards 0/3, 1/3 and 2/3 together equal one unsharded run, without overlap; the environment selects shards too")
    func shards() throws {
        let dir = try OptoplanBinary.directory(Self.inputs(9))
        defer { try? FileManager.default.removeItem(at: dir) }
        let whole = try OptoplanBinary.run(["batch", "in", "--output", "whole", "--method", "greedy"], in: dir)
        #expect(whole.status == 0, "\(whole.stderr)")
        let all = Set(try plans(dir.appendingPathComponent("whole")).keys)
        #expect(all.count == 9)
        var union: [String] = []
        for i in 0..<3 {
            let r = try OptoplanBinary.run(["batch", "in", "--output", "shard\(i)", "--method", "greedy", "--shard", "\(i)/3"], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            union += try plans(dir.appendingPathComponent("shard\(i)")).keys
            // Plans are the same as the unsharded run's, apart from timing.
            for name in try plans(dir.appendingPathComponent("shard\(i)")).keys {
                let a = try PlanIO.read(contentsOf: dir.appendingPathComponent("shard\(i)/\(name)"))
                let b = try PlanIO.read(contentsOf: dir.appendingPathComponent("whole/\(name)"))
                #expect(a.summary.method == b.summary.method)
                #expect(abs(a.summary.metrics.objective - b.summary.metrics.objective) <= 1e-9 * max(1, abs(b.summary.metrics.objective)))
            }
        }
        #expect(union.count == all.count, "shards overlap: \(union.sorted())")
        #expect(Set(union) == all)
        // Slurm (1-based array) and Kubernetes environments pick the same shards as --shard.
        let slurm = try OptoplanBinary.run(["batch", "in", "--output", "slurm", "--method", "greedy"], in: dir,
                                           environment: ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3"])
        #expect(slurm.status == 0, "\(slurm.stderr)")
        #expect(Set(try plans(dir.appendingPathComponent("slurm")).keys) == Set(try plans(dir.appendingPathComponent("shard1")).keys))
        let k8s = try OptoplanBinary.run(["batch", "in", "--output", "k8s", "--method", "greedy"], in: dir,
                                         environment: ["JOB_COMPLETION_INDEX": "2", "OPTOPLAN_SHARD_COUNT": "3"])
        #expect(k8s.status == 0, "\(k8s.stderr)")
        #expect(Set(try plans(dir.appendingPathComponent("k8s")).keys) == Set(try plans(dir.appendingPathComponent("shard2")).keys))
        let incomplete = try OptoplanBinary.run(["batch", "in", "--output", "x"], in: dir, environment: ["JOB_COMPLETION_INDEX": "0"])
        #expect(incomplete.status == 64)
        #expect(try OptoplanBinary.run(["batch", "in", "--output", "x", "--shard", "3/3"], in: dir).status == 64)
    }

    @Test("a batch killed halfway and rerun plans everything exactly once")
    func killAndResume() throws {
        // Exact searches on 10-node pools with 5 ports run into their time
        // limit (0.5 s each), so the kill lands in the middle of the batch.
        let count = 5
        var files: [String: String] = [:]
        for i in 0..<count { files[String(format: "in/p%02d.json", i)] = E2EInstances.linkpool(seed: UInt64(100 + i), n: 10, ports: 5) }
        let dir = try OptoplanBinary.directory(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let running = try OptoplanBinary.start(["batch", "in", "--output", "out", "--method", "ilp", "--time-limit", "0.5"], in: dir)
        // Wait for the first plan (at most 60 s), then kill without warning.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, (try plans(out)).isEmpty, running.process.isRunning { usleep(20_000) }
        kill(running.process.processIdentifier, SIGKILL)
        _ = running.wait()
        let first = try plans(out)
        #expect(!first.isEmpty)
        #expect(first.count < count, "the kill came after the batch ended")
        // Every plan left behind is complete.
        for name in first.keys { _ = try PlanIO.read(contentsOf: out.appendingPathComponent(name)) }

        let rerun = try OptoplanBinary.run(["batch", "in", "--output", "out", "--method", "ilp", "--time-limit", "0.5"], in: dir)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let second = try plans(out)
        #expect(second.count == count)
        // Nothing planned twice: the first run's files are untouched and the rerun skipped exactly them.
        for (name, date) in first { #expect(second[name] == date, "\(name) was rewritten") }
        #expect(rerun.stderr.contains("\(count - first.count) planned, \(first.count) skipped, 0 failed"), "\(rerun.stderr)")
    }

    @Test("shard arithmetic: stable hash, every file in exactly one shard")
    func shardArithmetic() throws {
        #expect(BatchShard.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(BatchShard.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        let names = (0..<200).map { "dir/instance-\($0).json" }
        for n in 1...5 {
            let shards = (0..<n).map { BatchShard(index: $0, count: n)! }
            for name in names { #expect(shards.filter { $0.owns(name) }.count == 1) }
        }
        #expect(BatchShard.parse("1/3") == BatchShard(index: 1, count: 3))
        #expect(BatchShard.parse("3/3") == nil)
        #expect(BatchShard.parse("-1/3") == nil)
        #expect(BatchShard.parse("1/0") == nil)
        #expect(throws: BatchShardError.self) {
            try BatchShard.resolve(option: nil, environment: ["SLURM_ARRAY_TASK_ID": "4"])
        }
        #expect(try BatchShard.resolve(option: nil, environment: [:]) == nil)
    }
}
