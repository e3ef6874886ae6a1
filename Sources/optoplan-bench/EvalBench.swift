import CBLAS
import Foundation
import OptoCore
import OptoEval
import OptoPlanners

/// `optoplan-bench eval [--datasets DIR] [--methods a,b] [--sizes fb-C,n1024] [--plans DIR]
/// [--skip-reference] [--skip-planio] [--skip-blas]`: the evaluator's speed
/// on the plans users produce.
///
/// 1. One row per schedule heuristic and matrix: every heuristic's plan of
///    the 367-rack Facebook cluster C matrix, and the greedy, solstice and
///    bottleneck plans of a seeded 1,024-node matrix (two elephants and 60
///    mice per row, 63,488 flows). Fabric: k = 1, r_c = 100 Gb/s,
///    p = 10 Gb/s, δ = 20 µs, makespan mode. Each row prints the plan's
///    configurations, the events the evaluation processed, its CPU seconds
///    (user + system of this process, meaningful on a loaded machine) and
///    wall seconds, and the makespan and circuit busy fraction in full
///    precision (to check that a change to the evaluator moves nothing).
///    `--plans DIR` keeps the plans there and reuses them on the next run.
/// 2. The reference rows: 100 greedy-matching configurations on the
///    150-rack coflow and the 367-rack cluster C matrices (the rows earlier
///    measurements used).
/// 3. Plan files: the solstice plan of the 326-rack cluster B matrix
///    written (text and atomic file) and read back, CPU and wall seconds.
/// 4. Per-port sums of a 367×367 rate matrix with and without CBLAS.
enum EvalBench {
    static func run(_ arguments: [String]) throws {
        var directory: String?
        var methods: [ScheduleMethod] = [.greedy, .solstice, .bottleneck, .eclipse, .bvn, .static, .rotor]
        var sizes = ["fb-C", "n1024"]
        var planDirectory: String?
        var k = 0
        func value() throws -> String {
            k += 1
            guard k < arguments.count else { throw BenchError.usage("\(arguments[k - 1]) needs a value") }
            return arguments[k]
        }
        var skip = Set<String>()
        while k < arguments.count {
            switch arguments[k] {
            case "--datasets": directory = try value()
            case "--methods":
                methods = try value().split(separator: ",").map {
                    guard let m = ScheduleMethod(rawValue: String($0)) else { throw BenchError.usage("unknown method \($0)") }
                    return m
                }
            case "--sizes": sizes = try value().split(separator: ",").map(String.init)
            case "--plans": planDirectory = try value()
            case "--skip-methods": skip.insert("methods")
            case "--skip-reference": skip.insert("reference")
            case "--skip-planio": skip.insert("planio")
            case "--skip-blas": skip.insert("blas")
            default: throw BenchError.usage("unknown argument \(arguments[k])")
            }
            k += 1
        }
        let dir = directory ?? defaultDatasetDirectory()
        out("eval benchmark: datasets in \(dir)")
        out("fabric: 1 OCS port per node, r_c = 100 Gbps, p = 10 Gbps, δ = 20 µs; makespan mode (every flow runs to completion)")
        if !skip.contains("methods") { try methodTable(dir, methods: methods, sizes: sizes, planDirectory: planDirectory) }
        if !skip.contains("reference") { try referenceTable(dir) }
        if !skip.contains("planio") { try planFileTable(dir) }
        if !skip.contains("blas") { blasComparison() }
    }

    static func fabric(nodes: Int) -> Fabric {
        Fabric(nodes: nodes, ports: 1, circuitRate: 100e9, packetRate: 10e9, reconfigurationDelay: 20e-6)
    }

