import OptoCore
import OptoEval
import OptoGLPK
@testable import OptoPlanners
import Testing

/// PROBLEMS.md §4's reference case: five servers, one port each, circuits
/// 0→2→4→1→3→0, no packet fabric, one AllReduce in rank order.
func fiveServerRing(bytes: Double = 1e9) -> CollectiveInstance {
    CollectiveInstance(fabric: Fabric(nodes: 5, ports: 1, circuitRate: 400e9, packetRate: 0, reconfigurationDelay: 10e-6),
                       maxHops: 4, current: [Circuit(0, 2), Circuit(2, 4), Circuit(4, 1), Circuit(1, 3), Circuit(3, 0)],
                       reconfigure: false,
                       jobs: [CollectiveJob(name: "llm-a", collectives: [Collective(name: "dp", kind: .allreduce, group: [0, 1, 2, 3, 4], bytes: bytes)])])
}

/// A random instance with given circuits: a random configuration within
/// `k` ports per node, one job with an AllReduce over `m` random nodes, and
/// optionally an alltoall over a few of them.
func randomGivenInstance(seed: UInt64, nodes: Int, m: Int, ports: Int = 1, packet: Double = 0, maxHops: Int = 2,
                         alltoall: Bool = false, cycle: Bool = false) -> CollectiveInstance {
    var rng = LinkPoolRNG(seed: seed)
    var tx = Array(repeating: ports, count: nodes), rx = tx
    var circuits: [Circuit] = []
    if cycle {
        // A random cycle through every node first, so every transfer has a circuit route.
        let order = Array(0..<nodes).shuffled(using: &rng)
        for i in 0..<nodes { circuits.append(Circuit(order[i], order[(i + 1) % nodes])); tx[order[i]] -= 1; rx[order[(i + 1) % nodes]] -= 1 }
    }
    for _ in 0..<(nodes * ports * 2) {
        let u = Int.random(in: 0..<nodes, using: &rng), v = Int.random(in: 0..<nodes, using: &rng)
        if u != v && tx[u] > 0 && rx[v] > 0 { circuits.append(Circuit(u, v)); tx[u] -= 1; rx[v] -= 1 }
    }
    let group = Array((0..<nodes).shuffled(using: &rng).prefix(m))
    var collectives = [Collective(name: "dp", kind: .allreduce, group: group, bytes: Double(Int.random(in: 1...9, using: &rng)) * 1e8)]
    if alltoall { collectives.append(Collective(name: "ep", kind: .alltoall, group: Array(group.prefix(3)), bytes: 2e7)) }
    return CollectiveInstance(fabric: Fabric(nodes: nodes, ports: ports, circuitRate: 100e9, packetRate: packet, reconfigurationDelay: 1e-5),
                              maxHops: maxHops, current: circuits, reconfigure: false,
                              jobs: [CollectiveJob(name: "j", collectives: collectives)])
}

func evaluatedTime(_ plan: CollectivePlan, _ instance: CollectiveInstance) throws -> Double {
    try #require(Evaluator.evaluate(plan, on: instance).makespan)
}

@Suite("Collective planner")
struct CollectivePlannerTests {
    let glpk = PlanningOptions(timeLimit: 20, solver: GLPKSolver())

    @Test("reference case: fixed runs at a third of the circuit rate, matched at the full rate, equal to the bound")
    func referenceCase() throws {
        let instance = fiveServerRing()
        // By hand: 8 steps of 1 GB/5 = 200 MB per transfer; at 400 Gb/s a step takes 4 ms.
        let bound = 8 * 0.2e9 * 8 / 400e9
        #expect(abs(instance.jobLowerBounds(startDelay: 0)[0] - bound) <= 1e-12 * bound)
        let fixed = try CollectivePlanner.plan(instance, method: .fixed)
        let matched = try CollectivePlanner.plan(instance, method: .matched)
        #expect(fixed.rings["llm-a/dp"]?.map(\.order) == [[0, 1, 2, 3, 4]])
        #expect(matched.rings["llm-a/dp"]?.map(\.order) == [[0, 2, 4, 1, 3]])
        // Kept circuits: no δ. Fixed relays each transfer over 3 circuits, each circuit carries 3.
        let tf = try evaluatedTime(fixed, instance), tm = try evaluatedTime(matched, instance)
        #expect(abs(tf - 3 * bound) <= 1e-9 * bound)
        #expect(abs(tm - bound) <= 1e-9 * bound)
        #expect(abs((matched.metrics.time ?? 0) - bound) <= 1e-9 * bound)
        #expect(abs((fixed.metrics.time ?? 0) - 3 * bound) <= 1e-9 * bound)
        for method in [CollectiveMethod.ilp, .auto] {
            let p = try CollectivePlanner.plan(instance, method: method, options: glpk)
            #expect(abs(try evaluatedTime(p, instance) - bound) <= 1e-9 * bound, "\(method)")
        }
        let m = try Evaluator.evaluate(matched, on: instance)
        let dp = try #require(m.collectiveJobs?["llm-a"]?.collectives["dp"])
        #expect(abs(dp.algorithmicBandwidth - 8 * 1e9 / bound) <= 1e-6 * dp.algorithmicBandwidth)
        #expect(abs((m.collectiveJobs?["llm-a"]?.ratio ?? 0) - 1) <= 1e-9)
    }

