import OptoCore

extension StaggerPlanner {
    /// How ``select(_:from:cost:options:)`` searches.
    public struct SelectionOptions: Sendable {
        /// Most calls of the cost (candidates included).
        public var maxEvaluations: Int
        /// Wall-clock limit in seconds for the whole selection.
        public var timeLimit: Double
        /// Offsets tried per job in each local-search sweep, the best by
        /// nominal (excess, peak) first; 0 turns the local search off.
        public var offsetsPerJob: Int
        /// Polled between evaluations; true stops with the best so far.
        public var shouldStop: (@Sendable () -> Bool)?

        /// Defaults: 200 evaluations, 10 s, 8 offsets per job.
        public init(maxEvaluations: Int = 200, timeLimit: Double = 10, offsetsPerJob: Int = 8,
                    shouldStop: (@Sendable () -> Bool)? = nil) {
            self.maxEvaluations = maxEvaluations
            self.timeLimit = timeLimit
            self.offsetsPerJob = offsetsPerJob
            self.shouldStop = shouldStop
        }
    }

    /// What ``select(_:from:cost:options:)`` chose and how.
    public struct Selection: Sendable {
        /// The chosen plan: offsets, priority order, metrics of its offsets.
        public var plan: StaggerPlan
        /// Its cost.
        public var cost: Double
        /// Every candidate's label and cost, in the order scored.
        public var candidates: [Candidate]
        /// Calls of the cost, candidates included.
        public var evaluations: Int
        /// Local-search moves kept.
        public var moves: Int

        /// One candidate: a plan's offsets with one priority order.
        public struct Candidate: Sendable, Equatable {
            /// `method` or `method+order` (see ``StaggerPlanner/PriorityRule``).
            public var label: String
            /// Its cost.
            public var cost: Double
        }
    }

    /// The priority orders ``select(_:from:cost:options:)`` tries on every
    /// candidate's offsets (besides none).
    public enum PriorityRule: String, Sendable, CaseIterable {
        /// ``priorityOrder(_:score:)``: jobs that collide under the plan
        /// first, shortest communication first.
        case collidingFirst = "colliding-first"
        /// Shortest period first (the job that finishes its phase soonest
        /// after a collision gets out of the way).
        case shortestPeriod = "shortest-period"
        /// Smallest communication share of the period first (the job that
        /// a stretched phase hurts most in relative terms).
        case smallestShare = "smallest-share"

        /// The order for `offsets` on `grid`.
        ///
        /// - Complexity: O(jobs log jobs) after scoring the offsets.
        public func order(_ grid: StaggerGrid, offsets: [Int]) -> [String] {
            let keyed: [(Double, Int)]
            switch self {
            case .collidingFirst:
                return StaggerPlanner.priorityOrder(grid, score: grid.score(offsets: offsets))
            case .shortestPeriod:
                keyed = grid.jobs.indices.map { (Double(grid.jobs[$0].period), $0) }
            case .smallestShare:
                keyed = grid.jobs.indices.map { (Double(grid.jobs[$0].communicationSlots) / Double(grid.jobs[$0].period), $0) }
            }
            return keyed.sorted { $0 < $1 }.map { grid.jobs[$0.1].name }
        }
    }

