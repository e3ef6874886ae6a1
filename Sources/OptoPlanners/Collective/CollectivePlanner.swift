import OptoCore
import OptoModel

/// The methods of the collective planner (PROBLEMS.md §4).
public enum CollectiveMethod: String, CaseIterable, Sendable {
    case auto, ilp, matched, fixed
}

/// Collective-aware circuit planning (PROBLEMS.md §4): one configuration of
/// circuits held throughout and every allreduce's rings, chosen together
/// (or, with `reconfigure: false`, the rings that fit the given circuits).
///
/// Methods:
/// - `fixed`: every ring in rank order (the NCCL default); circuits as
///   given, else a greedy max-weight b-matching on the rings' traffic.
/// - `matched`: rings laid along circuits. Free circuits: co-prime stride
///   rings over each collective's share of the ports, with low-diameter
///   strides for the relayed and alltoall traffic (TotientPerms, TopoOpt,
///   NSDI 2023). Given circuits: circuit-disjoint Hamiltonian cycles of the
///   circuit graph, else a segmented ring with the fewest off-circuit hops
///   (`CollectivePlanner+Heuristics.swift`) and rings whose relayed hops
///   fit the circuits (`CollectivePlanner+CapacityRings.swift`), then unequal shares: `R` equal
///   slots laid where the circuits have room (`CollectivePlanner+Slots.swift`).
///   When circuits are free but
///   `current` is given, the current circuits with fitted rings are a
///   candidate too (they save `δ`).
/// - `ilp`: the steady-rate model (`CollectivePlanner+ILP.swift`; with given
///   circuits the ring-order model of `CollectivePlanner+RingModel.swift`):
///   exact for its model on small instances.
/// - `auto`: `fixed` and `matched` (with a judge and free circuits, also
///   `matched`'s next ``autoSplitCandidates`` port splits), then `ilp` (with given circuits
///   the ring-order model, warm-started from `matched`; free circuits the
///   steady-rate model without a warm start) when the size rule of ``AutoSizeRule`` allows
///   (estimate: `8·R·m²` per allreduce plus `6` per pair with traffic);
///   with given circuits and at most ``exhaustiveLimit`` combinations of
///   single-ring orders, every combination too. The best candidate by
///   `judge` (the command line passes the evaluator) wins, else by the
///   drain model of ``CollectiveTimeModel``.
///
/// Plans' `time` and `jobs` are the drain model's estimates (`ilp`: the
/// steady-rate optimum, with its bound and gap); `auto` with a judge
/// reports the judge's times. `lowerBound` is §4's bound.
public enum CollectivePlanner {
    /// Plans `instance` with `method`.
    ///
    /// - Parameter judge: scores a candidate plan's largest job time (seconds);
    ///   `auto` keeps the candidate it scores lowest.
    /// - Throws: ``PlanningError/noSolver`` for `ilp` without a solver,
    ///   ``PlanningError/solverFailed(_:)`` when the solver returns nothing usable.
    /// - Complexity: `fixed` O(pairs·log pairs); `matched` see its file;
    ///   `ilp` bounded by `options.timeLimit`.
    public static func plan(_ instance: CollectiveInstance, method: CollectiveMethod, options: PlanningOptions = PlanningOptions(),
                            judge: (@Sendable (CollectivePlan) -> [Double]?)? = nil) throws -> CollectivePlan {
        let clock = ContinuousClock()
        let began = clock.now
        func seconds() -> Double {
            began.duration(to: clock.now).seconds
        }
        let model = CollectiveTimeModel(instance)
        switch method {
        case .fixed:
            let f = fixedPlan(instance)
            return plan(instance, f.circuits, f.rings, method: "fixed", status: .heuristic, times: model.jobTimes(circuits: f.circuits, rings: f.rings), seconds: seconds())
        case .matched:
            let m = matched(instance, model)
            return plan(instance, m.circuits, m.rings, method: "matched", status: .heuristic, times: model.jobTimes(circuits: m.circuits, rings: m.rings), seconds: seconds())
        case .ilp:
            guard let solver = options.solver else { throw PlanningError.noSolver }
            return try exact(instance, solver: solver, options: options, method: "ilp", seconds: seconds)
        case .auto:
            var candidates = try [CollectiveMethod.fixed, .matched].map { heuristic in
                var p = try plan(instance, method: heuristic, options: options)
                p.method = "auto:\(heuristic.rawValue)"
                return p
            }
            if instance.reconfigure, judge != nil {
                // The drain model's next port splits, for the judge to weigh.
                for alt in freeCandidates(instance, model).dropFirst().prefix(autoSplitCandidates) {
                    candidates.append(plan(instance, alt.plan.circuits, alt.plan.rings, method: "auto:matched", status: .heuristic,
                                           times: model.jobTimes(circuits: alt.plan.circuits, rings: alt.plan.rings), seconds: seconds()))
                }
            }
            var notes: [String] = []
            let nonzeros = exactNonzeroEstimate(instance)
            if let solver = options.solver {
                if AutoSizeRule.allowsExact(nonzeros: nonzeros, timeLimit: options.timeLimit) {
                    do {
                        // With given circuits, `matched`'s rings (already built above) are the warm start.
                        let p = try exact(instance, solver: solver, options: options, method: "auto:ilp", seconds: seconds,
                                          matched: instance.reconfigure ? nil : candidates[1].rings)
                        if p.status != .infeasible { candidates.append(p) }
                    } catch {
                        notes.append("the exact model failed (\(error)); the heuristics' plans were compared")
                    }
                } else {
                    notes.append(AutoSizeRule.skipNote(nonzeros: nonzeros, timeLimit: options.timeLimit))
                }
            } else {
                notes.append("no solver was given: the exact model was not tried")
            }
            if !instance.reconfigure, let judge, let current = instance.current,
               let orders = exhaustiveRingOrders(instance, limit: exhaustiveLimit) {
                // Few enough ring orders to try them all, each scored by the judge.
                for rings in orders {
                    let p = plan(instance, current, rings, method: "auto:exhaustive", status: .heuristic,
                                 times: model.jobTimes(circuits: current, rings: rings), seconds: seconds())
                    if let judged = judge(p) { candidates.append(with(p, times: judged, instance: instance)) }
                }
            }
            // The judge (the evaluator) decides; the drain model otherwise.
            var best = candidates[0], bestTime = Double.infinity
            for var c in candidates {
                if let judged = judge?(c) {
                    c = with(c, times: judged, instance: instance)
                }
                let t = c.metrics.time ?? .infinity
                if t < bestTime * (1 - 1e-12) { best = c; bestTime = t }
            }
            best.metrics.solveSeconds = seconds()
            if judge != nil { notes.append("candidates judged by the evaluator; times are the evaluator's") }
            best.notes = (best.notes ?? []) + notes
            return best
        }
    }

