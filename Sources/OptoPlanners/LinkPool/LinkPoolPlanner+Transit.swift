import Foundation
import OptoCore
import OptoModel

// MARK: - The transit methods (maxHops 2)
//
// * The routing LP: circuits fixed, the best λ (or throughput) over direct,
//   two-circuit and packet routes (LinkPoolTransitModel with `.fixed`). It is
//   λ(n) of the search on λ, the figures of every transit plan, and
//   `optoplan linkpool --route-only`. A second LP at the optimum (to 1e-10
//   relative) minimises Σ f, so a plan routes over two circuits only what
//   one circuit cannot carry as well.
// * `ilp`/`symmetric`, concurrent: the search on λ of LinkPoolPlanner+Search
//   with the transit fixed-λ model as its test and the routing LP as λ(n);
//   the first upper bound is the LP relaxation of the λ-variable transit
//   model (one LP). Stage 2: the fixed-λ model at λ_lo·(1 − 5e-10)
//   minimising Σ n, warm-started from the best allocation's routing.
// * `ilp`/`symmetric`, throughput: the λ-variable transit model, stage 1
//   maximising Σ a, stage 2 the fewest circuits at that value.
// * `greedy`: the 1-hop greedy allocation (its circuits are the best one-hop
//   choice), then every free port pair filled with a circuit, highest score
//   first (see `fillFreePorts`), then the routing LP; then, while the
//   deadline allows and ports are full, single-circuit moves suggested by
//   the routing (see `improveByMoves`).

/// Phase timings of the transit search on standard error when the
/// environment sets `OPTOPLAN_TRANSIT_TRACE` (a profiling aid; off by default).
let transitTraceOn = ProcessInfo.processInfo.environment["OPTOPLAN_TRANSIT_TRACE"] != nil

func transitTrace(_ message: @autoclosure () -> String) {
    guard transitTraceOn else { return }
    FileHandle.standardError.write(Data(("[transit] " + message() + "\n").utf8))
}

extension LinkPoolProblem {
    static let transitGomory = false
    /// The search on λ with transit proves optimality to this relative
    /// tolerance (1e-7 for one hop): GLPK's row tolerance (1e-7 absolute
    /// in circuits) on needs of tens of circuits is above 1e-8 relative.
    static let transitSearchTolerance = 1e-6

    /// The routing LP over the circuits `counts`: the best objective with
    /// direct, transit and packet rates, and those rates.
    ///
    /// With `tidy`, a second LP keeps the objective (to 1e-10 relative) and
    /// minimises the transit rates. Rates below `1e-9·r_c` are dropped, and
    /// each pair's direct rate is its carried rate minus its packet and
    /// transit rates, so `carried = direct + Σ transit + electrical` exactly.
    ///
    /// `routed`, when given, is this routing LP's answer for the same
    /// counts (an untidy `routedAllocation`): with `tidy` its objective is
    /// the floor of the second LP and the first is not solved again (one
    /// LP of 0.8 s saved at N = 64); if the second LP fails there, both run.
    ///
    /// - Throws: ``PlanningError/solverFailed(_:)`` when the LP is not solved.
    /// - Complexity: one or two LP solves on O(N² + routes) variables.
    func routedAllocation(_ counts: [Int], solver: any Solver, tidy: Bool = false, timeLimit: Double = 60,
                          routed: LinkPoolAllocation? = nil) throws -> LinkPoolAllocation {
        let t0 = ContinuousClock.now
        let lp = LinkPoolTransitModel(self, circuits: .fixed(counts), goal: .maximise)
        var options = SolverOptions(timeLimit: max(timeLimit, 0.05))
        options.dualSimplex = true   // 0.75 → 0.50 s at N = 64 gravity, the same optima (docs/linkpool.md)
        if tidy, let routed, routed.counts == counts, routed.objective > 0, !lp.routes.isEmpty {
            let z = lp.scaled(routed.objective)
            let second = LinkPoolTransitModel(self, circuits: .fixed(counts), goal: .leastTransitAbove(floor: z * (1 - 1e-10)))
            if let r2 = try? solver.solve(second.model, options: options), r2.termination == .optimal, r2.hasSolution {
                transitTrace("tidy routing LP alone: \(second.model.variableCount) columns in \((ContinuousClock.now - t0).seconds) s")
                return readRouting(second, r2, counts: counts, objective: second.unscaled(min(z, r2.value(second.primary))))
            }
        }
        let t1 = ContinuousClock.now
        let r: SolveResult
        // Tidy: the least transit as the LP's second stage, from its optimal basis.
        if tidy && !lp.routes.isEmpty {
            options.secondStage = SecondStage(LinearExpression.sum(lp.routes.map { $0.v }), .minimize, relativeSlack: 1e-10)
        }
        do { r = try solver.solve(lp.model, options: options) } catch { throw PlanningError.solverFailed("routing LP: \(error)") }
        transitTrace("routing LP: \(lp.model.variableCount) columns, \(lp.routes.count) routes, built in \((t1 - t0).seconds) s, solved in \((ContinuousClock.now - t1).seconds) s\(r.secondStageSolved ? " with the least-transit stage" : "")")
        guard r.termination == .optimal, r.hasSolution else {
            throw PlanningError.solverFailed("routing LP: \(r.termination) \(r.message)")
        }
        let z = lp.primary.terms.isEmpty ? 0 : (r.bestBound ?? r.value(lp.primary))
        var model = lp, result = r
        if r.secondStageSolved {
            return readRouting(lp, r, counts: counts, objective: lp.unscaled(min(z, r.value(lp.primary))))
        }
        if tidy && !lp.routes.isEmpty && z > 0 {
            let second = LinkPoolTransitModel(self, circuits: .fixed(counts), goal: .leastTransitAbove(floor: z * (1 - 1e-10)))
            if let r2 = try? solver.solve(second.model, options: options), r2.termination == .optimal, r2.hasSolution {
                model = second
                result = r2
            }
        }
        return readRouting(model, result, counts: counts, objective: model.unscaled(min(z, model.primary.terms.isEmpty ? 0 : result.value(model.primary))))
    }

    /// The allocation of a transit model's solution: carried rates from the
    /// objective, then packet and transit rates as solved, and the direct rate
    /// as what is left (clamped at 0).
    func readRouting(_ m: LinkPoolTransitModel, _ r: SolveResult, counts: [Int], objective value: Double) -> LinkPoolAllocation {
        let rc = rate
        let tiny = 1e-9 * rc
        var carried = [Double](repeating: 0, count: n * n)
        var electrical = carried, direct = carried
        var transitRate = carried
        var routes: [TransitRoute] = []
        for route in m.routes {
            let x = r.value(route.v) * rc
            if x > tiny {
                routes.append(TransitRoute(route.s, route.k, route.t, x))
                transitRate[route.s * n + route.t] += x
            }
        }
        var objectiveValue = max(0, value)
        var total = 0.0
        for k in 0..<(n * n) where demand[k] > 0 {
            let e = m.electrical[k].map { max(0, r.value($0) * rc) } ?? 0
            electrical[k] = e > tiny ? e : 0
            let served = electrical[k] + transitRate[k] + (m.direct[k].map { max(0, r.value($0) * rc) } ?? 0)
            switch objective {
            case .concurrent: carried[k] = objectiveValue * demand[k]
            case .throughput: carried[k] = min(demand[k], served, m.carried[k].map { max(0, r.value($0) * rc) } ?? 0)
            }
            // Over-service is dropped from the direct rate first, then the
            // packet rate, then the pair's transit routes.
            var excess = electrical[k] + transitRate[k] - carried[k]
            if excess > 0 {
                let cut = min(excess, electrical[k])
                electrical[k] -= cut
                excess -= cut
            }
            if excess > tiny {
                for idx in routes.indices where routes[idx].source * n + routes[idx].target == k && excess > 0 {
                    let cut = min(excess, routes[idx].amount)
                    routes[idx].amount -= cut
                    transitRate[k] -= cut
                    excess -= cut
                }
            }
            direct[k] = max(0, carried[k] - electrical[k] - transitRate[k])
            if direct[k] <= tiny && counts[k] == 0 { direct[k] = 0 }
            total += carried[k]
        }
        routes.removeAll { $0.amount <= tiny }
        routes.sort { ($0.source, $0.target, $0.via) < ($1.source, $1.target, $1.via) }
        if objective == .throughput { objectiveValue = total }
        return LinkPoolAllocation(counts: counts, electrical: electrical, carried: carried, objective: objectiveValue,
                                  direct: direct, transit: routes)
    }

