/// Where in a model a problem was found.
public enum ModelLocation: Sendable, Hashable, CustomStringConvertible {
    /// The objective function.
    case objective
    /// A constraint (its handle and debug name).
    case constraint(ConstraintID, name: String)
    /// A variable's bounds (its handle and debug name).
    case variable(VariableID, name: String)
    /// A warm-start assignment.
    case warmStart

    /// A short human-readable form.
    public var description: String {
        switch self {
        case .objective: return "objective"
        case .constraint(let c, let name): return "constraint \(c.index)" + (name.isEmpty ? "" : " '\(name)'")
        case .variable(let v, let name): return "variable \(v.index)" + (name.isEmpty ? "" : " '\(name)'")
        case .warmStart: return "warm start"
        }
    }
}

/// Why a model cannot be handed to a solver. Thrown by ``Model/validated()``.
///
/// Each case is an input that GLPK (and most solvers) would either abort
/// the process on or silently misread; the modeling layer catches all of
/// them before any solver sees the model.
public enum ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A handle created by another model was used (in an expression, a warm start or an objective).
    case foreignVariable(VariableID, at: ModelLocation)
    /// A coefficient is NaN or infinite (also when merging duplicates overflows).
    case nonFiniteCoefficient(Double, variable: VariableID, at: ModelLocation)
    /// An expression's constant is NaN or infinite.
    case nonFiniteConstant(Double, at: ModelLocation)
    /// A variable's bounds are NaN, inverted (lower > upper), lower = +∞ or upper = −∞.
    case invalidBounds(lower: Double, upper: Double, at: ModelLocation)
    /// A constraint's set is NaN, inverted, or infinite on the wrong side (e.g. `≤ −∞`, `= ∞`).
    case invalidConstraintSet(ConstraintSet, at: ModelLocation)
    /// A finite coefficient, constant, bound or constraint side larger in
    /// magnitude than ``Model/magnitudeLimit`` (1e30). Such numbers are a
    /// modelling error (use `.infinity` for "no bound"); GLPK's scaling and
    /// presolver abort the process on some of them.
    case magnitudeTooLarge(Double, at: ModelLocation)
    /// The model is larger than a solver can index (2³¹−2 rows, columns or nonzeros).
    case tooLarge(String)

    /// A short human-readable form.
    public var description: String {
        switch self {
        case .foreignVariable(let v, let at):
            return "\(at): variable \(v) belongs to another model"
        case .nonFiniteCoefficient(let c, let v, let at):
            return "\(at): coefficient \(c) of \(v) is not finite"
        case .nonFiniteConstant(let c, let at):
            return "\(at): constant \(c) is not finite"
        case .invalidBounds(let l, let u, let at):
            return "\(at): invalid bounds [\(l), \(u)]"
        case .invalidConstraintSet(let s, let at):
            return "\(at): invalid set \(s)"
        case .magnitudeTooLarge(let v, let at):
            return "\(at): \(v) exceeds the magnitude limit 1e30 (use ±infinity for no bound)"
        case .tooLarge(let what):
            return "model too large: \(what)"
        }
    }
}
