/// A model cleaned and checked for a solver: what every backend consumes.
///
/// Produced by ``Model/validated()``. Compared with the model as built:
/// - duplicate terms of a row are merged and zero coefficients dropped
///   (rows keep the order of each variable's first occurrence);
/// - expression constants are moved into the row bounds;
/// - integer bounds are rounded inwards (with a 1e-9 tolerance) and binary
///   bounds intersected with [0, 1];
/// - the objective is a dense coefficient vector plus a constant.
///
/// It is a value (`Sendable`): backends can take it to any thread.
/// Indices are 0-based; backends do their own shifts.
public struct ValidatedModel: Sendable {
    /// The model's debug name.
    public let name: String
    /// The identity of the model it came from (handles are checked against it).
    public let identity: ModelIdentity
    /// Minimise or maximise.
    public let sense: ObjectiveSense

    /// Variable kinds, by index.
    public let kinds: [VariableKind]
    /// Variable lower bounds (−∞ allowed); integer ones rounded up.
    public let lowerBounds: [Double]
    /// Variable upper bounds (+∞ allowed); integer ones rounded down.
    public let upperBounds: [Double]
    /// Variable debug names.
    public let variableNames: [String]

    /// Row r's terms are at `rowStart[r] ..< rowStart[r+1]` of `columns` / `coefficients`.
    public let rowStart: [Int]
    /// Column index of each term (0-based, distinct within a row).
    public let columns: [Int32]
    /// Coefficient of each term (finite, nonzero).
    public let coefficients: [Double]
    /// Row lower bounds (−∞ allowed).
    public let rowLower: [Double]
    /// Row upper bounds (+∞ allowed).
    public let rowUpper: [Double]
    /// Constraint debug names.
    public let constraintNames: [String]

    /// Objective coefficient of each variable (dense).
    public let objectiveCoefficients: [Double]
    /// The objective's constant.
    public let objectiveConstant: Double

    /// The first integer variable whose rounded bounds leave no integer
    /// (e.g. an integer in [0.2, 0.8]): the model is then infeasible, and
    /// backends report so without calling the solver.
    public let emptyIntegerDomain: VariableID?

    /// The number of variables.
    public var variableCount: Int { kinds.count }
    /// The number of constraints.
    public var constraintCount: Int { rowLower.count }
    /// The number of nonzero constraint coefficients.
    public var nonzeroCount: Int { columns.count }
    /// Whether any variable is integer or binary.
    public var isMIP: Bool { kinds.contains { $0.isInteger } }

    /// The handle of variable `index`.
    public func variable(_ index: Int) -> VariableID { VariableID(model: identity, index: index) }
    /// The handle of constraint `index`.
    public func constraint(_ index: Int) -> ConstraintID { ConstraintID(model: identity, index: index) }

    /// The objective's value at a full assignment (by index).
    ///
    /// - Complexity: O(variables).
    public func objectiveValue(_ values: [Double]) -> Double {
        var s = objectiveConstant
        for j in 0..<min(values.count, objectiveCoefficients.count) where objectiveCoefficients[j] != 0 {
            s += objectiveCoefficients[j] * values[j]
        }
        return s
    }

