/// A linear or mixed-integer program under construction.
///
/// `Model` is a `final class`, not a struct, because its handles carry its
/// identity: a struct copy would be a second model sharing the identity of
/// the first, so a handle from one copy would be silently accepted by the
/// other. One object, one identity. A model is built on one task and is not
/// `Sendable`; what crosses threads is its ``ValidatedModel`` (a value).
///
/// Building appends to flat arrays: adding a constraint costs O(terms), with
/// no hashing; duplicate terms, zeros and bad numbers are dealt with once by
/// ``validated()``.
///
/// ```swift
/// let m = Model(name: "knapsack")
/// let x = (0..<3).map { m.addVariable(.binary, name: "x\($0)") }
/// m.addConstraint(.weightedSum([3, 4, 5], x), .lessThanOrEqual(7))
/// m.setObjective(.weightedSum([4, 5, 6], x), .maximize)
/// let result = try GLPKSolver().solve(m)
/// ```
public final class Model {
    /// A debug label.
    public let name: String
    /// This model's identity, carried by every handle it creates.
    public let identity: ModelIdentity

    /// One record per variable (one append per `addVariable`).
    struct VariableRecord {
        var kind: VariableKind
        var lower: Double
        var upper: Double
        var name: String
    }
    var variables: [VariableRecord] = []

    // Constraints, row-wise: terms of row r are at rowStart[r] ..< rowStart[r+1].
    var rowStart: [Int] = [0]
    var termColumns: [Int32] = []     // -1 marks a foreign handle (recorded in firstForeign)
    var termCoefficients: [Double] = []
    var rowSets: [ConstraintSet] = []
    var rowConstants: [Double] = []
    var constraintNames: [String] = []
    var firstForeign: ModelError?

    var objective = LinearExpression()
    var sense: ObjectiveSense = .minimize

    /// The largest magnitude a finite coefficient, constant, bound or side may
    /// have (1e30); larger finite numbers are rejected by ``validated()``.
    public static let magnitudeLimit = 1e30

    /// An empty model (minimise 0).
    public init(name: String = "") {
        self.name = name
        self.identity = .make()
    }

    /// The number of variables.
    public var variableCount: Int { variables.count }
    /// The number of constraints.
    public var constraintCount: Int { rowSets.count }
    /// The number of stored constraint terms (before duplicates are merged).
    public var termCount: Int { termColumns.count }
    /// The objective's sense.
    public var objectiveSense: ObjectiveSense { sense }
    /// The objective expression as given.
    public var objectiveExpression: LinearExpression { objective }

    /// Reserves storage for the given numbers of variables, constraints and terms.
    public func reserveCapacity(variables: Int = 0, constraints: Int = 0, terms: Int = 0) {
        self.variables.reserveCapacity(variables)
        rowStart.reserveCapacity(constraints + 1); rowSets.reserveCapacity(constraints)
        rowConstants.reserveCapacity(constraints); constraintNames.reserveCapacity(constraints)
        termColumns.reserveCapacity(terms); termCoefficients.reserveCapacity(terms)
    }

    /// Adds a variable and returns its handle.
    ///
    /// Bounds may be infinite (`-.infinity` for no lower bound). Binary
    /// variables are integer variables in [0, 1] intersected with the given
    /// bounds (so the defaults give [0, 1]). Bad bounds (NaN, inverted) are
    /// reported by ``validated()``.
    ///
    /// - Complexity: O(1) amortised.
    @discardableResult
    public func addVariable(_ kind: VariableKind = .continuous, lowerBound: Double = 0,
                            upperBound: Double = .infinity, name: String = "") -> VariableID {
        let id = VariableID(model: identity, index: variables.count)
        variables.append(VariableRecord(kind: kind, lower: lowerBound, upper: upperBound, name: name))
        return id
    }

    /// Adds `count` variables of one kind and bounds; returns their handles in order.
    ///
    /// - Complexity: O(count).
    @discardableResult
    public func addVariables(_ count: Int, _ kind: VariableKind = .continuous, lowerBound: Double = 0,
                             upperBound: Double = .infinity, name: String = "") -> [VariableID] {
        let first = variables.count
        let n = max(0, count)
        variables.append(contentsOf: (0..<n).map {
            VariableRecord(kind: kind, lower: lowerBound, upper: upperBound, name: name.isEmpty ? "" : "\(name)[\($0)]")
        })
        return (first..<first + n).map { VariableID(model: identity, index: $0) }
    }

    /// Adds the constraint `expression ∈ set` and returns its handle.
    ///
    /// The expression's constant is moved to the set's side. A handle from
    /// another model, NaN or infinite numbers and impossible sets are
    /// reported by ``validated()``.
    ///
    /// - Complexity: O(terms) amortised.
    @discardableResult
    public func addConstraint(_ expression: LinearExpression, _ set: ConstraintSet, name: String = "") -> ConstraintID {
        let id = ConstraintID(model: identity, index: rowSets.count)
        let n = variables.count
        let identity = self.identity
        var foreign = false
        // Work on local arrays: appending to a class's stored arrays one
        // element at a time pays an exclusivity check per append.
        var columns: [Int32] = [], coefficients: [Double] = []
        swap(&columns, &termColumns); swap(&coefficients, &termCoefficients)
        for t in expression.terms {
            if t.variable.model == identity && Int(t.variable.rawIndex) < n {
                columns.append(Int32(truncatingIfNeeded: t.variable.rawIndex))
            } else {
                columns.append(-1)
                foreign = true
            }
            coefficients.append(t.coefficient)
        }
        swap(&columns, &termColumns); swap(&coefficients, &termCoefficients)
        if foreign && firstForeign == nil,
           let t = expression.terms.first(where: { !($0.variable.model == identity && $0.variable.index < n) }) {
            firstForeign = .foreignVariable(t.variable, at: .constraint(id, name: name))
        }
        rowStart.append(termColumns.count)
        rowSets.append(set)
        rowConstants.append(expression.constant)
        constraintNames.append(name)
        return id
    }

    /// Sets the objective (replacing any previous one).
    ///
    /// - Complexity: O(1) (the expression is stored, checked at validation).
    public func setObjective(_ expression: LinearExpression, _ sense: ObjectiveSense) {
        objective = expression
        self.sense = sense
    }

    /// The debug name of a variable ("" when unnamed or foreign).
    public func name(of variable: VariableID) -> String {
        variable.model == identity && variable.index < variables.count ? variables[variable.index].name : ""
    }

    /// The debug name of a constraint ("" when unnamed or foreign).
    public func name(of constraint: ConstraintID) -> String {
        constraint.model == identity && constraint.index < constraintNames.count ? constraintNames[constraint.index] : ""
    }
}
