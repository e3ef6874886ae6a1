import OptoCore
import OptoModel

/// `auto` for circuit scheduling (PROBLEMS.md, "The default method").
///
/// Window mode: the best of `solstice`, `bottleneck`, `eclipse`, `greedy`,
/// `static` and `rotor`, then the exact slot model (which starts from the best
/// heuristic plan) within the time limit. Epochs mode: `greedy`, then the
/// exact epochs model warm-started from it. The exact plan is returned
/// (`auto:ilp`, its status, bound and gap) when it is at least as good as
/// the heuristic one; otherwise, or when no solver is given, the solver
/// fails or stops without an incumbent, or the size rule of
/// ``AutoSizeRule`` skips the model, the heuristic plan is returned
/// (`auto:<heuristic>`, status `heuristic`) with a cheap bound:
///
/// - makespan: the §1a lower bound `max_i max(8·row_i, 8·col_i)/(k_i·r_c + p_i)`;
/// - window `W`: `Σ_i min(row_i, k_i·r_c/8·max(0, W − δ) + p_i/8·W)` bytes;
/// - epochs: `Σ_i min(Σ_e row_{e,i}, Σ_e (k_i·r_c + p_i)/8·L_e)` bytes.
///
/// The time limit bounds window-mode `auto` as a whole: the heuristics
/// stop at it (see ``autoHeuristic(_:_:window:deadline:shouldStop:)``:
/// `bottleneck`, `solstice`, `greedy` and `eclipse` keep the configurations they have,
/// `static` and `rotor` always complete), and the exact model gets what is
/// left (at least 0.05 s). On the large datasets this keeps `auto` near
/// the limit where the heuristics alone took minutes. The epochs-mode
/// heuristic (`greedy`, one b-matching per epoch) is not bounded.
///
/// The slot model with `M` slots can be beaten by a heuristic that uses
/// more configurations; the comparison keeps `auto` never worse than its
/// heuristic.
///
/// Size estimates (upper bounds on the nonzeros):
/// - window: `12·M·Σ_{ij: D_ij > 0} u_ij + 4·|pairs| + 4·M` (per circuit
///   variable and slot: ports, big-M, order and time rows), with `M` the
///   `--slots` value or at most `2N`;
/// - epochs: `16·E·|pairs|` (per epoch and pair: five for the circuit
///   count, three for circuit bytes, four for packet bytes, two each for the
///   backlog and the new circuits).
extension SchedulePlanner {
    /// `options` with the time limit less what has passed since `clock`
    /// (at least 0.05 s): what `auto` gives the exact model after its heuristic.
    static func remaining(_ options: PlanningOptions, since clock: ContinuousClock.Instant) -> PlanningOptions {
        var o = options
        o.timeLimit = max(0.05, options.timeLimit - (ContinuousClock.now - clock).seconds)
        return o
    }

    /// The heuristics `auto` tries in window mode, in order of preference
    /// on ties.
    static let autoHeuristics: [ScheduleMethod] = [.solstice, .bottleneck, .eclipse, .greedy, .static, .rotor]

    /// The order `auto` runs them in: cheapest first (measured on the
    /// 107–367-node datasets: static and rotor take well under a second,
    /// bottleneck under a second, greedy a few seconds, eclipse and solstice
    /// up to about a minute), so a deadline leaves the best of what could be
    /// computed.
    static let autoRunOrder: [ScheduleMethod] = [.static, .rotor, .bottleneck, .greedy, .eclipse, .solstice]

