import Testing
import OptoCore
import OptoModel
import OptoGLPK
@testable import OptoPlanners

/// The transit greedy's bottleneck path moves and the split bound
/// (LinkPoolPlanner+TransitPaths.swift).
@Suite("Link-pool transit: bottleneck path moves and the split bound")
struct LinkPoolTransitPathsTests {
    /// A three-node transit instance (400 Gb/s circuits, concurrent) with
    /// the given rates `(s, t, bps)`, pooled ports and packet rates.
    static func threeNodes(_ rates: [(Int, Int, Double)], ports: [Int], packet: [Double]) -> LinkPoolInstance {
        var demand = Matrix(size: 3)
        for (s, t, r) in rates { demand[s, t] = r }
        var instance = LinkPoolInstance(fabric: LinkPoolFabric(nodes: 3, opticalPorts: ports, circuitRate: 400e9, packetRate: packet),
                                        demand: demand, objective: .concurrent)
        instance.maxHops = 2
        return instance
    }

    /// Node 0 has one pooled port and sends 360 Gb/s to node 1 and 80 Gb/s
    /// to node 2; every node has 50 Gb/s of packet fabric.
    static func hotSender() -> LinkPoolInstance {
        threeNodes([(0, 1, 360e9), (0, 2, 80e9)], ports: [1, 4, 4], packet: [50e9, 50e9, 50e9])
    }

