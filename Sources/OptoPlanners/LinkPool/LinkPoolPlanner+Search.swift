import Foundation
import OptoCore
import OptoModel

// MARK: - The exact search on λ (concurrent objective)
//
// The optimum λ* = max over integer circuit matrices n of λ(n), where λ(n)
// is the exact electrical sub-problem's answer (LinkPoolPlanner+Electrical).
// Instead of one mixed-integer model with λ as a variable (whose relaxation
// is weak: the rounding facets of `λ·R ≤ n·r_c + e` depend on λ), the search
// keeps an interval [λ_lo, λ_hi] with λ_lo = λ(n_lo) of a known allocation
// and λ_hi a proven bound, and asks the fixed-λ feasibility question of
// LinkPoolPlanner+FixedLambda.swift at a test point λ_t inside it:
//   * feasible with n  →  λ_lo := λ(n) ≥ λ_t (often well above it);
//   * infeasible       →  λ_hi := λ_t.
// Feasibility is monotone in λ, so this is exact. The test point is the
// middle of the interval while its gap exceeds 1 %, then λ_lo·(1 + 1e-7):
// an infeasible answer there proves λ_lo optimal to 1e-7 relative (the
// status is then `optimal`).
// The first λ_hi comes from the same model's LP relaxation, bisected
// (12 LP solves or fewer; the relaxation is monotone in λ too), below the
// per-pair and per-node counting bounds that the fixed-λ model checks
// before any solve.
// Stage 2 (fewest circuits) is the fixed-λ model at λ_lo·(1 − 5e-10) with
// the objective min Σ n, warm-started from n_lo: it has the strong
// pair-by-pair hull, so it costs no more than one feasibility test.
//
// The search itself (`maximiseLambda`) only sees a test function and the
// exact value of an allocation, so a richer inner model (transit rates
// f[s][k][t] for maxHops 2, PROBLEMS.md §2) changes only the test.

/// The answer to "is there an allocation with λ at least this?".
enum LambdaTest {
    case feasible([Int])
    case infeasible
    /// The solver stopped (time limit, interruption) before answering.
    case unknown(String)
}

/// What the search on λ ended with.
struct LambdaSearchResult {
    var lower: Double
    var counts: [Int]?
    var upper: Double
    var proven: Bool
    var tests: Int
    var stopReason: String?
}

/// Maximises λ over allocations given a monotone feasibility test.
///
/// - Parameters:
///   - lower, counts: a known allocation and its λ (nil: none yet).
///   - upper: a proven upper bound on λ.
///   - relativeTolerance: the search stops when `upper ≤ lower·(1 + tol)`.
///   - test: the fixed-λ question; `value`: the exact λ of an allocation.
///   - report: called after each step with (λ_lo, λ_hi).
/// - Complexity: O(log(upper/lower) + improvements) calls of `test`.
func maximiseLambda(lower: Double, counts: [Int]?, upper: Double, relativeTolerance: Double = 1e-7,
                    test: (Double) throws -> LambdaTest, value: ([Int]) throws -> Double,
                    report: (Double, Double) -> Void = { _, _ in }) rethrows -> LambdaSearchResult {
    var r = LambdaSearchResult(lower: lower, counts: counts, upper: max(upper, lower), proven: false, tests: 0)
    var stalled = false
    while true {
        if r.counts != nil && r.upper <= r.lower * (1 + relativeTolerance) {
            r.proven = true
            return r
        }
        let gap = (r.upper - r.lower) / max(r.upper, 1e-300)
        let closing = r.counts != nil && (stalled || gap <= 0.01)
        let point = r.counts == nil ? r.lower : closing ? r.lower * (1 + relativeTolerance) : r.lower + 0.5 * (r.upper - r.lower)
        r.tests += 1
        switch try test(point) {
        case .feasible(let c):
            let v = try value(c)
            if r.counts == nil || v > r.lower {
                r.lower = v
                r.counts = c
                stalled = false
            } else if closing {
                // The solver accepts λ_lo·(1 + tol) only within its own
                // feasibility tolerance: nothing better exists beyond it.
                r.upper = point
            } else {
                stalled = true
            }
        case .infeasible:
            r.upper = point
            if r.counts == nil {
                r.proven = true
                return r
            }
        case .unknown(let why):
            r.stopReason = why
            return r
        }
        r.upper = max(r.upper, r.lower)
        report(r.lower, r.upper)
    }
}

