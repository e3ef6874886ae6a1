import OptoCore
import OptoModel

/// Scenario planning with transit (`maxHops: 2`; PROBLEMS.md §5 and §1b
/// "With transit"): one circuit plan for every scenario, each scenario
/// routing its own bytes over one or two circuits.
///
/// Exact form (`ilp`, and `auto` within its size rule): the epochs model
/// with transit (`SchedulePlanner+TransitILP.swift`) with the circuits
/// `x`, `a` shared and one copy per scenario `σ` of the direct, packet,
/// transit and backlog variables and of their rows:
///
///     x_eij ∈ {0..u_ij},  a_eij ≥ x_eij − x_(e−1)ij, a ≥ 0                    shared circuits, new ones
///     d_σeij + Σ_t g_σeijt + Σ_s g_σesij ≤ c·(L_e·x_eij − min(δ, L_e)·a_eij)   every circuit, per scenario
///     Σ_t q_σevt ≤ p_v/8·L_e,  Σ_s q_σesv ≤ p_v/8·L_e                          packet ports, per scenario
///     B_σest = B_σ(e−1)st + D_σest − d_σest − q_σest − Σ_k g_σeskt,  B ≥ 0     backlog, per scenario
///     Σ_j x_eij ≤ k_i,  Σ_i x_eij ≤ k_j                                       ports, per epoch
///     maximise (1/K)·Σ_σ Σ_e,st (d + q + Σ_k g)
///
/// The routing is recourse: it is chosen per scenario once the scenario's
/// bytes are known, as an operator re-routes far more often than it
/// re-plans circuits. With `K = 1` it is the transit model itself (tested:
/// the same optimum as `schedule --method ilp` with `maxHops: 2`). The
/// model has no start state; a problem with circuits in place or a
/// backlog carried in takes the heuristic.
///
/// Heuristic (`greedy`, and `auto` above the size rule): the 1-hop
/// sample-average selection picks the circuits (``scenarioHeuristic``);
/// each epoch's free ports are then filled with circuits that open
/// two-circuit paths for the mean scenario's bytes (the transit
/// heuristic's fill, on the mean scenario's backlog chain), and that plan
/// and the unfilled one are scored on every scenario by the per-epoch
/// routing LP (backlog carried); the better mean is kept, and the 1-hop
/// plan without transit when its own score is higher still. A feasible
/// point of the exact model, so never better than it (tested).
///
/// The plan's circuits are the chosen ones; its `transit` and `served`
/// entries are the routing of the **mean scenario** (the per-epoch routing
/// LP on the mean of the scenarios' matrices, backlog carried; with one
/// scenario and the exact model, the model's own routing), the form the
/// evaluator reads as shares of each pair's bytes. The metrics are the
/// mean over the scenarios of what each scenario's routing serves (the
/// exact model's objective where it proves more than the per-epoch
/// routing reaches), as for the 1-hop scenario plan.
extension SchedulePlanner {
    /// The circuits of a scenario plan with transit and what they serve.
    struct ScenarioTransitCandidate {
        var counts: [[Int]]
        /// Mean over the scenarios of the bytes served and left.
        var served: Double
        var backlog: Double
        /// Each scenario's per-epoch routing of `counts`.
        var perScenario: [[TransitEpochFlows]]
    }

