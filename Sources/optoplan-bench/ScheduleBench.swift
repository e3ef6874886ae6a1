import Foundation
import OptoCore
import OptoGLPK
import OptoModel
import OptoPlanners
import OptoTraffic

/// `optoplan-bench schedule`: the two tables of the circuit-scheduling issue.
///
/// 1. Exact: random instances at N = 4, 6, 8 (and 12, 16 with `--large`),
///    the plain slot model against the strengthened one, time to optimality
///    or the final gap.
/// 2. Heuristics: on the real rack matrices (150, 159, 326, 367 racks),
///    makespan over the §1a lower bound and planning time (wall and CPU)
///    per method.
///
/// Options: `--datasets DIR` (default `datasets`, else `../shared/datasets`),
/// `--skip-exact`, `--skip-heuristics`, `--large`, `--time-limit S`
/// (exact, default 60), `--sizes 16` (exact: only these N; 12 and 16 use
/// M = 8 and 60 s), `--skip-plain` (exact: the strengthened model only), `--methods a,b,c`, `--ports K` (heuristics: `K`
/// circuit ports per node, default 1).
///
/// `--epochs-transit` runs only the epochs-with-transit table instead
/// (``transitTable(directory:timeLimit:traces:)``): `--transit-traces pods,coflow`,
/// `--time-limit S` (each exact solve, default 120), `--pod-ports K` (ports per
/// pod in the pods table, default 10; the packet fabric stays 10 % of
/// the brief's 10-port pod, 3,000 Mb/s).
enum ScheduleBench {
    static func run(_ args: [String]) {
        func value(_ flag: String) -> String? {
            guard let i = args.firstIndex(of: flag), i + 1 < args.count else { return nil }
            return args[i + 1]
        }
        let fm = FileManager.default
        if args.contains("--epochs-transit") {
            let dir = value("--datasets") ?? "datasets"
            transitTable(directory: dir, timeLimit: Double(value("--time-limit") ?? "120") ?? 120,
                         traces: (value("--transit-traces") ?? "pods,coflow").split(separator: ",").map(String.init),
                         podPorts: Int(value("--pod-ports") ?? "10") ?? 10)
            return
        }
        let dir = value("--datasets") ?? (["datasets", "../shared/datasets", "/work/shared/datasets"].first {
            fm.fileExists(atPath: $0 + "/fb_cluster_C_rack_bytes.csv")
        } ?? "datasets")
        let methods = (value("--methods")?.split(separator: ",").compactMap { ScheduleMethod(rawValue: String($0)) })
            ?? [.solstice, .bottleneck, .eclipse, .greedy, .bvn, .static, .rotor]
        if !args.contains("--skip-exact") {
            exactTable(large: args.contains("--large"), timeLimit: Double(value("--time-limit") ?? "60") ?? 60,
                       sizes: value("--sizes").map { $0.split(separator: ",").compactMap { Int($0) } },
                       plain: !args.contains("--skip-plain"))
        }
        if !args.contains("--skip-heuristics") {
            heuristicTable(directory: dir, methods: methods, ports: max(1, Int(value("--ports") ?? "1") ?? 1))
        }
    }

    /// The benchmark fabric: 100 Gb/s circuits, 10 Gb/s packet ports, δ = 20 µs.
    static func fabric(nodes: Int, ports: Int = 1) -> Fabric {
        Fabric(nodes: nodes, ports: ports, circuitRate: 100e9, packetRate: 10e9, reconfigurationDelay: 20e-6)
    }

