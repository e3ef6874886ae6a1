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

@Suite("Claims of plans, recomputed")
struct PlanClaimTests {
    /// Two jobs of period 4 steps on a 10 bps link, each active 2 steps at 6 bps.
    static let instance = StaggerInstance(step: 1, links: [.init(name: "l", capacity: 10)], jobs: [
        .init(name: "a", period: 4, links: ["l"], phases: [.init(start: 0, duration: 2, rate: 6)]),
        .init(name: "b", period: 4, links: ["l"], phases: [.init(start: 3, duration: 2, rate: 6)]),
    ])

    @Test("stagger excess and peak by hand")
    func staggerLoad() throws {
        // Offsets 0, 0: a on slots 0, 1; b on slots 3, 0 (wraps): slot 0 carries 12 → 2 bits over; peak 1.2.
        let aligned = try #require(StaggerLoad.score(Self.instance, offsetSteps: [0, 0]))
        #expect(abs(aligned.excess - 2) < 1e-12 && abs(aligned.peak - 1.2) < 1e-12)
        // b shifted by 3: slots 2, 3; no overlap.
        let shifted = try #require(StaggerLoad.score(Self.instance, offsetSteps: [0, 3]))
        #expect(shifted.excess == 0 && abs(shifted.peak - 0.6) < 1e-12)
        // Different periods: a (4 steps) and c (6 steps) over H = 12.
        var three = Self.instance
        three.jobs.append(.init(name: "c", period: 6, links: ["l"], phases: [.init(start: 0, duration: 1, rate: 5)]))
        let s = try #require(StaggerLoad.score(three, offsetSteps: [0, 3, 0]))
        // c at slots 0 and 6: slot 0 has a (6) + c (5) = 11 → 1 over; slot 6: a is on 4, 5, 8, 9, b on 2, 3, 6, 7, 10, 11 → 6 + 5 = 11 → 1 over.
        #expect(abs(s.excess - 2) < 1e-12 && abs(s.peak - 1.1) < 1e-12)
    }

    @Test("a plan claiming less excess than its offsets give is reported")
    func staggerClaims() {
        var m = PlanMetrics(objective: 0)
        m.excess = 0
        m.peak = 0.6
        let honest = Plan.stagger(StaggerPlan(method: "x", status: .heuristic, metrics: m, offsets: ["a": 0, "b": 3]))
        #expect(PlanChecker.check(honest, file: "p", against: .stagger(Self.instance), instanceFile: "i").isEmpty)
        let dishonest = Plan.stagger(StaggerPlan(method: "x", status: .heuristic, metrics: m, offsets: ["a": 0, "b": 0]))
        let places = PlanChecker.check(dishonest, file: "p", against: .stagger(Self.instance), instanceFile: "i").map(\.place)
        #expect(places == [.json("metrics.excess"), .json("metrics.peak")])
    }

    @Test("a makespan below the lower bound, and link-pool rates against lambda and demand")
    func otherClaims() throws {
        let s = try Fixtures.read(Fixtures.scheduleWindow).instance
        guard case .schedule(let si) = s, case .window(let d, _) = si.mode else { return }
        let bound = PlanChecker.lowerBound(d, si.fabric)
        // Node 3 receives 64 KB + 3 MB (the largest row or column), at 100 + 10 Gbps.
        #expect(abs(bound - 8 * 3.064e6 / 1.1e11) < 1e-15)
        var m = PlanMetrics(objective: 0)
        m.makespan = bound / 2
        let plan = Plan.schedule(SchedulePlan(method: "x", status: .heuristic, metrics: m, configurations: []))
        #expect(PlanChecker.check(plan, file: "p", against: s, instanceFile: "i").map(\.place) == [.json("metrics.makespan")])

        let l = try Fixtures.read(Fixtures.linkpool).instance  // demand 8 and 1 Gbps
        var lm = PlanMetrics(objective: 100)
        lm.lambda = 100
        let short = Plan.linkpool(LinkPoolPlan(method: "x", status: .optimal, metrics: lm, circuits: [Circuit(0, 1), Circuit(0, 1)],
                                               electrical: [[0, 0], [1e11, 0]], carried: [[0, 7e11], [1e11, 0]]))
        #expect(PlanChecker.check(short, file: "p", against: l, instanceFile: "i").map(\.place) == [.json("carried[0][1]")])
    }
}

@Suite("Plan checks: transit")
struct PlanCheckerTransitTests {
    func places(_ plan: Plan, _ instance: Instance) -> [String: String] {
        var out: [String: String] = [:]
        for e in PlanChecker.check(plan, file: "p.json", against: instance, instanceFile: "i.json") {
            guard case .json(let p) = e.place else { continue }
            out[p, default: ""] += e.message + "\n"
        }
        return out
    }

    /// Three nodes, 2 pooled ports, 100 b/s circuits, 10 b/s packet; demand 0→2 only.
    func linkpool(maxHops: Int = 2) -> Instance {
        var d = Matrix(size: 3)
        d[0, 2] = 100
        return .linkpool(LinkPoolInstance(fabric: LinkPoolFabric(nodes: 3, ports: 2, circuitRate: 100, packetRate: 10),
                                          demand: d, maxHops: maxHops))
    }

    func linkpoolPlan(_ transit: [TransitRoute], carried: Double = 100, circuits: [Circuit] = [Circuit(0, 1), Circuit(1, 2)]) -> Plan {
        var m = PlanMetrics(objective: 1)
        m.lambda = 1
        var a = Array(repeating: [0.0, 0, 0], count: 3)
        a[0][2] = carried
        var e = Array(repeating: [0.0, 0, 0], count: 3)
        e[0][2] = 10
        return .linkpool(LinkPoolPlan(method: "m", status: .heuristic, metrics: m, circuits: circuits,
                                      electrical: e, carried: a, transit: transit))
    }

