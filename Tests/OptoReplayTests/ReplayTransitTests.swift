import OptoCore
import OptoEval
import OptoGLPK
import OptoModel
import OptoPlanners
import OptoReplay
import OptoTraffic
import Testing

@Suite("Replay with transit (maxHops 2)")
struct ReplayTransitTests {
    /// 3 nodes, one port each, 8 Gb/s circuits (1 GB per 1 s epoch), no
    /// packet fabric, δ = 0.3 s.
    static let fabric = Fabric(nodes: 3, ports: 1, circuitRate: 8e9, packetRate: 0, reconfigurationDelay: 0.3)

    /// Node 0 sends 0.45 GB to each of 1 and 2 every epoch. Over one circuit
    /// it can serve one pair per epoch (switching costs 0.3 s of its 1 GB);
    /// with the circuits 0→1 and 1→2 held, 0→2 crosses node 1 and all
    /// 0.9 GB fit node 0's one transmitter.
    static func fanOut() -> TrafficSeries {
        var d = Matrix(size: 3)
        d[0, 1] = 0.45e9; d[0, 2] = 0.45e9
        return TrafficSeries(nodes: 3, snapshots: Array(repeating: d, count: 10))
    }

    static func config(maxHops: Int) -> ReplayConfiguration {
        ReplayConfiguration(fabric: fabric, holdout: 0.5, horizon: 2, predictor: "last", stepTimeLimit: 10,
                            referenceTimeLimit: 10, solver: GLPKSolver(), maxHops: maxHops)
    }

    @Test("transit serves what one circuit cannot, routes kept with the circuits, scored as the evaluator scores the kept plan")
    func fanOutServedOverTwoCircuits() throws {
        let series = Self.fanOut()
        let oneHop = try ReplayRunner(series: series, configuration: Self.config(maxHops: 1)).run()
        let runner = try ReplayRunner(series: series, configuration: Self.config(maxHops: 2))
        var kept: [Int: SchedulePlan] = [:]
        let r = try runner.run(kept: { t, plan in kept[t] = plan })
        let demand = 5 * 0.9e9
        #expect(r.epochs.count == 5)
        // Everything arriving is served in its epoch; one hop falls behind.
        #expect(abs(r.replay.servedBytes - demand) <= 1e-6 * demand)
        #expect(r.replay.backlogBytes <= 1e-6 * demand)
        #expect(oneHop.replay.servedBytes <= 0.8 * demand)
        // The kept epochs route 0→2 through node 1 over 0→1 and 1→2.
        for t in runner.split..<series.snapshots.count {
            let first = try #require(kept[t]?.epochs?.first)
            let routes = try #require(first.transit)
            #expect(routes.allSatisfy { $0.source == 0 && $0.via == 1 && $0.target == 2 })
            #expect(Set(first.circuits.map { [$0.from, $0.to] }) == [[0, 1], [1, 2]])
        }
        #expect(r.replay.circuitsChanged == 0)
        // The chain's bytes are the evaluator's on the kept plan as a whole.
        let actual = runner.actualInstance(epochs: r.epochs.count)
        #expect(actual.maxHops == 2)
        let whole = SchedulePlan(method: "replay", status: .heuristic, metrics: PlanMetrics(objective: 0),
                                 epochs: (runner.split..<series.snapshots.count).map { kept[$0]!.epochs![0] })
        let m = try Evaluator.evaluate(whole, on: actual)
        #expect(abs((m.servedBytes ?? -1) - r.replay.servedBytes) <= 1e-9 * demand)
        #expect((m.transitServedBytes ?? 0) > 0.4 * demand)
        // Perfect foresight plans with transit too.
        let pf = try #require(r.perfectForesight)
        #expect(abs(pf.servedBytes - demand) <= 1e-6 * demand)
        // A resumed run reads the kept plans (routes included) and agrees.
        let again = try runner.run(resumed: { kept[$0] }, references: false)
        #expect(again.epochs.allSatisfy { $0.resumed })
        #expect(abs(again.replay.servedBytes - r.replay.servedBytes) <= 1e-9 * demand)
    }

    @Test("the kept routes are shares: on traffic other than the forecast the evaluator serves at most what arrives")
    func forecastMissScoredOnActual() throws {
        // The forecast (last value) is the previous epoch; the actual
        // alternates between the fan-out and twice it.
        var small = Matrix(size: 3), big = Matrix(size: 3)
        small[0, 1] = 0.3e9; small[0, 2] = 0.3e9
        big[0, 1] = 0.6e9; big[0, 2] = 0.6e9
        let series = TrafficSeries(nodes: 3, snapshots: (0..<10).map { $0 % 2 == 0 ? small : big })
        let runner = try ReplayRunner(series: series, configuration: Self.config(maxHops: 2))
        var kept: [Int: SchedulePlan] = [:]
        let r = try runner.run(kept: { t, plan in kept[t] = plan }, references: false)
        let arrived = 0.6e9 * 2 + 1.2e9 * 3
        // One transmitter, 1 GB per epoch at most.
        #expect(r.epochs.allSatisfy { $0.servedBytes <= 1e9 * (1 + 1e-9) })
        // The chain on routes made for the forecast equals the evaluator on the whole kept plan and the actual series.
        let whole = SchedulePlan(method: "replay", status: .heuristic, metrics: PlanMetrics(objective: 0),
                                 epochs: (runner.split..<series.snapshots.count).map { kept[$0]!.epochs![0] })
        let m = try Evaluator.evaluate(whole, on: runner.actualInstance(epochs: r.epochs.count))
        #expect(abs((m.servedBytes ?? -1) - r.replay.servedBytes) <= 1e-9 * arrived)
        #expect(r.replay.servedBytes < arrived)  // the big epochs' 1.2 GB do not fit one transmitter
        // Transit carries part of it: more than one circuit's pair alone would.
        let oneHop = try ReplayRunner(series: series, configuration: Self.config(maxHops: 1)).run(references: false)
        #expect(r.replay.servedBytes > oneHop.replay.servedBytes)
    }

