/// A conformance suite every ``Solver`` backend runs (the MathOptInterface
/// `MOI.Test` idea): small LPs and MILPs with optima known by hand, each
/// kind of "no optimum" outcome, and a time-limited hard instance.
///
/// A backend's tests call ``run(_:excluding:)`` and expect no failures; each
/// exclusion carries its reason, so the reader sees what a backend does not
/// claim. The suite is itself tested against a mock backend (a brute-force
/// enumerator) and against deliberately wrong backends, which it must fail.
///
/// ```swift
/// let failures = ConformanceSuite.run(GLPKSolver())
/// #expect(failures.isEmpty, "\(failures)")
/// ```
public enum ConformanceSuite {
    /// Every case, in a fixed order.
    public static let cases: [ConformanceCase] = [
        .lpMaximize, .lpEqualityAndRange, .lpFreeVariables, .lpTransportation,
        .lpInfeasible, .lpUnbounded,
        .milpKnapsack, .milpAssignment, .milpMixed, .milpIntegerInfeasible, .milpRelaxationUnbounded,
        .milpTimeLimited,
    ]

    /// The names of all cases.
    public static var caseNames: [String] { cases.map(\.name) }

    /// Runs every case not in `excluding` (case name → reason) and returns
    /// the failures, one message per broken expectation ("" never appears).
    ///
    /// - Complexity: the backend's cost on each case; the time-limited case
    ///   takes about ``ConformanceCase/hardInstanceTimeLimit`` seconds.
    public static func run(_ solver: some Solver, excluding: [String: String] = [:]) -> [String] {
        cases.filter { excluding[$0.name] == nil }.flatMap { c in c.run(solver).map { "\(c.name): \($0)" } }
    }
}

/// One conformance case: a model builder and the outcome it must produce.
public struct ConformanceCase: Sendable {
    /// What the backend must report.
    public enum Expectation: Sendable {
        /// Optimal, with this objective and these values (by variable index; nil: any optimal point).
        case optimal(objective: Double, values: [Int: Double]?)
        /// Proven infeasible.
        case infeasible
        /// Proven unbounded (an LP).
        case unbounded
        /// Proven infeasible or unbounded: either of those or `.infeasibleOrUnbounded` is accepted.
        case infeasibleOrUnbounded
        /// Stopped by its time limit with a feasible incumbent, a bound and a positive gap.
        case timeLimitedIncumbent
    }

    /// A stable identifier (used for exclusions).
    public let name: String
    /// What the case exercises.
    public let summary: String
    /// The expected outcome.
    public let expectation: Expectation
    let build: @Sendable () -> (Model, SolverOptions)

    /// Tolerance for objective and values: absolute 1e-6 plus relative 1e-6.
    public static let tolerance = 1e-6
    /// The time limit of the hard instance, in seconds.
    public static let hardInstanceTimeLimit = 1.0

    /// Builds the case's model and options (for benchmarks or debugging).
    public func makeModel() -> (Model, SolverOptions) { build() }

    /// Solves the case with `solver` and returns what went wrong (empty: passed).
    public func run(_ solver: some Solver) -> [String] {
        let (model, options) = build()
        let validated: ValidatedModel
        do { validated = try model.validated() } catch { return ["model did not validate: \(error)"] }
        let result: SolveResult
        do { result = try solver.solve(validated, options: options) } catch { return ["solver threw \(error)"] }
        return check(result, validated, options)
    }

    /// The failures of `result` against this case's expectation.
    public func check(_ r: SolveResult, _ m: ValidatedModel, _ options: SolverOptions) -> [String] {
        var failures: [String] = []
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= Self.tolerance * (1 + abs(b)) }
        func checkSolution() {
            guard r.values.count == m.variableCount else {
                failures.append("expected \(m.variableCount) values, got \(r.values.count)"); return
            }
            if let why = m.infeasibility(of: r.values, tolerance: Self.tolerance) { failures.append("solution infeasible: \(why)") }
            if let z = r.objectiveValue, !close(m.objectiveValue(r.values), z) {
                failures.append("objective \(z) disagrees with the values (\(m.objectiveValue(r.values)))")
            }
        }
        if r.model != m.identity { failures.append("result belongs to another model") }
        if r.termination == .optimal && r.primalStatus != .feasible { failures.append("optimal without a solution") }