    /// How many of `matched`'s other free-circuit port splits (after its
    /// own choice, in the drain model's order) `auto` hands to its judge.
    public static let autoSplitCandidates = 3

    /// The most single-ring order combinations `auto` scores one by one
    /// with its judge when the circuits are given (every order of groups of
    /// up to 8 nodes: 7! = 5 040).
    public static let exhaustiveLimit = 5_040

    /// Every combination of one ring per allreduce (rotations fixed: the
    /// ring starts at the group's first node), or nil when there are more
    /// than `limit`.
    static func exhaustiveRingOrders(_ instance: CollectiveInstance, limit: Int) -> [[String: [CollectivePlan.Ring]]]? {
        var combos: [[String: [CollectivePlan.Ring]]] = [[:]]
        for job in instance.jobs {
            for c in job.collectives where c.kind == .allreduce {
                var count = 1
                for k in stride(from: c.group.count - 1, to: 1, by: -1) {
                    count *= k
                    if count * combos.count > limit { return nil }
                }
                let key = CollectiveInstance.key(job: job.name, collective: c.name)
                let orders = permutations(Array(c.group.dropFirst())).map { [c.group[0]] + $0 }
                combos = combos.flatMap { base in orders.map { o in var r = base; r[key] = [.init(order: o, bytes: c.bytes)]; return r } }
            }
        }
        return combos
    }

