#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import OptoCore
import OptoEval
import OptoModel
import OptoPlanners
import OptoTraffic

/// The operating loop of PROBLEMS.md §5 on a trace.
///
/// The trace's first part (`1 − holdout`) trains the predictor (and gives
/// the residuals of the hedged plans); every epoch `t` of the held-back
/// rest is one step:
///
/// 1. forecast `D_t … D_(t+H−1)` from the snapshots before `t`;
/// 2. hedge: the point forecast, its per-pair quantile, or `K` scenarios
///    (``Hedging``);
/// 3. plan those `H` epochs in epochs mode with the step's method (`auto`
///    by default) within the per-step limit, starting from the circuits
///    kept at `t − 1` (new circuits pay `δ`; the first replayed epoch starts
///    in its own configuration, as §1b's first epoch) and the backlog the
///    planner knows of, warm-started from the previous step's plan shifted
///    by one epoch;
/// 4. keep epoch `t`'s configuration, and score the kept series on the
///    actual matrices with the evaluator (OptoEval, epochs mode, backlog
///    carried from epoch to epoch), one epoch at a time
///    (``Evaluator/EpochChain``: the same bytes as evaluating the kept
///    prefix `split…t` and taking the growth of its served total, without
///    scoring the prefix again at every epoch).
///
/// With `maxHops` 2 (transit, PROBLEMS.md §1b "With transit") the step's
/// circuits come from the same planner (the scenario model routes over
/// one circuit), and the kept epoch `t` is then made a transit epoch
/// (``transitEpoch(at:circuits:inPlace:backlog:)``): free ports filled for
/// two-circuit paths and the bytes the planner expects routed by the
/// routing LP; its routes are kept with its circuits and the evaluator
/// scores them as shares of the actual bytes. The planner's account of
/// the epoch is then the routing LP of the kept circuits on the actual
/// bytes. Perfect foresight plans `auto` with transit; static holds its
/// circuits routed once on the training part's mean matrix.
///
/// The backlog the planner is given is its own account: the kept
/// configurations scored on the actual matrices as every schedule plan is
/// scored (circuits, then the best packet service; with transit, the
/// routing LP of the kept circuits). Over one circuit the evaluator's
/// max-min packet sharing serves at most that, so the planner may see a
/// little less backlog than the evaluator leaves. With transit the two
/// can differ either way: the planner's account re-routes the actual
/// bytes at best, the evaluator holds them to the kept shares and shares
/// each circuit max-min fairly, which can also serve more than the
/// per-epoch LP (docs/schedule.md measures 2.1 % more on one series).
///
/// References, on the same held-back epochs: perfect foresight (the whole
/// held-back part planned with `auto` on its actual matrices, reference
/// time limit) and static (one configuration, `static` on the training
/// part's matrices, held through every epoch), both scored by the evaluator.
public struct ReplayRunner: Sendable {
    /// The trace.
    public let series: TrafficSeries
    /// The settings.
    public let configuration: ReplayConfiguration
    /// Index of the first replayed epoch.
    public let split: Int
    /// The fitted predictor.
    public let predictor: Predictor
    /// Its residuals on the training part.
    public let residuals: ForecastResiduals
    /// What the set-up found worth saying (the predictor chosen).
    public let notes: [String]
    private let quantileShift: Matrix?

