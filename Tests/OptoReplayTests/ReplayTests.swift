import OptoCore
import OptoEval
import OptoGLPK
import OptoModel
import OptoPlanners
import OptoReplay
import OptoTraffic
import Testing

/// SplitMix64 stream for the seeded traces.
private func traces(seed: UInt64, nodes n: Int, snapshots: Int, density: Double, scale: Double) -> TrafficSeries {
    var g = SeededGenerator(seed: seed)
    func unit() -> Double { Double(g.next() >> 11) / Double(1 << 53) }
    let mats = (0..<snapshots).map { _ -> Matrix in
        var m = Matrix(size: n)
        for i in 0..<n { for j in 0..<n where i != j && unit() < density { m[i, j] = (0.2 + unit()) * scale } }
        return m
    }
    return TrafficSeries(nodes: n, snapshots: mats)
}

@Suite("Replay (PROBLEMS.md §5)")
struct ReplayTests {
    /// 3 nodes, one port each, 8 Gb/s circuits (1 GB per second), no packet fabric.
    static func ring(packet: Double = 0, delta: Double = 0.01) -> Fabric {
        Fabric(nodes: 3, ports: 1, circuitRate: 8e9, packetRate: packet, reconfigurationDelay: delta)
    }

    @Test("a constant series: last value is exact, replay equals perfect foresight and the closed form")
    func constantSeries() throws {
        // 0→1, 1→2, 2→0 with 3 GB each per epoch: the cycle serves 1 GB per
        // pair and epoch, 3 GB per epoch, whatever the backlog.
        var d = Matrix(size: 3)
        d[0, 1] = 3e9; d[1, 2] = 3e9; d[2, 0] = 3e9
        let series = TrafficSeries(nodes: 3, snapshots: Array(repeating: d, count: 10))
        let config = ReplayConfiguration(fabric: Self.ring(), holdout: 0.5, horizon: 2, predictor: "last",
                                         stepTimeLimit: 10, referenceTimeLimit: 10, solver: GLPKSolver())
        let runner = try ReplayRunner(series: series, configuration: config)
        let r = try runner.run()
        #expect(r.epochs.count == 5)
        #expect(r.epochs.allSatisfy { abs($0.forecastError) < 1e-12 })
        let pf = try #require(r.perfectForesight)
        #expect(abs(r.replay.servedBytes - 15e9) <= 1e-6 * 15e9)
        #expect(abs(pf.servedBytes - r.replay.servedBytes) <= 1e-6 * pf.servedBytes)
        #expect(abs(r.replay.backlogBytes - 30e9) <= 1e-6 * 30e9)
        #expect(r.replay.circuitsChanged == 0)
        for e in r.epochs { #expect(abs(e.servedBytes - 3e9) <= 1e-6 * 3e9) }
    }

    @Test("seeded small traces: perfect foresight (exact) never serves less than replay", arguments: [UInt64(1), 2, 3, 4, 5])
    func perfectForesightDominates(seed: UInt64) throws {
        let series = traces(seed: seed, nodes: 4, snapshots: 8, density: 0.5, scale: 1.5e9)
        let fabric = Fabric(nodes: 4, ports: 1, circuitRate: 8e9, packetRate: 2e9, reconfigurationDelay: 0.1)
        let config = ReplayConfiguration(fabric: fabric, holdout: 0.5, horizon: 2, predictor: "last",
                                         stepTimeLimit: 10, referenceTimeLimit: 20, solver: GLPKSolver())
        let runner = try ReplayRunner(series: series, configuration: config)
        let r = try runner.run(references: false)
        let actual = runner.actualInstance(epochs: r.epochs.count)
        let exact = try SchedulePlanner.plan(actual, method: .ilp, options: PlanningOptions(timeLimit: 20, solver: GLPKSolver()))
        #expect(exact.status == .optimal)
        let kept = ReplayRunner.plan(r.kept, nodes: 4, method: "replay")
        let scored = try ScheduleScoring.scoreEpochs(actual, epochs: kept.epochs!).servedBytes
        let tol = 1e-6 * max(1, exact.metrics.objective)
        #expect(exact.metrics.objective >= scored - tol)
        #expect(exact.metrics.objective >= r.replay.servedBytes - tol)
        // The evaluator never serves more than the planner's scoring claims.
        #expect(r.replay.servedBytes <= scored + tol)
        // Every kept configuration fits the ports.
        for c in r.kept {
            for v in 0..<4 {
                #expect((0..<4).reduce(0) { $0 + c[v * 4 + $1] } <= 1)
                #expect((0..<4).reduce(0) { $0 + c[$1 * 4 + v] } <= 1)
            }
        }
    }

    @Test("resuming from kept plans (after a stop) equals an uninterrupted run")
    func resume() throws {
        let series = traces(seed: 9, nodes: 5, snapshots: 12, density: 0.4, scale: 2e9)
        let fabric = Fabric(nodes: 5, ports: 1, circuitRate: 8e9, packetRate: 1e9, reconfigurationDelay: 0.05)
        for hedging in [Hedging.none, .scenarios(count: 3, seed: 4)] {
            let config = ReplayConfiguration(fabric: fabric, holdout: 0.5, horizon: 3, predictor: "ewma", hedging: hedging,
                                             method: .greedy)
            let runner = try ReplayRunner(series: series, configuration: config)
            var saved: [Int: SchedulePlan] = [:]
            let full = try runner.run(kept: { saved[$0] = $1 }, references: false)
            #expect(full.epochs.count == 6 && !full.interrupted)
            // A run stopped after 3 epochs, then resumed from what it kept.
            var partial: [Int: SchedulePlan] = [:]
            let counter = Counter()
            let stopped = try runner.run(kept: { partial[$0] = $1 }, progress: { _, _, _ in counter.add() },
                                         shouldStop: { counter.value >= 3 }, references: false)
            #expect(stopped.interrupted && stopped.epochs.count == 3)
            let resumed = try runner.run(resumed: { partial[$0] }, references: false)
            #expect(resumed.kept == full.kept)
            #expect(resumed.epochs.filter(\.resumed).count == 3)
            for (a, b) in zip(resumed.epochs, full.epochs) {
                #expect(abs(a.servedBytes - b.servedBytes) <= 1e-9 * max(1, b.servedBytes))
                #expect(abs(a.backlogBytes - b.backlogBytes) <= 1e-9 * max(1, b.backlogBytes))
                #expect(a.circuitsChanged == b.circuitsChanged)
            }
        }
    }

    @Test("hedged replays run and are scored on the actual traffic like plain ones")
    func hedged() throws {
        let series = traces(seed: 21, nodes: 4, snapshots: 10, density: 0.5, scale: 1e9)
        let fabric = Fabric(nodes: 4, ports: 1, circuitRate: 8e9, packetRate: 1e9, reconfigurationDelay: 0.05)
        for hedging in [Hedging.quantile(0.8), .scenarios(count: 4, seed: 1)] {
            let config = ReplayConfiguration(fabric: fabric, holdout: 0.5, horizon: 2, predictor: "last", hedging: hedging,
                                             stepTimeLimit: 5, referenceTimeLimit: 10, solver: GLPKSolver())
            let r = try ReplayRunner(series: series, configuration: config).run()
            let demand = series.snapshots[5...].reduce(0) { $0 + $1.total }
            #expect(abs(r.replay.servedBytes + r.replay.backlogBytes - demand) <= 1e-6 * demand)
            #expect(r.replay.servedBytes <= (r.perfectForesight?.servedBytes ?? 0) * (1 + 1e-6) + 1)
        }
    }

    /// 1 GB on 0→1 in every odd epoch, nothing else: last value forecasts
    /// each burst as nothing, so the unhedged plan sets no circuit in the
    /// epoch it arrives and serves it one epoch late; the last replayed
    /// epoch (9) is a burst, left unserved. Played on the ring with δ = 0.
    static func oddBursts() -> TrafficSeries {
        var burst = Matrix(size: 3)
        burst[0, 1] = 1e9
        return TrafficSeries(nodes: 3, snapshots: (0..<10).map { $0 % 2 == 1 ? burst : Matrix(size: 3) })
    }

    @Test("a burst that last value misses: the quantile and scenario hedges serve it on time, unhedged a step late")
    func hedgeHelps() throws {
        let series = Self.oddBursts()
        func served(_ hedging: Hedging) throws -> Double {
            let config = ReplayConfiguration(fabric: Self.ring(delta: 0), holdout: 0.5, horizon: 2, predictor: "last", hedging: hedging,
                                             method: .greedy)
            return try ReplayRunner(series: series, configuration: config).run(references: false).replay.servedBytes
        }
        // Unhedged: bursts 5 and 7 are served in epochs 6 and 8, burst 9 not at all.
        let plain = try served(.none)
        #expect(abs(plain - 2e9) <= 1e-6 * 1e9)
        // The residuals of 0→1 are ±1 GB: its 0.9-quantile is +1 GB, so the
        // hedged forecast keeps the circuit up and every burst is served
        // in its own epoch (3 GB); the scenarios (half of them a burst) do the same.
        let quantile = try served(.quantile(0.9))
        let scenarios = try served(.scenarios(count: 8, seed: 1))
        #expect(abs(quantile - 3e9) <= 1e-6 * 3e9)
        #expect(abs(scenarios - 3e9) <= 1e-6 * 3e9)
    }

    @Test("the exact-forecast reference equals perfect foresight where last value falls behind")
    func exactForecast() throws {
        var config = ReplayConfiguration(fabric: Self.ring(delta: 0), holdout: 0.5, horizon: 2, predictor: "last", method: .greedy)
        config.exactForecast = true
        let r = try ReplayRunner(series: Self.oddBursts(), configuration: config).run()
        let pf = try #require(r.perfectForesight)
        #expect(abs(r.replay.servedBytes - 3e9) <= 1e-6 * 3e9)
        #expect(abs(pf.servedBytes - r.replay.servedBytes) <= 1e-6 * 3e9)
        // A different fingerprint: a resumed directory of plain replay is not reused for it.
        config.exactForecast = false
        var exact = config
        exact.exactForecast = true
        #expect(config.fingerprint != exact.fingerprint)
    }

    @Test("bad settings are refused with a reason")
    func badSettings() throws {
        let series = traces(seed: 1, nodes: 3, snapshots: 6, density: 0.5, scale: 1e9)
        #expect(throws: ReplayError.self) { try ReplayRunner(series: series, configuration: ReplayConfiguration(fabric: Self.ring(), horizon: 0)) }
        #expect(throws: ReplayError.self) {
            try ReplayRunner(series: series, configuration: ReplayConfiguration(fabric: Fabric(nodes: 4, ports: 1, circuitRate: 1, packetRate: 1, reconfigurationDelay: 0)))
        }
        #expect(throws: ReplayError.self) {
            try ReplayRunner(series: TrafficSeries(nodes: 3, snapshots: [Matrix(size: 3), Matrix(size: 3)]),
                             configuration: ReplayConfiguration(fabric: Self.ring()))
        }
        #expect(throws: ReplayError.self) { try ReplayRunner(series: series, configuration: ReplayConfiguration(fabric: Self.ring(), hedging: .quantile(1.5))) }
    }
}

