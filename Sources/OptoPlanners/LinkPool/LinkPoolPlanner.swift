import OptoCore
import OptoModel

/// The asymmetric link-pool planner (PROBLEMS.md §2): how many unidirectional
/// circuits each ordered pair of nodes gets from pooled optical ports, and
/// how the electrical packet fabric fills in beside them.
///
/// Methods:
/// - `ilp`: exact, lexicographic — best objective, then the fewest circuits.
///   `throughput`: the λ-variable model (`LinkPoolPlanner+Formulation.swift`,
///   `models/linkpool.mod`) warm-started from `greedy`. `concurrent`: a
///   search on λ (`LinkPoolPlanner+Search.swift`) that keeps a proven
///   interval [λ_lo, λ_hi] and asks, at a fixed λ, whether integer circuits
///   exist whose residuals fit the packet fabric
///   (`LinkPoolPlanner+FixedLambda.swift`). With every pair's need
///   t_ij = λ·R_ij / r_c known, that model is, in r_c units,
///       L_ij ≤ n_ij ≤ min(U_ij, ⌈t_ij⌉),  0 ≤ e_ij ≤ min(p̂_i, p̂_j)
///       n_ij + e_ij ≥ t_ij,   e_ij + f_ij·n_ij ≥ f_ij·⌈t_ij⌉  (f = t − ⌊t⌋)
///       Σ_j e_ij ≤ p̂_i,  Σ_i e_ij ≤ p̂_j,  port / cap / budget rows,
///       Σ_j n_ij ≥ m⁺_i,  Σ_j n_ji ≥ m⁻_i       (circuit-count cuts)
///   with L_ij = ⌈t_ij − min(p̂_i, p̂_j)⌉⁺: the rounding row makes the
///   relaxation exact pair by pair. Tests at the interval's middle, then
///   at λ_lo·(1 + 1e-7) (infeasible there: optimal); the fewest circuits
///   are the same model at λ_lo minimising Σ n. Started from `greedy`.
/// - `greedy`: add the circuit that most raises the objective, then move
///   single circuits while that helps, then drop circuits that carry nothing
///   (see `LinkPoolPlanner+Greedy.swift`).
/// - `symmetric`: the exact model with `n[i][j] = n[j][i]`, the paired
///   full-duplex baseline.
/// - `auto`: `greedy`, then `ilp` warm-started from it within the time
///   limit (`auto:ilp`, whose status and gap are the exact search's); the
///   greedy plan (`auto:greedy`, status `heuristic`, with the best bound
///   known) when no solver is given, the solver fails or stops without an
///   incumbent, or the size rule of ``AutoSizeRule`` skips the exact model
///   (estimate: `14 ×` the pairs with demand or a current circuit; bound:
///   the split bound and, with one hop, the pair capacities; see `cheapBound()`).
///
/// With `maxHops: 2` (transit) every method may route a pair over two
/// circuits `s→k→t`: the same search on λ and stages over the transit model
/// (`LinkPoolPlanner+TransitModel.swift`), a transit greedy, and the routing
/// LP for a plan's figures and for ``route(_:options:)``
/// (`LinkPoolPlanner+Transit.swift`); see docs/linkpool.md, "Transit".
///
/// Every plan's figures (`electrical`, `carried`, `lambda`, `carried`
/// total, `utilisation`) are computed from its circuits with the exact
/// electrical sub-problem, so they are the best the circuits allow.
///
/// ```swift
/// let plan = try LinkPoolPlanner.plan(instance, method: .ilp,
///                                     options: PlanningOptions(solver: GLPKSolver()))
/// ```
public enum LinkPoolPlanner {
    /// Plans `instance` with `method`.
    ///
    /// - Throws: ``LinkPoolError`` for an instance that breaks §2's contract
    ///   (or a concurrent objective without demand) and for a greedy that
    ///   cannot repair the current allocation within `maxChanges`;
    ///   ``PlanningError/noSolver`` when an exact method has no solver;
    ///   ``PlanningError/solverFailed(_:)`` when the solver returns nothing usable.
    ///   An instance with no feasible allocation is not an error: the plan's
    ///   status is `infeasible`.
    /// - Complexity: `greedy` is polynomial (see its file); the exact methods
    ///   are bounded by `options.timeLimit`.
    public static func plan(_ instance: LinkPoolInstance, method: LinkPoolMethod,
                            options: PlanningOptions = PlanningOptions()) throws -> LinkPoolPlan {
        let clock = ContinuousClock()
        let began = clock.now
        func seconds() -> Double {
            began.duration(to: clock.now).seconds
        }
        let problem = try LinkPoolProblem(instance)
        let limit = options.timeLimit.isFinite && options.timeLimit > 0 ? options.timeLimit : 30

        switch method {
        case .greedy:
            if problem.transit {
                guard let solver = options.solver else {
                    let a = try problem.greedyAllocation(deadline: began + .seconds(limit))
                    return problem.plan(a, method: "greedy", status: .heuristic, seconds: seconds(),
                                        notes: [noRoutingSolver])
                }
                let a = try problem.greedyTransitAllocation(solver: solver, deadline: began + .seconds(transitGreedyBudget(limit)))
                return problem.plan(a, method: "greedy", status: .heuristic, seconds: seconds())
            }
            let a = try problem.greedyAllocation(deadline: began + .seconds(limit))
            return problem.plan(a, method: "greedy", status: .heuristic, seconds: seconds())

        case .ilp, .symmetric:
            guard let solver = options.solver else { throw PlanningError.noSolver }
            let symmetric = method == .symmetric
            var start: LinkPoolAllocation?
            if !symmetric {
                start = problem.transit
                    ? try? problem.greedyTransitAllocation(solver: solver, deadline: began + .seconds(transitGreedyBudget(limit * 0.1)))
                    : try? problem.greedyAllocation(deadline: began + .seconds(limit * 0.1))
            }
            let outcome = try problem.solveExact(symmetric: symmetric, settings: settings(options, solver: solver, limit: limit - seconds()),
                                                 start: start)
            return exactPlan(problem, outcome, method: method.rawValue, seconds: seconds())

        case .auto:
            let heuristic: LinkPoolAllocation
            do {
                if problem.transit, let solver = options.solver {
                    heuristic = try problem.greedyTransitAllocation(solver: solver, deadline: began + .seconds(transitGreedyBudget(limit * 0.1)))
                } else {
                    heuristic = try problem.greedyAllocation(deadline: began + .seconds(limit * 0.1))
                }
            } catch {
                guard let solver = options.solver else { throw error }
                let outcome = try problem.solveExact(symmetric: false, settings: settings(options, solver: solver, limit: limit - seconds()),
                                                     start: nil)
                return exactPlan(problem, outcome, method: "auto:ilp", seconds: seconds())
            }
            guard let solver = options.solver else {
                return problem.plan(heuristic, method: "auto:greedy", status: .heuristic, seconds: seconds(),
                                    notes: ["no solver was given: the greedy plan is returned"] + (problem.transit ? [noRoutingSolver] : []))
            }
            let nonzeros = problem.exactNonzeroEstimate
            guard AutoSizeRule.allowsExact(nonzeros: nonzeros, timeLimit: limit) else {
                let bound = max(problem.cheapBound(), heuristic.objective)
                return problem.plan(heuristic, method: "auto:greedy", status: .heuristic, bound: bound,
                                    gap: SolveResult.gap(objective: heuristic.objective, bound: bound), seconds: seconds(),
                                    notes: [AutoSizeRule.skipNote(nonzeros: nonzeros, timeLimit: limit)])
            }
            do {
                let outcome = try problem.solveExact(symmetric: false, settings: settings(options, solver: solver, limit: limit - seconds()),
                                                     start: heuristic)
                if outcome.solverAnswered, let a = outcome.allocation, a.objective >= heuristic.objective * (1 - 1e-9) {
                    return exactPlan(problem, outcome, method: "auto:ilp", seconds: seconds())
                }
                let bound = outcome.bound
                return problem.plan(heuristic, method: "auto:greedy", status: .heuristic, bound: bound,
                                    gap: bound.map { SolveResult.gap(objective: heuristic.objective, bound: $0) },
                                    seconds: seconds(), notes: outcome.notes + ["the exact model did not beat the greedy plan"])
            } catch {
                return problem.plan(heuristic, method: "auto:greedy", status: .heuristic, seconds: seconds(),
                                    notes: ["the exact model failed (\(error)): the greedy plan is returned"])
            }
        }
    }