    /// By hand: with the one circuit 0→1, pair 0→2 rides node 0's packet
    /// port alone, λ = 50/80 = 0.625, and that port is the bottleneck. The
    /// move adds 1→2 beside the circuit 0→1, which is not full: node 0's
    /// circuit and packet port then carry both pairs, 440·λ ≤ 400 + 50,
    /// λ = 450/440, which is node 0's split bound, so the moves stop there.
    @Test func packetBoundPairGetsATransitLegByHand() throws {
        let problem = try LinkPoolProblem(Self.hotSender())
        let solver = GLPKSolver()
        var counts = [Int](repeating: 0, count: 9)
        counts[0 * 3 + 1] = 1
        let start = try problem.routedAllocation(counts, solver: solver)
        #expect(abs(start.objective - 0.625) <= 1e-9)
        #expect(abs(problem.splitBound() - 450.0 / 440.0) <= 1e-12)
        let moved = try problem.improveByPaths(start, solver: solver, deadline: .now + .seconds(20))
        #expect(abs(moved.objective - 450.0 / 440.0) <= 1e-9 * 450 / 440, "λ \(moved.objective)")
        #expect(moved.counts[0 * 3 + 1] == 1 && moved.counts[1 * 3 + 2] == 1 && moved.counts.reduce(0, +) == 2,
                "circuits \(moved.counts)")
        #expect(moved.transit.contains { $0.source == 0 && $0.via == 1 && $0.target == 2 })
        #expect(problem.violation(moved.counts) == nil)
    }

    /// By hand: node 0 has three pooled ports, sends 600 Gb/s and receives
    /// 600 Gb/s, no packet fabric. Its ports split 1 + 2 or 2 + 1, so
    /// λ ≤ 400/600 = 2/3 (a fractional split, the LP relaxation's, allows
    /// 1.5 + 1.5 and λ = 1; each side alone with all three ports, 2), and
    /// the exact plan reaches it.
    @Test func splitBoundCountsWholeCircuitsByHand() throws {
        let instance = Self.threeNodes([(0, 1, 600e9), (2, 0, 600e9)], ports: [3, 4, 4], packet: [0, 0, 0])
        let problem = try LinkPoolProblem(instance)
        #expect(abs(problem.splitBound() - 2.0 / 3) <= 1e-12)
        let plan = try LinkPoolPlanner.plan(instance, method: .ilp, options: PlanningOptions(timeLimit: 30, solver: GLPKSolver()))
        #expect(plan.status == .optimal)
        #expect(abs(plan.metrics.objective - 2.0 / 3) <= 1e-6, "λ \(plan.metrics.objective)")
    }

    /// The split bound holds: no allocation beats it, on the 12 seeded
    /// concurrent cases of LinkPoolTransitTests (brute force), caps and
    /// change budgets included; and it is the optimum on some of them (it
    /// is not a loose number that holds trivially).
    @Test func splitBoundIsNeverBeatenByTheBruteForce() throws {
        var attained = 0, compared = 0
        for c in LinkPoolTransitTests.cases where c.objective == .concurrent {
            let problem = try LinkPoolProblem(LinkPoolTransitTests.instance(c))
            #expect(abs(problem.splitBound() - Self.splitBoundByEveryPortSplit(problem)) <= 1e-12 * max(1, problem.splitBound()),
                    "seed \(c.seed): bisection \(problem.splitBound())")
            guard let brute = try problem.bruteForce(solver: GLPKSolver()) else { continue }
            compared += 1
            let bound = problem.splitBound()
            #expect(brute.objective <= bound * (1 + 1e-9), "seed \(c.seed): optimum \(brute.objective) above the bound \(bound)")
            if brute.objective >= bound * (1 - 1e-9) { attained += 1 }
        }
        #expect(compared >= 10)
        #expect(attained >= 1, "the bound was the optimum on \(attained) of \(compared)")
    }

    /// The split bound written apart from the planner: every split of every
    /// node's ports tried (the planner bisects).
    static func splitBoundByEveryPortSplit(_ p: LinkPoolProblem) -> Double {
        var best = Double.infinity
        for i in 0..<p.n {
            let out = (0..<p.n).reduce(0.0) { $0 + ($1 == i ? 0 : p.demand[i * p.n + $1]) }
            let inc = (0..<p.n).reduce(0.0) { $0 + ($1 == i ? 0 : p.demand[$1 * p.n + i]) }
            guard out > 0 || inc > 0 else { continue }
            var node = 0.0
            for o in 0...min(p.ports[i], p.tx[i]) {
                let send = out > 0 ? (Double(o) * p.rate + p.packet[i]) / out : .infinity
                let receive = inc > 0 ? (Double(min(p.ports[i] - o, p.rx[i])) * p.rate + p.packet[i]) / inc : .infinity
                node = max(node, min(send, receive))
            }
            best = min(best, node)
        }
        return best
    }

    /// Every path move keeps a path for every pair: routed, each candidate
    /// of the greedy plan's first round has λ > 0 (a plain swap that took
    /// out a pair's only path, as N = 32 skewed's 6→20 did for 17→20, gave
    /// λ 0), on the 16 seeded skewed instances, two thirds of whose nodes
    /// have no packet fabric.
    @Test func pathCandidatesNeverCutAPairOff() throws {
        let solver = GLPKSolver()
        var routed = 0
        for seed in UInt64(1)...16 {
            let (problem, start) = try LinkPoolTransitMovesTests.greedyStart(seed: seed, solver: solver)
            guard start.objective > 0 else { continue }
            for c in problem.pathCandidates(problem.trimmedToLoad(start)) {
                #expect(problem.violation(c) == nil, "seed \(seed)")
                let a = try problem.routedAllocation(c, solver: solver)
                #expect(a.objective > 0, "seed \(seed): a candidate cut a pair off")
                routed += 1
            }
        }
        #expect(routed >= 16, "only \(routed) candidates")
    }

    /// From the 1-hop greedy's circuits on the moves test's 16 seeded skewed
    /// instances: never lower λ, port limits kept, λ the routing LP's of the
    /// circuits and never above the split bound; the moves raise λ on some.
    @Test func pathMovesKeepFeasibilityAndHelpOnSomeSeeds() throws {
        let solver = GLPKSolver()
        var raised = 0
        for seed in UInt64(1)...16 {
            let (problem, start) = try LinkPoolTransitMovesTests.greedyStart(seed: seed, solver: solver)
            let moved = try problem.improveByPaths(start, solver: solver, deadline: .now + .seconds(20))
            #expect(moved.objective >= start.objective * (1 - 1e-9), "seed \(seed): \(moved.objective) < \(start.objective)")
            #expect(problem.violation(moved.counts) == nil, "seed \(seed): \(problem.violation(moved.counts) ?? "")")
            #expect(moved.objective <= problem.splitBound() * (1 + 1e-9), "seed \(seed)")
            let again = try problem.routedAllocation(moved.counts, solver: solver)
            #expect(abs(again.objective - moved.objective) <= 1e-7 * max(moved.objective, 1e-12), "seed \(seed)")
            if moved.objective > start.objective * (1 + 1e-6) { raised += 1 }
        }
        #expect(raised >= 1, "the path moves raised λ on \(raised) of 16 seeds")
    }

    /// The kicks' random rewiring keeps every node's transmitter and
    /// receiver counts (so the port limits and caps hold) and moves two
    /// circuits; with a change budget it gives nothing.
    @Test func randomRewiringKeepsPortCounts() throws {
        var rng = SplitMix64(seed: 7)
        var rewired = 0
        for seed in UInt64(1)...8 {
            let instance = LinkPoolTransitMovesTests.skewed(seed: seed)
            let problem = try LinkPoolProblem(instance)
            // The 1-hop greedy's circuits with the free ports filled, as the transit greedy has them.
            var state = GreedyState(problem, counts: try problem.greedyAllocation().counts)
            problem.fillFreePorts(&state)
            let counts = state.counts
            let n = problem.n
            guard let r = problem.randomRewiring(counts, using: &rng) else { continue }
            rewired += 1
            #expect(problem.violation(r) == nil, "seed \(seed)")
            for v in 0..<n {
                #expect((0..<n).reduce(0) { $0 + r[v * n + $1] } == (0..<n).reduce(0) { $0 + counts[v * n + $1] }, "seed \(seed) node \(v) out")
                #expect((0..<n).reduce(0) { $0 + r[$1 * n + v] } == (0..<n).reduce(0) { $0 + counts[$1 * n + v] }, "seed \(seed) node \(v) in")
            }
            #expect((0..<(n * n)).reduce(0) { $0 + abs(r[$1] - counts[$1]) } == 4, "seed \(seed): two circuits out, two in")
            var budgeted = instance
            budgeted.maxChanges = 4
            budgeted.current = []
            #expect(try LinkPoolProblem(budgeted).randomRewiring(counts, using: &rng) == nil)
        }
        #expect(rewired >= 6)
    }
}
