import Foundation
import Testing
import OptoCore
import OptoGLPK
import OptoModel
@testable import OptoPlanners

/// A backend that always throws, as an unavailable or crashing one would.
struct ThrowingSolver: Solver {
    struct Failure: Error, CustomStringConvertible { var description: String { "backend unavailable" } }
    var name: String { "throwing" }
    func solve(_ model: ValidatedModel, options: SolverOptions) throws -> SolveResult { throw Failure() }
}

/// A backend whose every solve ends by its time limit before any incumbent
/// (what a time limit too short for the first relaxation gives), with a bound.
struct NoIncumbentSolver: Solver {
    var name: String { "no-incumbent" }
    func solve(_ model: ValidatedModel, options: SolverOptions) throws -> SolveResult {
        SolveResult(model: model.identity, termination: .timeLimit, primalStatus: .noSolution, objectiveValue: nil,
                    bestBound: nil, relativeGap: nil, nodeCount: 0, solveSeconds: 0, values: [],
                    message: "time limit in the LP relaxation")
    }
}

/// `auto` against `ilp` and the heuristics, for every planner: equal to
/// `ilp` where the exact model proves optimality, equal to the heuristic
/// where the size rule skips it, and falling back to the heuristic when the
/// backend throws or finds nothing.
@Suite("auto method")
struct AutoMethodTests {
    static func glpk(_ timeLimit: Double = 20) -> PlanningOptions { PlanningOptions(timeLimit: timeLimit, solver: GLPKSolver()) }

    // MARK: Size rule

    @Test("the size rule scales with the time limit")
    func sizeRule() {
        #expect(AutoSizeRule.allowsExact(nonzeros: 600_000, timeLimit: 30))
        #expect(!AutoSizeRule.allowsExact(nonzeros: 600_001, timeLimit: 30))
        #expect(!AutoSizeRule.allowsExact(nonzeros: 1_000, timeLimit: 0.01))
        // A meaningless limit means the default.
        #expect(AutoSizeRule.allowsExact(nonzeros: 600_000, timeLimit: .nan))
    }

    // MARK: Stagger

    @Test("stagger: auto equals ilp where ilp proves optimality", arguments: [UInt64(3), 7, 11, 19])
    func staggerEqualsILP(seed: UInt64) throws {
        let instance = StaggerFixtures.random(seed: seed, jobs: 5, links: 2, periods: [6, 8, 12])
        let ilp = try StaggerPlanner.plan(instance, method: .ilp, options: Self.glpk())
        try #require(ilp.status == .optimal)
        let auto = try StaggerPlanner.plan(instance, method: .auto, options: Self.glpk())
        #expect(auto.method == "auto:ilp")
        #expect(auto.status == .optimal)
        let tol = 1e-6 * max(1, ilp.metrics.objective)
        #expect(abs(auto.metrics.objective - ilp.metrics.objective) <= tol)
        #expect(abs((auto.metrics.peak ?? -1) - (ilp.metrics.peak ?? -2)) <= 1e-9)
        #expect(abs((auto.metrics.gap ?? 1)) <= 1e-9)
    }

    @Test("stagger: the size estimate bounds the model's nonzeros", arguments: [UInt64(3), 5, 8])
    func staggerEstimate(seed: UInt64) throws {
        let instance = StaggerFixtures.random(seed: seed, jobs: 6, links: 2, periods: [6, 8, 12])
        let grid = try StaggerGrid(instance)
        var built = 0
        for component in StaggerStructure(grid: grid).components {
            let model = ComponentModel(grid: grid, component: component).build(stage2Budget: nil, peakBound: grid.peakLowerBound()).model
            built += try model.validated().nonzeroCount
        }
        #expect(built > 0)
        #expect(built <= StaggerPlanner.exactNonzeroEstimate(grid))
    }

    @Test("stagger: the size rule skips the model and returns greedy with a bound")
    func staggerSizeRule() throws {
        let instance = StaggerFixtures.random(seed: 5, jobs: 6, links: 2, periods: [6, 8, 12])
        let grid = try StaggerGrid(instance)
        // A limit so short that the rule refuses this model.
        let limit = Double(StaggerPlanner.exactNonzeroEstimate(grid.coarsened(by: grid.coarseness))) / AutoSizeRule.nonzerosPerSecond / 2
        let greedy = try StaggerPlanner.plan(instance, method: .greedy)
        let auto = try StaggerPlanner.plan(instance, method: .auto, options: PlanningOptions(timeLimit: limit, solver: ThrowingSolver()))
        #expect(auto.method == "auto:greedy")
        #expect(auto.status == .heuristic)
        #expect(auto.offsets == greedy.offsets)
        let bound = try #require(auto.metrics.bound)
        #expect(abs(bound - grid.excessLowerBound()) <= 1e-6 * max(1, bound))
        #expect(bound <= auto.metrics.objective + 1e-6)
        #expect(auto.notes?.contains { $0.contains("size rule") } == true)
    }

