import Testing
import OptoCore
@testable import OptoPlanners

@Suite("Schedule heuristics")
struct ScheduleHeuristicTests {
    static let windowMethods: [ScheduleMethod] = [.bvn, .solstice, .bottleneck, .eclipse, .greedy, .static, .rotor, .auto]

    @Test("N = 2, one circuit: every method finds δ + transfer", arguments: windowMethods)
    func oneCircuitByHand(method: ScheduleMethod) throws {
        let inst = ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: 2, packetBytesPerSecond: 0),
                                    demand: Matrix([[0, 1e9], [0, 0]]))
        let plan = try SchedulePlanner.plan(inst, method: method)
        #expect(abs(try #require(plan.metrics.makespan) - 1.001) < 1e-9)
        #expect(ScheduleScoring.violations(of: plan, for: inst).isEmpty)
    }

    @Test("N = 2, both directions, with a window: one configuration serves both pairs", arguments: windowMethods)
    func bothDirectionsInWindow(method: ScheduleMethod) throws {
        let inst = ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: 2, packetBytesPerSecond: 0),
                                    demand: Matrix([[0, 1e9], [2e8, 0]]), window: 0.201)
        let plan = try SchedulePlanner.plan(inst, method: method)
        // Optimum: 0→1 and 1→0 together for 0.2 s: 0.2 GB + 0.2 GB.
        let served = try #require(plan.metrics.servedBytes)
        #expect(served <= 4e8 * (1 + 1e-9))
        if method != .rotor { #expect(abs(served - 4e8) < 1e-3 * 4e8) }
        #expect(ScheduleScoring.violations(of: plan, for: inst).isEmpty)
    }

    @Test("seeded random instances: every heuristic plan is feasible and scores as it claims",
          arguments: [(UInt64(11), 1, false), (12, 1, true), (13, 2, false), (14, 2, true), (15, 3, false)])
    func randomFeasible(seed: UInt64, ports: Int, windowed: Bool) throws {
        var rng = ScheduleRNG(seed: seed)
        let n = 7
        let d = ScheduleFixtures.demand(nodes: n, rng: &rng)
        let fabric = ScheduleFixtures.fabric(nodes: n, ports: ports, packetBytesPerSecond: 5e6, delta: 1e-4)
        let lb = try ScheduleScoring.lowerBound(fabric: fabric, demand: d)
        let inst = ScheduleInstance(fabric: fabric, demand: d, window: windowed ? lb * 0.8 : nil)
        for method in Self.windowMethods {
            let plan = try SchedulePlanner.plan(inst, method: method)
            #expect(ScheduleScoring.violations(of: plan, for: inst).isEmpty, "\(method)")
            let rescored = try ScheduleScoring.score(inst, configurations: plan.configurations ?? [])
            let served = try #require(plan.metrics.servedBytes)
            #expect(abs(rescored.servedBytes - served) <= 1e-9 * max(1, served), "\(method)")
            let makespan = try #require(plan.metrics.makespan)
            if windowed {
                #expect(served <= d.total * (1 + 1e-9))
                #expect(makespan <= inst.windowValue! * (1 + 1e-9))
            } else {
                #expect(makespan >= lb * (1 - 1e-9), "\(method)")
                #expect(abs(served - d.total) <= 1e-6 * d.total, "\(method)")
            }
        }
    }

    @Test("no packet fabric: decompositions still serve everything", arguments: [ScheduleMethod.bvn, .solstice, .bottleneck, .eclipse, .greedy])
    func noPacketFabric(method: ScheduleMethod) throws {
        var rng = ScheduleRNG(seed: 21)
        let d = ScheduleFixtures.demand(nodes: 5, rng: &rng)
        let inst = ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: 5, packetBytesPerSecond: 0, delta: 1e-5), demand: d)
        let plan = try SchedulePlanner.plan(inst, method: method)
        let makespan = try #require(plan.metrics.makespan)
        #expect(makespan.isFinite)
        #expect(makespan >= (try ScheduleScoring.lowerBound(fabric: inst.fabric, demand: d)) * (1 - 1e-9))
    }

    @Test("Solstice is close to the lower bound on a skewed matrix with small δ")
    func solsticeNearBound() throws {
        var rng = ScheduleRNG(seed: 31)
        let n = 12
        var d = ScheduleFixtures.demand(nodes: n, density: 0.3, scale: 1e6, rng: &rng)
        for i in 0..<n { d[i, (i + 1) % n] += 2e8 }   // one elephant per row
        let inst = ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: n, delta: 1e-5), demand: d)
        let plan = try SchedulePlanner.plan(inst, method: .solstice)
        let ratio = try #require(plan.metrics.makespan) / (try #require(plan.metrics.lowerBound))
        #expect(ratio < 1.05)
    }

    @Test("epochs mode: greedy, static and rotor plans are feasible; greedy keeps circuits that still serve")
    func epochsHeuristics() throws {
        var rng = ScheduleRNG(seed: 41)
        let n = 5
        let epochs = (0..<4).map { _ in ScheduleInstance.Epoch(duration: 0.01, demand: ScheduleFixtures.demand(nodes: n, scale: 1e7, rng: &rng)) }
        let inst = ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: n, ports: 2, delta: 1e-3), mode: .epochs(epochs))
        for method in [ScheduleMethod.greedy, .static, .rotor, .auto] {
            let plan = try SchedulePlanner.plan(inst, method: method)
            #expect(ScheduleScoring.violations(of: plan, for: inst).isEmpty, "\(method)")
            let score = try ScheduleScoring.scoreEpochs(inst, epochs: plan.epochs ?? [])
            #expect(abs(score.servedBytes - (plan.metrics.servedBytes ?? -1)) <= 1e-9 * score.servedBytes)
            let total = epochs.reduce(0) { $0 + $1.demand.total }
            #expect(abs(score.servedBytes + score.backlogBytes - total) <= 1e-6 * total)
        }
        // One repeated matrix: greedy should never change circuits after the first epoch
        // when the same pairs stay the heaviest.
        let same = ScheduleFixtures.demand(nodes: n, scale: 1e9, rng: &rng)
        let steady = ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: n, delta: 1e-3),
                                      mode: .epochs((0..<3).map { _ in .init(duration: 0.01, demand: same) }))
        let plan = try SchedulePlanner.plan(steady, method: .greedy)
        #expect(plan.metrics.circuitsChanged == 0)
    }

    @Test("methods for one matrix refuse epochs mode with a typed error")
    func epochsRefused() {
        let inst = ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: 2),
                                    mode: .epochs([.init(duration: 1, demand: Matrix([[0, 1], [0, 0]]))]))
        #expect(throws: PlanningError.self) { try SchedulePlanner.plan(inst, method: .solstice) }
    }

    @Test("bad instances are typed errors")
    func badInstances() {
        let wrongSize = ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: 3), demand: Matrix(size: 2))
        #expect(throws: ScheduleError.self) { try SchedulePlanner.plan(wrongSize, method: .greedy) }
        let negative = ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: 2), demand: Matrix([[0, -1], [0, 0]]))
        #expect(throws: ScheduleError.self) { try SchedulePlanner.plan(negative, method: .solstice) }
    }

    @Test("matchers: exact b-matching beats or equals the greedy one and respects capacities",
          arguments: [UInt64(51), 52, 53, 54])
    func bMatching(seed: UInt64) {
        var rng = ScheduleRNG(seed: seed)
        let n = 6
        let caps = (0..<n).map { _ in Int.random(in: 1...3, using: &rng) }
        var gains = [[Double]](repeating: [Double](repeating: 0, count: n * n), count: 3)
        for k in 0..<(n * n) where k / n != k % n {
            var g = Double.random(in: 0...10, using: &rng)
            for m in 0..<3 { gains[m][k] = g; g *= Double.random(in: 0...1, using: &rng) }
        }
        let exact = maxWeightBMatching(n: n, rowCap: caps, colCap: caps, gains: gains, exact: true)
        let greedy = maxWeightBMatching(n: n, rowCap: caps, colCap: caps, gains: gains, exact: false)
        func value(_ u: [Int]) -> Double { u.indices.reduce(0) { s, k in s + (0..<u[k]).reduce(0) { $0 + gains[$1][k] } } }
        #expect(value(exact) >= value(greedy) - 1e-9)
        #expect(value(greedy) >= value(exact) / 2 - 1e-9)
        // Brute force over single matchings when every cap is 1.
        for u in [exact, greedy] {
            for i in 0..<n {
                #expect((0..<n).reduce(0) { $0 + u[i * n + $1] } <= caps[i])
                #expect((0..<n).reduce(0) { $0 + u[$1 * n + i] } <= caps[i])
            }
        }
    }

    @Test("exact matching equals brute force over permutations (k = 1)")
    func assignmentBruteForce() {
        var rng = ScheduleRNG(seed: 61)
        let n = 6
        var w = [Double](repeating: 0, count: n * n)
        for k in 0..<(n * n) { w[k] = Double.random(in: -2...10, using: &rng) }
        let u = maxWeightBMatching(n: n, rowCap: Array(repeating: 1, count: n), colCap: Array(repeating: 1, count: n),
                                   gains: [w], exact: true)
        let got = u.indices.reduce(0.0) { $0 + (u[$1] > 0 ? w[$1] : 0) }
        // Best partial matching: permutations with negative cells dropped.
        var best = 0.0
        var perm = Array(0..<n)
        func search(_ i: Int) {
            if i == n {
                best = max(best, (0..<n).reduce(0.0) { $0 + max(0, w[$1 * n + perm[$1]]) })
                return
            }
            for s in i..<n { perm.swapAt(i, s); search(i + 1); perm.swapAt(i, s) }
        }
        search(0)
        #expect(abs(got - best) < 1e-9)
    }
}

