import Testing
import OptoCore
import OptoGLPK
@testable import OptoPlanners

@Suite("Stagger planner")
struct StaggerPlannerTests {
    static func exact(_ timeLimit: Double = 20) -> PlanningOptions {
        PlanningOptions(timeLimit: timeLimit, solver: GLPKSolver())
    }

    @Test("three thirds: ILP is collision-free, aligned has 2e9 bits of excess")
    func threeThirds() throws {
        let inst = StaggerFixtures.threeThirds()
        let ilp = try StaggerPlanner.plan(inst, method: .ilp, options: Self.exact())
        #expect(ilp.status == .optimal)
        #expect(ilp.metrics.excess == 0)
        #expect(abs((ilp.metrics.peak ?? -1) - 1) <= 1e-12)
        #expect(ilp.metrics.gap == 0)
        let slots = Set(ilp.offsets.values.map { Int(($0 / 0.001).rounded()) % 30 / 10 })
        #expect(slots.count == 3, "the three phases occupy three different thirds")
        let aligned = try StaggerPlanner.plan(inst, method: .aligned)
        #expect(aligned.status == .heuristic)
        #expect(aligned.offsets == ["a": 0, "b": 0, "c": 0])
        // 200 Gb/s over capacity for 10 ms per 30 ms hyper-period.
        #expect(abs((aligned.metrics.excess ?? 0) - 2e9) <= 1)
        #expect(abs((aligned.metrics.peak ?? 0) - 3) <= 1e-12)
        let greedy = try StaggerPlanner.plan(inst, method: .greedy)
        #expect(greedy.metrics.excess == 0)
    }

    @Test("ILP equals brute force; greedy is feasible and never beats it", arguments: 1...12 as ClosedRange<UInt64>)
    func againstBruteForce(seed: UInt64) throws {
        let periods: [[Int]] = [[6], [4, 6], [4, 8], [3, 5]]
        let inst = StaggerFixtures.random(seed: seed, jobs: seed % 3 == 0 ? 4 : 3, links: 1 + Int(seed % 2),
                                          periods: periods[Int(seed) % periods.count])
        let grid = try StaggerGrid(inst)
        let brute = try StaggerPlanner.bruteForceOffsets(grid)
        let ilp = try StaggerPlanner.plan(inst, method: .ilp, options: Self.exact())
        #expect(ilp.status == .optimal)
        let tol = 1e-6 * max(1, brute.score.excess)
        #expect(abs((ilp.metrics.excess ?? -1) - brute.score.excess) <= tol, "seed \(seed)")
        #expect(abs((ilp.metrics.peak ?? -1) - brute.score.peak) <= 1e-9, "seed \(seed): peak tie-break")
        #expect((ilp.metrics.bound ?? -1) <= brute.score.excess + tol)
        // The plan's metrics are those of its offsets.
        let rescored = try StaggerPlanner.score(ilp, on: inst)
        #expect(abs(rescored.excess - (ilp.metrics.excess ?? -1)) <= tol)

        let greedy = try StaggerPlanner.plan(inst, method: .greedy)
        let offsets = try grid.offsetSlots(greedy.offsets) // throws if any is off-grid or out of range
        #expect(offsets.count == inst.jobs.count)
        #expect((greedy.metrics.excess ?? -1) >= brute.score.excess - tol)
        #expect(greedy.status == .heuristic)
        let aligned = try StaggerPlanner.plan(inst, method: .aligned)
        #expect((aligned.metrics.excess ?? -1) >= brute.score.excess - tol)
    }

    @Test("greedy's local search ends in a local optimum: no single move improves it")
    func localOptimum() throws {
        for seed in 21...30 as ClosedRange<UInt64> {
            let grid = try StaggerGrid(StaggerFixtures.random(seed: seed, jobs: 6, links: 2, periods: [6, 12]))
            let g = StaggerPlanner.greedyOffsets(grid).offsets
            let base = grid.score(offsets: g)
            for k in grid.jobs.indices where grid.jobs[k].isLoaded {
                for o in 0..<grid.jobs[k].period {
                    var moved = g
                    moved[k] = o
                    #expect(!grid.score(offsets: moved).isBetter(than: base), "seed \(seed): moving job \(k) to \(o) improves")
                }
            }
        }
    }