    /// Prepares a replay: checks the settings, splits the trace, fits the predictor.
    /// - Throws: ``ReplayError``.
    public init(series: TrafficSeries, configuration c: ReplayConfiguration) throws(ReplayError) {
        guard c.fabric.nodes == series.nodes else {
            throw .invalidTrace("the trace has \(series.nodes) nodes but the fabric \(c.fabric.nodes)")
        }
        guard c.horizon >= 1, c.horizon <= 10_000 else { throw .invalidArgument("the horizon must be 1 to 10000 epochs") }
        guard c.holdout > 0, c.holdout < 1 else { throw .invalidArgument("the holdout must be between 0 and 1") }
        guard c.epochDuration.isFinite, c.epochDuration > 0 else { throw .invalidArgument("the epoch duration must be positive") }
        guard c.stepTimeLimit.isFinite, c.stepTimeLimit > 0 else { throw .invalidArgument("the per-step time limit must be positive") }
        guard c.maxHops == 1 || c.maxHops == 2 else { throw .invalidArgument("maxHops must be 1 or 2 in epochs mode (it is \(c.maxHops))") }
        guard c.maxHops == 1 || c.solver != nil else {
            throw .invalidArgument("transit (maxHops 2) is routed by an LP; give a solver")
        }
        switch c.hedging {
        case .none: break
        case .quantile(let q): guard q >= 0, q <= 1 else { throw .invalidArgument("the hedge quantile must be between 0 and 1") }
        case .scenarios(let k, _): guard k >= 1, k <= 1000 else { throw .invalidArgument("the scenario count must be 1 to 1000") }
        }
        let n = series.snapshots.count
        let split = min(n - 1, max(2, Int((Double(n) * (1 - c.holdout)).rounded())))
        guard n >= 3, split < n else { throw .invalidTrace("a replay needs at least 3 snapshots (the trace has \(n))") }
        let training = Array(series.snapshots[..<split])
        var notes: [String] = []
        let fitted: Predictor
        if c.predictor == "auto" {
            let choice = Predictor.chooseAuto(training: training)
            fitted = choice.predictor
            notes.append(choice.note)
        } else if let f = Predictor.fit(c.predictor, training: training) {
            fitted = f.predictor
        } else {
            throw .invalidArgument("unknown predictor \"\(c.predictor)\"; use auto, \(Predictor.kinds.joined(separator: ", "))")
        }
        self.series = series
        self.configuration = c
        self.split = split
        self.predictor = fitted
        self.residuals = ForecastResiduals(predictor: fitted, training: training)
        if case .quantile(let q) = c.hedging { quantileShift = residuals.quantile(q) } else { quantileShift = nil }
        self.notes = notes
    }

    /// Epochs the replay plans.
    public var replayedEpochs: Int { series.snapshots.count - split }

    /// The matrices step `t` plans on: one list of `H` matrices per scenario.
    public func planningMatrices(at t: Int) -> (forecast: [Matrix], scenarios: [[Matrix]]) {
        let history = Array(series.snapshots[..<t])
        let forecast: [Matrix]
        if configuration.exactForecast {
            let s = series.snapshots
            forecast = (0..<configuration.horizon).map { s[min(s.count - 1, t + $0)].withoutDiagonal }
        } else {
            forecast = predictor.forecast(history, horizon: configuration.horizon).map(\.withoutDiagonal)
        }
        if configuration.exactForecast { return (forecast, [forecast]) }
        switch configuration.hedging {
        case .none:
            return (forecast, [forecast])
        case .quantile:
            return (forecast, [forecast.map { ForecastResiduals.shifted($0, by: quantileShift) }])
        case .scenarios(let k, let seed):
            var g = SeededGenerator(seed: seed &+ UInt64(t) &* 0x9E37_79B9)
            return (forecast, residuals.scenarios(k, forecasts: forecast, generator: &g))
        }
    }

    /// The plan of step `t` (epochs `t…t+H−1`) from the circuits in place
    /// and the planner's backlog, warm-started from `previousPlan`.
    public func planStep(at t: Int, inPlace: [Int]?, backlog: [Double], previousPlan: SchedulePlan?,
                         shouldStop: (@Sendable () -> Bool)? = nil) throws -> SchedulePlan {
        let c = configuration
        let n = series.nodes
        let (_, scenarios) = planningMatrices(at: t)
        let problem = ScenarioEpochs(fabric: c.fabric, durations: Array(repeating: c.epochDuration, count: c.horizon),
                                     scenarios: scenarios, start: EpochsStart(circuits: inPlace, backlog: backlog))
        var warm: [[Int]]? = nil
        if let p = previousPlan?.epochs, !p.isEmpty {
            let counts = p.map { SchedulePlanner.counts($0, nodes: n) }
            let shifted = Array(counts.dropFirst())
            warm = (0..<c.horizon).map { h in h < shifted.count ? shifted[h] : (shifted.last ?? counts[0]) }
        }
        var options = PlanningOptions(timeLimit: c.stepTimeLimit, solver: c.solver)
        options.shouldStop = shouldStop
        return try SchedulePlanner.planScenarios(problem, method: c.method, warmStart: warm, options: options)
    }

