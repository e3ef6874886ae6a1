import ArgumentParser
import Foundation
import OptoCore
import OptoEval
import OptoGLPK
import OptoPlanners

extension StaggerMethod: ExpressibleByArgument {}

/// `optoplan stagger INSTANCE [--method M] [--time-limit S] [--output PLAN] [--priorities]
/// [--select-by-evaluation [--iterations N] [--evaluations N]]`:
/// staggered job-communication windows (PROBLEMS.md §3).
public struct StaggerCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "stagger",
        abstract: "Offset training jobs so their communication phases interleave on shared links.",
        discussion: """
        Methods: ilp (exact, GLPK; total excess, ties by lower peak), greedy \
        (descending volume, then local search), aligned (every offset 0, no \
        planning), auto (greedy, then the exact model warm-started from it). \
        The plan JSON goes to --output (written atomically) or standard \
        output; a summary goes to standard error.

        Example:
          optoplan stagger datasets/stagger/vgg16-x3.json --time-limit 10 --output jobs.plan.json
        """
    )

    @Argument(help: "The stagger instance (JSON).")
    public var instance: String

    @Option(help: "auto, ilp, greedy or aligned.")
    public var method: StaggerMethod = .auto

    @Option(name: .shortAndLong, help: "Write the plan here instead of standard output.")
    public var output: String?

    @Flag(help: "Also plan a priority order (shortest communication first among colliding jobs) for the evaluator.")
    public var priorities = false

    @Flag(help: ArgumentHelp("Choose, among the plan, the greedy plan, priority orders and single-job offset moves, the one the evaluator runs fastest (mean iteration slowdown).",
                             discussion: "Costs up to --evaluations dynamic runs of every job (10 s at most); the plan may then trade excess for evaluated iteration time."))
    public var selectByEvaluation = false

    @Option(help: "Iterations per job the evaluator runs when selecting (default 20, as optoplan evaluate).")
    public var iterations = 20

    @Option(help: "Most evaluator runs when selecting (default 200).")
    public var evaluations = 200

    @OptionGroup public var search: ExactSearchOptions

    public func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        guard evaluations >= 1 else { throw ValidationError("--evaluations must be at least 1") }
    }

    public init() {}

    public func run() throws {
        let instance = try CLIFiles.loadStaggerInstance(instance)
        let options = try search.planningOptions()
        let session = ExactSolveSession(search.display, output: output)
        defer { session.finish() }
        let plan: StaggerPlan
        do {
            plan = try session.run(options) { try StaggerPlanner.plan(instance, method: method, options: $0, priorities: priorities) }
        } catch let error as StaggerError {
            StandardError.print("error: \(self.instance): \(error)")
            throw ExitStatus.badInput
        } catch {
            StandardError.print("error: \(error)")
            throw ExitStatus.infeasible
        }
        var chosen = plan
        if selectByEvaluation {
            chosen = try Self.selected(plan, alsoGreedy: method == .ilp || method == .auto, instance: instance,
                                       iterations: iterations, evaluations: evaluations)
        }
        let saved = session.annotate(chosen)
        try CLIFiles.savePlan(.stagger(saved), to: output)
        StandardError.print(Self.summary(saved, jobs: instance.jobs.count))
    }

    /// `plan` (and the greedy plan, when `plan` came from the exact model)
    /// handed to ``StaggerPlanner/select(_:from:cost:options:)`` with the
    /// evaluator's mean slowdown as the cost.
    static func selected(_ plan: StaggerPlan, alsoGreedy: Bool, instance: StaggerInstance, iterations: Int,
                         evaluations: Int) throws -> StaggerPlan {
        var candidates = [plan]
        if alsoGreedy {
            candidates.append(try StaggerPlanner.plan(instance, method: .greedy))
        }
        do {
            let scorer = try StaggerSlowdownScorer(instance, iterations: iterations)
            var options = StaggerPlanner.SelectionOptions()
            options.maxEvaluations = evaluations
            var chosen = try StaggerPlanner.select(instance, from: candidates, cost: scorer.meanSlowdown, options: options).plan
            chosen.notes = (chosen.notes ?? []).map { $0.hasPrefix("chosen by evaluated cost") ? $0 + " (mean slowdown over \(iterations) iterations)" : $0 }
            return chosen
        } catch let error as EvaluationError {
            StandardError.print("error: selecting by evaluation: \(error)")
            throw ExitStatus.badInput
        }
    }

    /// The human summary printed on standard error.
    static func summary(_ plan: StaggerPlan, jobs: Int) -> String {
        let m = plan.metrics
        var s = "stagger \(plan.method) (\(plan.status.rawValue)): \(jobs) jobs, "
        let excess = m.excess ?? m.objective
        s += excess == 0 ? "collision-free" : "excess \(String(format: "%.4g", excess)) bits (\(Quantity.format(excess / 8, as: .volume))) per hyper-period"
        s += String(format: ", peak %.3f× capacity, compatibility %.3f", m.peak ?? 0, m.compatibility ?? 0)
        if let gap = m.gap { s += String(format: ", gap %.2f%%", 100 * gap) }
        s += String(format: ", %.3f s", m.solveSeconds)
        for note in plan.notes ?? [] { s += "\n  note: \(note)" }
        return s
    }
}