extension LinkPoolProblem {
    /// The fixed-λ question (see LinkPoolPlanner+FixedLambda.swift) asked of
    /// `solver`: an allocation whose λ is at least `lambda`, or a proof that
    /// none exists, or `unknown` when the time limit or `shouldStop` ends it.
    ///
    /// - Complexity: one MIP solve (none when counting settles it).
    func concurrentTest(at lambda: Double, symmetric: Bool, solver: any Solver, timeLimit: Double, verbose: Bool,
                        shouldStop: (@Sendable () -> Bool)?, solverAnswers: inout Int) throws -> LambdaTest {
        let f = LinkPoolFixedLambdaModel(self, lambda: lambda, symmetric: symmetric, goal: .feasibility)
        if f.infeasibleReason != nil { return .infeasible }
        if f.model.variableCount == 0 { return .feasible([Int](repeating: 0, count: n * n)) }
        var o = SolverOptions(timeLimit: max(timeLimit, 0.01), verbose: verbose, shouldStop: shouldStop)
        o.cuts.gomory = true
        let r: SolveResult
        do { r = try solver.solve(f.model, options: o) } catch { throw PlanningError.solverFailed("\(error)") }
        return try testAnswer(r, counts: f.counts, solverAnswers: &solverAnswers)
    }

    /// A fixed-λ test's solve read as its answer (one-hop and transit
    /// models alike): infeasible, the circuits found (checked against the
    /// port limits), or unknown when the solver stopped without either.
    func testAnswer(_ r: SolveResult, counts: (SolveResult) -> [Int], solverAnswers: inout Int) throws -> LambdaTest {
        switch r.termination {
        case .infeasible:
            solverAnswers += 1
            return .infeasible
        case .optimal, .timeLimit, .interrupted:
            guard r.hasSolution else { return .unknown("\(r.termination) after \(String(format: "%.3f", r.solveSeconds)) s") }
            let c = counts(r)
            guard violation(c) == nil else { return .unknown("the solver's allocation breaks a port limit") }
            solverAnswers += 1
            return .feasible(c)
        case .unbounded, .infeasibleOrUnbounded, .numericalError, .otherError:
            if r.hasSolution, violation(counts(r)) == nil { return .feasible(counts(r)) }
            throw PlanningError.solverFailed("\(r.termination): \(r.message)")
        }
    }

    /// Whether the LP relaxation of the fixed-λ model is feasible at `lambda`
    /// (false proves λ infeasible). Nil when the solver did not answer.
    func concurrentRelaxationAllows(_ lambda: Double, symmetric: Bool, solver: any Solver, timeLimit: Double) -> Bool? {
        let f = LinkPoolFixedLambdaModel(self, lambda: lambda, symmetric: symmetric, goal: .feasibility, relaxed: true)
        if f.infeasibleReason != nil { return false }
        guard let r = try? solver.solve(f.model, options: SolverOptions(timeLimit: max(timeLimit, 0.01))) else { return nil }
        switch r.termination {
        case .optimal: return true
        case .infeasible, .infeasibleOrUnbounded: return false
        default: return nil
        }
    }

    /// The λ no allocation can beat from capacity alone: every pair's
    /// `(U_ij·r_c + min(p_i, p_j)) / R_ij` and every node side's
    /// `(ports·r_c + p_i) / Σ R`.
    func concurrentCapacityBound(symmetric: Bool) -> Double {
        var best = Double.infinity
        for k in 0..<(n * n) where demand[k] > 0 {
            let i = k / n, j = k % n
            var cap = pairCap(i, j)
            if symmetric { cap = min(cap, pairCap(j, i)) }
            best = min(best, (Double(cap) * rate + min(packet[i], packet[j])) / demand[k])
        }
        for i in 0..<n {
            var out = 0.0, inc = 0.0
            for j in 0..<n where j != i { out += demand[i * n + j]; inc += demand[j * n + i] }
            if out > 0 { best = min(best, (Double(min(ports[i], tx[i])) * rate + packet[i]) / out) }
            if inc > 0 { best = min(best, (Double(min(ports[i], rx[i])) * rate + packet[i]) / inc) }
        }
        return best
    }

