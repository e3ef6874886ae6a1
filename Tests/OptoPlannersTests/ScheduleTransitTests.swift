import Testing
import OptoCore
import OptoModel
import OptoGLPK
@testable import OptoPlanners

@Suite("Schedule epochs mode with transit")
struct ScheduleTransitTests {
    static func options(_ limit: Double = 30) -> PlanningOptions { PlanningOptions(timeLimit: limit, solver: GLPKSolver()) }

    static func instance(_ f: Fabric, _ matrices: [Matrix], duration: Double = 1, maxHops: Int = 2) -> ScheduleInstance {
        ScheduleInstance(fabric: f, mode: .epochs(matrices.map { .init(duration: duration, demand: $0) }), maxHops: maxHops)
    }

    static func flat(_ inst: ScheduleInstance) throws -> (ScheduleFabric, [Double], [[Double]]) {
        let (f, mode) = try SchedulePlanner.validated(inst)
        guard case .epochs(let d, let m) = mode else { throw ScheduleError.invalidInstance("not epochs") }
        return (f, d, m)
    }

    /// Three nodes, one port each, 1 GB/s circuits, no packet fabric, 1 s
    /// epochs, δ = 0.5 s. Epoch 0: 1 GB on 0→1 and on 1→2, 0.6 GB on 0→2;
    /// epoch 1: 0.5 GB on 0→1 and 1→2; epoch 2: 0.7 GB on each.
    ///
    /// 1-hop: node 0 has one transmitter and node 2 one receiver, so 0→2
    /// and the pair 0→1, 1→2 exclude each other. Keeping 0→1 and 1→2
    /// serves 2 + 1 + 1.4 = 4.4 GB and leaves 0.6 GB of 0→2; a switch to
    /// 0→2 in epoch 1 or 2 makes a dark circuit (0.5 GB at most) and drops
    /// 1 or 1.4 GB of the others (3.5 GB). Transit: 0→2 goes over 0→1→2
    /// in the spare capacity of epoch 1 (0.5 GB) and epoch 2 (0.1 GB of
    /// 0.3): everything, 5 GB, and exactly 0.6 GB of transit.
    static let handFabric = Fabric(nodes: 3, ports: 1, circuitRate: 8e9, packetRate: 0, reconfigurationDelay: 0.5)
    static let handEpochs = [Matrix([[0, 1e9, 0.6e9], [0, 0, 1e9], [0, 0, 0]]),
                             Matrix([[0, 0.5e9, 0], [0, 0, 0.5e9], [0, 0, 0]]),
                             Matrix([[0, 0.7e9, 0], [0, 0, 0.7e9], [0, 0, 0]])]

    @Test("by hand, three epochs: transit serves the 0.6 GB of backlog the 1-hop optimum cannot")
    func handCase() throws {
        let oneHop = try SchedulePlanner.plan(Self.instance(Self.handFabric, Self.handEpochs, maxHops: 1), method: .ilp, options: Self.options())
        #expect(oneHop.status == .optimal)
        #expect(abs(oneHop.metrics.servedBytes! - 4.4e9) < 1e3)
        #expect(abs(oneHop.metrics.backlogBytes! - 0.6e9) < 1e3)
        #expect(oneHop.epochs!.allSatisfy { $0.transit == nil && $0.served == nil })

        for method in [ScheduleMethod.ilp, .greedy, .auto] {
            let plan = try SchedulePlanner.plan(Self.instance(Self.handFabric, Self.handEpochs), method: method, options: Self.options())
            #expect(abs(plan.metrics.servedBytes! - 5e9) < 1e3, "\(method): \(plan.metrics.servedBytes!)")
            #expect(plan.metrics.backlogBytes! < 1e3)
            let routes = plan.epochs!.flatMap { $0.transit ?? [] }
            #expect(routes.allSatisfy { $0.source == 0 && $0.via == 1 && $0.target == 2 })
            #expect(abs(routes.reduce(0) { $0 + $1.amount } - 0.6e9) < 1e3)
            // Each epoch with transit lists what it serves of 0→2.
            for ep in plan.epochs! where ep.transit != nil {
                let s = try #require(ep.served?.first { $0.source == 0 && $0.target == 2 })
                #expect(abs(s.bytes - ep.transit!.reduce(0) { $0 + $1.amount }) < 1e3)
            }
            // The circuits are 0→1 and 1→2 in every epoch (2→0 may be idle).
            for ep in plan.epochs! {
                #expect(ep.circuits.contains(Circuit(0, 1)) && ep.circuits.contains(Circuit(1, 2)))
            }
        }
        let greedy = try SchedulePlanner.plan(Self.instance(Self.handFabric, Self.handEpochs), method: .greedy, options: Self.options())
        // The heuristic's routing: epoch 1 moves 0.5 GB over 0→1→2, epoch 2 0.1 GB.
        #expect(abs((greedy.epochs![1].transit?.first?.amount ?? 0) - 0.5e9) < 1e3)
        #expect(abs((greedy.epochs![2].transit?.first?.amount ?? 0) - 0.1e9) < 1e3)
    }

