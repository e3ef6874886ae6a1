import ArgumentParser
import Foundation
import OptoCore
import OptoEval
import OptoPlanners

extension CollectiveMethod: ExpressibleByArgument {}

/// `optoplan collective INSTANCE [--method M] [--time-limit S] [--output PLAN]`:
/// collective-aware circuit planning (PROBLEMS.md §4).
public struct CollectiveCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "collective",
        abstract: "Choose circuits and the collectives' ring orders together, so the rings run along circuits.",
        discussion: """
        Methods: fixed (rank-order rings, the NCCL default; circuits as given \
        or a max-weight b-matching on the rings' traffic), matched (rings laid \
        along circuits: co-prime stride rings on free circuits, Hamiltonian \
        cycles of given circuits), ilp (exact for the steady-rate model on \
        small instances, GLPK), auto (fixed, matched and, where the size rule \
        allows, ilp; the evaluator picks the fastest). Times in the plan are \
        the planner's model's (auto: the evaluator's); `optoplan evaluate` \
        gives the evaluator's figures for any plan.

        Example:
          optoplan collective datasets/collective/five-servers-ring.json --method matched
        """
    )

    @Argument(help: "The collective instance (JSON).")
    public var instance: String

    @Option(help: "auto, ilp, matched or fixed.")
    public var method: CollectiveMethod = .auto

    @Option(name: .shortAndLong, help: "Write the plan here instead of standard output.")
    public var output: String?

    @OptionGroup public var search: ExactSearchOptions

    public init() {}

    public func run() throws {
        guard case .collective(let instance) = try CLIFiles.loadInstance(instance, expecting: .collective) else { throw ExitStatus.badInput }
        let options = try search.planningOptions()
        let session = ExactSolveSession(search.display, output: output)
        defer { session.finish() }
        let plan: CollectivePlan
        do {
            plan = session.annotate(try session.run(options) {
                try CollectivePlanner.plan(instance, method: method, options: $0, judge: Self.judge(instance))
            })
        } catch {
            StandardError.print("error: \(error)")
            throw ExitStatus.infeasible
        }
        try CLIFiles.savePlan(.collective(plan), to: output)
        StandardError.print(Self.summary(plan))
        if plan.status == .infeasible { throw ExitStatus.infeasible }
    }

    /// The evaluator as `auto`'s judge: each job's evaluated time (nil when it cannot run).
    public static func judge(_ instance: CollectiveInstance) -> @Sendable (CollectivePlan) -> [Double]? {
        { plan in
            guard let m = try? Evaluator.evaluate(plan, on: instance), let jobs = m.collectiveJobs else { return nil }
            return instance.jobs.map { jobs[$0.name]?.time ?? .infinity }
        }
    }

    /// The human summary on standard error: time, bound, ratio, circuits, status.
    static func summary(_ plan: CollectivePlan) -> String {
        let m = plan.metrics
        var s = "collective \(plan.method) (\(plan.status.rawValue)): "
        if plan.status == .infeasible {
            s += "no plan"
        } else {
            let t = m.time ?? 0, lb = m.lowerBound ?? 0
            s += "time \(Quantity.format(t, as: .time)), lower bound \(Quantity.format(lb, as: .time))"
            if lb > 0 { s += String(format: " (%.3f×)", t / lb) }
            s += ", \(plan.circuits.count) circuit\(plan.circuits.count == 1 ? "" : "s")"
            s += ", \(plan.rings.values.reduce(0) { $0 + $1.count }) ring\(plan.rings.values.reduce(0) { $0 + $1.count } == 1 ? "" : "s")"
        }
        if let gap = m.gap { s += String(format: ", gap %.2f%%", 100 * gap) }
        s += String(format: ", %.3f s", m.solveSeconds)
        for note in plan.notes ?? [] { s += "\n  note: \(note)" }
        return s
    }
}
