import ArgumentParser
import Foundation
import OptoCore
import OptoEval
import OptoModel
import OptoPlanners

/// The output formats of `optoplan compare`.
public enum CompareFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// An aligned table for an 80-column terminal.
    case table
    /// Comma-separated values with a header line.
    case csv
    /// One JSON object with the instance's figures and a `rows` array.
    case json
}

/// One method's row of a comparison.
public struct CompareRow: Sendable {
    /// The method as asked for (`ilp`, `greedy`, …).
    public var method: String
    /// The plan's status, or `error` / `n/a` when there is no plan.
    public var status: String
    /// The plan's objective (absent without a plan, or when infeasible).
    public var objective: Double?
    /// The plan's own bound (exact methods).
    public var bound: Double?
    /// Relative gap between `objective` and the best bound any method proved.
    public var gap: Double?
    /// Seconds the planner took.
    public var seconds: Double?
    /// Evaluated figures, by name (absent until an evaluator applies).
    public var evaluated: [String: Double]
    /// Why there is no plan, or the planner's notes.
    public var note: String?
    /// The planner rejected the instance as malformed.
    public var badInput = false
    /// The plan's own `method` (what `auto` chose: `auto:ilp`, `auto:greedy`, …).
    public var planMethod: String?
}

/// The comparison of every method on one instance.
public struct Comparison: Sendable {
    /// The problem of the instance.
    public var problem: ProblemKind
    /// What the objective measures.
    public var objectiveName: String
    /// Its direction.
    public var direction: ObjectiveDirection
    /// The best bound any method proved (tightest), if any.
    public var bestBound: Double?
    /// The best objective of any plan, if any.
    public var bestObjective: Double?
    /// One row per method, in the order run.
    public var rows: [CompareRow]
    /// Names of the evaluated columns, in order.
    public var evaluatedColumns: [String]

    /// Runs `methods` on `instance`, one after the other.
    ///
    /// The best bound is the tightest `metrics.bound` of any plan with a
    /// proven status (`optimal` or `feasible`) — the smallest for a
    /// maximisation, the largest for a minimisation — and never looser than
    /// the best objective found (an optimal plan's objective is a bound).
    /// Each row's gap is `|objective − best bound| / |objective|` (as the
    /// solvers report gaps), so a plan at the proven optimum has gap 0.
    ///
    /// - Complexity: the sum of the methods' costs, each bounded by the time limit.
    public static func run(_ instance: Instance, methods: [String], options: PlanningOptions,
                           evaluate: ((Plan) -> [String: Double])? = nil) -> Comparison {
        Comparison(instance, rows: methods.map { row(instance, method: $0, options: options, evaluate: evaluate) })
    }

    /// Plans `instance` with one method: its row before gaps are known.
    ///
    /// - Complexity: that of the method, bounded by the time limit for exact searches.
    public static func row(_ instance: Instance, method: String, options: PlanningOptions,
                           evaluate: ((Plan) -> [String: Double])? = nil) -> CompareRow {
        do {
            let plan = try PlannerCatalog.plan(instance, method: method, options: options)
            let s = plan.summary
            let feasible = s.status != .infeasible
            let notes: [String]? = switch plan {
            case .schedule(let p): p.notes
            case .linkpool(let p): p.notes
            case .stagger(let p): p.notes
            case .collective(let p): p.notes
            }
            // Heuristic and infeasible plans prove no bound.
            let proven = feasible && s.status != .heuristic
            return CompareRow(method: method, status: s.status.rawValue, objective: feasible ? s.metrics.objective : nil,
                              bound: proven ? s.metrics.bound : nil, gap: nil, seconds: s.metrics.solveSeconds,
                              evaluated: feasible ? (evaluate?(plan) ?? [:]) : [:],
                              note: notes?.joined(separator: "; "), planMethod: s.method)
        } catch {
            let status = if case .notApplicable = error { "n/a" } else { "error" }
            let bad = if case .badInput = error { true } else { false }
            return CompareRow(method: method, status: status, objective: nil, bound: nil, gap: nil, seconds: nil,
                              evaluated: [:], note: "\(error)", badInput: bad)
        }
    }

