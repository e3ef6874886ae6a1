/// The size rule of the `auto` method (PROBLEMS.md, "The default method"),
/// shared by the three planners.
///
/// `auto` runs its best heuristic, then the exact model warm-started from
/// it. The exact model is skipped, and the heuristic plan returned with
/// status `heuristic` and a cheap bound, when its estimated number of
/// constraint nonzeros exceeds what the backend can build, relax and
/// branch on usefully within the time limit:
///
/// ```
/// estimated nonzeros > nonzerosPerSecond × timeLimit    (20 000 per second: 600 000 at the default 30 s)
/// ```
///
/// Each planner documents its estimate (an upper bound on the nonzeros of
/// its stage-1 model, computed from the instance without building it). The
/// rate is deliberately conservative: GLPK's simplex on a relaxation of a
/// few hundred thousand nonzeros already takes seconds, and branch and bound
/// needs many relaxations; beyond the rule the time would pass in the first
/// relaxation and end with no incumbent, which `auto` would then discard.
public enum AutoSizeRule {
    /// Constraint nonzeros allowed per second of time limit.
    public static let nonzerosPerSecond = 20_000.0

    /// Whether an exact model of `nonzeros` estimated nonzeros is worth
    /// trying within `timeLimit` seconds.
    ///
    /// - Complexity: O(1).
    public static func allowsExact(nonzeros: Int, timeLimit: Double) -> Bool {
        let limit = timeLimit.isFinite && timeLimit > 0 ? timeLimit : 30
        return Double(nonzeros) <= nonzerosPerSecond * limit
    }

    /// The note an `auto` plan carries when the rule skipped the exact model.
    static func skipNote(nonzeros: Int, timeLimit: Double) -> String {
        let limit = timeLimit.isFinite && timeLimit > 0 ? timeLimit : 30
        return "the exact model was skipped by the size rule (about \(nonzeros) nonzeros, more than "
            + "\(Int(nonzerosPerSecond * limit)) for a \(limit) s time limit): the heuristic plan is returned"
    }
}
