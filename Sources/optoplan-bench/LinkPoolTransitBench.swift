import Foundation
import OptoCore
import OptoGLPK
import OptoModel
import OptoPlanners
import OptoTraffic

/// `optoplan-bench linkpool --transit`: transit (maxHops 2) in the link-pool
/// planner.
///
/// 1. ATRO's setting (Mao et al., INFOCOM 2025) on the 4-pod series
///    `traces/fb_pod_a_4x4_series.csv`: 20 pooled ports per pod (10 duplex),
///    no packet fabric, 3000 per circuit, each snapshot as the demand (its
///    values read as bits per second). Per matrix: `symmetric` with transit
///    (ATRO's model: MLU = 1/λ), `ilp` with transit and tx = rx = 10
///    (directions chosen per circuit), and `symmetric` with one hop; MLU of
///    each over the symmetric-transit optimum (mean, worst), milliseconds
///    per matrix (median, mean; CPU and wall), how many are optimal.
/// 2. N = 16, 32, 64, seeded gravity and skewed demand, 8–16 pooled ports,
///    with and without a packet fabric: `ilp` with transit (time to
///    optimality, or its gap at the limit), `greedy` with transit (time and
///    objective over the ILP's), and the 1-hop ILP for reference.
///
/// Options: `--datasets DIR` (default `datasets`), `--matrices K` (the first
/// K snapshots; default all), `--sizes 16,32,64`, `--seeds K` (default 1),
/// `--time-limit S` (default 300), `--skip-pods`, `--skip-sizes`, `--demand
/// gravity|skewed` and `--packet 100G|none` (one kind of seeded instance),
/// `--write-instances DIR` (write the size table's instances and stop),
/// `--highs` (HiGHS on each exported model as a yardstick, through
/// `scripts/highs-linkpool.py`; needs python3 and highspy).
enum LinkPoolTransitBench {
    /// Process CPU seconds.
    static func cpu() -> Double { Double(clock()) / Double(CLOCKS_PER_SEC) }

    struct Timed {
        var plan: LinkPoolPlan?
        var wall: Double
        var cpu: Double
    }

    static func timed(_ body: () throws -> LinkPoolPlan) -> Timed {
        let c0 = cpu()
        let t0 = ContinuousClock().now
        let plan = try? body()
        return Timed(plan: plan, wall: LinkPoolExactBench.seconds(since: t0), cpu: cpu() - c0)
    }

