import OptoCore
import OptoModel

/// Epochs mode with transit (`maxHops: 2`, PROBLEMS.md §1b "With transit").
///
/// - `ilp`: the model of `SchedulePlanner+TransitILP.swift`, warm-started
///   from the better of the transit heuristic and the 1-hop epochs
///   optimum routed with transit (``exactTransitPlan(_:durations:demands:heuristic:options:method:)``).
/// - `greedy`: the transit heuristic (``ScheduleTransit/greedy(_:durations:demands:solver:)``);
///   when the 1-hop `greedy` plan serves more (the heuristic routes each
///   epoch for itself, which can serve less later), that plan is returned.
/// - `static`, `rotor`: their 1-hop circuits, routed by the per-epoch
///   routing LP (``ScheduleTransit``).
/// - `auto`: `greedy` as above, then the transit model within the time
///   limit when its size estimate passes ``AutoSizeRule``:
///   `E·(6·|circuit pairs| + 7·|demand pairs| + 3·|demand pairs|·(N − 2))`
///   nonzeros (per epoch and circuit pair: ports, capacity and new-circuit
///   rows; per demand pair: direct, packet and backlog terms; per
///   two-circuit path: two capacity rows and the backlog row). The exact
///   plan is returned when it serves at least as much as the heuristic.
///
/// The routing LPs need ``PlanningOptions/solver``; without one the
/// heuristics return their 1-hop plan (a valid plan with transit allowed)
/// with a note, and `ilp` throws ``PlanningError/noSolver``.
extension SchedulePlanner {
    static func planEpochsTransit(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], method: ScheduleMethod,
                                  options: PlanningOptions) throws -> SchedulePlan {
        switch method {
        case .ilp:
            guard options.solver != nil else { throw PlanningError.noSolver }
            let heuristic = try transitHeuristic(f, durations: durations, demands: demands, solver: options.solver!)
            return try exactTransitPlan(f, durations: durations, demands: demands, heuristic: heuristic, options: options, method: "ilp")
        case .auto:
            return autoEpochsTransit(f, durations: durations, demands: demands, options: options)
        case .greedy:
            guard let solver = options.solver else { return oneHopFallback(f, durations: durations, demands: demands, method: .greedy) }
            return try transitHeuristic(f, durations: durations, demands: demands, solver: solver).plan
        case .static, .rotor:
            guard let solver = options.solver else { return oneHopFallback(f, durations: durations, demands: demands, method: method) }
            let counts = method == .static ? ScheduleHeuristics.epochsStatic(f, durations: durations, demands: demands)
                                           : ScheduleHeuristics.epochsRotor(f, durations: durations)
            let flows = try ScheduleTransit.route(f, durations: durations, demands: demands, counts: counts, solver: solver)
            return routedPlan(f, durations: durations, demands: demands, counts: counts, perEpoch: flows,
                              method: method.rawValue, solver: solver).plan
        case .bvn, .solstice, .bottleneck, .eclipse:
            throw PlanningError.methodNotApplicable(method: method.rawValue,
                reason: "it schedules one matrix (window mode); epochs mode takes greedy, static, rotor or ilp")
        }
    }

    /// A heuristic's 1-hop plan when no solver is given to route transit.
    static func oneHopFallback(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], method: ScheduleMethod) -> SchedulePlan {
        let counts: [[Int]]
        switch method {
        case .static: counts = ScheduleHeuristics.epochsStatic(f, durations: durations, demands: demands)
        case .rotor: counts = ScheduleHeuristics.epochsRotor(f, durations: durations)
        default: counts = ScheduleHeuristics.epochsGreedy(f, durations: durations, demands: demands)
        }
        var p = epochsPlan(f, durations: durations, demands: demands, counts: counts, method: method.rawValue,
                           status: .heuristic, bound: nil, gap: nil)
        p.notes = ["no solver given for the routing LP: the plan routes over one circuit only"]
        return p
    }

    /// The transit heuristic's circuits, routing and plan, or the 1-hop
    /// `greedy` plan when that serves more.
    struct TransitHeuristic {
        var counts: [[Int]]
        var flows: [TransitEpochFlows]?
        var plan: SchedulePlan
    }

    /// A heuristic's circuits as a plan with their best routing known:
    /// `perEpoch` (routed epoch by epoch, which is myopic: it fills an
    /// epoch's circuits with the bytes at hand even where a later epoch has
    /// room for them), or, where the transit model's size estimate is within
    /// ``seriesRoutingSeconds`` of the size rule's rate, the routing over the
    /// whole series (``ScheduleExact/routeSeries(_:durations:demands:counts:solver:timeLimit:)``)
    /// when it serves more, so the plan claims the most its circuits serve.
    static func routedPlan(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], counts: [[Int]],
                           perEpoch: [TransitEpochFlows], method: String, solver: any Solver)
        -> (flows: [TransitEpochFlows], plan: SchedulePlan) {
        let plan = ScheduleTransit.plan(f, durations: durations, demands: demands, counts: counts, flows: perEpoch,
                                        method: method, status: .heuristic, bound: nil, gap: nil)
        let nonzeros = transitNonzeroEstimate(f, durations: durations, demands: demands)
        guard Double(nonzeros) <= AutoSizeRule.nonzerosPerSecond * seriesRoutingSeconds,
              let series = try? ScheduleExact.routeSeries(f, durations: durations, demands: demands, counts: counts,
                                                          solver: solver, timeLimit: seriesRoutingSeconds) else {
            return (perEpoch, plan)
        }
        let better = ScheduleTransit.plan(f, durations: durations, demands: demands, counts: counts, flows: series,
                                          method: method, status: .heuristic, bound: nil, gap: nil)
        return better.metrics.objective > plan.metrics.objective ? (series, better) : (perEpoch, plan)
    }

    /// The time a transit heuristic gives the routing of its circuits over
    /// the whole series (``ScheduleExact/routeSeries(_:durations:demands:counts:solver:timeLimit:)``),
    /// and, through the size rule's rate, the largest model it tries it on.
    static let seriesRoutingSeconds = 10.0

    static func transitHeuristic(_ f: ScheduleFabric, durations: [Double], demands: [[Double]],
                                 solver: any Solver) throws -> TransitHeuristic {
        var r = try ScheduleTransit.greedy(f, durations: durations, demands: demands, solver: solver)
        let plan: SchedulePlan
        (r.flows, plan) = routedPlan(f, durations: durations, demands: demands, counts: r.counts, perEpoch: r.flows,
                                     method: "greedy", solver: solver)
        let oneHop = ScheduleHeuristics.epochsGreedy(f, durations: durations, demands: demands)
        var flat = epochsPlan(f, durations: durations, demands: demands, counts: oneHop, method: "greedy",
                              status: .heuristic, bound: nil, gap: nil)
        if flat.metrics.objective > plan.metrics.objective * (1 + 1e-12) {
            flat.notes = ["the 1-hop greedy plan serves more than the transit heuristic's: it is returned"]
            return TransitHeuristic(counts: oneHop, flows: nil, plan: flat)
        }
        return TransitHeuristic(counts: r.counts, flows: r.flows, plan: plan)
    }

    /// The transit model, warm-started from the better of the transit
    /// heuristic's plan and the 1-hop epochs optimum (solved within a fifth
    /// of the time limit, its circuits routed with transit), so the plan
    /// never serves less than the 1-hop exact plan found in that time; the
    /// model gets the rest of the time. If the model's incumbent serves less
    /// than its start (a start the solver did not take), the start is
    /// returned with the model's bound.
    static func exactTransitPlan(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], heuristic: TransitHeuristic,
                                 options: PlanningOptions, method: String) throws -> SchedulePlan {
        let solver = options.solver!
        let began = ContinuousClock.now
        var counts = heuristic.counts
        var flows = try heuristic.flows
            ?? ScheduleTransit.route(f, durations: durations, demands: demands, counts: heuristic.counts, solver: solver)
        var served = heuristic.plan.metrics.objective
        var notes: [String] = []
        var oneHopOptions = options
        oneHopOptions.timeLimit = options.timeLimit / 5
        if let oneHop = try? ScheduleExact.planEpochs(f, durations: durations, demands: demands, options: oneHopOptions),
           let perEpoch = try? ScheduleTransit.route(f, durations: durations, demands: demands, counts: oneHop.counts, solver: solver) {
            let routed = routedPlan(f, durations: durations, demands: demands, counts: oneHop.counts, perEpoch: perEpoch,
                                    method: method, solver: solver)
            if routed.plan.metrics.objective > served * (1 + 1e-12) {
                notes.append("warm start: the 1-hop epochs plan (\(oneHop.status.rawValue)) routed with transit, which serves more than the transit heuristic's")
                (counts, flows, served) = (oneHop.counts, routed.flows, routed.plan.metrics.objective)
            }
        }
        var rest = options
        rest.timeLimit = max(1, options.timeLimit - (ContinuousClock.now - began).seconds)
        let r = try ScheduleExact.planEpochsTransit(f, durations: durations, demands: demands, options: rest,
                                                    start: (counts, flows))
        var plan = ScheduleTransit.plan(f, durations: durations, demands: demands, counts: r.counts, flows: r.flows,
                                        method: method, status: r.status, bound: r.bound, gap: r.gap)
        notes += r.notes
        if let status = ScheduleExact.startStatus(modelServed: plan.metrics.objective, startServed: served, bound: r.bound) {
            plan = ScheduleTransit.plan(f, durations: durations, demands: demands, counts: counts, flows: flows,
                                        method: method, status: status, bound: r.bound, gap: nil)
            notes.append("the model's incumbent served less than its start: the start is returned")
        }
        if let b = r.bound { plan.metrics.gap = SolveResult.gap(objective: plan.metrics.objective, bound: b) }
        plan.notes = notes.isEmpty ? nil : notes
        return plan
    }

    /// `auto` with transit (the extension's documentation).
    static func autoEpochsTransit(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], options: PlanningOptions) -> SchedulePlan {
        let clock = ContinuousClock.now
        guard let solver = options.solver else {
            var p = oneHopFallback(f, durations: durations, demands: demands, method: .greedy)
            p.method = "auto:greedy"
            return p
        }
        let heuristic: TransitHeuristic
        do {
            heuristic = try transitHeuristic(f, durations: durations, demands: demands, solver: solver)
        } catch {
            var p = oneHopFallback(f, durations: durations, demands: demands, method: .greedy)
            p.method = "auto:greedy"
            p.notes = ["the routing LP failed (\(error)): the 1-hop greedy plan is returned"]
            return p
        }
        func fallback(_ why: String) -> SchedulePlan {
            var p = heuristic.plan
            p.method = "auto:greedy"
            let bound = cheapEpochsBound(f, durations: durations, demands: demands)
            p.metrics.bound = bound
            p.metrics.gap = SolveResult.gap(objective: p.metrics.objective, bound: bound)
            p.notes = (p.notes ?? []) + [why]
            return p
        }
        let nonzeros = transitNonzeroEstimate(f, durations: durations, demands: demands)
        guard AutoSizeRule.allowsExact(nonzeros: nonzeros, timeLimit: options.timeLimit) else {
            return fallback(AutoSizeRule.skipNote(nonzeros: nonzeros, timeLimit: options.timeLimit))
        }
        let exactOptions = remaining(options, since: clock)
        do {
            let exact = try exactTransitPlan(f, durations: durations, demands: demands, heuristic: heuristic,
                                             options: exactOptions, method: "auto:ilp")
            let h = heuristic.plan.metrics.objective
            guard exact.metrics.objective >= h - 1e-9 * max(1, h) else {
                return fallback("the exact model's best plan is worse than the heuristic's: the heuristic plan is returned")
            }
            return exact
        } catch {
            return fallback("the exact model failed (\(error)): the heuristic plan is returned")
        }
    }

    /// The transit model's size estimate (the extension's documentation).
    static func transitNonzeroEstimate(_ f: ScheduleFabric, durations: [Double], demands: [[Double]]) -> Int {
        let n = f.n
        var circuitPairs = 0.0, demandPairs = 0.0
        for k in 0..<(n * n) where k / n != k % n {
            if f.pairCap(k / n, k % n) > 0 { circuitPairs += 1 }
            if demands.contains(where: { $0[k] > 0 }) { demandPairs += 1 }
        }
        let total = Double(durations.count) * (6 * circuitPairs + 7 * demandPairs + 3 * demandPairs * Double(max(0, n - 2)))
        return total >= Double(Int.max) ? Int.max : Int(total)
    }
}

