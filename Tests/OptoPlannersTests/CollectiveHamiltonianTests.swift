import OptoCore
import OptoEval
import OptoGLPK
import OptoModel
@testable import OptoPlanners
import Testing

/// A circuit graph that is the union of `k` random Hamiltonian cycles over
/// `n` nodes (so `k` arc-disjoint Hamiltonian cycles exist), optionally
/// with `failed` circuits removed at random; one AllReduce over all nodes,
/// `k` ports, no packet fabric.
func hamiltonianUnionInstance(seed: UInt64, n: Int, k: Int, failed: Int = 0, packet: Double = 0) -> CollectiveInstance {
    var rng = LinkPoolRNG(seed: seed)
    var circuits: [Circuit] = []
    for _ in 0..<k {
        let order = Array(0..<n).shuffled(using: &rng)
        for i in 0..<n { circuits.append(Circuit(order[i], order[(i + 1) % n])) }
    }
    circuits.shuffle(using: &rng)
    circuits.removeLast(failed)
    return CollectiveInstance(fabric: Fabric(nodes: n, ports: k, circuitRate: 100e9, packetRate: packet, reconfigurationDelay: 1e-5),
                              maxHops: 4, current: circuits, reconfigure: false,
                              jobs: [CollectiveJob(name: "j", collectives: [Collective(name: "ar", kind: .allreduce, group: Array(0..<n), bytes: 1e9)])])
}

/// The rings the earlier method chose (depth-first cycles, else the
/// segmented ring; the rank-order ring a candidate), by the drain model.
func depthFirstRings(_ instance: CollectiveInstance) -> [String: [CollectivePlan.Ring]] {
    let n = instance.fabric.nodes
    let circuits = instance.current!
    let c = instance.jobs[0].collectives[0]
    var mult: [Int: Int] = [:]
    for e in circuits { mult[e.from * n + e.to, default: 0] += 1 }
    let k = c.group.map { instance.fabric.ocsPortsPerNode[$0] }.min()!
    let cycles = CollectivePlanner.depthFirstCycles(c.group, mult: mult, nodes: n, count: k, budget: 200_000)
    var candidates: [[CollectivePlan.Ring]] = [[.init(order: c.group, bytes: c.bytes)]]
    for r in cycles.indices { candidates.append(CollectivePlanner.split(c.bytes, over: Array(cycles.prefix(r + 1)))) }
    if cycles.isEmpty { candidates.append([.init(order: CollectivePlanner.segmentedRing(c.group, circuits: circuits, nodes: n), bytes: c.bytes)]) }
    let model = CollectiveTimeModel(instance)
    let best = candidates.min { model.time(circuits: circuits, rings: ["j/ar": $0]) < model.time(circuits: circuits, rings: ["j/ar": $1]) }!
    return ["j/ar": best]
}

func evaluatedOrInfinity(_ plan: CollectivePlan, _ instance: CollectiveInstance) -> Double {
    (try? Evaluator.evaluate(plan, on: instance))?.makespan ?? .infinity
}

@Suite("Collective Hamiltonian cycles")
struct CollectiveHamiltonianTests {
    @Test("a union of k random Hamiltonian cycles: k arc-disjoint Hamiltonian cycles found; matched's evaluated time equals the bound",
          arguments: [(8, 2), (8, 4), (16, 3), (16, 4), (32, 2), (32, 4)])
    func decomposition(n: Int, k: Int) throws {
        for seed in UInt64(1)...3 {
            let instance = hamiltonianUnionInstance(seed: seed &* 977 &+ UInt64(n * k), n: n, k: k)
            let circuits = instance.current!
            var mult: [Int: Int] = [:]
            for e in circuits { mult[e.from * n + e.to, default: 0] += 1 }
            let found = CollectivePlanner.disjointHamiltonianCycles(Array(0..<n), mult: mult, nodes: n, count: k)
            #expect(found.cycles.count == k, "n \(n) k \(k) seed \(seed): \(found.cycles.count) cycles")
            // Each a Hamiltonian cycle of the circuit graph; together they use each circuit at most once.
            var left = mult
            for cycle in found.cycles {
                #expect(cycle.sorted() == Array(0..<n))
                #expect(cycle.first == 0)
                for i in 0..<n {
                    let key = cycle[i] * n + cycle[(i + 1) % n]
                    #expect((left[key] ?? 0) > 0, "arc \(cycle[i])→\(cycle[(i + 1) % n]) not a circuit left")
                    left[key, default: 0] -= 1
                }
            }
            let plan = try CollectivePlanner.plan(instance, method: .matched)
            #expect(plan.rings["j/ar"]?.count == k)
            let bound = instance.jobLowerBounds(startDelay: 0)[0]
            let t = try evaluatedTime(plan, instance)
            #expect(abs(t - bound) <= 1e-9 * bound, "n \(n) k \(k) seed \(seed): \(t / bound)× the bound")
        }
    }

