import Foundation
import Testing
import OptoCore
import OptoGLPK
@testable import OptoPlanners

/// Transit (`maxHops: 2`) in the link-pool planner: hand-checked cases,
/// brute force over every circuit matrix scored with the routing LP, and
/// the heuristics and the 1-hop optimum against the transit optimum.
@Suite("LinkPool transit")
struct LinkPoolTransitTests {
    let options = PlanningOptions(timeLimit: 20, solver: GLPKSolver())

    /// Three nodes, circuits 0→1 and 1→2, demand only 0→2, no packet
    /// fabric: the pair's only path is 0→1→2, so λ = r_c / R.
    @Test func transitAloneOverFixedCircuits() throws {
        var instance = LinkPoolInstance(fabric: LinkPoolFabric(nodes: 3, ports: 2, circuitRate: 400e9, packetRate: 0),
                                        demand: Matrix([[0, 0, 100e9], [0, 0, 0], [0, 0, 0]]), maxHops: 2)
        instance.current = [Circuit(0, 1), Circuit(1, 2)]
        let plan = try LinkPoolPlanner.route(instance, options: options)
        #expect(close(try #require(plan.metrics.lambda), 4, relative: 1e-9))
        let transit = try #require(plan.transit)
        #expect(transit.count == 1)
        #expect(transit.first.map { [$0.source, $0.via, $0.target] } == [0, 1, 2])
        #expect(close(try #require(transit.first?.amount), 400e9, relative: 1e-9))
        #expect(close(plan.carried[0][2], 400e9, relative: 1e-9))
        #expect(plan.circuits == [Circuit(0, 1), Circuit(1, 2)])
        #expect(LinkPoolPlanner.routingViolation(plan, instance) == nil)
        // One hop over the same circuits carries nothing.
        var oneHop = instance
        oneHop.maxHops = 1
        #expect(try LinkPoolPlanner.route(oneHop, options: options).metrics.lambda == 0)
        #expect(try LinkPoolPlanner.route(oneHop, options: options).transit == nil)
    }

    /// A ring of three nodes with one transmitter and one receiver each,
    /// demand D on 0→1, 1→2, 2→0 and 0→2, packet P = r_c/4. One hop: node 0
    /// has one transmitter, so 0→1 or 0→2 rides the packet fabric: λ = P/D.
    /// Transit: the ring 0→1→2→0 with 0→2 over 0→1→2 and its rest on the
    /// packet fabric: 2·λD − P ≤ r_c, so λ = (r_c + P)/(2D), 2.5× more.
    @Test func transitBeatsOneHopByTheHandComputedFactor() throws {
        let rc = 400e9, p = 100e9, d = 100e9
        var fabric = LinkPoolFabric(nodes: 3, ports: 2, circuitRate: rc, packetRate: p)
        fabric.tx = [1, 1, 1]
        fabric.rx = [1, 1, 1]
        let demand = Matrix([[0, d, d], [0, 0, d], [d, 0, 0]])
        let oneHop = try LinkPoolPlanner.plan(LinkPoolInstance(fabric: fabric, demand: demand), method: .ilp, options: options)
        let instance = LinkPoolInstance(fabric: fabric, demand: demand, maxHops: 2)
        let two = try LinkPoolPlanner.plan(instance, method: .ilp, options: options)
        #expect(close(oneHop.metrics.objective, p / d, relative: 1e-9))
        #expect(close(two.metrics.objective, (rc + p) / (2 * d), relative: 1e-7))
        #expect(close(two.metrics.objective / oneHop.metrics.objective, 2.5, relative: 1e-7))
        #expect(two.status == .optimal)
        #expect(Set(two.circuits) == [Circuit(0, 1), Circuit(1, 2), Circuit(2, 0)])
        #expect(LinkPoolPlanner.routingViolation(two, instance) == nil)
        #expect(two.transit?.contains { $0.source == 0 && $0.via == 1 && $0.target == 2 } == true)
        // The 1-hop plan with maxHops 1 has no transit field at all.
        #expect(oneHop.transit == nil)
    }

    /// 12 seeds × 2 objectives, N = 3 or 4, small pools, some with caps or a
    /// current allocation under a budget.
    static let cases: [(seed: UInt64, objective: LinkPoolObjective, caps: Bool, current: Bool)] = {
        var out: [(UInt64, LinkPoolObjective, Bool, Bool)] = []
        for seed in UInt64(1)...12 {
            for objective in LinkPoolObjective.allCases {
                out.append((seed, objective, seed % 4 == 1, seed % 4 == 2))
            }
        }
        return out
    }()