    /// Every circuit's load (direct plus transit crossing it), bits per second.
    ///
    /// - Complexity: O(N² + routes).
    func circuitLoads(_ a: LinkPoolAllocation) -> [Double] {
        var load = a.direct.isEmpty ? [Double](repeating: 0, count: n * n) : a.direct
        if a.direct.isEmpty {
            for k in 0..<(n * n) { load[k] = max(0, a.carried[k] - a.electrical[k]) }
        }
        for r in a.transit {
            load[r.source * n + r.via] += r.amount
            load[r.via * n + r.target] += r.amount
        }
        return load
    }

    /// `a` with every pair's circuits cut to what its load needs,
    /// `⌈load / r_c⌉` (within the change budget): the routing still fits, so
    /// the objective is unchanged.
    func trimmedToLoad(_ a: LinkPoolAllocation) -> LinkPoolAllocation {
        let load = circuitLoads(a)
        var state = GreedyState(self, counts: a.counts)
        for k in 0..<(n * n) where a.counts[k] > 0 {
            let needed = Int((load[k] / rate - 1e-7).rounded(.up))
            while state.counts[k] > max(0, needed) && state.canRemove(k) { state.remove(k) }
        }
        var b = a
        b.counts = state.counts
        return b
    }

    /// Whether the LP relaxation of the transit fixed-λ model with its cut
    /// rows is feasible at `lambda` (false proves λ infeasible); nil when
    /// the solver did not answer.
    /// With `fractional`, the relaxation's circuit values are written there
    /// when it is feasible.
    func transitRelaxationAllows(_ lambda: Double, symmetric: Bool, solver: any Solver, timeLimit: Double,
                                 fractional: inout [Double]?) -> Bool? {
        let f = LinkPoolTransitModel(self, circuits: .variables(symmetric: symmetric, relaxed: true),
                                     goal: .fixedLambda(lambda, fewest: false), cuts: true)
        if f.infeasibleReason != nil { return false }
        guard timeLimit > 0.01, let r = try? solver.solve(f.model, options: SolverOptions(timeLimit: timeLimit)) else { return nil }
        switch r.termination {
        case .optimal:
            if r.hasSolution { fractional = f.circuits.map { $0.map { max(0, r.value($0)) } ?? 0 } }
            return true
        case .infeasible, .infeasibleOrUnbounded: return false
        default: return nil
        }
    }

    /// Circuits rounded from fractional ones (a relaxation's): each pair's
    /// whole part, then a path for every pair that needs one
    /// (`coverPairs`), then one more circuit on the pairs with the largest
    /// fractional parts while ports allow, then free ports filled
    /// (`fillFreePorts`). Nil with a change budget (the rounding ignores it).
    ///
    /// - Complexity: O(N² log N + the fill).
    func roundedCircuits(_ x: [Double], evicting: Bool = true) -> [Int]? {
        guard maxChanges == nil, x.count == n * n else { return nil }
        var state = GreedyState(self, counts: [Int](repeating: 0, count: n * n))
        for k in 0..<(n * n) where k / n != k % n {
            let whole = Int((x[k] + 1e-6).rounded(.down))
            for _ in 0..<max(0, whole) where state.canAdd(k) { state.add(k) }
        }
        if objective == .concurrent {
            if evicting { coverPairsEvicting(&state, guide: x) } else { coverPairs(&state) }
        }
        var rest: [(Double, Int)] = []
        for k in 0..<(n * n) {
            let r: Double = x[k] - Double(state.counts[k])
            if r > 1e-6 { rest.append((r, k)) }
        }
        rest.sort { $0.0 > $1.0 }
        for (_, k) in rest where state.canAdd(k) { state.add(k) }
        fillFreePorts(&state)
        return violation(state.counts) == nil ? state.counts : nil
    }

    /// The transit fixed-λ question: circuits whose routing reaches `lambda`,
    /// or a proof that none exist.
    func transitTest(at lambda: Double, symmetric: Bool, solver: any Solver, timeLimit: Double, verbose: Bool,
                     shouldStop: (@Sendable () -> Bool)?, solverAnswers: inout Int) throws -> LambdaTest {
        var f = LinkPoolTransitModel(self, circuits: .variables(symmetric: symmetric, relaxed: false), goal: .fixedLambda(lambda, fewest: false))
        if f.infeasibleReason != nil { transitTrace("test λ=\(lambda): counting says infeasible"); return .infeasible }
        // GLPK's branch and bound finds a feasible point of this model (it
        // has no objective) by luck of its tree: a test one setting does not
        // settle in 25 s another settles in 1 s, and which setting wins
        // changes from instance to instance (N = 16 seed 1: gravity demand
        // answers in 5 s with GLPK's MIP presolver and not in 45 s without,
        // skewed demand in 0.9 s without and not in 54 s with). So the test
        // runs as a portfolio of four settings in turn, slices of 3, 6, 6,
        // 12, 12, 24, … s: without and with the MIP presolver (odd
        // attempts), best-bound then depth-first node selection (every two
        // attempts), until one answers or the time is gone.
        let deadline = ContinuousClock.now + .seconds(max(timeLimit, 0.01))
        var slice = 3.0
        var attempt = 0
        var r: SolveResult
        while true {
            let left = max(0.01, (deadline - ContinuousClock.now).seconds)
            let last = left <= 1.5 * slice
            var o = SolverOptions(timeLimit: last ? left : slice, verbose: verbose, shouldStop: shouldStop)
            o.cuts.gomory = Self.transitGomory
            o.nodeSelection = (attempt / 2) % 2 == 0 ? .bestLocalBound : .depthFirst
            o.integerPresolve = attempt % 2 == 1
            let t0 = ContinuousClock.now
            do { r = try solver.solve(f.model, options: o) } catch { throw PlanningError.solverFailed("\(error)") }
            if r.termination == .numericalError {
                // GLPK's integrality slack (see LinkPoolTransitModel.capRowScale): solve again with scaled rows.
                f = LinkPoolTransitModel(self, circuits: .variables(symmetric: symmetric, relaxed: false), goal: .fixedLambda(lambda, fewest: false),
                                         rowScale: LinkPoolTransitModel.capRowScale)
                do { r = try solver.solve(f.model, options: o) } catch { throw PlanningError.solverFailed("\(error)") }
            }
            transitTrace("test λ=\(lambda) attempt \(attempt): \(r.termination) in \(String(format: "%.2f", (ContinuousClock.now - t0).seconds)) s, \(f.model.variableCount) columns, \(f.routes.count) routes, nodes \(r.nodeCount)")
            guard r.termination == .timeLimit, !r.hasSolution, !last else { break }
            attempt += 1
            if attempt % 2 == 1 { slice *= 2 }
        }
        return try testAnswer(r, counts: f.counts, solverAnswers: &solverAnswers)
    }

