import Foundation
import OptoCBC
import OptoCore
import OptoGLPK
import OptoModel
import OptoPlanners

/// `optoplan-bench linkpool`: every link-pool method on seeded, skewed,
/// asymmetric instances with N = 8, 16, 32, 64 nodes and 4–8 pooled ports
/// per node; prints objective, gap to the exact model's bound and time.
///
/// Options: `--sizes 8,16,32,64`, `--seeds K` (instances per size, default
/// 3), `--objective concurrent|throughput|both` (default concurrent),
/// `--time-limit S` (exact methods; default 10 s up to N = 16, 60 s above).
enum LinkPoolBench {
    /// SplitMix64, so every run sees the same instances.
    struct RNG: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    }

    /// A skewed asymmetric instance: 400 Gb/s circuits, 100 Gb/s electrical,
    /// 4–8 pooled ports per node. Each node talks to 2–6 peers; a pair's
    /// rate is a heavy-tailed (Pareto, α = 1.3) draw times the sender's
    /// weight (log-normal, so a few nodes are hot), and half the pairs carry
    /// a reverse flow at 1/8 of the forward rate (push against pull). The
    /// scale loads the average node at about 1.5× what its ports and packet
    /// link can carry, so the throughput objective has to choose.
    static func instance(nodes: Int, seed: UInt64, objective: LinkPoolObjective,
                         ports portRange: ClosedRange<Int> = 4...8) -> LinkPoolInstance {
        var rng = RNG(state: seed &* 0x1000_0001 &+ UInt64(nodes))
        let ports = (0..<nodes).map { _ in Int.random(in: portRange, using: &rng) }
        let weight = (0..<nodes).map { _ in exp(1.0 * gaussian(&rng)) }
        var demand = Matrix(size: nodes)
        for i in 0..<nodes {
            var peers = Set<Int>()
            let degree = Int.random(in: 2...6, using: &rng)
            while peers.count < min(degree, nodes - 1) {
                let j = Int.random(in: 0..<nodes, using: &rng)
                if j != i { peers.insert(j) }
            }
            for j in peers.sorted() {
                let rate = weight[i] * pow(1 - rng.uniform(), -1 / 1.3)
                demand[i, j] += rate
                if rng.uniform() < 0.5 { demand[j, i] += rate / 8 }
            }
        }
        let capacity = ports.reduce(0) { $0 + Double($1) / 2 * 400e9 + 100e9 }
        demand = demand.scaled(by: 1.5 * capacity / demand.total)
        let fabric = LinkPoolFabric(nodes: nodes, opticalPorts: ports, circuitRate: 400e9,
                                    packetRate: [Double](repeating: 100e9, count: nodes))
        return LinkPoolInstance(fabric: fabric, demand: demand, objective: objective)
    }

    static func gaussian(_ rng: inout RNG) -> Double {
        let u = max(rng.uniform(), 1e-300), v = rng.uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    static func run(_ arguments: [String]) {
        if arguments.contains("--transit") {
            LinkPoolTransitBench.run(arguments.filter { $0 != "--transit" })
            return
        }
        if arguments.contains("--exact") {
            LinkPoolExactBench.run(arguments.filter { $0 != "--exact" })
            return
        }
        var sizes = [8, 16, 32, 64]
        var seeds = 3
        var objectives: [LinkPoolObjective] = [.concurrent]
        var timeLimit: Double?
        var verbose = false
        var k = 0
        while k < arguments.count {
            let a = arguments[k], value = k + 1 < arguments.count ? arguments[k + 1] : ""
            switch a {
            case "--sizes": sizes = value.split(separator: ",").compactMap { Int($0) }; k += 1
            case "--seeds": seeds = Int(value) ?? seeds; k += 1
            case "--time-limit": timeLimit = Double(value); k += 1
            case "--verbose": verbose = true
            case "--objective":
                objectives = value == "both" ? LinkPoolObjective.allCases : [LinkPoolObjective(rawValue: value) ?? .concurrent]
                k += 1
            default:
                print("unknown option \(a); options: --exact --sizes 8,16,32,64 --seeds K --objective concurrent|throughput|both --time-limit S")
                return
            }
            k += 1
        }
        print("linkpool benchmark: 400 Gb/s circuits, 100 Gb/s electrical, 4-8 pooled ports per node, skewed asymmetric demand")
        print("gap = (ILP bound - objective) / ILP bound; greedy/ILP = objective ratio; times in seconds")
        for objective in objectives {
            print("")
            print("objective: \(objective.rawValue)")
            let header = ["N", "seed", "method", "objective", "gap", "greedy/ILP", "circuits", "status", "time"]
            print(row(header))
            var summary: [Int: (ratios: [Double], greedyTime: Double, ilpTime: [Double], ilpStatus: [String], ilpGap: [Double])] = [:]
            for n in sizes {
                let limit = timeLimit ?? (n <= 16 ? 10 : 60)
                for seed in 1...max(1, seeds) {
                    let inst = instance(nodes: n, seed: UInt64(seed), objective: objective)
                    let options = PlanningOptions(timeLimit: limit, solver: GLPKSolver(), verbose: verbose)
                    var plans: [(String, LinkPoolPlan?)] = []
                    for method in [LinkPoolMethod.greedy, .ilp, .symmetric] {
                        plans.append((method.rawValue, try? LinkPoolPlanner.plan(inst, method: method, options: options)))
                    }
                    let ilp = plans[1].1
                    let bound = ilp?.metrics.bound
                    let ilpObjective = ilp?.metrics.objective
                    for (name, plan) in plans {
                        guard let plan else { print(row(["\(n)", "\(seed)", name, "failed"])); continue }
                        let obj = plan.metrics.objective
                        let gap = bound.map { $0 > 0 ? max(0, ($0 - obj) / $0) : 0 }
                        let ratio = ilpObjective.map { $0 > 0 ? obj / $0 : 1 }
                        print(row(["\(n)", "\(seed)", name, fmt(obj, objective), gap.map { pct($0) } ?? "-",
                                   ratio.map { String(format: "%.4f", $0) } ?? "-", "\(plan.circuits.count)",
                                   plan.status.rawValue, String(format: "%.3f", plan.metrics.solveSeconds)]))
                        if verbose { print("      notes: \(plan.notes ?? [])") }
                    }
                    var s = summary[n] ?? ([], 0, [], [], [])
                    if let g = plans[0].1, let i = ilpObjective, i > 0 { s.ratios.append(g.metrics.objective / i) }
                    s.greedyTime = max(s.greedyTime, plans[0].1?.metrics.solveSeconds ?? 0)
                    if let ilp {
                        s.ilpTime.append(ilp.metrics.solveSeconds)
                        s.ilpStatus.append(ilp.status.rawValue)
                        s.ilpGap.append(ilp.metrics.gap ?? 0)
                    }
                    summary[n] = s
                }
            }
            print("")
            print("summary (\(objective.rawValue)): N, greedy/ILP mean (min), greedy max time, ILP statuses, ILP max time, ILP max gap")
            for n in sizes {
                guard let s = summary[n] else { continue }
                let mean = s.ratios.isEmpty ? 0 : s.ratios.reduce(0, +) / Double(s.ratios.count)
                print(row(["\(n)", String(format: "%.4f (%.4f)", mean, s.ratios.min() ?? 0), String(format: "%.4f s", s.greedyTime),
                           s.ilpStatus.joined(separator: ","), String(format: "%.2f s", s.ilpTime.max() ?? 0),
                           pct(s.ilpGap.max() ?? 0)]))
            }
        }
    }

    static func fmt(_ x: Double, _ objective: LinkPoolObjective) -> String {
        objective == .concurrent ? String(format: "λ=%.5g", x) : String(format: "%.2f Tb/s", x / 1e12)
    }

    static func pct(_ x: Double) -> String { String(format: "%.2f%%", 100 * x) }

    static func row(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in
            let w = [4, 5, 10, 14, 8, 11, 9, 10, 8][min(i, 8)]
            return c.count >= w ? c : c + String(repeating: " ", count: w - c.count)
        }.joined(separator: " ")
    }
}