    /// The best of ``autoHeuristics`` within `deadline` (or until
    /// `shouldStop`), with a note naming the heuristics cut short.
    ///
    /// `static` and `rotor` always run to the end. `greedy`, `eclipse` and
    /// `solstice` poll the deadline before each configuration and, once it
    /// has passed, keep the configurations they have (a shorter, still
    /// valid schedule); a heuristic not started by then is not run. The
    /// deadline only applies once some plan is at hand that serves all the
    /// demand (makespan mode), so `auto` still returns a plan wherever a
    /// heuristic has one. Ties go to the earlier method of ``autoHeuristics``.
    ///
    /// - Complexity: that of the heuristics, each stopped within one
    ///   configuration of the deadline.
    static func autoHeuristic(_ f: ScheduleFabric, _ d: [Double], window: Double?, deadline: ContinuousClock.Instant,
                              shouldStop: (@Sendable () -> Bool)?) -> (plan: SchedulePlan, cut: String?) {
        var best: (plan: SchedulePlan, rank: Int)? = nil
        var cut: [String] = []
        for method in autoRunOrder {
            let rank = autoHeuristics.firstIndex(of: method) ?? autoHeuristics.count
            let usable = best.map { $0.plan.metrics.objective.isFinite } ?? false
            func expired() -> Bool { usable && (ContinuousClock.now >= deadline || shouldStop?() == true) }
            if expired() && method != .static && method != .rotor {
                cut.append("\(method.rawValue) not run")
                continue
            }
            var stopped = false
            let slots = heuristicSlots(method, f, d, window: window, stop: {
                if expired() { stopped = true }
                return stopped
            })
            let p = windowPlan(f, d, window: window, method: method.rawValue, status: .heuristic, slots: slots)
            if stopped { cut.append("\(method.rawValue) stopped after \(p.configurations?.count ?? 0) configurations") }
            if let b = best {
                let o = p.metrics.objective, bo = b.plan.metrics.objective
                let better = window == nil ? o < bo : o > bo
                if better || (o == bo && rank < b.rank) { best = (p, rank) }
            } else {
                best = (p, rank)
            }
        }
        let why = shouldStop?() == true ? "an interrupt" : "the time limit"
        return (best!.plan, cut.isEmpty ? nil : "\(why) cut the heuristics short: " + cut.joined(separator: ", "))
    }

    /// Window-mode `auto` (see the extension's documentation).
    static func autoWindow(_ f: ScheduleFabric, _ d: [Double], window: Double?, options: PlanningOptions) -> SchedulePlan {
        let clock = ContinuousClock.now
        let limit = options.timeLimit.isFinite && options.timeLimit > 0 ? options.timeLimit : 30
        let found = autoHeuristic(f, d, window: window, deadline: clock + .seconds(limit), shouldStop: options.shouldStop)
        var heuristic = found.plan
        heuristic.method = "auto:" + heuristic.method
        if let cut = found.cut { heuristic.notes = (heuristic.notes ?? []) + [cut] }
        func fallback(_ why: String) -> SchedulePlan {
            var p = heuristic
            let bound = window.map { cheapWindowBound(f, d, window: $0) } ?? ScheduleScoring.lowerBound(f, d)
            if bound.isFinite {
                p.metrics.bound = bound
                p.metrics.gap = SolveResult.gap(objective: p.metrics.objective, bound: bound)
            }
            p.notes = (p.notes ?? []) + [why]
            return p
        }
        guard options.solver != nil else { return fallback("no solver given: the heuristic plan is returned") }
        let nonzeros = windowNonzeroEstimate(f, d, slots: options.slots ?? max(2, 2 * f.n))
        guard AutoSizeRule.allowsExact(nonzeros: nonzeros, timeLimit: options.timeLimit) else {
            return fallback(AutoSizeRule.skipNote(nonzeros: nonzeros, timeLimit: options.timeLimit))
        }
        let exactOptions = remaining(options, since: clock)
        do {
            var exact = try ScheduleExact.planWindow(f, d, window: window, options: exactOptions)
            guard exact.status != .infeasible else { return fallback("the exact model found no plan: the heuristic plan is returned") }
            let tolerance = 1e-9 * max(1, abs(heuristic.metrics.objective))
            let atLeastAsGood = window == nil ? exact.metrics.objective <= heuristic.metrics.objective + tolerance
                                              : exact.metrics.objective >= heuristic.metrics.objective - tolerance
            guard atLeastAsGood else {
                return fallback("the exact model's best plan (\(exact.status.rawValue), \(exact.metrics.slots ?? 0) slots) "
                                + "is worse than the heuristic's: the heuristic plan is returned")
            }
            exact.method = "auto:ilp"
            if let cut = found.cut { exact.notes = (exact.notes ?? []) + [cut] }
            return exact
        } catch {
            return fallback("the exact model failed (\(error)): the heuristic plan is returned")
        }
    }