    /// The exact concurrent method with transit: the search on λ, then the
    /// fewest circuits, then the tidy routing (see the top of this file).
    func searchConcurrentTransit(symmetric: Bool, settings: LinkPoolSolveSettings, start: LinkPoolAllocation?) throws -> LinkPoolExactOutcome {
        let began = ContinuousClock().now
        func elapsed() -> Double { (ContinuousClock.now - began).seconds }
        let limit = max(settings.timeLimit, 0.01)
        let searchLimit = limit * 0.9
        let solver = settings.solver
        var notes: [String] = []
        var cache: [[Int]: LinkPoolAllocation] = [:]
        func route(_ c: [Int]) throws -> LinkPoolAllocation {
            if let a = cache[c] { return a }
            let a = try routedAllocation(c, solver: solver, timeLimit: max(1, limit - elapsed()))
            cache[c] = a
            return a
        }

        var lower = 0.0
        var counts: [Int]?
        if let s = start, s.counts.count == n * n, violation(s.counts) == nil, !symmetric || isSymmetric(s.counts) {
            let a = s.transit.isEmpty && s.direct.isEmpty ? try route(s.counts) : s
            cache[s.counts] = a
            lower = a.objective
            counts = s.counts
        }
        let none = [Int](repeating: 0, count: n * n)
        if counts == nil, violation(none) == nil {
            counts = none
            lower = try route(none).objective
        }
        // The first bound: λ = 0 by counting (every allocation), else the LP
        // relaxation of the λ-variable transit model.
        var upper = max(splitBound(), lower)
        if let why = transitZeroLambdaReason() {
            upper = lower
            notes.append(why)
        } else {
            let relaxed = LinkPoolTransitModel(self, circuits: .variables(symmetric: symmetric, relaxed: true), goal: .maximise)
            if let r = try? solver.solve(relaxed.model, options: SolverOptions(timeLimit: max(0.05, 0.2 * searchLimit))),
               r.termination == .optimal, r.hasSolution {
                upper = max(lower, min(upper, relaxed.unscaled(r.value(relaxed.primary)) * (1 + 1e-9)))
            }
            transitTrace("λ-variable relaxation bound \(upper) at \(String(format: "%.2f", elapsed())) s")
            // Then the fixed-λ relaxation with the cut rows, bisected.
            // Each feasible relaxation's circuits, rounded and routed, may
            // also raise the start.
            var allowed = lower
            var rounded: LinkPoolAllocation?
            for _ in 0..<12 {
                if upper - allowed <= 0.01 * upper || elapsed() > 0.3 * searchLimit { break }
                let mid = allowed + 0.5 * (upper - allowed)
                let t0 = ContinuousClock.now
                var fractional: [Double]?
                guard let allows = transitRelaxationAllows(mid, symmetric: symmetric, solver: solver,
                                                           timeLimit: 0.3 * searchLimit - elapsed(), fractional: &fractional) else { break }
                let took: Double = (ContinuousClock.now - t0).seconds
                let verdict: String = allows ? "feasible" : "infeasible"
                transitTrace("relaxation at λ=\(mid): " + verdict + " in \(took) s")
                if allows { allowed = mid } else { upper = mid }
                // Rounded with and without evictions (neither wins always).
                for evicting in [true, false] where !symmetric {
                    if let x = fractional, let c = roundedCircuits(x, evicting: evicting), let a = try? route(c), a.objective > lower {
                        transitTrace("rounded relaxation: λ=\(a.objective)")
                        lower = a.objective
                        counts = c
                        rounded = a
                    }
                }
            }
            // Single-circuit moves from the best rounding (a few seconds at most).
            if let a = rounded, let b = try? improveByMoves(a, solver: solver, deadline: .now + .seconds(min(3, 0.05 * limit))),
               b.objective > lower, violation(b.counts) == nil {
                transitTrace("moves from the rounding: λ=\(b.objective)")
                cache[b.counts] = b
                lower = b.objective
                counts = b.counts
            }
            upper = max(upper, lower)
        }
        transitTrace("start λ=\(lower), first bound \(upper) at \(String(format: "%.2f", elapsed())) s")
        var solverAnswers = 0
        var currentLower = lower
        var coarse = 0.0
        let tolerance = Self.transitSearchTolerance
        let result = try maximiseLambda(
            lower: lower, counts: counts, upper: upper, relativeTolerance: tolerance,
            test: { lambda in
                let left = searchLimit - elapsed()
                if left <= 0.005 || (settings.shouldStop?() ?? false) { return .unknown("time limit") }
                let answer = try transitTest(at: lambda, symmetric: symmetric, solver: solver, timeLimit: left,
                                             verbose: settings.verbose, shouldStop: settings.shouldStop, solverAnswers: &solverAnswers)
                // A feasible answer is confirmed by routing its counts. At the
                // closing point (λ_lo·(1 + tol)) an unconfirmed one would be
                // read as a proof that nothing beats λ_lo; it is not one.
                // Then the test is asked again ten, then a hundred times further
                // up: infeasible there proves λ_lo optimal to 1e-5 (1e-4)
                // relative. GLPK's row tolerance, 1e-7·(1 + need), is that
                // coarse on small needs, and its integrality tolerance (1e-5)
                // lets a single circuit at capacity carry 1e-5 more.
                if case .feasible(let c) = answer, lambda <= currentLower * (1 + 2 * tolerance),
                   try route(c).objective < lambda * (1 - 1e-9) {
                    for factor in [10.0, 100.0] {
                        let again = try transitTest(at: currentLower * (1 + factor * tolerance), symmetric: symmetric, solver: solver,
                                                    timeLimit: max(0.01, searchLimit - elapsed()), verbose: settings.verbose,
                                                    shouldStop: settings.shouldStop, solverAnswers: &solverAnswers)
                        switch again {
                        case .infeasible:
                            coarse = factor * tolerance
                            return .infeasible
                        case .feasible(let c2) where try route(c2).objective > currentLower:
                            return again
                        case .feasible:
                            continue
                        case .unknown:
                            break
                        }
                        break
                    }
                    return .unknown("the solver accepted λ = \(lambda) only within its tolerances")
                }
                return answer
            },
            value: { try route($0).objective },
            report: { lo, hi in
                currentLower = lo
                settings.progress?(SolveProgress(elapsedSeconds: elapsed(), incumbent: lo, bestBound: hi,
                                                 relativeGap: lo > 0 ? (hi - lo) / lo : nil, nodeCount: 0))
            })
        transitTrace("search: λ=\(result.lower) bound \(result.upper) proven \(result.proven) after \(result.tests) tests at \(String(format: "%.2f", elapsed())) s")
        let found: [Int]
        switch try searchVerdict(result, seconds: elapsed(), notes: &notes) {
        case .counts(let c): found = c
        case .done(let outcome): return outcome
        }
        let first = try route(found)
        if result.proven && coarse > 0 {
            notes.append("optimal to \(coarse < 5e-5 ? "1e-5" : "1e-4") relative: the solver's tolerances blurred the test just above λ")
        }

        // Stage 2: the fewest circuits at λ_lo (none at all when λ = 0 is
        // optimal and the empty allocation is allowed).
        var chosen = first
        var fewestProven = false
        let remaining = limit - elapsed()
        if result.proven && first.objective == 0 && violation(none) == nil {
            chosen = try route(none)
            fewestProven = true
        } else if found.reduce(0, +) > 0 && remaining > 0.005 && first.objective > 0 && !(settings.shouldStop?() ?? false) {
            let level = first.objective * (1 - 5e-10)
            var f = LinkPoolTransitModel(self, circuits: .variables(symmetric: symmetric, relaxed: false), goal: .fixedLambda(level, fewest: true))
            if f.infeasibleReason == nil {
                let share = min(remaining, max(1, 0.25 * limit))
                var o = SolverOptions(timeLimit: max(share, 0.01), verbose: settings.verbose, shouldStop: settings.shouldStop)
                o.cuts.gomory = Self.transitGomory
                if let ws = f.warmStart(first, scale: level / first.objective) { o.warmStart = ws }
                var answer = try? solver.solve(f.model, options: o)
                if answer?.termination == .numericalError {
                    f = LinkPoolTransitModel(self, circuits: .variables(symmetric: symmetric, relaxed: false),
                                             goal: .fixedLambda(level, fewest: true), rowScale: LinkPoolTransitModel.capRowScale)
                    o.warmStart = f.warmStart(first, scale: level / first.objective)
                    answer = try? solver.solve(f.model, options: o)
                }
                if let r = answer, r.hasSolution {
                    if r.termination != .optimal {
                        notes.append("stage 2 (fewest circuits) stopped by \(r.termination) after \(String(format: "%.3f", r.solveSeconds)) s")
                    }
                    let c = f.counts(r)
                    if violation(c) == nil, !symmetric || isSymmetric(c), c.reduce(0, +) <= found.reduce(0, +) {
                        let second = try route(c)
                        if second.objective >= first.objective * (1 - 1e-9) {
                            chosen = second
                            fewestProven = r.termination == .optimal
                        }
                    }
                }
            }
        }
        transitTrace("search and stage 2 done at \(String(format: "%.2f", elapsed())) s (fewest proven: \(fewestProven))")
        // The tidy routing; when it does not finish (N = 64 dense: the LP
        // alone can take the seconds left) the search's routing stands.
        if let tidy = try? routedAllocation(chosen.counts, solver: solver, tidy: true, timeLimit: max(1, limit - elapsed()), routed: chosen),
           tidy.objective >= chosen.objective * (1 - 1e-9) {
            chosen = tidy
        }
        if !fewestProven {
            if !symmetric { chosen = trimmedToLoad(chosen) }
            if found.reduce(0, +) > 0 {
                notes.append("the fewest circuits were not proven (stage 2 did not finish); circuits beyond their routed load were removed")
            }
        }
        let bound = result.proven ? max(first.objective, chosen.objective) : result.upper
        return LinkPoolExactOutcome(allocation: chosen, status: result.proven ? .optimal : .feasible, bound: bound, notes: notes,
                                    solverAnswered: result.proven || solverAnswers > 0)
    }