    /// The comparison of `rows` (from ``row(_:method:options:evaluate:)``) on
    /// `instance`: the best objective, the best bound and every row's gap, as
    /// ``run(_:methods:options:evaluate:)`` describes.
    ///
    /// - Complexity: O(rows × evaluated figures).
    public init(_ instance: Instance, rows: [CompareRow]) {
        var rows = rows
        let direction = PlannerCatalog.direction(of: instance)
        let better: (Double, Double) -> Bool = direction == .maximise ? { $0 > $1 } : { $0 < $1 }
        let objectives = rows.compactMap(\.objective)
        let bestObjective = objectives.reduce(nil as Double?) { acc, x in acc.map { better(x, $0) ? x : $0 } ?? x }
        // Tightest proven bound: the worst in the objective's direction.
        var bestBound: Double?
        for row in rows {
            guard let b = row.bound else { continue }
            bestBound = bestBound.map { better($0, b) ? b : $0 } ?? b
        }
        if let b = bestBound, let o = bestObjective, better(o, b) { bestBound = o }
        if bestBound == nil, let optimal = rows.first(where: { $0.status == PlanStatus.optimal.rawValue }) { bestBound = optimal.objective }
        if let b = bestBound {
            for i in rows.indices {
                if let o = rows[i].objective { rows[i].gap = SolveResult.gap(objective: o, bound: b) }
            }
        }
        var columns: [String] = []
        for row in rows { for key in row.evaluated.keys.sorted() where !columns.contains(key) { columns.append(key) } }
        self.init(problem: instance.problem, objectiveName: PlannerCatalog.objectiveName(of: instance), direction: direction,
                  bestBound: bestBound, bestObjective: bestObjective, rows: rows, evaluatedColumns: columns)
    }

    /// A comparison from its parts.
    public init(problem: ProblemKind, objectiveName: String, direction: ObjectiveDirection, bestBound: Double?,
                bestObjective: Double?, rows: [CompareRow], evaluatedColumns: [String]) {
        self.problem = problem
        self.objectiveName = objectiveName
        self.direction = direction
        self.bestBound = bestBound
        self.bestObjective = bestObjective
        self.rows = rows
        self.evaluatedColumns = evaluatedColumns
    }

    /// The column names shared by the CSV and JSON forms.
    public var columnNames: [String] { ["method", "status", "objective", "gap", "solveSeconds"] + evaluatedColumns + ["bound"] }

    static func num(_ x: Double?) -> String { x.map { String(format: "%.6g", $0) } ?? "" }