/// A count shared with a `@Sendable` stop closure.
final class Counter: @unchecked Sendable {
    private(set) var value = 0
    func add() { value += 1 }
}

@Suite("Scenario planning")
struct ScenarioPlanningTests {
    @Test("K = 1 equals plain epochs planning on that scenario (ilp and greedy)", arguments: [UInt64(3), 7, 11])
    func oneScenario(seed: UInt64) throws {
        let series = traces(seed: seed, nodes: 4, snapshots: 4, density: 0.6, scale: 2e9)
        let fabric = Fabric(nodes: 4, ports: 2, circuitRate: 8e9, packetRate: 2e9, reconfigurationDelay: 0.1)
        let durations = [1.0, 1.0, 0.5, 1.0]
        let instance = ScheduleInstance(fabric: fabric, mode: .epochs(zip(durations, series.snapshots).map { .init(duration: $0, demand: $1) }))
        let options = PlanningOptions(timeLimit: 20, solver: GLPKSolver())
        let plain = try SchedulePlanner.plan(instance, method: .ilp, options: options)
        let one = try SchedulePlanner.planScenarios(ScenarioEpochs(fabric: fabric, durations: durations, scenarios: [series.snapshots]),
                                                    method: .ilp, options: options)
        #expect(plain.status == .optimal && one.status == .optimal)
        #expect(abs(plain.metrics.objective - one.metrics.objective) <= 1e-6 * max(1, plain.metrics.objective))
        let g = try SchedulePlanner.plan(instance, method: .greedy)
        let g1 = try SchedulePlanner.planScenarios(ScenarioEpochs(fabric: fabric, durations: durations, scenarios: [series.snapshots]),
                                                   method: .greedy)
        #expect(g.epochs == g1.epochs)
        #expect(abs((g.metrics.servedBytes ?? 0) - (g1.metrics.servedBytes ?? 0)) <= 1e-9 * max(1, g.metrics.servedBytes ?? 0))
    }