    /// All orders of `items`, in lexicographic order of positions.
    static func permutations(_ items: [Int]) -> [[Int]] {
        guard items.count > 1 else { return [items] }
        var out: [[Int]] = []
        for (i, x) in items.enumerated() {
            var rest = items
            rest.remove(at: i)
            for p in permutations(rest) { out.append([x] + p) }
        }
        return out
    }

    /// `matched`: fitted rings on the given circuits, or chosen circuits and
    /// rings when they are free (with the current circuits as a candidate).
    static func matched(_ instance: CollectiveInstance, _ model: CollectiveTimeModel) -> (circuits: [Circuit], rings: [String: [CollectivePlan.Ring]]) {
        if !instance.reconfigure, let current = instance.current {
            return (current, matchedGiven(instance, circuits: current))
        }
        let free = freeCandidates(instance, model).first!.plan
        guard let current = instance.current else { return free }
        let kept = (circuits: current, rings: matchedGiven(instance, circuits: current))
        return model.time(circuits: kept.circuits, rings: kept.rings) < model.time(circuits: free.circuits, rings: free.rings) ? kept : free
    }

    /// `matched`'s free-circuit candidates, fastest first under the drain
    /// model: ports split by volume, and for every `s` in `0..<k` (`k` the
    /// most ports of a node) `s` ports to the alltoalls at nodes in both
    /// kinds; duplicates dropped.
    static func freeCandidates(_ instance: CollectiveInstance, _ model: CollectiveTimeModel)
        -> [(plan: (circuits: [Circuit], rings: [String: [CollectivePlan.Ring]]), time: Double)] {
        let hasBoth = instance.jobs.contains { job in Set(job.collectives.map(\.kind)).count == 2 }
        let k = instance.fabric.ocsPortsPerNode.max() ?? 0
        var plans = [matchedFree(instance)]
        if hasBoth { for s in 0..<max(1, k) { plans.append(matchedFree(instance, alltoallShare: s)) } }
        var out: [(plan: (circuits: [Circuit], rings: [String: [CollectivePlan.Ring]]), time: Double)] = []
        var seen = Set<[Circuit]>()
        for p in plans {
            let sorted = p.circuits.sorted()
            guard seen.insert(sorted).inserted else { continue }
            out.append((p, model.time(circuits: p.circuits, rings: p.rings)))
        }
        // Stable: the split by volume first among equals.
        return out.enumerated().sorted { $0.element.time != $1.element.time ? $0.element.time < $1.element.time : $0.offset < $1.offset }.map(\.element)
    }

    /// Upper estimate of the steady-rate model's nonzeros.
    /// The rings an allreduce gets by default: the smallest port count in
    /// its group (every ring leaves each node over one port), at least one.
    static func ringCount(_ c: Collective, _ f: Fabric) -> Int {
        max(1, c.group.map { f.ocsPortsPerNode[$0] }.min() ?? 1)
    }

    static func exactNonzeroEstimate(_ instance: CollectiveInstance) -> Int {
        var total = 0
        var pairs = 0
        for job in instance.jobs {
            for c in job.collectives {
                let m = c.group.count
                pairs += m * (m - 1)
                if c.kind == .allreduce {
                    let r = ringCount(c, instance.fabric)
                    total += 8 * r * m * m
                }
            }
        }
        return total + 6 * pairs
    }

