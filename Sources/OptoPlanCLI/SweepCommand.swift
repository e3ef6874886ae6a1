import ArgumentParser
import Foundation
import OptoCore
import OptoEval
import OptoPlanners

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `optoplan sweep INSTANCE --set PATH=V1,V2,… [--set …] [--methods a,b] [--jobs J]
/// [--format table|csv|json] [--plot FILE.svg] [--time-limit S]`.
public struct SweepCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Plan an instance over a grid of fabric or traffic values and compare the plans.",
        discussion: """
        Each --set PATH=V1,V2,… names a number or quantity of the instance \
        by its JSON path (members joined by dots, [i] for list entries, as \
        input errors name them) and the values it takes: numbers in base \
        units, quantities with a unit (10us, 400Gbps, 1.5GB), or lists \
        [1,2,1,2] for fields that take one value per node. A member the \
        instance leaves out may be set when its object takes it \
        (fabric.maxHops, window). The instance is planned once per \
        combination of the values (the first --set varying slowest) with each \
        method (default auto), --jobs plans at once, and each plan is scored \
        by the evaluator. One row per combination and method: the values, \
        status, objective, gap to the best bound any method proved at that \
        combination, solve seconds and the evaluator's figures (ev.*).

        Every combination is built and checked before anything is planned: \
        a malformed --set, a path the instance does not have or that holds \
        no number, or a value the field rejects exits with 64; a value that \
        makes another part of the instance invalid (nodes against the \
        demand matrix) exits with 65. Progress goes to standard error, one \
        line per plan (--quiet hides it). Ctrl-C stops the running exact \
        searches (each keeps its best plan), starts nothing more and prints \
        the rows done; Ctrl-C again quits at once (status 130) without output.

        --format json prints {"rows": [{"set": {PATH: value in base units, …}, \
        "method", "status", "objective", "gap", "seconds", "evaluation": {the \
        evaluate figures, without the per-pair completionTimes and rates}, \
        "planMethod", "bound", "note"}, …]}. --plot FILE.svg draws the \
        objective against the first swept value, one line per method (and \
        per combination of the other values).

        Exit status: 0 when some row has a plan; 1 when none has a feasible \
        plan; 64 bad arguments; 65 bad input.

        Examples:
          optoplan sweep datasets/schedule/synthetic-n8-window.json --set fabric.ocsPortsPerNode=1,2,4 --methods greedy,eclipse
          optoplan sweep datasets/schedule/formats-example.json --set fabric.reconfigurationDelay=10us,100us,1ms \\
              --set fabric.ocsPortsPerNode=1,2 --methods ilp,greedy --format csv --plot delta.svg
        """
    )

    @Argument(help: "The instance (JSON).")
    public var instance: String

    @Option(name: .customLong("set"), help: ArgumentHelp("A JSON path and its values: PATH=V1,V2,… (repeatable).", valueName: "PATH=V1,V2,…"))
    public var settings: [String] = []

    @Option(help: "Comma-separated methods (default: auto).")
    public var methods: String?

    @Option(help: "Plans at once (default 1).")
    public var jobs: Int = 1

    @Option(name: .long, help: "Seconds each exact search (and auto's heuristics) may take (default 30).")
    public var timeLimit: Double = 30

    @OptionGroup public var solverOption: SolverOption

    @Option(help: "table, csv or json.")
    public var format: CompareFormat = .table

    @Option(help: "Write an SVG plot of the objective against the first swept value.")
    public var plot: String?

    @Flag(name: .shortAndLong, help: "No progress lines on standard error.")
    public var quiet = false

    public init() {}

    public func validate() throws {
        guard !settings.isEmpty else { throw ValidationError("give at least one --set PATH=V1,V2,…") }
        guard timeLimit.isFinite, timeLimit > 0 else { throw ValidationError("--time-limit must be a positive number of seconds") }
        guard jobs >= 1, jobs <= 1024 else { throw ValidationError("--jobs must be between 1 and 1024") }
        if let methods, methods.split(separator: ",").isEmpty { throw ValidationError("--methods needs at least one method") }
    }

    public func run() throws {
        let loaded = try CLIFiles.loadInstance(instance)
        let known = PlannerCatalog.methods(for: loaded.problem)
        let chosen = methods.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? [PlannerCatalog.defaultMethod]
        for m in chosen where !known.contains(m) {
            StandardError.print("error: '\(m)' is not a \(loaded.problem.rawValue) method (one of \(known.joined(separator: ", ")))")
            throw ExitStatus.badArguments
        }
        let grid = try buildGrid()
        grid.notes.forEach { StandardError.print("note: \($0)") }
        if let plot { try Self.checkWritable(plot) }

        let runner = SweepRunner(grid: grid, methods: chosen, jobs: jobs)
        let flags = try SolveDisplayOptions.parse(["--quiet"])
        let session = ExactSolveSession(flags, output: plot,
                                        stopMessage: "interrupted: stopping the running plans; the rows done follow (Ctrl-C again to quit)")
        let total = runner.total
        if !quiet {
            StandardError.print("sweep: \(grid.points.count) combination\(grid.points.count == 1 ? "" : "s") × \(chosen.count) method\(chosen.count == 1 ? "" : "s") = \(total) plan\(total == 1 ? "" : "s"), \(min(jobs, total)) at once")
        }
        let base = PlannerCatalog.options(timeLimit: timeLimit, solver: try solverOption.make())
        let quiet = self.quiet
        session.installSignalHandler()
        let rows = runner.run(options: session.options(base), shouldStop: { session.stopRequested }) { done, row in
            guard !quiet else { return }
            StandardError.print("sweep: [\(done)/\(total)] " + SweepOutput.progressLine(row, grid: grid))
        }
        let result = SweepOutput(grid: grid, methods: chosen, rows: rows, interrupted: session.stopRequested, planned: total)
        if result.interrupted {
            StandardError.print("sweep: interrupted: \(rows.count) of \(total) rows done")
        }
        switch format {
        case .table: print(result.table(), terminator: "")
        case .csv: print(result.csv(), terminator: "")
        case .json: print(result.json(), terminator: "")
        }
        if let plot {
            do { try AtomicFile.write(Data(result.svg().utf8), to: CLIFiles.userURL(plot)) } catch {
                StandardError.print("error: \(error)")
                throw ExitStatus.badArguments
            }
        }
        session.finish()
        let planned = rows.filter { $0.row.objective != nil }
        if planned.isEmpty && !rows.isEmpty {
            if let bad = rows.first(where: \.row.badInput) {
                StandardError.print("error: \(instance): \(bad.row.note ?? "bad input")")
                throw ExitStatus.badInput
            }
            if rows.allSatisfy({ $0.row.status == "n/a" }) {
                StandardError.print("error: none of the methods named applies to \(instance)")
                throw ExitStatus.badArguments
            }
            StandardError.print("no method found a feasible plan")
            throw ExitStatus.infeasible
        }
    }

    /// Parses the `--set` arguments and builds every combination's instance;
    /// prints the failure and throws 64 or 65.
    func buildGrid() throws(ExitCode) -> SweepGrid {
        do {
            return try makeGrid()
        } catch {
            StandardError.print("error: \(error)")
            if case .badInput = error { throw ExitStatus.badInput }
            throw ExitStatus.badArguments
        }
    }

    func makeGrid() throws(SweepFailure) -> SweepGrid {
        let axes = try settings.map { (s: String) throws(SweepFailure) -> SweepAxis in try SweepAxis.parse(s) }
        let url = CLIFiles.userURL(instance)
        // The file was read and checked by loadInstance already.
        guard let data = try? Data(contentsOf: url), case .success(let document) = JSONValue.parse([UInt8](data)) else {
            throw .badInput("\(instance): cannot be read again")
        }
        return try SweepGrid.build(document: document, file: instance, baseDirectory: url.deletingLastPathComponent(), axes: axes)
    }

    /// Fails with 64 when `path`'s directory does not exist (before any planning).
    static func checkWritable(_ path: String) throws(ExitCode) {
        let url = CLIFiles.userURL(path)
        var isDirectory: ObjCBool = false
        let dir = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue,
              FileManager.default.isWritableFile(atPath: dir) else {
            StandardError.print("error: --plot \(path): the directory \(dir) does not exist or is not writable")
            throw ExitStatus.badArguments
        }
    }
}

