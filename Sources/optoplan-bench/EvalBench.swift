import CBLAS
import Foundation
import OptoCore
import OptoEval

/// `optoplan-bench eval [--datasets DIR] [--configurations M]`: evaluates a
/// schedule of `M` (default 100) greedy-matching configurations on the
/// 150-rack coflow matrix and the 367-rack Facebook cluster C matrix, and
/// prints events processed, wall and CPU seconds (user + system of this
/// process, which stay meaningful on a loaded machine) and events per CPU
/// second; then times the per-port sums of a 367×367 rate matrix with and
/// without CBLAS.
enum EvalBench {
    static func run(_ arguments: [String]) throws {
        var directory: String?
        var configurations = 100
        var k = 0
        while k < arguments.count {
            switch arguments[k] {
            case "--datasets": k += 1; directory = arguments[k]
            case "--configurations": k += 1; configurations = Int(arguments[k]) ?? 100
            default: throw BenchError.usage("unknown argument \(arguments[k])")
            }
            k += 1
        }
        let dir = directory ?? defaultDatasetDirectory()
        out("eval benchmark: datasets in \(dir), \(configurations) configurations (greedy max-weight matchings)")
        out("fabric: 1 OCS port per node, r_c = 100 Gbps, p = 10 Gbps, δ = 20 µs; makespan mode (every flow runs to completion)")
        out(String(repeating: "-", count: 96))
        out(pad("matrix", 32) + pad("nodes", 6) + pad("flows", 7) + pad("events", 7) + pad("wall s", 8)
              + pad("CPU s", 8) + pad("events/CPU s", 13) + pad("makespan s", 11) + "busy")
        for (file, unit) in [("coflow_fb2010_150racks_MB.csv", 1e6), ("fb_cluster_C_rack_bytes.csv", 1.0)] {
            let path = (dir as NSString).appendingPathComponent(file)
            let demand = try readMatrix(path).scaled(by: unit).withoutDiagonal
            let n = demand.rows
            let fabric = Fabric(nodes: n, ports: 1, circuitRate: 100e9, packetRate: 10e9, reconfigurationDelay: 20e-6)
            let instance = ScheduleInstance(fabric: fabric, demand: demand, window: nil)
            var t0 = Date()
            let plan = greedySchedule(demand, fabric: fabric, configurations: configurations)
            FileHandle.standardError.write(Data("schedule built in \(Date().timeIntervalSince(t0)) s\n".utf8))
            t0 = Date()
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
                  + pad(String(format: "%.4f", metrics.makespan ?? 0), 11)
                  + String(format: "%.3f", metrics.circuitBusyFraction ?? 0))
        }
        blasComparison()
    }

    /// Package root → ../shared/datasets, else datasets/ in the package.
    static func defaultDatasetDirectory() -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shared = root.deletingLastPathComponent().appendingPathComponent("shared/datasets").path
        if FileManager.default.fileExists(atPath: shared) { return shared }
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