    /// Epochs-mode `auto` (see the extension's documentation).
    static func autoEpochs(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], options: PlanningOptions) -> SchedulePlan {
        let clock = ContinuousClock.now
        let greedy = ScheduleHeuristics.epochsGreedy(f, durations: durations, demands: demands)
        func fallback(_ why: String) -> SchedulePlan {
            let bound = cheapEpochsBound(f, durations: durations, demands: demands)
            var p = epochsPlan(f, durations: durations, demands: demands, counts: greedy, method: "auto:greedy",
                               status: .heuristic, bound: nil, gap: nil)
            p.metrics.bound = bound
            p.metrics.gap = SolveResult.gap(objective: p.metrics.objective, bound: bound)
            p.notes = (p.notes ?? []) + [why]
            return p
        }
        guard options.solver != nil else { return fallback("no solver given: the greedy plan is returned") }
        let nonzeros = epochsNonzeroEstimate(f, durations: durations, demands: demands)
        guard AutoSizeRule.allowsExact(nonzeros: nonzeros, timeLimit: options.timeLimit) else {
            return fallback(AutoSizeRule.skipNote(nonzeros: nonzeros, timeLimit: options.timeLimit))
        }
        let exactOptions = remaining(options, since: clock)
        do {
            let r = try ScheduleExact.planEpochs(f, durations: durations, demands: demands, options: exactOptions)
            var exact = epochsPlan(f, durations: durations, demands: demands, counts: r.counts, method: "auto:ilp",
                                   status: r.status, bound: r.bound, gap: r.gap)
            // As `ilp`: the model routes packets across epochs at best and
            // the per-epoch replay can only be lower; the plan claims what
            // the model proves.
            if let obj = r.objective, obj > exact.metrics.objective {
                let total = demands.reduce(0) { $0 + $1.reduce(0, +) }
                exact.metrics.objective = obj
                exact.metrics.servedBytes = obj
                exact.metrics.backlogBytes = max(0, total - obj)
            }
            let heuristic = scoreEpochsServed(f, durations: durations, demands: demands, counts: greedy)
            guard exact.metrics.objective >= heuristic - 1e-9 * max(1, heuristic) else {
                return fallback("the exact model's best plan is worse than the greedy one: the greedy plan is returned")
            }
            if let b = exact.metrics.bound {
                exact.metrics.gap = SolveResult.gap(objective: exact.metrics.objective, bound: b)
            }
            if !r.notes.isEmpty { exact.notes = (exact.notes ?? []) + r.notes }
            return exact
        } catch {
            return fallback("the exact model failed (\(error)): the greedy plan is returned")
        }
    }

    static func scoreEpochsServed(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], counts: [[Int]]) -> Double {
        ScheduleScoring.scoreEpochs(f, durations: durations, demands: demands, counts: counts).servedBytes
    }

    /// `Σ_i min(row_i, k_i·c·max(0, W − δ) + p_i·W)`, bytes.
    static func cheapWindowBound(_ f: ScheduleFabric, _ d: [Double], window: Double) -> Double {
        let n = f.n
        var total = 0.0
        for i in 0..<n {
            var row = 0.0
            for j in 0..<n where j != i { row += d[i * n + j] }
            total += min(row, Double(f.ports[i]) * f.circuitBps * max(0, window - f.delta) + f.packetBps[i] * window)
        }
        return total
    }

    /// `Σ_i min(Σ_e row_{e,i}, Σ_e (k_i·c + p_i)·L_e)`, bytes.
    static func cheapEpochsBound(_ f: ScheduleFabric, durations: [Double], demands: [[Double]]) -> Double {
        let n = f.n
        let span = durations.reduce(0, +)
        var total = 0.0
        for i in 0..<n {
            var row = 0.0
            for d in demands { for j in 0..<n where j != i { row += d[i * n + j] } }
            total += min(row, (Double(f.ports[i]) * f.circuitBps + f.packetBps[i]) * span)
        }
        return total
    }

    /// The window model's size estimate for `slots` slots.
    static func windowNonzeroEstimate(_ f: ScheduleFabric, _ d: [Double], slots: Int) -> Int {
        let n = f.n
        var circuits = 0.0, pairs = 0.0
        for i in 0..<n { for j in 0..<n where i != j && d[i * n + j] > 0 { pairs += 1; circuits += Double(f.pairCap(i, j)) } }
        let m = Double(max(slots, 1))
        let total = 12 * m * circuits + 4 * pairs + 4 * m
        return total >= Double(Int.max) ? Int.max : Int(total)
    }

    /// The epochs model's size estimate.
    static func epochsNonzeroEstimate(_ f: ScheduleFabric, durations: [Double], demands: [[Double]]) -> Int {
        let n = f.n
        var pairs = 0.0
        for k in 0..<(n * n) where k / n != k % n && demands.contains(where: { $0[k] > 0 }) { pairs += 1 }
        let total = 16 * Double(durations.count) * pairs
        return total >= Double(Int.max) ? Int.max : Int(total)
    }
}
