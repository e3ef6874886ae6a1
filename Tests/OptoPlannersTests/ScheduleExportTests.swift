import Testing
import OptoCore
import OptoModel
import OptoGLPK
@testable import OptoPlanners

/// `SchedulePlanner.exactModel`: the model `ilp` solves, solved here by the
/// GLPK backend without a warm start.
///
/// Tolerance: the exported optimum × its scale must match the `ilp` plan's
/// objective to 1e-6 relative: both solve the same model to GLPK's default
/// MIP tolerances.
@Suite("Schedule exact model export")
struct ScheduleExportTests {
    static func options(slots: Int? = nil) -> PlanningOptions {
        PlanningOptions(timeLimit: 20, solver: GLPKSolver(), slots: slots)
    }

    static func optimum(_ exported: ExportedModel) throws -> Double {
        let r = try GLPKSolver().solve(exported.model, options: SolverOptions(timeLimit: 20))
        #expect(r.termination == .optimal)
        return try #require(r.objectiveValue) * exported.objectiveScale
    }

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * max(abs(a), abs(b)) + 1e-9 }

    static func instances(seed: UInt64) -> [ScheduleInstance] {
        var rng = ScheduleRNG(seed: seed)
        let d = ScheduleFixtures.demand(nodes: 3, density: 0.8, scale: 1e7, rng: &rng)
        let d2 = ScheduleFixtures.demand(nodes: 3, density: 0.8, scale: 1e7, rng: &rng)
        let f = ScheduleFixtures.fabric(nodes: 3, packetBytesPerSecond: 1e7, delta: 1e-3)
        let lb = (try? ScheduleScoring.lowerBound(fabric: f, demand: d)) ?? 1
        return [
            ScheduleInstance(fabric: f, demand: d, window: lb * 0.7),
            ScheduleInstance(fabric: f, demand: d),
            ScheduleInstance(fabric: f, mode: .epochs([.init(duration: 4e-3, demand: d), .init(duration: 6e-3, demand: d2)])),
        ]
    }

    @Test("window, makespan and epochs: the exported model's optimum is the ilp plan's objective", arguments: [3, 8] as [UInt64])
    func sameOptimum(seed: UInt64) throws {
        for instance in Self.instances(seed: seed) {
            let plan = try SchedulePlanner.plan(instance, method: .ilp, options: Self.options())
            #expect(plan.status == .optimal)
            let exported = try SchedulePlanner.exactModel(instance)
            let value = try Self.optimum(exported)
            #expect(Self.close(value, plan.metrics.objective), "\(instance.mode): export \(value), ilp \(plan.metrics.objective)")
        }
    }

    @Test("--slots: the export uses the planner's M by default and the given M otherwise")
    func slots() throws {
        let makespan = Self.instances(seed: 5)[1]
        let plan = try SchedulePlanner.plan(makespan, method: .ilp, options: Self.options())
        let defaultM = try #require(plan.metrics.slots)
        let byDefault = try SchedulePlanner.exactModel(makespan)
        let explicit = try SchedulePlanner.exactModel(makespan, slots: defaultM)
        #expect(byDefault.model.variableCount == explicit.model.variableCount)
        #expect(byDefault.model.nonzeroCount == explicit.model.nonzeroCount)
        let one = try SchedulePlanner.exactModel(makespan, slots: 1)
        #expect(one.model.variableCount < byDefault.model.variableCount)
        let planOne = try SchedulePlanner.plan(makespan, method: .ilp, options: Self.options(slots: 1))
        #expect(planOne.metrics.slots == 1)
        #expect(Self.close(try Self.optimum(one), planOne.metrics.objective))
        // One slot cannot beat M slots on a makespan.
        #expect(planOne.metrics.objective >= plan.metrics.objective * (1 - 1e-9))
        #expect(throws: PlanningError.self) { try SchedulePlanner.exactModel(makespan, slots: 0) }
    }

    @Test("cases the planner answers without a model: the exported optimum is its answer; unservable demand throws")
    func degenerate() throws {
        let f = ScheduleFixtures.fabric(nodes: 3, packetBytesPerSecond: 1e7, delta: 1e-3)
        var rng = ScheduleRNG(seed: 11)
        let d = ScheduleFixtures.demand(nodes: 3, density: 1, scale: 1e7, rng: &rng)
        for instance in [ScheduleInstance(fabric: f, demand: d, window: 5e-4),            // window shorter than δ
                         ScheduleInstance(fabric: f, demand: Matrix(size: 3), window: 1)] { // no demand
            let plan = try SchedulePlanner.plan(instance, method: .ilp, options: Self.options())
            #expect(Self.close(try Self.optimum(try SchedulePlanner.exactModel(instance)), plan.metrics.objective))
        }
        // Node 0 sends but has neither ports nor packet rate.
        let dark = Fabric(nodes: 2, ocsPortsPerNode: [0, 1], circuitRate: 8e9, packetRate: [0, 8e7], reconfigurationDelay: 1e-3)
        let unservable = ScheduleInstance(fabric: dark, demand: Matrix([[0, 1e6], [0, 0]]))
        #expect(try SchedulePlanner.plan(unservable, method: .ilp, options: Self.options()).status == .infeasible)
        #expect {
            try SchedulePlanner.exactModel(unservable)
        } throws: { error in
            if case PlanningError.noFeasiblePlan = error { return true }
            return false
        }
    }
}