    static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }

    static func run(_ arguments: [String]) {
        var datasets = "datasets", matrices = Int.max, sizes = [16, 32, 64], seeds = 1, limit = 300.0
        var pods = true, bySize = true
        var demands = [true, false], packets = [true, false]
        var writeTo: String? = nil
        var highs = false
        var k = 0
        while k < arguments.count {
            let a = arguments[k], v = k + 1 < arguments.count ? arguments[k + 1] : ""
            switch a {
            case "--datasets": datasets = v; k += 1
            case "--matrices": matrices = Int(v) ?? matrices; k += 1
            case "--sizes": sizes = v.split(separator: ",").compactMap { Int($0) }; k += 1
            case "--seeds": seeds = Int(v) ?? seeds; k += 1
            case "--time-limit": limit = Double(v) ?? limit; k += 1
            case "--skip-pods": pods = false
            case "--skip-sizes": bySize = false
            case "--demand": demands = v == "gravity" ? [true] : v == "skewed" ? [false] : demands; k += 1
            case "--packet": packets = v == "100G" ? [true] : v == "none" ? [false] : packets; k += 1
            case "--write-instances": writeTo = v; k += 1
            case "--highs": highs = true
            default:
                print("unknown option \(a); options: --datasets DIR --matrices K --sizes 16,32,64 --seeds K --time-limit S --skip-pods --skip-sizes --demand gravity|skewed --packet 100G|none --write-instances DIR --highs")
                return
            }
            k += 1
        }
        if let dir = writeTo {
            writeInstances(to: URL(fileURLWithPath: dir), sizes: sizes, seeds: seeds, demands: demands, packets: packets)
            return
        }
        if pods { podSeries(URL(fileURLWithPath: datasets).appendingPathComponent("traces/fb_pod_a_4x4_series.csv"), matrices: matrices) }
        if bySize { sizesTable(sizes, seeds: seeds, limit: limit, demands: demands, packets: packets, highs: highs) }
    }

    // MARK: ATRO's setting on the pod series

    static func podSeries(_ url: URL, matrices: Int) {
        guard let (series, _) = try? TrafficSeries.read(contentsOf: url, factor: 1) else {
            print("cannot read \(url.path)")
            return
        }
        let snapshots = Array(series.snapshots.prefix(matrices))
        print("ATRO's setting on \(url.lastPathComponent): \(snapshots.count) of \(series.snapshots.count) matrices, 4 pods, 20 pooled ports (10 duplex), packetRate 0, circuitRate 3000, values as bits/s")
        let fabric = LinkPoolFabric(nodes: 4, ports: 20, circuitRate: 3000, packetRate: 0)
        var capped = fabric
        capped.tx = [Int](repeating: 10, count: 4)
        capped.rx = [Int](repeating: 10, count: 4)
        let options = PlanningOptions(timeLimit: 30, solver: GLPKSolver())
        let names = ["symmetric, transit", "asymmetric tx=rx=10, transit", "symmetric, 1 hop"]
        var ratios = [[Double]](repeating: [], count: 3)
        var walls = [[Double]](repeating: [], count: 3), cpus = walls
        var optimal = [Int](repeating: 0, count: 3)
        var failed = [Int](repeating: 0, count: 3)
        var firstOneHop: Double?
        for (index, demand) in snapshots.enumerated() {
            let runs = [
                timed { try LinkPoolPlanner.plan(LinkPoolInstance(fabric: fabric, demand: demand, maxHops: 2), method: .symmetric, options: options) },
                timed { try LinkPoolPlanner.plan(LinkPoolInstance(fabric: capped, demand: demand, maxHops: 2), method: .ilp, options: options) },
                timed { try LinkPoolPlanner.plan(LinkPoolInstance(fabric: fabric, demand: demand), method: .symmetric, options: options) },
            ]
            guard let reference = runs[0].plan, reference.metrics.objective > 0 else { failed[0] += 1; continue }
            let referenceMLU = 1 / reference.metrics.objective
            for (m, r) in runs.enumerated() {
                walls[m].append(r.wall)
                cpus[m].append(r.cpu)
                guard let p = r.plan, p.metrics.objective > 0 else { failed[m] += 1; continue }
                if p.status == .optimal { optimal[m] += 1 }
                ratios[m].append((1 / p.metrics.objective) / referenceMLU)
                if m == 2 && index == 0 { firstOneHop = 1 / p.metrics.objective }
            }
        }
        if let f = firstOneHop { print(String(format: "sanity: 1-hop symmetric MLU of the first snapshot %.5f (ATRO: 0.48293)", f)) }
        print("method                          MLU/ref mean  MLU/ref worst  optimal   ms median (CPU)   ms mean (CPU)   failed")
        for m in 0..<3 {
            let mean = ratios[m].isEmpty ? .nan : ratios[m].reduce(0, +) / Double(ratios[m].count)
            let line = names[m].padding(toLength: 32, withPad: " ", startingAt: 0)
                + String(format: "%12.5f  %13.5f  %7d   %7.2f (%6.2f)  %7.2f (%6.2f)   %d", mean, ratios[m].max() ?? .nan, optimal[m],
                         1000 * median(walls[m]), 1000 * median(cpus[m]),
                         1000 * walls[m].reduce(0, +) / Double(max(1, walls[m].count)),
                         1000 * cpus[m].reduce(0, +) / Double(max(1, cpus[m].count)), failed[m])
            print(line)
        }
        print("(ref = the symmetric-transit optimum of the same matrix; MLU = 1/λ)")
    }

    // MARK: Seeded sizes

    /// Gravity demand: every pair, `R_ij ∝ w_i·w_j` with log-normal node
    /// weights; or skewed: LinkPoolBench's sparse heavy-tailed pairs.
    static func instance(nodes: Int, seed: UInt64, gravity: Bool, packet: Bool) -> LinkPoolInstance {
        var rng = LinkPoolBench.RNG(state: seed &* 0x2000_0003 &+ UInt64(nodes) &+ (gravity ? 77 : 0))
        let ports = (0..<nodes).map { _ in Int.random(in: 8...16, using: &rng) }
        var demand = Matrix(size: nodes)
        if gravity {
            let w = (0..<nodes).map { _ in exp(0.8 * LinkPoolBench.gaussian(&rng)) }
            for i in 0..<nodes { for j in 0..<nodes where i != j { demand[i, j] = w[i] * w[j] } }
        } else {
            demand = LinkPoolBench.instance(nodes: nodes, seed: seed, objective: .concurrent, ports: 8...16).demand
        }
        let capacity = ports.reduce(0) { $0 + Double($1) / 2 * 400e9 + (packet ? 100e9 : 0) }
        demand = demand.scaled(by: capacity / demand.total)
        let fabric = LinkPoolFabric(nodes: nodes, opticalPorts: ports, circuitRate: 400e9,
                                    packetRate: [Double](repeating: packet ? 100e9 : 0, count: nodes))
        return LinkPoolInstance(fabric: fabric, demand: demand, maxHops: 2)
    }

    /// `--write-instances DIR`: writes the seeded instances of the size
    /// table as `transit-N-DEMAND-PACKET-seedS.json` (nothing is solved),
    /// e.g. for `optoplan export --as mps` and a yardstick solver.
    static func writeInstances(to dir: URL, sizes: [Int], seeds: Int, demands: [Bool], packets: [Bool]) {
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for n in sizes {
                for gravity in demands {
                    for packet in packets {
                        for seed in 1...max(1, seeds) {
                            let name = "transit-\(n)-\(gravity ? "gravity" : "skewed")-\(packet ? "100G" : "none")-seed\(seed).json"
                            let inst = instance(nodes: n, seed: UInt64(seed), gravity: gravity, packet: packet)
                            try InstanceWriter.write(.linkpool(inst), to: dir.appendingPathComponent(name))
                            print(dir.appendingPathComponent(name).path)
                        }
                    }
                }
            }
        } catch {
            print("cannot write the instances: \(error)")
        }
    }

    static func sizesTable(_ sizes: [Int], seeds: Int, limit: Double, demands: [Bool] = [true, false], packets: [Bool] = [true, false],
                           highs: Bool = false) {
        print("")
        print("transit by size: 400 Gb/s circuits, 8-16 pooled ports, packet 100 Gb/s or none, concurrent; ILP time limit \(limit) s")
        let (script, python) = (LinkPoolExactBench.highsScript, LinkPoolExactBench.highsLauncher)
        var highsNote: String? = highs ? LinkPoolExactBench.highsUnavailable : nil
        print("N    demand    packet  seed  ilp λ         status     gap      wall s   CPU s    greedy/ilp  greedy s  1-hop ilp/ilp"
              + (highs ? "  HiGHS λ       HiGHS status  HiGHS st.1 s  greedy/HiGHS" : ""))
        for n in sizes {
            for gravity in demands {
                for packet in packets {
                    for seed in 1...max(1, seeds) {
                        let inst = instance(nodes: n, seed: UInt64(seed), gravity: gravity, packet: packet)
                        let dump = ProcessInfo.processInfo.environment["OPTOPLAN_DUMP_MIPS"]
                        let options = PlanningOptions(timeLimit: limit, solver: dump.map { DumpingSolver(directory: $0) } ?? GLPKSolver())
                        let greedy = timed { try LinkPoolPlanner.plan(inst, method: .greedy, options: PlanningOptions(timeLimit: 1, solver: GLPKSolver())) }
                        let ilp = timed { try LinkPoolPlanner.plan(inst, method: .ilp, options: options) }
                        var oneHop = inst
                        oneHop.maxHops = 1
                        let direct = try? LinkPoolPlanner.plan(oneHop, method: .ilp, options: PlanningOptions(timeLimit: min(limit, 10), solver: GLPKSolver()))
                        let best = max(ilp.plan?.metrics.objective ?? 0, 1e-300)
                        let cells: [String] = [
                            "\(n)".padding(toLength: 5, withPad: " ", startingAt: 0),
                            (gravity ? "gravity" : "skewed").padding(toLength: 10, withPad: " ", startingAt: 0),
                            (packet ? "100G" : "none").padding(toLength: 8, withPad: " ", startingAt: 0),
                            "\(seed)".padding(toLength: 6, withPad: " ", startingAt: 0),
                            String(format: "%-13.6g", ilp.plan?.metrics.objective ?? .nan),
                            (ilp.plan?.status.rawValue ?? "failed").padding(toLength: 11, withPad: " ", startingAt: 0),
                            ((ilp.plan?.metrics.objective ?? 0) > 0 || ilp.plan?.status == .optimal
                                ? String(format: "%.2f%%", 100 * (ilp.plan?.metrics.gap ?? .nan)) : "-").padding(toLength: 8, withPad: " ", startingAt: 0),
                            String(format: "%-8.2f %-8.2f", ilp.wall, ilp.cpu),
                            // Ratios only against a plan (a failed ILP has none).
                            String(format: "%-11.4f %-9.3f", ilp.plan == nil ? .nan : (greedy.plan?.metrics.objective ?? .nan) / best, greedy.wall),
                            String(format: "%.4f", ilp.plan == nil ? .nan : (direct?.metrics.objective ?? .nan) / best),
                        ]
                        var line = cells.joined(separator: " ")
                        // The yardstick: HiGHS on the exported λ-variable model, one thread, the same limit.
                        if highs, highsNote == nil, let script, let python {
                            switch LinkPoolExactBench.runHiGHS(inst, script: script, python: python, limit: limit) {
                            case .success(let h):
                                let solved = h.status == "optimal" || h.status.hasPrefix("stage2")
                                line += "   " + String(format: "%-13.6g", h.lambda ?? .nan) + " "
                                    + (solved ? "optimal" : h.status == "Time limit reached" ? "time limit" : h.status)
                                        .padding(toLength: 13, withPad: " ", startingAt: 0) + " "
                                    + String(format: "%-13.1f", h.stage1 ?? h.wall) + " "
                                    + (solved ? String(format: "%.4f", (greedy.plan?.metrics.objective ?? .nan) / max(h.lambda ?? 0, 1e-300)) : "-")
                            case .failure(let why):
                                highsNote = why.message
                            }
                        }
                        print(line)
                        fflush(nil)   // each row as it ends, also into a pipe or a file (a row takes minutes)
                    }
                }
            }
        }
        print("(greedy/ilp is against the ILP's plan, which is the optimum only where the status is optimal)")
        if highs {
            print(highsNote.map { "note: HiGHS columns skipped: \($0) (pip install highspy)" }
                  ?? "(HiGHS: stage 1 of the exported model, optimal once stage 1 is proven; greedy/HiGHS against that optimum)")
        }
    }
}