/// The rows of a finished (or interrupted) sweep as a table, CSV, JSON or an SVG plot.
struct SweepOutput {
    let grid: SweepGrid
    let methods: [String]
    let rows: [SweepRow]
    let interrupted: Bool
    let planned: Int

    /// The evaluated columns, in order of first appearance.
    var evaluatedColumns: [String] {
        var columns: [String] = []
        for r in rows { for key in r.row.evaluated.keys.sorted() where !columns.contains(key) { columns.append(key) } }
        return columns
    }

    static func num(_ x: Double?) -> String { x.map { String(format: "%.6g", $0) } ?? "" }

    /// One progress line: the values, the method, the status and objective.
    static func progressLine(_ r: SweepRow, grid: SweepGrid) -> String {
        let point = grid.points[r.point]
        let set = zip(grid.axes, point.values).map { "\($0.path)=\($1.text)" }.joined(separator: " ")
        var s = "\(set) \(r.row.method): \(r.row.status)"
        if let m = r.row.planMethod, m != r.row.method { s += " (\(m))" }
        if let o = r.row.objective { s += String(format: ", objective %.6g", o) }
        if let t = r.row.seconds { s += String(format: ", %.2f s", t) }
        if r.row.objective == nil, let note = r.row.note { s += ": \(note)" }
        return s
    }

