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
        if auto.notes?.contains("the time limit cut the greedy local search short") == true {
            // A machine slow enough to spend the (short) limit in the greedy search.
            #expect(auto.metrics.objective >= greedy.metrics.objective - 1e-6 * max(1, greedy.metrics.objective))
        } else {
            #expect(auto.offsets == greedy.offsets)
        }
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

    @Test("stagger: a time limit that has passed stops auto's greedy local search, and the note says so")
    func staggerGreedyCutByTheLimit() throws {
        let instance = StaggerFixtures.random(seed: 13, jobs: 10, links: 2, periods: [8, 12, 16])
        let greedy = try StaggerPlanner.plan(instance, method: .greedy)
        let unhurried = try StaggerPlanner.plan(instance, method: .auto, options: PlanningOptions(timeLimit: 30))
        #expect(unhurried.offsets == greedy.offsets)
        #expect(unhurried.notes?.contains { $0.contains("cut the greedy") } == false)
        let hurried = try StaggerPlanner.plan(instance, method: .auto, options: PlanningOptions(timeLimit: 1e-9))
        #expect(hurried.method == "auto:greedy")
        #expect(hurried.notes?.contains("the time limit cut the greedy local search short") == true, "\(hurried.notes ?? [])")
        // The kicks only ever keep improvements: stopping them early cannot do better.
        #expect(hurried.metrics.objective >= greedy.metrics.objective - 1e-6 * max(1, greedy.metrics.objective))
        #expect(PlanChecker.check(.stagger(hurried), file: "plan", against: .stagger(instance), instanceFile: "instance").isEmpty)
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

/// `auto` for circuit scheduling, in window, makespan and epochs modes.
@Suite("auto method: schedule")
struct ScheduleAutoTests {
    static func glpk(_ timeLimit: Double = 20) -> PlanningOptions { PlanningOptions(timeLimit: timeLimit, solver: GLPKSolver()) }

    static func instance(seed: UInt64, windowed: Bool) throws -> ScheduleInstance {
        var rng = ScheduleRNG(seed: seed)
        let d = ScheduleFixtures.demand(nodes: 3, scale: 2e7, rng: &rng)
        let fabric = ScheduleFixtures.fabric(nodes: 3, packetBytesPerSecond: 1e7, delta: 2e-3)
        let lb = try ScheduleScoring.lowerBound(fabric: fabric, demand: d)
        return ScheduleInstance(fabric: fabric, demand: d, window: windowed ? lb * 0.7 : nil)
    }

    static func epochsInstance(seed: UInt64) -> ScheduleInstance {
        var rng = ScheduleRNG(seed: seed)
        let epochs = (0..<2).map { _ in ScheduleInstance.Epoch(duration: 0.05, demand: ScheduleFixtures.demand(nodes: 3, scale: 5e7, rng: &rng)) }
        return ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: 3, ports: 1, packetBytesPerSecond: 1e8, delta: 5e-3),
                                mode: .epochs(epochs))
    }

    /// The best objective among `auto`'s heuristics (larger is better unless minimising).
    static func bestHeuristic(_ inst: ScheduleInstance, minimise: Bool) throws -> Double {
        let values = try SchedulePlanner.autoHeuristics.map { try SchedulePlanner.plan(inst, method: $0).metrics.objective }
        return minimise ? values.min()! : values.max()!
    }

    @Test("auto equals ilp where ilp proves optimality and beats the heuristics, else the best heuristic",
          arguments: [(UInt64(1), false), (2, false), (3, true), (4, true)])
    func equalsILP(seed: UInt64, windowed: Bool) throws {
        let inst = try Self.instance(seed: seed, windowed: windowed)
        let ilp = try SchedulePlanner.plan(inst, method: .ilp, options: Self.glpk())
        try #require(ilp.status == .optimal)
        let auto = try SchedulePlanner.plan(inst, method: .auto, options: Self.glpk())
        let heuristic = try Self.bestHeuristic(inst, minimise: !windowed)
        let tol = 1e-6 * max(1, abs(ilp.metrics.objective))
        let ilpAtLeastAsGood = windowed ? ilp.metrics.objective >= heuristic - tol : ilp.metrics.objective <= heuristic + tol
        if ilpAtLeastAsGood {
            #expect(auto.method == "auto:ilp")
            #expect(auto.status == .optimal)
            #expect(abs(auto.metrics.objective - ilp.metrics.objective) <= tol)
        } else {
            // The slot model's M slots can be fewer than a heuristic uses.
            #expect(auto.status == .heuristic)
            #expect(abs(auto.metrics.objective - heuristic) <= tol)
        }
        // Never worse than the heuristic.
        #expect(windowed ? auto.metrics.objective >= heuristic - tol : auto.metrics.objective <= heuristic + tol)
        #expect(ScheduleScoring.violations(of: auto, for: inst).isEmpty)
    }

    @Test("epochs: auto equals ilp where ilp proves optimality", arguments: [UInt64(5), 6])
    func epochsEqualsILP(seed: UInt64) throws {
        let inst = Self.epochsInstance(seed: seed)
        let ilp = try SchedulePlanner.plan(inst, method: .ilp, options: Self.glpk())
        try #require(ilp.status == .optimal)
        let auto = try SchedulePlanner.plan(inst, method: .auto, options: Self.glpk())
        #expect(auto.method == "auto:ilp")
        #expect(auto.status == .optimal)
        #expect(abs(auto.metrics.objective - ilp.metrics.objective) <= 1e-6 * max(1, ilp.metrics.objective))
    }

    @Test("the size rule skips the model: the best heuristic with the §1a bound (makespan) or a capacity bound (window)")
    func sizeRule() throws {
        for windowed in [false, true] {
            let inst = try Self.instance(seed: 7, windowed: windowed)
            // 5000 slots: at least 12 × 5000 nonzeros, more than the 10 000 a 0.5 s limit
            // allows (the time limit also bounds the heuristics, so it is not made tiny).
            let auto = try SchedulePlanner.plan(inst, method: .auto, options: PlanningOptions(timeLimit: 0.5, solver: ThrowingSolver(), slots: 5000))
            #expect(auto.status == .heuristic)
            #expect(auto.method.hasPrefix("auto:") && auto.method != "auto:ilp")
            #expect(auto.notes?.contains { $0.contains("size rule") } == true)
            #expect(abs(auto.metrics.objective - (try Self.bestHeuristic(inst, minimise: !windowed))) <= 1e-6 * max(1, auto.metrics.objective))
            let bound = try #require(auto.metrics.bound)
            let optimum = try SchedulePlanner.plan(inst, method: .ilp, options: Self.glpk()).metrics.objective
            if windowed {
                #expect(bound >= optimum * (1 - 1e-9))
            } else {
                #expect(abs(bound - (auto.metrics.lowerBound ?? -1)) <= 1e-12 * max(1, bound))
                #expect(bound <= optimum * (1 + 1e-9))
            }
        }
    }

    /// A 12-node instance (two ports per node) on which every heuristic holds several configurations.
    static func larger(windowed: Bool) throws -> ScheduleInstance {
        var rng = ScheduleRNG(seed: 21)
        let d = ScheduleFixtures.demand(nodes: 12, density: 0.7, scale: 2e7, rng: &rng)
        let fabric = ScheduleFixtures.fabric(nodes: 12, ports: 2, packetBytesPerSecond: 1e7, delta: 1e-3)
        let lb = try ScheduleScoring.lowerBound(fabric: fabric, demand: d)
        return ScheduleInstance(fabric: fabric, demand: d, window: windowed ? lb * 0.6 : nil)
    }

    @Test("a heuristic told to stop keeps the schedule it has: a prefix of its full schedule")
    func stoppedHeuristicIsAPrefix() throws {
        for windowed in [false, true] {
            let inst = try Self.larger(windowed: windowed)
            guard case .window(let demand, let window) = inst.mode else { return }
            let f = try ScheduleFabric(inst.fabric)
            let d = demand.values
            let runs: [(String, (() -> Bool) -> [SlotConfig])] = [
                ("greedy", { ScheduleHeuristics.greedy(f, d, window: window, stop: $0) }),
                ("eclipse", { ScheduleHeuristics.eclipse(f, d, window: window, stop: $0) }),
                ("solstice", { ScheduleHeuristics.solstice(f, d, window: window, stop: $0) }),
                ("bottleneck", { ScheduleHeuristics.bottleneck(f, d, window: window, stop: $0) }),
            ]
            for (name, run) in runs {
                let full = run { false }
                try #require(full.count >= 3, "\(name) holds \(full.count) configurations")
                for k in [0, 1, 2] {
                    var polls = 0
                    let cut = run { polls += 1; return polls > k }
                    // At most one configuration per poll, and the same ones as the full run.
                    #expect(cut.count <= k, "\(name), stop after \(k) polls: \(cut.count) configurations")
                    for (m, c) in cut.enumerated() {
                        #expect(c.pairs == full[m].pairs, "\(name) configuration \(m)")
                        // The full run may have kept the last one up longer (the same circuits again).
                        if m + 1 < cut.count { #expect(c.duration == full[m].duration) } else { #expect(c.duration <= full[m].duration) }
                    }
                }
            }
        }
    }

    @Test("a time limit that has passed: auto keeps static and rotor, names the heuristics it cut; an interrupt likewise")
    func heuristicsCutByTheLimit() throws {
        for windowed in [false, true] {
            let inst = try Self.larger(windowed: windowed)
            let full = try SchedulePlanner.plan(inst, method: .auto, options: PlanningOptions(timeLimit: 30, solver: nil))
            #expect(full.notes?.contains { $0.contains("cut the heuristics short") } == false)
            let cheap = try [ScheduleMethod.static, .rotor].map { try SchedulePlanner.plan(inst, method: $0).metrics.objective }
            let cheapBest = windowed ? cheap.max()! : cheap.min()!
            let cases: [(PlanningOptions, String)] = [
                (PlanningOptions(timeLimit: 1e-9, solver: nil), "the time limit cut the heuristics short: bottleneck not run, greedy not run, eclipse not run, solstice not run"),
                (PlanningOptions(timeLimit: 30, solver: nil, shouldStop: { true }), "an interrupt cut the heuristics short: bottleneck not run, greedy not run, eclipse not run, solstice not run"),
            ]
            for (options, note) in cases {
                let auto = try SchedulePlanner.plan(inst, method: .auto, options: options)
                #expect(auto.method == "auto:static" || auto.method == "auto:rotor", "\(auto.method)")
                #expect(auto.status == .heuristic)
                #expect(abs(auto.metrics.objective - cheapBest) <= 1e-9 * max(1, abs(cheapBest)))
                #expect(auto.notes?.contains(note) == true, "\(auto.notes ?? [])")
                #expect(ScheduleScoring.violations(of: auto, for: inst).isEmpty)
                // The full portfolio does at least as well.
                #expect(windowed ? full.metrics.objective >= auto.metrics.objective : full.metrics.objective <= auto.metrics.objective)
            }
        }
    }

    @Test("falls back to the heuristic when the backend throws or finds nothing")
    func fallback() throws {
        let cases = [try Self.instance(seed: 8, windowed: false), try Self.instance(seed: 8, windowed: true), Self.epochsInstance(seed: 8)]
        for inst in cases {
            for solver in [ThrowingSolver() as any Solver, NoIncumbentSolver()] {
                let auto = try SchedulePlanner.plan(inst, method: .auto, options: PlanningOptions(solver: solver))
                #expect(auto.status == .heuristic)
                #expect(auto.method != "auto:ilp")
                #expect(auto.notes?.contains { $0.contains("heuristic plan is returned") || $0.contains("greedy plan is returned") } == true)
                #expect(auto.metrics.bound != nil)
                #expect(ScheduleScoring.violations(of: auto, for: inst).isEmpty)
            }
        }
    }
}
