import Testing
import OptoCore
@testable import OptoEval

/// The incremental port filling (undo to the first changed step, bitset
/// adjacency, undo log) against from-scratch answers: instances built so
/// that many flows complete at once, and fabrics wider than one 64-bit word.
@Suite struct IncrementalFillingTests {
    func close(_ a: Double, _ b: Double, relative: Double = 1e-9, absolute: Double = 1e-12) -> Bool {
        abs(a - b) <= relative * max(abs(a), abs(b)) + absolute
    }

    /// A scenario of `n` nodes whose flows take few distinct sizes on ports
    /// of equal rate, so completions coincide; optional circuits and a
    /// second arrival (a full refilling in the middle of the run).
    static func tiedScenario(seed: UInt64, nodes n: Int, density: Double, circuits: Bool, secondArrival: Bool) -> FluidScenario {
        var rng = SplitMix(seed: seed)
        let sizes = [1e5, 2e5, 4e5]
        func demand() -> [Double] {
            var d = Array(repeating: 0.0, count: n * n)
            for i in 0..<n {
                for j in 0..<n where i != j && Double.random(in: 0..<1, using: &rng) < density {
                    d[i * n + j] = sizes[Int.random(in: 0..<sizes.count, using: &rng)]
                }
            }
            return d
        }
        var arrivals = [(time: 0.0, demand: demand())]
        if secondArrival { arrivals.append((time: 1e-4, demand: demand())) }
        var intervals: [CircuitInterval] = []
        if circuits {
            // A few disjoint circuits, one configuration after another.
            var t = 1e-5
            for _ in 0..<3 {
                let shift = Int.random(in: 1..<n, using: &rng)
                for i in stride(from: 0, to: n, by: 3) {
                    intervals.append(CircuitInterval(from: i, to: (i + shift) % n, start: t, end: t + 5e-5))
                }
                t += 7e-5
            }
        }
        return FluidScenario(nodes: n, packetRate: Array(repeating: 10e9, count: n), circuitRate: 40e9,
                             arrivals: arrivals, circuits: intervals, end: nil)
    }

