import Testing
import OptoCore
import OptoModel
import OptoGLPK
@testable import OptoPlanners

@Suite("Scenario planning with transit")
struct ScheduleScenarioTransitTests {
    static func options(_ limit: Double = 30) -> PlanningOptions { PlanningOptions(timeLimit: limit, solver: GLPKSolver()) }

    static func problem(_ f: Fabric, _ scenarios: [[Matrix]], duration: Double = 1, maxHops: Int = 2,
                        start: EpochsStart = EpochsStart()) -> ScenarioEpochs {
        ScenarioEpochs(fabric: f, durations: Array(repeating: duration, count: scenarios[0].count), scenarios: scenarios,
                       start: start, maxHops: maxHops)
    }

    /// Three nodes, one port each, 1 GB/s circuits, no packet fabric, one
    /// 1 s epoch. Scenario A: 1 GB on 0→2; scenario B: 1 GB on 0→1 and on
    /// 1→2. Over one circuit the best is 0→1, 1→2 (B's 2 GB, A nothing:
    /// mean 1 GB; 0→2 alone gives 0.5 GB). With transit the same circuits
    /// carry A's 0→2 over 0→1→2: mean 1.5 GB, all of it. The mean scenario (0.5 GB on
    /// each pair) routes 0.5 GB of 0→2 through node 1.
    static let handFabric = Fabric(nodes: 3, ports: 1, circuitRate: 8e9, packetRate: 0, reconfigurationDelay: 0.1)
    static let handScenarios = [[Matrix([[0, 0, 1e9], [0, 0, 0], [0, 0, 0]])],
                                [Matrix([[0, 1e9, 0], [0, 0, 1e9], [0, 0, 0]])]]

