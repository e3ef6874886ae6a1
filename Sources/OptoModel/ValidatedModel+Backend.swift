/// Checks every backend makes before it hands a model to its solver, kept in
/// one place so that backends agree on them.
extension ValidatedModel {
    /// The answer when the model needs no solver at all: an integer variable
    /// whose bounds hold no integer, or a model without variables (whose rows
    /// either admit 0 or make it infeasible). `nil` when a solver must run.
    ///
    /// - Complexity: O(constraints) when there are no variables, else O(1).
    public func immediateOutcome() -> (termination: TerminationReason, primal: PrimalStatus, objective: Double?, message: String)? {
        if let v = emptyIntegerDomain {
            return (.infeasible, .noSolution, nil, "integer variable \(v.index) has no integer in its bounds")
        }
        guard variableCount == 0 else { return nil }
        for r in 0..<constraintCount where !(rowLower[r] <= 0 && 0 <= rowUpper[r]) {
            return (.infeasible, .noSolution, nil, "constraint \(r) has no terms and excludes 0")
        }
        return (.optimal, .feasible, objectiveConstant, "")
    }

    /// A MIP warm start checked for completeness, bounds and every row
    /// (tolerance 1e-6), with integer variables rounded. Returns the dense
    /// values to hand over, or why the start was refused; `(.notUsed, nil)`
    /// for an LP or when no start was given.
    ///
    /// - Complexity: O(variables + nonzeros).
    public func screenedWarmStart(_ assignment: [VariableID: Double]?) -> (outcome: WarmStartOutcome, values: [Double]?) {
        guard isMIP, let assignment else { return (.notUsed, nil) }
        switch denseAssignment(assignment) {
        case .failure(let e):
            return (.rejected(e.description), nil)
        case .success(var values):
            if let why = infeasibility(of: values) { return (.rejected(why), nil) }
            for j in 0..<values.count where kinds[j].isInteger { values[j] = values[j].rounded() }
            return (.notUsed, values)
        }
    }
}