    /// CSV: the swept paths (values in base units; lists as `[a b …]`),
    /// method, status, objective, gap, seconds, the evaluated figures, bound, planMethod.
    func csv() -> String {
        let ev = evaluatedColumns
        var lines = [(grid.axes.map(\.path) + ["method", "status", "objective", "gap", "seconds"] + ev + ["bound", "planMethod"])
            .map(Self.csvCell).joined(separator: ",")]
        for r in rows {
            let values = grid.points[r.point].values.map { v in
                v.isList ? "[" + v.numbers.map { Self.num($0) }.joined(separator: " ") + "]" : Self.num(v.number)
            }
            var cells = values + [r.row.method, r.row.status, Self.num(r.row.objective), Self.num(r.row.gap), Self.num(r.row.seconds)]
            cells += ev.map { Self.num(r.row.evaluated[$0]) }
            cells += [Self.num(r.row.bound), r.row.planMethod ?? ""]
            lines.append(cells.map(Self.csvCell).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func csvCell(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// JSON (FORMATS.md `sweep`): `{"rows": [...]}`, plus the objective's
    /// name and direction, the paths, and `interrupted` with the count of
    /// rows not run when Ctrl-C stopped the sweep.
    func json() -> String {
        func value(_ x: Double?) -> Any { x.map { $0 as Any } ?? NSNull() }
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let rowObjects: [[String: Any]] = rows.map { r in
            var set: [String: Any] = [:]
            var text: [String: Any] = [:]
            for (axis, v) in zip(grid.axes, grid.points[r.point].values) {
                set[axis.path] = v.isList ? v.numbers as Any : v.numbers[0] as Any
                text[axis.path] = v.text
            }
            var evaluation: Any = NSNull()
            if let m = r.evaluation, let data = try? encoder.encode(m),
               var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
                // Per-pair detail (N² entries a row) stays with `optoplan evaluate`.
                object["completionTimes"] = nil
                object["rates"] = nil
                evaluation = object
            }
            var o: [String: Any] = ["set": set, "setText": text, "method": r.row.method, "status": r.row.status,
                                    "objective": value(r.row.objective), "gap": value(r.row.gap), "seconds": value(r.row.seconds),
                                    "bound": value(r.row.bound), "evaluation": evaluation]
            if let m = r.row.planMethod { o["planMethod"] = m }
            if let note = r.row.note { o["note"] = note }
            return o
        }
        var object: [String: Any] = ["rows": rowObjects, "paths": grid.axes.map(\.path), "methods": methods]
        if let first = grid.points.first?.instance {
            object["problem"] = first.problem.rawValue
            object["objective"] = PlannerCatalog.objectiveName(of: first)
            object["direction"] = PlannerCatalog.direction(of: first).rawValue
        }
        if interrupted {
            object["interrupted"] = true
            object["rowsNotRun"] = planned - rows.count
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// An aligned table; the swept values as typed.
    func table() -> String {
        let ev = evaluatedColumns
        let header = grid.axes.map(\.path) + ["method", "status", "objective", "gap", "seconds"] + ev.map(Comparison.shortName)
        let body: [[String]] = rows.map { r in
            var cells = grid.points[r.point].values.map(\.text)
            cells += [r.row.planMethod ?? r.row.method, r.row.status,
                      r.row.objective.map { String(format: "%.5g", $0) } ?? "-",
                      r.row.gap.map(Comparison.percent) ?? "-", r.row.seconds.map { String(format: "%.2f", $0) } ?? "-"]
            cells += ev.map { c in r.row.evaluated[c].map { String(format: "%.4g", $0) } ?? "-" }
            return cells
        }
        let widths = header.indices.map { c in ([header[c]] + body.map { $0[c] }).map(\.count).max() ?? 0 }
        let textColumns = grid.axes.count + 2
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, s in
                c < textColumns ? s.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                                : String(repeating: " ", count: widths[c] - s.count) + s
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = ""
        if let first = grid.points.first?.instance {
            out += "\(first.problem.rawValue): \(PlannerCatalog.direction(of: first).rawValue) \(PlannerCatalog.objectiveName(of: first))\n"
        }
        out += line(header) + "\n" + line(widths.map { String(repeating: "-", count: $0) }) + "\n"
        out += body.map(line).joined(separator: "\n") + (body.isEmpty ? "" : "\n")
        for r in rows where r.row.status == "error" || r.row.status == "n/a" {
            out += Comparison.wrap("\(Self.progressLine(r, grid: grid))", 80)
        }
        return out
    }

    /// The SVG plot: the objective against the first swept value, one line
    /// per method and combination of the other values. The x axis is
    /// logarithmic when the values are positive and span 20× or more; list
    /// values are placed evenly in the order given.
    func svg() -> String {
        let axis = grid.axes[0]
        let numeric = axis.values.allSatisfy { $0.number != nil }
        let positive = numeric && axis.values.allSatisfy { ($0.number ?? 0) > 0 }
        let xs = axis.values.map { $0.number ?? 0 }
        let log = positive && (xs.max() ?? 1) / (xs.min() ?? 1) >= 20
        func x(of valueIndex: Int) -> Double {
            guard numeric else { return Double(valueIndex) }
            return log ? log10(xs[valueIndex]) : xs[valueIndex]
        }
        // Series: (method, the other axes' values) → points in first-axis order.
        var series: [(name: String, points: [(Double, Double)])] = []
        var keys: [String] = []
        for r in rows {
            guard let objective = r.row.objective, objective.isFinite else { continue }
            let values = grid.points[r.point].values
            let others = zip(grid.axes.dropFirst(), values.dropFirst()).map { "\($0.path)=\($1.text)" }
            let key = ([r.row.method] + others).joined(separator: ", ")
            let vi = axis.values.firstIndex(of: values[0]) ?? 0
            if let s = keys.firstIndex(of: key) {
                series[s].points.append((x(of: vi), objective))
            } else {
                keys.append(key)
                series.append((key, [(x(of: vi), objective)]))
            }
        }
        let allX = axis.values.indices.map(x(of:))
        let allY = series.flatMap { $0.points.map(\.1) }
        var lo = allY.min() ?? 0, hi = allY.max() ?? 1
        if lo > 0 && lo < 0.5 * hi { lo = 0 }
        let pad = (hi - lo) * 0.05
        hi += pad
        if lo != 0 { lo -= pad }
        let objectiveName = grid.points.first.map { PlannerCatalog.objectiveName(of: $0.instance) } ?? "objective"
        let legend = series.enumerated().map { ($1.name, SVGChart.colour($0)) }
        var c = SVGChart(width: 720, height: 360, top: 12 + 16 * Double(SVGChart.legendRows(legend, width: 720 - 16)))
        let (fx, fy) = c.axes(x: (allX.min() ?? 0)...(allX.max() ?? 1), y: lo...max(hi, lo + 1e-12),
                              xTitle: axis.path + (log ? " (log scale)" : ""), yTitle: objectiveName,
                              xLabel: { v in allX.firstIndex { abs($0 - v) < 1e-12 }.map { axis.values[$0].text } ?? SVGChart.label(v) },
                              xTicks: allX)
        for (k, s) in series.enumerated() {
            let colour = SVGChart.colour(k)
            let points = s.points.sorted { $0.0 < $1.0 }.map { (fx($0.0), fy($0.1)) }
            c.polyline(points, stroke: colour, width: 2)
            for (px, py) in points { c.rect(x: px - 3, y: py - 3, w: 6, h: 6, fill: colour, title: s.name) }
        }
        c.legend(legend)
        return c.svg(title: "\(objectiveName) against \(axis.path)") + "\n"
    }
}