        switch expectation {
        case .optimal(let objective, let values):
            guard r.termination == .optimal else { return failures + ["termination \(r.termination), expected optimal"] }
            guard r.primalStatus == .feasible else { return failures + ["no solution"] }
            guard let z = r.objectiveValue else { return failures + ["no objective value"] }
            if !close(z, objective) { failures.append("objective \(z), expected \(objective)") }
            checkSolution()
            for (j, v) in (values ?? [:]).sorted(by: { $0.key < $1.key }) where !close(r.values.count > j ? r.values[j] : .nan, v) {
                failures.append("variable \(j) = \(r.values.count > j ? r.values[j] : .nan), expected \(v)")
            }
            if let b = r.bestBound {
                let wrongSide = m.sense == .minimize ? b > z + Self.tolerance * (1 + abs(z)) : b < z - Self.tolerance * (1 + abs(z))
                if wrongSide { failures.append("bound \(b) on the wrong side of the objective \(z)") }
            }
        case .infeasible:
            if r.termination != .infeasible { failures.append("termination \(r.termination), expected infeasible") }
            if r.primalStatus != .noSolution { failures.append("reports a solution for an infeasible model") }
        case .unbounded:
            if r.termination != .unbounded { failures.append("termination \(r.termination), expected unbounded") }
        case .infeasibleOrUnbounded:
            if ![.infeasible, .unbounded, .infeasibleOrUnbounded].contains(r.termination) {
                failures.append("termination \(r.termination), expected infeasible or unbounded")
            }
        case .timeLimitedIncumbent:
            guard r.termination == .timeLimit else { return failures + ["termination \(r.termination), expected timeLimit"] }
            guard r.primalStatus == .feasible, let z = r.objectiveValue else { return failures + ["no incumbent"] }
            checkSolution()
            guard let b = r.bestBound else { return failures + ["no bound"] }
            let gap = r.relativeGap ?? .nan
            if !(gap > 0) { failures.append("gap \(gap), expected > 0") }
            if !close(gap, SolveResult.gap(objective: z, bound: b)) { failures.append("gap \(gap) disagrees with objective \(z) and bound \(b)") }
            if m.sense == .maximize ? b < z : b > z { failures.append("bound \(b) on the wrong side of the incumbent \(z)") }
            if let limit = options.timeLimit, r.solveSeconds > 2 * limit + 1 {
                failures.append("took \(r.solveSeconds) s with a \(limit) s limit")
            }
        }
        return failures
    }
}

// MARK: - The cases

extension ConformanceCase {
    /// max 3x + 2y; x + y ≤ 4; x + 3y ≤ 6; 0 ≤ x ≤ 3; y ≥ 0 → x = 3, y = 1, z = 11.
    public static let lpMaximize = ConformanceCase(
        name: "lpMaximize", summary: "a 2-variable LP, maximised, a variable upper bound active",
        expectation: .optimal(objective: 11, values: [0: 3, 1: 1])
    ) {
        let m = Model(name: "lpMaximize")
        let x = m.addVariable(upperBound: 3, name: "x"), y = m.addVariable(name: "y")
        m.addConstraint(x + y, .lessThanOrEqual(4))
        m.addConstraint(x + 3 * y, .lessThanOrEqual(6))
        m.setObjective(3 * x + 2 * y, .maximize)
        return (m, SolverOptions())
    }

    /// min x + 2y + 3z; x + y + z = 6; 1 ≤ x − y ≤ 3; z ≥ 1 → x = 4, y = 1, z = 1, objective 9.
    public static let lpEqualityAndRange = ConformanceCase(
        name: "lpEqualityAndRange", summary: "an equality row and a range row (its upper side active)",
        expectation: .optimal(objective: 9, values: [0: 4, 1: 1, 2: 1])
    ) {
        let m = Model(name: "lpEqualityAndRange")
        let x = m.addVariable(name: "x"), y = m.addVariable(name: "y"), z = m.addVariable(lowerBound: 1, name: "z")
        m.addConstraint(x + y + z, .equalTo(6), name: "total")
        m.addConstraint(x - y, .interval(1, 3), name: "spread")
        m.setObjective(x + 2 * y + 3 * z, .minimize)
        return (m, SolverOptions())
    }

