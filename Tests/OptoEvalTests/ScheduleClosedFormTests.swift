import Testing
import OptoCore
@testable import OptoEval

/// Schedules whose metrics are worked out by hand. Tolerance: 1e-9 relative.
@Suite struct ScheduleClosedFormTests {
    static let mega = 1e6

    func close(_ a: Double?, _ b: Double, relative: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= relative * max(1e-12, abs(b))
    }

    func plan(_ configurations: [(Double, [Circuit])]) -> SchedulePlan {
        SchedulePlan(method: "test", status: .heuristic, metrics: PlanMetrics(objective: 0),
                     configurations: configurations.map { .init(duration: $0.0, circuits: $0.1) })
    }

    /// Three flows of 1, 2 and 3 MB into node 3 at 10 Gb/s share its receive
    /// port equally: they end at 3·8e6/1e10, then +2·8e6/1e10, then +8e6/1e10.
    @Test func oneReceivePortSharedBySizes() throws {
        let d = Matrix([[0, 0, 0, 1e6], [0, 0, 0, 2e6], [0, 0, 0, 3e6], [0, 0, 0, 0]])
        let fabric = Fabric(nodes: 4, ports: 1, circuitRate: 100e9, packetRate: 10e9)
        let m = try Evaluator.evaluate(plan([]), on: ScheduleInstance(fabric: fabric, demand: d))
        #expect(m.mode == "makespan")
        #expect(close(m.completionTimes?["0->3"], 2.4e-3))
        #expect(close(m.completionTimes?["1->3"], 4.0e-3))
        #expect(close(m.completionTimes?["2->3"], 4.8e-3))
        #expect(close(m.makespan, 4.8e-3))
        #expect(close(m.servedBytes, 6e6))
        #expect(close(m.unservedBytes.map { $0 + 1 }, 1))
        #expect(close(m.packetPortUtilisation?[3].receive, 1))
        // Node 0 sends 1 MB in 4.8 ms at 10 Gb/s: 8e6 / (1e10 · 4.8e-3).
        #expect(close(m.packetPortUtilisation?[0].send, 8e6 / (1e10 * 4.8e-3)))
        #expect(m.circuitBusyFraction == nil)
    }

    /// Arrivals at different times (epochs mode, no circuits): 2.5 MB 0→1
    /// alone for 1 ms (1e7 bits), then 1 MB 2→1 arrives and they share
    /// port 1's receive side at 5 Gb/s each: 2→1 ends at 1 + 8e6/5e9 =
    /// 2.6 ms, 0→1 has 2e6 bits left and ends at 2.8 ms.
    @Test func differentSizesArrivingAtDifferentTimes() throws {
        var first = Matrix(size: 3)
        first[0, 1] = 2.5e6
        var second = Matrix(size: 3)
        second[2, 1] = 1e6
        let fabric = Fabric(nodes: 3, ports: 1, circuitRate: 100e9, packetRate: 10e9, reconfigurationDelay: 1e-5)
        let instance = ScheduleInstance(fabric: fabric, mode: .epochs([.init(duration: 1e-3, demand: first),
                                                                       .init(duration: 5e-3, demand: second)]))
        let p = SchedulePlan(method: "test", status: .heuristic, metrics: PlanMetrics(objective: 0),
                             epochs: [.init(circuits: []), .init(circuits: [])])
        let m = try Evaluator.evaluate(p, on: instance)
        #expect(m.mode == "epochs")
        #expect(close(m.completionTimes?["2->1"], 2.6e-3))
        #expect(close(m.completionTimes?["0->1"], 2.8e-3))
        #expect(close(m.runEnd, 6e-3))
        #expect(close(m.packetPortUtilisation?[1].receive, 2.8 / 6))
    }

    /// A circuit plus the packet fabric: 0→1 (1 MB) and 0→2 (2 MB) share
    /// node 0's 10 Gb/s send port (5 Gb/s each); the circuit 0→1 (100 Gb/s)
    /// is live from δ = 20 µs. 0→1 gets 5 Gb/s for 20 µs (1e5 bits), then
    /// 105 Gb/s; 0→2 then has node 0's port alone.
    @Test func circuitPlusPacketFabric() throws {
        let d = Matrix([[0, 1e6, 2e6], [0, 0, 0], [0, 0, 0]])
        let fabric = Fabric(nodes: 3, ports: 1, circuitRate: 100e9, packetRate: 10e9, reconfigurationDelay: 20e-6)
        let m = try Evaluator.evaluate(plan([(1e-4, [Circuit(0, 1)])]), on: ScheduleInstance(fabric: fabric, demand: d))
        let t01 = 20e-6 + (8e6 - 5e9 * 20e-6) / 105e9
        let t02 = t01 + (16e6 - 5e9 * t01) / 10e9
        #expect(close(m.completionTimes?["0->1"], t01))
        #expect(close(m.completionTimes?["0->2"], t02))
        #expect(close(m.makespan, t02))
        // The circuit is live 100 µs and busy until 0→1 ends.
        #expect(close(m.circuitBusyFraction, (t01 - 20e-6) / 1e-4))
        #expect(close(m.packetPortUtilisation?[0].send, 1))
    }