/// `optoplan-bench linkpool --exact`: the exact concurrent method on the
/// issue's instances (N = 8, 16, 32, 64; 4 pooled ports per node, 400 Gb/s
/// circuits, 100 Gb/s packet, LinkPoolBench's skewed demand), solved in one
/// run by GLPK and CBC through the planner (`--method ilp`, both stages),
/// and by HiGHS on the exported stage-1 model (free MPS) with the same
/// second stage, through `scripts/highs-linkpool.py` when python3 and the
/// highspy module exist (skipped with a note otherwise). Prints time to
/// optimality (wall and CPU seconds) or the final gap at the limit, and the
/// wall-time ratio to HiGHS.
///
/// Options: `--sizes`, `--seeds K` (default 3), `--time-limit S` (per
/// solve, default 300), `--plain` (adds GLPK on the exported λ-variable
/// model, stage 1 only, as the planner solved it before the search on λ).
enum LinkPoolExactBench {
    struct Cell {
        var status: String, lambda: Double?, gap: Double?, circuits: Int?, wall: Double, cpu: Double
        /// HiGHS only: the wall seconds of stage 1 (the best λ), before the fewest-circuits stage.
        var stage1: Double? = nil
    }

    static func run(_ arguments: [String]) {
        func value(_ flag: String) -> String? {
            guard let i = arguments.firstIndex(of: flag), i + 1 < arguments.count else { return nil }
            return arguments[i + 1]
        }
        let sizes = value("--sizes")?.split(separator: ",").compactMap { Int($0) } ?? [8, 16, 32, 64]
        let seeds = max(1, Int(value("--seeds") ?? "3") ?? 3)
        let limit = Double(value("--time-limit") ?? "300") ?? 300
        let plain = arguments.contains("--plain")
        let (script, python) = (highsScript, highsLauncher)
        var highsNote = highsUnavailable
        print("linkpool exact benchmark: concurrent objective, 4 pooled ports per node, 400 Gb/s circuits, 100 Gb/s packet, skewed demand")
        print("each solve: both stages (best λ, then the fewest circuits), limit \(limit) s; wall and CPU seconds; ratio = wall / HiGHS wall")
        if !CBCSolver.isAvailable { print("note: CBC is not available (\(CBCSolver.unavailableReason?.description ?? "-")); its rows are skipped") }
        print(pad("N", 4) + pad("seed", 5) + pad("solver", 22) + pad("status", 10) + pad("λ", 13) + pad("gap", 9)
              + pad("circuits", 9) + pad("wall s", 9) + pad("CPU s", 9) + "ratio")
        var summary: [(Int, Double?, Double?, String)] = []
        for n in sizes {
            for seed in 1...seeds {
                let inst = LinkPoolBench.instance(nodes: n, seed: UInt64(seed), objective: .concurrent, ports: 4...4)
                var rows: [(String, Cell)] = []
                var highs: Cell?
                if let script, let python, highsNote == nil {
                    switch runHiGHS(inst, script: script, python: python, limit: limit) {
                    case .success(let c): highs = c
                    case .failure(let why): highsNote = why.message
                    }
                }
                rows.append(("GLPK (search on λ)", planned(inst, solver: GLPKSolver(), limit: limit)))
                if CBCSolver.isAvailable { rows.append(("CBC (search on λ)", planned(inst, solver: CBCSolver(), limit: limit))) }
                if plain { rows.append(("GLPK λ-variable, st.1", plainModel(inst, limit: limit))) }
                if let highs { rows.append(("HiGHS (exported MPS)", highs)) }
                for (name, c) in rows {
                    let ratio = highs.map { h in h.status == "optimal" && c.status == "optimal" ? String(format: "%.2f", c.wall / max(h.wall, 1e-6)) : "-" } ?? "-"
                    print(pad("\(n)", 4) + pad("\(seed)", 5) + pad(name, 22) + pad(c.status, 10)
                          + pad(c.lambda.map { String(format: "%.6g", $0) } ?? "-", 13)
                          + pad(c.gap.map { String(format: "%.2f%%", 100 * $0) } ?? "-", 9)
                          + pad(c.circuits.map { "\($0)" } ?? "-", 9) + pad(String(format: "%.2f", c.wall), 9)
                          + pad(String(format: "%.2f", c.cpu), 9) + ratio)
                }
                let g = rows[0].1
                summary.append((n, g.status == "optimal" ? g.wall : nil, highs?.status == "optimal" ? highs?.wall : nil,
                                g.status == "optimal" ? "optimal" : String(format: "gap %.2f%%", 100 * (g.gap ?? .nan))))
            }
        }
        if let highsNote { print("note: HiGHS rows skipped: \(highsNote) (pip install highspy)") }
        print("")
        print("targets: GLPK time to optimality <= HiGHS's (ratio <= 1) at N = 16 and 32; N = 64 optimal or gap <= 1 %")
        for (n, g, h, status) in summary {
            let ratio = g.flatMap { g in h.map { String(format: "%.2f", g / max($0, 1e-6)) } } ?? "-"
            print(pad("N = \(n)", 8) + pad("GLPK \(status)", 20) + "GLPK/HiGHS wall ratio \(ratio)")
        }
    }

