import OptoCore
import OptoModel

/// The exact models of PROBLEMS.md §1 (window/makespan and epochs).
enum ScheduleExact {
    static func planWindow(_ f: ScheduleFabric, _ d: [Double], window: Double?, options: PlanningOptions) throws -> SchedulePlan {
        throw PlanningError.methodNotApplicable(method: "ilp", reason: "the exact model is not built yet")
    }
    static func planEpochs(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], options: PlanningOptions) throws
        -> (counts: [[Int]], status: PlanStatus, bound: Double?, gap: Double?) {
        throw PlanningError.methodNotApplicable(method: "ilp", reason: "the exact model is not built yet")
    }
}