    /// Many simultaneous completions: the fast simulation finishes every
    /// flow when the slow reference (a fresh filling per event) does.
    @Test(arguments: 0..<30)
    func simultaneousCompletionsMatchReference(seed: Int) {
        let circuits = seed % 2 == 1
        let s = Self.tiedScenario(seed: UInt64(5000 + seed), nodes: 4 + seed % 5, density: 0.6,
                                  circuits: circuits, secondArrival: seed % 3 == 2)
        let fast = PortFluidSimulator.run(s)
        let slow = referenceRun(s)
        let n = s.nodes
        var distinct = Set<Double>()
        for (f, pair) in fast.pairs.enumerated() {
            let a = fast.completion[f], b = slow.completion[pair]
            #expect(a != nil && b != nil, "pair \(pair / n)->\(pair % n), seed \(seed)")
            if let a, let b {
                #expect(close(a, b, relative: 1e-7), "completion of \(pair / n)->\(pair % n), seed \(seed): \(a) vs \(b)")
                distinct.insert((a * 1e9).rounded())
            }
        }
        // Without circuits the instance really has ties: fewer completion times than flows.
        if !circuits { #expect(distinct.count < fast.pairs.count, "seed \(seed)") }
    }

    /// Fabrics of 65–140 nodes (two or three bitset words per port): in every
    /// other interval the packet rates are the max-min fair rates a fresh
    /// progressive filling (`MaxMinProblem`) gives the active flows, and the
    /// bytes those rates carry until each flow's completion are its demand
    /// (so every flow advanced at the rate reported for it).
    @Test(arguments: 0..<6)
    func wideFabricRatesAreMaxMinFair(seed: Int) {
        let n = [65, 100, 128, 129, 140, 70][seed]
        // About 150 flows per arrival, so the check stays quick.
        let s = Self.tiedScenario(seed: UInt64(6000 + seed), nodes: n, density: 150 / Double(n * n),
                                  circuits: seed % 2 == 0, secondArrival: seed % 3 != 1)
        var intervals = 0
        var checked = 0
        var served = Array(repeating: 0.0, count: n * n)
        let outcome = PortFluidSimulator.run(s) { start, end, flows in
            intervals += 1
            for f in flows { served[f.from * n + f.to] += (f.packet + f.circuit) * (end - start) / 8 }
            guard intervals % 2 == 1 else { return }
            checked += 1
            let expected = MaxMinProblem(capacities: s.packetRate + s.packetRate,
                                         flowResources: flows.map { [$0.from, n + $0.to] },
                                         caps: flows.map { _ in .infinity }).solve()
            for (k, f) in flows.enumerated() {
                #expect(close(f.packet, expected[k], absolute: 1e-3), "\(f.from)->\(f.to) at interval \(intervals), seed \(seed): \(f.packet) vs \(expected[k])")
            }
        }
        #expect(checked >= 10)
        for (f, pair) in outcome.pairs.enumerated() {
            #expect(outcome.completion[f] != nil)
            #expect(close(served[pair], outcome.demand[f], relative: 1e-6), "\(pair / n)->\(pair % n), seed \(seed): carried \(served[pair]) of \(outcome.demand[f])")
        }
    }

    /// Refillings updated in place (the previous order visited again,
    /// rewound where a port must freeze before a port it shares a flow
    /// with, filled from scratch where rewinds pile up): on fabrics whose
    /// ports have different rates and whose flows have distinct sizes, so
    /// the order of the ports moves at nearly every completion, the packet
    /// rates of every interval are the max-min fair rates of a fresh
    /// filling. The seeds between them take every path: updates kept,
    /// rewinds, give-ups, ports made to wait, flows taken by another port.
    @Test func updatedFillingsAreMaxMinFair() {
        var updated = 0, rewinds = 0, fallbacks = 0, deferrals = 0, switches = 0, intervals = 0
        for seed in 0..<12 {
            let n = [12, 24, 40, 70][seed % 4]
            var rng = SplitMix(seed: UInt64(7000 + seed))
            let rates = [5e9, 10e9, 20e9]
            let packet = (0..<n).map { _ in rates[Int.random(in: 0..<rates.count, using: &rng)] }
            var demand = Array(repeating: 0.0, count: n * n)
            let density = min(0.5, 220 / Double(n * n))
            for i in 0..<n {
                for j in 0..<n where i != j && Double.random(in: 0..<1, using: &rng) < density {
                    demand[i * n + j] = 1e4 * Double.random(in: 1..<200, using: &rng)
                }
            }
            let s = FluidScenario(nodes: n, packetRate: packet, circuitRate: 40e9,
                                  arrivals: [(time: 0, demand: demand)], circuits: [], end: nil)
            var sim = PortFluidSimulator(nodes: n, packetRate: packet, circuitRate: 40e9)
            // Every third seed with a small rewind budget, so that updates also give up.
            if seed % 3 == 2 { sim.rewindAllowance = 0.1 }
            sim.intervalObserver = { start, end, flows in
                intervals += 1
                let expected = MaxMinProblem(capacities: packet + packet,
                                             flowResources: flows.map { [$0.from, n + $0.to] },
                                             caps: flows.map { _ in .infinity }).solve()
                for (k, f) in flows.enumerated() {
                    #expect(close(f.packet, expected[k], absolute: 1e-3), "\(f.from)->\(f.to) in [\(start), \(end)), seed \(seed): \(f.packet) vs \(expected[k])")
                }
            }
            let outcome = sim.simulate(s)
            #expect(outcome.completion.allSatisfy { $0 != nil }, "seed \(seed)")
            updated += sim.updated
            rewinds += sim.rewinds
            fallbacks += sim.fallbacks
            deferrals += sim.deferrals
            switches += sim.switches
        }
        #expect(intervals > 1000)
        #expect(updated > 0 && rewinds > 0 && fallbacks > 0 && deferrals > 0 && switches > 0,
                "updated \(updated), rewinds \(rewinds), given up \(fallbacks), deferred \(deferrals), switched \(switches)")
    }

    /// Each node sends to `peers` others at random: two elephants, the rest mice.
    static func sparseDemand(nodes n: Int, peers: Int, elephants: Range<Double>, mice: Range<Double>,
                             rng: inout SplitMix) -> [Double] {
        var d = Array(repeating: 0.0, count: n * n)
        for i in 0..<n {
            var others = Array(0..<n).filter { $0 != i }
            others.shuffle(using: &rng)
            for (k, j) in others.prefix(peers).enumerated() {
                d[i * n + j] = Double.random(in: k < 2 ? elephants : mice, using: &rng)
            }
        }
        return d
    }

    /// `rounds` configurations one after another (20 µs apart), each a
    /// random shift `i → i + shift` from every `every`-th node, held `hold`.
    static func rotatingCircuits(nodes n: Int, rounds: Int, every: Int, hold: Double, rng: inout SplitMix) -> [CircuitInterval] {
        var intervals: [CircuitInterval] = []
        var t = 0.0
        for _ in 0..<rounds {
            t += 2e-5
            let shift = Int.random(in: 1..<n, using: &rng)
            for i in stride(from: 0, to: n, by: every) { intervals.append(CircuitInterval(from: i, to: (i + shift) % n, start: t, end: t + hold)) }
            t += hold
        }
        return intervals
    }