    @Test("one AllReduce on free circuits with k ports: matched's evaluated time equals the bound (δ included)",
          arguments: [(5, 1, 0.0), (6, 2, 0.0), (7, 3, 0.0), (8, 4, 25e9), (6, 2, 10e9)])
    func freeAllReduce(m: Int, k: Int, p: Double) throws {
        let instance = CollectiveInstance(fabric: Fabric(nodes: m, ports: k, circuitRate: 100e9, packetRate: p, reconfigurationDelay: 20e-6),
                                          jobs: [CollectiveJob(name: "j", collectives: [Collective(name: "ar", kind: .allreduce, group: Array(0..<m), bytes: 3e8)])])
        let plan = try CollectivePlanner.plan(instance, method: .matched)
        #expect(plan.rings["j/ar"]?.count == k)
        let bound = 20e-6 + 8 * 2 * Double(m - 1) / Double(m) * 3e8 / (Double(k) * 100e9 + p)
        #expect(abs(try evaluatedTime(plan, instance) - bound) <= 1e-9 * bound)
        #expect(abs((plan.metrics.lowerBound ?? 0) - bound) <= 1e-12 * bound)
    }

    @Test("an alltoall on a complete direct configuration takes 8·S/(r_c + p/(m−1)), the bound")
    func alltoallComplete() throws {
        let m = 4
        var circuits: [Circuit] = []
        for u in 0..<m { for v in 0..<m where u != v { circuits.append(Circuit(u, v)) } }
        let instance = CollectiveInstance(fabric: Fabric(nodes: m, ports: m - 1, circuitRate: 100e9, packetRate: 30e9),
                                          current: circuits, reconfigure: false,
                                          jobs: [CollectiveJob(name: "j", collectives: [Collective(name: "a2a", kind: .alltoall, group: Array(0..<m), bytes: 5e7)])])
        let plan = try CollectivePlanner.plan(instance, method: .matched)
        let expected = 8 * 5e7 / (100e9 + 30e9 / 3)
        #expect(abs(try evaluatedTime(plan, instance) - expected) <= 1e-9 * expected)
        #expect(abs(instance.jobLowerBounds(startDelay: 0)[0] - expected) <= 1e-9 * expected)
    }

    @Test("ilp equals brute force over ring orders on its own model (given circuits); no method beats it")
    func ilpGivenBruteForce() throws {
        for seed in UInt64(1)...4 {
            let instance = randomGivenInstance(seed: seed, nodes: 6, m: 5, packet: seed % 2 == 0 ? 20e9 : 0, maxHops: 5, alltoall: seed % 3 == 0,
                                               cycle: true)
            let ilp = try CollectivePlanner.plan(instance, method: .ilp, options: glpk)
            #expect(ilp.status == .optimal)
            let circuits = instance.current!
            let tIlp = try CollectivePlanner.steadyRateTime(instance, circuits: circuits, rings: ilp.rings, solver: GLPKSolver())
            var best = Double.infinity
            for rings in CollectivePlanner.exhaustiveRingOrders(instance, limit: 1000)! {
                best = min(best, try CollectivePlanner.steadyRateTime(instance, circuits: circuits, rings: rings, solver: GLPKSolver()))
            }
            #expect(abs(tIlp - best) <= 1e-6 * best, "seed \(seed): ilp \(tIlp), brute force \(best)")
            #expect(abs((ilp.metrics.time ?? 0) - tIlp) <= 1e-6 * tIlp)
            for method in [CollectiveMethod.fixed, .matched] {
                let p = try CollectivePlanner.plan(instance, method: method)
                let t = try CollectivePlanner.steadyRateTime(instance, circuits: p.circuits, rings: p.rings, solver: GLPKSolver())
                #expect(t >= tIlp * (1 - 1e-6), "seed \(seed) \(method)")
            }
        }
    }