    /// CSV: a header, then one line per method (empty cells for absent figures).
    public func csv() -> String {
        var lines = [columnNames.joined(separator: ",")]
        for r in rows {
            var cells = [r.method, r.status, Self.num(r.objective), Self.num(r.gap), Self.num(r.seconds)]
            cells += evaluatedColumns.map { Self.num(r.evaluated[$0]) }
            cells.append(Self.num(r.bound))
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// JSON: the instance's figures and one object per method with the CSV's columns (absent figures are null).
    public func json() -> String {
        func value(_ x: Double?) -> Any { x.map { $0 as Any } ?? NSNull() }
        let rowObjects: [[String: Any]] = rows.map { r in
            var o: [String: Any] = ["method": r.method, "status": r.status, "objective": value(r.objective),
                                    "gap": value(r.gap), "solveSeconds": value(r.seconds), "bound": value(r.bound)]
            for c in evaluatedColumns { o[c] = value(r.evaluated[c]) }
            if let note = r.note { o["note"] = note }
            return o
        }
        let object: [String: Any] = ["problem": problem.rawValue, "objective": objectiveName, "direction": direction.rawValue,
                                     "bestBound": value(bestBound), "bestObjective": value(bestObjective),
                                     "columns": columnNames, "rows": rowObjects]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// An aligned table at most 80 columns wide; notes follow the table.
    public func table() -> String {
        var header = ["method", "status", "objective", "gap", "seconds"] + evaluatedColumns.map(Self.shortName)
        var body: [[String]] = rows.map { r in
            var cells = [r.method, r.status, r.objective.map { String(format: "%.5g", $0) } ?? "-",
                         r.gap.map { Self.percent($0) } ?? "-", r.seconds.map { String(format: "%.2f", $0) } ?? "-"]
            cells += evaluatedColumns.map { c in r.evaluated[c].map { String(format: "%.4g", $0) } ?? "-" }
            return cells
        }
        // Drop evaluated columns from the right until the table fits.
        func width(_ header: [String], _ body: [[String]]) -> [Int] {
            header.indices.map { c in ([header[c]] + body.map { $0[c] }).map(\.count).max() ?? 0 }
        }
        var widths = width(header, body)
        while widths.reduce(0, +) + 2 * (widths.count - 1) > 80, header.count > 5 {
            header.removeLast(); body = body.map { Array($0.dropLast()) }
            widths = width(header, body)
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, s in
                c <= 1 ? s.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                       : String(repeating: " ", count: widths[c] - s.count) + s
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = "\(problem.rawValue): \(direction.rawValue) \(objectiveName)"
        if let b = bestBound { out += String(format: "; best bound %.6g", b) }
        out += "\n" + line(header) + "\n" + line(widths.map { String(repeating: "-", count: $0) }) + "\n"
        out += body.map(line).joined(separator: "\n") + "\n"
        for r in rows where r.status == "error" || r.status == "n/a" { out += Self.wrap("\(r.method): \(r.note ?? "")", 80) }
        return out
    }

    static func percent(_ g: Double) -> String { g < 1e-9 ? "0%" : (g < 0.0001 ? "<0.01%" : String(format: "%.2f%%", 100 * g)) }

    /// Short headings for evaluated figures.
    static func shortName(_ key: String) -> String {
        let map = ["servedBytes": "ev.served", "makespan": "ev.makespan", "lambda": "ev.lambda", "carried": "ev.carried",
                   "meanSlowdown": "ev.slowdown", "maxSlowdown": "ev.maxSlow"]
        return map[key] ?? String(key.prefix(10))
    }

    static func wrap(_ text: String, _ width: Int) -> String {
        var out = "", line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width { out += line + "\n"; line = "  " }
            line += (line.isEmpty || line == "  " ? "" : " ") + word
        }
        return out + line + "\n"
    }
}

/// `optoplan compare INSTANCE [--methods a,b,c] [--time-limit S] [--format table|csv|json]`.
public struct CompareCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run several methods on one instance and compare their plans.",
        discussion: """
        Runs every method of the instance's planner that applies to it, \
        except auto (or the methods named), one after the other and prints one row per method: status, \
        objective, gap to the best bound any method proved, solve time and \
        the evaluator's figures (ev.*: schedule served bytes and makespan, \
        link pool lambda and carried rate, stagger mean and worst job \
        slowdown). A named method that does \
        not apply to the instance is listed as n/a with the reason.

        Exit status: 0 when some method found a plan; 1 when none found a \
        feasible plan; 64 bad arguments (an unknown method, or none of the \
        methods named applies to the instance); 65 bad input.

        Examples:
          optoplan compare pool.json
          optoplan compare jobs.json --methods ilp,greedy,aligned --time-limit 5 --format csv
        """
    )

    @Argument(help: "The instance (JSON).")
    public var instance: String

    @Option(help: "Comma-separated methods (default: all but auto).")
    public var methods: String?

    @Option(name: .long, help: "Seconds each exact search may take (default 30).")
    public var timeLimit: Double = 30

    @OptionGroup public var solverOption: SolverOption

    @Option(help: "table, csv or json.")
    public var format: CompareFormat = .table

    public init() {}

    public func validate() throws {
        guard timeLimit.isFinite, timeLimit > 0 else { throw ValidationError("--time-limit must be a positive number of seconds") }
        if let methods, methods.split(separator: ",").isEmpty { throw ValidationError("--methods needs at least one method") }
    }

    public func run() throws {
        let loaded = try CLIFiles.loadInstance(instance)
        let known = PlannerCatalog.methods(for: loaded.problem)
        let chosen = methods.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            ?? PlannerCatalog.compareMethods(for: loaded.problem)
        for m in chosen where !known.contains(m) {
            StandardError.print("error: '\(m)' is not a \(loaded.problem.rawValue) method (one of \(known.joined(separator: ", ")))")
            throw ExitStatus.badArguments
        }
        var comparison = Comparison.run(loaded, methods: chosen, options: PlannerCatalog.options(timeLimit: timeLimit, solver: try solverOption.make()),
                                        evaluate: PlanEvaluation.figures(on: loaded))
        if methods == nil {
            // Without --methods, list only the methods that apply to this instance.
            let skipped = comparison.rows.filter { $0.status == "n/a" }.map(\.method)
            if !skipped.isEmpty {
                StandardError.print("not applicable to this instance: \(skipped.joined(separator: ", "))")
                comparison.rows.removeAll { $0.status == "n/a" }
            }
        }
        switch format {
        case .table: print(comparison.table(), terminator: "")
        case .csv: print(comparison.csv(), terminator: "")
        case .json: print(comparison.json(), terminator: "")
        }
        if comparison.bestObjective == nil {
            if let bad = comparison.rows.first(where: \.badInput) {
                StandardError.print("error: \(instance): \(bad.note ?? "bad input")")
                throw ExitStatus.badInput
            }
            if !comparison.rows.isEmpty && comparison.rows.allSatisfy({ $0.status == "n/a" }) {
                StandardError.print("error: none of the methods named applies to \(instance)")
                throw ExitStatus.badArguments
            }
            StandardError.print("no method found a feasible plan")
            throw ExitStatus.infeasible
        }
    }
}

/// The evaluator's figures for a plan, as `compare` shows them.
///
/// - schedule: `servedBytes` and `makespan` from the fluid simulation;
/// - link pool: `lambda` and `carried` in the max-min fair steady state;
/// - stagger: `meanSlowdown` and `maxSlowdown` of the jobs' iterations;
/// - collective: `time`, the largest evaluated job time.
///
/// A plan the evaluator rejects gets no figures (its cells are empty).
enum PlanEvaluation {
    /// A function from plan to named figures for `instance`.
    static func figures(on instance: Instance) -> ((Plan) -> [String: Double])? {
        { plan in (try? Evaluator.evaluate(plan, on: instance)).map { figures(of: $0, problem: instance.problem) } ?? [:] }
    }

    /// The figures `compare` shows, taken from the evaluator's metrics.
    static func figures(of m: EvaluationMetrics, problem: ProblemKind) -> [String: Double] {
        var out: [String: Double] = [:]
        switch problem {
        case .schedule:
            out["servedBytes"] = m.servedBytes
            out["makespan"] = m.makespan
        case .linkpool:
            out["lambda"] = m.lambda
            out["carried"] = m.carried
        case .stagger:
            let slowdowns = (m.jobs ?? [:]).values.map(\.slowdown)
            if !slowdowns.isEmpty {
                out["meanSlowdown"] = slowdowns.reduce(0, +) / Double(slowdowns.count)
                out["maxSlowdown"] = slowdowns.max()
            }
        case .collective:
            out["time"] = m.makespan
        }
        return out.filter { $0.value.isFinite }
    }
}