    /// The same run by two simulators: events, circuit busy time, every
    /// completion time and every port's load integral to 1e-9 relative.
    func expectSameRuns(_ a: FluidOutcome, _ b: FluidOutcome) {
        #expect(a.events == b.events)
        #expect(close(a.circuitBusy, b.circuitBusy))
        var worst = 0.0
        for f in a.pairs.indices {
            guard let x = a.completion[f], let y = b.completion[f] else { Issue.record("flow \(f) unfinished"); continue }
            worst = max(worst, abs(x - y) / y)
        }
        #expect(worst <= 1e-9, "completion times differ by \(worst) relative")
        for p in a.sendIntegral.indices {
            #expect(close(a.sendIntegral[p], b.sendIntegral[p], relative: 1e-9), "send load of \(p)")
            #expect(close(a.receiveIntegral[p], b.receiveIntegral[p], relative: 1e-9), "receive load of \(p)")
        }
    }

    /// A sparse fabric of one port rate, like the 1,024-node benchmark but
    /// smaller (two elephants and 20 mice per row): updates rewind often
    /// there and some give up. Every completion time equals the run that
    /// undoes and fills with the heap (updates off) to 1e-9 relative.
    @Test func sparseFabricUpdatesMatchTheHeapAlone() {
        let n = 160
        var rng = SplitMix(seed: 8128)
        let demand = Self.sparseDemand(nodes: n, peers: 22, elephants: 5e7..<1.5e8, mice: 1e6..<1e7, rng: &rng)
        let intervals = Self.rotatingCircuits(nodes: n, rounds: 6, every: 1, hold: 2e-3, rng: &rng)
        let packet = Array(repeating: 10e9, count: n)
        let s = FluidScenario(nodes: n, packetRate: packet, circuitRate: 100e9,
                              arrivals: [(time: 0, demand: demand)], circuits: intervals, end: nil)
        var fast = PortFluidSimulator(nodes: n, packetRate: packet, circuitRate: 100e9)
        var heap = PortFluidSimulator(nodes: n, packetRate: packet, circuitRate: 100e9)
        heap.updates = false
        expectSameRuns(fast.simulate(s), heap.simulate(s))
        #expect(fast.updated > 0 && fast.rewinds > 0 && fast.fallbacks > 0, "updated \(fast.updated), rewinds \(fast.rewinds), given up \(fast.fallbacks)")
        #expect(heap.updated == 0)
    }

    /// Updates mixed with everything else a run does: circuits going up
    /// and down, a second arrival in the middle (on pairs whose flows have
    /// completed, are running or are new, so refillings from scratch fall
    /// between updates) and fills from scratch every 50 updates. Every
    /// completion time equals the undo-and-heap run's to 1e-9 relative.
    @Test func updatesBesideCircuitsAndArrivalsMatchTheHeapAlone() {
        let n = 90
        var rng = SplitMix(seed: 9151)
        let first = Self.sparseDemand(nodes: n, peers: 16, elephants: 2e7..<6e7, mice: 5e5..<5e6, rng: &rng)
        let second = Self.sparseDemand(nodes: n, peers: 12, elephants: 2e7..<6e7, mice: 5e5..<5e6, rng: &rng)
        let intervals = Self.rotatingCircuits(nodes: n, rounds: 8, every: 2, hold: 1e-3, rng: &rng)
        let packet = (0..<n).map { $0 % 3 == 0 ? 20e9 : 10e9 }
        let s = FluidScenario(nodes: n, packetRate: packet, circuitRate: 100e9,
                              arrivals: [(time: 0, demand: first), (time: 2e-3, demand: second)],
                              circuits: intervals, end: nil)
        var fast = PortFluidSimulator(nodes: n, packetRate: packet, circuitRate: 100e9)
        fast.updatesBetweenFills = 50
        var heap = PortFluidSimulator(nodes: n, packetRate: packet, circuitRate: 100e9)
        heap.updates = false
        expectSameRuns(fast.simulate(s), heap.simulate(s))
        #expect(fast.updated > 100 && fast.rewinds > 0 && fast.switches > 0, "updated \(fast.updated), rewinds \(fast.rewinds), switched \(fast.switches)")
        #expect(heap.updated == 0)
    }
}