    static func planScenariosTransit(_ f: ScheduleFabric, durations: [Double], demands: [[[Double]]], start: EpochsStart,
                                     warm: [[Int]]?, method: ScheduleMethod, options: PlanningOptions) throws -> SchedulePlan {
        let clock = ContinuousClock.now
        guard [.auto, .ilp, .greedy].contains(method) else {
            throw PlanningError.methodNotApplicable(method: method.rawValue, reason: "scenario planning takes auto, ilp or greedy")
        }
        guard let solver = options.solver else {
            if method == .ilp { throw PlanningError.noSolver }
            let counts = scenarioHeuristic(f, durations: durations, demands: demands, start: start, warm: warm)
            var plan = scenarioPlan(f, durations: durations, demands: demands, start: start, counts: counts,
                                    method: method == .auto ? "auto:greedy" : "greedy", status: .heuristic)
            plan.notes = ["no solver given for the routing LP: the plan routes over one circuit only"]
            return plan
        }
        let heuristic = try scenarioTransitHeuristic(f, durations: durations, demands: demands, start: start, warm: warm,
                                                     solver: solver)
        let plain = start.circuits == nil && start.backlog.allSatisfy { $0 == 0 }
        switch method {
        case .greedy:
            return try scenarioTransitPlan(f, durations: durations, demands: demands, start: start, heuristic,
                                           method: "greedy", status: .heuristic, solver: solver)
        case .ilp:
            guard plain else {
                throw PlanningError.methodNotApplicable(method: "ilp",
                    reason: "the scenario model with transit has no start state (circuits in place or a backlog); greedy takes one")
            }
            return try exactScenariosTransit(f, durations: durations, demands: demands, heuristic: heuristic,
                                             options: remaining(options, since: clock), method: "ilp")
        case .auto:
            // A bound without the model: the mean of each scenario's node-capacity bound (its backlog carried in added).
            var cheap = 0.0
            for scenario in demands {
                var series = scenario
                for k in series[0].indices { series[0][k] += start.backlog[k] }
                cheap += cheapEpochsBound(f, durations: durations, demands: series)
            }
            cheap /= Double(demands.count)
            var fallback = try scenarioTransitPlan(f, durations: durations, demands: demands, start: start, heuristic,
                                                   method: "auto:greedy", status: .heuristic, bound: cheap, solver: solver)
            func with(_ note: String) -> SchedulePlan {
                var p = fallback
                p.notes = (p.notes ?? []) + [note]
                return p
            }
            guard plain else { return with("the scenario model with transit has no start state: the heuristic plan is returned") }
            let nonzeros = scenarioTransitNonzeroEstimate(f, durations: durations, demands: demands)
            guard AutoSizeRule.allowsExact(nonzeros: nonzeros, timeLimit: options.timeLimit) else {
                return with(AutoSizeRule.skipNote(nonzeros: nonzeros, timeLimit: options.timeLimit))
            }
            do {
                let exact = try exactScenariosTransit(f, durations: durations, demands: demands, heuristic: heuristic,
                                                      options: remaining(options, since: clock), method: "auto:ilp")
                let h = fallback.metrics.objective
                guard exact.metrics.objective >= h - 1e-9 * max(1, h) else {
                    if let b = exact.metrics.bound, b < cheap {
                        fallback.metrics.bound = b
                        fallback.metrics.gap = SolveResult.gap(objective: h, bound: b)
                    }
                    return with("the exact model's best plan is worse than the heuristic one: the heuristic plan is returned")
                }
                return exact
            } catch {
                return with("the exact model failed (\(error)): the heuristic plan is returned")
            }
        default:
            preconditionFailure("methods checked above")
        }
    }

    /// The mean of the scenarios' matrices, per epoch.
    static func meanScenario(_ demands: [[[Double]]], epochs: Int, pairs: Int) -> [[Double]] {
        var mean = [[Double]](repeating: [Double](repeating: 0, count: pairs), count: epochs)
        for scenario in demands { for e in 0..<epochs { for k in 0..<pairs { mean[e][k] += scenario[e][k] } } }
        let scale = 1 / Double(demands.count)
        for e in 0..<epochs { for k in 0..<pairs { mean[e][k] *= scale } }
        return mean
    }

