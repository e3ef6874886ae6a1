import Foundation
import OptoCore
import OptoModel

/// The circuit-scheduling planner of PROBLEMS.md §1.
///
/// Window mode (1a): a sequence of configurations, each preceded by `δ` of
/// all-stop, maximising the bytes served inside the window `W`, or, without
/// a window, minimising the makespan. Epochs mode (1b): one configuration
/// per epoch, new circuits dark for `δ`, backlog carried over.
///
/// Every plan is scored by ``ScheduleScoring`` (circuits, then the best
/// packet-fabric service), so all methods are compared on the same footing;
/// `metrics.lowerBound` is the §1a bound in window mode.
///
/// Methods: the heuristics (``ScheduleMethod``), each documented in
/// `ScheduleHeuristics`, `ilp`, the exact model (see
/// `SchedulePlanner+ILP.swift`), which needs ``PlanningOptions/solver``, and
/// `auto`, the best heuristic then the exact model, with its size rule and
/// fallbacks (see `SchedulePlanner+Auto.swift`).
public enum SchedulePlanner {
    /// Plans `instance` with `method`.
    ///
    /// - Throws: ``ScheduleError`` for malformed instances,
    ///   ``PlanningError`` when the method does not apply or the solver fails.
    /// - Complexity: that of the method; see each heuristic.
    public static func plan(_ instance: ScheduleInstance, method: ScheduleMethod,
                            options: PlanningOptions = PlanningOptions()) throws -> SchedulePlan {
        let clock = ContinuousClock.now
        let (f, mode) = try validated(instance)
        var plan: SchedulePlan
        switch mode {
        case .window(let d, let window):
            plan = try planWindow(f, d, window: window, method: method, options: options)
        case .epochs(let durations, let demands):
            if instance.maxHops >= 2 {
                plan = try planEpochsTransit(f, durations: durations, demands: demands, method: method, options: options)
            } else {
                plan = try planEpochs(f, durations: durations, demands: demands, method: method, options: options)
            }
        }
        plan.metrics.solveSeconds = (ContinuousClock.now - clock).seconds
        return plan
    }

    /// An instance's mode with its demand checked and flattened (bytes, row-major).
    enum ValidatedMode {
        case window(demand: [Double], window: Double?)
        case epochs(durations: [Double], demands: [[Double]])
    }

    /// The fabric and the checked mode of `instance`.
    /// - Throws: ``ScheduleError/invalidInstance(_:)``.
    /// - Complexity: O(N²·epochs).
    static func validated(_ instance: ScheduleInstance) throws -> (ScheduleFabric, ValidatedMode) {
        let f = try ScheduleFabric(instance.fabric)
        switch instance.mode {
        case .window(let demand, let window):
            let d = try validatedDemand(demand, nodes: f.n).values
            if let w = window, !(w.isFinite && w >= 0) { throw ScheduleError.invalidInstance("the window must be finite and non-negative") }
            return (f, .window(demand: d, window: window))
        case .epochs(let epochs):
            guard !epochs.isEmpty else { throw ScheduleError.invalidInstance("epochs mode needs at least one epoch") }
            for (e, ep) in epochs.enumerated() where !(ep.duration.isFinite && ep.duration > 0) {
                throw ScheduleError.invalidInstance("epoch \(e) has duration \(ep.duration); it must be positive and finite")
            }
            let demands = try epochs.enumerated().map { try validatedDemand($1.demand, nodes: f.n, label: "epoch \($0) demand").values }
            return (f, .epochs(durations: epochs.map(\.duration), demands: demands))
        }
    }

    /// The exact slot model for a window-mode instance with a chosen
    /// formulation (the benchmark compares ``ScheduleFormulation/plain`` with
    /// ``ScheduleFormulation/strengthened``; `plan(_:method: .ilp, …)` uses the latter).
    /// - Throws: as ``plan(_:method:options:)``; `methodNotApplicable` in epochs mode.
    public static func planExact(_ instance: ScheduleInstance, formulation: ScheduleFormulation,
                                 options: PlanningOptions) throws -> SchedulePlan {
        let clock = ContinuousClock.now
        let (f, mode) = try validated(instance)
        guard case .window(let d, let window) = mode else {
            throw PlanningError.methodNotApplicable(method: "ilp", reason: "formulations are compared in window mode")
        }
        var plan = try ScheduleExact.planWindow(f, d, window: window, options: options, formulation: formulation)
        plan.metrics.solveSeconds = (ContinuousClock.now - clock).seconds
        return plan
    }

    /// A window-mode plan with its metrics from ``ScheduleScoring``.
    static func windowPlan(_ f: ScheduleFabric, _ d: [Double], window: Double?, method: String,
                           status: PlanStatus, slots: [SlotConfig]) -> SchedulePlan {
        let kept = slots.filter { $0.duration > 0 && !$0.pairs.isEmpty }
        let score = ScheduleScoring.score(f, d, window: window, kept)
        var metrics = PlanMetrics(objective: window == nil ? score.makespan : score.servedBytes)
        metrics.servedBytes = score.servedBytes
        metrics.makespan = score.makespan
        metrics.lowerBound = ScheduleScoring.lowerBound(f, d)
        return SchedulePlan(method: method, status: status, metrics: metrics, configurations: kept.map(\.configuration))
    }