    static func loadCSV(_ path: String, factor: Double) -> Matrix? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let rows = text.split(whereSeparator: \.isNewline).map { line in
            line.split(separator: ",").map { (Double($0.trimmingCharacters(in: .whitespaces)) ?? 0) * factor }
        }.filter { !$0.isEmpty }
        guard !rows.isEmpty, rows.allSatisfy({ $0.count == rows.count }) else { return nil }
        return Matrix(rows).withoutDiagonal
    }

    static func heuristicTable(directory: String, methods: [ScheduleMethod], ports: Int) {
        let sets: [(String, String, Double)] = [
            ("coflow-150", "coflow_fb2010_150racks_MB.csv", 1e6),
            ("fb-A-159", "fb_cluster_A_rack_bytes.csv", 1),
            ("fb-B-326", "fb_cluster_B_rack_bytes.csv", 1),
            ("fb-C-367", "fb_cluster_C_rack_bytes.csv", 1),
        ]
        emit("")
        emit("Heuristics, makespan mode: makespan / lower bound (wall seconds / CPU seconds, configurations)")
        emit("fabric: k = \(ports), r_c = 100 Gb/s, p = 10 Gb/s, δ = 20 µs; datasets from \(directory)")
        emit(pad("matrix", 12) + pad("LB (s)", 10) + methods.map { pad($0.rawValue, 32) }.joined())
        let only = ProcessInfo.processInfo.environment["SCHEDULE_BENCH_ONLY"]
        for (name, file, factor) in sets where only == nil || name.contains(only!) {
            guard let d = loadCSV(directory + "/" + file, factor: factor) else {
                emit(pad(name, 12) + "missing \(file)")
                continue
            }
            let inst = ScheduleInstance(fabric: fabric(nodes: d.rows, ports: ports), demand: d)
            let lb = (try? ScheduleScoring.lowerBound(fabric: inst.fabric, demand: d)) ?? .nan
            var line = pad(name, 12) + pad(String(format: "%.4f", lb), 10)
            for m in methods {
                do {
                    let cpu0 = cpuSeconds()
                    let p = try SchedulePlanner.plan(inst, method: m)
                    let cpu = cpuSeconds() - cpu0
                    let cell = String(format: "%.4f (%.2fs/%.2fcpu, %d)", (p.metrics.makespan ?? .nan) / lb,
                                      p.metrics.solveSeconds, cpu, p.configurations?.count ?? 0)
                    line += pad(cell, 32)
                } catch {
                    line += pad("error", 32)
                }
            }
            emit(line)
        }
    }

    /// A seeded random instance: each node sends two elephants and some mice.
    static func randomInstance(nodes n: Int, seed: UInt64, windowFraction: Double?) -> ScheduleInstance {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> Double {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Double(state % 1_000_000) / 1_000_000
        }
        var d = Matrix(size: n)
        for i in 0..<n {
            for j in 0..<n where i != j { if next() < 0.4 { d[i, j] = 1e6 * (1 + 9 * next()) } }
            for _ in 0..<2 { let j = (i + 1 + Int(next() * Double(n - 1))) % n; if j != i { d[i, j] += 1e8 * (0.5 + next()) } }
        }
        let f = Fabric(nodes: n, ports: 1, circuitRate: 100e9, packetRate: 10e9, reconfigurationDelay: 1e-3)
        let lb = (try? ScheduleScoring.lowerBound(fabric: f, demand: d)) ?? 0
        return ScheduleInstance(fabric: f, demand: d, window: windowFraction.map { $0 * lb })
    }

    static func exactTable(large: Bool, timeLimit: Double, sizes only: [Int]? = nil, plain runPlain: Bool = true) {
        emit("Exact slot model (GLPK), window mode W = 0.8 × lower bound, k = 1, δ = 1 ms, seeded random instances")
        emit("time to optimality, or the final gap at the limit; same M for both formulations")
        emit(pad("N", 4) + pad("M", 4) + pad("limit", 7) + pad("plain", 28) + pad("strengthened", 28) + pad("speed-up", 10) + "best heuristic / ILP")
        let sizes: [(Int, Int, Double)] = [(4, 6, timeLimit), (6, 6, timeLimit), (8, 6, timeLimit)]
            + (large || only != nil ? [(12, 8, 60), (16, 8, 60)] : [])
        for (n, m, limit) in sizes where only?.contains(n) ?? true {
            let inst = randomInstance(nodes: n, seed: UInt64(1000 + n), windowFraction: 0.8)
            let opts = PlanningOptions(timeLimit: limit, solver: GLPKSolver(), slots: m)
            func cell(_ f: ScheduleFormulation) -> (String, Double, Double?, Bool) {
                do {
                    let p = try SchedulePlanner.planExact(inst, formulation: f, options: opts)
                    let optimal = p.status == .optimal
                    let text = optimal ? String(format: "%.2f s optimal", p.metrics.solveSeconds)
                        : String(format: "%.2f s gap %.3f%%", p.metrics.solveSeconds, 100 * (p.metrics.gap ?? .nan))
                    return (text, p.metrics.solveSeconds, p.metrics.objective, optimal)
                } catch {
                    return ("error: \(error)", .nan, nil, false)
                }
            }
            let plain = runPlain ? cell(.plain) : ("skipped", Double.nan, nil, false)
            let strong = cell(.strengthened)
            let heuristic = (try? SchedulePlanner.plan(inst, method: .auto))?.metrics.objective
            let speed = plain.3 && strong.3 ? String(format: "%.1f×", plain.1 / strong.1)
                : (strong.3 && !plain.3 ? String(format: "> %.1f×", plain.1 / strong.1) : "-")
            let ratio = heuristic.flatMap { h in strong.2.map { String(format: "%.4f", h / $0) } } ?? "-"
            emit(pad("\(n)", 4) + pad("\(m)", 4) + pad(String(format: "%.0f s", limit), 7) + pad(plain.0, 28) + pad(strong.0, 28) + pad(speed, 10) + ratio)
        }
    }

    /// CPU seconds this process has used (user and system): planning time
    /// that other jobs on the machine do not inflate.
    static func cpuSeconds() -> Double { Double(clock()) / Double(CLOCKS_PER_SEC) }

    static func pad(_ s: String, _ w: Int) -> String {
        s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count)
    }
}