    /// The method table: a row per (matrix, method).
    static func methodTable(_ dir: String, methods: [ScheduleMethod], sizes: [String], planDirectory: String?) throws {
        out(String(repeating: "-", count: 120))
        out(pad("matrix", 10) + pad("method", 11) + pad("configs", 8) + pad("flows", 7) + pad("events", 8)
              + pad("plan CPU s", 11) + pad("eval CPU s", 11) + pad("eval wall s", 12) + pad("makespan s", 20) + "busy fraction")
        for size in sizes {
            let demand: Matrix
            let rowMethods: [ScheduleMethod]
            switch size {
            case "fb-C":
                demand = try readMatrix((dir as NSString).appendingPathComponent("fb_cluster_C_rack_bytes.csv")).withoutDiagonal
                rowMethods = methods
            case "n1024":
                demand = elephantsAndMice(nodes: 1024, elephants: 2, mice: 60, seed: 14)
                rowMethods = methods.filter { [.greedy, .solstice, .bottleneck].contains($0) }
            default: throw BenchError.usage("unknown size \(size) (fb-C or n1024)")
            }
            let instance = ScheduleInstance(fabric: fabric(nodes: demand.rows), demand: demand, window: nil)
            let flows = demand.values.filter { $0 > 0 }.count
            for method in rowMethods {
                var planCPU = Double.nan
                var plan: SchedulePlan
                let cached = planDirectory.map { URL(fileURLWithPath: $0).appendingPathComponent("\(size)-\(method.rawValue).json") }
                if let cached, FileManager.default.fileExists(atPath: cached.path),
                   case .schedule(let p) = try PlanIO.read(contentsOf: cached) {
                    plan = p
                } else {
                    let c0 = processCPUSeconds()
                    plan = try SchedulePlanner.plan(instance, method: method)
                    planCPU = processCPUSeconds() - c0
                    if let cached { try PlanIO.write(.schedule(plan), to: cached) }
                }
                let start = Date()
                let cpuStart = processCPUSeconds()
                let metrics = try Evaluator.evaluate(plan, on: instance)
                let cpu = processCPUSeconds() - cpuStart
                let wall = Date().timeIntervalSince(start)
                out(pad(size, 10) + pad(method.rawValue, 11) + pad("\(plan.configurations?.count ?? 0)", 8) + pad("\(flows)", 7)
                      + pad("\(metrics.events ?? 0)", 8) + pad(planCPU.isNaN ? "cached" : String(format: "%.2f", planCPU), 11)
                      + pad(String(format: "%.2f", cpu), 11) + pad(String(format: "%.2f", wall), 12)
                      + pad(String(format: "%.12g", metrics.makespan ?? 0), 20)
                      + String(format: "%.12g", metrics.circuitBusyFraction ?? 0))
            }
        }
    }

    /// A seeded `n × n` matrix: each row sends `elephants` flows of
    /// 50–150 MB and `mice` flows of 1–10 MB to distinct other nodes.
    static func elephantsAndMice(nodes n: Int, elephants: Int, mice: Int, seed: UInt64) -> Matrix {
        // The xorshift draw of ScheduleBench.randomInstance (the matrix the issue measured).
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> Double {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Double(state % 1_000_000) / 1_000_000
        }
        var d = Matrix(size: n)
        for i in 0..<n {
            var chosen = Set<Int>()
            while chosen.count < elephants + mice {
                let j = (i + 1 + Int(next() * Double(n - 1))) % n
                guard j != i, chosen.insert(j).inserted else { continue }
                d[i, j] = chosen.count <= elephants ? 1e8 * (0.5 + next()) : 1e6 * (1 + 9 * next())
            }
        }
        return d
    }