    /// The configurations a heuristic holds, finished for the mode (window
    /// cut, or best prefix for the makespan). `stop` is polled by the
    /// iterative heuristics (`bvn`, `solstice`, `bottleneck`, `eclipse`, `greedy`) before
    /// each configuration: when it returns true they keep what they have.
    /// `static` and `rotor` (one matching, or a fixed round) always complete.
    static func heuristicSlots(_ method: ScheduleMethod, _ f: ScheduleFabric, _ d: [Double], window: Double?,
                               stop: () -> Bool = { false }) -> [SlotConfig] {
        let raw: [SlotConfig]
        switch method {
        case .bvn: raw = ScheduleHeuristics.bvn(f, d, window: window, stop: stop)
        case .solstice: raw = ScheduleHeuristics.solstice(f, d, window: window, stop: stop)
        case .bottleneck: raw = ScheduleHeuristics.bottleneck(f, d, window: window, stop: stop)
        case .eclipse: raw = ScheduleHeuristics.eclipse(f, d, window: window, stop: stop)
        case .greedy: raw = ScheduleHeuristics.greedy(f, d, window: window, stop: stop)
        case .static: raw = ScheduleHeuristics.staticPlan(f, d, window: window)
        case .rotor: raw = ScheduleHeuristics.rotor(f, d, window: window)
        case .auto, .ilp: raw = []
        }
        if let w = window { return ScheduleFinish.fit(f, window: w, raw) }
        return ScheduleFinish.bestPrefix(f, d, raw)
    }

    /// The best heuristic plan for a window-mode instance (most served, or
    /// shortest makespan), among the methods given.
    static func bestHeuristic(_ f: ScheduleFabric, _ d: [Double], window: Double?,
                              among methods: [ScheduleMethod]) -> SchedulePlan {
        var best: SchedulePlan? = nil
        for m in methods {
            let p = windowPlan(f, d, window: window, method: m.rawValue, status: .heuristic,
                               slots: heuristicSlots(m, f, d, window: window))
            if let b = best {
                let better = window == nil ? p.metrics.objective < b.metrics.objective : p.metrics.objective > b.metrics.objective
                if better { best = p }
            } else {
                best = p
            }
        }
        return best!
    }

    private static func planWindow(_ f: ScheduleFabric, _ d: [Double], window: Double?, method: ScheduleMethod,
                                   options: PlanningOptions) throws -> SchedulePlan {
        let lb = ScheduleScoring.lowerBound(f, d)
        if window == nil && !lb.isFinite {
            var metrics = PlanMetrics(objective: 0)
            metrics.lowerBound = nil
            return SchedulePlan(method: method.rawValue, status: .infeasible, metrics: metrics, configurations: [],
                                notes: ["a node has demand but neither circuit ports nor packet rate: the demand can never be served"])
        }
        let plan: SchedulePlan
        switch method {
        case .ilp:
            plan = try ScheduleExact.planWindow(f, d, window: window, options: options)
        case .auto:
            plan = autoWindow(f, d, window: window, options: options)
        default:
            plan = windowPlan(f, d, window: window, method: method.rawValue, status: .heuristic,
                              slots: heuristicSlots(method, f, d, window: window))
        }
        if window == nil, let t = plan.metrics.makespan, !t.isFinite {
            throw PlanningError.methodNotApplicable(method: method.rawValue,
                reason: "its circuits leave demand on nodes without packet rate, so it never completes")
        }
        return plan
    }

    private static func planEpochs(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], method: ScheduleMethod,
                                   options: PlanningOptions) throws -> SchedulePlan {
        let counts: [[Int]]
        let status = PlanStatus.heuristic
        let name = method.rawValue
        let bound: Double? = nil, gap: Double? = nil
        switch method {
        case .auto:
            return autoEpochs(f, durations: durations, demands: demands, options: options)
        case .greedy: counts = ScheduleHeuristics.epochsGreedy(f, durations: durations, demands: demands)
        case .static: counts = ScheduleHeuristics.epochsStatic(f, durations: durations, demands: demands)
        case .rotor: counts = ScheduleHeuristics.epochsRotor(f, durations: durations)
        case .ilp:
            let r = try ScheduleExact.planEpochs(f, durations: durations, demands: demands, options: options)
            var plan = epochsPlan(f, durations: durations, demands: demands, counts: r.counts, method: name, status: r.status,
                                  bound: r.bound, gap: r.gap)
            // The model routes packets across epochs at best; the per-epoch
            // replay can only be lower. The plan claims what the model proves.
            if let obj = r.objective, obj > plan.metrics.objective {
                let total = demands.reduce(0) { $0 + $1.reduce(0, +) }
                plan.metrics.objective = obj
                plan.metrics.servedBytes = obj
                plan.metrics.backlogBytes = max(0, total - obj)
            }
            plan.notes = r.notes.isEmpty ? nil : r.notes
            return plan
        case .bvn, .solstice, .bottleneck, .eclipse:
            throw PlanningError.methodNotApplicable(method: method.rawValue,
                reason: "it schedules one matrix (window mode); epochs mode takes greedy, static, rotor or ilp")
        }
        return epochsPlan(f, durations: durations, demands: demands, counts: counts, method: name, status: status,
                          bound: bound, gap: gap)
    }

    static func epochsPlan(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], counts: [[Int]],
                           method: String, status: PlanStatus, bound: Double?, gap: Double?) -> SchedulePlan {
        let n = f.n
        let score = ScheduleScoring.scoreEpochs(f, durations: durations, demands: demands, counts: counts)
        var metrics = PlanMetrics(objective: score.servedBytes, bound: bound, gap: gap)
        metrics.servedBytes = score.servedBytes
        metrics.backlogBytes = score.backlogBytes
        metrics.circuitsChanged = score.circuitsChanged
        let epochs = counts.map { SchedulePlan.EpochCircuits(circuits: [Circuit](counts: $0, nodes: n)) }
        return SchedulePlan(method: method, status: status, metrics: metrics, epochs: epochs)
    }
}