    @Test("several scenarios: the heuristic is feasible and never beats the exact model; start state is honoured", arguments: [UInt64(5), 6])
    func scenarios(seed: UInt64) throws {
        let fabric = Fabric(nodes: 4, ports: 1, circuitRate: 8e9, packetRate: 1e9, reconfigurationDelay: 0.2)
        let sc = (0..<3).map { s in traces(seed: seed * 10 + UInt64(s), nodes: 4, snapshots: 3, density: 0.5, scale: 1.5e9).snapshots }
        var inPlace = [Int](repeating: 0, count: 16)
        inPlace[0 * 4 + 1] = 1; inPlace[1 * 4 + 0] = 1
        var backlog = [Double](repeating: 0, count: 16)
        backlog[2 * 4 + 3] = 3e9
        let problem = ScenarioEpochs(fabric: fabric, durations: [1, 1, 1], scenarios: sc,
                                     start: EpochsStart(circuits: inPlace, backlog: backlog))
        let exact = try SchedulePlanner.planScenarios(problem, method: .ilp, options: PlanningOptions(timeLimit: 20, solver: GLPKSolver()))
        let heuristic = try SchedulePlanner.planScenarios(problem, method: .greedy)
        #expect(exact.status == .optimal)
        #expect(heuristic.metrics.objective <= exact.metrics.objective * (1 + 1e-6) + 1)
        for e in heuristic.epochs! {
            let c = SchedulePlanner.counts(e, nodes: 4)
            for v in 0..<4 { #expect((0..<4).reduce(0) { $0 + c[v * 4 + $1] } <= 1) }
        }
        // Mean served by hand: each scenario scored from the same start.
        let counts = exact.epochs!.map { SchedulePlanner.counts($0, nodes: 4) }
        var mean = 0.0
        for s in sc {
            var b = backlog
            var previous: [Int]? = inPlace
            for e in 0..<3 {
                for k in 0..<16 { b[k] += s[e].withoutDiagonal.values[k] }
                mean += try SchedulePlanner.serveEpoch(fabric: fabric, duration: 1, backlog: &b, counts: counts[e], previous: previous).served / 3
                previous = counts[e]
            }
        }
        // The model's objective is the best service of these circuits, at least the scoring's.
        #expect(mean <= exact.metrics.objective * (1 + 1e-6) + 1)
        // Keeping the circuits in place costs no δ: with them forced as the
        // only useful ones, the first epoch serves a full 1 GB on 0→1.
        var only = Matrix(size: 4)
        only[0, 1] = 5e9
        let keep = try SchedulePlanner.planScenarios(ScenarioEpochs(fabric: fabric, durations: [1], scenarios: [[only]],
                                                                    start: EpochsStart(circuits: inPlace)), method: .greedy)
        #expect(abs((keep.metrics.servedBytes ?? 0) - (1e9 + 1e9 / 8)) <= 1e-6 * 1e9)
        let fresh = try SchedulePlanner.planScenarios(ScenarioEpochs(fabric: fabric, durations: [1], scenarios: [[only]],
                                                                     start: EpochsStart(circuits: [Int](repeating: 0, count: 16))), method: .greedy)
        #expect(abs((fresh.metrics.servedBytes ?? 0) - (0.8e9 + 1e9 / 8)) <= 1e-6 * 1e9)
    }
}
