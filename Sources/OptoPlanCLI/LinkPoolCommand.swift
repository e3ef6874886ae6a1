import ArgumentParser
import Foundation
import OptoCore
import OptoGLPK
import OptoPlanners

extension LinkPoolMethod: ExpressibleByArgument {}

/// `optoplan linkpool INSTANCE [--method M] [--time-limit S] [--output PLAN]`:
/// asymmetric link-pool allocation (PROBLEMS.md §2).
public struct LinkPoolCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "linkpool",
        abstract: "Point pooled optical ports where the traffic goes: circuits per ordered pair plus electrical rates.",
        discussion: """
        Methods: ilp (exact, GLPK; best objective, then the fewest circuits), \
        greedy (add the circuit that most raises the objective, then move \
        single circuits), symmetric (the paired full-duplex baseline, exact), \
        auto (greedy, then the exact model warm-started from it). The plan \
        JSON goes to --output (written atomically) or standard output; a \
        summary goes to standard error. Exit status 1 when no allocation \
        satisfies the port limits and the change budget.

        With "maxHops": 2 in the fabric every method may also route a pair \
        over two circuits s->k->t (transit); the plan lists those rates as \
        "transit": [[s, k, t, rate], ...].

        --route-only keeps the instance's "current" circuits as they are \
        and only routes: the maximum concurrent flow (or throughput) over \
        them, with transit when maxHops is 2 (an LP), the packet fabric \
        filling in. It needs "current" (exit 65 without it) and takes no \
        --method other than the default (exit 64).

        Examples:
          optoplan linkpool datasets/linkpool/two-racks-8to1.json --method ilp --output pool.plan.json
          optoplan linkpool today.json --route-only --output routing.plan.json
        """
    )

    @Argument(help: "The link-pool instance (JSON).")
    public var instance: String

    @Option(help: "auto (the default), ilp, greedy or symmetric.")
    public var method: LinkPoolMethod?

    @Flag(help: "Route over the instance's current circuits only (no circuit changes): the best flow over them, with transit when maxHops is 2.")
    public var routeOnly = false

    @Option(name: .shortAndLong, help: "Write the plan here instead of standard output.")
    public var output: String?

    @OptionGroup public var search: ExactSearchOptions

    public init() {}

    public func run() throws {
        if routeOnly, let m = method, m != .auto {
            StandardError.print("error: --route-only keeps the current circuits and takes no --method (got \(m.rawValue))")
            throw ExitStatus.badArguments
        }
        let instance = try CLIFiles.loadLinkPoolInstance(instance)
        if routeOnly && instance.current == nil {
            StandardError.print("error: \(self.instance): current: --route-only routes over the current circuits, and the instance has no \"current\"")
            throw ExitStatus.badInput
        }
        let options = try search.planningOptions()
        let session = ExactSolveSession(search.display, output: output)
        defer { session.finish() }
        let plan: LinkPoolPlan
        let method = self.method ?? .auto
        let routeOnly = self.routeOnly
        do {
            plan = session.annotate(try session.run(options) {
                routeOnly ? try LinkPoolPlanner.route(instance, options: $0) : try LinkPoolPlanner.plan(instance, method: method, options: $0)
            })
        } catch let error as LinkPoolError {
            switch error {
            case .invalidInstance, .unboundedLambda:
                StandardError.print("error: \(self.instance): \(error)")
                throw ExitStatus.badInput
            case .heuristicFailed:
                StandardError.print("error: \(error)")
                throw ExitStatus.infeasible
            }
        } catch {
            StandardError.print("error: \(error)")
            throw ExitStatus.infeasible
        }
        try CLIFiles.savePlan(.linkpool(plan), to: output)
        StandardError.print(Self.summary(plan, objective: instance.objective))
        if plan.status == .infeasible { throw ExitStatus.infeasible }
    }

    /// The human summary printed on standard error: λ, carried, utilisation,
    /// circuits, status, gap and time.
    static func summary(_ plan: LinkPoolPlan, objective: LinkPoolObjective) -> String {
        let m = plan.metrics
        var s = "linkpool \(plan.method) (\(plan.status.rawValue), \(objective.rawValue)): "
        if plan.status == .infeasible {
            s += "no allocation satisfies the port limits and the change budget"
        } else {
            s += "λ \(String(format: "%.6g", m.lambda ?? 0)), carried \(Quantity.format(m.carried ?? 0, as: .rate))"
            s += String(format: ", utilisation %.2f%%", 100 * (m.utilisation ?? 0))
            s += ", \(plan.circuits.count) circuit\(plan.circuits.count == 1 ? "" : "s")"
            if let transit = plan.transit {
                let rate = transit.reduce(0) { $0 + $1.amount }
                s += ", transit \(Quantity.format(rate, as: .rate)) on \(transit.count) route\(transit.count == 1 ? "" : "s")"
            }
            if let changed = m.circuitsChanged { s += ", \(changed) changed" }
        }
        if let gap = m.gap { s += String(format: ", gap %.2f%%", 100 * gap) }
        s += String(format: ", %.3f s", m.solveSeconds)
        for note in plan.notes ?? [] { s += "\n  note: \(note)" }
        return s
    }
}