    @Test("stagger: auto falls back to greedy when the backend throws or finds nothing")
    func staggerFallback() throws {
        let instance = StaggerFixtures.random(seed: 7, jobs: 6, links: 2, periods: [6, 8, 12])
        let greedy = try StaggerPlanner.plan(instance, method: .greedy)
        #expect(throws: (any Error).self) {
            try StaggerPlanner.plan(instance, method: .ilp, options: PlanningOptions(solver: ThrowingSolver()))
        }
        for solver in [ThrowingSolver() as any Solver, NoIncumbentSolver()] {
            let auto = try StaggerPlanner.plan(instance, method: .auto, options: PlanningOptions(solver: solver))
            #expect(auto.method == "auto:greedy")
            #expect(auto.status == .heuristic)
            #expect(auto.offsets == greedy.offsets)
            #expect(abs(auto.metrics.objective - greedy.metrics.objective) <= 1e-9 * max(1, greedy.metrics.objective))
            #expect(auto.notes?.contains { $0.contains("greedy plan is returned") } == true)
            #expect((auto.metrics.bound ?? .infinity) <= auto.metrics.objective + 1e-6)
        }
    }

    @Test("stagger: an auto stopped at once keeps the greedy plan, never optimal")
    func staggerStopped() throws {
        let instance = StaggerFixtures.random(seed: 11, jobs: 8, links: 2, periods: [8, 12, 16])
        var options = Self.glpk()
        options.shouldStop = { true }
        let auto = try StaggerPlanner.plan(instance, method: .auto, options: options)
        let greedy = try StaggerPlanner.plan(instance, method: .greedy, options: PlanningOptions(shouldStop: { true }))
        #expect(auto.metrics.objective <= greedy.metrics.objective + 1e-6 * max(1, greedy.metrics.objective))
        if auto.metrics.objective > (auto.metrics.bound ?? 0) + 1e-6 { #expect(auto.status != .optimal) }
    }

    // MARK: Link pool

    @Test("linkpool: auto equals ilp where ilp proves optimality", arguments: [UInt64(1), 2, 3, 4])
    func linkPoolEqualsILP(seed: UInt64) throws {
        for objective in [LinkPoolObjective.concurrent, .throughput] {
            let instance = smallInstance(seed: seed, nodes: 4, maxPorts: 3, objective: objective)
            let ilp = try LinkPoolPlanner.plan(instance, method: .ilp, options: Self.glpk())
            try #require(ilp.status == .optimal)
            let auto = try LinkPoolPlanner.plan(instance, method: .auto, options: Self.glpk())
            #expect(auto.method == "auto:ilp")
            #expect(auto.status == .optimal)
            #expect(close(auto.metrics.objective, ilp.metrics.objective))
            #expect(auto.circuits.count == ilp.circuits.count)
        }
    }

    @Test("linkpool: the size estimate bounds the model's nonzeros", arguments: [UInt64(1), 2, 3])
    func linkPoolEstimate(seed: UInt64) throws {
        for objective in [LinkPoolObjective.concurrent, .throughput] {
            let instance = smallInstance(seed: seed, nodes: 5, maxPorts: 3, objective: objective, caps: true, current: true)
            let problem = try LinkPoolProblem(instance)
            let built = try LinkPoolFormulation(problem, symmetric: false).model.validated().nonzeroCount
            #expect(built <= problem.exactNonzeroEstimate)
        }
    }

    @Test("linkpool: the size rule skips the model and returns greedy with a valid bound", arguments: [UInt64(1), 2, 3])
    func linkPoolSizeRule(seed: UInt64) throws {
        for objective in [LinkPoolObjective.concurrent, .throughput] {
            let instance = smallInstance(seed: seed, nodes: 4, maxPorts: 3, objective: objective)
            let problem = try LinkPoolProblem(instance)
            let limit = Double(problem.exactNonzeroEstimate) / AutoSizeRule.nonzerosPerSecond / 2
            let greedy = try LinkPoolPlanner.plan(instance, method: .greedy)
            let auto = try LinkPoolPlanner.plan(instance, method: .auto, options: PlanningOptions(timeLimit: limit, solver: ThrowingSolver()))
            #expect(auto.method == "auto:greedy")
            #expect(auto.status == .heuristic)
            #expect(auto.circuits == greedy.circuits)
            #expect(auto.notes?.contains { $0.contains("size rule") } == true)
            // The cheap bound is a true bound: at or above the proven optimum.
            let optimum = try LinkPoolPlanner.plan(instance, method: .ilp, options: Self.glpk())
            try #require(optimum.status == .optimal)
            let bound = try #require(auto.metrics.bound)
            #expect(bound >= optimum.metrics.objective * (1 - 1e-9))
            #expect(bound >= auto.metrics.objective * (1 - 1e-9))
        }
    }

    @Test("linkpool: auto falls back to greedy when the backend throws or finds nothing")
    func linkPoolFallback() throws {
        let instance = smallInstance(seed: 9, nodes: 4, maxPorts: 3, objective: .concurrent)
        let greedy = try LinkPoolPlanner.plan(instance, method: .greedy)
        for solver in [ThrowingSolver() as any Solver, NoIncumbentSolver()] {
            let auto = try LinkPoolPlanner.plan(instance, method: .auto, options: PlanningOptions(solver: solver))
            #expect(auto.method == "auto:greedy")
            #expect(auto.status == .heuristic)
            #expect(auto.circuits == greedy.circuits)
            #expect(close(auto.metrics.objective, greedy.metrics.objective))
            #expect(auto.notes?.isEmpty == false)
        }
    }
}
