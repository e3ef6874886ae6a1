import Foundation
import OptoCore
import Testing

/// `optoplan export`, run as a process, checked with glpsol.
///
/// Tolerance: glpsol's optimum (times the printed factor for LP/MPS) must
/// match the planner's objective to 1e-6 relative (plus 1e-9 absolute):
/// both solve the same model to GLPK's default MIP tolerances.
@Suite("End to end: export")
struct ExportEndToEndTests {
    static func planObjective(_ dir: URL, _ instance: String, method: String = "ilp") throws -> (objective: Double, status: PlanStatus) {
        let r = try OptoplanBinary.run(["compare", instance, "--methods", method, "--time-limit", "20", "--format", "json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let row = try #require((object["rows"] as? [[String: Any]])?.first)
        let status = try #require(PlanStatus(rawValue: row["status"] as? String ?? ""))
        return (try #require(row["objective"] as? Double), status)
    }

    /// The factor printed by export on standard error.
    static func factor(_ stderr: String) throws -> Double {
        let line = try #require(stderr.split(separator: "\n").first { $0.hasPrefix("objective × ") }, "\(stderr)")
        let text = line.dropFirst("objective × ".count).split(separator: " ").first.map(String.init) ?? ""
        return try #require(Double(text))
    }

    /// glpsol's objective value from its output file (`-o`): the `Objective:` line.
    static func glpsolObjective(_ arguments: [String], dir: URL) throws -> Double {
        let report = dir.appendingPathComponent("glpsol-\(UUID().uuidString).txt")
        let r = try OptoplanBinary.glpsol(arguments + ["-o", report.path])
        #expect(r.status == 0, "\(r.output)")
        let text = try String(contentsOf: report, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("Objective:") }, "\(text)")
        // "Objective:  obj = 1.234 (MAXimum)"
        let parts = line.split(separator: "=")
        let value = try #require(parts.count > 1 ? Double(parts[1].split(separator: " ")[0]) : nil)
        return value
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * max(abs(a), abs(b)) + 1e-9 }

    @Test("link pool: LP, MPS and MathProg exports reach the planner's optimum in glpsol", arguments: [1, 2] as [UInt64])
    func linkpool(seed: UInt64) throws {
        let dir = try OptoplanBinary.directory(["pool.json": E2EInstances.linkpool(seed: seed, n: 4, ports: 3)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let (objective, status) = try Self.planObjective(dir, "pool.json")
        #expect(status == .optimal)

        let lp = try OptoplanBinary.run(["export", "pool.json", "--as", "lp", "--output", "pool.lp"], in: dir)
        #expect(lp.status == 0, "\(lp.stderr)")
        let lpValue = try Self.glpsolObjective(["--lp", dir.appendingPathComponent("pool.lp").path], dir: dir)
        #expect(close(lpValue * (try Self.factor(lp.stderr)), objective), "LP \(lpValue) vs planner \(objective)")

        let mps = try OptoplanBinary.run(["export", "pool.json", "--as", "mps", "--output", "pool.mps"], in: dir)
        #expect(mps.status == 0, "\(mps.stderr)")
        // Free MPS of a maximisation holds the negated objective.
        let mpsValue = try Self.glpsolObjective(["--freemps", dir.appendingPathComponent("pool.mps").path, "--min"], dir: dir)
        #expect(close(-mpsValue * (try Self.factor(mps.stderr)), objective), "MPS \(mpsValue) vs planner \(objective)")

        let dat = try OptoplanBinary.run(["export", "pool.json", "--as", "mathprog", "--output", "pool.dat"], in: dir)
        #expect(dat.status == 0, "\(dat.stderr)")
        let model = OptoplanBinary.packageRoot.appendingPathComponent("models/linkpool.mod").path
        let g = try OptoplanBinary.glpsol(["-m", model, "-d", dir.appendingPathComponent("pool.dat").path])
        #expect(g.status == 0, "\(g.output)")
        let line = try #require(g.output.split(separator: "\n").first { $0.hasPrefix("OBJECTIVE ") }, "\(g.output)")
        let value = try #require(Double(line.dropFirst("OBJECTIVE ".count)))
        #expect(close(value, objective), "MathProg \(value) vs planner \(objective)")
    }

    @Test("stagger: LP and MathProg exports reach the planner's optimum in glpsol")
    func stagger() throws {
        let dir = try OptoplanBinary.directory(["jobs.json": E2EInstances.stagger(seed: 5, jobs: 4, links: 2, periods: [4, 6])])
        defer { try? FileManager.default.removeItem(at: dir) }
        let (objective, status) = try Self.planObjective(dir, "jobs.json")
        #expect(status == .optimal)

        let lp = try OptoplanBinary.run(["export", "jobs.json", "--as", "lp", "--output", "jobs.lp"], in: dir)
        #expect(lp.status == 0, "\(lp.stderr)")
        let lpValue = try Self.glpsolObjective(["--lp", dir.appendingPathComponent("jobs.lp").path], dir: dir)
        #expect(close(lpValue * (try Self.factor(lp.stderr)), objective), "LP \(lpValue) vs planner \(objective)")

        let dat = try OptoplanBinary.run(["export", "jobs.json", "--as", "mathprog", "--output", "jobs.dat"], in: dir)
        #expect(dat.status == 0, "\(dat.stderr)")
        let model = OptoplanBinary.packageRoot.appendingPathComponent("models/stagger.mod").path
        let g = try OptoplanBinary.glpsol(["-m", model, "-d", dir.appendingPathComponent("jobs.dat").path])
        #expect(g.status == 0, "\(g.output)")
        let line = try #require(g.output.split(separator: "\n").first { $0.hasPrefix("total_excess ") }, "\(g.output)")
        let value = try #require(Double(line.dropFirst("total_excess ".count)))
        #expect(close(value, objective), "MathProg \(value) vs planner \(objective)")
    }

    static let scheduleFabric = """
      "fabric": { "nodes": 3, "ocsPortsPerNode": 1, "circuitRate": "100Gbps", "packetRate": "10Gbps", "reconfigurationDelay": "50us" },
    """

    @Test("schedule: MathProg data for the window, makespan and epochs models reach the planner's optimum in glpsol",
          arguments: [
            ("window", #""window": "300us", "demand": [[0, "3MB", "1MB"], ["2MB", 0, "4MB"], ["1MB", "2.5MB", 0]]"#, "schedule.mod", "served ", 1e6),
            ("makespan", #""demand": [[0, "3MB", "1MB"], ["2MB", 0, "4MB"], ["1MB", "2.5MB", 0]]"#, "schedule-makespan.mod", "makespan ", 1e-3),
            ("epochs", #""epochs": [ { "duration": "1ms", "demand": [[0, "3MB", "1MB"], ["2MB", 0, "4MB"], ["1MB", "2.5MB", 0]] }, { "duration": "1ms", "demand": [[0, "1MB", "5MB"], ["2MB", 0, "1MB"], ["3MB", "0.5MB", 0]] } ]"#, "schedule-epochs.mod", "served ", 1e6),
          ] as [(String, String, String, String, Double)])
    func schedule(mode: String, body: String, model: String, prefix: String, unit: Double) throws {
        let instance = "{ \"problem\": \"schedule\",\n" + Self.scheduleFabric + body + " }"
        let dir = try OptoplanBinary.directory(["s.json": instance])
        defer { try? FileManager.default.removeItem(at: dir) }
        let (objective, status) = try Self.planObjective(dir, "s.json")
        #expect(status == .optimal)
        let dat = try OptoplanBinary.run(["export", "s.json", "--as", "mathprog", "--output", "s.dat"], in: dir)
        #expect(dat.status == 0, "\(dat.stderr)")
        #expect(dat.stderr.contains("models/\(model)"))
        let g = try OptoplanBinary.glpsol(["-m", OptoplanBinary.packageRoot.appendingPathComponent("models/\(model)").path,
                                           "-d", dir.appendingPathComponent("s.dat").path])
        #expect(g.status == 0, "\(g.output)")
        let line = try #require(g.output.split(separator: "\n").first { $0.hasPrefix(prefix) }, "\(g.output)")
        let value = try #require(Double(line.dropFirst(prefix.count)))
        // MB → bytes or ms → seconds; glpsol prints 9 significant digits.
        #expect(abs(value * unit - objective) <= 1e-6 * abs(objective), "\(mode): glpsol \(value) vs planner \(objective)")
    }

    /// The objective of `optoplan schedule INSTANCE --method ilp`, with its status.
    static func scheduleObjective(_ dir: URL, _ instance: String, extra: [String] = []) throws -> (objective: Double, status: PlanStatus) {
        let r = try OptoplanBinary.run(["schedule", instance, "--method", "ilp", "--time-limit", "20", "--quiet",
                                        "--output", "ilp.plan.json"] + extra, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let plan = try PlanIO.read(contentsOf: dir.appendingPathComponent("ilp.plan.json"))
        return (plan.summary.metrics.objective, plan.summary.status)
    }

    @Test("schedule: LP and MPS exports of the window, makespan and epochs models reach `optoplan schedule --method ilp`'s optimum in glpsol",
          arguments: [
            ("window", #""window": "600us", "demand": [[0, "3MB", "1MB"], ["2MB", 0, "4MB"], ["1MB", "2.5MB", 0]]"#, true),
            ("makespan", #""demand": [[0, "3MB", "1MB"], ["2MB", 0, "4MB"], ["1MB", "2.5MB", 0]]"#, false),
            ("epochs", #""epochs": [ { "duration": "1ms", "demand": [[0, "3MB", "1MB"], ["2MB", 0, "4MB"], ["1MB", "2.5MB", 0]] }, { "duration": "1ms", "demand": [[0, "1MB", "5MB"], ["2MB", 0, "1MB"], ["3MB", "0.5MB", 0]] } ]"#, true),
          ] as [(String, String, Bool)])
    func scheduleLPAndMPS(mode: String, body: String, maximise: Bool) throws {
        let instance = "{ \"problem\": \"schedule\",\n" + Self.scheduleFabric + body + " }"
        let dir = try OptoplanBinary.directory(["s.json": instance])
        defer { try? FileManager.default.removeItem(at: dir) }
        // The planner's default M, then M = 1 where slots apply.
        let slotChoices: [[String]] = mode == "epochs" ? [[]] : [[], ["--slots", "1"]]
        var optima: [Double] = []
        for slots in slotChoices {
            let (objective, status) = try Self.scheduleObjective(dir, "s.json", extra: slots)
            #expect(status == .optimal)
            optima.append(objective)
            let lp = try OptoplanBinary.run(["export", "s.json", "--as", "lp", "--output", "s.lp"] + slots, in: dir)
            #expect(lp.status == 0, "\(lp.stderr)")
            let lpValue = try Self.glpsolObjective(["--lp", dir.appendingPathComponent("s.lp").path], dir: dir)
            #expect(close(lpValue * (try Self.factor(lp.stderr)), objective), "\(mode) \(slots) LP \(lpValue) vs planner \(objective)")

            let mps = try OptoplanBinary.run(["export", "s.json", "--as", "mps", "--output", "s.mps"] + slots, in: dir)
            #expect(mps.status == 0, "\(mps.stderr)")
            // Free MPS of a maximisation holds the negated objective.
            let mpsValue = try Self.glpsolObjective(["--freemps", dir.appendingPathComponent("s.mps").path, "--min"], dir: dir)
            let sign = maximise ? -1.0 : 1.0
            #expect(close(sign * mpsValue * (try Self.factor(mps.stderr)), objective), "\(mode) \(slots) MPS \(mpsValue) vs planner \(objective)")
        }
        if optima.count == 2 {
            // One slot is a real restriction on this instance: the exports differ as the plans do.
            #expect(maximise ? optima[1] < optima[0] : optima[1] > optima[0], "\(mode): M = 1 gave \(optima[1]), default M \(optima[0])")
        }
    }

    @Test("export: --slots and --symmetric where they do not apply exit 64; unservable demand exits 1; no file is left")
    func scheduleStatuses() throws {
        let epochs = "{ \"problem\": \"schedule\",\n" + Self.scheduleFabric
            + #""epochs": [ { "duration": "1ms", "demand": [[0, "3MB", "1MB"], ["2MB", 0, "4MB"], ["1MB", "2.5MB", 0]] } ] }"#
        let unservable = #"{ "problem": "schedule", "fabric": { "nodes": 2, "ocsPortsPerNode": [0, 1], "circuitRate": "100Gbps", "packetRate": [0, "10Gbps"], "reconfigurationDelay": "50us" }, "demand": [[0, "1MB"], [0, 0]] }"#
        let dir = try OptoplanBinary.directory(["e.json": epochs, "dark.json": unservable,
                                                "pool.json": E2EInstances.linkpool(seed: 1, n: 3)])
        defer { try? FileManager.default.removeItem(at: dir) }
        for format in ["lp", "mps", "mathprog"] {
            let epochsSlots = try OptoplanBinary.run(["export", "e.json", "--as", format, "--slots", "2", "--output", "x"], in: dir)
            #expect(epochsSlots.status == 64, "\(epochsSlots.stderr)")
            #expect(epochsSlots.stderr.contains("--slots"))
            let poolSlots = try OptoplanBinary.run(["export", "pool.json", "--as", format, "--slots", "2", "--output", "x"], in: dir)
            #expect(poolSlots.status == 64, "\(poolSlots.stderr)")
            let symmetric = try OptoplanBinary.run(["export", "e.json", "--as", format, "--symmetric", "--output", "x"], in: dir)
            #expect(symmetric.status == 64, "\(symmetric.stderr)")
        }
        // The planner itself only notes it (a batch script may pass --slots to every instance).
        let planned = try OptoplanBinary.run(["schedule", "e.json", "--method", "greedy", "--slots", "2", "--quiet"], in: dir)
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(planned.stderr.contains("note: --slots has no effect in epochs mode"), "\(planned.stderr)")
        let zero = try OptoplanBinary.run(["export", "e.json", "--as", "lp", "--slots", "0", "--output", "x"], in: dir)
        #expect(zero.status == 64)
        let dark = try OptoplanBinary.run(["export", "dark.json", "--as", "lp", "--output", "x"], in: dir)
        #expect(dark.status == 1, "\(dark.stderr)")
        #expect(dark.stderr.contains("dark.json") && dark.stderr.contains("no feasible plan"), "\(dark.stderr)")
        // The planner agrees: exit 1 with an infeasible plan.
        let plan = try OptoplanBinary.run(["schedule", "dark.json", "--method", "ilp", "--quiet"], in: dir)
        #expect(plan.status == 1)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasSuffix(".json") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test("export: bad input exits 65, an unwritable output 64, and no file is left")
    func statuses() throws {
        let dir = try OptoplanBinary.directory(["bad.json": #"{ "problem": "linkpool", "fabric": { "nodes": 2 } }"#,
                                                "pool.json": E2EInstances.linkpool(seed: 1, n: 3)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = try OptoplanBinary.run(["export", "bad.json", "--as", "lp", "--output", "x.lp"], in: dir)
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("bad.json"))
        let unwritable = try OptoplanBinary.run(["export", "pool.json", "--as", "lp", "--output", "missing/dir/x.lp"], in: dir)
        #expect(unwritable.status == 64)
        let badFormat = try OptoplanBinary.run(["export", "pool.json", "--as", "xls", "--output", "x.lp"], in: dir)
        #expect(badFormat.status == 64)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != "bad.json" && $0 != "pool.json" }
        #expect(left.isEmpty, "\(left)")
    }
}
