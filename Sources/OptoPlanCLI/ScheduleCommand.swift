import ArgumentParser
import Foundation
import OptoCore
import OptoGLPK
import OptoPlanners

extension ScheduleMethod: ExpressibleByArgument {}

/// `optoplan schedule INSTANCE [--method M] [--time-limit S] [--slots M] [--output PLAN] [--actual ACTUAL]`:
/// circuit scheduling from predicted traffic (PROBLEMS.md §1).
public struct ScheduleCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Schedule optical circuits for one predicted matrix (window or makespan) or a series of epochs.",
        discussion: """
        Methods: ilp (exact, GLPK; reports bound and gap), solstice, bottleneck, eclipse, greedy, bvn, static, rotor, \
        auto (the default: the best heuristic, then the exact model warm-started from it within the time \
        limit). Window mode maximises the bytes served inside the window, or without a \
        window minimises the makespan (the lower bound of §1a is printed beside it); epochs mode maximises the \
        bytes served by the end of the last epoch (bvn, solstice and eclipse do not apply). --slots sets the \
        exact window-mode model's configuration slots M (default: max(2, N, the best heuristic's \
        configuration count up to 2N)); it has no effect in epochs mode. Exit status 1 when the instance has \
        no feasible plan (the plan, status infeasible, is still written), 64 for a method that does not \
        apply, 65 for bad input.

        --actual ACTUAL scores the plan, made on INSTANCE (a prediction, e.g. from `optoplan predict`), on \
        the actual traffic of ACTUAL (same fabric and number of epochs) and prints, per epoch, the bytes \
        served, the backlog and the circuits changed, predicted against actual.

        Example:
          optoplan schedule datasets/schedule/synthetic-n8-window.json --method solstice --output plan.json
        """
    )

    @Argument(help: "The schedule instance (JSON), usually a prediction.")
    public var instance: String

    @Option(help: "auto, ilp, solstice, bottleneck, eclipse, greedy, bvn, static or rotor.")
    public var method: ScheduleMethod = .auto

    @Option(help: "Configuration slots M of the exact window-mode model.")
    public var slots: Int?

    @Option(name: .shortAndLong, help: "Write the plan here instead of standard output.")
    public var output: String?

    @Option(help: "Score the plan on this instance's actual traffic and print the per-epoch comparison.")
    public var actual: String?

    @OptionGroup public var search: ExactSearchOptions

    public init() {}

    public func validate() throws {
        if let s = slots, s < 1 { throw ValidationError("--slots must be at least 1") }
    }

    public func run() throws {
        let inst = try CLIFiles.loadScheduleInstance(instance)
        if slots != nil, case .epochs = inst.mode { StandardError.print("note: --slots has no effect in epochs mode") }
        var options = try search.planningOptions()
        options.slots = slots
        let session = ExactSolveSession(search.display, output: output)
        defer { session.finish() }
        let plan: SchedulePlan
        do {
            plan = session.annotate(try session.run(options) { try SchedulePlanner.plan(inst, method: method, options: $0) })
        } catch let error as ScheduleError {
            StandardError.print("error: \(self.instance): \(error)")
            throw ExitStatus.badInput
        } catch let error as PlanningError {
            StandardError.print("error: \(error)")
            if case .methodNotApplicable = error { throw ExitStatus.badArguments }
            throw ExitStatus.infeasible
        }
        var comparison: String? = nil
        if let actualPath = actual {
            let truth = try CLIFiles.loadScheduleInstance(actualPath)
            do {
                comparison = try Self.compare(plan, predicted: inst, actual: truth)
            } catch {
                StandardError.print("error: \(actualPath): \(error)")
                throw ExitStatus.badInput
            }
        }
        try CLIFiles.savePlan(.schedule(plan), to: output)
        StandardError.print(Self.summary(plan, windowed: { if case .window(_, let w) = inst.mode { return w != nil }; return false }()))
        if plan.status == .infeasible { throw ExitStatus.infeasible }
        if let comparison { StandardError.print(comparison) }
    }

    /// The human summary printed on standard error.
    static func summary(_ plan: SchedulePlan, windowed: Bool) -> String {
        let m = plan.metrics
        var s = "schedule \(plan.method) (\(plan.status.rawValue)): "
        if let epochs = plan.epochs {
            s += "\(epochs.count) epochs, served \(Quantity.format(m.servedBytes ?? 0, as: .volume)), "
            s += "backlog \(Quantity.format(m.backlogBytes ?? 0, as: .volume)), \(m.circuitsChanged ?? 0) circuits changed"
        } else {
            s += "\(plan.configurations?.count ?? 0) configurations, served \(Quantity.format(m.servedBytes ?? 0, as: .volume))"
            if let t = m.makespan { s += ", makespan \(Quantity.format(t, as: .time))" }
            if !windowed, let lb = m.lowerBound, lb > 0, let t = m.makespan { s += String(format: " (%.4f× the lower bound)", t / lb) }
        }
        if let gap = m.gap { s += String(format: ", gap %.3f%%", 100 * gap) }
        if let slots = m.slots { s += ", M = \(slots)" }
        s += String(format: ", %.3f s", m.solveSeconds)
        for note in plan.notes ?? [] { s += "\n  note: \(note)" }
        return s
    }

    /// Plan on the prediction, score on the actual traffic: a table per
    /// epoch (epochs mode) or one line (window mode).
    static func compare(_ plan: SchedulePlan, predicted: ScheduleInstance, actual: ScheduleInstance) throws -> String {
        switch (predicted.mode, actual.mode) {
        case (.epochs(let pe), .epochs(let ae)):
            guard pe.count == ae.count else {
                throw ScheduleError.invalidInstance("the actual series has \(ae.count) epochs, the prediction \(pe.count)")
            }
            let p = try ScheduleScoring.scoreEpochs(predicted, epochs: plan.epochs ?? [])
            let a = try ScheduleScoring.scoreEpochs(actual, epochs: plan.epochs ?? [])
            var lines = ["epoch  predicted served  actual served  actual demand  actual backlog  circuits changed"]
            for e in ae.indices {
                func cell(_ v: Double, _ w: Int) -> String {
                    let t = Quantity.format(v, as: .volume)
                    return String(repeating: " ", count: max(0, w - t.count)) + t
                }
                let idx = String(e), ch = String(a.changedPerEpoch[e])
                lines.append(String(repeating: " ", count: max(0, 5 - idx.count)) + idx + "  "
                             + cell(p.servedPerEpoch[e], 16) + "  " + cell(a.servedPerEpoch[e], 13) + "  "
                             + cell(ae[e].demand.total, 13) + "  " + cell(a.backlogPerEpoch[e], 14) + "  "
                             + String(repeating: " ", count: max(0, 16 - ch.count)) + ch)
            }
            lines.append("total: predicted \(Quantity.format(p.servedBytes, as: .volume)) served, actual \(Quantity.format(a.servedBytes, as: .volume)) served, "
                         + "backlog \(Quantity.format(a.backlogBytes, as: .volume)), \(a.circuitsChanged) circuits changed")
            return lines.joined(separator: "\n")
        case (.window, .window):
            let p = try ScheduleScoring.score(predicted, configurations: plan.configurations ?? [])
            let a = try ScheduleScoring.score(actual, configurations: plan.configurations ?? [])
            var s = "predicted: served \(Quantity.format(p.servedBytes, as: .volume)), makespan \(Quantity.format(p.makespan, as: .time))\n"
            s += "actual:    served \(Quantity.format(a.servedBytes, as: .volume)), unserved \(Quantity.format(a.unservedBytes, as: .volume))"
            s += a.makespan.isFinite ? ", makespan \(Quantity.format(a.makespan, as: .time))" : ", never completes"
            return s
        default:
            throw ScheduleError.invalidInstance("the actual instance is not in the same mode as the prediction")
        }
    }
}