    /// The exact throughput method with transit: stage 1 maximises Σ a over
    /// the λ-variable transit model, stage 2 the fewest circuits at it.
    func solveThroughputTransit(symmetric: Bool, settings: LinkPoolSolveSettings, start: LinkPoolAllocation?) throws -> LinkPoolExactOutcome {
        let began = ContinuousClock().now
        let limit = max(settings.timeLimit, 0.01)
        let solver = settings.solver
        var notes: [String] = []
        var stage1 = LinkPoolTransitModel(self, circuits: .variables(symmetric: symmetric, relaxed: false), goal: .maximise)
        if stage1.model.variableCount == 0 || stage1.primary.terms.isEmpty {
            let empty = try routedAllocation([Int](repeating: 0, count: n * n), solver: solver, tidy: true)
            return LinkPoolExactOutcome(allocation: empty, status: .optimal, bound: empty.objective, notes: [])
        }
        var options = SolverOptions(timeLimit: limit * 0.9, relativeGap: settings.relativeGap, verbose: settings.verbose,
                                    shouldStop: settings.shouldStop)
        options.cuts.gomory = Self.transitGomory
        if let start, (!symmetric || isSymmetric(start.counts)), let ws = stage1.warmStart(start) { options.warmStart = ws }
        var r1: SolveResult
        do { r1 = try solver.solve(stage1.model, options: options) } catch { throw PlanningError.solverFailed("\(error)") }
        if r1.termination == .numericalError {
            // GLPK's integrality slack (see LinkPoolTransitModel.capRowScale).
            stage1 = LinkPoolTransitModel(self, circuits: .variables(symmetric: symmetric, relaxed: false), goal: .maximise,
                                          rowScale: LinkPoolTransitModel.capRowScale)
            options.warmStart = start.flatMap { stage1.warmStart($0) }
            do { r1 = try solver.solve(stage1.model, options: options) } catch { throw PlanningError.solverFailed("\(error)") }
        }
        if case .rejected(let why) = r1.warmStart { notes.append("warm start not used: \(why)") }
        if let infeasible = try stageOneVerdict(r1, notes: notes) { return infeasible }
        let proven = r1.termination == .optimal
        var bound = r1.bestBound.map { stage1.unscaled($0) }
        let firstCounts = stage1.counts(r1)
        let first = try routedAllocation(firstCounts, solver: solver)
        if !proven {
            notes.append("stage 1 (objective) stopped by \(r1.termination) after \(String(format: "%.3f", r1.solveSeconds)) s, before proving optimality")
        }
        var chosen = first
        var fewestProven = false
        let remaining = limit - (ContinuousClock.now - began).seconds
        let z1 = stage1.scaled(first.objective)
        if firstCounts.reduce(0, +) > 0 && remaining > 0.005 && !(settings.shouldStop?() ?? false) {
            let stage2 = LinkPoolTransitModel(self, circuits: .variables(symmetric: symmetric, relaxed: false),
                                              goal: .fewestAbove(floor: z1 - 1e-7 * max(1, abs(z1))),
                                              rowScale: LinkPoolTransitModel.capRowScale)
            var o2 = SolverOptions(timeLimit: max(min(remaining, max(1, 0.25 * limit)), 0.01), verbose: settings.verbose,
                                   shouldStop: settings.shouldStop)
            if let ws = stage2.warmStart(first) { o2.warmStart = ws }
            if let r2 = try? solver.solve(stage2.model, options: o2), r2.hasSolution {
                if r2.termination != .optimal {
                    notes.append("stage 2 (fewest circuits) stopped by \(r2.termination) after \(String(format: "%.3f", r2.solveSeconds)) s")
                }
                let c = stage2.counts(r2)
                if violation(c) == nil, c.reduce(0, +) <= firstCounts.reduce(0, +) {
                    let second = try routedAllocation(c, solver: solver)
                    if second.objective >= first.objective - 1e-9 * max(abs(first.objective), 1e-300) {
                        chosen = second
                        fewestProven = r2.termination == .optimal
                    }
                }
            }
        }
        chosen = try routedAllocation(chosen.counts, solver: solver, tidy: true)
        if !fewestProven {
            if !symmetric { chosen = trimmedToLoad(chosen) }
            if firstCounts.reduce(0, +) > 0 {
                notes.append("the fewest circuits were not proven (stage 2 did not finish); circuits beyond their routed load were removed")
            }
        }
        if let b = bound, proven { bound = max(b, chosen.objective) }
        return LinkPoolExactOutcome(allocation: chosen, status: proven ? .optimal : .feasible, bound: bound, notes: notes)
    }

