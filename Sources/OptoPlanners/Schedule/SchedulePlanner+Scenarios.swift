import OptoCore
import OptoModel

/// Where an epochs-mode plan starts (PROBLEMS.md §5: a replay re-plans
/// from the circuits in place, with the backlog it has).
public struct EpochsStart: Sendable, Equatable {
    /// Circuit counts per pair (row-major `N×N`) in place before the first
    /// epoch: the first epoch's new circuits pay `δ`. `nil`: none, and the
    /// fabric enters the first epoch in the plan's first configuration
    /// (no dark time), as in §1b.
    public var circuits: [Int]?
    /// Bytes per pair (row-major `N×N`) carried in as backlog; empty: none.
    public var backlog: [Double]

    /// A start; the defaults are the plain §1b series.
    public init(circuits: [Int]? = nil, backlog: [Double] = []) {
        self.circuits = circuits
        self.backlog = backlog
    }
}

/// An epochs-mode problem whose demand is uncertain: `K` scenarios (each a
/// demand matrix per epoch) share one circuit plan (PROBLEMS.md §5,
/// `--scenarios K`). With one scenario it is the §1b problem, optionally
/// from a ``EpochsStart``.
public struct ScenarioEpochs: Sendable {
    /// The fabric and `δ`.
    public var fabric: Fabric
    /// `L_e`, seconds.
    public var durations: [Double]
    /// Scenario → epoch → demand (bytes); every scenario has one matrix per epoch.
    public var scenarios: [[Matrix]]
    /// The circuits in place and the backlog carried in (the same in every scenario).
    public var start: EpochsStart
    /// 1: every byte crosses at most one circuit; 2: also two circuits
    /// through a third node (PROBLEMS.md §1b "With transit"), routed per
    /// scenario (`SchedulePlanner+ScenarioTransit.swift`).
    public var maxHops: Int

    /// A problem; see the properties.
    public init(fabric: Fabric, durations: [Double], scenarios: [[Matrix]], start: EpochsStart = EpochsStart(),
                maxHops: Int = 1) {
        self.fabric = fabric
        self.durations = durations
        self.scenarios = scenarios
        self.start = start
        self.maxHops = maxHops
    }
}

/// Scenario planning (PROBLEMS.md §5): one circuit plan for every
/// scenario, maximising the mean bytes served over them.
///
/// Exact form (`ilp`, and `auto` within its size rule): the epochs model
/// of §1b (see `SchedulePlanner+ILP.swift`) with the circuit variables
/// shared and one copy of the flow and backlog variables per scenario
/// `σ = 1..K` (see `ScheduleScenarioModel.swift`):
///
///     x_ep ∈ {0..u_p},  a_ep ≥ x_ep − x_(e−1)p, a ≥ 0    shared circuits, new ones
///     s_σep ≤ c·(L_e·x_ep − min(δ, L_e)·a_ep)              circuit bytes, per scenario
///     Σ_j q_σeij ≤ p_i/8·L_e,  Σ_i q_σeij ≤ p_j/8·L_e      packet bytes, per scenario
///     B_σep = B_σ(e−1)p + D_σep − s_σep − q_σep,  B ≥ 0     backlog, per scenario
///     ports per epoch;  maximise (1/K)·Σ_σ Σ_e,p (s + q)
///
/// with `x_(−1)` the circuits in place (no `a_0` when there are none) and
/// `B_σ(−1)` the backlog carried in.
///
/// Heuristic (`greedy`, and `auto` when the exact model is too big for
/// the size rule or no solver is given): sample-average selection among
/// candidate plans: the epochs `greedy` plan of the mean scenario, of
/// each scenario (at most ``scenarioCandidateLimit``), and the caller's
/// warm start; each is scored on every scenario (``ScheduleScoring``:
/// circuits, then the best packet service, backlog carried) and the one
/// with the highest mean served bytes is kept. It is a feasible plan of
/// the exact model, so it never beats it.
///
/// `auto` runs the heuristic, then the exact model warm-started from the
/// heuristic's plan within the time limit, and keeps the better (as every
/// `auto`). Size estimate: `16·K·E·|pairs|` nonzeros (per scenario, epoch
/// and pair, as the §1b estimate).
///
/// With `maxHops: 2` the same problem routes over two circuits as well:
/// `SchedulePlanner+ScenarioTransit.swift`.
extension SchedulePlanner {
    /// Most scenarios whose own greedy plan the heuristic tries.
    public static let scenarioCandidateLimit = 8

