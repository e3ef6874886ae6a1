import OptoCore
@testable import OptoEval
import Testing

/// A brute-force step simulator for collective plans, independent of the
/// evaluator's: routes by enumerating every simple circuit path of at most
/// `maxHops` hops (fewest hops, then the lexicographically smallest node
/// sequence), rates by `naiveMaxMin` (circuits, then packet ports), one
/// event at a time.
func referenceCollectiveTimes(_ plan: CollectivePlan, _ instance: CollectiveInstance) -> [Double] {
    let f = instance.fabric
    let n = f.nodes
    var mult = [[Int]](repeating: Array(repeating: 0, count: n), count: n)
    for c in plan.circuits { mult[c.from][c.to] += 1 }
    func route(_ u: Int, _ v: Int) -> [Int]? {
        if mult[u][v] > 0 { return [u, v] }
        var best: [Int]?
        func walk(_ path: [Int]) {
            let x = path.last!
            if x == v {
                if best == nil || path.count < best!.count || (path.count == best!.count && path.lexicographicallyPrecedes(best!)) { best = path }
                return
            }
            if path.count - 1 == instance.maxHops { return }
            for y in 0..<n where mult[x][y] > 0 && !path.contains(y) { walk(path + [y]) }
        }
        walk([u])
        return best
    }
    // Resources: circuit (a,b) → a*n+b; send port u → n*n+u; receive port v → n*n+n+v.
    var capacities = Array(repeating: 0.0, count: n * n + 2 * n)
    for a in 0..<n { for b in 0..<n { capacities[a * n + b] = Double(mult[a][b]) * f.circuitRate } }
    for u in 0..<n { capacities[n * n + u] = f.packetRate[u]; capacities[n * n + n + u] = f.packetRate[u] }
    struct T { var circuit: [Int]; var packet: [Int]; var bytes: Double }
    var steps: [[T]] = [], stepCount: [Int] = [], jobOf: [Int] = []
    for (j, job) in instance.jobs.enumerated() {
        for c in job.collectives {
            let rings = c.kind == .allreduce ? plan.rings[CollectiveInstance.key(job: job.name, collective: c.name)]! : []
            var list: [T] = []
            for t in c.stepTransfers(rings: rings) {
                let path = route(t.from, t.to) ?? []
                let circuit = path.count > 1 ? (0..<(path.count - 1)).map { path[$0] * n + path[$0 + 1] } : []
                list.append(T(circuit: circuit, packet: [n * n + t.from, n * n + n + t.to], bytes: t.bytes))
            }
            steps.append(list); stepCount.append(c.steps); jobOf.append(j)
        }
    }
    let start = instance.startDelay(for: plan.circuits)
    var now = start
    var step = steps.map { _ in 0 }
    var left = steps.map { $0.map(\.bytes) }
    var end = steps.map { _ in start }
    while step.indices.contains(where: { step[$0] < stepCount[$0] }) {
        var who: [(Int, Int)] = []
        for c in steps.indices where step[c] < stepCount[c] { for k in steps[c].indices where left[c][k] > 0 { who.append((c, k)) } }
        let viaCircuit = naiveMaxMin(capacities: capacities, flows: who.map { steps[$0.0][$0.1].circuit }, caps: who.map { steps[$0.0][$0.1].circuit.isEmpty ? 0 : .infinity })
        let viaPacket = naiveMaxMin(capacities: capacities, flows: who.map { steps[$0.0][$0.1].packet }, caps: who.map { _ in .infinity })
        let rates = zip(viaCircuit, viaPacket).map { $0 + $1 }
        var dt = Double.infinity
        for (i, w) in who.enumerated() where rates[i] > 0 { dt = min(dt, 8 * left[w.0][w.1] / rates[i]) }
        if !dt.isFinite { return instance.jobs.map { _ in .infinity } }
        now += dt
        for (i, w) in who.enumerated() {
            left[w.0][w.1] -= rates[i] * dt / 8
            if left[w.0][w.1] <= 1e-9 * steps[w.0][w.1].bytes { left[w.0][w.1] = 0 }
        }
        for c in steps.indices where step[c] < stepCount[c] && left[c].allSatisfy({ $0 == 0 }) {
            step[c] += 1
            if step[c] == stepCount[c] { end[c] = now } else { left[c] = steps[c].map(\.bytes) }
        }
    }
    return instance.jobs.indices.map { j in steps.indices.filter { jobOf[$0] == j }.map { end[$0] }.max() ?? start }
}