    /// min y + w; y − x ≥ −2; y + x ≥ 4; w ≥ −5 (a row); x, y, w free → x = 3, y = 1, w = −5, objective −4.
    public static let lpFreeVariables = ConformanceCase(
        name: "lpFreeVariables", summary: "free variables, one of them negative at the optimum",
        expectation: .optimal(objective: -4, values: [0: 3, 1: 1, 2: -5])
    ) {
        let m = Model(name: "lpFreeVariables")
        let x = m.addVariable(lowerBound: -.infinity, name: "x")
        let y = m.addVariable(lowerBound: -.infinity, name: "y")
        let w = m.addVariable(lowerBound: -.infinity, name: "w")
        m.addConstraint(y - x, .greaterThanOrEqual(-2))
        m.addConstraint(y + x, .greaterThanOrEqual(4))
        m.addConstraint(LinearExpression(w), .greaterThanOrEqual(-5))
        m.setObjective(y + w, .minimize)
        return (m, SolverOptions())
    }

    /// Supplies 20, 30; demands 10, 25, 15; costs [[8, 6, 10], [9, 12, 13]]
    /// → supply 0 sends 20 to demand 1; optimum 465 (dual prices prove it).
    public static let lpTransportation = ConformanceCase(
        name: "lpTransportation", summary: "a 2×3 transportation problem with equality rows",
        expectation: .optimal(objective: 465, values: [0: 0, 1: 20, 2: 0, 3: 10, 4: 5, 5: 15])
    ) {
        let supply = [20.0, 30], demand = [10.0, 25, 15]
        let cost = [[8.0, 6, 10], [9.0, 12, 13]]
        let m = Model(name: "lpTransportation")
        let x = (0..<2).map { i in (0..<3).map { j in m.addVariable(name: "ship_\(i)_\(j)") } }
        for i in 0..<2 { m.addConstraint(.sum(x[i]), .equalTo(supply[i]), name: "supply\(i)") }
        for j in 0..<3 { m.addConstraint(.sum((0..<2).map { x[$0][j] }), .equalTo(demand[j]), name: "demand\(j)") }
        m.setObjective(.sum(0..<2) { i in .weightedSum(cost[i], x[i]) }, .minimize)
        return (m, SolverOptions())
    }

    /// x + y ≥ 5 with x, y ∈ [0, 2].
    public static let lpInfeasible = ConformanceCase(
        name: "lpInfeasible", summary: "an LP with no feasible point", expectation: .infeasible
    ) {
        let m = Model(name: "lpInfeasible")
        let x = m.addVariable(upperBound: 2), y = m.addVariable(upperBound: 2)
        m.addConstraint(x + y, .greaterThanOrEqual(5))
        m.setObjective(x + y, .minimize)
        return (m, SolverOptions())
    }

    /// max x + y; x − y ≤ 1; x, y ≥ 0.
    public static let lpUnbounded = ConformanceCase(
        name: "lpUnbounded", summary: "a feasible LP whose objective has no bound", expectation: .unbounded
    ) {
        let m = Model(name: "lpUnbounded")
        let x = m.addVariable(), y = m.addVariable()
        m.addConstraint(x - y, .lessThanOrEqual(1))
        m.setObjective(x + y, .maximize)
        return (m, SolverOptions())
    }

    /// Weights 12, 2, 1, 1, 4; values 4, 2, 1, 2, 10; capacity 15 → items 1–4, value 15.
    public static let milpKnapsack = ConformanceCase(
        name: "milpKnapsack", summary: "a 0-1 knapsack whose LP relaxation is fractional",
        expectation: .optimal(objective: 15, values: [0: 0, 1: 1, 2: 1, 3: 1, 4: 1])
    ) {
        let m = Model(name: "milpKnapsack")
        let x = (0..<5).map { m.addVariable(.binary, name: "take\($0)") }
        m.addConstraint(.weightedSum([12, 2, 1, 1, 4], x), .lessThanOrEqual(15), name: "capacity")
        m.setObjective(.weightedSum([4, 2, 1, 2, 10], x), .maximize)
        return (m, SolverOptions())
    }

    /// Costs [[4, 1, 3], [2, 0, 5], [3, 2, 2]] → 0→1, 1→0, 2→2, cost 5 (all 6 permutations checked by hand).
    public static let milpAssignment = ConformanceCase(
        name: "milpAssignment", summary: "a 3×3 assignment problem with binary variables",
        expectation: .optimal(objective: 5, values: [0: 0, 1: 1, 2: 0, 3: 1, 4: 0, 5: 0, 6: 0, 7: 0, 8: 1])
    ) {
        let cost = [[4.0, 1, 3], [2.0, 0, 5], [3.0, 2, 2]]
        let m = Model(name: "milpAssignment")
        let x = (0..<3).map { i in (0..<3).map { j in m.addVariable(.binary, name: "a_\(i)_\(j)") } }
        for i in 0..<3 { m.addConstraint(.sum(x[i]), .equalTo(1)) }
        for j in 0..<3 { m.addConstraint(.sum((0..<3).map { x[$0][j] }), .equalTo(1)) }
        m.setObjective(.sum(0..<3) { i in .weightedSum(cost[i], x[i]) }, .minimize)
        return (m, SolverOptions())
    }