    /// The greedy allocation with transit (see the top of this file).
    ///
    /// - Complexity: the 1-hop greedy, O(N² log N) to fill the ports, one
    ///   routing LP, then one routing LP per move tried until `deadline`.
    func greedyTransitAllocation(solver: any Solver, deadline: ContinuousClock.Instant?) throws -> LinkPoolAllocation {
        let began = ContinuousClock.now
        func at() -> String { String(format: "%.3f s", (ContinuousClock.now - began).seconds) }
        // The 1-hop greedy's moves get a quarter of the time: the routing LPs after it need the rest.
        let base = try greedyAllocation(deadline: deadline.map { began + ($0 - began) / 4 })
        transitTrace("greedy: 1-hop greedy at \(at())")
        var state = GreedyState(self, counts: base.counts)
        if objective == .concurrent { coverPairs(&state) }
        fillFreePorts(&state)
        // Routed tidy at once: the least-transit stage from the routing LP's
        // basis costs next to nothing (N = 64: 0.50 s for both against 0.45 s
        // for the least-transit LP alone later), and this is often the plan
        // the greedy ends with. `tidy` says whether `best` is routed so.
        let routingStarted = ContinuousClock.now
        var best = try routedAllocation(state.counts, solver: solver, tidy: true)
        // What one tidy routing takes here: the moves stop that long before the deadline so
        // the tidy routing after them still ends within it.
        let tidyRouting = ContinuousClock.now - routingStarted
        var tidy = true
        transitTrace("greedy: filled and routed at \(at()), λ \(best.objective)")
        if base.objective > best.objective * (1 + 1e-9) {
            best = try routedAllocation(base.counts, solver: solver)
            tidy = false
        }
        if objective == .concurrent && best.objective <= 0 && transitZeroLambdaReason() == nil {
            // Some pair is left unjoined and the count does not rule a cover
            // out: design a two-hop cover first (see
            // LinkPoolPlanner+TransitCover.swift), then fill its free ports.
            let now = ContinuousClock.now
            let budget = deadline.map { min(0.5, max(0.05, ($0 - now).seconds / 3)) } ?? 0.5
            if let design = twoHopCover(deadline: now + .seconds(budget)) {
                var covered = GreedyState(self, counts: design.counts)
                fillFreePorts(&covered)
                let a = try routedAllocation(covered.counts, solver: solver)
                transitTrace("two-hop cover: \(design.unjoined) needed pairs unjoined, routed λ \(a.objective)")
                if a.objective > best.objective { best = a; tidy = false }
            }
        }
        if let a = roundedRelaxation(solver: solver, above: best.objective, deadline: deadline), a.objective > best.objective {
            best = a
            tidy = false
        }
        transitTrace("greedy: relaxation step done at \(at()), λ \(best.objective)")
        let beforeMoves = best.counts
        best = try improveByMoves(best, solver: solver, deadline: deadline.map { $0 - tidyRouting }, expectedSolve: tidyRouting, kicks: true)
        if best.counts != beforeMoves { tidy = false }
        transitTrace("greedy: moves done at \(at()), λ \(best.objective)")
        if !tidy {
            best = try routedAllocation(best.counts, solver: solver, tidy: true, routed: best)
            transitTrace("greedy: tidy routing at \(at())")
        }
        return trimmedToLoad(best)
    }

    /// The greedy's relaxation step (concurrent, no change budget, at most
    /// 12 000 routes, and 4 000 unless 5 s are left, so the LPs take well
    /// under a second): the λ-variable
    /// relaxation's bound B, then the fixed-λ relaxation with its cut rows
    /// half-way between `above` and B (lower while it is infeasible, three
    /// tries), its circuits rounded (`roundedCircuits`, with and without
    /// evictions) and routed, the better kept. Nil when a step fails or the
    /// deadline passes.
    func roundedRelaxation(solver: any Solver, above: Double, deadline: ContinuousClock.Instant?) -> LinkPoolAllocation? {
        guard objective == .concurrent, maxChanges == nil else { return nil }
        let pairs = (0..<(n * n)).reduce(0) { $0 + (demand[$1] > 0 ? 1 : 0) }
        let routes = pairs * max(0, n - 2)
        guard routes <= 12_000 else { return nil }
        func left() -> Double { deadline.map { ($0 - ContinuousClock.now).seconds } ?? 10 }
        // Above 4 000 routes its LPs take half a second or more (N = 32
        // skewed: 5 640 routes, 0.45–0.9 s) and, on the seeded size
        // instances, never raised λ there; the moves after it do more with
        // that time when the greedy has a second or so.
        guard left() > 0.02, routes <= 4_000 || left() >= 5 else { return nil }
        let relaxed = LinkPoolTransitModel(self, circuits: .variables(symmetric: false, relaxed: true), goal: .maximise)
        guard let r = try? solver.solve(relaxed.model, options: SolverOptions(timeLimit: left())), r.termination == .optimal, r.hasSolution else {
            return nil
        }
        let bound = relaxed.unscaled(r.value(relaxed.primary))
        var target = above + 0.5 * (bound - above)
        for _ in 0..<3 where target > above && left() > 0.02 {
            var x: [Double]?
            guard let allows = transitRelaxationAllows(target, symmetric: false, solver: solver, timeLimit: left(), fractional: &x) else { return nil }
            if allows, let x {
                // With and without evictions, each routed once, the better kept.
                return [true, false].compactMap { roundedCircuits(x, evicting: $0) }
                    .compactMap { try? routedAllocation($0, solver: solver) }
                    .max { $0.objective < $1.objective }
            }
            target = above + 0.5 * (target - above)
        }
        return nil
    }

    /// For the concurrent objective every pair with demand needs a path
    /// (else λ = 0): for each pair, largest demand first, that has neither
    /// a circuit, nor a two-circuit path, nor a packet fabric at both ends,
    /// add its own circuit if it fits, else one circuit that completes a
    /// path `s → k → t` with the other half built (the `k` with the most
    /// free ports), else nothing (the pair stays at 0).
    ///
    /// - Complexity: O(P·N) for P pairs with demand.
    func coverPairs(_ state: inout GreedyState) {
        let pairs = (0..<(n * n)).filter(needsCircuitPath).sorted { demand[$0] > demand[$1] }
        for k in pairs {
            let s = k / n, t = k % n
            if joined(s, t, in: state.counts) { continue }
            if state.canAdd(k) { state.add(k); continue }
            var best = -1, bestFree = Int.min
            for via in 0..<n where via != s && via != t {
                let first = s * n + via, second = via * n + t
                if state.counts[first] > 0 && state.canAdd(second) && state.free(via) > bestFree { best = second; bestFree = state.free(via) }
                if state.counts[second] > 0 && state.canAdd(first) && state.free(via) > bestFree { best = first; bestFree = state.free(via) }
            }
            if best >= 0 { state.add(best) }
        }
    }

    /// `coverPairs` for a rounding that has filled the ports: every pair
    /// with demand and no packet port at one end that has no circuit and no
    /// two-circuit path gets the one circuit that completes a path (its own,
    /// or the missing half of `s → k → t`, the `k` with the largest
    /// fractional `x_sk + x_kt`), making room where a port is full by taking
    /// one circuit from a pair at that node that has two or more (it stays
    /// joined).
    ///
    /// - Complexity: O(P·N²) for P pairs with demand.
    func coverPairsEvicting(_ state: inout GreedyState, guide x: [Double]) {
        // Room for one more circuit a→b: evict from a multi-circuit pair at a full end.
        func makeRoom(_ a: Int, _ b: Int) -> Bool {
            let k = a * n + b
            if state.canAdd(k) { return true }
            for end in [a, b] {
                let needsOut = end == a, poolFull = state.free(end) < 1
                let capFull = needsOut ? state.out[end] >= tx[end] : state.inc[end] >= rx[end]
                guard poolFull || capFull else { continue }
                var victim = -1, most = 1
                for o in 0..<n where o != end {
                    // An out-circuit of `end` frees a pool port and a transmitter, an in-circuit a pool port and a receiver.
                    let outs = poolFull || (needsOut && capFull) ? [end * n + o] : []
                    let ins = poolFull || (!needsOut && capFull) ? [o * n + end] : []
                    for v in outs + ins where v != k && state.counts[v] > most && state.canRemove(v) {
                        most = state.counts[v]
                        victim = v
                    }
                }
                guard victim >= 0 else { return false }
                state.remove(victim)
            }
            return state.canAdd(k)
        }
        let pairs = (0..<(n * n)).filter(needsCircuitPath).sorted { demand[$0] > demand[$1] }
        for k in pairs {
            let s = k / n, t = k % n
            if joined(s, t, in: state.counts) { continue }
            // Candidates: the pair's own circuit, or the missing half of a path.
            var options: [(Double, Int)] = [(x[k] + 1, k)]
            for via in 0..<n where via != s && via != t {
                let first = s * n + via, second = via * n + t
                if state.counts[first] > 0 { options.append((x[first] + x[second], second)) }
                if state.counts[second] > 0 { options.append((x[first] + x[second], first)) }
            }
            options.sort { $0.0 > $1.0 }
            for (_, c) in options.prefix(4) {
                let saved = state
                if makeRoom(c / n, c % n) { state.add(c); break }
                state = saved
            }
        }
    }

