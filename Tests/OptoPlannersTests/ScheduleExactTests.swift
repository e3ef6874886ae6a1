import Testing
import OptoCore
import OptoModel
import OptoGLPK
@testable import OptoPlanners

@Suite("Schedule exact model")
struct ScheduleExactTests {
    static func options(slots: Int? = nil, timeLimit: Double = 20) -> PlanningOptions {
        PlanningOptions(timeLimit: timeLimit, solver: GLPKSolver(), slots: slots)
    }

    @Test("N = 2, one circuit, by hand: makespan δ + transfer; window: δ then the rest of W")
    func oneCircuitByHand() throws {
        let f = ScheduleFixtures.fabric(nodes: 2, packetBytesPerSecond: 0)
        let makespan = try SchedulePlanner.plan(ScheduleInstance(fabric: f, demand: Matrix([[0, 1e9], [0, 0]])),
                                                method: .ilp, options: Self.options())
        #expect(makespan.status == .optimal)
        #expect(abs(try #require(makespan.metrics.makespan) - 1.001) < 1e-6)
        let windowed = try SchedulePlanner.plan(ScheduleInstance(fabric: f, demand: Matrix([[0, 1e9], [0, 0]]), window: 0.5),
                                                method: .ilp, options: Self.options())
        #expect(abs(try #require(windowed.metrics.servedBytes) - 0.499e9) < 1e3)
        #expect(windowed.metrics.slots != nil)
        #expect(windowed.metrics.gap.map { $0 < 1e-6 } == true)
    }

