import OptoCore
import OptoModel

extension LinkPoolPlanner {
    /// Stage 1 of the exact model of `instance` (see
    /// `LinkPoolPlanner+Formulation.swift`): the model whose optimum is the
    /// plan's best objective (λ or carried bits per second). Stage 2, which
    /// only picks the fewest circuits among optimal allocations, is not
    /// part of it.
    ///
    /// - Parameter symmetric: the paired baseline (`n[i][j] = n[j][i]`).
    /// - Throws: ``LinkPoolError`` for a malformed instance, `ModelError`
    ///   if the model fails validation.
    /// - Complexity: O(N²).
    public static func exactModel(_ instance: LinkPoolInstance, symmetric: Bool = false) throws -> ExportedModel {
        let problem = try LinkPoolProblem(instance)
        if problem.transit {
            let t = LinkPoolTransitModel(problem, circuits: .variables(symmetric: symmetric, relaxed: false), goal: .maximise)
            let meaning = instance.objective == .concurrent ? "λ (every pair carries λ·R[i][j], directly, over two circuits or the packet fabric)"
                : "carried bits per second (with transit)"
            return ExportedModel(model: try t.model.validated(), objectiveScale: t.unscaled(1), objectiveMeaning: meaning,
                                 notes: ["stage 1 of 2 with transit (maxHops 2): the planner then minimises the number of circuits at this optimum"]
                                     + (instance.objective == .concurrent
                                        ? ["the planner reaches the same optimum by a search on λ over the fixed-λ transit model"] : []))
        }
        let formulation = LinkPoolFormulation(problem, symmetric: symmetric)
        let meaning = instance.objective == .concurrent ? "λ (every pair carries λ·R[i][j])" : "carried bits per second"
        return ExportedModel(model: try formulation.model.validated(), objectiveScale: formulation.unscaled(1),
                             objectiveMeaning: meaning,
                             notes: ["stage 1 of 2: the planner then minimises the number of circuits at this optimum"]
                                 + (instance.objective == .concurrent
                                    ? ["the planner reaches the same optimum by a search on λ over a fixed-λ model (models/linkpool.mod, stage 2)"] : []))
    }

    /// The MathProg data section of `instance` for `models/linkpool.mod`,
    /// rates in Gb/s (so `OBJECTIVE` is λ, or carried Gb/s for throughput).
    ///
    /// - Throws: ``LinkPoolError`` for a malformed instance.
    /// - Complexity: O(N²).
    public static func mathProgData(_ instance: LinkPoolInstance, symmetric: Bool = false) throws -> String {
        try LinkPoolProblem(instance).mathProgData(unit: 1e9, symmetric: symmetric)
    }
}
