import Foundation
import Testing
@testable import OptoCore

@Suite("Plan files")
struct PlanIOTests {
    static var plans: [Plan] {
        var m = PlanMetrics(objective: 5e6, bound: 5.5e6, gap: 0.0909, solveSeconds: 0.25)
        m.servedBytes = 5e6; m.makespan = 9e-4; m.lowerBound = 8e-4; m.slots = 4
        var e = PlanMetrics(objective: 1e6, solveSeconds: 0.01)
        e.servedBytes = 1e6; e.backlogBytes = 2e5; e.circuitsChanged = 3
        var l = PlanMetrics(objective: 100, bound: 100, gap: 0, solveSeconds: 0.002)
        l.lambda = 100; l.carried = 9e11; l.utilisation = 0.9
        var s = PlanMetrics(objective: 0, solveSeconds: 0.1)
        s.excess = 0; s.peak = 0.8; s.compatibility = 1
        var c = PlanMetrics(objective: 0.032, solveSeconds: 0.001)
        c.time = 0.032; c.lowerBound = 0.032; c.jobs = ["llm-a": CollectiveJobTime(time: 0.032, lowerBound: 0.032)]
        return [
            .schedule(SchedulePlan(method: "ilp", status: .feasible, metrics: m, configurations: [
                .init(duration: 1.2e-4, circuits: [Circuit(0, 1), Circuit(1, 2), Circuit(2, 0)]),
                .init(duration: 3e-4, circuits: [Circuit(0, 1), Circuit(0, 1)]),
            ], notes: ["time limit reached"])),
            .schedule(SchedulePlan(method: "greedy", status: .heuristic, metrics: e, epochs: [
                .init(circuits: [Circuit(0, 1)]), .init(circuits: []),
            ])),
            .linkpool(LinkPoolPlan(method: "ilp", status: .optimal, metrics: l, circuits: [Circuit(0, 1), Circuit(0, 1)],
                                   electrical: [[0, 0], [1e11, 0]], carried: [[0, 8e11], [1e11, 0]])),
            .linkpool(LinkPoolPlan(method: "ilp", status: .optimal, metrics: l, circuits: [Circuit(0, 1), Circuit(1, 2)],
                                   electrical: [[0, 0, 0], [0, 0, 0], [0, 0, 0]], carried: [[0, 0, 4e11], [0, 0, 0], [0, 0, 0]],
                                   transit: [TransitRoute(0, 1, 2, 4e11)])),
            .schedule(SchedulePlan(method: "ilp", status: .optimal, metrics: e, epochs: [
                .init(circuits: [Circuit(0, 1), Circuit(1, 2)], transit: [TransitRoute(0, 1, 2, 2.5e6)],
                      served: [PairBytes(0, 2, 3e6)]), .init(circuits: []),
            ])),
            .stagger(StaggerPlan(method: "greedy", status: .heuristic, metrics: s, offsets: ["gpt-a": 0.05, "bert-b": 0],
                                 priorities: ["gpt-a", "bert-b"])),
            .stagger(StaggerPlan(method: "aligned", status: .infeasible, metrics: PlanMetrics(objective: 0), offsets: [:])),
            .collective(CollectivePlan(method: "matched", status: .heuristic, metrics: c, circuits: [Circuit(0, 2), Circuit(2, 1), Circuit(1, 0)],
                                       rings: ["llm-a/dp": [.init(order: [0, 2, 1], bytes: 6e8), .init(order: [0, 1, 2], bytes: 4e8)]])),
        ]
    }

    @Test("every plan kind round-trips through text and through a file")
    func roundTrip() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (k, plan) in Self.plans.enumerated() {
            let text = try PlanIO.text(plan)
            #expect(try PlanIO.read(data: Data(text.utf8)) == plan)
            let url = dir.appendingPathComponent("p\(k).plan.json")
            try PlanIO.write(plan, to: url)
            #expect(try PlanIO.read(contentsOf: url) == plan)
        }
        // Only the plans: no temporary file left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names == (0..<Self.plans.count).map { "p\($0).plan.json" })
    }

    @Test("the common fields are in the file as FORMATS.md names them")
    func fieldNames() throws {
        let text = try PlanIO.text(Self.plans[2])
        let json = try JSONValue.parse(text).get()
        #expect(json["problem"] == .string("linkpool"))
        #expect(json["status"] == .string("optimal"))
        #expect(json["method"] == .string("ilp"))
        #expect(json["metrics"]?["lambda"] == .number(100))
        #expect(json["metrics"]?["servedBytes"] == nil)
        #expect(json["circuits"] == .array([.array([.number(0), .number(1)]), .array([.number(0), .number(1)])]))
    }

    @Test("bad plans name the place")
    func errors() throws {
        let good = try PlanIO.text(Self.plans[0])
        let cases: [([Any], JSONValue?, String, String)] = [
            (["status"], .string("great"), "status", "unknown status \"great\""),
            (["problem"], .string("routing"), "problem", "not a problem"),
            (["metrics", "objective"], nil, "metrics", "missing \"objective\""),
            (["configurations", 1, "circuits", 0], .array([.number(0)]), "configurations[1].circuits[0][1]", "a circuit is [from, to]"),
            (["configurations", 0, "duration"], .string("1ms"), "configurations[0].duration", "expected a number"),
        ]
        let transit = try PlanIO.text(Self.plans[3])
        let transitCases: [([Any], JSONValue?, String, String)] = [
            (["transit", 0], .array([.number(0), .number(1), .number(2)]), "transit[0][3]", "a transit entry is [s, k, t, amount]"),
            (["transit", 0, 3], .string("1Gbps"), "transit[0][3]", "expected a number"),
        ]
        for (path, value, place, fragment) in transitCases {
            let bad = try Fixtures.replacing(transit, at: path, with: value)
            do {
                _ = try PlanIO.read(data: Data(bad.utf8), file: "p.json")
                Issue.record("accepted \(path)")
            } catch {
                #expect(error.place == .json(place), "\(error)")
                #expect(error.message.contains(fragment), "\(error)")
            }
        }
        for (path, value, place, fragment) in cases {
            let bad = try Fixtures.replacing(good, at: path, with: value)
            do {
                _ = try PlanIO.read(data: Data(bad.utf8), file: "p.json")
                Issue.record("accepted \(path)")
            } catch {
                #expect(error.place == .json(place), "\(error)")
                #expect(error.message.contains(fragment), "\(error)")
                #expect(error.description.hasPrefix("p.json: \(place): "))
            }
        }
        do {
            _ = try PlanIO.read(data: Data("{\"problem\": \"stagger\",".utf8), file: "p.json")
            Issue.record("accepted truncated JSON")
        } catch {
            #expect(error.place == .text(line: 1, column: 23))
        }
    }

    @Test("a failed write leaves the old file untouched")
    func atomicFailure() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("no/such/dir/plan.json")
        #expect(throws: OutputError.self) { try PlanIO.write(Self.plans[0], to: missing) }
        var bad = PlanMetrics(objective: .nan)
        bad.solveSeconds = 0
        let url = dir.appendingPathComponent("plan.json")
        try PlanIO.write(Self.plans[3], to: url)
        let before = try Data(contentsOf: url)
        #expect(throws: OutputError.self) {
            try PlanIO.write(.stagger(StaggerPlan(method: "x", status: .heuristic, metrics: bad, offsets: [:])), to: url)
        }
        #expect(try Data(contentsOf: url) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["plan.json"])
    }
}
