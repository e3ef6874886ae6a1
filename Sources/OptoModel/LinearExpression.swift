/// One term of a ``LinearExpression``: a coefficient times a variable.
public struct LinearTerm: Sendable, Hashable {
    /// The variable.
    public var variable: VariableID
    /// Its coefficient (any finite value; zeros are dropped at validation).
    public var coefficient: Double

    /// A term `coefficient · variable`.
    @inlinable public init(_ coefficient: Double, _ variable: VariableID) {
        self.variable = variable
        self.coefficient = coefficient
    }
}

/// A linear expression `Σ cᵢ·xᵢ + constant`.
///
/// Terms are kept in the order they were added; the same variable may occur
/// several times (duplicates are merged by ``Model/validated()``, not here,
/// so building stays O(1) amortised per term). Build expressions with the
/// operators (`2 * x + y - 3`), with ``add(_:_:)`` / `+=` in loops, or with
/// the `sum` helpers. `a + b` copies `a`'s terms; in a loop prefer `e += …`,
/// which appends in place.
public struct LinearExpression: Sendable, Hashable {
    /// The terms, in insertion order, duplicates allowed.
    public var terms: [LinearTerm]
    /// The constant part.
    public var constant: Double

    /// The expression `constant` (no terms; 0 by default).
    @inlinable public init(_ constant: Double = 0) {
        self.terms = []
        self.constant = constant
    }

    /// The expression `1·variable`.
    @inlinable public init(_ variable: VariableID) {
        self.terms = [LinearTerm(1, variable)]
        self.constant = 0
    }

    /// An expression from terms and a constant.
    @inlinable public init(terms: [LinearTerm], constant: Double = 0) {
        self.terms = terms
        self.constant = constant
    }

    /// An expression from `(coefficient, variable)` pairs and a constant.
    ///
    /// - Complexity: O(n) for n pairs.
    @inlinable public init<S: Sequence>(_ pairs: S, constant: Double = 0) where S.Element == (Double, VariableID) {
        self.terms = pairs.map { LinearTerm($0.0, $0.1) }
        self.constant = constant
    }

    /// Reserves room for `count` more terms. Call it once before a loop, not
    /// inside one (an exact reservation each time defeats geometric growth).
    @inlinable public mutating func reserveCapacity(_ count: Int) {
        terms.reserveCapacity(terms.count + count)
    }

    /// Appends `coefficient · variable`.
    ///
    /// - Complexity: O(1) amortised.
    @inlinable public mutating func add(_ coefficient: Double, _ variable: VariableID) {
        terms.append(LinearTerm(coefficient, variable))
    }

    /// Appends `scale · other` (its terms and constant).
    ///
    /// - Complexity: O(k) for k terms in `other`.
    @inlinable public mutating func add(_ other: LinearExpression, scaledBy scale: Double = 1) {
        if scale == 1 {
            terms.append(contentsOf: other.terms)
        } else {
            for t in other.terms { terms.append(LinearTerm(scale * t.coefficient, t.variable)) }
        }
        constant += scale * other.constant
    }

    /// The sum `Σ vᵢ` of the variables.
    ///
    /// - Complexity: O(n).
    @inlinable public static func sum<S: Sequence>(_ variables: S) -> LinearExpression where S.Element == VariableID {
        var e = LinearExpression()
        e.terms.reserveCapacity(variables.underestimatedCount)
        for v in variables { e.terms.append(LinearTerm(1, v)) }
        return e
    }

    /// The sum of the expressions.
    ///
    /// - Complexity: O(total terms).
    @inlinable public static func sum<S: Sequence>(_ expressions: S) -> LinearExpression where S.Element == LinearExpression {
        var e = LinearExpression()
        for x in expressions { e.add(x) }
        return e
    }

    /// `Σ_{i ∈ indices} term(i)`, e.g. `.sum(0..<n) { i in cost[i] * x[i] }`.
    ///
    /// - Complexity: O(total terms).
    @inlinable public static func sum<S: Sequence>(_ indices: S, _ term: (S.Element) throws -> LinearExpression) rethrows -> LinearExpression {
        var e = LinearExpression()
        for i in indices { e.add(try term(i)) }
        return e
    }

    /// `Σ cᵢ·vᵢ` for paired coefficients and variables (the shorter sequence sets the length).
    ///
    /// - Complexity: O(n).
    @inlinable public static func weightedSum<C: Sequence, V: Sequence>(_ coefficients: C, _ variables: V) -> LinearExpression
    where C.Element == Double, V.Element == VariableID {
        var e = LinearExpression()
        for (c, v) in zip(coefficients, variables) { e.terms.append(LinearTerm(c, v)) }
        return e
    }

    /// The expression's value at `values[v.index]` for each variable.
    ///
    /// - Complexity: O(terms).
    @inlinable public func evaluate(_ value: (VariableID) -> Double) -> Double {
        var s = constant
        for t in terms { s += t.coefficient * value(t.variable) }
        return s
    }
}

extension LinearExpression: CustomStringConvertible {
    /// A short human-readable form.
    public var description: String {
        var parts = terms.map { "\($0.coefficient)·\($0.variable)" }
        if constant != 0 || parts.isEmpty { parts.append("\(constant)") }
        return parts.joined(separator: " + ")
    }
}