    /// Routes `counts` on every scenario with the per-epoch routing LP
    /// from `start` (backlog carried); the mean served and left.
    /// - Complexity: `K·E` routing LPs.
    static func scoreScenariosTransit(_ f: ScheduleFabric, durations: [Double], demands: [[[Double]]], start: EpochsStart,
                                      counts: [[Int]], solver: any Solver) throws -> ScenarioTransitCandidate {
        var served = 0.0, backlog = 0.0
        var perScenario: [[TransitEpochFlows]] = []
        for scenario in demands {
            let routed = try ScheduleTransit.route(f, durations: durations, demands: scenario, counts: counts, solver: solver,
                                                   start: start)
            served += routed.flows.reduce(0) { $0 + $1.total }
            backlog += routed.left.reduce(0, +)
            perScenario.append(routed.flows)
        }
        let k = Double(demands.count)
        return ScenarioTransitCandidate(counts: counts, served: served / k, backlog: backlog / k, perScenario: perScenario)
    }

    /// The heuristic (the extension's documentation).
    static func scenarioTransitHeuristic(_ f: ScheduleFabric, durations: [Double], demands: [[[Double]]], start: EpochsStart,
                                         warm: [[Int]]?, solver: any Solver) throws -> ScenarioTransitCandidate {
        let oneHop = scenarioHeuristic(f, durations: durations, demands: demands, start: start, warm: warm)
        let mean = meanScenario(demands, epochs: durations.count, pairs: f.n * f.n)
        var avail = start.backlog
        var previous = start.circuits
        var filled: [[Int]] = []
        for e in durations.indices {
            for k in avail.indices { avail[k] += mean[e][k] }
            let c = ScheduleTransit.fillFreePorts(f, duration: durations[e], counts: oneHop[e], previous: previous, available: avail)
            _ = try ScheduleTransit.routeEpoch(f, duration: durations[e], counts: c, previous: previous, available: &avail, solver: solver)
            filled.append(c)
            previous = c
        }
        var best = try scoreScenariosTransit(f, durations: durations, demands: demands, start: start, counts: oneHop, solver: solver)
        if filled != oneHop {
            let other = try scoreScenariosTransit(f, durations: durations, demands: demands, start: start, counts: filled, solver: solver)
            if other.served > best.served * (1 + 1e-12) { best = other }
        }
        return best
    }

    /// A plan of `candidate`'s circuits, routed on the mean scenario, with
    /// the candidate's mean metrics (or the model's `objective` where it is
    /// more); the 1-hop scenario plan when that scores higher.
    static func scenarioTransitPlan(_ f: ScheduleFabric, durations: [Double], demands: [[[Double]]], start: EpochsStart,
                                    _ candidate: ScenarioTransitCandidate, method: String, status: PlanStatus,
                                    bound: Double? = nil, objective: Double? = nil, modelFlows: [TransitEpochFlows]? = nil,
                                    solver: any Solver) throws -> SchedulePlan {
        let n = f.n
        let oneHop = scoreScenarios(f, durations: durations, demands: demands, start: start, counts: candidate.counts)
        let claimed = max(candidate.served, objective ?? 0)
        if oneHop.served > claimed * (1 + 1e-12) {
            var p = scenarioPlan(f, durations: durations, demands: demands, start: start, counts: candidate.counts,
                                 method: method, status: status, bound: bound, objective: objective)
            p.notes = ["the circuits serve more in the 1-hop scoring than routed with transit: the plan has no transit"]
            return p
        }
        let mean = meanScenario(demands, epochs: durations.count, pairs: n * n)
        let written = try modelFlows
            ?? ScheduleTransit.route(f, durations: durations, demands: mean, counts: candidate.counts, solver: solver, start: start).flows
        var plan = ScheduleTransit.plan(f, durations: durations, demands: mean, counts: candidate.counts, flows: written,
                                        method: method, status: status, bound: bound, gap: nil)
        let total = candidate.served + candidate.backlog
        plan.metrics.objective = claimed
        plan.metrics.servedBytes = claimed
        plan.metrics.backlogBytes = max(0, total - claimed)
        plan.metrics.circuitsChanged = oneHop.changed
        if let bound { plan.metrics.gap = SolveResult.gap(objective: claimed, bound: bound) }
        plan.notes = ["the transit entries route the mean scenario; the metrics are the mean over the scenarios, each routing its own bytes"]
        return plan
    }

