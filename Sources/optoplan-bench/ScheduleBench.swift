import Foundation
import OptoCore
import OptoGLPK
import OptoModel
import OptoPlanners

/// `optoplan-bench schedule`: the two tables of the circuit-scheduling issue.
///
/// 1. Exact: random instances at N = 4, 6, 8 (and 12, 16 with `--large`),
///    the plain slot model against the strengthened one, time to optimality
///    or the final gap.
/// 2. Heuristics: on the real rack matrices (150, 159, 326, 367 racks),
///    makespan over the §1a lower bound and planning time per method.
///
/// Options: `--datasets DIR` (default `datasets`, else `../shared/datasets`),
/// `--skip-exact`, `--skip-heuristics`, `--large`, `--time-limit S`
/// (exact, default 60), `--methods a,b,c`.
enum ScheduleBench {
    static func run(_ args: [String]) {
        func value(_ flag: String) -> String? {
            guard let i = args.firstIndex(of: flag), i + 1 < args.count else { return nil }
            return args[i + 1]
        }
        let fm = FileManager.default
        let dir = value("--datasets") ?? (["datasets", "../shared/datasets", "/work/shared/datasets"].first {
            fm.fileExists(atPath: $0 + "/fb_cluster_C_rack_bytes.csv")
        } ?? "datasets")
        let methods = (value("--methods")?.split(separator: ",").compactMap { ScheduleMethod(rawValue: String($0)) })
            ?? [.solstice, .eclipse, .greedy, .bvn, .static, .rotor]
        if !args.contains("--skip-exact") {
            exactTable(large: args.contains("--large"), timeLimit: Double(value("--time-limit") ?? "60") ?? 60)
        }
        if !args.contains("--skip-heuristics") {
            heuristicTable(directory: dir, methods: methods)
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

    static func heuristicTable(directory: String, methods: [ScheduleMethod]) {
        let sets: [(String, String, Double)] = [
            ("coflow-150", "coflow_fb2010_150racks_MB.csv", 1e6),
            ("fb-A-159", "fb_cluster_A_rack_bytes.csv", 1),
            ("fb-B-326", "fb_cluster_B_rack_bytes.csv", 1),
            ("fb-C-367", "fb_cluster_C_rack_bytes.csv", 1),
        ]
        emit("")
        emit("Heuristics, makespan mode: makespan / lower bound (planning seconds, configurations)")
        emit("fabric: k = 1, r_c = 100 Gb/s, p = 10 Gb/s, δ = 20 µs; datasets from \(directory)")
        emit(pad("matrix", 12) + pad("LB (s)", 10) + methods.map { pad($0.rawValue, 26) }.joined())
        let only = ProcessInfo.processInfo.environment["SCHEDULE_BENCH_ONLY"]
        for (name, file, factor) in sets where only == nil || name.contains(only!) {
            guard let d = loadCSV(directory + "/" + file, factor: factor) else {
                emit(pad(name, 12) + "missing \(file)")
                continue
            }
            let inst = ScheduleInstance(fabric: fabric(nodes: d.rows), demand: d)
            let lb = (try? ScheduleScoring.lowerBound(fabric: inst.fabric, demand: d)) ?? .nan
            var line = pad(name, 12) + pad(String(format: "%.4f", lb), 10)
            for m in methods {
                do {
                    let p = try SchedulePlanner.plan(inst, method: m)
                    let cell = String(format: "%.4f (%.2fs, %d)", (p.metrics.makespan ?? .nan) / lb,
                                      p.metrics.solveSeconds, p.configurations?.count ?? 0)
                    line += pad(cell, 26)
                } catch {
                    line += pad("error", 26)
                }
            }
            emit(line)
        }
    }

    static func exactTable(large: Bool, timeLimit: Double) {
        emit("Exact: not yet available")
    }

    static func pad(_ s: String, _ w: Int) -> String {
        s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count)
    }
}

/// Prints a line to standard output unbuffered (progress shows as it happens).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
