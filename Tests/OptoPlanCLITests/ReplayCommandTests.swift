import Foundation
import Testing

@Suite("optoplan replay: end to end")
struct ReplayCommandTests {
    /// 4 nodes, 12 snapshots: a rotating heavy pair plus a steady ring.
    static var trace: String {
        var lines = ["t,src,dst,demand"]
        for t in 0..<12 {
            for i in 0..<4 { lines.append("\(t),\(i),\((i + 1) % 4),\(500 + 40 * t)") }
            lines.append("\(t),\(t % 4),\((t + 2) % 4),\(3000)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let fabric = """
    {"fabric": {"nodes": 4, "ocsPortsPerNode": 1, "circuitRate": "8Gbps", "packetRate": "1Gbps", "reconfigurationDelay": "50ms"}}
    """

    @Test("json totals, --output DIR with plans and summary, and a rerun that reads them back")
    func outputAndResume() throws {
        guard OptoplanBinary.url != nil else { Issue.record("optoplan not built"); return }
        let dir = try OptoplanBinary.directory(["trace.csv": Self.trace, "fabric.json": Self.fabric])
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["replay", "trace.csv", "--unit", "MB", "--horizon", "2", "--fabric", "fabric.json", "--holdout", "0.5",
                    "--predictor", "last", "--step-limit", "5", "--time-limit", "10", "--format", "json", "--quiet"]
        let first = try OptoplanBinary.run(args + ["--output", "out"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let epochs = try #require(doc["epochs"] as? [[String: Any]])
        #expect(epochs.count == 6)
        #expect(epochs.map { $0["epoch"] as? Int } == [6, 7, 8, 9, 10, 11])
        let totals = try #require(doc["totals"] as? [String: Any])
        for key in ["replay", "perfectForesight", "static"] {
            let t = try #require(totals[key] as? [String: Any])
            for field in ["servedBytes", "backlogBytes", "circuitsChanged", "cpuSeconds"] { #expect(t[field] != nil) }
        }
        let replay = try #require(totals["replay"] as? [String: Double])
        let served = epochs.reduce(0.0) { $0 + ($1["servedBytes"] as? Double ?? 0) }
        #expect(abs(served - (replay["servedBytes"] ?? 0)) <= 1e-6 * served)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path)
        #expect(files.filter { $0.hasSuffix(".plan.json") }.count == 6)
        #expect(files.contains("summary.json"))
        // Remove two kept plans; the rerun reads the other four and plans two.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("out/epoch-000010.plan.json"))
        try FileManager.default.removeItem(at: dir.appendingPathComponent("out/epoch-000011.plan.json"))
        let second = try OptoplanBinary.run(args + ["--output", "out"], in: dir)
        #expect(second.status == 0, "\(second.stderr)")
        let doc2 = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        let epochs2 = try #require(doc2["epochs"] as? [[String: Any]])
        for (a, b) in zip(epochs, epochs2) {
            let x = a["servedBytes"] as? Double ?? -1, y = b["servedBytes"] as? Double ?? -2
            #expect(abs(x - y) <= 1e-9 * max(1, x))
        }
        // Other settings in the same directory are refused.
        let other = try OptoplanBinary.run(args + ["--output", "out", "--hedge", "0.9"], in: dir)
        #expect(other.status == 64)
        #expect(other.stderr.contains("other settings"))
        // A damaged kept plan is bad input naming the file.
        try "{\"problem\": \"schedule\"".write(to: dir.appendingPathComponent("out/epoch-000007.plan.json"), atomically: true, encoding: .utf8)
        let damaged = try OptoplanBinary.run(args + ["--output", "out"], in: dir)
        #expect(damaged.status == 65)
        #expect(damaged.stderr.contains("epoch-000007.plan.json"))
    }

    @Test("a fabric with maxHops 2 replays with transit: kept plans carry their routes and a rerun reads them back; maxHops 3 exits 65")
    func transit() throws {
        guard OptoplanBinary.url != nil else { Issue.record("optoplan not built"); return }
        // Node 0 sends 450 MB to each of 1 and 2 per epoch over its one
        // 1 GB-per-epoch transmitter: only 0→1→2 serves both.
        var lines = ["t,src,dst,demand"]
        for t in 0..<10 { lines.append("\(t),0,1,450"); lines.append("\(t),0,2,450") }
        func fabric(_ hops: Int) -> String {
            #"{"fabric": {"nodes": 3, "ocsPortsPerNode": 1, "circuitRate": "8Gbps", "packetRate": 0, "reconfigurationDelay": "300ms", "maxHops": "#
                + "\(hops)}}"
        }
        let dir = try OptoplanBinary.directory(["fan.csv": lines.joined(separator: "\n") + "\n",
                                                "one.json": fabric(1), "two.json": fabric(2), "three.json": fabric(3)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["replay", "fan.csv", "--unit", "MB", "--horizon", "2", "--holdout", "0.5", "--predictor", "last",
                    "--format", "json", "--quiet"]
        func served(_ r: OptoplanBinary.Result) throws -> Double {
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let totals = try #require(doc["totals"] as? [String: Any])
            return try #require((totals["replay"] as? [String: Double])?["servedBytes"])
        }
        let one = try OptoplanBinary.run(args + ["--fabric", "one.json"], in: dir)
        #expect(one.status == 0, "\(one.stderr)")
        let two = try OptoplanBinary.run(args + ["--fabric", "two.json", "--output", "out"], in: dir)
        #expect(two.status == 0, "\(two.stderr)")
        let withTransit = try served(two)
        #expect(abs(withTransit - 4.5e9) <= 1e-6 * 4.5e9)
        #expect(try served(one) <= 0.8 * 4.5e9)
        let plan = try String(contentsOf: dir.appendingPathComponent("out/epoch-000005.plan.json"), encoding: .utf8)
        #expect(plan.contains("\"transit\""))
        let again = try OptoplanBinary.run(args + ["--fabric", "two.json", "--output", "out"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(abs(try served(again) - withTransit) <= 1e-9 * withTransit)
        // The rerun reads the kept plans rather than planning again: with epoch 5's routes taken out of
        // its file, that epoch serves 0→1 only (0.45 GB); later epochs catch up on most of 0→2's backlog.
        let url = dir.appendingPathComponent("out/epoch-000005.plan.json")
        var doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var epochs = try #require(doc["epochs"] as? [[String: Any]])
        epochs[0]["transit"] = nil
        epochs[0]["served"] = nil
        doc["epochs"] = epochs
        try JSONSerialization.data(withJSONObject: doc).write(to: url)
        let tampered = try OptoplanBinary.run(args + ["--fabric", "two.json", "--output", "out"], in: dir)
        #expect(tampered.status == 0, "\(tampered.stderr)")
        let afterTampering = try served(tampered)
        #expect(afterTampering < withTransit - 1e7, "\(afterTampering)")
        let rows = try #require((try JSONSerialization.jsonObject(with: Data(tampered.stdout.utf8)) as? [String: Any])?["epochs"]
                                as? [[String: Any]])
        let five = try #require(rows.first { $0["epoch"] as? Int == 5 }?["servedBytes"] as? Double)
        #expect(abs(five - 0.45e9) <= 1e-6 * 0.45e9, "\(five)")
        // The one-hop settings do not reuse the transit plans.
        let mixed = try OptoplanBinary.run(args + ["--fabric", "one.json", "--output", "out"], in: dir)
        #expect(mixed.status == 64)
        let three = try OptoplanBinary.run(args + ["--fabric", "three.json"], in: dir)
        #expect(three.status == 65)
        #expect(three.stderr.contains("three.json") && three.stderr.contains("fabric.maxHops"))
    }

    @Test("bad trace, fabric and arguments exit 65 and 64 naming the file and place")
    func badInput() throws {
        guard OptoplanBinary.url != nil else { Issue.record("optoplan not built"); return }
        let dir = try OptoplanBinary.directory([
            "trace.csv": Self.trace, "fabric.json": Self.fabric,
            "bad.csv": "t,src,dst,demand\n0,0,1,5\n1,0,x,3\n",
            "fabric3.json": #"{"fabric": {"nodes": 3, "ocsPortsPerNode": 1, "circuitRate": "8Gbps", "packetRate": "1Gbps", "reconfigurationDelay": "1ms"}}"#,
            "badfabric.json": #"{"fabric": {"nodes": 4, "ocsPortsPerNode": 1, "circuitRate": "8us", "packetRate": "1Gbps", "reconfigurationDelay": "1ms"}}"#,
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = ["replay", "--horizon", "2", "--quiet", "--method", "greedy"]
        let badTrace = try OptoplanBinary.run(base + ["bad.csv", "--fabric", "fabric.json"], in: dir)
        #expect(badTrace.status == 65)
        #expect(badTrace.stderr.contains("bad.csv") && badTrace.stderr.contains("line 3"))
        let mismatch = try OptoplanBinary.run(base + ["trace.csv", "--fabric", "fabric3.json"], in: dir)
        #expect(mismatch.status == 65)
        #expect(mismatch.stderr.contains("trace.csv"))
        let badFabric = try OptoplanBinary.run(base + ["trace.csv", "--fabric", "badfabric.json"], in: dir)
        #expect(badFabric.status == 65)
        #expect(badFabric.stderr.contains("badfabric.json") && badFabric.stderr.contains("circuitRate"))
        let both = try OptoplanBinary.run(base + ["trace.csv", "--fabric", "fabric.json", "--hedge", "0.9", "--scenarios", "3"], in: dir)
        #expect(both.status == 64)
        let zero = try OptoplanBinary.run(["replay", "trace.csv", "--fabric", "fabric.json", "--horizon", "0"], in: dir)
        #expect(zero.status == 64)
        let missing = try OptoplanBinary.run(base + ["none.csv", "--fabric", "fabric.json"], in: dir)
        #expect(missing.status == 65)
        #expect(missing.stderr.contains("none.csv"))
    }

    @Test("schedule --history with --hedge or --scenarios writes an epochs plan; misuse exits 64, a bad history 65")
    func hedgedSchedule() throws {
        guard OptoplanBinary.url != nil else { Issue.record("optoplan not built"); return }
        let instance = """
        {"problem": "schedule", "fabric": {"nodes": 4, "ocsPortsPerNode": 1, "circuitRate": "8Gbps", "packetRate": "1Gbps",
         "reconfigurationDelay": "50ms"},
         "epochs": [{"duration": "1s", "demand": [[0, "900MB", 0, 0], [0, 0, "700MB", 0], [0, 0, 0, "3GB"], ["600MB", 0, 0, 0]]},
                    {"duration": "1s", "demand": [[0, "950MB", "3GB", 0], [0, 0, "700MB", 0], [0, 0, 0, 0], ["600MB", 0, 0, 0]]}]}
        """
        let dir = try OptoplanBinary.directory(["trace.csv": Self.trace, "inst.json": instance, "three.csv": "t,src,dst,demand\n0,0,1,5\n1,1,2,5\n2,2,0,5\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        for extra in [["--hedge", "0.9"], ["--scenarios", "3", "--method", "greedy"], ["--scenarios", "2", "--time-limit", "5"]] {
            let r = try OptoplanBinary.run(["schedule", "inst.json", "--history", "trace.csv", "--history-unit", "MB", "--quiet"] + extra, in: dir)
            #expect(r.status == 0, "\(extra): \(r.stderr)")
            let plan = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            #expect((plan["epochs"] as? [Any])?.count == 2)
        }
        #expect(try OptoplanBinary.run(["schedule", "inst.json", "--hedge", "0.9"], in: dir).status == 64)
        #expect(try OptoplanBinary.run(["schedule", "inst.json", "--history", "trace.csv", "--hedge", "0.9", "--scenarios", "2"], in: dir).status == 64)
        let wrong = try OptoplanBinary.run(["schedule", "inst.json", "--history", "three.csv", "--hedge", "0.5"], in: dir)
        #expect(wrong.status == 65)
        #expect(wrong.stderr.contains("three.csv"))
    }

    @Test("schedule --scenarios on a maxHops 2 instance routes each scenario over two circuits and writes the mean scenario's routes")
    func scenariosWithTransit() throws {
        guard OptoplanBinary.url != nil else { Issue.record("optoplan not built"); return }
        // One port per node, no packet fabric: 0→2 is served only through node 1.
        func instance(_ hops: Int) -> String {
            """
            {"problem": "schedule", "fabric": {"nodes": 3, "ocsPortsPerNode": 1, "circuitRate": "8Gbps", "packetRate": 0,
             "reconfigurationDelay": "10ms", "maxHops": \(hops)},
             "epochs": [{"duration": "1s", "demand": [[0, "400MB", "300MB"], [0, 0, "400MB"], [0, 0, 0]]}]}
            """
        }
        // 0→2 varies, so last value's residuals (±100 MB) make the three scenarios differ.
        let trace = (0..<5).map { "\($0),0,1,400\n\($0),1,2,400\n\($0),0,2,\([200, 300, 400, 300, 200][$0])" }.joined(separator: "\n")
        let dir = try OptoplanBinary.directory(["two.json": instance(2), "one.json": instance(1),
                                                "trace.csv": "t,src,dst,demand\n" + trace + "\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["--history", "trace.csv", "--history-unit", "MB", "--predictor", "last", "--scenarios", "3"]
        for method in ["greedy", "ilp", "auto"] {
            let r = try OptoplanBinary.run(["schedule", "two.json", "--method", method] + args, in: dir)
            #expect(r.status == 0, "\(method): \(r.stderr)")
            #expect(!r.stderr.contains("routes over one circuit"))
            let plan = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let epoch = try #require((plan["epochs"] as? [[String: Any]])?.first)
            // Entries are [source, via, target, bytes]: the mean scenario's 0→2 through node 1, between the
            // smallest and the largest scenario's 0→2 (200 and 400 MB; the circuits have room for all of it).
            let routes = try #require(epoch["transit"] as? [[Double]], "\(method): no transit in \(r.stdout)")
            #expect(routes.count == 1 && routes[0].prefix(3) == [0, 1, 2], "\(method): \(routes)")
            #expect(routes[0].count == 4 && routes[0][3] >= 2e8 * (1 - 1e-9) && routes[0][3] <= 4e8 * (1 + 1e-9))
            // Every scenario is served whole (0→1 and 1→2 carry 400 MB each plus 0→2, within 1 GB).
            let metrics = try #require(plan["metrics"] as? [String: Any])
            #expect((metrics["backlogBytes"] as? Double ?? 1) < 1e3, "\(method): \(metrics)")
        }
        let one = try OptoplanBinary.run(["schedule", "one.json", "--method", "ilp"] + args, in: dir)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(!one.stdout.contains("\"transit\""))
    }
}