    /// The exact concurrent method: the search on λ, then the fewest
    /// circuits at the optimum (see the comment at the top of this file).
    ///
    /// - Complexity: a few LP solves for the bound, then one MIP per test
    ///   (bisection steps plus improvements), all within `settings.timeLimit`.
    func searchConcurrent(symmetric: Bool, settings: LinkPoolSolveSettings, start: LinkPoolAllocation?) throws -> LinkPoolExactOutcome {
        let clock = ContinuousClock()
        let began = clock.now
        func elapsed() -> Double {
            began.duration(to: clock.now).seconds
        }
        let limit = max(settings.timeLimit, 0.01)
        let searchLimit = limit * 0.9
        var notes: [String] = []
        let solver = settings.solver

        var lower = 0.0
        var counts: [Int]?
        if let s = start, violation(s.counts) == nil, !symmetric || isSymmetric(s.counts) {
            lower = s.objective
            counts = s.counts
        }
        let none = [Int](repeating: 0, count: n * n)
        if counts == nil, violation(none) == nil {
            counts = none
            lower = concurrentLambda(none)
        }
        // The first bound: capacity, then the LP relaxation bisected.
        var upper = max(concurrentCapacityBound(symmetric: symmetric), lower)
        if upper.isFinite {
            var feasibleLP = lower
            for _ in 0..<12 {
                if upper - feasibleLP <= 1e-4 * upper || elapsed() > 0.2 * searchLimit { break }
                let mid = feasibleLP + 0.5 * (upper - feasibleLP)
                guard let allows = concurrentRelaxationAllows(mid, symmetric: symmetric, solver: solver,
                                                              timeLimit: searchLimit - elapsed()) else { break }
                if allows { feasibleLP = mid } else { upper = mid }
            }
        }
        var solverAnswers = 0
        let result = try maximiseLambda(
            lower: lower, counts: counts, upper: upper,
            test: { lambda in
                let left = searchLimit - elapsed()
                if left <= 0.005 || (settings.shouldStop?() ?? false) { return .unknown("time limit") }
                return try concurrentTest(at: lambda, symmetric: symmetric, solver: solver, timeLimit: left,
                                          verbose: settings.verbose, shouldStop: settings.shouldStop, solverAnswers: &solverAnswers)
            },
            value: { concurrentLambda($0) },
            report: { lo, hi in
                settings.progress?(SolveProgress(elapsedSeconds: elapsed(), incumbent: lo, bestBound: hi,
                                                 relativeGap: lo > 0 ? (hi - lo) / lo : nil, nodeCount: 0))
            })
        let found: [Int]
        switch try searchVerdict(result, seconds: elapsed(), notes: &notes) {
        case .counts(let c): found = c
        case .done(let outcome): return outcome
        }
        let first = allocation(found)

        // Stage 2: the fewest circuits at λ_lo.
        var chosen = first
        var fewestProven = false
        let remaining = limit - elapsed()
        if found.reduce(0, +) > 0 && remaining > 0.005 && !(settings.shouldStop?() ?? false) {
            let level = first.objective * (1 - 5e-10)
            let f = LinkPoolFixedLambdaModel(self, lambda: level, symmetric: symmetric, goal: .fewestCircuits)
            if f.infeasibleReason == nil {
                let share = min(remaining, max(1, 0.25 * limit))
                var o = SolverOptions(timeLimit: max(share, 0.01), verbose: settings.verbose, shouldStop: settings.shouldStop)
                o.cuts.gomory = true
                if let ws = f.warmStart(found) { o.warmStart = ws }
                if let r = try? solver.solve(f.model, options: o), r.hasSolution {
                    if r.termination != .optimal {
                        notes.append("stage 2 (fewest circuits) stopped by \(r.termination) after \(String(format: "%.3f", r.solveSeconds)) s")
                    }
                    let second = allocation(f.counts(r))
                    let tol = 1e-9 * max(abs(first.objective), 1e-300)
                    if second.objective >= first.objective - tol && violation(second.counts) == nil
                        && (!symmetric || isSymmetric(second.counts))
                        && second.counts.reduce(0, +) <= found.reduce(0, +) {
                        chosen = second
                        fewestProven = r.termination == .optimal
                    }
                }
            }
        }
        if !fewestProven {
            chosen = symmetric ? chosen : pruned(chosen)
            if found.reduce(0, +) > 0 {
                notes.append("the fewest circuits were not proven (stage 2 did not finish); circuits that carried nothing were removed")
            }
        }
        let bound = result.proven ? max(first.objective, chosen.objective) : result.upper
        // Unproven with no test answered by the solver: only the start and a
        // bound (auto then returns its heuristic).
        return LinkPoolExactOutcome(allocation: chosen, status: result.proven ? .optimal : .feasible, bound: bound, notes: notes,
                                    solverAnswered: result.proven || solverAnswers > 0)
    }

    /// Whether `counts` has as many circuits i → j as j → i on every pair.
    func isSymmetric(_ counts: [Int]) -> Bool {
        for i in 0..<n { for j in (i + 1)..<max(i + 1, n) where counts[i * n + j] != counts[j * n + i] { return false } }
        return true
    }
}

/// What the search on λ leaves for its stage 2: the circuits it found, or
/// an outcome to return at once.
enum LambdaSearchVerdict {
    case counts([Int])
    case done(LinkPoolExactOutcome)
}

extension LinkPoolProblem {
    /// The search on λ read (one-hop and transit alike): its circuits, with
    /// a note in `notes` when it stopped unproven; a proof that no
    /// allocation exists as an infeasible outcome. Throws when it stopped
    /// before finding any allocation.
    func searchVerdict(_ result: LambdaSearchResult, seconds: Double, notes: inout [String]) throws -> LambdaSearchVerdict {
        guard let found = result.counts else {
            if result.proven {
                return .done(LinkPoolExactOutcome(allocation: nil, status: .infeasible, bound: nil,
                                                  notes: ["no allocation satisfies the port limits and the change budget"]))
            }
            throw PlanningError.solverFailed("the search stopped (\(result.stopReason ?? "no answer")) before finding any feasible allocation")
        }
        if !result.proven {
            notes.append("the search on λ stopped (\(result.stopReason ?? "no answer")) after \(String(format: "%.3f", seconds)) s and \(result.tests) tests, before proving optimality")
        }
        return .counts(found)
    }
}