    /// max 2n + c; 3n + 2c ≤ 11; c ≤ 1.25 + n (a row); n integer in [0, 10], c ≥ 0
    /// → n = 3, c = 1 (3·3 + 2·1 = 11), objective 7; the relaxation gives 22/3 at n = 11/3, c = 0.
    public static let milpMixed = ConformanceCase(
        name: "milpMixed", summary: "integer and continuous variables together",
        expectation: .optimal(objective: 7, values: [0: 3, 1: 1])
    ) {
        let m = Model(name: "milpMixed")
        let n = m.addVariable(.integer, upperBound: 10, name: "n"), c = m.addVariable(name: "c")
        m.addConstraint(3 * n + 2 * c, .lessThanOrEqual(11))
        m.addConstraint(c - n, .lessThanOrEqual(1.25))
        m.setObjective(2 * n + c, .maximize)
        return (m, SolverOptions())
    }

    /// 2x + 2y = 3 with x, y integer in [0, 5]: the relaxation is feasible, no integer point is.
    public static let milpIntegerInfeasible = ConformanceCase(
        name: "milpIntegerInfeasible", summary: "integer-infeasible with a feasible LP relaxation", expectation: .infeasible
    ) {
        let m = Model(name: "milpIntegerInfeasible")
        let x = m.addVariable(.integer, upperBound: 5), y = m.addVariable(.integer, upperBound: 5)
        m.addConstraint(2 * x + 2 * y, .equalTo(3))
        m.setObjective(x + y, .minimize)
        return (m, SolverOptions())
    }

    /// max x + y; x − y ≤ 1; x integer ≥ 0, y ≥ 0: unbounded.
    public static let milpRelaxationUnbounded = ConformanceCase(
        name: "milpRelaxationUnbounded", summary: "a MILP with an unbounded relaxation (infeasible-or-unbounded accepted)",
        expectation: .infeasibleOrUnbounded
    ) {
        let m = Model(name: "milpRelaxationUnbounded")
        let x = m.addVariable(.integer), y = m.addVariable()
        m.addConstraint(x - y, .lessThanOrEqual(1))
        m.setObjective(x + y, .maximize)
        return (m, SolverOptions())
    }

    /// A seeded multidimensional 0-1 knapsack (``hardKnapsack(items:dimensions:seed:)``)
    /// that GLPK's branch and bound cannot close within ``hardInstanceTimeLimit``.
    public static let milpTimeLimited = ConformanceCase(
        name: "milpTimeLimited", summary: "a hard MILP under a time limit: incumbent, bound, gap > 0, not optimal",
        expectation: .timeLimitedIncumbent
    ) {
        let m = hardKnapsack(items: 60, dimensions: 5, seed: 7)
        return (m, SolverOptions(timeLimit: hardInstanceTimeLimit))
    }

    /// A multidimensional 0-1 knapsack with correlated values, generated from
    /// `seed` by a 64-bit linear congruential generator: weights in 1…100,
    /// capacity half of each row's weight sum, value = mean weight + 1…10
    /// plus a fraction (so the objective is not integral and bounds cannot be rounded).
    ///
    /// - Complexity: O(items · dimensions).
    public static func hardKnapsack(items: Int, dimensions: Int, seed: UInt64) -> Model {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let m = Model(name: "hardKnapsack\(items)x\(dimensions)")
        let x = m.addVariables(items, .binary, name: "take")
        var weights = [[Double]](repeating: [], count: dimensions)
        for d in 0..<dimensions {
            weights[d] = (0..<items).map { _ in Double(1 + next(100)) }
            m.addConstraint(.weightedSum(weights[d], x), .lessThanOrEqual(weights[d].reduce(0, +) / 2))
        }
        let values = (0..<items).map { j in
            (0..<dimensions).map { weights[$0][j] }.reduce(0, +) / Double(dimensions) + Double(1 + next(10)) + Double(next(1000)) / 997
        }
        m.setObjective(.weightedSum(values, x), .maximize)
        return m
    }
}