    static func randomInstance(nodes n: Int, ports: Int, epochs: Int, seed: UInt64, packet: Double = 5e7,
                               delta: Double = 0.2, scale: Double = 1.5e9) -> ScheduleInstance {
        var rng = ScheduleRNG(seed: seed)
        let f = ScheduleFixtures.fabric(nodes: n, ports: ports, packetBytesPerSecond: packet, delta: delta)
        let ms = (0..<epochs).map { _ in ScheduleFixtures.demand(nodes: n, density: 0.5, scale: scale, rng: &rng) }
        return instance(f, ms)
    }

    @Test("the transit ILP never serves less than the 1-hop ILP, and its routing is feasible",
          arguments: [(UInt64(1), 1), (2, 2), (3, 1), (4, 2), (5, 1)])
    func neverBelowOneHop(seed: UInt64, ports: Int) throws {
        var inst = Self.randomInstance(nodes: 4, ports: ports, epochs: 3, seed: seed)
        let transit = try SchedulePlanner.plan(inst, method: .ilp, options: Self.options())
        inst.maxHops = 1
        let oneHop = try SchedulePlanner.plan(inst, method: .ilp, options: Self.options())
        #expect(transit.status == .optimal && oneHop.status == .optimal)
        #expect(transit.metrics.servedBytes! >= oneHop.metrics.servedBytes! * (1 - 1e-7),
                "transit \(transit.metrics.servedBytes!) < 1-hop \(oneHop.metrics.servedBytes!)")
        // The model's own routing, checked independently.
        let (f, d, m) = try Self.flat(inst)
        let h = try SchedulePlanner.transitHeuristic(f, durations: d, demands: m, solver: GLPKSolver())
        let start = (h.counts, try h.flows ?? ScheduleTransit.route(f, durations: d, demands: m, counts: h.counts, solver: GLPKSolver()))
        let r = try ScheduleExact.planEpochsTransit(f, durations: d, demands: m, options: Self.options(), start: start)
        let check = TransitCheck.violations(f, durations: d, demands: m, counts: r.counts, flows: r.flows)
        #expect(check.problems.isEmpty, "\(check.problems)")
        #expect(abs(check.served - transit.metrics.servedBytes!) <= 1e-6 * check.served)
        #expect(r.notes.isEmpty, "\(r.notes)")   // the warm start was accepted
    }

    /// The exact method starts from the better of the transit heuristic and
    /// the 1-hop epochs optimum routed with transit: on this seed (found by
    /// a search over 80 seeded instances) the 1-hop optimum routed serves
    /// more than the heuristic, so it is the start, and the plan serves more
    /// than the heuristic and at least what the 1-hop ILP serves.
    @Test("the transit ILP starts from the 1-hop epochs optimum where that serves more than the heuristic")
    func startsFromOneHopOptimum() throws {
        var inst = Self.randomInstance(nodes: 5, ports: 2, epochs: 3, seed: 39)
        let transit = try SchedulePlanner.plan(inst, method: .ilp, options: Self.options())
        #expect(transit.notes?.contains { $0.hasPrefix("warm start: the 1-hop epochs plan (optimal) routed with transit") } == true,
                "\(transit.notes ?? [])")
        let (f, d, m) = try Self.flat(inst)
        let h = try SchedulePlanner.transitHeuristic(f, durations: d, demands: m, solver: GLPKSolver())
        inst.maxHops = 1
        let oneHop = try SchedulePlanner.plan(inst, method: .ilp, options: Self.options())
        #expect(transit.metrics.servedBytes! > h.plan.metrics.servedBytes! * (1 + 1e-9))
        #expect(transit.metrics.servedBytes! >= oneHop.metrics.servedBytes! * (1 - 1e-9))
    }

    @Test("the transit ILP equals brute force: N = 3, three epochs", arguments: [UInt64(11), 12, 13])
    func bruteForceThree(seed: UInt64) throws {
        try Self.compareWithBruteForce(Self.randomInstance(nodes: 3, ports: 1, epochs: 3, seed: seed, packet: 1e8, delta: 0.3))
    }

    @Test("the transit ILP equals brute force: N = 4, two epochs", arguments: [UInt64(21), 22])
    func bruteForceFour(seed: UInt64) throws {
        try Self.compareWithBruteForce(Self.randomInstance(nodes: 4, ports: 1, epochs: 2, seed: seed, packet: 0, delta: 0.4))
    }

    static func compareWithBruteForce(_ inst: ScheduleInstance) throws {
        let (f, d, m) = try flat(inst)
        let brute = try TransitCheck.bruteForce(f, durations: d, demands: m)
        let ilp = try SchedulePlanner.plan(inst, method: .ilp, options: options())
        #expect(ilp.status == .optimal)
        #expect(abs(ilp.metrics.servedBytes! - brute) <= 1e-6 * max(brute, 1), "ILP \(ilp.metrics.servedBytes!), brute force \(brute)")
        let greedy = try SchedulePlanner.plan(inst, method: .greedy, options: options())
        #expect(greedy.metrics.servedBytes! <= brute * (1 + 1e-7))
    }

    @Test("the transit heuristic's plans are feasible, at least the 1-hop greedy and at most the ILP",
          arguments: [(UInt64(31), 4, 1), (32, 4, 2), (33, 5, 1), (34, 5, 2), (35, 6, 2)])
    func heuristicFeasible(seed: UInt64, nodes: Int, ports: Int) throws {
        let inst = Self.randomInstance(nodes: nodes, ports: ports, epochs: 4, seed: seed)
        let (f, d, m) = try Self.flat(inst)
        let r = try ScheduleTransit.greedy(f, durations: d, demands: m, solver: GLPKSolver())
        let check = TransitCheck.violations(f, durations: d, demands: m, counts: r.counts, flows: r.flows)
        #expect(check.problems.isEmpty, "\(check.problems)")
        let plan = try SchedulePlanner.plan(inst, method: .greedy, options: Self.options())
        #expect(ScheduleScoring.violations(of: plan, for: inst).isEmpty)
        var flat = inst
        flat.maxHops = 1
        let oneHop = try SchedulePlanner.plan(flat, method: .greedy, options: Self.options())
        #expect(plan.metrics.servedBytes! >= oneHop.metrics.servedBytes! * (1 - 1e-12))
        if nodes <= 4 {
            let ilp = try SchedulePlanner.plan(inst, method: .ilp, options: Self.options(10))
            if ilp.status == .optimal { #expect(plan.metrics.servedBytes! <= ilp.metrics.servedBytes! * (1 + 1e-7)) }
        }
        // Served entries: one per pair with transit, each at least its transit bytes.
        for ep in plan.epochs! {
            let pairs = Set((ep.transit ?? []).map { [$0.source, $0.target] })
            #expect(Set((ep.served ?? []).map { [$0.source, $0.target] }) == pairs)
            for s in ep.served ?? [] {
                let t = (ep.transit ?? []).filter { $0.source == s.source && $0.target == s.target }.reduce(0) { $0 + $1.amount }
                #expect(s.bytes >= t * (1 - 1e-12))
            }
        }
    }

    @Test("static and rotor with transit route their circuits by the LP: never below their 1-hop plans")
    func staticAndRotor() throws {
        var inst = Self.randomInstance(nodes: 5, ports: 2, epochs: 3, seed: 41)
        for method in [ScheduleMethod.static, .rotor] {
            inst.maxHops = 2
            let t = try SchedulePlanner.plan(inst, method: method, options: Self.options())
            inst.maxHops = 1
            let o = try SchedulePlanner.plan(inst, method: method, options: Self.options())
            #expect(t.epochs!.map(\.circuits) == o.epochs!.map(\.circuits))
            #expect(t.metrics.servedBytes! >= o.metrics.servedBytes! * (1 - 1e-9))
        }
    }

    @Test("the reduced routing LP (pairs without circuit or path keep their 1-hop packet bytes) is feasible, between the 1-hop step and the full LP",
          arguments: [UInt64(51), 52, 53])
    func reducedRouting(seed: UInt64) throws {
        let inst = Self.randomInstance(nodes: 6, ports: 1, epochs: 3, seed: seed, packet: 3e8)
        let (f, d, m) = try Self.flat(inst)
        let counts = ScheduleHeuristics.epochsGreedy(f, durations: d, demands: m)
        var avail = [Double](repeating: 0, count: f.n * f.n)
        var flows: [TransitEpochFlows] = []
        for e in d.indices {
            for k in avail.indices { avail[k] += m[e][k] }
            let prev = e == 0 ? nil : counts[e - 1]
            var full = avail, step = avail, reduced = avail
            let byFull = try ScheduleTransit.routeEpoch(f, duration: d[e], counts: counts[e], previous: prev, available: &full,
                                                        solver: GLPKSolver(), reduceAbove: Int.max)
            let byReduced = try ScheduleTransit.routeEpoch(f, duration: d[e], counts: counts[e], previous: prev, available: &reduced,
                                                           solver: GLPKSolver(), reduceAbove: 0)
            let oneHop = ScheduleScoring.epochStep(f, duration: d[e], available: &step, counts: counts[e], previous: prev)
            #expect(byReduced.total >= oneHop.served * (1 - 1e-6))
            #expect(byReduced.total <= byFull.total * (1 + 1e-6))
            flows.append(byReduced)
            avail = reduced
        }
        let check = TransitCheck.violations(f, durations: d, demands: m, counts: counts, flows: flows)
        #expect(check.problems.isEmpty, "\(check.problems)")
    }
}
