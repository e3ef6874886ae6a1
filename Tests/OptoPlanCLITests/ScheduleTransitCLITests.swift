import Foundation
import OptoCore
import Testing

/// Epochs instances with `maxHops: 2` through the command line: `schedule`,
/// `compare`, `batch`, `export --as mathprog` and `predict --max-hops`.
@Suite("End to end: epochs mode with transit", .serialized)
struct ScheduleTransitCLITests {
    /// The hand case of ScheduleTransitTests: 1-hop serves 4.4 GB, transit 5 GB.
    static let instance = """
    { "problem": "schedule",
      "fabric": { "nodes": 3, "ocsPortsPerNode": 1, "circuitRate": "8Gbps", "packetRate": 0, "reconfigurationDelay": "0.5s", "maxHops": 2 },
      "epochs": [ { "duration": "1s", "demand": [[0, "1GB", "0.6GB"], [0, 0, "1GB"], [0, 0, 0]] },
                  { "duration": "1s", "demand": [[0, "0.5GB", 0], [0, 0, "0.5GB"], [0, 0, 0]] },
                  { "duration": "1s", "demand": [[0, "0.7GB", 0], [0, 0, "0.7GB"], [0, 0, 0]] } ] }
    """

    @Test("schedule and compare: every epochs method plans the transit instance; ilp serves 5 GB, the 1-hop optimum 4.4 GB")
    func scheduleAndCompare() throws {
        let oneHop = Self.instance.replacingOccurrences(of: #", "maxHops": 2"#, with: "")
        let dir = try OptoplanBinary.directory(["t.json": Self.instance, "o.json": oneHop])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try OptoplanBinary.run(["schedule", "t.json", "--method", "ilp", "--time-limit", "20", "--quiet", "--output", "t.plan.json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOf: dir.appendingPathComponent("t.plan.json"), encoding: .utf8)
        #expect(text.contains("\"transit\"") && text.contains("\"served\""))
        let plan = try PlanIO.read(contentsOf: dir.appendingPathComponent("t.plan.json"))
        #expect(abs(plan.summary.metrics.objective - 5e9) < 1e3)

        let c = try OptoplanBinary.run(["compare", "t.json", "--time-limit", "10", "--format", "json"], in: dir)
        #expect(c.status == 0, "\(c.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(c.stdout.utf8)) as? [String: Any])
        let rows = try #require(object["rows"] as? [[String: Any]])
        let ilp = try #require(rows.first { $0["method"] as? String == "ilp" })
        #expect(ilp["status"] as? String == "optimal")
        let best = try #require(ilp["objective"] as? Double)
        #expect(abs(best - 5e9) < 1e3)
        for row in rows where row["objective"] is Double {
            #expect((row["objective"] as! Double) <= best * (1 + 1e-9), "\(row)")
        }
        let o = try OptoplanBinary.run(["compare", "o.json", "--methods", "ilp", "--time-limit", "10", "--format", "json"], in: dir)
        let oRows = try #require((try JSONSerialization.jsonObject(with: Data(o.stdout.utf8)) as? [String: Any])?["rows"] as? [[String: Any]])
        #expect(abs((oRows.first?["objective"] as? Double ?? 0) - 4.4e9) < 1e3)
    }

    /// `--actual` scores the plan's circuits with the transit routing LP per
    /// epoch: on the hand case the plan's own traffic is served in full
    /// (5 GB: 2, 1.5 and 1.5 GB per epoch), where one-hop scoring of the same
    /// circuits gives 4.4 GB.
    @Test("schedule --actual scores transit plans with transit routing")
    func actualWithTransit() throws {
        let dir = try OptoplanBinary.directory(["t.json": Self.instance])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try OptoplanBinary.run(["schedule", "t.json", "--method", "ilp", "--time-limit", "20", "--quiet",
                                        "--actual", "t.json", "--output", "t.plan.json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let output = r.stdout + r.stderr
        #expect(output.contains("total: predicted 5GB served, actual 5GB served, backlog 0B"), "\(output)")
        #expect(output.contains("    1             1.5GB          1.5GB"), "\(output)")
    }

    @Test("batch plans maxHops-2 epochs instances; export --as mathprog carries maxHops")
    func batchAndExport() throws {
        let dir = try OptoplanBinary.directory(["in/a.json": Self.instance, "in/b.json": Self.instance])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try OptoplanBinary.run(["batch", "in", "--output", "out", "--method", "greedy", "--time-limit", "5"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        for name in ["a", "b"] {
            let plan = try PlanIO.read(contentsOf: dir.appendingPathComponent("out/\(name).plan.json"))
            #expect(abs(plan.summary.metrics.objective - 5e9) < 1e3)
        }
        let e = try OptoplanBinary.run(["export", "in/a.json", "--as", "mathprog", "--output", "a.dat"], in: dir)
        #expect(e.status == 0, "\(e.stderr)")
        let dat = try String(contentsOf: dir.appendingPathComponent("a.dat"), encoding: .utf8)
        #expect(dat.contains("param maxHops := 2;"))
        let g = try OptoplanBinary.glpsol(["-m", OptoplanBinary.packageRoot.appendingPathComponent("models/schedule-epochs.mod").path,
                                           "-d", dir.appendingPathComponent("a.dat").path])
        let line = try #require(g.output.split(separator: "\n").first { $0.hasPrefix("served ") }, "\(g.output)")
        #expect(abs((Double(line.dropFirst("served ".count)) ?? 0) * 1e6 - 5e9) < 1e4)
    }

    @Test("predict --max-hops 2 writes epochs instances with fabric.maxHops 2; --max-hops 3 is a bad argument")
    func predict() throws {
        var csv = "t,src,dst,demand\n"
        for t in 0..<6 { csv += "\(t),0,1,\(100 + t)\n\(t),1,2,\(50 + 2 * t)\n\(t),2,0,7\n" }
        let dir = try OptoplanBinary.directory(["trace.csv": csv])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try OptoplanBinary.run(["predict", "trace.csv", "--unit", "MB", "--max-hops", "2", "--output", "p.json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOf: dir.appendingPathComponent("p.json"), encoding: .utf8)
        #expect(text.contains("\"maxHops\""))
        let plan = try OptoplanBinary.run(["schedule", "p.json", "--method", "greedy", "--quiet", "--output", "p.plan.json"], in: dir)
        #expect(plan.status == 0, "\(plan.stderr)")
        let bad = try OptoplanBinary.run(["predict", "trace.csv", "--unit", "MB", "--max-hops", "3", "--output", "q.json"], in: dir)
        #expect(bad.status == 64)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("q.json").path))
    }
}