    @Test("no solver: a typed error")
    func noSolver() {
        let inst = ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: 2), demand: Matrix([[0, 1], [0, 0]]))
        #expect(throws: PlanningError.noSolver) { try SchedulePlanner.plan(inst, method: .ilp) }
    }

    /// Every maximal configuration of N = 3 with one port: maximal matchings of
    /// the complete bipartite graph without its diagonal.
    static func maximalConfigurations(n: Int) -> [[Circuit]] {
        var all: [[Circuit]] = []
        func grow(_ i: Int, _ used: Set<Int>, _ cs: [Circuit]) {
            if i == n { all.append(cs); return }
            grow(i + 1, used, cs)
            for j in 0..<n where j != i && !used.contains(j) { grow(i + 1, used.union([j]), cs + [Circuit(i, j)]) }
        }
        grow(0, [], [])
        return all.filter { cs in
            let tx = Set(cs.map(\.from)), rx = Set(cs.map(\.to))
            return !cs.isEmpty && !(0..<n).contains { i in !tx.contains(i) && (0..<n).contains { j in j != i && !rx.contains(j) } }
        }
    }

    /// Brute force: the best plan using a subset of maximal configurations,
    /// each held once (order is irrelevant), durations and packet flows by LP.
    static func bruteForce(_ inst: ScheduleInstance, configs: [[Circuit]]) throws -> Double {
        guard case .window(let d, let window) = inst.mode else { return .nan }
        let n = d.rows
        let c = inst.fabric.circuitRate / 8, p = inst.fabric.packetRate[0] / 8, delta = inst.fabric.reconfigurationDelay
        var best = window == nil ? Double.infinity : -1.0
        for mask in 1..<(1 << configs.count) {
            let chosen = configs.indices.filter { mask & (1 << $0) != 0 }
            let model = Model()
            let t = chosen.map { _ in model.addVariable(.continuous) }
            let bigT = model.addVariable(.continuous)
            var e = [Int: VariableID](), served = [Int: LinearExpression]()
            for k in 0..<(n * n) where d.values[k] > 0 {
                e[k] = model.addVariable(.continuous)
                served[k] = LinearExpression(e[k]!)
            }
            for (s, ci) in chosen.enumerated() {
                for cc in configs[ci] where d[cc.from, cc.to] > 0 {
                    let y = model.addVariable(.continuous)
                    model.addConstraint(y - c * t[s], .lessThanOrEqual(0))
                    served[cc.from * n + cc.to]!.add(1, y)
                }
            }
            for (k, expr) in served { model.addConstraint(expr, window == nil ? .equalTo(d.values[k]) : .lessThanOrEqual(d.values[k])) }
            for v in 0..<n {
                let out = LinearExpression.sum((0..<n).compactMap { e[v * n + $0] })
                let inn = LinearExpression.sum((0..<n).compactMap { e[$0 * n + v] })
                for x in [out, inn] where !x.terms.isEmpty {
                    if let w = window { model.addConstraint(x, .lessThanOrEqual(p * w)) } else { model.addConstraint(x - p * bigT, .lessThanOrEqual(0)) }
                }
            }
            let span = LinearExpression.sum(t) + Double(chosen.count) * delta
            if let w = window {
                model.addConstraint(span, .lessThanOrEqual(w))
                model.setObjective(LinearExpression.sum(served.values.map { $0 }), .maximize)
            } else {
                model.addConstraint(span - bigT, .lessThanOrEqual(0))
                model.setObjective(LinearExpression(bigT), .minimize)
            }
            let r = try GLPKSolver().solve(model)
            guard r.termination == .optimal, let v = r.objectiveValue else { continue }
            best = window == nil ? min(best, v) : max(best, v)
        }
        return best
    }

    @Test("N = 3: brute force over maximal configurations equals the ILP", arguments: [(UInt64(71), false), (72, true), (73, false), (74, true)])
    func bruteForceN3(seed: UInt64, windowed: Bool) throws {
        var rng = ScheduleRNG(seed: seed)
        let d = ScheduleFixtures.demand(nodes: 3, density: 0.8, scale: 1e8, rng: &rng)
        let fabric = ScheduleFixtures.fabric(nodes: 3, packetBytesPerSecond: 1e7, delta: 2e-3)
        let lb = try ScheduleScoring.lowerBound(fabric: fabric, demand: d)
        let inst = ScheduleInstance(fabric: fabric, demand: d, window: windowed ? lb * 0.7 : nil)
        let configs = Self.maximalConfigurations(n: 3)
        #expect(configs.count == 5)   // the 2 derangements and the 3 swaps i⇄j (the third node then has no free receiver)
        let brute = try Self.bruteForce(inst, configs: configs)
        let plan = try SchedulePlanner.plan(inst, method: .ilp, options: Self.options(slots: configs.count))
        #expect(plan.status == .optimal)
        let value = plan.metrics.objective
        #expect(abs(value - brute) <= 1e-5 * max(1, abs(brute)), "ilp \(value) brute \(brute)")
        #expect(ScheduleScoring.violations(of: plan, for: inst).isEmpty)
    }

    @Test("seeded random: heuristics never beat the ILP; plain and strengthened agree",
          arguments: [(UInt64(81), 1, false), (82, 1, true), (83, 2, false), (84, 2, true)])
    func heuristicsNeverBeatILP(seed: UInt64, ports: Int, windowed: Bool) throws {
        var rng = ScheduleRNG(seed: seed)
        let n = 4
        let d = ScheduleFixtures.demand(nodes: n, density: 0.7, scale: 1e8, rng: &rng)
        let fabric = ScheduleFixtures.fabric(nodes: n, ports: ports, packetBytesPerSecond: 1e7, delta: 2e-3)
        let lb = try ScheduleScoring.lowerBound(fabric: fabric, demand: d)
        let inst = ScheduleInstance(fabric: fabric, demand: d, window: windowed ? lb * 0.6 : nil)
        var heuristicPlans: [SchedulePlan] = []
        for m in ScheduleMethod.heuristics { heuristicPlans.append(try SchedulePlanner.plan(inst, method: m)) }
        let slots = max(4, heuristicPlans.map { $0.configurations?.count ?? 0 }.max() ?? 0)
        // A short limit: the incumbent (warm-started from the best heuristic) is what is checked.
        let ilp = try SchedulePlanner.plan(inst, method: .ilp, options: Self.options(slots: slots, timeLimit: 3))
        #expect(ScheduleScoring.violations(of: ilp, for: inst).isEmpty)
        #expect(ilp.status == .optimal || ilp.status == .feasible)
        let bound = try #require(ilp.metrics.bound)
        #expect(windowed ? bound >= ilp.metrics.objective * (1 - 1e-9) : bound <= ilp.metrics.objective * (1 + 1e-9))
        for h in heuristicPlans {
            if windowed {
                #expect(h.metrics.objective <= ilp.metrics.objective * (1 + 1e-6) + 1, "\(h.method)")
            } else {
                #expect(h.metrics.objective >= ilp.metrics.objective * (1 - 1e-6), "\(h.method)")
            }
        }
        if ilp.status == .optimal {
            let plain = try SchedulePlanner.planExact(inst, formulation: .plain, options: Self.options(slots: slots, timeLimit: 3))
            if plain.status == .optimal {
                #expect(abs(plain.metrics.objective - ilp.metrics.objective) <= 1e-5 * ilp.metrics.objective)
            }
        }
    }

    @Test("epochs: the ILP serves at least what greedy does and reports bound and gap")
    func epochsILP() throws {
        var rng = ScheduleRNG(seed: 91)
        let n = 4
        let epochs = (0..<3).map { _ in ScheduleInstance.Epoch(duration: 0.05, demand: ScheduleFixtures.demand(nodes: n, scale: 5e7, rng: &rng)) }
        let inst = ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: n, ports: 1, packetBytesPerSecond: 1e8, delta: 5e-3),
                                    mode: .epochs(epochs))
        let greedy = try SchedulePlanner.plan(inst, method: .greedy)
        let ilp = try SchedulePlanner.plan(inst, method: .ilp, options: Self.options(timeLimit: 5))
        #expect(ScheduleScoring.violations(of: ilp, for: inst).isEmpty)
        #expect(ilp.metrics.objective >= greedy.metrics.objective * (1 - 1e-6))
        #expect(ilp.metrics.bound != nil && ilp.metrics.gap != nil)
        // The replayed service of its circuits never exceeds what it claims.
        let replay = try ScheduleScoring.scoreEpochs(inst, epochs: ilp.epochs ?? [])
        #expect(replay.servedBytes <= ilp.metrics.objective * (1 + 1e-6))
    }

    @Test("epochs, N = 2 by hand: keeping the circuit beats switching for a small backlog")
    func epochsByHand() throws {
        let f = ScheduleFixtures.fabric(nodes: 2, packetBytesPerSecond: 0, delta: 0.5)
        // Epoch 0: 1 GB on 0→1. Epoch 1: 0.4 GB on 1→0 — a new circuit loses 0.5 s of 1 s.
        let inst = ScheduleInstance(fabric: f, mode: .epochs([.init(duration: 1, demand: Matrix([[0, 1e9], [0, 0]])),
                                                               .init(duration: 1, demand: Matrix([[0, 0], [4e8, 0]]))]))
        let ilp = try SchedulePlanner.plan(inst, method: .ilp, options: Self.options())
        #expect(abs(ilp.metrics.objective - 1.4e9) < 1e3)
        #expect(ilp.status == .optimal)
    }
}
