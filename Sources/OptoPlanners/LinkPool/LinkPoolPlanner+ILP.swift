import Foundation
import OptoCore
import OptoModel

/// What the exact method found: the allocation, its status, bound and notes.
struct LinkPoolExactOutcome {
    var allocation: LinkPoolAllocation?
    var status: PlanStatus
    /// The best proven bound on the objective, in plan units.
    var bound: Double?
    var notes: [String]
    /// False when the search stopped unproven before the solver answered
    /// anything (the allocation is then only the start it was given).
    var solverAnswered = true
}

extension LinkPoolProblem {
    /// Solves the exact model lexicographically: best objective, then the
    /// fewest circuits (see the formulation notes in
    /// `LinkPoolPlanner+Formulation.swift`).
    ///
    /// - Parameters:
    ///   - symmetric: force `n[i][j] = n[j][i]`.
    ///   - start: an allocation handed to stage 1 as its warm start.
    /// - Complexity: two MIP solves, each within its share of the time limit
    ///   (stage 1 up to 90 %, stage 2 what is left, at most a quarter of
    ///   the limit or 1 s, whichever is more).
    func solveExact(symmetric: Bool, settings: LinkPoolSolveSettings, start: LinkPoolAllocation?) throws -> LinkPoolExactOutcome {
        if transit {
            // The 1-hop optimum is a transit plan too (its circuits, routed
            // with transit, carry at least as much): it starts the search
            // when it beats the given start, so the transit method is never
            // below the 1-hop one, even when its own search stops unproven.
            var better = start
            var notes: [String] = []
            var oneHop = self
            oneHop.maxHops = 1
            let began = ContinuousClock.now
            var quick = settings
            quick.timeLimit = max(0.05, 0.2 * settings.timeLimit)
            quick.progress = nil
            if transitZeroLambdaReason() == nil,
               let counts = (try? oneHop.solveExact(symmetric: symmetric, settings: quick, start: nil))?.allocation?.counts,
               let routed = try? routedAllocation(counts, solver: settings.solver, timeLimit: quick.timeLimit),
               routed.objective > (start?.objective ?? -1) * (1 + 1e-9) {
                better = routed
                notes.append("the transit search started from the 1-hop exact plan's circuits, routed with transit")
            }
            transitTrace("1-hop start done at \(String(format: "%.2f", (ContinuousClock.now - began).seconds)) s, start λ \(better?.objective ?? -1)")
            var rest = settings
            // What the 1-hop start did not use goes to the transit search.
            rest.timeLimit = max(0.05, settings.timeLimit - (ContinuousClock.now - began).seconds)
            var outcome = objective == .concurrent
                ? try searchConcurrentTransit(symmetric: symmetric, settings: rest, start: better)
                : try solveThroughputTransit(symmetric: symmetric, settings: rest, start: better)
            outcome.notes = notes + outcome.notes
            return outcome
        }
        if objective == .concurrent {
            return try searchConcurrent(symmetric: symmetric, settings: settings, start: start)
        }
        let clock = ContinuousClock()
        let began = clock.now
        var notes: [String] = []
        let limit = max(settings.timeLimit, 0.01)

        // Stage 1: the best objective.
        let stage1 = LinkPoolFormulation(self, symmetric: symmetric)
        if stage1.model.variableCount == 0 {
            // Nothing to decide (no demand, no current circuits): the empty allocation.
            let empty = allocation([Int](repeating: 0, count: n * n))
            return LinkPoolExactOutcome(allocation: empty, status: .optimal, bound: empty.objective, notes: [])
        }
        let factor = stage1.unscaled(1)
        var options = SolverOptions(timeLimit: limit * 0.9, relativeGap: settings.relativeGap, verbose: settings.verbose,
                                    progress: settings.progress.map { report in
                                        { @Sendable (s: SolveProgress) in
                                            var out = s
                                            out.incumbent = s.incumbent.map { $0 * factor }
                                            out.bestBound = s.bestBound.map { $0 * factor }
                                            report(out)
                                        }
                                    },
                                    shouldStop: settings.shouldStop)
        if let start, let ws = stage1.warmStart(start) { options.warmStart = ws }
        // Gomory cuts close most of stage 1's gap on these models (measured
        // with optoplan-bench linkpool: N = 16 proofs go from >10 s to <1 s).
        options.cuts.gomory = true
        let r1: SolveResult
        do {
            r1 = try settings.solver.solve(stage1.model, options: options)
        } catch {
            throw PlanningError.solverFailed("\(error)")
        }
        if case .rejected(let why) = r1.warmStart { notes.append("warm start not used: \(why)") }

        if let infeasible = try stageOneVerdict(r1, notes: notes) { return infeasible }
        let proven = r1.termination == .optimal
        var bound = r1.bestBound.map { stage1.unscaled($0) }
        let first = allocation(stage1.counts(r1))
        if !proven {
            notes.append("stage 1 (objective) stopped by \(r1.termination) after \(String(format: "%.3f", r1.solveSeconds)) s, before proving optimality")
        }

        // Stage 2: the fewest circuits at (to tolerance) that objective.
        var chosen = first
        let remaining = limit - began.duration(to: clock.now).seconds
        let z1 = stage1.scaled(first.objective)
        let floor = z1 - 1e-7 * max(1, abs(z1))
        var fewestProven = false
        if first.counts.reduce(0, +) > 0 && remaining > 0.005 && !(settings.shouldStop?() ?? false) {
            let stage2 = LinkPoolFormulation(self, symmetric: symmetric, stage2Floor: floor)
            // The tie-break gets at most a quarter of the limit (at least 1 s):
            // the objective is what the time limit is for.
            let share = min(remaining, max(1, 0.25 * limit))
            var o2 = SolverOptions(timeLimit: max(share, 0.01), verbose: settings.verbose, shouldStop: settings.shouldStop)
            if let ws = stage2.warmStart(first) { o2.warmStart = ws }
            if let r2 = try? settings.solver.solve(stage2.model, options: o2), r2.hasSolution {
                if r2.termination != .optimal {
                    notes.append("stage 2 (fewest circuits) stopped by \(r2.termination) after \(String(format: "%.3f", r2.solveSeconds)) s")
                }
                let second = allocation(stage2.counts(r2))
                let tol = 1e-9 * max(abs(first.objective), 1e-300)
                if second.objective >= first.objective - tol && violation(second.counts) == nil
                    && second.counts.reduce(0, +) <= first.counts.reduce(0, +) {
                    chosen = second
                    fewestProven = r2.termination == .optimal
                }
            }
        }
        if !fewestProven {
            // Remove what carries nothing, within the budget.
            chosen = pruned(chosen)
            if first.counts.reduce(0, +) > 0 { notes.append("the fewest circuits were not proven (stage 2 did not finish); circuits that carried nothing were removed") }
        }
        if let b = bound, proven {
            // An optimal stage 1 meets its bound; keep the exact figure.
            bound = max(b, chosen.objective)
        }
        return LinkPoolExactOutcome(allocation: chosen, status: proven ? .optimal : .feasible, bound: bound, notes: notes)
    }