// MARK: - One epoch at a time (the rolling-horizon replay)

extension SchedulePlanner {
    /// One epoch with transit for a loop that plans an epoch at a time
    /// (`optoplan replay` with `maxHops: 2`): the transit heuristic's
    /// second step fills the ports `counts` leaves free at both ends with
    /// circuits that open two-circuit paths for the bytes `available`
    /// (``ScheduleTransit/fillFreePorts(_:duration:counts:previous:available:)``,
    /// only when `fillFreePorts`), then the per-epoch routing LP routes
    /// `available` over them (``ScheduleTransit``). `available` is the
    /// backlog plus the epoch's demand (bytes per pair, row-major `N×N`)
    /// and holds what is left on return.
    ///
    /// The epoch lists its transit entries above `10⁻⁹` of the bytes
    /// available (smaller ones are dropped and not counted) and `served` for
    /// every pair with transit entries, the form the evaluator reads as
    /// shares of each pair's bytes (PROBLEMS.md, Evaluator: Transit).
    ///
    /// - Returns: the epoch, the bytes its routing serves and the new
    ///   circuits against `previous` (nil: none, no dark time).
    /// - Throws: ``ScheduleError`` for a fabric or counts that do not fit
    ///   (negative, on the diagonal or beyond a node's ports), what the
    ///   solver throws.
    /// - Complexity: one routing LP (see ``ScheduleTransit``), and the fill's
    ///   `O(added · N² · degree)`.
    public static func transitEpoch(fabric: Fabric, duration: Double, available: inout [Double], counts: [Int],
                                    previous: [Int]?, fillFreePorts: Bool, solver: any Solver) throws
        -> (epoch: SchedulePlan.EpochCircuits, served: Double, changed: Int) {
        let f = try ScheduleFabric(fabric)
        let n = f.n
        guard available.count == n * n, counts.count == n * n, previous.map({ $0.count == n * n }) ?? true else {
            throw ScheduleError.invalidPlan("bytes and circuit counts must have N×N entries")
        }
        guard duration.isFinite, duration > 0 else { throw ScheduleError.invalidInstance("the epoch's duration must be positive and finite") }
        guard isFeasible(f, counts: [counts] + (previous.map { [$0] } ?? [])) else {
            throw ScheduleError.invalidPlan("circuit counts must be non-negative, off the diagonal and within every node's ports")
        }
        for k in 0..<(n * n) where !(available[k].isFinite && available[k] >= 0) {
            throw ScheduleError.invalidInstance("pair \(k / n)→\(k % n) has \(available[k]) bytes available")
        }
        let chosen = fillFreePorts ? ScheduleTransit.fillFreePorts(f, duration: duration, counts: counts, previous: previous,
                                                                   available: available) : counts
        let tiny = max(1e-9 * available.reduce(0, +), 1e-6)
        var flows = try ScheduleTransit.routeEpoch(f, duration: duration, counts: chosen, previous: previous,
                                                   available: &available, solver: solver)
        // Dropped entries give their bytes back.
        for r in flows.transit where r.amount <= tiny { available[r.source * n + r.target] += r.amount }
        flows.transit = flows.transit.filter { $0.amount > tiny }
        let served = flows.served(nodes: n)
        let pairs = Set(flows.transit.map { $0.source * n + $0.target }).sorted()
        let epoch = SchedulePlan.EpochCircuits(circuits: [Circuit](counts: chosen, nodes: n),
                                               transit: flows.transit.isEmpty ? nil : flows.transit,
                                               served: pairs.isEmpty ? nil : pairs.map { PairBytes($0 / n, $0 % n, served[$0]) })
        var changed = 0
        if let previous { for k in 0..<(n * n) { changed += max(0, chosen[k] - previous[k]) } }
        return (epoch, flows.total, changed)
    }
}