/// A profiling aid: with `OPTOPLAN_DUMP_MIPS=DIR`, every integer solve of a
/// transit model is written to DIR as CPLEX LP (named by sequence, then
/// renamed with its termination and seconds) and as free MPS (the same
/// number; MPS keeps the column order GLPK saw in-process, the LP reader
/// does not) before GLPK solves it.
struct DumpingSolver: Solver {
    let inner = GLPKSolver()
    let directory: String
    var name: String { inner.name }
    nonisolated(unsafe) static var sequence = 0

    func solve(_ model: ValidatedModel, options: SolverOptions) throws -> SolveResult {
        guard model.name == "linkpool-transit", model.kinds.contains(where: { $0 != .continuous }) else {
            return try inner.solve(model, options: options)
        }
        Self.sequence += 1
        let path = "\(directory)/\(String(format: "%04d", Self.sequence)).lp"
        try? GLPKSolver.write(model, as: .cplexLP, to: path)
        try? GLPKSolver.write(model, as: .freeMPS, to: path.replacingOccurrences(of: ".lp", with: ".mps"))
        let r = try inner.solve(model, options: options)
        try? FileManager.default.moveItem(atPath: path, toPath: path.replacingOccurrences(of: ".lp", with: "-\(r.termination)-\(String(format: "%.1f", r.solveSeconds))s.lp"))
        return r
    }
}