extension ScheduleBench {
    /// The most any plan can serve, with or without transit, when only the
    /// nodes' send and receive capacity `(k_i·r_c + p_i)/8·L` counts (a
    /// transit byte uses its source's transmitters and its target's
    /// receivers as a direct one does): an LP with backlog carried over.
    static func nodeBound(_ f: Fabric, _ ms: [Matrix], duration L: Double, solver: any Solver) -> Double? {
        let n = f.nodes
        let m = Model(name: "node-bound")
        var obj = LinearExpression()
        var backlog = [VariableID?](repeating: nil, count: n * n)
        let scale = max(ms.flatMap(\.values).max() ?? 1, 1)
        for d in ms {
            var send = [LinearExpression](repeating: LinearExpression(), count: n), recv = send
            for i in 0..<n {
                for j in 0..<n where i != j {
                    let y = m.addVariable(.continuous), b = m.addVariable(.continuous)
                    var row = LinearExpression(b) + y
                    if let prev = backlog[i * n + j] { row.add(-1, prev) }
                    m.addConstraint(row, .equalTo(d[i, j] / scale))
                    backlog[i * n + j] = b
                    send[i].add(1, y); recv[j].add(1, y); obj.add(1, y)
                }
            }
            for v in 0..<n {
                let cap = (Double(f.ocsPortsPerNode[v]) * f.circuitRate + f.packetRate[v]) / 8 * L / scale
                m.addConstraint(send[v], .lessThanOrEqual(cap)); m.addConstraint(recv[v], .lessThanOrEqual(cap))
            }
        }
        m.setObjective(obj, .maximize)
        return (try? solver.solve(m))?.objectiveValue.map { $0 * scale }
    }

