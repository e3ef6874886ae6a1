import Testing
import OptoCore
import OptoModel
import OptoGLPK
@testable import OptoPlanners

@Suite("Schedule scoring")
struct ScheduleScoringTests {
    @Test("lower bound of §1a by hand")
    func lowerBoundByHand() throws {
        // Node 0 sends 3 GB; k·r_c + p = 1 GB/s + 0.1 GB/s.
        let d = Matrix([[0, 2e9, 1e9], [0, 0, 0], [5e8, 0, 0]])
        let lb = try ScheduleScoring.lowerBound(fabric: ScheduleFixtures.fabric(nodes: 3), demand: d)
        #expect(abs(lb - 3e9 / 1.1e9) < 1e-9)
    }

    @Test("one circuit, no packet fabric: makespan is δ plus the transfer")
    func oneCircuit() throws {
        let inst = ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: 2, packetBytesPerSecond: 0),
                                    demand: Matrix([[0, 1e9], [0, 0]]))
        let score = try ScheduleScoring.score(inst, configurations: [.init(duration: 1, circuits: [Circuit(0, 1)])])
        #expect(abs(score.makespan - 1.001) < 1e-12)
        #expect(abs(score.servedBytes - 1e9) < 1e-3)
        let half = try ScheduleScoring.score(inst, configurations: [.init(duration: 0.5, circuits: [Circuit(0, 1)])])
        #expect(half.makespan == .infinity)
    }

    @Test("window mode: circuits plus the packet fabric over the whole window")
    func windowService() throws {
        // W = 0.5 s, δ = 1 ms: the circuit serves 0.499 GB, the packet fabric 0.05 GB.
        let inst = ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: 2), demand: Matrix([[0, 1e9], [0, 0]]), window: 0.5)
        let score = try ScheduleScoring.score(inst, configurations: [.init(duration: 0.499, circuits: [Circuit(0, 1)])])
        #expect(abs(score.circuitBytes - 0.499e9) < 1)
        #expect(abs(score.packetBytes - 0.05e9) < 1)
        #expect(abs(score.makespan - 0.5) < 1e-12)
    }

    @Test("packet fabric alongside a circuit shortens the makespan")
    func packetAlongside() throws {
        let inst = ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: 2), demand: Matrix([[0, 1e9], [0, 0]]))
        // Circuit t, packet over δ + t: 1e9·t + 1e8·(t + δ) = 1e9.
        let t = (1e9 - 1e8 * 1e-3) / 1.1e9
        let score = try ScheduleScoring.score(inst, configurations: [.init(duration: t, circuits: [Circuit(0, 1)])])
        #expect(abs(score.makespan - (t + 1e-3)) < 1e-9)
    }

    @Test("transportation max-flow equals the LP optimum on random cases", arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func transportationMatchesLP(seed: UInt64) throws {
        var rng = ScheduleRNG(seed: seed)
        let n = 6
        let r = ScheduleFixtures.demand(nodes: n, density: 0.7, scale: 10, rng: &rng).values
        let supply = (0..<n).map { _ in Double.random(in: 1...15, using: &rng) }
        let cap = (0..<n).map { _ in Double.random(in: 1...15, using: &rng) }
        let fast = TransportationProblem(n: n, residual: r, supply: supply, capacity: cap).solve(wantFlows: true)
        let model = Model(name: "transport")
        var vars: [Int: VariableID] = [:]
        for k in 0..<(n * n) where r[k] > 0 { vars[k] = model.addVariable(.continuous, lowerBound: 0, upperBound: r[k]) }
        for i in 0..<n {
            model.addConstraint(LinearExpression.sum((0..<n).compactMap { vars[i * n + $0] }), .lessThanOrEqual(supply[i]))
            model.addConstraint(LinearExpression.sum((0..<n).compactMap { vars[$0 * n + i] }), .lessThanOrEqual(cap[i]))
        }
        model.setObjective(LinearExpression.sum(Array(vars.values)), .maximize)
        let result = try GLPKSolver().solve(model)
        let lp = try #require(result.objectiveValue)
        #expect(abs(fast.value - lp) <= 1e-7 * max(1, lp))
        // The flows respect every limit.
        let flows = try #require(fast.flows)
        for i in 0..<n {
            #expect((0..<n).reduce(0) { $0 + flows[i * n + $1] } <= supply[i] + 1e-9)
            #expect((0..<n).reduce(0) { $0 + flows[$1 * n + i] } <= cap[i] + 1e-9)
        }
        for k in 0..<(n * n) { #expect(flows[k] <= r[k] + 1e-9 && flows[k] >= -1e-9) }
    }

    @Test("violations name port overuse, self-circuits and an overlong schedule")
    func violations() {
        let inst = ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: 3), demand: Matrix(size: 3), window: 0.01)
        let plan = SchedulePlan(method: "test", status: .heuristic, metrics: PlanMetrics(objective: 0),
                                configurations: [.init(duration: 0.02, circuits: [Circuit(0, 1), Circuit(0, 2), Circuit(1, 1)])])
        let v = ScheduleScoring.violations(of: plan, for: inst)
        #expect(v.contains { $0.contains("node 0 transmits on 2") })
        #expect(v.contains { $0.contains("itself") })
        #expect(v.contains { $0.contains("window") })
        let ok = SchedulePlan(method: "test", status: .heuristic, metrics: PlanMetrics(objective: 0),
                              configurations: [.init(duration: 0.008, circuits: [Circuit(0, 1), Circuit(1, 2), Circuit(2, 0)])])
        #expect(ScheduleScoring.violations(of: ok, for: inst).isEmpty)
    }

    @Test("epochs: kept circuits carry the whole epoch, new ones lose δ, backlog carries over")
    func epochsByHand() throws {
        let f = ScheduleFixtures.fabric(nodes: 2, packetBytesPerSecond: 0, delta: 0.1)
        let d1 = Matrix([[0, 2e9], [1e9, 0]])
        let inst = ScheduleInstance(fabric: f, mode: .epochs([.init(duration: 1, demand: d1), .init(duration: 1, demand: Matrix(size: 2))]))
        // Epoch 0 holds 0→1 (1 GB of 2 served); epoch 1 keeps 0→1 (1 GB more) and adds 1→0 (0.9 GB of 1).
        let score = try ScheduleScoring.scoreEpochs(inst, epochs: [.init(circuits: [Circuit(0, 1)]),
                                                                   .init(circuits: [Circuit(0, 1), Circuit(1, 0)])])
        #expect(abs(score.servedPerEpoch[0] - 1e9) < 1)
        #expect(abs(score.servedPerEpoch[1] - 1.9e9) < 1)
        #expect(abs(score.backlogBytes - 0.1e9) < 1)
        #expect(score.changedPerEpoch == [0, 1])
    }
}