    /// Epoch `t`'s configuration with transit (`maxHops` 2), from the step
    /// plan's first epoch: its free ports filled with circuits that open
    /// two-circuit paths and its bytes routed by the per-epoch routing LP
    /// (``SchedulePlanner/transitEpoch(fabric:duration:available:counts:previous:fillFreePorts:solver:)``),
    /// both on what the planner expects: its backlog plus epoch `t`'s
    /// planning matrix (the forecast, its quantile, or the mean of the
    /// scenarios). The circuits in place, filled and routed the same way,
    /// are kept instead when they serve as much in this epoch (as the epochs
    /// `greedy` with transit keeps its previous configuration, except that
    /// here the configuration in place is filled too, so staying can add
    /// circuits that pay `δ`). The rule looks at this epoch only: a change
    /// the step's plan makes for later epochs and that does not pay back its
    /// dark time within this one is not made. The evaluator reads the routes
    /// as shares of each pair's actual bytes.
    ///
    /// - Complexity: two routing LPs (one when nothing is in place or the
    ///   step keeps it).
    public func transitEpoch(at t: Int, circuits: SchedulePlan.EpochCircuits, inPlace: [Int]?,
                             backlog: [Double]) throws -> SchedulePlan.EpochCircuits {
        let c = configuration
        let n = series.nodes
        guard let solver = c.solver else { return circuits }
        let (_, scenarios) = planningMatrices(at: t)
        var expected = backlog
        let share = 1 / Double(max(1, scenarios.count))
        for s in scenarios where !s.isEmpty {
            for k in 0..<(n * n) { expected[k] += max(0, s[0].values[k]) * share }
        }
        func routed(_ counts: [Int]) throws -> (epoch: SchedulePlan.EpochCircuits, served: Double) {
            var left = expected
            let r = try SchedulePlanner.transitEpoch(fabric: c.fabric, duration: c.epochDuration, available: &left, counts: counts,
                                                     previous: inPlace, fillFreePorts: true, solver: solver)
            return (r.epoch, r.served)
        }
        let planned = SchedulePlanner.counts(circuits, nodes: n)
        var best = try routed(planned)
        // The step's circuits are planned over one circuit: where the
        // circuits in place, routed with transit, serve as much, they stay.
        if let inPlace, inPlace != planned {
            let stay = try routed(inPlace)
            if stay.served >= best.served * (1 - 1e-12) { best = stay }
        }
        return best.epoch
    }