    /// `counts` with every circuit removed whose removal does not lower the
    /// objective (within the change budget).
    func pruned(_ a: LinkPoolAllocation) -> LinkPoolAllocation {
        let state = GreedyState(self, counts: a.counts)
        switch objective {
        case .concurrent:
            var g = ConcurrentGreedy(state)
            g.prune()
            return allocation(g.state.counts)
        case .throughput:
            var g = ThroughputGreedy(state)
            g.prune()
            return allocation(g.state.counts)
        }
    }
}

extension LinkPoolProblem {
    /// Stage 1 of an exact link-pool model read (one-hop and transit
    /// alike): the infeasible outcome to return, or nil to go on with its
    /// solution. Throws when the solver stopped without any allocation.
    func stageOneVerdict(_ r1: SolveResult, notes: [String]) throws -> LinkPoolExactOutcome? {
        switch r1.termination {
        case .infeasible:
            return LinkPoolExactOutcome(allocation: nil, status: .infeasible, bound: nil,
                                        notes: notes + ["no allocation satisfies the port limits and the change budget"])
        case .unbounded, .infeasibleOrUnbounded, .numericalError, .otherError:
            if !r1.hasSolution { throw PlanningError.solverFailed("\(r1.termination): \(r1.message)") }
        case .optimal, .timeLimit, .interrupted:
            break
        }
        guard r1.hasSolution else {
            throw PlanningError.solverFailed("the solver stopped (\(r1.termination)) before finding any feasible allocation")
        }
        return nil
    }
}
