import OptoModel

/// The exact model of an instance, ready to be written to a file (LP, MPS)
/// for another solver, with what its objective means in plan units.
///
/// Planners build their models in scaled units so the solver sees
/// coefficients of order one; `objectiveScale` converts back:
/// `plan objective = file objective × objectiveScale`.
public struct ExportedModel: Sendable {
    /// The validated model, as the planner hands it to its solver.
    public var model: ValidatedModel
    /// Multiply the model's optimum by this to get the plan's objective.
    public var objectiveScale: Double
    /// What the plan objective measures (e.g. "λ", "excess bits per hyper-period").
    public var objectiveMeaning: String
    /// Remarks on how the model relates to the planner's search (stages, reductions).
    public var notes: [String]

    /// A model with its objective's scale and meaning.
    public init(model: ValidatedModel, objectiveScale: Double, objectiveMeaning: String, notes: [String] = []) {
        self.model = model
        self.objectiveScale = objectiveScale
        self.objectiveMeaning = objectiveMeaning
        self.notes = notes
    }
}
