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
        let r = try ReplayRunner(series: series, configuration: Self.config(maxHops: 2)).run(references: false)
        let arrived = 0.6e9 * 2 + 1.2e9 * 3
        #expect(r.replay.servedBytes <= arrived * (1 + 1e-9))
        #expect(abs(r.replay.servedBytes + r.replay.backlogBytes - arrived) <= 1e-6 * arrived)
        // One transmitter, 1 GB per epoch at most.
        #expect(r.epochs.allSatisfy { $0.servedBytes <= 1e9 * (1 + 1e-9) })
        // Transit carries part of it: more than one circuit's pair alone would.
        let oneHop = try ReplayRunner(series: series, configuration: Self.config(maxHops: 1)).run(references: false)
        #expect(r.replay.servedBytes > oneHop.replay.servedBytes)
    }

    @Test("maxHops outside 1…2, or transit without a solver, is refused")
    func badTransitSettings() throws {
        let series = Self.fanOut()
        var c = Self.config(maxHops: 3)
        #expect(throws: ReplayError.self) { try ReplayRunner(series: series, configuration: c) }
        c = Self.config(maxHops: 2)
        c.solver = nil
        #expect(throws: ReplayError.self) { try ReplayRunner(series: series, configuration: c) }
        // The fingerprint tells a transit replay's plans from a one-hop one's.
        #expect(Self.config(maxHops: 1).fingerprint != Self.config(maxHops: 2).fingerprint)
    }
}
