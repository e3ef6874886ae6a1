import OptoCore
import OptoModel

extension SchedulePlanner {
    /// The exact model of `instance` as the `ilp` method builds it (see
    /// `SchedulePlanner+ILP.swift`), for `optoplan export --as lp|mps`.
    ///
    /// The planner builds and solves this very model: the same builder,
    /// units, slot count and bounds. Window and makespan modes: the
    /// strengthened slot model with `slots` configuration slots (nil: the
    /// planner's default, from the best heuristic plan, which also sets the
    /// slot bounds and, without a window, the horizon); the objective is in
    /// units of the largest demand `U` (served bytes = optimum × `U`) or of
    /// `U/(r_c/8)` seconds (makespan = optimum × that). Epochs mode: the
    /// epochs model (with `maxHops: 2` the epochs model with transit,
    /// `SchedulePlanner+TransitILP.swift`), objective in units of `U`
    /// (served bytes); `slots` does not apply and is ignored. The planner's warm start (the best
    /// heuristic plan) is not part of the model.
    ///
    /// Instances the planner answers without a model (no demand off the
    /// diagonal, a window no longer than `δ`) still get their model, whose
    /// optimum is the planner's answer.
    ///
    /// - Throws: ``ScheduleError`` for a malformed instance;
    ///   ``PlanningError/noFeasiblePlan(_:)`` in makespan mode when some
    ///   demand can never be served; ``PlanningError/methodNotApplicable(method:reason:)``
    ///   when `slots < 1`; `ModelError` if the model fails validation.
    /// - Complexity: window modes, the six heuristics plus O(M·Σu_ij) to
    ///   build; epochs mode O(E·(|pairs| + N)).
    public static func exactModel(_ instance: ScheduleInstance, slots: Int? = nil) throws -> ExportedModel {
        let (f, mode) = try validated(instance)
        switch mode {
        case .window(let d, let window):
            if window == nil && !ScheduleScoring.lowerBound(f, d).isFinite {
                throw PlanningError.noFeasiblePlan("a node has demand but neither circuit ports nor packet rate: the demand can never be served")
            }
            let setup = try ScheduleExact.windowSetup(f, d, window: window, slots: slots)
            let built = try ScheduleExact.buildWindow(f, d, window: window, setup: setup, formulation: .strengthened)
            let chosen = slots == nil ? "the planner's default for this instance" : "--slots"
            var notes = ["M = \(setup.slotsM) configuration slots (\(chosen))"]
            if window == nil {
                let horizon = setup.horizon.map { Quantity.format($0, as: .time) } ?? "none"
                notes.append("slot bounds and the horizon H = \(horizon) come from the best heuristic plan (\(setup.heuristic.method)) cut to M configurations")
            } else {
                notes.append("slot bounds come from the window")
            }
            notes.append("the planner starts its search from the best heuristic plan; the file holds no start")
            return ExportedModel(model: try built.model.validated(), objectiveScale: window == nil ? built.tau : built.unit,
                                 objectiveMeaning: window == nil ? "makespan in seconds" : "bytes served inside the window",
                                 notes: notes)
        case .epochs(let durations, let demands) where instance.maxHops >= 2:
            let built = ScheduleExact.buildEpochsTransit(f, durations: durations, demands: demands)
            return ExportedModel(model: try built.model.validated(), objectiveScale: built.unit,
                                 objectiveMeaning: "bytes served by the end of the last epoch (direct, transit and packet)",
                                 notes: ["the epochs model with transit (maxHops 2)",
                                         "the planner starts its search from the transit heuristic's plan; the file holds no start"])
        case .epochs(let durations, let demands):
            let built = ScheduleExact.buildEpochs(f, durations: durations, demands: demands)
            return ExportedModel(model: try built.model.validated(), objectiveScale: built.unit,
                                 objectiveMeaning: "bytes served by the end of the last epoch",
                                 notes: ["the planner starts its search from the greedy plan; the file holds no start"])
        }
    }
}