    @Test("ILP without a solver is a typed error; a time limit is honoured")
    func solverAndLimits() throws {
        #expect(throws: PlanningError.noSolver) {
            try StaggerPlanner.plan(StaggerFixtures.threeThirds(), method: .ilp, options: PlanningOptions())
        }
        let inst = StaggerFixtures.random(seed: 99, jobs: 10, links: 2, periods: [20, 30])
        let plan = try StaggerPlanner.plan(inst, method: .ilp, options: Self.exact(1))
        #expect(plan.metrics.solveSeconds < 5)
        #expect(plan.status == .optimal || plan.status == .feasible)
        let greedy = try StaggerPlanner.plan(inst, method: .greedy)
        #expect((plan.metrics.excess ?? .infinity) <= (greedy.metrics.excess ?? 0) + 1e-6 * max(1, greedy.metrics.excess ?? 0))
        #expect((plan.metrics.bound ?? .infinity) <= (plan.metrics.excess ?? 0) + 1e-6)
    }

    @Test("priorities: colliding jobs first, shortest communication first")
    func priorities() throws {
        let inst = StaggerInstance(step: 0.001, links: [.init(name: "l", capacity: 100e9), .init(name: "m", capacity: 100e9)], jobs: [
            .init(name: "long", period: 0.010, links: ["l"], phases: [.init(start: 0, duration: 0.006, rate: 100e9)]),
            .init(name: "short", period: 0.010, links: ["l"], phases: [.init(start: 0, duration: 0.002, rate: 100e9)]),
            .init(name: "alone", period: 0.010, links: ["m"], phases: [.init(start: 0, duration: 0.001, rate: 100e9)]),
        ])
        let aligned = try StaggerPlanner.plan(inst, method: .aligned, priorities: true)
        #expect(aligned.priorities == ["short", "long", "alone"])
        let none = try StaggerPlanner.plan(inst, method: .aligned)
        #expect(none.priorities == nil)
    }
}

@Suite("Stagger coarse grid")
struct StaggerCoarseTests {
    /// `inst` with every time multiplied by `factor` and the step kept.
    static func stretched(_ inst: StaggerInstance, by factor: Double) -> StaggerInstance {
        var s = inst
        for k in s.jobs.indices {
            s.jobs[k].period *= factor
            for p in s.jobs[k].phases.indices {
                s.jobs[k].phases[p].start *= factor
                s.jobs[k].phases[p].duration *= factor
            }
        }
        return s
    }

    @Test("coarseness is the gcd of periods and profile edges")
    func coarseness() throws {
        #expect(try StaggerGrid(StaggerFixtures.threeThirds()).coarseness == 10)
        let inst = StaggerInstance(step: 1, links: [.init(name: "l", capacity: 1)], jobs: [
            // Two abutting phases at one rate: a single edge pair at 0 and 6.
            .init(name: "a", period: 12, links: ["l"], phases: [.init(start: 0, duration: 3, rate: 1), .init(start: 3, duration: 3, rate: 1)]),
            .init(name: "b", period: 18, links: ["l"], phases: [.init(start: 6, duration: 6, rate: 1)]),
        ])
        let grid = try StaggerGrid(inst)
        #expect(grid.coarseness == 6)
        let coarse = grid.coarsened(by: 6)
        #expect(coarse.hyperSlots == 6)
        #expect(coarse.jobs[0].profile == [1, 0])
        #expect(coarse.jobs[1].profile == [0, 1, 0])
        // Scores agree once offsets are mapped back.
        for oa in 0..<2 { for ob in 0..<3 {
            let fine = grid.score(offsets: [oa * 6, ob * 6]), c = coarse.score(offsets: [oa, ob])
            #expect(abs(fine.excess - c.excess) <= 1e-9 && abs(fine.peak - c.peak) <= 1e-12)
        } }
    }

    @Test("planning on the coarse grid loses nothing against brute force on the fine one", arguments: 41...46 as ClosedRange<UInt64>)
    func coarseIsExact(seed: UInt64) throws {
        let inst = Self.stretched(StaggerFixtures.random(seed: seed, jobs: 3, links: 1 + Int(seed % 2), periods: [4, 6]), by: 2)
        let grid = try StaggerGrid(inst)
        #expect(grid.coarseness % 2 == 0)
        let brute = try StaggerPlanner.bruteForceOffsets(grid)
        let ilp = try StaggerPlanner.plan(inst, method: .ilp, options: PlanningOptions(timeLimit: 20, solver: GLPKSolver()))
        #expect(ilp.status == .optimal)
        #expect(abs((ilp.metrics.excess ?? -1) - brute.score.excess) <= 1e-6 * max(1, brute.score.excess), "seed \(seed)")
        #expect(abs((ilp.metrics.peak ?? -1) - brute.score.peak) <= 1e-9, "seed \(seed)")
        let greedy = try StaggerPlanner.plan(inst, method: .greedy)
        #expect((greedy.metrics.excess ?? -1) >= brute.score.excess - 1e-6 * max(1, brute.score.excess))
    }
}