    @Test("link-pool transit entries")
    func linkpoolTransit() {
        #expect(places(linkpoolPlan([TransitRoute(0, 1, 2, 90)]), linkpool()).isEmpty)
        let p = places(linkpoolPlan([TransitRoute(0, 1, 2, 50), TransitRoute(0, 0, 2, 1), TransitRoute(2, 1, 2, 1),
                                     TransitRoute(0, 1, 5, 1), TransitRoute(0, 1, 2, -3), TransitRoute(0, 1, 2, .infinity),
                                     TransitRoute(0, 2, 1, 1), TransitRoute(-1, 1, 2, 1)], carried: 60), linkpool())
        #expect(p["transit[1]"]?.contains("passes through a third node") == true)
        #expect(p["transit[2]"]?.contains("joins two different nodes") == true)
        #expect(p["transit[3]"]?.contains("out of range") == true)
        #expect(p["transit[4]"]?.contains("negative") == true)
        #expect(p["transit[5]"]?.contains("not a finite number") == true)
        #expect(p["transit[6]"]?.contains("crosses the circuit 0->2, which is not among the plan's circuits") == true)
        #expect(p["transit[6]"]?.contains("2->1") == true)
        #expect(p["transit[7]"]?.contains("negative node") == true)
        #expect(p["transit[0]"] == nil)
        let hops = places(linkpoolPlan([TransitRoute(0, 1, 2, 90)]), linkpool(maxHops: 1))
        #expect(hops["transit"]?.contains("maxHops 1") == true)
    }

    @Test("link-pool transit against the circuits' capacity")
    func linkpoolCapacity() {
        // 150 of transit on one 100 b/s circuit.
        #expect(places(linkpoolPlan([TransitRoute(0, 1, 2, 150)], carried: 160), linkpool())["transit"]?.contains("more than its 1 circuits carry") == true)
        // Direct 0→1 traffic beside 90 of transit on 0→1: 40 + 90 > 100.
        var plan = linkpoolPlan([TransitRoute(0, 1, 2, 90)])
        if case .linkpool(var l) = plan { l.carried[0][1] = 40; plan = .linkpool(l) }
        #expect(places(plan, linkpool())["carried[0][1]"]?.contains("40bps on the pair's circuits") == true)
        // Without transit, carried 100 on 0→2 (no circuit, 10 electrical) is too much; with it, not.
        #expect(places(linkpoolPlan([]), linkpool())["carried[0][2]"] != nil)
        #expect(places(linkpoolPlan([TransitRoute(0, 1, 2, 90)]), linkpool())["carried[0][2]"] == nil)
    }

    func epochs(maxHops: Int = 2) -> Instance {
        let fabric = Fabric(nodes: 3, ports: 1, circuitRate: 8e9, packetRate: 0, reconfigurationDelay: 0.1)
        var d = Matrix(size: 3)
        d[0, 2] = 1e9
        return .schedule(ScheduleInstance(fabric: fabric, mode: .epochs([.init(duration: 1, demand: d), .init(duration: 1, demand: d)]),
                                          maxHops: maxHops))
    }

    func epochsPlan(_ second: SchedulePlan.EpochCircuits) -> Plan {
        .schedule(SchedulePlan(method: "m", status: .heuristic, metrics: PlanMetrics(objective: 0), epochs: [
            .init(circuits: [Circuit(0, 2)]), second,
        ]))
    }

    @Test("epochs transit and served entries")
    func epochsTransit() {
        let ring = [Circuit(0, 1), Circuit(1, 2)]
        let good = epochsPlan(.init(circuits: ring, transit: [TransitRoute(0, 1, 2, 5e8)], served: [PairBytes(0, 2, 5e8)]))
        #expect(places(good, epochs()).isEmpty)
        let bad = epochsPlan(.init(circuits: ring,
                                   transit: [TransitRoute(0, 1, 2, 5e8), TransitRoute(0, 2, 1, 1), TransitRoute(1, 1, 2, 1),
                                             TransitRoute(0, 1, 9, 1), TransitRoute(0, 1, 2, -1)],
                                   served: [PairBytes(0, 2, 1e8), PairBytes(1, 1, 0), PairBytes(0, 7, 1), PairBytes(1, 2, -2)]))
        let p = places(bad, epochs())
        #expect(p["epochs[1].transit[1]"]?.contains("not among epoch 1's circuits") == true)
        #expect(p["epochs[1].transit[2]"]?.contains("third node") == true)
        #expect(p["epochs[1].transit[3]"]?.contains("out of range") == true)
        #expect(p["epochs[1].transit[4]"]?.contains("negative") == true)
        #expect(p["epochs[1].served[0]"]?.contains("less than its transit entries route") == true)
        #expect(p["epochs[1].served[1]"]?.contains("two different nodes") == true)
        #expect(p["epochs[1].served[2]"]?.contains("out of range") == true)
        #expect(p["epochs[1].served[3]"]?.contains("negative") == true)
        #expect(p["epochs[1].transit[0]"] == nil)
        // Transit over epoch 0's circuits in epoch 1 is not allowed.
        let stale = epochsPlan(.init(circuits: [Circuit(0, 2)], transit: [TransitRoute(0, 1, 2, 1)]))
        #expect(places(stale, epochs())["epochs[1].transit[0]"]?.contains("0->1") == true)
        #expect(places(good, epochs(maxHops: 1))["epochs[1].transit"]?.contains("maxHops 1") == true)
    }
}