    /// The note of a transit plan made without a solver.
    static let noRoutingSolver = "transit routing needs an LP solver and none was given: the plan is the one-hop greedy plan, with no transit"

    /// Seconds the transit greedy's single-circuit moves may take: at most
    /// 1 s (or `limit`, when smaller); each move costs a routing LP.
    static func transitGreedyBudget(_ limit: Double) -> Double { min(limit, 1) }

    static func settings(_ options: PlanningOptions, solver: any Solver, limit: Double) -> LinkPoolSolveSettings {
        LinkPoolSolveSettings(solver: solver, timeLimit: max(limit, 0.05), relativeGap: options.relativeGap,
                              verbose: options.verbose, progress: options.progress, shouldStop: options.shouldStop)
    }

    static func exactPlan(_ problem: LinkPoolProblem, _ outcome: LinkPoolExactOutcome, method: String, seconds: Double) -> LinkPoolPlan {
        guard let a = outcome.allocation else {
            return problem.infeasiblePlan(method: method, seconds: seconds, notes: outcome.notes)
        }
        let gap = outcome.bound.map { SolveResult.gap(objective: a.objective, bound: $0) }
        return problem.plan(a, method: method, status: outcome.status, bound: outcome.bound ?? a.objective,
                            gap: gap ?? 0, seconds: seconds, notes: outcome.notes)
    }
}