// MARK: - Operators

/// `c · v`
@inlinable public func * (lhs: Double, rhs: VariableID) -> LinearExpression { LinearExpression(terms: [LinearTerm(lhs, rhs)]) }
/// `v · c`
@inlinable public func * (lhs: VariableID, rhs: Double) -> LinearExpression { LinearExpression(terms: [LinearTerm(rhs, lhs)]) }
/// `c · e`
@inlinable public func * (lhs: Double, rhs: LinearExpression) -> LinearExpression {
    LinearExpression(terms: rhs.terms.map { LinearTerm(lhs * $0.coefficient, $0.variable) }, constant: lhs * rhs.constant)
}
/// `e · c`
@inlinable public func * (lhs: LinearExpression, rhs: Double) -> LinearExpression { rhs * lhs }
/// `e / c` (multiplies by 1/c; dividing by 0 gives non-finite coefficients, rejected at validation)
@inlinable public func / (lhs: LinearExpression, rhs: Double) -> LinearExpression { (1 / rhs) * lhs }

/// `−e`
@inlinable public prefix func - (e: LinearExpression) -> LinearExpression { -1 * e }
/// `−v`
@inlinable public prefix func - (v: VariableID) -> LinearExpression { LinearExpression(terms: [LinearTerm(-1, v)]) }

/// `a + b`
@inlinable public func + (lhs: LinearExpression, rhs: LinearExpression) -> LinearExpression { var e = lhs; e.add(rhs); return e }
/// `a − b`
@inlinable public func - (lhs: LinearExpression, rhs: LinearExpression) -> LinearExpression { var e = lhs; e.add(rhs, scaledBy: -1); return e }
/// `e + v`
@inlinable public func + (lhs: LinearExpression, rhs: VariableID) -> LinearExpression { var e = lhs; e.add(1, rhs); return e }
/// `e − v`
@inlinable public func - (lhs: LinearExpression, rhs: VariableID) -> LinearExpression { var e = lhs; e.add(-1, rhs); return e }
/// `v + e`
@inlinable public func + (lhs: VariableID, rhs: LinearExpression) -> LinearExpression { var e = rhs; e.add(1, lhs); return e }
/// `v − e`
@inlinable public func - (lhs: VariableID, rhs: LinearExpression) -> LinearExpression { var e = -rhs; e.add(1, lhs); return e }
/// `u + v`
@inlinable public func + (lhs: VariableID, rhs: VariableID) -> LinearExpression { LinearExpression(terms: [LinearTerm(1, lhs), LinearTerm(1, rhs)]) }
/// `u − v`
@inlinable public func - (lhs: VariableID, rhs: VariableID) -> LinearExpression { LinearExpression(terms: [LinearTerm(1, lhs), LinearTerm(-1, rhs)]) }
/// `e + c`
@inlinable public func + (lhs: LinearExpression, rhs: Double) -> LinearExpression { var e = lhs; e.constant += rhs; return e }
/// `e − c`
@inlinable public func - (lhs: LinearExpression, rhs: Double) -> LinearExpression { var e = lhs; e.constant -= rhs; return e }
/// `c + e`
@inlinable public func + (lhs: Double, rhs: LinearExpression) -> LinearExpression { var e = rhs; e.constant += lhs; return e }
/// `c − e`
@inlinable public func - (lhs: Double, rhs: LinearExpression) -> LinearExpression { var e = -rhs; e.constant += lhs; return e }
/// `v + c`
@inlinable public func + (lhs: VariableID, rhs: Double) -> LinearExpression { LinearExpression(terms: [LinearTerm(1, lhs)], constant: rhs) }
/// `v − c`
@inlinable public func - (lhs: VariableID, rhs: Double) -> LinearExpression { LinearExpression(terms: [LinearTerm(1, lhs)], constant: -rhs) }
/// `c + v`
@inlinable public func + (lhs: Double, rhs: VariableID) -> LinearExpression { LinearExpression(terms: [LinearTerm(1, rhs)], constant: lhs) }
/// `c − v`
@inlinable public func - (lhs: Double, rhs: VariableID) -> LinearExpression { LinearExpression(terms: [LinearTerm(-1, rhs)], constant: lhs) }

/// `e += f` (appends in place)
@inlinable public func += (lhs: inout LinearExpression, rhs: LinearExpression) { lhs.add(rhs) }
/// `e −= f`
@inlinable public func -= (lhs: inout LinearExpression, rhs: LinearExpression) { lhs.add(rhs, scaledBy: -1) }
/// `e += v`
@inlinable public func += (lhs: inout LinearExpression, rhs: VariableID) { lhs.add(1, rhs) }
/// `e −= v`
@inlinable public func -= (lhs: inout LinearExpression, rhs: VariableID) { lhs.add(-1, rhs) }
/// `e += c`
@inlinable public func += (lhs: inout LinearExpression, rhs: Double) { lhs.constant += rhs }
/// `e −= c`
@inlinable public func -= (lhs: inout LinearExpression, rhs: Double) { lhs.constant -= rhs }