    /// Plans `problem` with `auto`, `ilp` or `greedy` (the sample-average
    /// heuristic above). `warmStart`, one count vector per epoch (e.g. the
    /// previous replay step's plan shifted by one epoch), is one more
    /// candidate of the heuristic and so a warm start of the exact model.
    ///
    /// The plan's metrics are the mean over the scenarios of the served
    /// and backlog bytes; `circuitsChanged` counts the new circuits,
    /// those of the first epoch against the circuits in place included.
    ///
    /// - Throws: ``ScheduleError`` for a malformed problem,
    ///   ``PlanningError`` for a method that does not apply or, with
    ///   `ilp`, a solver failure.
    /// - Complexity: the heuristic: `K + 2` greedy plans and `(K + 2)·K`
    ///   scored series; the exact model: NP-hard, bounded by the time limit.
    public static func planScenarios(_ problem: ScenarioEpochs, method: ScheduleMethod = .auto, warmStart: [[Int]]? = nil,
                                     options: PlanningOptions = PlanningOptions()) throws -> SchedulePlan {
        let clock = ContinuousClock.now
        let (f, demands, start) = try validatedScenarios(problem)
        let durations = problem.durations
        var warm: [[Int]]? = nil
        if let w = warmStart, w.count == durations.count, w.allSatisfy({ $0.count == f.n * f.n }),
           isFeasible(f, counts: w) {
            warm = w
        }
        var plan: SchedulePlan
        guard problem.maxHops == 1 || problem.maxHops == 2 else {
            throw ScheduleError.invalidInstance("maxHops is \(problem.maxHops); it must be 1 or 2")
        }
        if problem.maxHops == 2 {
            plan = try planScenariosTransit(f, durations: durations, demands: demands, start: start, warm: warm, method: method,
                                            options: options)
            plan.metrics.solveSeconds = (ContinuousClock.now - clock).seconds
            return plan
        }
        switch method {
        case .greedy:
            let h = scenarioHeuristic(f, durations: durations, demands: demands, start: start, warm: warm)
            plan = scenarioPlan(f, durations: durations, demands: demands, start: start, counts: h, method: "greedy",
                                status: .heuristic)
        case .ilp:
            let h = scenarioHeuristic(f, durations: durations, demands: demands, start: start, warm: warm)
            let r = try ScheduleScenarioModel.solve(f, durations: durations, demands: demands, start: start, warm: h, options: options)
            plan = scenarioPlan(f, durations: durations, demands: demands, start: start, counts: r.counts, method: "ilp",
                                status: r.status, bound: r.bound, objective: r.objective)
            if !r.notes.isEmpty { plan.notes = r.notes }
        case .auto:
            plan = autoScenarios(f, durations: durations, demands: demands, start: start, warm: warm, options: options, clock: clock)
        default:
            throw PlanningError.methodNotApplicable(method: method.rawValue,
                reason: "scenario planning takes auto, ilp or greedy")
        }
        plan.metrics.solveSeconds = (ContinuousClock.now - clock).seconds
        return plan
    }

    /// What one epoch serves of `backlog` (bytes per pair, updated in
    /// place: the epoch's demand must already be added) with circuit
    /// counts `counts`, after `previous` (nil: no dark time), scored as
    /// every schedule plan is (circuits, then the best packet service).
    /// Returns the bytes served and the new circuits.
    /// - Complexity: one transportation max-flow on `N` nodes.
    public static func serveEpoch(fabric: Fabric, duration: Double, backlog: inout [Double], counts: [Int],
                                  previous: [Int]?) throws -> (served: Double, changed: Int) {
        let f = try ScheduleFabric(fabric)
        guard backlog.count == f.n * f.n, counts.count == f.n * f.n, previous.map({ $0.count == f.n * f.n }) ?? true else {
            throw ScheduleError.invalidPlan("backlog and circuit counts must have N×N entries")
        }
        let step = ScheduleScoring.epochStep(f, duration: duration, available: &backlog, counts: counts, previous: previous)
        return (step.served, step.changed)
    }