    /// A small instance where transit matters: little or no packet fabric,
    /// few ports, and many pairs with small demand beside a few large ones
    /// (one hop spends a whole circuit on each small pair).
    static func instance(_ c: (seed: UInt64, objective: LinkPoolObjective, caps: Bool, current: Bool)) -> LinkPoolInstance {
        let nodes = 3 + Int(c.seed % 2)
        var instance = smallInstance(seed: c.seed &+ 100, nodes: nodes, maxPorts: nodes == 4 ? 2 : 3, objective: c.objective,
                                     caps: c.caps, current: c.current)
        var rng = LinkPoolRNG(seed: c.seed &* 7919)
        var demand = Matrix(size: nodes)
        for i in 0..<nodes {
            for j in 0..<nodes where i != j && Int.random(in: 0..<3, using: &rng) > 0 {
                let large = Int.random(in: 0..<3, using: &rng) == 0
                demand[i, j] = Double(large ? Int.random(in: 200...1200, using: &rng) : Int.random(in: 5...120, using: &rng)) * 1e9
            }
        }
        if demand.total == 0 { demand[0, 1] = 100e9 }
        instance.demand = demand
        instance.fabric.opticalPorts = (0..<nodes).map { _ in Int.random(in: 2...(nodes == 4 ? 3 : 4), using: &rng) }
        instance.fabric.packetRate = (0..<nodes).map { _ in Int.random(in: 0..<2, using: &rng) == 0 ? 0 : 25e9 }
        instance.maxHops = 2
        return instance
    }