    /// Fills free ports with circuits, one at a time, on the pair with the
    /// highest score `(R_ij + (S_i + T_j)/N) / (n_ij + 1)`: its own demand
    /// plus a share of what its ends send and receive (which transit can
    /// move over it), per circuit it would then have.
    ///
    /// - Complexity: O(C·N²) for C circuits added.
    func fillFreePorts(_ state: inout GreedyState) {
        var rows = [Double](repeating: 0, count: n), cols = rows
        for i in 0..<n { for j in 0..<n where i != j { rows[i] += demand[i * n + j]; cols[j] += demand[i * n + j] } }
        while true {
            var best = -1
            var bestScore = 0.0
            for i in 0..<n where rows[i] > 0 || state.counts[i * n..<(i * n + n)].contains(where: { $0 > 0 }) {
                for j in 0..<n where j != i {
                    let k = i * n + j
                    let potential = demand[k] + (rows[i] + cols[j]) / Double(n)
                    guard potential > 0, state.canAdd(k) else { continue }
                    let score = potential / Double(state.counts[k] + 1)
                    if score > bestScore { bestScore = score; best = k }
                }
            }
            if best < 0 { return }
            state.add(best)
        }
    }

    /// Single-circuit moves: take one circuit from the least loaded pair and
    /// add it on the pair whose circuits are fullest (by the routing), keep
    /// the move when the routing LP improves; stop at the deadline or when
    /// no move of the few tried helps. Then the two descents of hub,
    /// rewiring and path moves, and with `kicks` (the greedy's, which has
    /// its second to spend) the kicks until the deadline.
    ///
    /// `expectedSolve`, what one routing LP is expected to take, keeps the
    /// other move families and the kicks from starting an LP that would end
    /// past the deadline before one of theirs has been timed.
    func improveByMoves(_ start: LinkPoolAllocation, solver: any Solver, deadline: ContinuousClock.Instant?,
                        expectedSolve: Duration = .zero, kicks kicking: Bool = false) throws -> LinkPoolAllocation {
        guard let deadline else { return start }
        var best = start
        var rounds = 0
        while ContinuousClock().now < deadline && rounds < 4 * n {
            rounds += 1
            let load = circuitLoads(best)
            // Removal candidates: pairs with circuits, least utilised first.
            var removals: [(Double, Int)] = []
            var additions: [(Double, Int)] = []
            for k in 0..<(n * n) where best.counts[k] > 0 {
                removals.append((load[k] / (Double(best.counts[k]) * rate), k))
                additions.append((-load[k] / (Double(best.counts[k]) * rate), k))
            }
            removals.sort { $0 < $1 }
            additions.sort { $0 < $1 }
            var improved = false
            var tried = 0
            search: for (_, r) in removals.prefix(3) {
                for (_, k) in additions.prefix(4) where k != r {
                    var state = GreedyState(self, counts: best.counts)
                    guard state.canRemove(r) else { continue }
                    state.remove(r)
                    guard state.canAdd(k) else { continue }
                    state.add(k)
                    tried += 1
                    let a = try routedAllocation(state.counts, solver: solver)
                    if a.objective > best.objective * (1 + 1e-9) {
                        best = a
                        improved = true
                        break search
                    }
                    if ContinuousClock().now >= deadline { break search }
                }
            }
            if !improved || tried == 0 { break }
        }
        // Descents from here, each the move families in turn while a pass
        // raises λ and the split bound (which no plan passes) is not
        // reached: bottleneck paths first, then, in the time the first
        // leaves, hub and rewiring moves first. Neither order wins on every
        // seeded instance (docs/linkpool.md, "The split bound and the
        // greedy's bottleneck path moves").
        let ceiling = objective == .concurrent ? splitBound() : .infinity
        func descend(_ from: LinkPoolAllocation, pathsFirst: Bool, until end: ContinuousClock.Instant) throws -> LinkPoolAllocation {
            var best = from
            while ContinuousClock().now < end && best.objective < ceiling * (1 - 1e-9) {
                let before = best.objective
                if pathsFirst { best = try improveByPaths(best, solver: solver, deadline: end, expectedSolve: expectedSolve) }
                best = try improveByHubs(best, solver: solver, deadline: end, expectedSolve: expectedSolve)
                best = try improveByRewiring(best, solver: solver, deadline: end, expectedSolve: expectedSolve)
                if !pathsFirst { best = try improveByPaths(best, solver: solver, deadline: end, expectedSolve: expectedSolve) }
                if best.objective <= before * (1 + 1e-9) { break }
            }
            return best
        }
        let first = try descend(best, pathsFirst: true, until: deadline)
        guard first.objective < ceiling * (1 - 1e-9), ContinuousClock().now < deadline else { return first }
        let second = try descend(best, pathsFirst: false, until: deadline)
        var incumbent = second.objective > first.objective * (1 + 1e-9) ? second : first
        // Kicks, in the time the descents leave (an iterated local search):
        // one of the incumbent's path moves (none of which raises λ), or on
        // every other kick a random rewiring of two circuits (no change
        // budget), taken anyway (seeded, so plans are reproducible up to
        // the deadline), then a descent from it, alternating the order; a
        // better plan becomes the incumbent. At most 4·N kicks.
        guard kicking, objective == .concurrent, incumbent.objective > 0 else { return incumbent }
        var rng = SplitMix64(seed: 0x5EED_0000 &+ UInt64(n))
        var kicks = 0
        var lastSolve = expectedSolve
        var tried = Set<[Int]>()
        // The incumbent without idle circuits, and its path moves (both kept until it changes).
        var base = trimmedToLoad(incumbent)
        var moves = pathCandidates(base)
        while ContinuousClock().now + lastSolve < deadline && incumbent.objective < ceiling * (1 - 1e-9) && kicks < 4 * n {
            kicks += 1
            let counts: [Int]
            if !moves.isEmpty && kicks % 2 == 1 {
                counts = moves[Int.random(in: 0..<moves.count, using: &rng)]
            } else if let rewired = randomRewiring(base.counts, using: &rng) {
                counts = rewired
            } else if !moves.isEmpty {
                counts = moves[Int.random(in: 0..<moves.count, using: &rng)]
            } else {
                break
            }
            guard tried.insert(counts).inserted else { continue }
            // A kick is optional: a routing the solver does not finish is skipped, not fatal.
            let t0 = ContinuousClock.now
            guard let kicked = try? routedAllocation(counts, solver: solver, timeLimit: (deadline - t0).seconds) else { continue }
            lastSolve = ContinuousClock.now - t0
            guard kicked.objective > 0 else { continue }
            let landed = try descend(kicked, pathsFirst: kicks % 2 == 0, until: deadline)
            transitTrace("kick \(kicks): λ \(kicked.objective) -> \(landed.objective), incumbent \(incumbent.objective)")
            if landed.objective > incumbent.objective * (1 + 1e-9) {
                incumbent = landed
                base = trimmedToLoad(incumbent)
                moves = pathCandidates(base)
            }
        }
        return incumbent
    }

    /// Two random circuits `a→b`, `c→d` of `counts` joined `a→d`, `c→b`
    /// instead (every node keeps its transmitter and receiver counts, so
    /// the port limits hold); nil with a change budget, with fewer than
    /// two circuits, or when eight draws give no four distinct ends.
    func randomRewiring(_ counts: [Int], using rng: inout SplitMix64) -> [Int]? {
        guard maxChanges == nil else { return nil }
        let built = (0..<(n * n)).filter { counts[$0] > 0 }
        guard built.count >= 2 else { return nil }
        for _ in 0..<8 {
            let r1 = built[Int.random(in: 0..<built.count, using: &rng)], r2 = built[Int.random(in: 0..<built.count, using: &rng)]
            guard let (k1, k2) = rewiredPairs(r1, r2) else { continue }
            var rewired = counts
            rewired[r1] -= 1
            rewired[r2] -= 1
            rewired[k1] += 1
            rewired[k2] += 1
            return rewired
        }
        return nil
    }

