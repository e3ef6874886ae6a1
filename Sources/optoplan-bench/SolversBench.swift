import Foundation
import OptoCBC
import OptoCore
import OptoGLPK
import OptoModel
import OptoPlanners

/// `optoplan-bench solvers`: each planner's exact model (method `ilp`) at
/// growing sizes, solved by GLPK and by CBC through the planners' public
/// entry points (only ``PlanningOptions/solver`` differs). Prints, per
/// instance and solver, the plan status, objective, bound, final gap and
/// seconds: "optimal" rows show time to optimality, "feasible" rows the gap
/// left at the time limit.
///
/// Instances: schedule (window mode, W = 100 ms: bytes served inside the
/// window; random 60 %-dense demand of 10–500 MB per pair, one port,
/// 100 Gb/s circuits, 10 Gb/s packet ports, δ = 20 µs; slots as listed),
/// link pool (LinkPoolBench's skewed asymmetric instances, concurrent
/// objective), stagger (StaggerBench's seeded job mixes).
///
/// Options: `--time-limit S` (per solve, default 30), `--planners a,b,c`
/// (schedule, linkpool, stagger), `--large` (adds a larger size to each).
enum SolversBench {
    struct Row {
        let planner: String, size: String
        let status: String, objective: Double?, bound: Double?, gap: Double?, seconds: Double
    }

    static func run(_ args: [String]) {
        func value(_ flag: String) -> String? {
            guard let i = args.firstIndex(of: flag), i + 1 < args.count else { return nil }
            return args[i + 1]
        }
        let limit = Double(value("--time-limit") ?? "30") ?? 30
        let planners = value("--planners")?.split(separator: ",").map(String.init) ?? ["schedule", "linkpool", "stagger"]
        let large = args.contains("--large")
        var solvers: [any Solver] = [GLPKSolver()]
        if CBCSolver.isAvailable {
            solvers.append(CBCSolver())
        } else {
            emit("note: \(CBCSolver.unavailableReason?.description ?? "CBC is not available"); GLPK only")
        }
        emit("solvers benchmark: each planner's exact model (method ilp), GLPK \(GLPKSolver.version) vs CBC \(CBCSolver.version ?? "-"), time limit \(limit) s per solve")
        emit("status optimal: seconds = time to optimality; feasible: stopped at the limit, gap = final relative gap")
        emit("")
        emit(pad("planner", 10) + pad("size", 22) + solvers.map { pad($0.name + ": status", 18) + pad("objective", 14) + pad("gap", 9) + pad("seconds", 9) }.joined())

        for planner in planners {
            for (label, solve) in cases(planner, large: large) {
                var line = pad(planner, 10) + pad(label, 22)
                for solver in solvers {
                    let options = PlanningOptions(timeLimit: limit, solver: solver)
                    do {
                        let r = try solve(options)
                        line += pad(r.status, 18) + pad(String(format: "%.6g", r.objective ?? .nan), 14)
                            + pad(r.gap.map { String(format: "%.2f%%", 100 * $0) } ?? "-", 9) + pad(String(format: "%.2f", r.seconds), 9)
                    } catch {
                        line += pad("error: \(error)".prefix(49).description, 50)
                    }
                }
                emit(line)
            }
        }
    }

    typealias Case = (String, (PlanningOptions) throws -> Row)

    static func cases(_ planner: String, large: Bool) -> [Case] {
        switch planner {
        case "schedule":
            var sizes = [(4, 4), (6, 4), (8, 4), (10, 5), (12, 6)]
            if large { sizes.append((16, 8)) }
            return sizes.map { n, slots in
                let inst = scheduleInstance(nodes: n, seed: UInt64(n))
                return ("N=\(n), \(slots) slots", { options in
                    var o = options
                    o.slots = slots
                    let p = try SchedulePlanner.plan(inst, method: .ilp, options: o)
                    return Row(planner: planner, size: "", status: p.status.rawValue, objective: p.metrics.objective,
                               bound: p.metrics.bound, gap: p.metrics.gap, seconds: p.metrics.solveSeconds)
                })
            }
        case "linkpool":
            var sizes = [8, 16, 32, 64]
            if large { sizes.append(128) }
            return sizes.map { n in
                let inst = LinkPoolBench.instance(nodes: n, seed: 1, objective: .concurrent)
                return ("N=\(n)", { options in
                    let p = try LinkPoolPlanner.plan(inst, method: .ilp, options: options)
                    return Row(planner: planner, size: "", status: p.status.rawValue, objective: p.metrics.objective,
                               bound: p.metrics.bound, gap: p.metrics.gap, seconds: p.metrics.solveSeconds)
                })
            }
        case "stagger":
            var sizes = [(4, 2), (6, 3), (8, 4), (12, 6)]
            if large { sizes.append((16, 8)) }
            return sizes.map { jobs, links in
                let inst = StaggerBench.instance(jobs: jobs, links: links, capacity: 100e9, balanced: true, seed: 1)
                return ("\(jobs) jobs, \(links) links", { options in
                    let p = try StaggerPlanner.plan(inst, method: .ilp, options: options)
                    return Row(planner: planner, size: "", status: p.status.rawValue, objective: p.metrics.objective,
                               bound: p.metrics.bound, gap: p.metrics.gap, seconds: p.metrics.solveSeconds)
                })
            }
        default:
            emit("unknown planner \(planner); choose from schedule, linkpool, stagger")
            return []
        }
    }

    /// A random window-mode instance (W = 100 ms): each ordered pair carries
    /// 10–500 MB with probability 0.6 (a SplitMix64 stream from `seed`).
    static func scheduleInstance(nodes n: Int, seed: UInt64) -> ScheduleInstance {
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        var rows = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n { for j in 0..<n where i != j && next() < 0.6 { rows[i][j] = (10 + 490 * next()) * 1e6 } }
        return ScheduleInstance(fabric: ScheduleBench.fabric(nodes: n), demand: Matrix(rows), window: 0.1)
    }

    static func pad(_ s: String, _ w: Int) -> String {
        s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count)
    }
}
