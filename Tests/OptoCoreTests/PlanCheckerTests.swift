import Foundation
import Testing
@testable import OptoCore

@Suite("Plan checks against the instance")
struct PlanCheckerTests {
    func instance(_ text: String) throws -> Instance { try Fixtures.read(text).instance }

    func places(_ plan: Plan, _ instance: Instance) -> [String: String] {
        var out: [String: String] = [:]
        for e in PlanChecker.check(plan, file: "p.json", against: instance, instanceFile: "i.json") {
            guard case .json(let p) = e.place else { continue }
            out[p, default: ""] += e.message + "\n"
            #expect(e.description.hasPrefix("p.json: "))
        }
        return out
    }

    @Test("schedule window mode")
    func scheduleWindow() throws {
        let i = try instance(Fixtures.scheduleWindow)
        let good = Plan.schedule(SchedulePlan(method: "m", status: .heuristic, metrics: PlanMetrics(objective: 0), configurations: [
            .init(duration: 4e-4, circuits: [Circuit(0, 1), Circuit(1, 0), Circuit(2, 3)]),
            .init(duration: 5e-4, circuits: [Circuit(3, 1)]),
        ]))
        #expect(places(good, i).isEmpty)
        let bad = Plan.schedule(SchedulePlan(method: "m", status: .heuristic, metrics: PlanMetrics(objective: 0, solveSeconds: -1), configurations: [
            .init(duration: 5e-4, circuits: [Circuit(0, 1), Circuit(0, 2), Circuit(1, 9)]),
            .init(duration: 5e-4, circuits: [Circuit(3, 3), Circuit(-1, 2)]),
        ]))
        let p = places(bad, i)
        #expect(p["configurations[0].circuits[2]"]?.contains("out of range") == true)
        #expect(p["configurations[0].circuits"]?.contains("node 0 transmits on 2 circuits but has 1 OCS ports") == true)
        #expect(p["configurations[1].circuits[0]"]?.contains("to itself") == true)
        #expect(p["configurations[1].circuits[1]"]?.contains("negative node") == true)
        #expect(p["configurations"]?.contains("more than the window 1ms") == true)
        #expect(p["metrics.solveSeconds"]?.contains("negative") == true)
        let epochsPlan = Plan.schedule(SchedulePlan(method: "m", status: .heuristic, metrics: PlanMetrics(objective: 0), epochs: [.init(circuits: [])]))
        #expect(places(epochsPlan, i)[""]?.contains("missing \"configurations\"") == true)
    }

    @Test("schedule epochs mode")
    func scheduleEpochs() throws {
        let i = try instance(Fixtures.scheduleEpochs)  // ports [1, 2, 1]
        let good = Plan.schedule(SchedulePlan(method: "m", status: .heuristic, metrics: PlanMetrics(objective: 0),
                                              epochs: [.init(circuits: [Circuit(0, 1), Circuit(2, 1)]), .init(circuits: [])]))
        #expect(places(good, i).isEmpty)
        let bad = Plan.schedule(SchedulePlan(method: "m", status: .heuristic, metrics: PlanMetrics(objective: 0),
                                             epochs: [.init(circuits: [Circuit(0, 1), Circuit(0, 2)])]))
        let p = places(bad, i)
        #expect(p["epochs"]?.contains("the plan has 1 epochs but the instance has 2") == true)
        #expect(p["epochs[0].circuits"]?.contains("node 0 transmits on 2 circuits") == true)
    }

    @Test("link pool")
    func linkpool() throws {
        let i = try instance(Fixtures.linkpool)  // 2 nodes, 2 ports, 400G circuits, 100G packet
        var m = PlanMetrics(objective: 100)
        m.lambda = 100
        let good = Plan.linkpool(LinkPoolPlan(method: "ilp", status: .optimal, metrics: m, circuits: [Circuit(0, 1), Circuit(0, 1)],
                                              electrical: [[0, 0], [1e11, 0]], carried: [[0, 8e11], [1e11, 0]]))
        #expect(places(good, i).isEmpty)
        let bad = Plan.linkpool(LinkPoolPlan(method: "ilp", status: .optimal, metrics: m, circuits: [Circuit(0, 1), Circuit(0, 1), Circuit(1, 0)],
                                             electrical: [[0, 2e11], [1e11, 0]], carried: [[0, 11e11], [1e11, 0]]))
        let p = places(bad, i)
        #expect(p["circuits"]?.contains("node 0 uses 3 optical ports (2 sending, 1 receiving) but has 2") == true)
        #expect(p["electrical[0]"]?.contains("node 0 sends 200Gbps electrically but its packet rate is 100Gbps") == true)
        #expect(p["electrical"]?.contains("node 1 receives 200Gbps") == true)
        #expect(p["carried[0][1]"]?.contains("1.1Tbps carried is more than") == true)
        let ragged = Plan.linkpool(LinkPoolPlan(method: "x", status: .heuristic, metrics: m, circuits: [], electrical: [[0, 0]], carried: [[0, 0], [0]]))
        let r = places(ragged, i)
        #expect(r["electrical"]?.contains("it must be 2×2") == true)
        #expect(r["carried[1]"]?.contains("must be 2×2") == true)
        let j = try instance(Fixtures.linkpoolFull)  // current [[0,1],[0,1],[1,2]], maxChanges 2
        let changed = Plan.linkpool(LinkPoolPlan(method: "x", status: .heuristic, metrics: m, circuits: [Circuit(1, 0), Circuit(2, 0)],
                                                 electrical: Array(repeating: [0, 0, 0], count: 3), carried: Array(repeating: [0, 0, 0], count: 3)))
        #expect(places(changed, j)["circuits"]?.contains("5 circuits change against the current ones but maxChanges is 2") == true)
    }

    @Test("stagger")
    func stagger() throws {
        let i = try instance(Fixtures.stagger)  // gpt-a period 300 ms, bert-b 200 ms, step 1 ms
        let good = Plan.stagger(StaggerPlan(method: "greedy", status: .heuristic, metrics: PlanMetrics(objective: 0),
                                            offsets: ["gpt-a": 0.05, "bert-b": 0.199], priorities: ["bert-b"]))
        #expect(places(good, i).isEmpty)
        let bad = Plan.stagger(StaggerPlan(method: "greedy", status: .heuristic, metrics: PlanMetrics(objective: 0),
                                           offsets: ["gpt-a": 0.0505, "bert-c": 0], priorities: ["gpt-a", "nope", "gpt-a"]))
        let p = places(bad, i)
        #expect(p["offsets"]?.contains("no offset for the job \"bert-b\"") == true)
        #expect(p["offsets.gpt-a"]?.contains("not a multiple of the step 1ms") == true)
        #expect(p["offsets.bert-c"]?.contains("no job is named \"bert-c\"") == true)
        #expect(p["priorities[1]"]?.contains("no job is named \"nope\"") == true)
        #expect(p["priorities[2]"]?.contains("listed twice") == true)
        let late = Plan.stagger(StaggerPlan(method: "x", status: .heuristic, metrics: PlanMetrics(objective: 0), offsets: ["gpt-a": 0, "bert-b": 0.2]))
        #expect(places(late, i)["offsets.bert-b"]?.contains("not within the period 200ms") == true)
    }

    @Test("a plan of another problem")
    func wrongProblem() throws {
        let i = try instance(Fixtures.stagger)
        let p = places(PlanIOTests.plans[2], i)
        #expect(p["problem"]?.contains("this is a linkpool plan but i.json is a stagger instance") == true)
    }
}