    /// The planner's exact method with `solver`, both stages.
    static func planned(_ inst: LinkPoolInstance, solver: any Solver, limit: Double) -> Cell {
        let cpu0 = ScheduleBench.cpuSeconds()
        let t0 = ContinuousClock.now
        do {
            let p = try LinkPoolPlanner.plan(inst, method: .ilp, options: PlanningOptions(timeLimit: limit, solver: solver))
            let wall = seconds(since: t0)
            return Cell(status: p.status.rawValue, lambda: p.metrics.objective, gap: p.metrics.gap, circuits: p.circuits.count,
                        wall: wall, cpu: ScheduleBench.cpuSeconds() - cpu0)
        } catch {
            return Cell(status: "error", lambda: nil, gap: nil, circuits: nil, wall: seconds(since: t0), cpu: ScheduleBench.cpuSeconds() - cpu0)
        }
    }

    /// GLPK on the exported λ-variable model (stage 1 only, Gomory cuts, no warm start).
    static func plainModel(_ inst: LinkPoolInstance, limit: Double) -> Cell {
        let cpu0 = ScheduleBench.cpuSeconds()
        let t0 = ContinuousClock.now
        guard let exported = try? LinkPoolPlanner.exactModel(inst) else {
            return Cell(status: "error", lambda: nil, gap: nil, circuits: nil, wall: 0, cpu: 0)
        }
        var o = SolverOptions(timeLimit: limit)
        o.cuts.gomory = true
        guard let r = try? GLPKSolver().solve(exported.model, options: o) else {
            return Cell(status: "error", lambda: nil, gap: nil, circuits: nil, wall: seconds(since: t0), cpu: ScheduleBench.cpuSeconds() - cpu0)
        }
        return Cell(status: r.termination == .optimal ? "optimal" : "\(r.termination)", lambda: r.objectiveValue.map { $0 * exported.objectiveScale },
                    gap: r.relativeGap, circuits: nil, wall: seconds(since: t0), cpu: ScheduleBench.cpuSeconds() - cpu0)
    }