    /// The pairs a rewiring of circuits `a→b` (pair `r1`) and `c→d` (`r2`)
    /// builds instead, `a→d` and `c→b`, or nil unless the four ends make
    /// two new pairs (a ≠ c, b ≠ d, a ≠ d, c ≠ b).
    @inline(__always) func rewiredPairs(_ r1: Int, _ r2: Int) -> (Int, Int)? {
        let a = r1 / n, b = r1 % n, c = r2 / n, d = r2 % n
        guard a != c, b != d, a != d, c != b else { return nil }
        return (a * n + d, c * n + b)
    }

    /// Hub moves, for nodes whose pooled ports are all in use: take the two
    /// least loaded circuits out of such a node `s`, `s→t₁` and `s→t₂`, and
    /// send both pairs through a hub `k` with free ports instead (`s→k`,
    /// `k→t₁`, `k→t₂`: the ports freed at `t₁` and `t₂` are reused, `s`
    /// keeps one port free), then use that port for the circuit out of `s`
    /// whose load per circuit is highest; the same for the circuits into a
    /// full node. Light pairs of a port-bound node then share one fuller
    /// circuit and cross the hub, the structure exact plans show on skewed
    /// demand (most demand pairs without a circuit of their own, circuits on
    /// pairs without demand that only carry transit). Each move is routed by
    /// the routing LP; the first that raises λ is kept; stop at the deadline
    /// or when none of the few tried helps.
    /// Returns `start` itself when no move helps (so the caller's routing of
    /// it stays valid, idle circuits included; they are trimmed at the end).
    /// - Complexity: per round O(N²·log N) to build the moves, then as many
    ///   routing LPs as the deadline allows until one raises λ.
    func improveByHubs(_ start: LinkPoolAllocation, solver: any Solver, deadline: ContinuousClock.Instant,
                       expectedSolve: Duration = .zero) throws -> LinkPoolAllocation {
        guard objective == .concurrent else { return start }
        // Idle circuits (the fill's, unused by the routing) give their ports back first: the same λ.
        var best = trimmedToLoad(start)
        var rounds = 0
        var lastSolve = expectedSolve
        while ContinuousClock().now < deadline && rounds < 4 * n {
            rounds += 1
            let load = circuitLoads(best)
            let state0 = GreedyState(self, counts: best.counts)
            func perCircuit(_ k: Int) -> Double { load[k] / (Double(best.counts[k]) * rate) }
            // Hubs: most free ports first.
            let hubs = (0..<n).filter { state0.free($0) >= 3 }.sorted { state0.free($0) > state0.free($1) }.prefix(4)
            guard !hubs.isEmpty else { transitTrace("hubs: none with 3 free ports"); break }
            var candidates: [[Int]] = []
            // Full nodes, the one with the fullest circuit first (at most 64 moves
            // a round: N = 64 skewed builds 300 and routes them all when none helps).
            var fullest = [Double](repeating: 0, count: n)
            for k in 0..<(n * n) where best.counts[k] > 0 {
                fullest[k / n] = max(fullest[k / n], perCircuit(k))
                fullest[k % n] = max(fullest[k % n], perCircuit(k))
            }
            for v in (0..<n).filter({ state0.free($0) == 0 }).sorted(by: { fullest[$0] > fullest[$1] }) where candidates.count < 64 {
                for outward in [true, false] {
                    let ks = (0..<n).map { outward ? v * n + $0 : $0 * n + v }.filter { best.counts[$0] > 0 }.sorted { perCircuit($0) < perCircuit($1) }
                    guard ks.count >= 3 else { continue }
                    let (k1, k2) = (ks[0], ks[1])
                    let busiest = ks.last!
                    for h in hubs {
                        let e1 = outward ? k1 % n : k1 / n, e2 = outward ? k2 % n : k2 / n
                        guard h != v, h != e1, h != e2 else { continue }
                        var state = state0
                        guard state.canRemove(k1) else { continue }
                        state.remove(k1)
                        guard state.canRemove(k2) else { continue }
                        state.remove(k2)
                        let adds = outward ? [v * n + h, h * n + e1, h * n + e2] : [h * n + v, e1 * n + h, e2 * n + h]
                        var fits = true
                        for a in adds { if state.canAdd(a) { state.add(a) } else { fits = false; break } }
                        guard fits else { continue }
                        if state.canAdd(busiest) { state.add(busiest) }
                        candidates.append(state.counts)
                    }
                }
                // The other way round: the node's light pairs in one direction have no circuit
                // (the packet fabric carries them) while its ports go the other way. Give up its
                // least loaded circuit of that other direction for one circuit to or from a hub,
                // and join the heaviest of those pairs' other ends to the hub.
                for inward in [true, false] {
                    let other = (0..<n).map { inward ? v * n + $0 : $0 * n + v }.filter { best.counts[$0] > 0 }
                        .sorted { perCircuit($0) < perCircuit($1) }
                    guard let lightest = other.first else { continue }
                    let bare = (0..<n).map { inward ? $0 * n + v : v * n + $0 }
                        .filter { demand[$0] > 0 && best.counts[$0] == 0 }.sorted { demand[$0] > demand[$1] }
                    guard !bare.isEmpty else { continue }
                    /// Joins up to four of the bare pairs' far ends to hub `h` (a leg each where
                    /// none is and ports allow); how many were joined.
                    func joinToHub(_ state: inout GreedyState, _ h: Int) -> Int {
                        var joined = 0
                        for pair in bare where joined < 4 {
                            let far = inward ? pair / n : pair % n
                            guard far != h else { continue }
                            let leg = inward ? far * n + h : h * n + far
                            if state.counts[leg] == 0 && state.canAdd(leg) { state.add(leg); joined += 1 }
                        }
                        return joined
                    }
                    for h in hubs where h != v && h != (inward ? lightest % n : lightest / n) {
                        var state = state0
                        guard state.canRemove(lightest) else { continue }
                        state.remove(lightest)
                        let hubCircuit = inward ? h * n + v : v * n + h
                        guard state.canAdd(hubCircuit) else { continue }
                        state.add(hubCircuit)
                        if joinToHub(&state, h) > 0 { candidates.append(state.counts) }
                    }
                    // A circuit between the node and a hub already there with room: join more of the
                    // bare pairs' other ends to that hub, nothing given up.
                    let spokes = (0..<n).map { inward ? $0 * n + v : v * n + $0 }.filter { best.counts[$0] > 0 && perCircuit($0) < 1 - 1e-6 }
                    for spoke in spokes.prefix(3) {
                        let h = inward ? spoke / n : spoke % n
                        var state = state0
                        if joinToHub(&state, h) > 0 { candidates.append(state.counts) }
                    }
                }
            }
            transitTrace("hubs: round \(rounds), \(hubs.count) hubs, \((0..<n).filter { state0.free($0) == 0 }.count) full nodes, \(candidates.count) moves, λ \(best.objective)")
            guard let better = try firstImprovement(Array(candidates.prefix(64)), over: best, solver: solver, deadline: deadline,
                                                    lastSolve: &lastSolve) else { break }
            best = better
        }
        return best.objective > start.objective * (1 + 1e-9) ? best : start
    }

    /// The first of `candidates` (circuit counts) whose routing LP raises λ
    /// above `best`'s, or nil. No LP is started when the last one's time
    /// (`lastSolve`, updated) says it would not end before the deadline.
    func firstImprovement(_ candidates: [[Int]], over best: LinkPoolAllocation, solver: any Solver,
                          deadline: ContinuousClock.Instant, lastSolve: inout Duration) throws -> LinkPoolAllocation? {
        for c in candidates {
            if ContinuousClock().now + lastSolve >= deadline { return nil }
            let t0 = ContinuousClock.now
            let a = try routedAllocation(c, solver: solver)
            lastSolve = ContinuousClock.now - t0
            if a.objective > best.objective * (1 + 1e-9) { return a }
        }
        return nil
    }