    /// The activity (left-hand side) of each row at a full assignment.
    ///
    /// - Complexity: O(nonzeros).
    public func rowActivities(_ values: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: constraintCount)
        for r in 0..<constraintCount {
            var s = 0.0
            for k in rowStart[r]..<rowStart[r + 1] { s += coefficients[k] * values[Int(columns[k])] }
            out[r] = s
        }
        return out
    }

    /// Why an assignment is not a feasible solution, or nil when it is.
    ///
    /// Checks that every variable has a finite value, within its bounds
    /// (tolerance scaled by 1 + |bound|), integral where required (absolute
    /// tolerance), and that every row is within its bounds (tolerance scaled
    /// by 1 + |bound| + Σ|aᵢⱼxⱼ|, so rows of large terms that cancel are
    /// judged relative to their terms).
    ///
    /// - Complexity: O(variables + nonzeros).
    public func infeasibility(of values: [Double], tolerance: Double = 1e-6) -> String? {
        guard values.count == variableCount else {
            return "expected \(variableCount) values, got \(values.count)"
        }
        for j in 0..<variableCount {
            let x = values[j]
            guard x.isFinite else { return "variable \(j) '\(variableNames[j])' has value \(x)" }
            if x < lowerBounds[j] - tolerance * (1 + abs(lowerBounds[j])) || x > upperBounds[j] + tolerance * (1 + abs(upperBounds[j])) {
                return "variable \(j) '\(variableNames[j])' = \(x) outside [\(lowerBounds[j]), \(upperBounds[j])]"
            }
            if kinds[j].isInteger && abs(x - x.rounded()) > tolerance {
                return "integer variable \(j) '\(variableNames[j])' = \(x) is fractional"
            }
        }
        for r in 0..<constraintCount {
            var activity = 0.0, size = 0.0
            for k in rowStart[r]..<rowStart[r + 1] {
                let t = coefficients[k] * values[Int(columns[k])]
                activity += t; size += abs(t)
            }
            let lo = rowLower[r], hi = rowUpper[r]
            if activity < lo - tolerance * (1 + abs(lo) + size) || activity > hi + tolerance * (1 + abs(hi) + size) {
                return "constraint \(r) '\(constraintNames[r])' activity \(activity) outside [\(lo), \(hi)]"
            }
        }
        return nil
    }

    /// Converts a handle-keyed assignment to a dense vector, or explains why it cannot.
    ///
    /// Every variable must have a value; handles must belong to this model.
    ///
    /// - Complexity: O(variables + entries).
    public func denseAssignment(_ assignment: [VariableID: Double]) -> Result<[Double], ModelError> {
        var values = [Double](repeating: .nan, count: variableCount)
        for (v, x) in assignment {
            guard v.model == identity, v.index < variableCount else {
                return .failure(.foreignVariable(v, at: .warmStart))
            }
            values[v.index] = x
        }
        return .success(values)
    }
}