    struct Failure: Error { let message: String }

    /// The HiGHS yardstick script, found from the package root or one below.
    static var highsScript: String? {
        ["scripts/highs-linkpool.py", "../scripts/highs-linkpool.py"].first { FileManager.default.fileExists(atPath: $0) }
    }
    /// What starts python3 for it.
    static var highsLauncher: String? { FileManager.default.isExecutableFile(atPath: "/usr/bin/env") ? "/usr/bin/env" : nil }
    /// Why the yardstick cannot run, or nil.
    static var highsUnavailable: String? {
        if highsScript == nil { return "scripts/highs-linkpool.py not found (run from the package root)" }
        if highsLauncher == nil { return "/usr/bin/env not found" }
        return nil
    }

    /// HiGHS through the Python yardstick on the exported stage-1 model.
    static func runHiGHS(_ inst: LinkPoolInstance, script: String, python: String, limit: Double) -> Result<Cell, Failure> {
        let path = NSTemporaryDirectory() + "optoplan-linkpool-\(getpid())-\(inst.fabric.nodes).mps"
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let exported = try LinkPoolPlanner.exactModel(inst)
            try GLPKSolver.write(exported.model, as: .freeMPS, to: path)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: python)
            p.arguments = ["python3", script, path, String(limit)]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            let t0 = ContinuousClock.now
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let total = seconds(since: t0)
            // HiGHS may print a banner first: the result is the last line that opens a JSON object.
            let last = String(decoding: data, as: UTF8.self).split(separator: "\n").last { $0.hasPrefix("{") }
            guard let last, let json = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] else {
                return .failure(Failure(message: "the HiGHS script printed no result"))
            }
            if p.terminationStatus == 3 || p.terminationStatus == 127 { return .failure(Failure(message: json["reason"] as? String ?? "highspy is not installed")) }
            guard p.terminationStatus == 0 else { return .failure(Failure(message: "the HiGHS script exited with \(p.terminationStatus)")) }
            let status = json["status"] as? String ?? "?"
            let objective = (json["objective"] as? Double).map { $0 * exported.objectiveScale }
            return .success(Cell(status: status, lambda: objective, gap: json["gap"] as? Double, circuits: json["circuits"] as? Int,
                                 wall: json["seconds"] as? Double ?? total, cpu: json["cpu_seconds"] as? Double ?? .nan,
                                 stage1: json["stage1_seconds"] as? Double))
        } catch {
            return .failure(Failure(message: "\(error)"))
        }
    }

    static func seconds(since t0: ContinuousClock.Instant) -> Double {
        let d = t0.duration(to: .now)
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func pad(_ s: String, _ w: Int) -> String {
        s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count)
    }
}