    @Test(arguments: 0..<cases.count)
    func ilpEqualsBruteForceAndNeverLosesToOneHop(_ index: Int) throws {
        let c = Self.cases[index]
        let instance = Self.instance(c)
        let problem = try LinkPoolProblem(instance)
        let plan = try LinkPoolPlanner.plan(instance, method: .ilp, options: options)
        let brute = try problem.bruteForce(solver: GLPKSolver())
        guard let brute else {
            #expect(plan.status == .infeasible, "case \(index)")
            return
        }
        #expect(plan.status == .optimal, "case \(index): \(plan.notes ?? [])")
        #expect(close(plan.metrics.objective, brute.objective, relative: 1e-6),
                "case \(index): ilp \(plan.metrics.objective), brute force \(brute.objective)")
        #expect(plan.circuits.count == brute.counts.reduce(0, +),
                "case \(index): ilp \(plan.circuits.count) circuits, brute force \(brute.counts.reduce(0, +))")
        #expect(LinkPoolPlanner.routingViolation(plan, instance) == nil, "case \(index): \(LinkPoolPlanner.routingViolation(plan, instance) ?? "")")
        // The 1-hop optimum is a feasible transit plan.
        var oneHop = instance
        oneHop.maxHops = 1
        let direct = try LinkPoolPlanner.plan(oneHop, method: .ilp, options: options)
        if direct.status != .infeasible {
            #expect(plan.metrics.objective >= direct.metrics.objective * (1 - 1e-7), "case \(index)")
        }
    }

    /// The tidy routing given the untidy routing of the same counts (one LP)
    /// equals the tidy routing from scratch (two LPs): the same objective,
    /// the same least transit. Over the transit greedy's filled circuits on
    /// the 24 seeded cases. Their pools are small (2–3 ports), so only some
    /// have a route over two built circuits (8 of the 24): the one-LP path
    /// must run on at least a quarter of them.
    @Test func tidyRoutingFromAKnownObjectiveEqualsTheFullTidy() throws {
        let solver = GLPKSolver()
        var shortcutRuns = 0
        for (index, c) in Self.cases.enumerated() {
            let problem = try LinkPoolProblem(Self.instance(c))
            // The transit greedy's circuits before it trims them: every free port filled.
            var state = GreedyState(problem, counts: try problem.greedyAllocation().counts)
            problem.coverPairs(&state)
            problem.fillFreePorts(&state)
            let counts = state.counts
            let untidy = try problem.routedAllocation(counts, solver: solver)
            let full = try problem.routedAllocation(counts, solver: solver, tidy: true)
            let shortcut = try problem.routedAllocation(counts, solver: solver, tidy: true, routed: untidy)
            // The conditions under which the one-LP path is taken.
            if untidy.objective > 0 && !LinkPoolTransitModel(problem, circuits: .fixed(counts), goal: .maximise).routes.isEmpty {
                shortcutRuns += 1
            }
            #expect(close(shortcut.objective, full.objective, relative: 1e-9), "case \(index)")
            let transit = { (a: LinkPoolAllocation) in a.transit.reduce(0) { $0 + $1.amount } }
            #expect(abs(transit(shortcut) - transit(full)) <= 1e-6 * problem.rate, "case \(index): \(transit(shortcut)) vs \(transit(full))")
            #expect(transit(shortcut) <= transit(untidy) + 1e-6 * problem.rate, "case \(index)")
        }
        #expect(shortcutRuns >= Self.cases.count / 4, "the one-LP tidy ran on \(shortcutRuns) of \(Self.cases.count) cases")
    }

    @Test(arguments: 0..<cases.count)
    func heuristicsAreFeasibleAndNeverBeatTheOptimum(_ index: Int) throws {
        let c = Self.cases[index]
        let instance = Self.instance(c)
        let problem = try LinkPoolProblem(instance)
        let exact = try LinkPoolPlanner.plan(instance, method: .ilp, options: options)
        // Small cases: the ILP proves them, and the greedy always has a plan.
        try #require(exact.status == .optimal, "case \(index)")
        let tol = 1e-7 * max(exact.metrics.objective, 1e-300)
        let greedy = try LinkPoolPlanner.plan(instance, method: .greedy, options: options)
        #expect(problem.violation(counts(greedy, nodes: problem.n)) == nil, "case \(index)")
        #expect(LinkPoolPlanner.routingViolation(greedy, instance) == nil, "case \(index): \(LinkPoolPlanner.routingViolation(greedy, instance) ?? "")")
        #expect(greedy.metrics.objective <= exact.metrics.objective + tol, "case \(index)")
        let symmetric = try LinkPoolPlanner.plan(instance, method: .symmetric, options: options)
        if symmetric.status != .infeasible {
            let c = counts(symmetric, nodes: problem.n)
            #expect(problem.violation(c) == nil && problem.isSymmetric(c), "case \(index)")
            #expect(LinkPoolPlanner.routingViolation(symmetric, instance) == nil, "case \(index)")
            #expect(symmetric.metrics.objective <= exact.metrics.objective + tol, "case \(index)")
            if let brute = try problem.bruteForce(symmetric: true, solver: GLPKSolver()) {
                #expect(close(symmetric.metrics.objective, brute.objective, relative: 1e-6),
                        "case \(index): symmetric \(symmetric.metrics.objective), brute force \(brute.objective)")
            }
        }
        let auto = try LinkPoolPlanner.plan(instance, method: .auto, options: options)
        #expect(close(auto.metrics.objective, exact.metrics.objective, relative: 1e-6), "case \(index)")
    }

    /// The seeded cases are not all ones where transit changes nothing.
    @Test func transitRaisesTheOptimumOnSomeSeededCases() throws {
        var better = 0
        for c in Self.cases {
            let instance = Self.instance(c)
            var oneHop = instance
            oneHop.maxHops = 1
            let two = try LinkPoolPlanner.plan(instance, method: .ilp, options: options)
            let one = try LinkPoolPlanner.plan(oneHop, method: .ilp, options: options)
            if two.status == .optimal && one.status == .optimal && two.metrics.objective > one.metrics.objective * (1 + 1e-6) { better += 1 }
        }
        #expect(better >= 4, "transit beat one hop on \(better) of \(Self.cases.count) cases")
    }

    /// maxHops 1 plans are unchanged by the transit code: no transit field.
    @Test func oneHopPlansHaveNoTransitField() throws {
        for method in LinkPoolMethod.allCases {
            let plan = try LinkPoolPlanner.plan(referenceInstance(), method: method, options: options)
            #expect(plan.transit == nil)
        }
    }

    @Test func badMaxHopsIsAnInstanceError() {
        var instance = referenceInstance()
        instance.maxHops = 3
        #expect(throws: LinkPoolError.self) { try LinkPoolPlanner.plan(instance, method: .greedy) }
    }

    @Test func routeOnlyNeedsCurrent() {
        var instance = referenceInstance()
        instance.maxHops = 2
        #expect(throws: LinkPoolError.self) { try LinkPoolPlanner.route(instance, options: options) }
    }
}