    /// `ilp` with the circuits given (`reconfigure: false`): the ring-order
    /// model (`CollectivePlanner+RingModel.swift`) for every ring count
    /// `R` from the smallest port count `R_c` of each group down to
    /// `⌊R_c/2⌋ + 1` (every smaller count is one of these with rings
    /// repeated: two slots of `S/4` are one ring of `S/2`), the same step
    /// for all allreduces; the variants in the order of their degree cut,
    /// each warm-started from `matched`'s rings rounded to its slots, the
    /// time left shared among those still to solve, and a variant skipped
    /// when its cut already reaches the best horizon found. Optimal when
    /// every variant was solved or skipped so.
    static func exactGiven(_ instance: CollectiveInstance, solver: any Solver, options: PlanningOptions, method: String,
                           seconds: () -> Double, matched known: [String: [CollectivePlan.Ring]]? = nil) throws -> CollectivePlan? {
        let circuits = instance.current ?? []
        let f = instance.fabric
        var base: [String: Int] = [:]
        for job in instance.jobs {
            for c in job.collectives where c.kind == .allreduce && c.group.count >= 2 {
                base[CollectiveInstance.key(job: job.name, collective: c.name)] = ringCount(c, f)
            }
        }
        let steps = base.values.map { $0 - $0 / 2 }.max() ?? 1
        var variants: [RingOrderModel] = []
        var seen = Set<[String: Int]>()
        for j in 0..<steps {
            let counts = base.mapValues { max($0 / 2 + 1, $0 - j) }
            guard seen.insert(counts).inserted else { continue }
            guard let m = RingOrderModel(instance, circuits: circuits, maxHops: instance.maxHops, ringCounts: counts) else { return nil }
            variants.append(m)
        }
        variants.sort { $0.cut < $1.cut }
        let matched = known ?? matchedGiven(instance, circuits: circuits)
        let limit = options.timeLimit.isFinite && options.timeLimit > 0 ? options.timeLimit : 30
        let began = seconds()
        var best: (model: RingOrderModel, rings: [String: [CollectivePlan.Ring]], tau: Double)? = nil
        var bound = Double.infinity
        var proven = true
        var notes: [String] = []
        for (i, m) in variants.enumerated() {
            if m.infeasible { continue }
            if let b = best, m.cut >= b.tau * (1 - 1e-9) { bound = min(bound, m.cut); continue }
            var o = options.solverOptions()
            o.timeLimit = max(0.5, (limit - (seconds() - began)) / Double(variants.count - i))
            var start: [String: [[Int]]] = [:]
            for (key, count) in m.ringCount { if let rings = matched[key], let s = slots(rings, count: count) { start[key] = s } }
            o.warmStart = m.warmStart(start)
            // The warm start is a plan of the model too: kept when the solver returns nothing better (a time limit in the root LP).
            if let w = o.warmStart, let tau = w[m.tau], best == nil || tau < best!.tau * (1 - 1e-12) {
                best = (m, m.rings(slots: start), tau)
            }
            let r: SolveResult
            do { r = try solver.solve(m.model, options: o) } catch { throw PlanningError.solverFailed("\(error)") }
            if case .rejected(let why) = r.warmStart, r.termination != .optimal { notes.append("warm start rejected: \(why)") }
            if r.termination == .infeasible { continue }
            guard r.hasSolution else { proven = false; bound = min(bound, m.cut); continue }
            let tau = r.value(m.tau)
            if r.termination != .optimal { proven = false }
            bound = min(bound, r.termination == .optimal ? tau : max(m.cut, r.bestBound ?? m.cut))
            if best == nil || tau < best!.tau * (1 - 1e-12) { best = (m, m.rings(r), tau) }
        }
        guard let found = best else {
            if proven {
                return CollectivePlan(method: method, status: .infeasible, metrics: PlanMetrics(objective: 0, solveSeconds: seconds()),
                                      circuits: [], rings: [:], notes: ["the ring-order model has no solution: some ring node or alltoall pair has no circuit route within maxHops and no packet fabric"])
            }
            throw PlanningError.solverFailed("the solver stopped before finding a solution")
        }
        let time = found.model.horizon * found.tau
        let lower = min(time, found.model.horizon * bound)
        var p = plan(instance, circuits, found.rings, method: method,
                     status: proven && lower >= time * (1 - 1e-9) ? .optimal : .feasible,
                     times: instance.jobs.map { _ in time }, seconds: seconds())
        p.metrics.bound = lower
        p.metrics.gap = SolveResult.gap(objective: time, bound: lower)
        let r = found.model.ringCount.values.sorted()
        p.notes = ["times are the steady-rate model's (all jobs share one horizon); \(r.count == 1 ? "\(r[0]) equal ring slot\(r[0] == 1 ? "" : "s")" : "equal ring slots per allreduce \(r)")"] + notes
        return p
    }

