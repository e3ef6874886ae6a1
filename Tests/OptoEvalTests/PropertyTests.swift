import Testing
import OptoCore
@testable import OptoEval

/// Seeded random schedules: the fast simulation against the slow reference,
/// port limits, conservation of bytes, and the optimal-service bound.
@Suite struct PropertyTests {
    struct Case {
        var instance: ScheduleInstance
        var plan: SchedulePlan
    }

    /// A random fabric of 3–6 nodes with 1–2 OCS ports, demand on about
    /// half the pairs, and 0–4 random configurations that respect the ports.
    static func randomCase(seed: UInt64, window: Bool, epochs: Bool = false) -> Case {
        var rng = SplitMix(seed: seed)
        let n = Int.random(in: 3...6, using: &rng)
        let ports = (0..<n).map { _ in Int.random(in: 1...2, using: &rng) }
        let packet = (0..<n).map { _ in [0, 1e9, 5e9, 10e9][Int.random(in: 0...3, using: &rng)] }
        let fabric = Fabric(nodes: n, ocsPortsPerNode: ports, circuitRate: 40e9, packetRate: packet,
                            reconfigurationDelay: [0, 1e-5, 1e-4][Int.random(in: 0...2, using: &rng)])
        func demand() -> Matrix {
            var d = Matrix(size: n)
            for i in 0..<n { for j in 0..<n where i != j && Bool.random(using: &rng) {
                d[i, j] = Double.random(in: 1e4...2e6, using: &rng).rounded()
            } }
            return d
        }
        func configuration() -> [Circuit] {
            var out = Array(repeating: 0, count: n)
            var into = Array(repeating: 0, count: n)
            var circuits: [Circuit] = []
            for _ in 0..<(2 * n) {
                let i = Int.random(in: 0..<n, using: &rng), j = Int.random(in: 0..<n, using: &rng)
                if i != j && out[i] < ports[i] && into[j] < ports[j] {
                    out[i] += 1
                    into[j] += 1
                    circuits.append(Circuit(i, j))
                }
            }
            return circuits
        }
        if epochs {
            let count = Int.random(in: 1...4, using: &rng)
            let list = (0..<count).map { _ in ScheduleInstance.Epoch(duration: Double.random(in: 1e-4...2e-3, using: &rng), demand: demand()) }
            let plan = SchedulePlan(method: "random", status: .heuristic, metrics: PlanMetrics(objective: 0),
                                    epochs: (0..<count).map { _ in .init(circuits: configuration()) })
            return Case(instance: ScheduleInstance(fabric: fabric, mode: .epochs(list)), plan: plan)
        }
        let configs = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
            SchedulePlan.Configuration(duration: Double.random(in: 1e-5...5e-4, using: &rng), circuits: configuration())
        }
        let w: Double? = window ? Double.random(in: 1e-4...3e-3, using: &rng) : nil
        // Makespan mode needs every flow to finish: give every node some packet rate.
        let f = window ? fabric : Fabric(nodes: n, ocsPortsPerNode: ports, circuitRate: 40e9,
                                         packetRate: packet.map { max($0, 1e9) }, reconfigurationDelay: fabric.reconfigurationDelay)
        return Case(instance: ScheduleInstance(fabric: f, demand: demand(), window: w),
                    plan: SchedulePlan(method: "random", status: .heuristic, metrics: PlanMetrics(objective: 0), configurations: configs))
    }

    func close(_ a: Double, _ b: Double, relative: Double = 1e-7, absolute: Double = 1e-6) -> Bool {
        abs(a - b) <= relative * max(abs(a), abs(b)) + absolute
    }

    /// The fast simulation finishes every flow when the slow reference does,
    /// at the same time, and serves the same bytes (window, makespan, epochs).
    @Test(arguments: 0..<60)
    func fastMatchesReference(seed: Int) throws {
        let c = Self.randomCase(seed: UInt64(seed), window: seed % 3 == 0, epochs: seed % 3 == 2)
        let (scenario, _, _) = try Evaluator.scheduleScenario(c.plan, on: c.instance, actual: nil)
        let fast = PortFluidSimulator.run(scenario)
        let slow = referenceRun(scenario)
        let n = scenario.nodes
        for (f, pair) in fast.pairs.enumerated() {
            #expect(close(fast.remaining[f], slow.remaining[pair] ?? -1, absolute: 1e-3), "pair \(pair / n)->\(pair % n), seed \(seed)")
            switch (fast.completion[f], slow.completion[pair]) {
            case (let a?, let b?): #expect(close(a, b, absolute: 1e-12), "completion of \(pair / n)->\(pair % n), seed \(seed)")
            case (nil, nil): break
            default: Issue.record("completion differs for \(pair / n)->\(pair % n), seed \(seed): \(String(describing: fast.completion[f])) vs \(String(describing: slow.completion[pair]))")
            }
        }
        #expect(fast.pairs.count == slow.demand.count)
    }

    /// In every interval of constant rates, no node sends or receives more
    /// than `p_i` through the packet fabric, and every active flow on a pair
    /// with live circuits gets their full rate.
    @Test(arguments: 0..<40)
    func noPortExceedsItsLimit(seed: Int) throws {
        let c = Self.randomCase(seed: UInt64(1000 + seed), window: seed % 2 == 0, epochs: seed % 4 == 3)
        let (scenario, _, _) = try Evaluator.scheduleScenario(c.plan, on: c.instance, actual: nil)
        let n = scenario.nodes
        var intervals = 0
        _ = PortFluidSimulator.run(scenario) { start, end, flows in
            intervals += 1
            var send = Array(repeating: 0.0, count: n)
            var receive = Array(repeating: 0.0, count: n)
            for f in flows {
                #expect(f.packet >= 0)
                send[f.from] += f.packet
                receive[f.to] += f.packet
                let live = scenario.circuits.filter { $0.from == f.from && $0.to == f.to && $0.start <= start && end <= $0.end }.count
                #expect(close(f.circuit, Double(live) * scenario.circuitRate))
            }
            for i in 0..<n {
                #expect(send[i] <= scenario.packetRate[i] * (1 + 1e-9), "node \(i) sends \(send[i]) > \(scenario.packetRate[i])")
                #expect(receive[i] <= scenario.packetRate[i] * (1 + 1e-9))
            }
        }
        #expect(intervals > 0 || scenario.arrivals.allSatisfy { $0.demand.allSatisfy { $0 == 0 } })
    }

    /// Served plus unserved is the demand; served is what the ports and the
    /// busy circuits carried.
    @Test(arguments: 0..<40)
    func bytesAreConserved(seed: Int) throws {
        let c = Self.randomCase(seed: UInt64(2000 + seed), window: seed % 2 == 0, epochs: seed % 4 == 1)
        let m = try Evaluator.evaluate(c.plan, on: c.instance)
        let (scenario, _, _) = try Evaluator.scheduleScenario(c.plan, on: c.instance, actual: nil)
        let demand = scenario.arrivals.reduce(0.0) { $0 + $1.demand.reduce(0, +) }
        let served = try #require(m.servedBytes)
        let unserved = try #require(m.unservedBytes)
        #expect(close(served + unserved, demand, absolute: 1e-3))
        #expect(served >= 0 && unserved >= -1e-6)
        // Bytes through the packet ports + bytes on busy circuits = served.
        let end = try #require(m.runEnd)
        let util = try #require(m.packetPortUtilisation)
        let packetBytes = zip(util, scenario.packetRate).reduce(0.0) { $0 + $1.0.send * $1.1 * end / 8 }
        let receivedBytes = zip(util, scenario.packetRate).reduce(0.0) { $0 + $1.0.receive * $1.1 * end / 8 }
        #expect(close(packetBytes, receivedBytes, absolute: 1e-3))
        let outcome = PortFluidSimulator.run(scenario)
        let circuitBytes = outcome.circuitBusy * scenario.circuitRate / 8
        #expect(close(packetBytes + circuitBytes, served, relative: 1e-6, absolute: 1e-2))
        for u in util {
            #expect(u.send <= 1 + 1e-9 && u.receive <= 1 + 1e-9)
        }
    }

    /// With a window, the evaluated bytes never exceed the best service of
    /// the same circuits and packet fabric (max-flow oracle).
    @Test(arguments: 0..<40)
    func servedNeverExceedsOptimalService(seed: Int) throws {
        let c = Self.randomCase(seed: UInt64(3000 + seed), window: true)
        guard case .window(let demand, let window?) = c.instance.mode else { Issue.record("not a window case"); return }
        let m = try Evaluator.evaluate(c.plan, on: c.instance)
        let (scenario, _, _) = try Evaluator.scheduleScenario(c.plan, on: c.instance, actual: nil)
        var circuitBytes = Matrix(size: demand.rows)
        for iv in scenario.circuits { circuitBytes[iv.from, iv.to] += (iv.end - iv.start) * scenario.circuitRate / 8 }
        let best = optimalWindowService(demand: demand, circuitBytes: circuitBytes,
                                        packetRate: c.instance.fabric.packetRate, window: window)
        let served = try #require(m.servedBytes)
        #expect(served <= best * (1 + 1e-9) + 1e-3, "served \(served) > optimum \(best), seed \(seed)")
    }

    /// The generic max-min filling equals the naive one on random problems
    /// with caps, shared resources and priority classes.
    @Test(arguments: 0..<50)
    func maxMinMatchesNaiveFilling(seed: Int) {
        var rng = SplitMix(seed: UInt64(4000 + seed))
        let resources = Int.random(in: 1...6, using: &rng)
        let capacities = (0..<resources).map { _ in [0, 1, 2.5, 10][Int.random(in: 0...3, using: &rng)] }
        let flowCount = Int.random(in: 1...10, using: &rng)
        var flows: [[Int]] = []
        var caps: [Double] = []
        var classes: [Int] = []
        for _ in 0..<flowCount {
            var rs = Array(Set((0..<Int.random(in: 1...3, using: &rng)).map { _ in Int.random(in: 0..<resources, using: &rng) }))
            rs.sort()
            flows.append(rs)
            caps.append(Bool.random(using: &rng) ? .infinity : Double.random(in: 0.1...4, using: &rng))
            classes.append(Int.random(in: 0...1, using: &rng))
        }
        let fast = MaxMinProblem(capacities: capacities, flowResources: flows, caps: caps, classes: classes).solve()
        let slow = naiveMaxMin(capacities: capacities, flows: flows, caps: caps, classes: classes)
        for f in 0..<flowCount {
            #expect(close(fast[f], slow[f], relative: 1e-9, absolute: 1e-9), "flow \(f), seed \(seed): \(fast[f]) vs \(slow[f])")
        }
    }
}