    /// Runs the loop.
    ///
    /// - Parameters:
    ///   - resumed: the step plan of an epoch already kept (read from an
    ///     output directory), or nil to plan it.
    ///   - kept: called with each step's plan as soon as it is made (not for resumed ones).
    ///   - progress: called after each epoch with its row, its position and the count.
    ///   - shouldStop: polled between steps and by the exact search; when it
    ///     returns true the run ends with the epochs done.
    ///   - references: whether to compute perfect foresight and static.
    /// - Throws: planning and evaluation errors, and what `kept` throws.
    public func run(resumed: (Int) throws -> SchedulePlan? = { _ in nil },
                    kept: (Int, SchedulePlan) throws -> Void = { _, _ in },
                    progress: (ReplayEpoch, Int, Int) -> Void = { _, _, _ in },
                    shouldStop: (@Sendable () -> Bool)? = nil,
                    references: Bool = true) throws -> ReplayReport {
        let n = series.nodes
        let c = configuration
        var backlog = [Double](repeating: 0, count: n * n)
        var keptCounts: [[Int]] = []
        var rows: [ReplayEpoch] = []
        var previousPlan: SchedulePlan? = nil
        var servedSoFar = 0.0, demandSoFar = 0.0
        var interrupted = false
        let total = replayedEpochs
        // The evaluator's score of the kept epochs, one epoch at a time.
        var chain = try Evaluator.EpochChain(fabric: c.fabric)
        for (i, t) in (split..<series.snapshots.count).enumerated() {
            if shouldStop?() == true { interrupted = true; break }
            let cpu0 = Self.cpuSeconds()
            let plan: SchedulePlan
            var wasResumed = false
            if let r = try resumed(t), let e = r.epochs, !e.isEmpty {
                plan = r
                wasResumed = true
            } else {
                var made = try planStep(at: t, inPlace: keptCounts.last, backlog: backlog, previousPlan: previousPlan,
                                        shouldStop: shouldStop)
                if shouldStop?() == true && i > 0 { interrupted = true; break }
                if c.maxHops == 2 {
                    // The routing LPs run outside the step's time limit; a stop asked for meanwhile ends the run here.
                    if shouldStop?() == true { interrupted = true; break }
                    made.epochs![0] = try transitEpoch(at: t, circuits: made.epochs![0], inPlace: keptCounts.last, backlog: backlog)
                    made.notes = (made.notes ?? []) + ["epoch 0 was made a transit epoch after planning; the metrics are the step plan's"]
                }
                plan = made
                try kept(t, plan)
            }
            let keptEpoch = plan.epochs![0]
            if c.maxHops == 1 && !(keptEpoch.transit ?? []).isEmpty {
                throw ScheduleError.invalidPlan("the kept plan of epoch \(t) has transit entries but the fabric has maxHops 1")
            }
            let counts = SchedulePlanner.counts(keptEpoch, nodes: n)
            let actual = series.snapshots[t].withoutDiagonal
            for k in 0..<(n * n) { backlog[k] += actual.values[k] }
            let changed: Int
            if c.maxHops == 2, let solver = c.solver {
                changed = try SchedulePlanner.transitEpoch(fabric: c.fabric, duration: c.epochDuration, available: &backlog, counts: counts,
                                                           previous: keptCounts.last, fillFreePorts: false, solver: solver).changed
            } else {
                changed = try SchedulePlanner.serveEpoch(fabric: c.fabric, duration: c.epochDuration, backlog: &backlog,
                                                         counts: counts, previous: keptCounts.last).changed
            }
            keptCounts.append(counts)
            previousPlan = plan
            let served = servedSoFar + (try chain.serve(circuits: [Circuit](counts: counts, nodes: n), transit: keptEpoch.transit ?? [],
                                                        served: keptEpoch.served, demand: actual, duration: c.epochDuration))
            demandSoFar += actual.total
            let forecast = predictor.forecast(Array(series.snapshots[..<t]), horizon: 1)[0]
            let row = ReplayEpoch(epoch: t, servedBytes: served - servedSoFar, backlogBytes: max(0, demandSoFar - served),
                                  circuitsChanged: i == 0 ? 0 : changed,
                                  forecastError: Predictor.nmae([forecast.withoutDiagonal], [actual]),
                                  method: plan.method, cpuSeconds: Self.cpuSeconds() - cpu0, resumed: wasResumed)
            servedSoFar = served
            rows.append(row)
            progress(row, i, total)
        }
        let replay = ReplayTotals(servedBytes: servedSoFar, backlogBytes: max(0, demandSoFar - servedSoFar),
                                  circuitsChanged: rows.reduce(0) { $0 + $1.circuitsChanged },
                                  cpuSeconds: rows.reduce(0) { $0 + $1.cpuSeconds })
        var notes = self.notes
        var pf: ReplayTotals? = nil, st: ReplayTotals? = nil
        if references && !interrupted && !rows.isEmpty {
            pf = try perfectForesight(epochs: rows.count)
            st = try staticReference(epochs: rows.count)
        } else if interrupted {
            notes.append("stopped after \(rows.count) of \(total) epochs: the references were not computed")
        }
        return ReplayReport(split: split, snapshots: series.snapshots.count, predictor: predictor, epochs: rows, kept: keptCounts,
                            replay: replay, perfectForesight: pf, staticPlan: st, interrupted: interrupted, notes: notes)
    }

