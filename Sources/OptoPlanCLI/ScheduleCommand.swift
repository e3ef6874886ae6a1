import ArgumentParser
import Foundation
import OptoCore
import OptoGLPK
import OptoModel
import OptoPlanners
import OptoTraffic

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

        Hedging (epochs mode, PROBLEMS.md §5): --history TRACE (a t,src,dst,demand CSV or an epochs \
        instance of the same nodes, in --history-unit) trains --predictor on the past and gives its one-step \
        residuals; --hedge Q plans on max(0, epoch demand + the per-pair Q-quantile of the residuals), \
        --scenarios K plans one circuit series for K demand series drawn from the residuals around the \
        instance's epochs (--seed), maximising the mean served bytes (methods auto, ilp or greedy).

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

    @Option(help: "Past traffic (a trace) whose predictor residuals hedge the plan (epochs mode).")
    public var history: String?

    @Option(help: "Unit of the --history trace's values.")
    public var historyUnit: String = "B"

    @Option(help: "Predictor whose residuals are used: auto, last, ewma, seasonal, shape.")
    public var predictor: String = "auto"

    @Option(help: "Plan on the per-pair Q-quantile of demand plus residual (with --history).")
    public var hedge: Double?

    @Option(help: "Plan on K scenarios drawn from the residuals (with --history).")
    public var scenarios: Int?

    @Option(help: "Seed of the scenario draws.")
    public var seed: UInt64 = 1

    @OptionGroup public var search: ExactSearchOptions

    public init() {}

    public func validate() throws {
        if let s = slots, s < 1 { throw ValidationError("--slots must be at least 1") }
        if hedge != nil && scenarios != nil { throw ValidationError("--hedge and --scenarios exclude each other") }
        if (hedge != nil || scenarios != nil) && history == nil { throw ValidationError("--hedge and --scenarios need --history TRACE") }
        if history != nil && hedge == nil && scenarios == nil { throw ValidationError("--history needs --hedge Q or --scenarios K") }
        if let q = hedge, !(q >= 0 && q <= 1) { throw ValidationError("--hedge must be a quantile between 0 and 1") }
        if let k = scenarios, !(k >= 1 && k <= 1000) { throw ValidationError("--scenarios must be 1 to 1000") }
        if scenarios != nil && ![.auto, .ilp, .greedy].contains(method) {
            throw ValidationError("--scenarios plans with auto, ilp or greedy")
        }
        guard (["auto"] + Predictor.kinds).contains(predictor) else {
            throw ValidationError("--predictor must be auto, \(Predictor.kinds.joined(separator: ", "))")
        }
        guard QuantityKind.volume.factor(of: historyUnit) != nil else {
            throw ValidationError("--history-unit: \"\(historyUnit)\" is not a volume unit")
        }
    }

    /// The residuals of the predictor trained on `--history`, checked against the instance.
    func residuals(for inst: ScheduleInstance) throws -> ForecastResiduals {
        guard case .epochs = inst.mode else {
            StandardError.print("error: \(instance): --hedge and --scenarios need an epochs-mode instance")
            throw ExitStatus.badArguments
        }
        let path = history ?? ""
        let series: TrafficSeries
        do {
            let (s, notes) = try TrafficSeries.read(contentsOf: CLIFiles.userURL(path), factor: QuantityKind.volume.factor(of: historyUnit) ?? 1)
            notes.forEach { StandardError.print("note: \($0)") }
            series = s
        } catch {
            StandardError.print("error: \(error)")
            throw ExitStatus.badInput
        }
        guard series.nodes == inst.fabric.nodes else {
            StandardError.print("error: \(path): the trace has \(series.nodes) nodes but \(instance) has \(inst.fabric.nodes)")
            throw ExitStatus.badInput
        }
        guard series.snapshots.count >= 3 else {
            StandardError.print("error: \(path): a history needs at least 3 snapshots")
            throw ExitStatus.badInput
        }
        let fitted: Predictor
        if predictor == "auto" {
            let c = Predictor.chooseAuto(training: series.snapshots)
            StandardError.print("note: \(c.note)")
            fitted = c.predictor
        } else {
            fitted = Predictor.fit(predictor, training: series.snapshots)?.predictor ?? .last
        }
        return ForecastResiduals(predictor: fitted, training: series.snapshots)
    }

    /// Plans the hedged problem (`--hedge` or `--scenarios`).
    func planHedged(_ inst: ScheduleInstance, options: PlanningOptions) throws -> SchedulePlan {
        let r = try residuals(for: inst)
        guard case .epochs(let epochs) = inst.mode else { throw ExitStatus.badArguments }
        if let q = hedge {
            let shift = r.quantile(q)
            let hedged = ScheduleInstance(fabric: inst.fabric, mode: .epochs(epochs.map {
                .init(duration: $0.duration, demand: ForecastResiduals.shifted($0.demand, by: shift))
            }), maxHops: inst.maxHops)
            var plan = try SchedulePlanner.plan(hedged, method: method, options: options)
            plan.notes = (plan.notes ?? []) + ["planned on the per-pair \(q)-quantile of demand plus residual; metrics are on that hedged demand"]
            return plan
        }
        var g = SeededGenerator(seed: seed)
        let k = scenarios ?? 1
        let drawn = r.scenarios(k, forecasts: epochs.map(\.demand), generator: &g)
        var plan = try SchedulePlanner.planScenarios(ScenarioEpochs(fabric: inst.fabric, durations: epochs.map(\.duration), scenarios: drawn,
                                                                    maxHops: inst.maxHops),
                                                     method: method, options: options)
        plan.notes = (plan.notes ?? []) + ["planned on \(k) scenarios drawn from the residuals (seed \(seed)); metrics are the mean over them"]
        return plan
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
            let hedged = history != nil
            if hedged, case .epochs = inst.mode {} else if hedged {
                StandardError.print("error: \(instance): --hedge and --scenarios need an epochs-mode instance")
                throw ExitStatus.badArguments
            }
            plan = session.annotate(try session.run(options) {
                hedged ? try planHedged(inst, options: $0) : try SchedulePlanner.plan(inst, method: method, options: $0)
            })
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
                comparison = try Self.compare(plan, predicted: inst, actual: truth, solver: options.solver)
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
            let transit = epochs.reduce(0.0) { $0 + ($1.transit ?? []).reduce(0) { $0 + $1.amount } }
            if transit > 0 { s += ", \(Quantity.format(transit, as: .volume)) over transit" }
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
    static func compare(_ plan: SchedulePlan, predicted: ScheduleInstance, actual: ScheduleInstance,
                        solver: (any Solver)? = nil) throws -> String {
        switch (predicted.mode, actual.mode) {
        case (.epochs(let pe), .epochs(let ae)):
            guard pe.count == ae.count else {
                throw ScheduleError.invalidInstance("the actual series has \(ae.count) epochs, the prediction \(pe.count)")
            }
            let p = try ScheduleScoring.scoreEpochs(predicted, epochs: plan.epochs ?? [], solver: solver)
            let a = try ScheduleScoring.scoreEpochs(actual, epochs: plan.epochs ?? [], solver: solver)
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
