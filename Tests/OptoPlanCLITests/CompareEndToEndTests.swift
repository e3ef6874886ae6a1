import Foundation
import OptoCore
import Testing

/// `optoplan compare`, run as a process.
@Suite("End to end: compare")
struct CompareEndToEndTests {
    func rows(_ json: String) throws -> (object: [String: Any], rows: [[String: Any]]) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return (object, try #require(object["rows"] as? [[String: Any]]))
    }

    @Test("link pool: every method has a row, gaps are measured against the best proven bound")
    func linkpool() throws {
        let dir = try OptoplanBinary.directory(["pool.json": E2EInstances.linkpool(seed: 3, n: 4, ports: 3)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try OptoplanBinary.run(["compare", "pool.json", "--time-limit", "10", "--format", "json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let (object, rows) = try rows(r.stdout)
        #expect(rows.map { $0["method"] as? String } == ["ilp", "greedy", "symmetric"])
        let bound = try #require(object["bestBound"] as? Double)
        let ilp = try #require(rows.first { $0["method"] as? String == "ilp" })
        #expect(ilp["status"] as? String == "optimal")
        let best = try #require(ilp["objective"] as? Double)
        // Tolerance 1e-9 relative: the best bound is the optimal plan's own bound.
        #expect(abs(best - bound) <= 1e-9 * max(1, abs(bound)))
        for row in rows {
            let objective = try #require(row["objective"] as? Double, "\(row)")
            let gap = try #require(row["gap"] as? Double, "\(row)")
            // A maximisation: no plan beats the bound; gap = (bound − objective)/objective.
            #expect(objective <= bound * (1 + 1e-9))
            #expect(gap >= 0)
            #expect(abs(gap - (bound - objective) / objective) <= 1e-6, "\(row)")
        }
        // The symmetric baseline never beats the asymmetric optimum.
        let symmetric = try #require(rows.first { $0["method"] as? String == "symmetric" }?["objective"] as? Double)
        #expect(symmetric <= best * (1 + 1e-9))
    }

    @Test("stagger: table fits 80 columns, CSV and JSON carry the same rows and columns")
    func formats() throws {
        let dir = try OptoplanBinary.directory(["jobs.json": E2EInstances.stagger(seed: 2, jobs: 4, links: 1, periods: [6, 12])])
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = try OptoplanBinary.run(["compare", "jobs.json", "--time-limit", "10"], in: dir)
        #expect(table.status == 0, "\(table.stderr)")
        for line in table.stdout.split(separator: "\n") { #expect(line.count <= 80, "\(line)") }
        for method in ["ilp", "greedy", "aligned"] { #expect(table.stdout.contains(method)) }

        let csv = try OptoplanBinary.run(["compare", "jobs.json", "--time-limit", "10", "--format", "csv"], in: dir)
        let json = try OptoplanBinary.run(["compare", "jobs.json", "--time-limit", "10", "--format", "json"], in: dir)
        #expect(csv.status == 0 && json.status == 0)
        let lines = csv.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let (object, rows) = try rows(json.stdout)
        #expect(lines.first == (object["columns"] as? [String]))
        #expect(lines.count == rows.count + 1)
        // A minimisation: the ILP is optimal, nobody is below it, gaps are ≥ 0.
        let excess = rows.compactMap { $0["objective"] as? Double }
        let ilp = try #require(rows.first { $0["method"] as? String == "ilp" })
        #expect(ilp["status"] as? String == "optimal")
        let best = try #require(ilp["objective"] as? Double)
        for e in excess { #expect(e >= best - 1e-6 * max(1, best)) }
        for (line, row) in zip(lines.dropFirst(), rows) {
            #expect(line[0] == row["method"] as? String)
            if let o = row["objective"] as? Double, let c = Double(line[2]) { #expect(abs(o - c) <= 1e-5 * max(1, abs(o))) }
        }
    }

    @Test("schedule epochs: only applicable methods by default; a named inapplicable one is listed as n/a")
    func applicable() throws {
        let epochs = """
        { "problem": "schedule",
          "fabric": { "nodes": 3, "ocsPortsPerNode": 1, "circuitRate": "100Gbps", "packetRate": "10Gbps", "reconfigurationDelay": "50us" },
          "epochs": [ { "duration": "1ms", "demand": [[0, "3MB", "1MB"], ["2MB", 0, "4MB"], ["1MB", "2.5MB", 0]] },
                      { "duration": "1ms", "demand": [[0, "1MB", "5MB"], ["2MB", 0, "1MB"], ["3MB", "0.5MB", 0]] } ] }
        """
        let dir = try OptoplanBinary.directory(["e.json": epochs])
        defer { try? FileManager.default.removeItem(at: dir) }
        let all = try OptoplanBinary.run(["compare", "e.json", "--time-limit", "10", "--format", "json"], in: dir)
        #expect(all.status == 0, "\(all.stderr)")
        let (object, rows) = try rows(all.stdout)
        let methods = rows.compactMap { $0["method"] as? String }
        #expect(!methods.isEmpty)
        #expect(!methods.contains("bvn") && !methods.contains("solstice"))
        #expect(rows.allSatisfy { ($0["status"] as? String) != "n/a" })
        #expect(all.stderr.contains("not applicable to this instance"))
        // A maximisation with a proven optimum: every gap is measured against it.
        let bound = try #require(object["bestBound"] as? Double)
        for row in rows {
            let o = try #require(row["objective"] as? Double)
            #expect(o <= bound * (1 + 1e-9))
            #expect(abs((row["gap"] as? Double ?? -1) - (bound - o) / o) <= 1e-6)
        }
        let named = try OptoplanBinary.run(["compare", "e.json", "--methods", "bvn,greedy", "--format", "csv"], in: dir)
        #expect(named.status == 0, "\(named.stderr)")
        #expect(named.stdout.contains("bvn,n/a"))
        #expect(named.stdout.contains("greedy,heuristic"))
        // Only inapplicable methods named: a bad argument, not an infeasible instance.
        let none = try OptoplanBinary.run(["compare", "e.json", "--methods", "bvn,solstice", "--format", "csv"], in: dir)
        #expect(none.status == 64, "\(none.stderr)")
        #expect(none.stdout.contains("bvn,n/a") && none.stdout.contains("solstice,n/a"))
        #expect(none.stderr.contains("none of the methods named applies"))
    }

    @Test("compare: unknown method exits 64, bad input 65")
    func statuses() throws {
        let dir = try OptoplanBinary.directory(["pool.json": E2EInstances.linkpool(seed: 1, n: 3),
                                                "bad.json": #"{ "problem": "stagger", "step": "-1ms", "links": [], "jobs": [] }"#])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try OptoplanBinary.run(["compare", "pool.json", "--methods", "ilp,nope"], in: dir).status == 64)
        let bad = try OptoplanBinary.run(["compare", "bad.json"], in: dir)
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("bad.json"))
        #expect(try OptoplanBinary.run(["compare", "missing.json"], in: dir).status == 65)
    }
}