    /// The rows of the earlier measurements: 100 greedy-matching configurations.
    static func referenceTable(_ dir: String) throws {
        let configurations = 100
        out(String(repeating: "-", count: 120))
        out("reference rows: \(configurations) greedy max-weight matchings, each held until its median pair is served")
        out(pad("matrix", 32) + pad("nodes", 6) + pad("flows", 7) + pad("events", 7) + pad("wall s", 8)
              + pad("CPU s", 8) + pad("events/CPU s", 13) + pad("makespan s", 20) + "busy fraction")
        for (file, unit) in [("coflow_fb2010_150racks_MB.csv", 1e6), ("fb_cluster_C_rack_bytes.csv", 1.0)] {
            let path = (dir as NSString).appendingPathComponent(file)
            let demand = try readMatrix(path).scaled(by: unit).withoutDiagonal
            let n = demand.rows
            let instance = ScheduleInstance(fabric: fabric(nodes: n), demand: demand, window: nil)
            let plan = greedySchedule(demand, fabric: instance.fabric, configurations: configurations)
            let flows = demand.values.filter { $0 > 0 }.count
            let start = Date()
            let cpuStart = processCPUSeconds()
            let metrics = try Evaluator.evaluate(plan, on: instance)
            let cpu = processCPUSeconds() - cpuStart
            let seconds = Date().timeIntervalSince(start)
            let events = metrics.events ?? 0
            out(pad(file, 32) + pad("\(n)", 6) + pad("\(flows)", 7) + pad("\(events)", 7)
                  + pad(String(format: "%.2f", seconds), 8) + pad(String(format: "%.2f", cpu), 8)
                  + pad(String(format: "%.0f", Double(events) / cpu), 13)
                  + pad(String(format: "%.12g", metrics.makespan ?? 0), 20)
                  + String(format: "%.12g", metrics.circuitBusyFraction ?? 0))
        }
    }

    /// Writing and reading the solstice plan of cluster B (2,233 configurations).
    static func planFileTable(_ dir: String) throws {
        let demand = try readMatrix((dir as NSString).appendingPathComponent("fb_cluster_B_rack_bytes.csv")).withoutDiagonal
        let instance = ScheduleInstance(fabric: fabric(nodes: demand.rows), demand: demand, window: nil)
        let c0 = processCPUSeconds()
        let plan = Plan.schedule(try SchedulePlanner.plan(instance, method: .solstice))
        let planCPU = processCPUSeconds() - c0
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("optoplan-bench-plan-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        func timed<T>(_ body: () throws -> T) rethrows -> (T, Double, Double) {
            let w0 = Date(), cpu0 = processCPUSeconds()
            let v = try body()
            return (v, processCPUSeconds() - cpu0, Date().timeIntervalSince(w0))
        }
        var best: [String: (Double, Double)] = [:]
        var read: Plan?
        for _ in 0..<3 {
            let (_, writeCPU, writeWall) = try timed { try PlanIO.write(plan, to: url) }
            let (back, readCPU, readWall) = try timed { try PlanIO.read(contentsOf: url) }
            read = back
            for (key, cpu, wall) in [("write", writeCPU, writeWall), ("read", readCPU, readWall)] {
                if let b = best[key], b.0 <= cpu { continue }
                best[key] = (cpu, wall)
            }
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        out(String(repeating: "-", count: 120))
        let configs = plan.scheduleConfigurationCount
        out(String(format: "plan file: fb-B-326 solstice, %d configurations, %.1f MB (planning %.2f CPU s); best of 3 runs:",
                    configs, Double(bytes) / 1e6, planCPU))
        let (w, r) = (best["write"]!, best["read"]!)
        out(String(format: "  write %.3f CPU s (%.3f wall), read %.3f CPU s (%.3f wall), write + read %.3f CPU s (%.3f wall); read back equal: %@",
                    w.0, w.1, r.0, r.1, w.0 + r.0, w.1 + r.1, read == plan ? "yes" : "NO"))
    }

    /// Package root → ../shared/datasets, else datasets/ in the package.
    static func defaultDatasetDirectory() -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shared = root.deletingLastPathComponent().appendingPathComponent("shared/datasets").path
        if FileManager.default.fileExists(atPath: shared) { return shared }
        if FileManager.default.fileExists(atPath: "/work/shared/datasets") { return "/work/shared/datasets" }
        return root.appendingPathComponent("datasets").path
    }