    /// `matched`: `matchedGiven`'s rings when the caller has them (given circuits).
    static func exact(_ instance: CollectiveInstance, solver: any Solver, options: PlanningOptions, method: String,
                      seconds: () -> Double, matched: [String: [CollectivePlan.Ring]]? = nil) throws -> CollectivePlan {
        if !instance.reconfigure, let p = try exactGiven(instance, solver: solver, options: options, method: method,
                                                        seconds: seconds, matched: matched) { return p }
        guard let m = SteadyRateModel(instance) else {
            // No traffic: nothing to decide.
            let f = fixedPlan(instance)
            return plan(instance, f.circuits, f.rings, method: method, status: .optimal,
                        times: instance.jobs.map { _ in instance.startDelay(for: f.circuits) }, seconds: seconds())
        }
        var o = options.solverOptions()
        o.timeLimit = options.timeLimit.isFinite && options.timeLimit > 0 ? options.timeLimit : 30
        let r: SolveResult
        do { r = try solver.solve(m.model, options: o) } catch { throw PlanningError.solverFailed("\(error)") }
        guard r.hasSolution else {
            if r.termination == .infeasible {
                return CollectivePlan(method: method, status: .infeasible, metrics: PlanMetrics(objective: 0, solveSeconds: seconds()),
                                      circuits: [], rings: [:], notes: ["the steady-rate model has no solution"])
            }
            throw PlanningError.solverFailed("the solver stopped (\(r.termination)) before finding a solution")
        }
        let circuits = instance.reconfigure ? m.circuits(r) : (instance.current ?? [])
        let rings = m.rings(r)
        let start = instance.startDelay(for: circuits)
        let time = start + m.horizon(r)
        let boundTheta = r.bestBound ?? r.value(m.theta)
        let bound = start + (boundTheta > 1e-12 ? m.horizon / boundTheta : 0)
        var p = plan(instance, circuits, rings, method: method, status: r.termination == .optimal ? .optimal : .feasible,
                     times: instance.jobs.map { _ in time }, seconds: seconds())
        p.metrics.bound = min(bound, time)
        p.metrics.gap = SolveResult.gap(objective: time, bound: min(bound, time))
        p.notes = ["times are the steady-rate model's (all jobs share one horizon)"]
        return p
    }

    /// A plan with its metrics: `time` the largest job time, §4's bounds.
    static func plan(_ instance: CollectiveInstance, _ circuits: [Circuit], _ rings: [String: [CollectivePlan.Ring]], method: String,
                     status: PlanStatus, times: [Double], seconds: Double) -> CollectivePlan {
        let p = CollectivePlan(method: method, status: status, metrics: PlanMetrics(objective: 0, solveSeconds: seconds),
                               circuits: circuits.sorted(), rings: rings)
        return with(p, times: times, instance: instance)
    }

    /// `plan` with its job times replaced (and the bounds recomputed).
    ///
    /// A job whose time is not finite cannot finish: some transfer of it has
    /// no circuit path within `maxHops` and no packet fabric between its
    /// ends. Such a plan is `infeasible`, without times (a file cannot hold
    /// an infinite one), with a note naming the jobs.
    static func with(_ plan: CollectivePlan, times: [Double], instance: CollectiveInstance) -> CollectivePlan {
        var p = plan
        let stuck = instance.jobs.indices.filter { !times[$0].isFinite }.map { instance.jobs[$0].name }
        if !stuck.isEmpty {
            p.status = .infeasible
            p.metrics.objective = 0
            p.metrics.time = nil
            p.metrics.jobs = nil
            p.notes = (p.notes ?? []) + ["\(stuck.count == 1 ? "job" : "jobs") \(stuck.joined(separator: ", ")) cannot finish on these circuits: "
                + "a transfer has no circuit path within maxHops \(instance.maxHops) and no packet fabric between its ends"]
            return p
        }
        let bounds = instance.jobLowerBounds(startDelay: instance.startDelay(for: plan.circuits))
        var jobs: [String: CollectiveJobTime] = [:]
        for (j, job) in instance.jobs.enumerated() { jobs[job.name] = CollectiveJobTime(time: times[j], lowerBound: bounds[j]) }
        let worst = times.max() ?? 0
        p.metrics.objective = worst
        p.metrics.time = worst
        p.metrics.lowerBound = bounds.max() ?? 0
        p.metrics.jobs = jobs
        return p
    }
}
