import Foundation
import OptoCore
import OptoPlanCLI
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `optoplan sweep`, run as a process, and its `--set` parsing.
@Suite("End to end: sweep")
struct SweepEndToEndTests {
    /// A 4-node window-mode schedule whose exact model GLPK closes in well under a second.
    static let tinySchedule = """
    { "problem": "schedule",
      "fabric": { "nodes": 4, "ocsPortsPerNode": 1, "circuitRate": "100Gbps", "packetRate": "10Gbps", "reconfigurationDelay": "20us" },
      "window": "500us",
      "demand": [[0, "2MB", "1MB", "64KB"], ["1MB", 0, "2MB", 0], [0, "3MB", 0, "3MB"], ["2MB", "500KB", 0, 0]] }
    """

    func json(_ text: String) throws -> (object: [String: Any], rows: [[String: Any]]) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return (object, try #require(object["rows"] as? [[String: Any]]))
    }

    @Test("one row per combination and method, first --set slowest; JSON, CSV and table agree")
    func shape() throws {
        let dir = try OptoplanBinary.directory(["s.json": Self.tinySchedule])
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["sweep", "s.json", "--set", "fabric.ocsPortsPerNode=1,2", "--set", "fabric.reconfigurationDelay=10us,100us,1ms",
                    "--methods", "greedy,static", "--jobs", "2", "--time-limit", "10"]
        let r = try OptoplanBinary.run(args + ["--format", "json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let (object, rows) = try json(r.stdout)
        #expect(rows.count == 2 * 3 * 2)
        #expect(object["interrupted"] == nil)
        var expected: [(Double, Double, String)] = []
        for p in [1.0, 2] { for d in [1e-5, 1e-4, 1e-3] { for m in ["greedy", "static"] { expected.append((p, d, m)) } } }
        for (row, (p, d, m)) in zip(rows, expected) {
            let set = try #require(row["set"] as? [String: Any])
            #expect(set["fabric.ocsPortsPerNode"] as? Double == p)
            // Quantities in base units: 10us is 1e-5 s (relative tolerance 1e-12).
            let delay = try #require(set["fabric.reconfigurationDelay"] as? Double)
            #expect(abs(delay - d) <= 1e-12 * d)
            #expect(row["method"] as? String == m)
            #expect(row["status"] as? String == "heuristic")
            for key in ["objective", "seconds"] { #expect(row[key] is Double, "\(key) in \(row)") }
            #expect(row.keys.contains("gap"))
            let evaluation = try #require(row["evaluation"] as? [String: Any])
            let served = try #require(evaluation["servedBytes"] as? Double)
            // The evaluator never serves more than the planner claimed (relative tolerance 1e-6).
            let objective = try #require(row["objective"] as? Double)
            #expect(served <= objective * (1 + 1e-6))
            #expect(evaluation["completionTimes"] == nil)
        }
        // Progress: one line per plan on standard error.
        #expect(r.stderr.split(separator: "\n").filter { $0.hasPrefix("sweep: [") }.count == 12)

        let csv = try OptoplanBinary.run(args + ["--format", "csv", "--quiet"], in: dir)
        #expect(csv.status == 0)
        #expect(csv.stderr.isEmpty, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(lines.first?.prefix(3) == ["fabric.ocsPortsPerNode", "fabric.reconfigurationDelay", "method"])
        #expect(lines.count == 13)
        let table = try OptoplanBinary.run(args + ["--quiet"], in: dir)
        #expect(table.status == 0)
        #expect(table.stdout.split(separator: "\n").count == 3 + 12)
        #expect(table.stdout.contains("100us"))
    }

    @Test("exact method: more ports never serve less, a longer δ never serves more, no heuristic beats it")
    func monotonic() throws {
        let dir = try OptoplanBinary.directory(["s.json": Self.tinySchedule])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try OptoplanBinary.run(["sweep", "s.json", "--set", "fabric.ocsPortsPerNode=1,2,3",
                                        "--set", "fabric.reconfigurationDelay=5us,50us,200us",
                                        "--methods", "ilp,greedy,eclipse", "--jobs", "2", "--time-limit", "20", "--format", "json", "-q"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let (_, rows) = try json(r.stdout)
        #expect(rows.count == 27)
        var ilp: [[Double]] = Array(repeating: Array(repeating: .nan, count: 3), count: 3)
        for (k, row) in rows.enumerated() where row["method"] as? String == "ilp" {
            #expect(row["status"] as? String == "optimal", "\(row)")
            ilp[k / 9][(k / 3) % 3] = try #require(row["objective"] as? Double)
        }
        // Relative tolerance 1e-6: GLPK's optimality tolerances.
        let tol = 1e-6
        for d in 0..<3 { for p in 1..<3 { #expect(ilp[p][d] >= ilp[p - 1][d] * (1 - tol), "ports \(p + 1), delay #\(d)") } }
        for p in 0..<3 { for d in 1..<3 { #expect(ilp[p][d] <= ilp[p][d - 1] * (1 + tol), "ports \(p + 1), delay #\(d)") } }
        for (k, row) in rows.enumerated() {
            let objective = try #require(row["objective"] as? Double)
            #expect(objective <= ilp[k / 9][(k / 3) % 3] * (1 + tol), "\(row)")
            let gap = try #require(row["gap"] as? Double)
            #expect(gap >= -tol)
        }
    }

    @Test("link pool: λ of the exact plan never falls as ports are added; lists per node are accepted")
    func linkpool() throws {
        let dir = try OptoplanBinary.directory(["pool.json": E2EInstances.linkpool(seed: 5, n: 4, ports: 2)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try OptoplanBinary.run(["sweep", "pool.json", "--set", "fabric.opticalPorts=1,2,[2,3,3,4],4",
                                        "--methods", "ilp,symmetric", "--time-limit", "20", "--format", "json", "-q"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let (_, rows) = try json(r.stdout)
        #expect(rows.count == 8)
        let lambdas = try rows.filter { $0["method"] as? String == "ilp" }.map { try #require($0["objective"] as? Double) }
        for k in 1..<lambdas.count { #expect(lambdas[k] >= lambdas[k - 1] * (1 - 1e-6), "\(lambdas)") }
        let list = try #require(rows[4]["set"] as? [String: Any])
        #expect(list["fabric.opticalPorts"] as? [Double] == [2, 3, 3, 4])
        for pair in stride(from: 0, to: 8, by: 2) {
            let exact = try #require(rows[pair]["objective"] as? Double)
            let paired = try #require(rows[pair + 1]["objective"] as? Double)
            #expect(paired <= exact * (1 + 1e-6))
        }
    }

    @Test("bad paths and values exit 64 (or 65 for a value that breaks another field) before planning, with no output")
    func badArguments() throws {
        let dir = try OptoplanBinary.directory(["s.json": Self.tinySchedule])
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, Int32, String)] = [
            ("fabric.ocsPortPerNode=1,2", 64, "fabric.ocsPortPerNode is not a field of this schedule instance"),
            ("fabric.ports.x=1", 64, "fabric has no \"ports\""),
            ("fabric.ocsPortsPerNode=1,two", 64, "\"two\" is not a number or a quantity"),
            ("fabric.circuitRate=100Gbps,10us", 64, "--set fabric.circuitRate=10us: \"10us\" is a time, a rate was expected"),
            ("fabric.ocsPortsPerNode=1,1.5", 64, "1.5 is not a whole number"),
            ("fabric=1", 64, "fabric is an object"),
            ("demand=1", 64, "demand is a matrix"),
            ("demand[7][0]=1MB", 64, "demand has 4 entries; [7] is out of range"),
            ("fabric..nodes=4", 64, "is not a JSON path"),
            ("fabric.ocsPortsPerNode", 64, "expected PATH=V1,V2,…"),
            ("fabric.ocsPortsPerNode=1,1", 64, "\"1\" is given twice"),
            ("fabric.nodes=4,5", 65, "with --set fabric.nodes=5: s.json: demand: the matrix has 4 rows but there are 5 nodes"),
        ]
        for (set, status, message) in cases {
            let r = try OptoplanBinary.run(["sweep", "s.json", "--set", set, "--methods", "greedy", "--plot", "p.svg"], in: dir)
            #expect(r.status == status, "\(set): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(set): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(set)")
            #expect(!r.stderr.contains("sweep: ["), "planned despite \(set)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("p.svg").path))
        }
        let unknown = try OptoplanBinary.run(["sweep", "s.json", "--set", "fabric.ocsPortsPerNode=1", "--methods", "greedy,simplex"], in: dir)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("'simplex' is not a schedule method"))
        let noSet = try OptoplanBinary.run(["sweep", "s.json"], in: dir)
        #expect(noSet.status == 64)
        let overlap = try OptoplanBinary.run(["sweep", "s.json", "--set", "demand[0][1]=1MB", "--set", "demand[0]=[0,1,2,3]"], in: dir)
        #expect(overlap.status == 64)
        #expect(overlap.stderr.contains("overlaps"), "\(overlap.stderr)")
        let plotDir = try OptoplanBinary.run(["sweep", "s.json", "--set", "fabric.ocsPortsPerNode=1", "--plot", "missing/p.svg"], in: dir)
        #expect(plotDir.status == 64)
        #expect(plotDir.stdout.isEmpty)
    }

    @Test("--plot: one line per method and value of the second axis, the first axis's values as ticks")
    func plot() throws {
        let dir = try OptoplanBinary.directory(["s.json": Self.tinySchedule])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try OptoplanBinary.run(["sweep", "s.json", "--set", "fabric.reconfigurationDelay=10us,100us,1ms,10ms",
                                        "--set", "fabric.ocsPortsPerNode=1,2", "--methods", "greedy,solstice", "--plot", "p.svg", "-q"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let svg = try String(contentsOf: dir.appendingPathComponent("p.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 4)
        for label in ["10us", "100us", "1ms", "10ms", "greedy, fabric.ocsPortsPerNode=2", "(log scale)", "served bytes"] {
            #expect(svg.contains(label), "\(label)")
        }
        // Four points per line.
        let line = try #require(svg.components(separatedBy: "<polyline points=\"").dropFirst().first?.split(separator: "\"").first)
        #expect(line.split(separator: " ").count == 4)
    }

    @Test("Ctrl-C: the running exact search keeps its plan, nothing more starts, the rows done are printed")
    func interrupt() throws {
        let dir = try OptoplanBinary.directory(["hard.json": InterruptEndToEndTests.hardScheduleInstance()])
        defer { try? FileManager.default.removeItem(at: dir) }
        let running = try OptoplanBinary.start(["sweep", "hard.json", "--set", "fabric.reconfigurationDelay=1ms,2ms",
                                                "--methods", "greedy,auto", "--time-limit", "60", "--format", "json", "--plot", "p.svg"], in: dir)
        let began = Date()
        // Wait for the first row (greedy), then give the exact search a moment.
        while Date().timeIntervalSince(began) < 20,
              !((try? String(contentsOf: running.err, encoding: .utf8)) ?? "").contains("[1/4]") {
            Thread.sleep(forTimeInterval: 0.05)
        }
        Thread.sleep(forTimeInterval: 1.5)
        kill(running.process.processIdentifier, SIGINT)
        let r = running.wait()
        #expect(Date().timeIntervalSince(began) < 30)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("interrupted"))
        let (object, rows) = try json(r.stdout)
        #expect(object["interrupted"] as? Bool == true)
        #expect(rows.count == 2)
        #expect(object["rowsNotRun"] as? Int == 2)
        #expect(rows.map { $0["method"] as? String } == ["greedy", "auto"])
        #expect((rows[1]["note"] as? String)?.contains("interrupted (SIGINT)") == true, "\(rows[1])")
        #expect(rows[1]["objective"] is Double)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("p.svg").path))
    }

    @Test("--set parsing: lists, quantities in base units, canonical paths")
    func parsing() throws {
        let a = try SweepAxis.parse("fabric.ocsPortsPerNode=1,[1,2,1,2], 4")
        #expect(a.values.map(\.text) == ["1", "[1,2,1,2]", "4"])
        #expect(a.values[1].isList && a.values[1].numbers == [1, 2, 1, 2])
        #expect(a.values[0].number == 1)
        let d = try SweepAxis.parse("fabric.reconfigurationDelay=10us,1ms,2e-3")
        // Base units, relative tolerance 1e-12.
        for (v, x) in zip(d.values, [1e-5, 1e-3, 2e-3]) { #expect(abs(try #require(v.number) - x) <= 1e-12 * x) }
        #expect(try SweepAxis.parse("jobs[0].phases[1].rate=1Gbps").steps == [.key("jobs"), .index(0), .key("phases"), .index(1), .key("rate")])
        #expect(try SweepAxis.parse(" demand[0][1] =1MB").path == "demand[0][1]")
        for bad in ["=1", "a[x]=1", "a[-1]=1", "[0]=1", "a.=1", "a=[1,2", "a=1,[2,[3]]", "a=5furlongs", "a=inf"] {
            #expect(throws: SweepFailure.self, "\(bad)") { try SweepAxis.parse(bad) }
        }
    }
}