@Suite("Collective evaluation")
struct CollectiveEvaluationTests {
    /// Seeded random plans: random circuits within the ports, two jobs, random
    /// ring orders and shares, packet fabric on some nodes, relays up to 3 hops.
    @Test("the evaluator matches a brute-force step simulator on seeded random plans")
    func againstReference() throws {
        var rng = SplitMix(seed: 2026)
        var compared = 0
        for _ in 0..<25 {
            let n = Int.random(in: 5...7, using: &rng)
            let ports = Int.random(in: 1...2, using: &rng)
            var tx = Array(repeating: ports, count: n), rx = tx
            var circuits: [Circuit] = []
            for _ in 0..<(3 * n) {
                let u = Int.random(in: 0..<n, using: &rng), v = Int.random(in: 0..<n, using: &rng)
                if u != v && tx[u] > 0 && rx[v] > 0 { circuits.append(Circuit(u, v)); tx[u] -= 1; rx[v] -= 1 }
            }
            let packet = (0..<n).map { _ in Bool.random(using: &rng) ? 10e9 : 25e9 }
            let nodes = Array(0..<n).shuffled(using: &rng)
            let a = Array(nodes.prefix(3)), b = Array(nodes.dropFirst(3))
            let instance = CollectiveInstance(
                fabric: Fabric(nodes: n, ocsPortsPerNode: Array(repeating: ports, count: n), circuitRate: 100e9, packetRate: packet,
                               reconfigurationDelay: 1e-5),
                maxHops: 3, current: circuits, reconfigure: false,
                jobs: [CollectiveJob(name: "a", collectives: [Collective(name: "ar", kind: .allreduce, group: a, bytes: 3e8),
                                                             Collective(name: "x", kind: .alltoall, group: Array(a.prefix(2)), bytes: 4e7)]),
                       CollectiveJob(name: "b", collectives: [Collective(name: "ar", kind: .allreduce, group: b, bytes: 5e8)])])
            let rings: [String: [CollectivePlan.Ring]] = [
                "a/ar": [.init(order: a.shuffled(using: &rng), bytes: 1e8), .init(order: a.shuffled(using: &rng), bytes: 2e8)],
                "b/ar": [.init(order: b.shuffled(using: &rng), bytes: 5e8)],
            ]
            let plan = CollectivePlan(method: "test", status: .heuristic, metrics: PlanMetrics(objective: 0), circuits: circuits, rings: rings)
            let m = try Evaluator.evaluate(plan, on: instance)
            let expected = referenceCollectiveTimes(plan, instance)
            for (j, job) in instance.jobs.enumerated() {
                let got = try #require(m.collectiveJobs?[job.name]?.time)
                #expect(abs(got - expected[j]) <= 1e-9 * expected[j], "job \(job.name): \(got) vs \(expected[j])")
                #expect(got >= (m.collectiveJobs?[job.name]?.lowerBound ?? 0) * (1 - 1e-12))
            }
            compared += 1
        }
        #expect(compared == 25)
    }

    /// Every transfer alike, so each step ends in one event: an allreduce
    /// over 4 nodes laid on its ring's circuits takes 2(m−1) = 6 steps of
    /// `8·(S/m)/r_c` each, and an alltoall on the packet fabric beside it
    /// (no circuit for its pairs' direction) ends inside the first step, one
    /// more event. Counts what the step bookkeeping does, not only the time.
    @Test("steps end in one event each when their transfers are alike; an alltoall beside them adds its own")
    func eventsPerStep() throws {
        let ring = [Circuit(0, 1), Circuit(1, 2), Circuit(2, 3), Circuit(3, 0)]
        let fabric = Fabric(nodes: 4, ports: 1, circuitRate: 100e9, packetRate: 10e9, reconfigurationDelay: 0)
        let ar = Collective(name: "ar", kind: .allreduce, group: [0, 1, 2, 3], bytes: 4e8)
        func evaluate(_ collectives: [Collective]) throws -> EvaluationMetrics {
            let instance = CollectiveInstance(fabric: fabric, maxHops: 1, current: ring, reconfigure: false,
                                              jobs: [CollectiveJob(name: "j", collectives: collectives)])
            let plan = CollectivePlan(method: "t", status: .heuristic, metrics: PlanMetrics(objective: 0), circuits: ring,
                                      rings: ["j/ar": [.init(order: [0, 1, 2, 3], bytes: 4e8)]])
            return try Evaluator.evaluate(plan, on: instance)
        }
        // Each step: 1e8 bytes per transfer over its own circuit (100 Gb/s) plus its ends' packet ports (10 Gb/s).
        let stepTime = 8 * 1e8 / 110e9
        let alone = try evaluate([ar])
        #expect(alone.events == 6)
        let arTime = try #require(alone.collectiveJobs?["j"]?.collectives["ar"]?.time)
        #expect(abs(arTime - 6 * stepTime) <= 1e-12 * arTime)
        // Alltoall between 1 and 3 (no circuit either way within 1 hop): packet ports only, 1e6 bytes.
        let mixed = try evaluate([ar, Collective(name: "x", kind: .alltoall, group: [1, 3], bytes: 1e6)])
        #expect(mixed.events == 7)
        let xTime = try #require(mixed.collectiveJobs?["j"]?.collectives["x"]?.time)
        #expect(xTime < stepTime)
        #expect(try #require(mixed.collectiveJobs?["j"]?.collectives["ar"]?.time) > arTime)
    }

    @Test("a transfer with no circuit route and no packet fabric is reported, not run forever")
    func noRoute() {
        let instance = CollectiveInstance(fabric: Fabric(nodes: 3, ports: 1, circuitRate: 100e9, packetRate: 0), maxHops: 1,
                                          current: [Circuit(0, 1)], reconfigure: false,
                                          jobs: [CollectiveJob(name: "j", collectives: [Collective(name: "ar", kind: .allreduce, group: [0, 1, 2], bytes: 1e6)])])
        let plan = CollectivePlan(method: "t", status: .heuristic, metrics: PlanMetrics(objective: 0), circuits: [Circuit(0, 1)],
                                  rings: ["j/ar": [.init(order: [0, 1, 2], bytes: 1e6)]])
        #expect(throws: EvaluationError.self) { try Evaluator.evaluate(plan, on: instance) }
    }
}
