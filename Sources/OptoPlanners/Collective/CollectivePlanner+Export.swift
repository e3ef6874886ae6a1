import OptoCore
import OptoModel

extension CollectivePlanner {
    /// The steady-rate model of `instance` (see `CollectivePlanner+ILP.swift`)
    /// for export. Its objective is `θ̂ = T₀/T`; `objectiveScale = 1/T₀`
    /// turns it into `θ = 1/T`, the inverse of the largest job time less
    /// the starting `δ`.
    ///
    /// - Throws: ``PlanningError/noFeasiblePlan(_:)`` when the instance
    ///   moves no bytes (nothing to optimise); `ModelError` if validation fails.
    /// - Complexity: O(Σ_c R_c·m_c² + pairs) nonzeros.
    public static func exactModel(_ instance: CollectiveInstance) throws -> ExportedModel {
        guard let m = SteadyRateModel(instance) else {
            throw PlanningError.noFeasiblePlan("the collectives move no bytes, so there is no time to optimise")
        }
        return ExportedModel(model: try m.model.validated(), objectiveScale: 1 / m.horizon,
                             objectiveMeaning: "1 / (largest job time − starting δ), per second",
                             notes: ["the steady-rate model: rates constant over the iteration; free circuits direct only"])
    }
}
