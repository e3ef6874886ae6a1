import Testing
import OptoCore
import OptoEval
import OptoGLPK
@testable import OptoPlanners

@Suite("Stagger evaluate and select")
struct StaggerSelectionTests {
    @Test("from the aligned plan alone, local search on the evaluated slowdown finds the stretch-free stagger")
    func threeThirdsFromAligned() throws {
        let inst = StaggerFixtures.threeThirds()
        let aligned = try StaggerPlanner.plan(inst, method: .aligned)
        let scorer = try StaggerSlowdownScorer(inst, iterations: 10)
        let start = try scorer.meanSlowdown(aligned)
        #expect(start > 1.1, "aligned phases collide")
        let chosen = try StaggerPlanner.select(inst, from: [aligned], cost: scorer.meanSlowdown)
        #expect(abs(chosen.cost - 1) <= 1e-9)
        #expect(abs(try scorer.meanSlowdown(chosen.plan) - chosen.cost) <= 1e-12, "the cost is the plan's")
        #expect(chosen.plan.method == "aligned+evaluated")
        #expect(chosen.plan.status == .heuristic)
        #expect(chosen.plan.metrics.excess == 0, "metrics are those of the new offsets")
        #expect(chosen.moves > 0)
        #expect(chosen.candidates.first?.label == "aligned")
        #expect(abs((chosen.candidates.first?.cost ?? 0) - start) <= 1e-12)
    }

    @Test("never worse than any candidate, within the evaluation budget", arguments: 1...6 as ClosedRange<UInt64>)
    func neverWorse(seed: UInt64) throws {
        let inst = StaggerFixtures.random(seed: seed, jobs: 4, links: 1 + Int(seed % 2), periods: [4, 6, 8])
        let greedy = try StaggerPlanner.plan(inst, method: .greedy)
        let aligned = try StaggerPlanner.plan(inst, method: .aligned)
        let scorer = try StaggerSlowdownScorer(inst, iterations: 8)
        var options = StaggerPlanner.SelectionOptions()
        options.maxEvaluations = 25
        let chosen = try StaggerPlanner.select(inst, from: [greedy, aligned], cost: scorer.meanSlowdown, options: options)
        #expect(chosen.evaluations <= 25)
        #expect(chosen.cost <= (chosen.candidates.map(\.cost).min() ?? -1) + 1e-12)
        let greedyCost = try scorer.meanSlowdown(greedy)
        #expect(chosen.cost <= greedyCost + 1e-12)
        #expect(abs(try scorer.meanSlowdown(chosen.plan) - chosen.cost) <= 1e-12)
        let grid = try StaggerGrid(inst)
        let rescored = grid.score(offsets: try grid.offsetSlots(chosen.plan.offsets))
        #expect(abs(rescored.excess - (chosen.plan.metrics.excess ?? -1)) <= 1e-6 * max(1, rescored.excess))
        // The greedy plan's offsets come first, so candidates are greedy's, then aligned's when they differ.
        #expect(chosen.candidates.first?.label == "greedy")
        if let priorities = chosen.plan.priorities { #expect(Set(priorities) == Set(inst.jobs.map(\.name))) }
    }

    @Test("without local search the ILP plan keeps its status; priorities alone change nothing in the metrics")
    func keepsStatus() throws {
        let inst = StaggerFixtures.random(seed: 3, jobs: 4, links: 1, periods: [4, 6])
        let ilp = try StaggerPlanner.plan(inst, method: .ilp, options: PlanningOptions(timeLimit: 20, solver: GLPKSolver()))
        #expect(ilp.status == .optimal)
        let scorer = try StaggerSlowdownScorer(inst, iterations: 8)
        let chosen = try StaggerPlanner.select(inst, from: [ilp], cost: scorer.meanSlowdown,
                                               options: .init(offsetsPerJob: 0))
        #expect(chosen.moves == 0)
        #expect(chosen.candidates.count == 1 + StaggerPlanner.PriorityRule.allCases.count)
        #expect(chosen.plan.offsets == ilp.offsets)
        #expect(chosen.plan.status == .optimal)
        #expect(chosen.plan.metrics.excess == ilp.metrics.excess)
        #expect(chosen.plan.method == "ilp+evaluated")
    }

    struct Refused: Error {}

    @Test("a cost that throws rules a candidate out; when all throw, the error surfaces")
    func throwingCost() throws {
        let inst = StaggerFixtures.threeThirds()
        let aligned = try StaggerPlanner.plan(inst, method: .aligned)
        #expect(throws: Refused.self) {
            try StaggerPlanner.select(inst, from: [aligned], cost: { _ in throw Refused() })
        }
        // Only plans without priorities are refused: the winner has some.
        let chosen = try StaggerPlanner.select(inst, from: [aligned], cost: { plan in
            guard plan.priorities != nil else { throw Refused() }
            return 2
        }, options: .init(offsetsPerJob: 0))
        #expect(chosen.plan.priorities != nil)
        #expect(chosen.candidates.count == StaggerPlanner.PriorityRule.allCases.count)
        #expect(chosen.evaluations == 1 + StaggerPlanner.PriorityRule.allCases.count)
        #expect(chosen.cost == 2)
        #expect(throws: StaggerError.noCandidates) { try StaggerPlanner.select(inst, from: [], cost: { _ in 1 }) }
    }
}
