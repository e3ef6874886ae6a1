import Foundation
import OptoCore
import Testing

@Suite("optoplan collective")
struct CollectiveCommandTests {
    @Test("the reference case from the command line: fixed 3× the bound, matched and auto at the bound; evaluate agrees")
    func referenceCase() throws {
        _ = try #require(OptoplanBinary.url, "the optoplan executable is built with the tests")
        let dir = try OptoplanBinary.directory([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let instance = OptoplanBinary.packageRoot.appendingPathComponent("datasets/collective/five-servers-ring.json").path
        var times: [String: Double] = [:]
        for method in ["fixed", "matched", "auto"] {
            let plan = dir.appendingPathComponent("\(method).plan.json").path
            let r = try OptoplanBinary.run(["collective", instance, "--method", method, "--output", plan, "--quiet"])
            #expect(r.status == 0, "\(method): \(r.stderr)")
            #expect(r.stderr.contains("collective \(method == "auto" ? "auto:" : method)"))
            let e = try OptoplanBinary.run(["evaluate", instance, plan])
            #expect(e.status == 0, "\(e.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [String: Any]
            let jobs = json?["jobs"] as? [String: [String: Any]]
            times[method] = jobs?["llm-a"]?["time"] as? Double
            #expect((jobs?["llm-a"]?["collectives"] as? [String: Any])?["dp"] != nil)
        }
        let bound = 8 * 0.2e9 * 8 / 400e9
        #expect(abs((times["fixed"] ?? 0) - 3 * bound) <= 1e-9 * bound)
        #expect(abs((times["matched"] ?? 0) - bound) <= 1e-9 * bound)
        #expect(abs((times["auto"] ?? 0) - bound) <= 1e-9 * bound)
    }

    /// Circuits 0→2→1→3→0, `maxHops` 2, no packet fabric: in rank order the
    /// transfer 1→2 needs three circuits (1→3→0→2), so `fixed` cannot finish
    /// (exit 1, a note naming the job, a plan file without an infinite
    /// time); `matched` lays the ring along the circuits.
    @Test("a plan whose job cannot finish is infeasible (exit 1), not a bad-arguments failure")
    func unroutableTransfer() throws {
        _ = try #require(OptoplanBinary.url, "the optoplan executable is built with the tests")
        let dir = try OptoplanBinary.directory([
            "ring.json": """
            { "problem": "collective",
              "fabric": { "nodes": 4, "ocsPortsPerNode": 1, "circuitRate": "100Gbps", "packetRate": 0,
                          "reconfigurationDelay": "10us", "maxHops": 2 },
              "current": [[0, 2], [2, 1], [1, 3], [3, 0]], "reconfigure": false,
              "jobs": [ { "name": "a", "collectives": [ { "name": "dp", "type": "allreduce", "group": [0, 1, 2, 3], "bytes": "1GB" } ] } ] }
            """,
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let instance = dir.appendingPathComponent("ring.json").path
        let plan = dir.appendingPathComponent("fixed.plan.json").path
        let fixed = try OptoplanBinary.run(["collective", instance, "--method", "fixed", "--output", plan])
        #expect(fixed.status == 1, "\(fixed.stderr)")
        #expect(fixed.stderr.contains("job a cannot finish"), "\(fixed.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: plan))) as? [String: Any]
        #expect(json?["status"] as? String == "infeasible")
        #expect((json?["metrics"] as? [String: Any])?["time"] == nil)
        let matched = try OptoplanBinary.run(["collective", instance, "--method", "matched", "--quiet"])
        #expect(matched.status == 0, "\(matched.stderr)")
    }

    @Test("validate names every problem of a collective instance and plan by JSON path, exit 65")
    func validateErrors() throws {
        _ = try #require(OptoplanBinary.url, "the optoplan executable is built with the tests")
        let dir = try OptoplanBinary.directory([
            "bad.json": """
            { "problem": "collective",
              "fabric": { "nodes": 6, "ocsPortsPerNode": 1, "circuitRate": "100Gbps", "packetRate": 0, "maxHops": 6 },
              "reconfigure": false,
              "jobs": [ { "name": "a", "collectives": [ { "name": "dp", "type": "allreduce", "group": [0, 1, 3], "bytes": "1GB" } ] },
                        { "name": "b", "collectives": [ { "name": "x", "type": "alltoall", "group": [2, 0], "bytes": "1GB" } ] },
                        { "name": "c", "collectives": [ { "name": "y", "type": "allreduce", "group": [4, 5, 5], "bytes": "1GB" } ] } ] }
            """,
            "plan.json": """
            {"problem":"collective","method":"x","status":"heuristic","metrics":{"objective":0.032,"solveSeconds":0},
             "circuits":[[0,2],[2,4],[4,1],[1,3],[3,0]],
             "rings":{"llm-a/dp":[{"order":[0,2,4,1,1],"bytes":5e8},{"order":[0,1,2,3,4],"bytes":1e8}]}}
            """,
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = try OptoplanBinary.run(["validate", dir.appendingPathComponent("bad.json").path])
        #expect(bad.status == 65)
        for needle in ["fabric.maxHops", "reconfigure", "jobs[2].collectives[0].group[2]: node 5 is already rank 1",
                       "jobs[1].collectives[0].group[1]: node 0 is also in a group of job \"a\""] {
            #expect(bad.stderr.contains(needle), "missing \(needle) in \(bad.stderr)")
        }
        let instance = OptoplanBinary.packageRoot.appendingPathComponent("datasets/collective/five-servers-ring.json").path
        let plan = try OptoplanBinary.run(["validate", instance, dir.appendingPathComponent("plan.json").path])
        #expect(plan.status == 65)
        #expect(plan.stderr.contains("rings.llm-a/dp[0].order: the ring is not a permutation"))
        #expect(plan.stderr.contains("rings.llm-a/dp: the rings' bytes sum to 600000000"))
    }
}