    /// Epochs mode with transit (PROBLEMS.md §1b "With transit").
    ///
    /// - pods: the first 20 snapshots of `traces/fb_pod_a_4x4_series.csv` in
    ///   ATRO's units (values as Mb/s held for 1 s epochs), 10 ports per pod,
    ///   3,000 Mb/s circuits, δ = 10 ms, packet fabric 0 and 10 % of a pod's
    ///   circuit capacity (3,000 Mb/s). Per packet setting the demand is
    ///   scaled (bisection on the factor) until the exact 1-hop plan leaves
    ///   12–18 % of the bytes as backlog; then the exact 1-hop and transit
    ///   plans: served bytes, the share of the 1-hop backlog transit serves,
    ///   status and gap, CPU seconds.
    /// - coflow: `traces/coflow_fb2010_150racks_series_60s_bytes.csv`, 61
    ///   epochs of 60 s, 4 ports, 100 Gb/s circuits, 10 Gb/s packet,
    ///   δ = 20 µs: the `greedy` heuristic with and without transit.
    static func transitTable(directory: String, timeLimit: Double, traces: [String], podPorts: Int = 10) {
        let solver = GLPKSolver()
        func instance(_ f: Fabric, _ ms: [Matrix], duration: Double, hops: Int) -> ScheduleInstance {
            ScheduleInstance(fabric: f, mode: .epochs(ms.map { .init(duration: duration, demand: $0.withoutDiagonal) }), maxHops: hops)
        }
        func timed(_ inst: ScheduleInstance, _ m: ScheduleMethod, _ limit: Double) -> (SchedulePlan?, Double, Double) {
            let c0 = cpuSeconds(), t0 = Date()
            var p: SchedulePlan? = nil
            do { p = try SchedulePlanner.plan(inst, method: m, options: PlanningOptions(timeLimit: limit, solver: solver)) } catch {
                emit("  \(m.rawValue), maxHops \(inst.maxHops): \(error)")
            }
            return (p, cpuSeconds() - c0, Date().timeIntervalSince(t0))
        }
        func gb(_ x: Double?) -> String { x.map { String(format: "%.4f", $0 / 1e9) } ?? "-" }
        func status(_ p: SchedulePlan?) -> String {
            guard let p else { return "error" }
            return p.status == .optimal ? "optimal" : String(format: "%@ gap %.2f%%", p.status.rawValue, 100 * (p.metrics.gap ?? .nan))
        }
        if traces.contains("pods") {
            let url = URL(fileURLWithPath: directory).appendingPathComponent("traces/fb_pod_a_4x4_series.csv")
            guard let (series, _) = try? TrafficSeries.read(contentsOf: url, factor: 1e6 / 8) else {
                emit("cannot read \(url.path)"); return
            }
            let base = Array(series.snapshots.prefix(20))
            emit("")
            emit("Epochs with transit, 4-pod series: first \(base.count) snapshots as 1 s epochs (Mb/s held 1 s), \(podPorts) ports, 3,000 Mb/s circuits, δ = 10 ms; exact plans (limit \(Int(timeLimit)) s each)")
            emit(pad("packet", 10) + pad("scale", 8) + pad("1-hop served GB", 17) + pad("backlog", 10) + pad("1-hop", 22)
                 + pad("transit served GB", 19) + pad("backlog", 10) + pad("transit", 22) + pad("of 1-hop backlog", 18) + "CPU s (1-hop / transit)")
            for packet in [0.0, 3e9] {
                let f = Fabric(nodes: 4, ports: podPorts, circuitRate: 3e9, packetRate: packet, reconfigurationDelay: 0.01)
                func scaled(_ s: Double) -> [Matrix] { base.map { m in var c = m; c.values = m.values.map { $0 * s }; return c } }
                func fraction(_ p: SchedulePlan?) -> Double {
                    guard let p, let b = p.metrics.backlogBytes, let s = p.metrics.servedBytes, b + s > 0 else { return .nan }
                    return b / (b + s)
                }
                // Bracket with the 1-hop greedy (fast), then bisect with the exact 1-hop plan.
                var lo = 0.5, hi = 256.0, s = 8.0
                for _ in 0..<30 {
                    let fr = fraction(timed(instance(f, scaled(s), duration: 1, hops: 1), .greedy, timeLimit).0)
                    if fr.isNaN { break }
                    if fr < 0.15 { lo = s } else { hi = s }
                    s = (lo * hi).squareRoot()
                    if hi / lo < 1.01 { break }
                }
                lo = s / 4; hi = s * 2
                var oneHop: (SchedulePlan?, Double, Double) = (nil, 0, 0)
                for _ in 0..<12 {
                    oneHop = timed(instance(f, scaled(s), duration: 1, hops: 1), .ilp, min(20, timeLimit))
                    let fr = fraction(oneHop.0)
                    if fr.isNaN { break }
                    if fr < 0.12 { lo = s } else if fr > 0.18 { hi = s } else { break }
                    s = (lo * hi).squareRoot()
                }
                oneHop = timed(instance(f, scaled(s), duration: 1, hops: 1), .ilp, timeLimit)
                let transit = timed(instance(f, scaled(s), duration: 1, hops: 2), .ilp, timeLimit)
                let bound = nodeBound(f, scaled(s), duration: 1, solver: solver)
                let o = oneHop.0?.metrics, t = transit.0?.metrics
                let share = (o?.backlogBytes).flatMap { b in (t?.servedBytes).map { ($0 - (o?.servedBytes ?? 0)) / b } }
                emit(pad(packet == 0 ? "0" : "3000 Mb/s", 10) + pad(String(format: "%.2f", s), 8) + pad(gb(o?.servedBytes), 17)
                     + pad(String(format: "%.1f%%", 100 * fraction(oneHop.0)), 10) + pad(status(oneHop.0), 22)
                     + pad(gb(t?.servedBytes), 19) + pad(String(format: "%.1f%%", 100 * fraction(transit.0)), 10) + pad(status(transit.0), 22)
                     + pad(share.map { String(format: "%.1f%%", 100 * $0) } ?? "-", 18)
                     + String(format: "%.1f / %.1f", oneHop.1, transit.1) + "   node bound " + gb(bound) + " GB")
            }
        }
        if traces.contains("coflow") {
            let url = URL(fileURLWithPath: directory).appendingPathComponent("traces/coflow_fb2010_150racks_series_60s_bytes.csv")
            guard let (series, _) = try? TrafficSeries.read(contentsOf: url, factor: 1) else {
                emit("cannot read \(url.path)"); return
            }
            let f = Fabric(nodes: series.nodes, ports: 4, circuitRate: 100e9, packetRate: 10e9, reconfigurationDelay: 20e-6)
            let total = series.snapshots.reduce(0) { $0 + $1.withoutDiagonal.values.reduce(0, +) }
            for duration in [60.0, 1.0] {
                emit("")
                emit("Epochs with transit, coflow series: \(series.snapshots.count) epochs of \(Int(duration)) s (each 60 s snapshot as one epoch), \(series.nodes) racks, 4 ports, 100 Gb/s circuits, 10 Gb/s packet, δ = 20 µs; demand \(gb(total)) GB")
                emit(pad("method", 30) + pad("served GB", 14) + pad("backlog GB", 14) + pad("served/demand", 15) + pad("changed", 9) + pad("transit GB", 12) + "wall s / CPU s")
                var oneHopServed: Double? = nil
                for hops in [1, 2] {
                    let r = timed(instance(f, series.snapshots, duration: duration, hops: hops), .greedy, timeLimit)
                    let m = r.0?.metrics
                    let transitBytes = r.0?.epochs?.reduce(0.0) { $0 + ($1.transit ?? []).reduce(0) { $0 + $1.amount } } ?? 0
                    if hops == 1 { oneHopServed = m?.servedBytes }
                    var label = hops == 1 ? "greedy, 1 hop" : "greedy, transit"
                    if hops == 2, let a = oneHopServed, let b = m?.servedBytes { label += String(format: " (%.4f×)", b / a) }
                    emit(pad(label, 30) + pad(gb(m?.servedBytes), 14) + pad(gb(m?.backlogBytes), 14)
                         + pad(String(format: "%.4f", (m?.servedBytes ?? .nan) / total), 15) + pad("\(m?.circuitsChanged ?? -1)", 9)
                         + pad(gb(transitBytes), 12) + String(format: "%.1f / %.1f", r.2, r.1))
                }
            }
        }
    }
}

/// Prints a line to standard output unbuffered (progress shows as it happens).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
