import Testing
import OptoCore
@testable import OptoEval

/// The chained epochs evaluation (`Evaluator.EpochChain`, the replay's
/// scorer) against `Evaluator.evaluate` on every prefix of seeded series:
/// after each epoch the chain's served total equals the whole prefix's
/// served bytes, with circuits kept, changed and removed, reconfiguration
/// delays shorter and longer than an epoch (a new circuit still dark when
/// the next epoch starts), epochs that leave backlog and epochs that do not.
@Suite struct EpochChainTests {
    @Test(arguments: 0..<8)
    func chainEqualsTheWholePrefix(seed: Int) throws {
        var rng = SplitMix(seed: UInt64(9100 + seed))
        let n = [4, 6, 9, 12][seed % 4]
        let ports = 1 + seed % 2
        let duration = 1e-3
        let delta = seed % 3 == 2 ? 1.5e-3 : 2e-5   // longer than an epoch on some seeds
        let fabric = Fabric(nodes: n, ports: ports, circuitRate: 100e9, packetRate: 10e9, reconfigurationDelay: delta)
        var chain = try Evaluator.EpochChain(fabric: fabric)
        var epochs: [ScheduleInstance.Epoch] = []
        var planned: [SchedulePlan.EpochCircuits] = []
        var served = 0.0
        var changedSomething = false
        var largestBacklog = 0.0
        var previous: [Circuit] = []
        for e in 0..<7 {
            var rows = Array(repeating: Array(repeating: 0.0, count: n), count: n)
            let load = e % 3 == 1 ? 2e5 : 4e6   // some epochs drain the backlog, some pile it up
            for i in 0..<n { for j in 0..<n where i != j && Double.random(in: 0..<1, using: &rng) < 0.5 {
                rows[i][j] = load * Double.random(in: 0.1..<1, using: &rng)
            } }
            // Keep the previous circuits on some epochs, else a fresh random configuration.
            var circuits: [Circuit]
            if e > 0 && Double.random(in: 0..<1, using: &rng) < 0.4 {
                circuits = previous
            } else {
                circuits = []
                for _ in 0..<ports {
                    let shift = Int.random(in: 1..<n, using: &rng)
                    for i in 0..<n where Double.random(in: 0..<1, using: &rng) < 0.8 { circuits.append(Circuit(i, (i + shift) % n)) }
                }
                if e > 0 && circuits != previous { changedSomething = true }
            }
            previous = circuits
            let demand = Matrix(rows)
            epochs.append(ScheduleInstance.Epoch(duration: duration, demand: demand))
            planned.append(SchedulePlan.EpochCircuits(circuits: circuits))
            served += try chain.serve(circuits: circuits, demand: demand, duration: duration)
            let whole = try Evaluator.evaluate(SchedulePlan(method: "test", status: .heuristic, metrics: PlanMetrics(objective: 0),
                                                            epochs: planned),
                                               on: ScheduleInstance(fabric: fabric, mode: .epochs(epochs)))
            let expected = whole.servedBytes ?? -1
            #expect(abs(served - expected) <= 1e-9 * max(1, expected), "seed \(seed), epoch \(e): chain \(served), whole prefix \(expected)")
            #expect(abs(chain.backlog.reduce(0, +) - (whole.unservedBytes ?? -1)) <= 1e-9 * max(1, expected) + 1e-3)
            largestBacklog = max(largestBacklog, chain.backlog.reduce(0, +))
        }
        #expect(changedSomething)
        #expect(largestBacklog > 0)
    }
}