extension Model {
    /// The model cleaned and checked: see ``ValidatedModel``.
    ///
    /// - Throws: ``ModelError`` for the first problem found, checked in this
    ///   order: variable bounds, foreign handles in constraints, constraint
    ///   coefficients, constants and sets, then the objective.
    /// - Complexity: O(variables + terms).
    public func validated() throws(ModelError) -> ValidatedModel {
        let n = variables.count
        let m = rowSets.count
        let kinds = variables.map(\.kind)
        let variableNames = variables.map(\.name)
        let sizeLimit = Int(Int32.max) - 2
        let limit = Model.magnitudeLimit
        guard n <= sizeLimit, m <= sizeLimit, termColumns.count <= sizeLimit else {
            throw .tooLarge("\(n) variables, \(m) constraints, \(termColumns.count) terms")
        }

        // Variables.
        var lower = variables.map(\.lower)
        var upper = variables.map(\.upper)
        var emptyDomain: VariableID?
        for j in 0..<n {
            let l = lower[j], u = upper[j]
            if l.isNaN || u.isNaN || l > u || l == .infinity || u == -.infinity {
                let v = VariableID(model: identity, index: j)
                throw .invalidBounds(lower: l, upper: u, at: .variable(v, name: variableNames[j]))
            }
            for b in [l, u] where b.isFinite && abs(b) > limit {
                throw .magnitudeTooLarge(b, at: .variable(VariableID(model: identity, index: j), name: variableNames[j]))
            }
            switch kinds[j] {
            case .continuous: break
            case .integer, .binary:
                var lo = l, hi = u
                if kinds[j] == .binary { lo = max(lo, 0); hi = min(hi, 1) }
                if lo.isFinite { lo = (lo - 1e-9 * (1 + abs(lo))).rounded(.up) }
                if hi.isFinite { hi = (hi + 1e-9 * (1 + abs(hi))).rounded(.down) }
                lower[j] = lo; upper[j] = hi
                if lo > hi && emptyDomain == nil { emptyDomain = VariableID(model: identity, index: j) }
            }
        }

        if let e = firstForeign { throw e }

        // Rows: merge duplicates with a position marker, drop zeros.
        var cols = [Int32](); cols.reserveCapacity(termColumns.count)
        var coefs = [Double](); coefs.reserveCapacity(termColumns.count)
        var starts = [Int](); starts.reserveCapacity(m + 1); starts.append(0)
        var rowLo = [Double](repeating: 0, count: m)
        var rowHi = [Double](repeating: 0, count: m)
        // position[j] is where column j sits in the current row's output,
        // valid only when seenInRow[j] == r (compaction moves entries, so a
        // position left over from an earlier row must never be trusted).
        var position = [Int](repeating: 0, count: n)
        var seenInRow = [Int](repeating: -1, count: n)
        for r in 0..<m {
            let id = ConstraintID(model: identity, index: r)
            let begin = cols.count
            for k in rowStart[r]..<rowStart[r + 1] {
                let c = termCoefficients[k]
                let j = Int(termColumns[k])
                guard c.isFinite else {
                    throw .nonFiniteCoefficient(c, variable: VariableID(model: identity, index: j),
                                                at: .constraint(id, name: constraintNames[r]))
                }
                if seenInRow[j] == r {
                    coefs[position[j]] += c
                } else {
                    seenInRow[j] = r
                    position[j] = cols.count
                    cols.append(Int32(j)); coefs.append(c)
                }
            }
            // Compact: drop zeros, check merged sums stayed finite.
            var w = begin
            for k in begin..<cols.count {
                let c = coefs[k]
                guard c.isFinite else {
                    throw .nonFiniteCoefficient(c, variable: VariableID(model: identity, index: Int(cols[k])),
                                                at: .constraint(id, name: constraintNames[r]))
                }
                if abs(c) > limit {
                    throw .magnitudeTooLarge(c, at: .constraint(id, name: constraintNames[r]))
                }
                if c != 0 { cols[w] = cols[k]; coefs[w] = c; w += 1 }
            }
            cols.removeLast(cols.count - w); coefs.removeLast(coefs.count - w)
            starts.append(w)

            let constant = rowConstants[r]
            guard constant.isFinite else { throw .nonFiniteConstant(constant, at: .constraint(id, name: constraintNames[r])) }
            let set = rowSets[r]
            let (l, u) = set.bounds
            if l.isNaN || u.isNaN || l > u || l == .infinity || u == -.infinity {
                throw .invalidConstraintSet(set, at: .constraint(id, name: constraintNames[r]))
            }
            rowLo[r] = l - constant
            rowHi[r] = u - constant
            for b in [constant, rowLo[r], rowHi[r]] where b.isFinite && abs(b) > limit {
                throw .magnitudeTooLarge(b, at: .constraint(id, name: constraintNames[r]))
            }
        }

        // Objective.
        var obj = [Double](repeating: 0, count: n)
        for t in objective.terms {
            guard t.variable.model == identity, t.variable.index < n else {
                throw .foreignVariable(t.variable, at: .objective)
            }
            guard t.coefficient.isFinite else {
                throw .nonFiniteCoefficient(t.coefficient, variable: t.variable, at: .objective)
            }
            obj[t.variable.index] += t.coefficient
        }
        for j in 0..<n where !obj[j].isFinite {
            throw .nonFiniteCoefficient(obj[j], variable: VariableID(model: identity, index: j), at: .objective)
        }
        guard objective.constant.isFinite else { throw .nonFiniteConstant(objective.constant, at: .objective) }
        for c in obj where abs(c) > limit { throw .magnitudeTooLarge(c, at: .objective) }
        if abs(objective.constant) > limit { throw .magnitudeTooLarge(objective.constant, at: .objective) }

        return ValidatedModel(
            name: name, identity: identity, sense: sense,
            kinds: kinds, lowerBounds: lower, upperBounds: upper, variableNames: variableNames,
            rowStart: starts, columns: cols, coefficients: coefs, rowLower: rowLo, rowUpper: rowHi,
            constraintNames: constraintNames, objectiveCoefficients: obj, objectiveConstant: objective.constant,
            emptyIntegerDomain: emptyDomain)
    }
}