    /// A square CSV of numbers (no header).
    static func readMatrix(_ path: String) throws -> Matrix {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let rows = text.split(whereSeparator: \.isNewline).map { line in
            line.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) ?? 0 }
        }
        guard let width = rows.first?.count, rows.allSatisfy({ $0.count == width }), width == rows.count else {
            throw BenchError.usage("\(path) is not a square CSV matrix")
        }
        return Matrix(rows)
    }

    /// `M` configurations, each a greedy maximum-weight matching on the
    /// demand left, held until the median matched pair is served by its
    /// circuit (assuming the circuit alone serves it).
    static func greedySchedule(_ demand: Matrix, fabric: Fabric, configurations: Int) -> SchedulePlan {
        let n = demand.rows
        var left = demand
        var configs: [SchedulePlan.Configuration] = []
        for _ in 0..<configurations {
            let order = (0..<(n * n)).filter { left.values[$0] > 0 }.sorted { left.values[$0] > left.values[$1] }
            if order.isEmpty { break }
            var usedOut = Array(repeating: false, count: n)
            var usedIn = Array(repeating: false, count: n)
            var circuits: [Circuit] = []
            var sizes: [Double] = []
            for pair in order {
                let i = pair / n, j = pair % n
                if usedOut[i] || usedIn[j] { continue }
                usedOut[i] = true
                usedIn[j] = true
                circuits.append(Circuit(i, j))
                sizes.append(left.values[pair])
            }
            sizes.sort()
            let duration = sizes[sizes.count / 2] * 8 / fabric.circuitRate
            for c in circuits {
                left[c.from, c.to] = max(0, left[c.from, c.to] - duration * fabric.circuitRate / 8)
            }
            configs.append(.init(duration: duration, circuits: circuits))
        }
        return SchedulePlan(method: "bench-greedy", status: .heuristic, metrics: PlanMetrics(objective: 0), configurations: configs)
    }

    /// Per-port sums (row and column sums) of an `N × N` rate matrix: a
    /// plain loop against CBLAS `dgemv` with a vector of ones.
    static func blasComparison() {
        let n = 367
        var rates = (0..<(n * n)).map { Double(($0 * 7919) % 1000) }
        let ones = Array(repeating: 1.0, count: n)
        var rows = Array(repeating: 0.0, count: n)
        var cols = Array(repeating: 0.0, count: n)
        let repeats = 2000
        var start = Date()
        for r in 0..<repeats {
            rates[r % n] += 1
            for i in 0..<n { rows[i] = 0; cols[i] = 0 }
            rates.withUnsafeBufferPointer { a in
                for i in 0..<n {
                    var s = 0.0
                    for j in 0..<n {
                        let v = a[i * n + j]
                        s += v
                        cols[j] += v
                    }
                    rows[i] = s
                }
            }
        }
        let loop = Date().timeIntervalSince(start) / Double(repeats)
        let check = rows.reduce(0, +)
        start = Date()
        for r in 0..<repeats {
            rates[r % n] += 1
            cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(n), 1, rates, Int32(n), ones, 1, 0, &rows, 1)
            cblas_dgemv(CblasRowMajor, CblasTrans, Int32(n), Int32(n), 1, rates, Int32(n), ones, 1, 0, &cols, 1)
        }
        let blas = Date().timeIntervalSince(start) / Double(repeats)
        out(String(repeating: "-", count: 96))
        out(String(format: "per-port sums of a %d×%d rate matrix: loop %.1f µs, CBLAS dgemv %.1f µs (ratio %.2f) [check %.0f]",
                     n, n, loop * 1e6, blas * 1e6, blas / loop, check))
    }

    /// User plus system CPU seconds of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    var description: String {
        switch self { case .usage(let m): "optoplan-bench: \(m)" }
    }
}

/// Prints a line at once (unbuffered), so progress shows while a benchmark runs.
func out(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

extension Plan {
    /// Configurations of a window-mode schedule plan (0 otherwise).
    var scheduleConfigurationCount: Int {
        if case .schedule(let p) = self { return p.configurations?.count ?? 0 }
        return 0
    }
}