extension ScheduleInstance {
    /// The window in window mode.
    var windowValue: Double? {
        if case .window(_, let w) = mode { return w }
        return nil
    }
}

@Suite("Schedule: greedy matching from the residual order")
struct ResidualOrderTests {
    @Test("equals the sorted greedy b-matching for every circuit volume, after updates too", arguments: [UInt64(111), 112, 113])
    func sameAsSortedGreedy(seed: UInt64) throws {
        var rng = ScheduleRNG(seed: seed)
        let n = 9
        var fabric = ScheduleFixtures.fabric(nodes: n)
        fabric.ocsPortsPerNode[4] = 0
        let f = try ScheduleFabric(fabric)
        // Whole units, so that many pairs tie.
        var r = [Double](repeating: 0, count: n * n)
        for k in r.indices where k / n != k % n && Double.random(in: 0..<1, using: &rng) < 0.6 {
            r[k] = Double(Int.random(in: 1...6, using: &rng))
        }
        var order = ResidualOrder(r)
        for round in 0..<4 {
            var rowLoad = [Double](repeating: 0, count: n), colLoad = rowLoad
            for k in r.indices { rowLoad[k / n] += r[k]; colLoad[k % n] += r[k] }
            for c in [0.5, 2, 3, 7] {
                let got = order.greedyMatching(f, residual: r, perCircuit: c, rowLoad: rowLoad, colLoad: colLoad)
                let gains = ScheduleHeuristics.unitGains(f, residual: r, perCircuit: c)
                let want = maxWeightBMatching(n: n, rowCap: f.ports, colCap: f.ports, gains: gains, exact: false)
                #expect(got.counts == Dictionary(uniqueKeysWithValues: want.indices.filter { want[$0] > 0 }.map { ($0, want[$0]) }),
                        "round \(round), c = \(c)")
                let value = want.indices.reduce(0.0) { $0 + (want[$1] > 0 ? gains[0][$1] : 0) }
                #expect(abs(got.served - value) <= 1e-12 * max(1, value))
            }
            // Serve a few pairs (some to zero) and keep the order up to date.
            let changed = r.indices.filter { r[$0] > 0 }.shuffled(using: &rng).prefix(5)
            for k in changed { r[k] = max(0, r[k] - Double(Int.random(in: 1...4, using: &rng))) }
            order.update(r, changed: Array(changed))
            #expect(order.pairs == ResidualOrder(r).pairs)
        }
    }
}
