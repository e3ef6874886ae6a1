import Foundation
import OptoCore

extension SchedulePlanner {
    /// The MathProg model file of `instance`'s mode: `schedule.mod` (window),
    /// `schedule-makespan.mod` (no window) or `schedule-epochs.mod`.
    public static func mathProgModelName(_ instance: ScheduleInstance) -> String {
        switch instance.mode {
        case .window(_, let w): w == nil ? "schedule-makespan.mod" : "schedule.mod"
        case .epochs: "schedule-epochs.mod"
        }
    }

    /// The MathProg data section of `instance` for its model file (see
    /// ``mathProgModelName(_:)``), in MB and ms (a rate in MB/ms), so the
    /// printed `served` is in MB and `makespan` in ms.
    ///
    /// The window and makespan models get the slot count `M` the exact
    /// method would use (`slots`, or the planner's default from the best
    /// heuristic), and the makespan model its horizon `Tbar` (the makespan
    /// of the best heuristic plan cut to its `M` longest configurations),
    /// so glpsol solves the same model as `ilp`. An epochs instance with
    /// `maxHops: 2` also gets `param maxHops := 2` (transit in
    /// `schedule-epochs.mod`).
    ///
    /// - Throws: ``ScheduleError`` for a malformed instance;
    ///   ``PlanningError/methodNotApplicable(method:reason:)`` when `slots < 1`.
    /// - Complexity: O(N²·epochs) plus the heuristics (window and makespan modes).
    public static func mathProgData(_ instance: ScheduleInstance, slots: Int? = nil) throws -> String {
        let f = try ScheduleFabric(instance.fabric)
        let n = f.n
        func num(_ x: Double) -> String { String(format: "%.17g", x) }
        // Bytes → MB, seconds → ms, bytes per second → MB per ms.
        let rate = { (bps: Double) in bps / 1e9 }
        var s = "data;\nparam N := \(n);\n"
        s += "param c := \(num(rate(f.circuitBps)));\nparam delta := \(num(f.delta * 1e3));\n"
        s += "param k := " + (0..<n).map { "\($0) \(f.ports[$0])" }.joined(separator: " ") + ";\n"
        s += "param p := " + (0..<n).map { "\($0) \(num(rate(f.packetBps[$0])))" }.joined(separator: " ") + ";\n"
        func matrix(_ d: [Double], prefix: String) -> String {
            var t = prefix + " : " + (0..<n).map(String.init).joined(separator: " ") + " :=\n"
            for i in 0..<n { t += "\(i) " + (0..<n).map { num(i == $0 ? 0 : d[i * n + $0] / 1e6) }.joined(separator: " ") + "\n" }
            return t
        }
        switch instance.mode {
        case .window(let demand, let window):
            let d = try validatedDemand(demand, nodes: n).values
            let setup = try ScheduleExact.windowSetup(f, d, window: window, slots: slots)
            s += "param M := \(setup.slotsM);\n"
            if let w = window {
                s += "param W := \(num(w * 1e3));\n"
            } else {
                let makespan = setup.horizon ?? 0
                s += "param Tbar := \(num(max(makespan, 1e-12) * 1e3 * (1 + 1e-6)));\n"
            }
            s += matrix(d, prefix: "param D") + ";\n"
        case .epochs(let epochs):
            if instance.maxHops >= 2 { s += "param maxHops := \(instance.maxHops);\n" }
            s += "param E := \(epochs.count);\n"
            s += "param L := " + epochs.enumerated().map { "\($0 + 1) \(num($1.duration * 1e3))" }.joined(separator: " ") + ";\n"
            s += "param D :=\n"
            for (e, epoch) in epochs.enumerated() {
                let d = try validatedDemand(epoch.demand, nodes: n, label: "epoch \(e) demand").values
                s += matrix(d, prefix: "[\(e + 1),*,*]")
            }
            s += ";\n"
        }
        return s + "end;\n"
    }
}