    @Test("by hand: shared circuits, each scenario routing its own bytes; transit 1.5 GB against 1 GB over one circuit")
    func handCase() throws {
        for method in [ScheduleMethod.ilp, .auto] {
            let oneHop = try SchedulePlanner.planScenarios(Self.problem(Self.handFabric, Self.handScenarios, maxHops: 1),
                                                           method: method, options: Self.options())
            #expect(abs(oneHop.metrics.servedBytes! - 1e9) < 1e3, "\(method): \(oneHop.metrics.servedBytes!)")
        }
        for method in [ScheduleMethod.ilp, .greedy, .auto] {
            let plan = try SchedulePlanner.planScenarios(Self.problem(Self.handFabric, Self.handScenarios), method: method,
                                                         options: Self.options())
            #expect(abs(plan.metrics.servedBytes! - 1.5e9) < 1e3, "\(method): \(plan.metrics.servedBytes!)")
            #expect(plan.metrics.backlogBytes! < 1e3)  // everything: 1 GB of A, 2 GB of B
            let ep = try #require(plan.epochs?.first)
            #expect(ep.circuits.contains(Circuit(0, 1)) && ep.circuits.contains(Circuit(1, 2)))
            let routes = ep.transit ?? []
            #expect(routes.count == 1)
            #expect(routes.allSatisfy { $0.source == 0 && $0.via == 1 && $0.target == 2 })
            #expect(abs(routes.reduce(0) { $0 + $1.amount } - 0.5e9) < 1e3)
            let s = try #require(ep.served?.first { $0.source == 0 && $0.target == 2 })
            #expect(abs(s.bytes - 0.5e9) < 1e3)
        }
        #expect(throws: ScheduleError.self) {
            try SchedulePlanner.planScenarios(Self.problem(Self.handFabric, Self.handScenarios, maxHops: 3), options: Self.options())
        }
        for options in [Self.options(), PlanningOptions()] {
            #expect(throws: PlanningError.self) {
                try SchedulePlanner.planScenarios(Self.problem(Self.handFabric, Self.handScenarios), method: .rotor, options: options)
            }
        }
        // No solver: the 1-hop plan, said so.
        let bare = try SchedulePlanner.planScenarios(Self.problem(Self.handFabric, Self.handScenarios), method: .greedy,
                                                     options: PlanningOptions())
        #expect(abs(bare.metrics.servedBytes! - 1e9) < 1e3)
        #expect(bare.notes?.contains { $0.contains("one circuit only") } == true)
    }

    static func randomScenarios(nodes n: Int, ports: Int, epochs: Int, count: Int, seed: UInt64) -> (Fabric, [[Matrix]]) {
        var rng = ScheduleRNG(seed: seed)
        let f = ScheduleFixtures.fabric(nodes: n, ports: ports, packetBytesPerSecond: 5e7, delta: 0.2)
        let scenarios = (0..<count).map { _ in
            (0..<epochs).map { _ in ScheduleFixtures.demand(nodes: n, density: 0.5, scale: 1.5e9, rng: &rng) }
        }
        return (f, scenarios)
    }

    @Test("one scenario: the model is the transit epochs model (same optimum as schedule ilp with maxHops 2)",
          arguments: [UInt64(1), 2, 3])
    func oneScenarioIsPlain(seed: UInt64) throws {
        let (f, scenarios) = Self.randomScenarios(nodes: 4, ports: seed == 2 ? 2 : 1, epochs: 3, count: 1, seed: seed)
        let sc = try SchedulePlanner.planScenarios(Self.problem(f, scenarios), method: .ilp, options: Self.options())
        let inst = ScheduleInstance(fabric: f, mode: .epochs(scenarios[0].map { .init(duration: 1, demand: $0) }), maxHops: 2)
        let plain = try SchedulePlanner.plan(inst, method: .ilp, options: Self.options())
        #expect(sc.status == .optimal && plain.status == .optimal)
        let a = sc.metrics.servedBytes!, b = plain.metrics.servedBytes!
        #expect(abs(a - b) <= 1e-6 * max(1, b), "scenario model \(a), plain \(b)")
    }

    @Test("K scenarios equal brute force (every configuration series, each scenario routed by its own LP): N = 3, two epochs",
          arguments: [UInt64(31), 32, 33])
    func scenariosEqualBruteForce(seed: UInt64) throws {
        var rng = ScheduleRNG(seed: seed)
        let fabric = ScheduleFixtures.fabric(nodes: 3, ports: 1, packetBytesPerSecond: 1e8, delta: 0.3)
        let scenarios = (0..<3).map { _ in (0..<2).map { _ in ScheduleFixtures.demand(nodes: 3, density: 0.6, scale: 1.5e9, rng: &rng) } }
        let problem = Self.problem(fabric, scenarios)
        let (f, demands, _) = try SchedulePlanner.validatedScenarios(problem)
        // The brute force, written apart from the planner's model: the mean over the scenarios of
        // TransitCheck.bestRouting for every series of maximal configurations.
        let configs = TransitCheck.maximalConfigurations(nodes: 3)
        var brute = -Double.infinity
        for c0 in configs {
            for c1 in configs {
                var mean = 0.0
                for scenario in demands {
                    mean += try TransitCheck.bestRouting(f, durations: [1, 1], demands: scenario, counts: [c0, c1])
                }
                brute = max(brute, mean / Double(demands.count))
            }
        }
        let ilp = try SchedulePlanner.planScenarios(problem, method: .ilp, options: Self.options())
        #expect(ilp.status == .optimal)
        #expect(abs(ilp.metrics.servedBytes! - brute) <= 1e-6 * max(1, brute), "ilp \(ilp.metrics.servedBytes!), brute force \(brute)")
        let greedy = try SchedulePlanner.planScenarios(problem, method: .greedy, options: Self.options())
        #expect(greedy.metrics.servedBytes! <= brute * (1 + 1e-7))
    }

    @Test("two copies of the model share the circuit variables and rows, and repeat the rest")
    func copiesShareTheCircuits() throws {
        let inst = ScheduleTransitTests.randomInstance(nodes: 4, ports: 2, epochs: 3, seed: 2)
        let (f, durations, demands) = try ScheduleTransitTests.flat(inst)
        let one = try ScheduleExact.buildEpochsTransit(f, durations: durations, scenarios: [demands]).model.validated()
        let two = try ScheduleExact.buildEpochsTransit(f, durations: durations, scenarios: [demands, demands]).model.validated()
        let circuits = one.variableNames.filter { $0.hasPrefix("x[") || $0.hasPrefix("a[") }.count
        let shared = one.constraintNames.filter { $0.hasPrefix("new[") || $0.hasPrefix("tx[") || $0.hasPrefix("rx[") }.count
        #expect(two.variableCount == 2 * one.variableCount - circuits)
        #expect(two.constraintCount == 2 * one.constraintCount - shared)
    }

    @Test("K scenarios: the exact plan never serves less than the 1-hop exact plan or the heuristic; the heuristic is feasible",
          arguments: [UInt64(4), 5, 6, 7])
    func exactBoundsHeuristic(seed: UInt64) throws {
        let (f, scenarios) = Self.randomScenarios(nodes: 4, ports: seed % 2 == 0 ? 1 : 2, epochs: 2, count: 3, seed: seed)
        let exact = try SchedulePlanner.planScenarios(Self.problem(f, scenarios), method: .ilp, options: Self.options())
        let oneHop = try SchedulePlanner.planScenarios(Self.problem(f, scenarios, maxHops: 1), method: .ilp, options: Self.options())
        let greedy = try SchedulePlanner.planScenarios(Self.problem(f, scenarios), method: .greedy, options: Self.options())
        #expect(exact.status == .optimal && oneHop.status == .optimal)
        let e = exact.metrics.servedBytes!, o = oneHop.metrics.servedBytes!, g = greedy.metrics.servedBytes!
        #expect(e >= o * (1 - 1e-6), "transit \(e) < 1-hop \(o)")
        #expect(g <= e * (1 + 1e-6), "heuristic \(g) > exact \(e)")
        for (plan, heuristic) in [(exact, false), (greedy, true)] {
            let counts = plan.epochs!.map { SchedulePlanner.counts($0, nodes: f.nodes) }
            let sf = try ScheduleFabric(f)
            #expect(SchedulePlanner.isFeasible(sf, counts: counts))
            // Every route crosses two circuits of its epoch, and what it claims each scenario routes by LP.
            for ep in plan.epochs! {
                for r in ep.transit ?? [] {
                    #expect(ep.circuits.contains(Circuit(r.source, r.via)) && ep.circuits.contains(Circuit(r.via, r.target)))
                }
            }
            let (_, demands, start) = try SchedulePlanner.validatedScenarios(Self.problem(f, scenarios))
            let scored = try SchedulePlanner.scoreScenariosTransit(sf, durations: [1, 1], demands: demands, start: start,
                                                                   counts: counts, solver: GLPKSolver())
            // The claim is the per-scenario routing's mean, or more only where the model proves it, and never
            // more than the best routing of these circuits over each whole scenario can serve.
            let claimed = plan.metrics.servedBytes!
            #expect(claimed >= scored.served * (1 - 1e-9))
            var best = 0.0
            for scenario in demands {
                let flows = try #require(try ScheduleExact.routeSeries(sf, durations: [1, 1], demands: scenario, counts: counts,
                                                                       solver: GLPKSolver(), timeLimit: 30))
                best += flows.reduce(0) { $0 + $1.total }
            }
            best /= Double(demands.count)
            #expect(claimed <= best * (1 + 1e-6), "claimed \(claimed), best routing \(best)")
            if heuristic { #expect(abs(claimed - scored.served) <= 1e-6 * max(1, claimed)) }
        }
    }

    @Test("a start state goes to the heuristic: auto notes it, ilp refuses it")
    func startState() throws {
        let start = EpochsStart(circuits: [0, 0, 1, 0, 0, 0, 0, 0, 0])
        let auto = try SchedulePlanner.planScenarios(Self.problem(Self.handFabric, Self.handScenarios, start: start),
                                                     method: .auto, options: Self.options())
        #expect(auto.method == "auto:greedy")
        #expect(auto.notes?.contains { $0.contains("no start state") } == true)
        // 0→2 in place: keeping it serves A's 1 GB only (mean 0.5 GB); changing to 0→1, 1→2 pays 0.1 s of
        // dark time on both, 0.9 GB each: A 0.9 GB through node 1, B 1.8 GB, mean 1.35 GB.
        #expect(abs(auto.metrics.servedBytes! - 1.35e9) < 1e3, "\(auto.metrics.servedBytes!)")
        #expect(auto.metrics.circuitsChanged == 2)
        // Without the model, auto gives the scenarios' mean node-capacity bound (A 1 GB, B 2 GB in one second).
        #expect(abs((auto.metrics.bound ?? 0) - 1.5e9) < 1e3)
        #expect(throws: PlanningError.self) {
            try SchedulePlanner.planScenarios(Self.problem(Self.handFabric, Self.handScenarios, start: start), method: .ilp,
                                              options: Self.options())
        }
    }
}