    /// Evaluate and select: among `plans` and priority orders for them,
    /// then single-job offset moves, the plan with the lowest `cost` — for
    /// instance the evaluator's mean iteration slowdown, which the excess
    /// objective only approximates (the planner sees nominal phases on a
    /// fixed grid; the evaluator's jobs stretch and drift).
    ///
    /// 1. Candidates: each distinct set of offsets among `plans` (the first
    ///    plan with those offsets names it), without priorities and with
    ///    each ``PriorityRule``; the cheapest is the start.
    /// 2. Local search, keeping the start's priority rule: for each job in
    ///    turn, the `offsetsPerJob` offsets adding the least nominal excess
    ///    (ties: lower peak) with the other jobs fixed are scored, and the
    ///    first that lowers the cost is kept (the rule's order is recomputed
    ///    for the new offsets). Sweeps repeat until one keeps no move or the
    ///    budget (evaluations, time, `shouldStop`) runs out.
    ///
    /// The chosen plan keeps the status, method and bound of the plan it
    /// came from when its offsets are that plan's; otherwise it is
    /// `heuristic`, with the excess bound of the plan it came from. Its
    /// method gets the suffix `+evaluated`, and a note names the winner.
    ///
    /// A cost that throws rules that candidate or move out; if every
    /// candidate throws, the first error is rethrown.
    ///
    /// - Throws: ``StaggerError`` for a bad instance, offsets off its grid
    ///   or no plans (``StaggerError/noCandidates``), or the cost's error
    ///   (see above).
    /// - Complexity: at most `maxEvaluations` calls of `cost`, plus
    ///   O(P_k × |links_k| × active_k × H/P_k) per job and sweep to rank offsets.
    public static func select(_ instance: StaggerInstance, from plans: [StaggerPlan],
                              cost: (StaggerPlan) throws -> Double,
                              options: SelectionOptions = SelectionOptions()) throws -> Selection {
        let clock = ContinuousClock.now
        let grid = try StaggerGrid(instance)
        guard !plans.isEmpty else { throw StaggerError.noCandidates }
        var evaluations = 0
        var firstError: Error?
        func outOfBudget() -> Bool {
            evaluations >= options.maxEvaluations || elapsed(since: clock) >= options.timeLimit || (options.shouldStop?() ?? false)
        }
        func price(_ offsets: [Int], _ priorities: [String]?, like base: StaggerPlan) -> Double? {
            var p = base
            p.offsets = grid.offsetSeconds(offsets)
            p.priorities = priorities
            evaluations += 1
            do { return try cost(p) } catch {
                if firstError == nil { firstError = error }
                return nil
            }
        }

        // 1. Candidates.
        var seen: [[Int]] = []
        var candidates: [Selection.Candidate] = []
        var best: (base: Int, offsets: [Int], rule: PriorityRule?, cost: Double)?
        for (i, plan) in plans.enumerated() {
            let offsets = try grid.offsetSlots(plan.offsets)
            if seen.contains(offsets) { continue }
            seen.append(offsets)
            for rule in [nil] + PriorityRule.allCases.map(Optional.some) {
                // The first candidate is always scored, whatever the budget.
                if !candidates.isEmpty && outOfBudget() { break }
                guard let c = price(offsets, rule?.order(grid, offsets: offsets), like: plan) else { continue }
                candidates.append(.init(label: plan.method + (rule.map { "+" + $0.rawValue } ?? ""), cost: c))
                if best == nil || c < best!.cost { best = (i, offsets, rule, c) }
            }
        }
        guard var chosen = best else { throw firstError ?? StaggerError.noCandidates }

        // 2. Local search on the cost.
        var moves = 0
        var improved = options.offsetsPerJob > 0
        let movable = grid.jobs.indices.filter { grid.jobs[$0].isLoaded && grid.jobs[$0].period > 1 }
        sweeps: while improved {
            improved = false
            for k in movable {
                if outOfBudget() { break sweeps }
                for o in rankedOffsets(grid, offsets: chosen.offsets, job: k).prefix(options.offsetsPerJob) where o != chosen.offsets[k] {
                    if outOfBudget() { break sweeps }
                    var trial = chosen.offsets
                    trial[k] = o
                    guard let c = price(trial, chosen.rule?.order(grid, offsets: trial), like: plans[chosen.base]) else { continue }
                    if c < chosen.cost - 1e-12 * max(1, abs(chosen.cost)) {
                        chosen.offsets = trial
                        chosen.cost = c
                        moves += 1
                        improved = true
                        break
                    }
                }
            }
        }

        // The chosen plan.
        let base = plans[chosen.base]
        var plan = base
        plan.method = base.method + "+evaluated"
        plan.offsets = grid.offsetSeconds(chosen.offsets)
        plan.priorities = chosen.rule?.order(grid, offsets: chosen.offsets)
        if try grid.offsetSlots(base.offsets) != chosen.offsets {
            let score = grid.score(offsets: chosen.offsets)
            plan.status = .heuristic
            plan.metrics.objective = score.excess
            plan.metrics.excess = score.excess
            plan.metrics.peak = score.peak
            plan.metrics.compatibility = score.compatibility
            if let b = plan.metrics.bound {
                plan.metrics.bound = min(b, score.excess)
                plan.metrics.gap = score.excess <= 0 ? 0 : (score.excess - min(b, score.excess)) / score.excess
            }
        }
        plan.metrics.solveSeconds = base.metrics.solveSeconds + elapsed(since: clock)
        let label = base.method + (chosen.rule.map { "+" + $0.rawValue } ?? "") + (moves > 0 ? " and \(moves) local-search move(s)" : "")
        let start = candidates.first.map { String(format: "; %@ alone: %.4f", $0.label, $0.cost) } ?? ""
        plan.notes = (base.notes ?? []) + [String(format: "chosen by evaluated cost %.4f: %@, best of %d candidate(s) and %d evaluation(s)%@",
                                                  chosen.cost, label, candidates.count, evaluations, start)]
        return Selection(plan: plan, cost: chosen.cost, candidates: candidates, evaluations: evaluations, moves: moves)
    }

    /// Job `k`'s offsets by the nominal (excess, peak) they give with every
    /// other job where `offsets` puts it, best first (ties: smaller offset).
    ///
    /// - Complexity: O(L·H + P_k × |links_k| × active_k × H/P_k).
    static func rankedOffsets(_ grid: StaggerGrid, offsets: [Int], job k: Int) -> [Int] {
        var state = StaggerLoadState(grid: grid)
        for j in grid.jobs.indices where j != k && grid.jobs[j].isLoaded { state.place(j, at: offsets[j]) }
        let peaks = state.linkPeaks()
        let uses = Set(grid.jobs[k].links)
        var otherPeak = 0.0
        for l in 0..<grid.linkCount where !uses.contains(l) { otherPeak = max(otherPeak, peaks[l]) }
        let tolerance = 1e-9 * (grid.capacities.max() ?? 1)
        let trials = (0..<grid.jobs[k].period).map { o in (o, state.trial(k, at: o, linkPeaks: peaks, otherPeak: otherPeak)) }
        // Excess rounded to the tolerance so that rounding noise does not order ties.
        return trials.map { ((($0.1.excess / tolerance).rounded(), $0.1.peak), $0.0) }
            .sorted { ($0.0.0, $0.0.1, $0.1) < ($1.0.0, $1.0.1, $1.1) }.map(\.1)
    }
}