    /// A blackout: a circuit-only fabric (no packet rate), δ = 100 µs, two
    /// configurations of 100 µs with the circuit 0→1 at 100 Gb/s; 2 MB
    /// (1.6e7 bits) takes 1e7 bits in the first and ends 60 µs into the
    /// second, which starts at 300 µs after two blackouts.
    @Test func blackoutBetweenConfigurations() throws {
        var d = Matrix(size: 2)
        d[0, 1] = 2e6
        let fabric = Fabric(nodes: 2, ports: 1, circuitRate: 100e9, packetRate: 0, reconfigurationDelay: 1e-4)
        let p = plan([(1e-4, [Circuit(0, 1)]), (1e-4, [Circuit(0, 1)])])
        let m = try Evaluator.evaluate(p, on: ScheduleInstance(fabric: fabric, demand: d, window: 1e-3))
        #expect(m.mode == "window")
        #expect(close(m.completionTimes?["0->1"], 3.6e-4))
        #expect(close(m.servedBytes, 2e6))
        #expect(close(m.circuitBusyFraction, 160.0 / 200.0))
        #expect(close(m.runEnd, 1e-3))
        // A window that ends inside the second blackout: only the first configuration serves.
        let cut = try Evaluator.evaluate(p, on: ScheduleInstance(fabric: fabric, demand: d, window: 2.5e-4))
        #expect(close(cut.servedBytes, 1.25e6))
        #expect(close(cut.unservedBytes, 0.75e6))
        #expect(cut.completionTimes?.isEmpty == true)
        #expect(close(cut.makespan, 2e-4))
        // Makespan mode: no circuit after the last configuration, no packet fabric: never finishes.
        let open = try Evaluator.evaluate(plan([(1e-4, [Circuit(0, 1)])]), on: ScheduleInstance(fabric: fabric, demand: d))
        #expect(close(open.servedBytes, 1.25e6))
        #expect(close(open.makespan, 2e-4))
    }

    /// Epochs mode: a circuit kept across the boundary carries through it;
    /// a new one is dark for δ. Circuit-only fabric, δ = 100 µs, epochs of
    /// 1 ms; 0→1 needs 2 ms of circuit (2.5 MB at 10 Gb/s), 0→2 gets its
    /// circuit only in epoch 1 (after δ).
    @Test func epochsKeepCircuitsAndDelayNewOnes() throws {
        var d = Matrix(size: 3)
        d[0, 1] = 2.5e6
        d[2, 1] = 0
        var d2 = Matrix(size: 3)
        d2[1, 2] = 0.5e6
        let fabric = Fabric(nodes: 3, ports: 1, circuitRate: 10e9, packetRate: 0, reconfigurationDelay: 1e-4)
        let instance = ScheduleInstance(fabric: fabric, mode: .epochs([.init(duration: 1e-3, demand: d),
                                                                       .init(duration: 2e-3, demand: d2)]))
        let p = SchedulePlan(method: "test", status: .heuristic, metrics: PlanMetrics(objective: 0),
                             epochs: [.init(circuits: [Circuit(0, 1)]), .init(circuits: [Circuit(0, 1), Circuit(1, 2)])])
        let m = try Evaluator.evaluate(p, on: instance)
        #expect(close(m.completionTimes?["0->1"], 2e-3))
        // 1→2: 4e6 bits from 1.1 ms at 10 Gb/s.
        #expect(close(m.completionTimes?["1->2"], 1.5e-3))
        #expect(close(m.servedBytes, 3e6))
        // Live: 0→1 for 3 ms, 1→2 for 1.9 ms; busy: 2 ms and 0.4 ms.
        #expect(close(m.circuitBusyFraction, 2.4 / 4.9))
    }

    @Test func rejectsBadPlansAndTraffic() throws {
        let fabric = Fabric(nodes: 3, ports: 1, circuitRate: 1e9, packetRate: 1e9)
        let instance = ScheduleInstance(fabric: fabric, demand: Matrix(size: 3))
        #expect(throws: EvaluationError.self) { try Evaluator.evaluate(plan([(1, [Circuit(0, 3)])]), on: instance) }
        #expect(throws: EvaluationError.self) { try Evaluator.evaluate(plan([(1, [Circuit(1, 1)])]), on: instance) }
        #expect(throws: EvaluationError.self) { try Evaluator.evaluate(plan([(1, [Circuit(0, 1), Circuit(0, 2)])]), on: instance) }
        #expect(throws: EvaluationError.self) { try Evaluator.evaluate(plan([(-1, [])]), on: instance) }
        let other = ScheduleInstance(fabric: Fabric(nodes: 4, ports: 1, circuitRate: 1e9, packetRate: 1e9), demand: Matrix(size: 4))
        #expect(throws: EvaluationError.self) { try Evaluator.evaluate(plan([]), on: instance, actual: other) }
        let epochs = ScheduleInstance(fabric: fabric, mode: .epochs([.init(duration: 1, demand: Matrix(size: 3))]))
        #expect(throws: EvaluationError.self) { try Evaluator.evaluate(plan([]), on: epochs) }
        #expect(throws: EvaluationError.self) { try Evaluator.evaluate(plan([]), on: instance, actual: epochs) }
    }

    /// A plan made on a prediction, scored on other traffic: the timing and
    /// fabric are the instance's, the demand the actual's.
    @Test func actualTraffic() throws {
        let fabric = Fabric(nodes: 2, ports: 1, circuitRate: 0, packetRate: 8e9)
        var predicted = Matrix(size: 2)
        predicted[0, 1] = 1e6
        var happened = Matrix(size: 2)
        happened[0, 1] = 3e6
        let m = try Evaluator.evaluate(plan([]), on: ScheduleInstance(fabric: fabric, demand: predicted, window: 2e-3),
                                       actual: ScheduleInstance(fabric: fabric, demand: happened, window: 1))
        #expect(close(m.servedBytes, 2e6))
        #expect(close(m.unservedBytes, 1e6))
        #expect(m.notes?.isEmpty == false)
    }
}