    @Test("never worse than the earlier depth-first method (drain model and evaluator), intact and with 10 % of circuits failed",
          arguments: [(8, 2), (12, 3), (16, 4), (24, 2)])
    func neverWorse(n: Int, k: Int) throws {
        for seed in UInt64(1)...4 {
            for failed in [0, max(1, n * k / 10)] {
                let instance = hamiltonianUnionInstance(seed: seed &* 31 &+ UInt64(n), n: n, k: k, failed: failed)
                let plan = try CollectivePlanner.plan(instance, method: .matched)
                let old = depthFirstRings(instance)
                let model = CollectiveTimeModel(instance)
                let tNew = model.time(circuits: instance.current!, rings: plan.rings)
                let tOld = model.time(circuits: instance.current!, rings: old)
                #expect(tNew <= tOld * (1 + 1e-9), "n \(n) k \(k) seed \(seed) failed \(failed): drain \(tNew) vs \(tOld)")
                var oldPlan = plan
                oldPlan.rings = old
                // Unroutable transfers (no circuit path, no packet fabric) make a plan's time infinite.
                let eNew = evaluatedOrInfinity(plan, instance), eOld = evaluatedOrInfinity(oldPlan, instance)
                #expect(eNew <= eOld * (1 + 1e-9), "n \(n) k \(k) seed \(seed) failed \(failed): evaluated \(eNew) vs \(eOld)")
                if eNew.isFinite {
                    #expect(PlanChecker.check(.collective(plan), file: "p.json", against: .collective(instance), instanceFile: "i.json").isEmpty)
                }
            }
        }
    }

    /// The largest `r ≤ k` for which the circuits hold an `r`-factor (every
    /// node `r` out and `r` in), by the b-matching LP (integral on a
    /// bipartite graph) solved with GLPK: an independent check of the search's factor.
    func largestFactor(_ mult: [Int: Int], n: Int, k: Int) throws -> Int {
        for r in stride(from: k, through: 1, by: -1) {
            let model = Model(name: "factor")
            var f: [Int: VariableID] = [:]
            for (key, c) in mult { f[key] = model.addVariable(lowerBound: 0, upperBound: Double(c)) }
            for u in 0..<n {
                model.addConstraint(LinearExpression.sum(f.filter { $0.key / n == u }.map(\.value)), .lessThanOrEqual(Double(r)))
                model.addConstraint(LinearExpression.sum(f.filter { $0.key % n == u }.map(\.value)), .lessThanOrEqual(Double(r)))
            }
            model.setObjective(LinearExpression.sum(Array(f.values)), .maximize)
            let result = try GLPKSolver().solve(model, options: SolverOptions(timeLimit: 10))
            if (result.objectiveValue ?? 0) >= Double(r * n) - 1e-6 { return r }
        }
        return 0
    }

    @Test("damaged unions (10 % of circuits failed, k = 4): as many covers as the largest factor (an LP says), at least that many less one Hamiltonian cycles",
          arguments: [16, 32])
    func damaged(n: Int) throws {
        let k = 4
        for seed in UInt64(0)..<3 {
            let instance = hamiltonianUnionInstance(seed: seed &* 7 &+ UInt64(n), n: n, k: k, failed: n * k / 10)
            var mult: [Int: Int] = [:]
            for e in instance.current! { mult[e.from * n + e.to, default: 0] += 1 }
            let found = CollectivePlanner.disjointHamiltonianCycles(Array(0..<n), mult: mult, nodes: n, count: k)
            let r = try largestFactor(mult, n: n, k: k)
            #expect(found.cycles.count + found.brokenCovers.count == r, "n \(n) seed \(seed): \(found.cycles.count) cycles, broken \(found.brokenCovers.map(\.count)), factor \(r)")
            #expect(found.cycles.count >= r - 1)
            var left = mult
            for cycle in found.cycles {
                #expect(cycle.sorted() == Array(0..<n))
                for i in 0..<n {
                    let key = cycle[i] * n + cycle[(i + 1) % n]
                    #expect((left[key] ?? 0) > 0)
                    left[key, default: 0] -= 1
                }
            }
        }
    }

    @Test("a broken cover becomes a ring through every node; each jump enters the next cycle at the node reached in the fewest circuits")
    func patched() {
        // Cycles (0 1) and (2 3); circuit 1→2 exists, 3→0 does not.
        let routing = CircuitRouting(nodes: 4, circuits: [Circuit(0, 1), Circuit(1, 0), Circuit(2, 3), Circuit(3, 2), Circuit(1, 2)], maxHops: 3)
        let ring = CollectivePlanner.patchedRing([[0, 1], [3, 2]]) { u, v in routing.route(u, v).map { $0.count - 1 } }
        #expect(ring == [0, 1, 2, 3])
        // Without 1→2 every jump is off-circuit and unroutable: the cycle is entered at its first node.
        let cut = CircuitRouting(nodes: 4, circuits: [Circuit(0, 1), Circuit(1, 0), Circuit(2, 3), Circuit(3, 2)], maxHops: 3)
        #expect(CollectivePlanner.patchedRing([[0, 1], [3, 2]]) { u, v in cut.route(u, v).map { $0.count - 1 } } == [0, 1, 3, 2])
    }

    @Test("no Hamiltonian cycle when a node has no incoming circuit; a lone cycle is found in a graph that is only that cycle")
    func edges() {
        let n = 5
        var mult: [Int: Int] = [:]
        for i in 0..<n { mult[i * n + (i + 1) % n] = 1 }
        let one = CollectivePlanner.disjointHamiltonianCycles(Array(0..<n), mult: mult, nodes: n, count: 2)
        #expect(one.cycles == [[0, 1, 2, 3, 4]])
        mult[4 * n + 0] = nil
        mult[4 * n + 1] = 1
        let none = CollectivePlanner.disjointHamiltonianCycles(Array(0..<n), mult: mult, nodes: n, count: 1)
        #expect(none.cycles.isEmpty)
    }
}