    @Test("a pair split between its own circuit and transit: the kept share is the routed part of what the plan serves")
    func splitPair() throws {
        // Two ports per node. 0→2 carries 1.5 GB per epoch, 0→1 and 1→2 0.5 GB
        // each. The circuits 0→2, 0→1, 1→2 fill node 0's transmitters and
        // node 2's receivers; 0→2 sends 1 GB on its own circuit and 0.5 GB
        // over 0→1→2, in the room the other two pairs leave (φ = 1/3).
        let fabric = Fabric(nodes: 3, ports: 2, circuitRate: 8e9, packetRate: 0, reconfigurationDelay: 0.3)
        var d = Matrix(size: 3)
        d[0, 2] = 1.5e9; d[0, 1] = 0.5e9; d[1, 2] = 0.5e9
        let series = TrafficSeries(nodes: 3, snapshots: Array(repeating: d, count: 8))
        let config = ReplayConfiguration(fabric: fabric, holdout: 0.5, horizon: 2, predictor: "last", stepTimeLimit: 10,
                                         referenceTimeLimit: 10, solver: GLPKSolver(), maxHops: 2)
        let runner = try ReplayRunner(series: series, configuration: config)
        var kept: [Int: SchedulePlan] = [:]
        let r = try runner.run(kept: { t, plan in kept[t] = plan }, references: false)
        let demand = 4 * 2.5e9
        #expect(abs(r.replay.servedBytes - demand) <= 1e-6 * demand)
        for t in runner.split..<series.snapshots.count {
            let first = try #require(kept[t]?.epochs?.first)
            #expect(Set(first.circuits.map { [$0.from, $0.to] }) == [[0, 1], [1, 2], [0, 2]])
            let routes = try #require(first.transit)
            #expect(routes.count == 1 && routes[0].source == 0 && routes[0].via == 1 && routes[0].target == 2)
            #expect(abs(routes[0].amount - 0.5e9) <= 1e-6 * 0.5e9)
            let p = try #require(first.served?.first { $0.source == 0 && $0.target == 2 })
            #expect(abs(p.bytes - 1.5e9) <= 1e-6 * 1.5e9)
        }
        // Scored on traffic other than the forecast: 0→2 doubles in the last epoch.
        var shifted = series.snapshots
        shifted[shifted.count - 1][0, 2] = 3e9
        let whole = SchedulePlan(method: "replay", status: .heuristic, metrics: PlanMetrics(objective: 0),
                                 epochs: (runner.split..<series.snapshots.count).map { kept[$0]!.epochs![0] })
        let actual = ScheduleInstance(fabric: fabric, mode: .epochs(shifted[runner.split...].map { .init(duration: 1, demand: $0) }),
                                      maxHops: 2)
        let m = try Evaluator.evaluate(whole, on: actual)
        // Last epoch by hand: a third of 0→2's 3 GB (1 GB) goes over 0→1→2 beside 0→1's and 1→2's 0.5 GB,
        // two thirds (2 GB) on 0→2's own 1 GB circuit. Max-min on 0→1 and on 1→2: 0.5 GB/s each for
        // the transit sub-flow and the pair's own bytes for the whole second: 0.5 GB of transit,
        // 1 GB direct, 0.5 + 0.5 GB of the others; 1.5 GB of 0→2 left.
        #expect(abs((m.servedBytes ?? -1) - (3 * 2.5e9 + 2.5e9)) <= 1e-6 * demand, "\(m.servedBytes ?? -1)")
        #expect(abs((m.unservedBytes ?? -1) - 1.5e9) <= 1e-6 * demand)
    }

    @Test("maxHops outside 1…2, or transit without a solver, is refused")
    func badTransitSettings() throws {
        let series = Self.fanOut()
        var c = Self.config(maxHops: 3)
        #expect(throws: ReplayError.self) { try ReplayRunner(series: series, configuration: c) }
        c = Self.config(maxHops: 2)
        c.solver = nil
        #expect(throws: ReplayError.self) { try ReplayRunner(series: series, configuration: c) }
        // The public one-epoch step refuses counts no fabric can hold: negative, on the diagonal, beyond the ports.
        for bad in [[0, -1, 0, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0], [0, 1, 1, 0, 0, 0, 0, 0, 0]] {
            var available = [Double](repeating: 1e9, count: 9)
            #expect(throws: ScheduleError.self) {
                try SchedulePlanner.transitEpoch(fabric: Self.fabric, duration: 1, available: &available, counts: bad,
                                                 previous: nil, fillFreePorts: true, solver: GLPKSolver())
            }
            #expect(throws: ScheduleError.self) {
                try SchedulePlanner.transitEpoch(fabric: Self.fabric, duration: 1, available: &available,
                                                 counts: [Int](repeating: 0, count: 9), previous: bad, fillFreePorts: true,
                                                 solver: GLPKSolver())
            }
        }
        // The fingerprint tells a transit replay's plans from a one-hop one's.
        #expect(Self.config(maxHops: 1).fingerprint != Self.config(maxHops: 2).fingerprint)
    }
}