    /// Circuit counts per pair (row-major `N×N`) of one epoch's circuits.
    public static func counts(_ epoch: SchedulePlan.EpochCircuits, nodes n: Int) -> [Int] {
        var c = [Int](repeating: 0, count: n * n)
        for x in epoch.circuits where x.from >= 0 && x.from < n && x.to >= 0 && x.to < n { c[x.from * n + x.to] += 1 }
        return c
    }

    // MARK: - Internals

    static func validatedScenarios(_ p: ScenarioEpochs) throws -> (ScheduleFabric, [[[Double]]], EpochsStart) {
        let f = try ScheduleFabric(p.fabric)
        let n = f.n
        guard !p.durations.isEmpty else { throw ScheduleError.invalidInstance("scenario planning needs at least one epoch") }
        for (e, L) in p.durations.enumerated() where !(L.isFinite && L > 0) {
            throw ScheduleError.invalidInstance("epoch \(e) has duration \(L); it must be positive and finite")
        }
        guard !p.scenarios.isEmpty else { throw ScheduleError.invalidInstance("scenario planning needs at least one scenario") }
        var demands: [[[Double]]] = []
        for (s, scenario) in p.scenarios.enumerated() {
            guard scenario.count == p.durations.count else {
                throw ScheduleError.invalidInstance("scenario \(s) has \(scenario.count) epochs, the problem \(p.durations.count)")
            }
            demands.append(try scenario.enumerated().map {
                try validatedDemand($1, nodes: n, label: "scenario \(s) epoch \($0) demand").values
            })
        }
        var start = p.start
        if start.backlog.isEmpty { start.backlog = [Double](repeating: 0, count: n * n) }
        guard start.backlog.count == n * n, start.backlog.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw ScheduleError.invalidInstance("the backlog carried in must have N×N finite non-negative entries")
        }
        for k in 0..<n where start.backlog[k * n + k] != 0 { start.backlog[k * n + k] = 0 }
        if let c = start.circuits {
            guard c.count == n * n, c.allSatisfy({ $0 >= 0 }), isFeasible(f, counts: [c]) else {
                throw ScheduleError.invalidPlan("the circuits in place must be N×N counts within every node's ports")
            }
        }
        return (f, demands, start)
    }

    /// Whether every epoch's counts respect the ports (and no diagonal circuit).
    static func isFeasible(_ f: ScheduleFabric, counts: [[Int]]) -> Bool {
        let n = f.n
        for c in counts {
            var tx = [Int](repeating: 0, count: n), rx = tx
            for k in 0..<(n * n) {
                let v = c[k]
                if v < 0 || (v > 0 && k / n == k % n) { return false }
                tx[k / n] += v
                rx[k % n] += v
            }
            for i in 0..<n where tx[i] > f.ports[i] || rx[i] > f.ports[i] { return false }
        }
        return true
    }

    /// Mean served and backlog bytes of `counts` over the scenarios, and the new circuits.
    static func scoreScenarios(_ f: ScheduleFabric, durations: [Double], demands: [[[Double]]], start: EpochsStart,
                               counts: [[Int]]) -> (served: Double, backlog: Double, changed: Int) {
        let n = f.n
        var served = 0.0, backlog = 0.0, changed = 0
        for (s, scenario) in demands.enumerated() {
            var avail = start.backlog
            var previous = start.circuits
            for e in durations.indices {
                for k in 0..<(n * n) { avail[k] += scenario[e][k] }
                let step = ScheduleScoring.epochStep(f, duration: durations[e], available: &avail, counts: counts[e], previous: previous)
                served += step.served
                if s == 0 { changed += step.changed }
                previous = counts[e]
            }
            backlog += avail.reduce(0, +)
        }
        let k = Double(demands.count)
        return (served / k, backlog / k, changed)
    }

    /// The sample-average heuristic (see the extension's documentation).
    static func scenarioHeuristic(_ f: ScheduleFabric, durations: [Double], demands: [[[Double]]], start: EpochsStart,
                                  warm: [[Int]]?) -> [[Int]] {
        let n = f.n
        var candidates: [[[Int]]] = []
        if demands.count == 1 {
            candidates.append(ScheduleHeuristics.epochsGreedy(f, durations: durations, demands: demands[0], start: start))
        } else {
            let mean = meanScenario(demands, epochs: durations.count, pairs: n * n)
            candidates.append(ScheduleHeuristics.epochsGreedy(f, durations: durations, demands: mean, start: start))
            for scenario in demands.prefix(scenarioCandidateLimit) {
                candidates.append(ScheduleHeuristics.epochsGreedy(f, durations: durations, demands: scenario, start: start))
            }
        }
        if let warm { candidates.append(warm) }
        var best = candidates[0], bestServed = -Double.infinity
        for c in candidates {
            let served = scoreScenarios(f, durations: durations, demands: demands, start: start, counts: c).served
            if served > bestServed * (1 + 1e-12) + 1e-9 || bestServed == -.infinity {
                best = c
                bestServed = served
            }
        }
        return best
    }

    /// A plan of `counts` with the mean scenario metrics; `objective` is
    /// what the exact model proves when it is more than the scoring.
    static func scenarioPlan(_ f: ScheduleFabric, durations: [Double], demands: [[[Double]]], start: EpochsStart,
                             counts: [[Int]], method: String, status: PlanStatus, bound: Double? = nil,
                             objective: Double? = nil) -> SchedulePlan {
        let n = f.n
        let score = scoreScenarios(f, durations: durations, demands: demands, start: start, counts: counts)
        var metrics = PlanMetrics(objective: score.served, bound: bound,
                                  gap: bound.map { SolveResult.gap(objective: score.served, bound: $0) })
        metrics.servedBytes = score.served
        metrics.backlogBytes = score.backlog
        metrics.circuitsChanged = score.changed
        if let obj = objective, obj > score.served {
            // As for §1b: the model routes packets across epochs at best; the
            // plan claims what the model proves.
            let total = score.served + score.backlog
            metrics.objective = obj
            metrics.servedBytes = obj
            metrics.backlogBytes = max(0, total - obj)
            if let b = bound { metrics.gap = SolveResult.gap(objective: obj, bound: b) }
        }
        let epochs = counts.map { SchedulePlan.EpochCircuits(circuits: [Circuit](counts: $0, nodes: n)) }
        return SchedulePlan(method: method, status: status, metrics: metrics, epochs: epochs)
    }

    static func autoScenarios(_ f: ScheduleFabric, durations: [Double], demands: [[[Double]]], start: EpochsStart,
                              warm: [[Int]]?, options: PlanningOptions, clock: ContinuousClock.Instant) -> SchedulePlan {
        let heuristic = scenarioHeuristic(f, durations: durations, demands: demands, start: start, warm: warm)
        var fallbackPlan = scenarioPlan(f, durations: durations, demands: demands, start: start, counts: heuristic,
                                        method: "auto:greedy", status: .heuristic)
        func fallback(_ why: String) -> SchedulePlan {
            var p = fallbackPlan
            p.notes = (p.notes ?? []) + [why]
            return p
        }
        guard options.solver != nil else { return fallback("no solver given: the heuristic plan is returned") }
        let nonzeros = ScheduleScenarioModel.nonzeroEstimate(f, durations: durations, demands: demands, start: start)
        guard AutoSizeRule.allowsExact(nonzeros: nonzeros, timeLimit: options.timeLimit) else {
            return fallback(AutoSizeRule.skipNote(nonzeros: nonzeros, timeLimit: options.timeLimit))
        }
        let exactOptions = remaining(options, since: clock)
        do {
            let r = try ScheduleScenarioModel.solve(f, durations: durations, demands: demands, start: start, warm: heuristic,
                                                    options: exactOptions)
            let exact = scenarioPlan(f, durations: durations, demands: demands, start: start, counts: r.counts,
                                     method: "auto:ilp", status: r.status, bound: r.bound, objective: r.objective)
            let h = fallbackPlan.metrics.objective
            guard exact.metrics.objective >= h - 1e-9 * max(1, h) else {
                return fallback("the exact model's best plan is worse than the heuristic one: the heuristic plan is returned")
            }
            if let b = r.bound {
                fallbackPlan.metrics.bound = b
            }
            var out = exact
            if !r.notes.isEmpty { out.notes = r.notes }
            return out
        } catch {
            return fallback("the exact model failed (\(error)): the heuristic plan is returned")
        }
    }
}