    /// Rewiring moves, after the single-circuit moves: take two lightly
    /// used circuits `a→b` and `c→d` (the least loaded per circuit, idle
    /// filled ones first) and join `a→d` and `c→b` instead, so every node
    /// keeps its transmitter and receiver counts and no port has to be free.
    /// Moves are ranked by the demand of the two new pairs; each tried is
    /// routed by the routing LP and the first that raises λ is kept; stop
    /// at the deadline or when none of the few tried helps. (On a full
    /// fabric the single-circuit moves find no room: a removal frees ports
    /// only at its own ends.)
    /// - Complexity: per round O(L² log L) to rank `L = 12` circuits' moves,
    ///   then at most 24 routing LPs (fewer when the deadline comes first).
    func improveByRewiring(_ start: LinkPoolAllocation, solver: any Solver, deadline: ContinuousClock.Instant,
                           expectedSolve: Duration = .zero) throws -> LinkPoolAllocation {
        guard objective == .concurrent else { return start }
        var best = start
        var rounds = 0
        var lastSolve = expectedSolve
        while ContinuousClock().now < deadline && rounds < 4 * n {
            rounds += 1
            let load = circuitLoads(best)
            var light: [(Double, Int)] = []
            for k in 0..<(n * n) where best.counts[k] > 0 { light.append((load[k] / (Double(best.counts[k]) * rate), k)) }
            light.sort { $0 < $1 }
            let pool = light.prefix(12).map(\.1)
            var moves: [(score: Double, out1: Int, out2: Int, in1: Int, in2: Int)] = []
            for r1 in pool {
                for r2 in pool where r2 > r1 {
                    guard let (k1, k2) = rewiredPairs(r1, r2) else { continue }
                    let score = demand[k1] + demand[k2]
                    if score > 0 { moves.append((score, r1, r2, k1, k2)) }
                }
            }
            moves.sort { $0.score > $1.score }
            var candidates: [[Int]] = []
            for m in moves where candidates.count < 24 {
                var state = GreedyState(self, counts: best.counts)
                guard state.canRemove(m.out1) else { continue }
                state.remove(m.out1)
                guard state.canRemove(m.out2) else { continue }
                state.remove(m.out2)
                guard state.canAdd(m.in1) else { continue }
                state.add(m.in1)
                guard state.canAdd(m.in2) else { continue }
                state.add(m.in2)
                candidates.append(state.counts)
            }
            guard let better = try firstImprovement(candidates, over: best, solver: solver, deadline: deadline,
                                                    lastSolve: &lastSolve) else { break }
            best = better
        }
        return best
    }
}

extension LinkPoolPlanner {
    /// The routing LP alone (`optoplan linkpool --route-only`): the
    /// instance's `current` circuits, fixed, routed for the best objective
    /// (max concurrent flow, or throughput) with transit when
    /// `fabric.maxHops` is 2 and one-hop otherwise.
    ///
    /// - Throws: ``LinkPoolError/invalidInstance(_:)`` when the instance has
    ///   no `current` (or is malformed); ``PlanningError/noSolver`` for
    ///   transit without a solver.
    /// - Complexity: two LP solves (transit) or the electrical sub-problem.
    public static func route(_ instance: LinkPoolInstance, options: PlanningOptions = PlanningOptions()) throws -> LinkPoolPlan {
        let began = ContinuousClock().now
        guard instance.current != nil else {
            throw LinkPoolError.invalidInstance("current: the routing needs the circuits to route over, given as current")
        }
        let problem = try LinkPoolProblem(instance)
        var notes: [String] = []
        if let why = problem.violation(problem.current), problem.maxChanges == nil || !why.contains("budget") {
            notes.append("the current circuits break a port limit (\(why)): routed as given")
        }
        let a: LinkPoolAllocation
        if problem.transit {
            guard let solver = options.solver else { throw PlanningError.noSolver }
            a = try problem.routedAllocation(problem.current, solver: solver, tidy: true,
                                             timeLimit: options.timeLimit.isFinite && options.timeLimit > 0 ? options.timeLimit : 60)
        } else {
            a = problem.allocation(problem.current)
        }
        return problem.plan(a, method: "route", status: .optimal, bound: a.objective, gap: 0,
                            seconds: (ContinuousClock.now - began).seconds, notes: notes)
    }

    /// Why a link-pool plan's routing is inconsistent with its instance, or
    /// nil: every transit entry names a route over built circuits with
    /// `k ∉ {s, t}` and a positive rate; every pair's direct rate
    /// (`carried − electrical − Σ transit`) is non-negative and zero without
    /// a circuit; every circuit's direct plus transit load is at most
    /// `n·r_c`; packet rates fit `p`; carried rates are `λ·R` (concurrent)
    /// or at most `R` (throughput). Tolerance `tolerance` relative to `r_c`
    /// (and to `R` for carried rates).
    ///
    /// - Complexity: O(N² + circuits + transit).
    public static func routingViolation(_ plan: LinkPoolPlan, _ instance: LinkPoolInstance, tolerance: Double = 1e-7) -> String? {
        guard let p = try? LinkPoolProblem(instance) else { return "the instance is malformed" }
        let n = p.n, rc = p.rate, tol = tolerance * rc
        guard plan.carried.count == n, plan.electrical.count == n else { return "carried/electrical are not \(n)×\(n)" }
        var counts = [Int](repeating: 0, count: n * n)
        for c in plan.circuits {
            guard c.from >= 0, c.from < n, c.to >= 0, c.to < n, c.from != c.to else { return "circuit \(c) is not a pair of distinct nodes" }
            counts[c.from * n + c.to] += 1
        }
        var transitOf = [Double](repeating: 0, count: n * n)
        var load = [Double](repeating: 0, count: n * n)
        for (idx, r) in (plan.transit ?? []).enumerated() {
            guard [r.source, r.via, r.target].allSatisfy({ $0 >= 0 && $0 < n }) else { return "transit[\(idx)] names a node out of range" }
            guard r.via != r.source, r.via != r.target, r.source != r.target else { return "transit[\(idx)] does not pass through a third node" }
            guard r.amount > 0 else { return "transit[\(idx)] has rate \(r.amount)" }
            guard counts[r.source * n + r.via] > 0, counts[r.via * n + r.target] > 0 else { return "transit[\(idx)] uses a missing circuit" }
            transitOf[r.source * n + r.target] += r.amount
            load[r.source * n + r.via] += r.amount
            load[r.via * n + r.target] += r.amount
        }
        var send = [Double](repeating: 0, count: n), recv = send
        let lambda = plan.metrics.lambda ?? 0
        for s in 0..<n {
            for t in 0..<n {
                let k = s * n + t
                let a = plan.carried[s][t], e = plan.electrical[s][t]
                guard e >= -tol, a >= -tol else { return "negative rate on \(s)->\(t)" }
                send[s] += e
                recv[t] += e
                let d = a - e - transitOf[k]
                guard d >= -tol else { return "pair \(s)->\(t) carries \(a) but its packet and transit rates sum to \(e + transitOf[k])" }
                if counts[k] == 0 && d > tol { return "pair \(s)->\(t) sends \(d) directly without a circuit" }
                load[k] += max(0, d)
                let r = p.demand[k]
                switch p.objective {
                case .concurrent:
                    if abs(a - lambda * r) > tolerance * max(r * max(lambda, 1), rc) { return "pair \(s)->\(t) carries \(a), not λ·R = \(lambda * r)" }
                case .throughput:
                    if a > r + tolerance * max(r, rc) { return "pair \(s)->\(t) carries \(a) above its demand \(r)" }
                }
            }
        }
        for k in 0..<(n * n) where load[k] > Double(counts[k]) * rc + tol {
            return "circuits \(k / n)->\(k % n) carry \(load[k]), capacity \(Double(counts[k]) * rc)"
        }
        for i in 0..<n where send[i] > p.packet[i] + tol || recv[i] > p.packet[i] + tol {
            return "node \(i) uses more packet rate than \(p.packet[i])"
        }
        return nil
    }
}