    /// The exact model (the extension's documentation), warm-started from
    /// the heuristic's circuits and each scenario's routing of them.
    static func exactScenariosTransit(_ f: ScheduleFabric, durations: [Double], demands: [[[Double]]],
                                      heuristic: ScenarioTransitCandidate, options: PlanningOptions,
                                      method: String) throws -> SchedulePlan {
        guard let solver = options.solver else { throw PlanningError.noSolver }
        let n = f.n
        let start = EpochsStart(backlog: [Double](repeating: 0, count: n * n))
        let built = ScheduleExact.buildEpochsTransit(f, durations: durations, scenarios: demands)
        var warm: [VariableID: Double]? = [:]
        for (sigma, flows) in heuristic.perScenario.enumerated() {
            guard let w = ScheduleExact.transitWarmStart(built, f, demands: demands[sigma], counts: heuristic.counts,
                                                         flows: flows, copy: sigma) else { warm = nil; break }
            warm!.merge(w) { a, _ in a }
        }
        let result = try solver.solve(built.model, options: options.solverOptions(warmStart: warm))
        guard result.hasSolution else {
            throw PlanningError.solverFailed("no plan found (\(result.termination)) \(result.message)")
        }
        var counts = [[Int]](repeating: [Int](repeating: 0, count: n * n), count: durations.count)
        for e in durations.indices {
            for (ci, k) in built.circuitPairs.enumerated() { counts[e][k] = Int(result.value(built.x[e][ci]).rounded()) }
        }
        let optimal = result.termination == .optimal
        let objective = (result.objectiveValue ?? 0) * built.unit
        var bound = result.bestBound.map { $0 * built.unit }
        if optimal { bound = max(bound ?? objective, objective) }
        let scored = try scoreScenariosTransit(f, durations: durations, demands: demands, start: start, counts: counts, solver: solver)
        // With one scenario the model's own routing is written, where it serves at least
        // what the per-epoch routing of the same circuits does (an incumbent at the time
        // limit may not); otherwise the per-epoch routing of the mean, here that scenario.
        let modelFlows = demands.count == 1 && objective >= scored.served * (1 - 1e-9)
            ? ScheduleTransit.clamped(f, durations: durations, demands: demands[0], counts: counts,
                                      flows: ScheduleExact.transitFlows(built, result, nodes: n, epochs: durations.count))
            : nil
        var plan = try scenarioTransitPlan(f, durations: durations, demands: demands, start: start, scored, method: method,
                                           status: optimal ? .optimal : .feasible, bound: bound, objective: objective,
                                           modelFlows: modelFlows, solver: solver)
        var notes = plan.notes ?? []
        if let status = ScheduleExact.startStatus(modelServed: plan.metrics.objective, startServed: heuristic.served, bound: bound) {
            plan = try scenarioTransitPlan(f, durations: durations, demands: demands, start: start, heuristic, method: method,
                                           status: status, bound: bound, solver: solver)
            notes = (plan.notes ?? []) + ["the model's incumbent served less than its start: the start is returned"]
        }
        notes += ScheduleExact.warmNote(result.warmStart)
        if warm == nil { notes.append("warm start: the heuristic's routing did not fit the model") }
        plan.notes = notes
        return plan
    }

    /// The size estimate of the scenario model with transit: `K` times the
    /// transit model's on the pairs with demand in any scenario.
    static func scenarioTransitNonzeroEstimate(_ f: ScheduleFabric, durations: [Double], demands: [[[Double]]]) -> Int {
        let pairs = f.n * f.n
        var any = [[Double]](repeating: [Double](repeating: 0, count: pairs), count: durations.count)
        for scenario in demands { for e in durations.indices { for k in 0..<pairs where scenario[e][k] > 0 { any[e][k] = 1 } } }
        let one = Double(transitNonzeroEstimate(f, durations: durations, demands: any))
        let total = one * Double(demands.count)
        return total >= Double(Int.max) ? Int.max : Int(total)
    }
}