    /// The replayed epochs `split…split+count−1` as an epochs instance of their actual matrices.
    public func actualInstance(epochs count: Int) -> ScheduleInstance {
        let c = configuration
        let epochs = series.snapshots[split..<(split + count)].map {
            ScheduleInstance.Epoch(duration: c.epochDuration, demand: $0.withoutDiagonal)
        }
        return ScheduleInstance(fabric: c.fabric, mode: .epochs(epochs), maxHops: c.maxHops)
    }

    /// A plan holding `counts[e]` in epoch `e`.
    public static func plan(_ counts: [[Int]], nodes n: Int, method: String) -> SchedulePlan {
        let epochs = counts.map { SchedulePlan.EpochCircuits(circuits: [Circuit](counts: $0, nodes: n)) }
        return SchedulePlan(method: method, status: .heuristic, metrics: PlanMetrics(objective: 0), epochs: epochs)
    }

    /// Perfect foresight over the first `count` replayed epochs.
    public func perfectForesight(epochs count: Int) throws -> ReplayTotals {
        let cpu0 = Self.cpuSeconds()
        let instance = actualInstance(epochs: count)
        let plan = try SchedulePlanner.plan(instance, method: .auto,
                                            options: PlanningOptions(timeLimit: configuration.referenceTimeLimit, solver: configuration.solver))
        return try totals(plan, on: instance, cpu0: cpu0)
    }

    /// Static over the first `count` replayed epochs: one configuration
    /// planned on the training part.
    public func staticReference(epochs count: Int) throws -> ReplayTotals {
        let cpu0 = Self.cpuSeconds()
        let c = configuration
        let training = series.snapshots[..<split].map { ScheduleInstance.Epoch(duration: c.epochDuration, demand: $0.withoutDiagonal) }
        let trained = try SchedulePlanner.plan(ScheduleInstance(fabric: c.fabric, mode: .epochs(training)), method: .static)
        var one = trained.epochs?.first ?? SchedulePlan.EpochCircuits(circuits: [])
        if c.maxHops == 2, let solver = c.solver, !training.isEmpty {
            // Transit: the same circuits, routed once on the training part's
            // mean matrix; its shares are held through every epoch.
            let n = series.nodes
            var mean = [Double](repeating: 0, count: n * n)
            for e in training { for k in 0..<(n * n) { mean[k] += e.demand.values[k] / Double(training.count) } }
            let counts = SchedulePlanner.counts(one, nodes: n)
            one = try SchedulePlanner.transitEpoch(fabric: c.fabric, duration: c.epochDuration, available: &mean, counts: counts,
                                                   previous: counts, fillFreePorts: false, solver: solver).epoch
        }
        var plan = trained
        plan.epochs = Array(repeating: one, count: count)
        return try totals(plan, on: actualInstance(epochs: count), cpu0: cpu0)
    }

    private func totals(_ plan: SchedulePlan, on instance: ScheduleInstance, cpu0: Double) throws -> ReplayTotals {
        let m = try Evaluator.evaluate(plan, on: instance)
        let n = series.nodes
        var changed = 0
        if let e = plan.epochs {
            for k in 1..<max(1, e.count) {
                let a = SchedulePlanner.counts(e[k - 1], nodes: n), b = SchedulePlanner.counts(e[k], nodes: n)
                for p in 0..<(n * n) { changed += max(0, b[p] - a[p]) }
            }
        }
        return ReplayTotals(servedBytes: m.servedBytes ?? 0, backlogBytes: m.unservedBytes ?? 0, circuitsChanged: changed,
                            cpuSeconds: Self.cpuSeconds() - cpu0)
    }

    /// CPU seconds this process has used (user and system).
    public static func cpuSeconds() -> Double { Double(clock()) / Double(CLOCKS_PER_SEC) }
}