    @Test("ilp with free circuits equals brute force over configurations and ring orders (N = 4, k = 1)")
    func ilpFreeBruteForce() throws {
        for (seed, packet) in [(UInt64(1), 5e9), (2, 15e9), (3, 40e9)] {
            var rng = LinkPoolRNG(seed: seed)
            let instance = CollectiveInstance(
                fabric: Fabric(nodes: 4, ports: 1, circuitRate: 100e9, packetRate: packet, reconfigurationDelay: 1e-5),
                jobs: [CollectiveJob(name: "j", collectives: [
                    Collective(name: "ar", kind: .allreduce, group: [0, 1, 2, 3].shuffled(using: &rng), bytes: 4e8),
                    Collective(name: "a2a", kind: .alltoall, group: [0, 1], bytes: Double(Int.random(in: 1...5, using: &rng)) * 2e7),
                ])])
            let ilp = try CollectivePlanner.plan(instance, method: .ilp, options: glpk)
            #expect(ilp.status == .optimal)
            // Every configuration with at most one circuit out of and into each node.
            var configurations: [[Circuit]] = [[]]
            func extend(_ u: Int, _ used: Set<Int>, _ acc: [Circuit]) {
                if u == 4 { configurations.append(acc); return }
                extend(u + 1, used, acc)
                for v in 0..<4 where v != u && !used.contains(v) { extend(u + 1, used.union([v]), acc + [Circuit(u, v)]) }
            }
            configurations = []
            extend(0, [], [])
            var best = Double.infinity
            for config in configurations {
                for rings in CollectivePlanner.exhaustiveRingOrders(instance, limit: 100)! {
                    best = min(best, try CollectivePlanner.steadyRateTime(instance, circuits: config, rings: rings, solver: GLPKSolver()))
                }
            }
            let tIlp = try CollectivePlanner.steadyRateTime(instance, circuits: ilp.circuits, rings: ilp.rings, solver: GLPKSolver())
            #expect(abs(tIlp - best) <= 1e-6 * best, "seed \(seed): ilp \(tIlp), brute force \(best)")
        }
    }

    @Test("given circuits (groups of 4, 5, 6 and 8; auto tries every order up to 8): auto's and ilp's ring orders are optimal for the evaluator (p = 0, one allreduce)")
    func givenCircuitsEvaluatorOptimal() throws {
        for (seed, m) in [(UInt64(11), 4), (12, 5), (13, 6), (14, 8)] {
            let instance = randomGivenInstance(seed: seed, nodes: m + 1, m: m, ports: 2, maxHops: m, cycle: true)
            let orders = try #require(CollectivePlanner.exhaustiveRingOrders(instance, limit: CollectivePlanner.exhaustiveLimit))
            var best = Double.infinity
            for rings in orders {
                let p = CollectivePlan(method: "x", status: .heuristic, metrics: PlanMetrics(objective: 0), circuits: instance.current!, rings: rings)
                if let t = try? evaluatedTime(p, instance) { best = min(best, t) }
            }
            let judge: @Sendable (CollectivePlan) -> [Double]? = { p in (try? Evaluator.evaluate(p, on: instance)).flatMap { $0.makespan }.map { [$0] } }
            let auto = try CollectivePlanner.plan(instance, method: .auto, options: glpk, judge: judge)
            #expect(best.isFinite)
            #expect(try evaluatedTime(auto, instance) <= best * (1 + 1e-9), "seed \(seed)")
            // With p = 0 and equal transfers per step, a step of the evaluator lasts 8·(S/m)·L_max/r_c (L_max the most
            // transfers on one circuit), which is the steady-rate model's time: ilp's optimum is at least as good as every ring order.
            let ilp = try CollectivePlanner.plan(instance, method: .ilp, options: glpk)
            #expect(ilp.status == .optimal)
            #expect(try evaluatedTime(ilp, instance) <= best * (1 + 1e-9), "seed \(seed)")
        }
    }

    @Test("heuristic plans are feasible: ports respected, rings permutations, bytes summing to S")
    func feasibility() throws {
        for seed in UInt64(20)...25 {
            var given = randomGivenInstance(seed: seed, nodes: 9, m: 6, ports: 2, packet: 10e9, maxHops: 3, alltoall: true)
            for free in [false, true] {
                given.reconfigure = free
                for method in [CollectiveMethod.fixed, .matched] {
                    let p = try CollectivePlanner.plan(given, method: method)
                    let errors = PlanChecker.check(.collective(p), file: "p.json", against: .collective(given), instanceFile: "i.json")
                    #expect(errors.isEmpty, "seed \(seed) free \(free) \(method): \(errors)")
                    let t = try evaluatedTime(p, given)
                    #expect(t >= (p.metrics.lowerBound ?? 0) * (1 - 1e-9))
                }
            }
        }
    }

    @Test("co-prime strides make every ring hop a direct circuit; strides lower the mean distance")
    func strides() {
        let s = CollectivePlanner.pickStrides(m: 12, count: 4, coprimeOnly: true)
        #expect(s.count == 4 && s.allSatisfy { CollectivePlanner.gcd($0, 12) == 1 })
        #expect(CollectivePlanner.meanDistance(m: 64, strides: CollectivePlanner.pickStrides(m: 64, count: 4, coprimeOnly: false))
                < CollectivePlanner.meanDistance(m: 64, strides: [1, 2, 3, 4]))
        #expect(CollectivePlanner.largestRemainder(total: 4, weights: [3, 1]) == [3, 1])
        let even = CollectivePlanner.largestRemainder(total: 2, weights: [1, 1, 1])
        #expect(even.reduce(0, +) == 2 && even.allSatisfy { $0 <= 1 })
        #expect(CollectivePlanner.largestRemainder(total: 7, weights: [6, 1]) == [6, 1])
    }
}
