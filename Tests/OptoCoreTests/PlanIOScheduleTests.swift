import Foundation
import Testing
@testable import OptoCore

/// The direct writing and reading of schedule configurations
/// (`PlanIO+Schedule.swift`) against the generic Codable path.
@Suite("Schedule plan files, fast path")
struct PlanIOScheduleTests {
    /// The generic text: Codable, re-parsed, laid out by `JSONTextWriter`.
    func generic(_ plan: SchedulePlan) throws -> [UInt8] {
        JSONValue.object(PlanIO.commonFirst(try PlanIO.encodedMembers(plan))).serializedBytes(pretty: true)
    }

    func randomPlan(_ seed: UInt64) -> SchedulePlan {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        var m = PlanMetrics(objective: Double(next() % 1000) / 7, bound: seed % 2 == 0 ? 3 : nil, solveSeconds: 1e-5 * Double(next() % 100))
        m.makespan = 0.1 + Double(next() % 1000) * 1e-9
        m.servedBytes = Double(next() % 1_000_000_000)
        m.lowerBound = seed % 3 == 0 ? nil : 2.5e-17
        m.slots = seed % 2 == 0 ? Int(next() % 50) : nil
        let configs = (0..<Int(next() % 6)).map { _ in
            SchedulePlan.Configuration(duration: [0, 1e-4, 0.25, 3, 1.0 / 3, 1e20][Int(next() % 6)],
                                       circuits: (0..<Int(next() % 5)).map { _ in Circuit(Int(next() % 400), Int(next() % 400)) })
        }
        return SchedulePlan(method: seed % 2 == 0 ? "solstice" : "auto:\"x\"/y", status: .heuristic, metrics: m,
                            configurations: configs, notes: seed % 3 == 0 ? ["a/b", "ünï\n"] : nil)
    }

    @Test("the fast text equals the generic text byte for byte, and reads back")
    func sameBytes() throws {
        for seed in 1...60 as ClosedRange<UInt64> {
            let plan = randomPlan(seed)
            let fast = try #require(try PlanIO.scheduleText(plan))
            #expect(fast == (try generic(plan)), "seed \(seed)")
            #expect(try PlanIO.read(data: Data(fast)) == .schedule(plan))
            #expect(PlanIO.fastSchedulePlan(try JSONValue.parse(fast).get()) == plan)
        }
    }

    /// The layout FORMATS.md files have had: common fields first, members
    /// in key order, one circuit per line, two-space indentation.
    @Test("a small plan's exact text")
    func exactText() throws {
        let plan = SchedulePlan(method: "greedy", status: .heuristic, metrics: PlanMetrics(objective: 2, solveSeconds: 0.5),
                                configurations: [.init(duration: 1.2e-4, circuits: [Circuit(0, 1), Circuit(1, 0)]),
                                                 .init(duration: 2, circuits: [])])
        let expected = """
        {
          "problem": "schedule",
          "method": "greedy",
          "status": "heuristic",
          "metrics": {
            "objective": 2,
            "solveSeconds": 0.5
          },
          "configurations": [
            {
              "circuits": [
                [0, 1],
                [1, 0]
              ],
              "duration": 0.00012
            },
            {
              "circuits": [],
              "duration": 2
            }
          ]
        }

        """
        #expect(try PlanIO.text(.schedule(plan)) == expected)
    }

    /// What the fast reader does not take as it expects goes to the generic
    /// decoder, which names the place as before.
    @Test("errors inside configurations keep their JSON path")
    func errorsKeepTheirPath() throws {
        var plan = randomPlan(4)
        plan.configurations = [.init(duration: 0.5, circuits: [Circuit(0, 1)])]
        let good = try PlanIO.text(.schedule(plan))
        let cases: [([Any], JSONValue?, String)] = [
            (["configurations", 0, "circuits", 0, 0], .string("a"), "configurations[0].circuits[0][0]"),
            (["configurations", 0, "extra"], .number(1), ""),
            (["configurations", 0, "duration"], nil, "configurations[0]"),
            (["metrics", "objective"], .string("x"), "metrics.objective"),
        ]
        for (path, value, place) in cases {
            let bad = try Fixtures.replacing(good, at: path, with: value)
            if place.isEmpty {
                // An unknown member is ignored, as the generic decoder does.
                #expect(try PlanIO.read(data: Data(bad.utf8)) == .schedule(plan))
                continue
            }
            do {
                _ = try PlanIO.read(data: Data(bad.utf8), file: "p.json")
                Issue.record("accepted \(path)")
            } catch {
                #expect(error.place == .json(place), "\(error)")
            }
        }
    }

    /// The reader takes configurations straight into typed values when they
    /// are plain (any layout, members in either order) and leaves anything
    /// else to the tree and the generic decoder, so every variant reads as
    /// `JSONDecoder` reads it, or fails as it fails.
    @Test("typed configurations: other layouts read the same; anything unusual goes to the generic path")
    func typedConfigurations() throws {
        let base = #"{"problem": "schedule", "method": "m", "status": "heuristic", "metrics": {"objective": 1, "solveSeconds": 0},"#
        let variants: [(text: String, typed: Bool)] = [
            (#""configurations":[{"circuits":[[0,1],[12,3]],"duration":0.5},{"circuits":[],"duration":2}]}"#, true),
            (#""configurations": [ { "duration" : 1e-4 , "circuits" : [ [ 0 , 1 ] ] } ] }"#, true),
            (#""configurations": []}"#, true),
            (#""configurations": [{"circuits": [[1.0, 2]], "duration": 1}]}"#, false),
            (#""configurations": [{"circuits": [[1e0, 2]], "duration": 1}]}"#, false),
            (#""configurations": [{"circuits": [[-1, 2]], "duration": 1}]}"#, false),
            (#""configurations": [{"circuits": [[01, 2]], "duration": 1}]}"#, false),
            (#""configurations": [{"circuits": [[1, 2, 3]], "duration": 1}]}"#, false),
            (#""configurations": [{"circuits": [[1, 2]], "duration": "1ms"}]}"#, false),
            (#""configurations": [{"circuits": [[1, 2]]}]}"#, false),
            (#""configurations": [{"circuits": [[1, 2]], "duration": 1, "x": 0}]}"#, false),
            (#""configurations": [{"circuits": [[1, 2]], "circuits": [[1, 2]]}]}"#, false),
            (#""configurations": {"circuits": []}}"#, false),
        ]
        for (body, typed) in variants {
            let text = base + body
            let bytes = Array(text.utf8)
            switch JSONValue.parseLiftingConfigurations(bytes) {
            case .success(let (_, lifted)): #expect((lifted != nil) == typed, "\(body)")
            // Only a document the generic parser rejects too (a duplicate key) may fail here.
            case .failure: #expect(!typed && (try? JSONValue.parse(bytes).get()) == nil, "\(body)")
            }
            let reference: Result<SchedulePlan, any Error> = Result {
                guard case .success = JSONValue.parse(bytes) else { throw CocoaError(.coderReadCorrupt) }
                return try JSONDecoder().decode(SchedulePlan.self, from: Data(bytes))
            }
            switch (reference, Result { try PlanIO.read(data: Data(bytes)) }) {
            case (.success(let expected), .success(let read)): #expect(read == .schedule(expected), "\(body)")
            case (.failure, .failure): break
            case (let r, let p): Issue.record("\(body): generic \(r), reader \(p)")
            }
        }
    }
}
