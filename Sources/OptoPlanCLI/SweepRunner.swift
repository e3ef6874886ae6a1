import Foundation
import OptoCore
import OptoEval
import OptoPlanners

/// Why a sweep cannot start: a bad `--set` (exit 64) or an instance that a
/// swept value makes invalid elsewhere (exit 65). The message names the
/// `--set` argument, the JSON path and what was wrong.
public enum SweepFailure: Error, Sendable, CustomStringConvertible, Equatable {
    /// A `--set` argument that cannot be used: bad syntax, a path the
    /// instance does not have or that holds no number or quantity, a value
    /// that is not one or that the field rejects (exit 64).
    case badArgument(String)
    /// A swept value makes another part of the instance invalid (exit 65).
    case badInput(String)

    public var description: String {
        switch self {
        case .badArgument(let s), .badInput(let s): s
        }
    }
}

/// One value of a `--set` list: a number (base units), a quantity with a
/// unit (`10us`, `400Gbps`) or a list of them (`[1,2,1,2]`) for fields that
/// take one value per node.
public struct SweepValue: Sendable, Equatable {
    /// The value as typed.
    public var text: String
    /// What is written into the instance: a number, a quantity string or a list.
    public var json: JSONValue
    /// The value in base units (seconds, bits per second, bytes); a list's entries.
    public var numbers: [Double]
    /// Whether the value is a list.
    public var isList: Bool

    /// The value in base units, for a scalar (nil for a list).
    public var number: Double? { isList ? nil : numbers.first }

    /// Parses one value (no top-level commas).
    ///
    /// - Throws: `badArgument` naming `argument` for text that is neither a
    ///   number, a quantity with a known unit nor a bracketed list of them.
    static func parse(_ text: String, argument: String) throws(SweepFailure) -> SweepValue {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("[") {
            guard t.hasSuffix("]"), t.count >= 2 else {
                throw .badArgument("--set \(argument): \"\(t)\" is not a list: a list is written [V1,V2,…]")
            }
            let inner = String(t.dropFirst().dropLast())
            guard let items = SweepAxis.splitTopLevel(inner), !items.isEmpty,
                  items.allSatisfy({ !$0.contains("[") && !$0.contains("]") }) else {
                throw .badArgument("--set \(argument): \"\(t)\" is not a list of numbers or quantities")
            }
            let scalars = try items.map { (s: String) throws(SweepFailure) -> SweepValue in try scalar(s, argument: argument) }
            return SweepValue(text: t, json: .array(scalars.map(\.json)), numbers: scalars.flatMap(\.numbers), isList: true)
        }
        return try scalar(t, argument: argument)
    }

    static func scalar(_ text: String, argument: String) throws(SweepFailure) -> SweepValue {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { throw .badArgument("--set \(argument): an empty value (values are separated by single commas)") }
        if let x = Double(t) {
            guard x.isFinite else { throw .badArgument("--set \(argument): \"\(t)\" is not a finite number") }
            return SweepValue(text: t, json: .number(x), numbers: [x], isList: false)
        }
        // A quantity: a number, then a unit of volume, rate or time.
        let unit = String(t.drop { "0123456789.+-eE ".contains($0) }).trimmingCharacters(in: .whitespaces)
        let numberPart = t.dropLast(unit.count).trimmingCharacters(in: .whitespaces)
        guard !unit.isEmpty, !numberPart.isEmpty, let kind = QuantityKind.kind(ofUnit: unit) else {
            throw .badArgument("--set \(argument): \"\(t)\" is not a number or a quantity (a number and a unit, e.g. 4, 10us, 400Gbps, 1.5GB)")
        }
        switch Quantity.parse(t, as: kind) {
        case .success(let x): return SweepValue(text: t, json: .string(t), numbers: [x], isList: false)
        case .failure(let e): throw .badArgument("--set \(argument): \(e.message)")
        }
    }
}

/// One `--set PATH=V1,V2,…` of `optoplan sweep`: a JSON path into the
/// instance and the values it takes.
///
/// Paths are member names joined by `.`, with `[i]` for list entries, as
/// input errors name them: `fabric.ocsPortsPerNode`,
/// `fabric.packetRate[2]`, `jobs[0].phases[1].rate`, `links[0].capacity`,
/// `window`. The path must lead to a number, a quantity or a list of them
/// in the instance, or name a member the instance leaves out that its
/// object takes (`fabric.maxHops`, `window`, `maxChanges`).
public struct SweepAxis: Sendable, Equatable {
    /// One step of a path.
    public enum Step: Sendable, Equatable {
        /// An object member.
        case key(String)
        /// A list entry (0-based).
        case index(Int)
    }

    /// The path as typed.
    public var path: String
    /// Its steps.
    public var steps: [Step]
    /// The values, in the order given.
    public var values: [SweepValue]
    /// The argument as typed, for messages.
    public var argument: String

    /// Parses `PATH=V1,V2,…`.
    ///
    /// - Throws: `badArgument` for a missing `=`, a malformed path, an empty
    ///   or malformed value, or a value given twice.
    /// - Complexity: O(length of `argument`).
    public static func parse(_ argument: String) throws(SweepFailure) -> SweepAxis {
        guard let eq = argument.firstIndex(of: "=") else {
            throw .badArgument("--set \(argument): expected PATH=V1,V2,… (e.g. fabric.ocsPortsPerNode=1,2,4)")
        }
        let typed = argument[..<eq].trimmingCharacters(in: .whitespaces)
        let list = String(argument[argument.index(after: eq)...])
        let steps = try parsePath(typed, argument: argument)
        guard let items = splitTopLevel(list), !list.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .badArgument("--set \(argument): the values are not a comma-separated list (unbalanced brackets?)")
        }
        var values: [SweepValue] = []
        for item in items {
            let v = try SweepValue.parse(item, argument: argument)
            if values.contains(where: { $0.json == v.json }) { throw .badArgument("--set \(argument): \"\(v.text)\" is given twice") }
            values.append(v)
        }
        var axis = SweepAxis(path: typed, steps: steps, values: values, argument: argument)
        axis.path = axis.prefix(steps.count)  // as input errors spell it
        return axis
    }

    static func parsePath(_ path: String, argument: String) throws(SweepFailure) -> [Step] {
        let bad = SweepFailure.badArgument("--set \(argument): \"\(path)\" is not a JSON path (member names joined by dots, [i] for list entries, e.g. fabric.packetRate[2])")
        var steps: [Step] = []
        let chars = Array(path)
        guard !chars.isEmpty else { throw bad }
        var i = 0
        var expectKey = true
        while i < chars.count {
            if chars[i] == "[" {
                guard let close = chars[i...].firstIndex(of: "]"), let n = Int(String(chars[(i + 1)..<close])), n >= 0, !steps.isEmpty || !expectKey else { throw bad }
                steps.append(.index(n))
                i = close + 1
                expectKey = false
            } else if chars[i] == "." {
                guard !steps.isEmpty, i + 1 < chars.count, chars[i + 1].isLetter || chars[i + 1].isNumber || chars[i + 1] == "_" else { throw bad }
                i += 1
                expectKey = true
            } else {
                guard expectKey else { throw bad }
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
                guard j > i else { throw bad }
                steps.append(.key(String(chars[i..<j])))
                i = j
                expectKey = false
            }
        }
        guard !expectKey else { throw bad }
        return steps
    }

    /// Splits at commas outside brackets; nil when brackets do not balance.
    static func splitTopLevel(_ text: String) -> [String]? {
        var out: [String] = []
        var current = ""
        var depth = 0
        for c in text {
            switch c {
            case "[": depth += 1; current.append(c)
            case "]":
                depth -= 1
                if depth < 0 { return nil }
                current.append(c)
            case "," where depth == 0:
                out.append(current)
                current = ""
            default: current.append(c)
            }
        }
        guard depth == 0 else { return nil }
        out.append(current)
        return out
    }

    /// The text of the path up to (not including) step `k`.
    func prefix(_ k: Int) -> String {
        var s = ""
        for step in steps.prefix(k) {
            switch step {
            case .key(let name): s += s.isEmpty ? name : ".\(name)"
            case .index(let i): s += "[\(i)]"
            }
        }
        return s
    }

    /// Checks that the path leads to a number, a quantity or a list of
    /// them in `document`, or to a member its object leaves out.
    ///
    /// - Throws: `badArgument` naming the path and what it found.
    public func check(in document: JSONValue) throws(SweepFailure) {
        var node = document
        for (k, step) in steps.enumerated() {
            let here = k == 0 ? "the instance" : prefix(k)
            switch step {
            case .key(let name):
                guard case .object(let members) = node else {
                    throw .badArgument("--set \(argument): \(here) is \(node.kindDescription), not an object with \"\(name)\"")
                }
                guard let next = members.first(where: { $0.key == name })?.value else {
                    if k == steps.count - 1 { return } // an optional member the reader is asked about later
                    throw .badArgument("--set \(argument): \(here) has no \"\(name)\" (it has \(members.map(\.key).joined(separator: ", ")))")
                }
                node = next
            case .index(let i):
                guard case .array(let items) = node else {
                    throw .badArgument("--set \(argument): \(here) is \(node.kindDescription), not a list")
                }
                guard i < items.count else {
                    throw .badArgument("--set \(argument): \(here) has \(items.count) entries; [\(i)] is out of range")
                }
                node = items[i]
            }
        }
        if Self.isNumeric(node) { return }
        if case .array(let items) = node, !items.isEmpty, items.allSatisfy(Self.isNumeric) { return }
        let what = if case .array(let items) = node, items.contains(where: { if case .array = $0 { true } else { false } }) {
            "a matrix; sweep one entry (\(path)[i][j])"
        } else if case .object = node {
            "an object, not a number or quantity"
        } else {
            "\(node.brief) (\(node.kindDescription)), not a number or quantity"
        }
        throw .badArgument("--set \(argument): \(path) is \(what)")
    }

    /// Whether a JSON value is a number or a quantity string.
    static func isNumeric(_ v: JSONValue) -> Bool {
        switch v {
        case .number: return true
        case .string(let s): return (try? SweepValue.scalar(s, argument: "")) != nil
        default: return false
        }
    }

    /// `document` with the path set to `value` (the path was checked).
    public func applied(_ value: SweepValue, to document: JSONValue) -> JSONValue {
        Self.set(value.json, at: steps[...], in: document)
    }

    static func set(_ value: JSONValue, at steps: ArraySlice<Step>, in node: JSONValue) -> JSONValue {
        guard let step = steps.first else { return value }
        let rest = steps.dropFirst()
        switch (step, node) {
        case (.key(let name), .object(var members)):
            if let i = members.firstIndex(where: { $0.key == name }) {
                members[i].value = set(value, at: rest, in: members[i].value)
            } else {
                members.append((key: name, value: set(value, at: rest, in: .null)))
            }
            return .object(members)
        case (.index(let i), .array(var items)) where i < items.count:
            items[i] = set(value, at: rest, in: items[i])
            return .array(items)
        default:
            return node
        }
    }
}

/// The instances of a sweep: one per combination of the axes' values,
/// the first axis varying slowest.
public struct SweepGrid: Sendable {
    /// One combination.
    public struct Point: Sendable {
        /// The value of each axis, in axis order.
        public var values: [SweepValue]
        /// The instance with those values.
        public var instance: Instance
    }

    /// The most points a sweep may have.
    public static let maximumPoints = 10_000

    /// The axes.
    public var axes: [SweepAxis]
    /// The points, first axis slowest.
    public var points: [Point]
    /// Distinct notes of the points' instances (a diagonal ignored, …).
    public var notes: [String]

    /// Builds and checks every point's instance before anything is planned.
    ///
    /// - Parameters:
    ///   - document: the instance file's JSON; `file` names it, CSV paths
    ///     resolve against `baseDirectory`.
    /// - Throws: `badArgument` for an axis that repeats or overlaps another,
    ///   a path the instance does not have, too many points, or a value the
    ///   field rejects (the reader's message at that path); `badInput` when
    ///   a value makes another part of the instance invalid.
    /// - Complexity: O(points × the cost of reading the instance).
    public static func build(document: JSONValue, file: String, baseDirectory: URL?, axes: [SweepAxis]) throws(SweepFailure) -> SweepGrid {
        for (a, axis) in axes.enumerated() {
            try axis.check(in: document)
            for other in axes[..<a] {
                let (p, q) = (axis.steps, other.steps)
                if p.starts(with: q) || q.starts(with: p) {
                    throw .badArgument("--set \(axis.argument): \(axis.path) overlaps --set \(other.argument)")
                }
            }
        }
        let count = axes.reduce(1) { $0 * $1.values.count }
        guard count <= maximumPoints else {
            throw .badArgument("--set: \(count) combinations; a sweep takes at most \(maximumPoints)")
        }
        var combos: [[SweepValue]] = [[]]
        for axis in axes { combos = combos.flatMap { c in axis.values.map { c + [$0] } } }
        var points: [Point] = []
        var notes: [String] = []
        for combo in combos {
            var json = document
            for (axis, value) in zip(axes, combo) { json = axis.applied(value, to: json) }
            let checked = InstanceReader.check(json: json, file: file, baseDirectory: baseDirectory)
            let setting = zip(axes, combo).map { "\($0.path)=\($1.text)" }.joined(separator: " ")
            for (axis, value) in zip(axes, combo) {
                if checked.notes.contains(where: { $0.hasPrefix("\(file): \(axis.path): unknown field") }) {
                    throw .badArgument("--set \(axis.argument): \(axis.path) is not a field of this \(Self.problemName(document)) instance")
                }
                if let e = checked.errors.first(where: { Self.place($0.place, isUnder: axis.path) }) {
                    throw .badArgument("--set \(axis.path)=\(value.text): \(e.message)")
                }
            }
            if let e = checked.errors.first { throw .badInput("with --set \(setting): \(e)") }
            guard let instance = checked.instance else { throw .badInput("with --set \(setting): \(file): not a valid instance") }
            for n in checked.notes where !notes.contains(n) { notes.append(n) }
            points.append(Point(values: combo, instance: instance))
        }
        return SweepGrid(axes: axes, points: points, notes: notes)
    }

    static func problemName(_ document: JSONValue) -> String {
        if case .string(let s) = document["problem"] ?? .null { return s }
        return ""
    }

    static func place(_ place: InputPlace, isUnder path: String) -> Bool {
        guard case .json(let p) = place else { return false }
        return p == path || p.hasPrefix(path + ".") || p.hasPrefix(path + "[")
    }
}

/// One row of a sweep: a point planned with one method and evaluated.
public struct SweepRow: Sendable {
    /// The point's index in ``SweepGrid/points``.
    public var point: Int
    /// Method, status, objective, gap (to the best bound any method proved
    /// at this point), seconds and the `compare` figures.
    public var row: CompareRow
    /// The evaluator's metrics for the plan (nil without a plan, or when
    /// the evaluator rejected it).
    public var evaluation: EvaluationMetrics?
}

/// Plans every point of a grid with every method, `jobs` plans at once,
/// and evaluates each plan.
public struct SweepRunner: Sendable {
    /// The grid.
    public var grid: SweepGrid
    /// The methods, as on the command line.
    public var methods: [String]
    /// Plans at once (at least 1).
    public var jobs: Int

    /// A runner; see the properties.
    public init(grid: SweepGrid, methods: [String], jobs: Int) {
        self.grid = grid
        self.methods = methods
        self.jobs = max(1, jobs)
    }

    /// The number of plans: points × methods.
    public var total: Int { grid.points.count * methods.count }

    /// Plans one point with one method and evaluates the plan.
    ///
    /// - Complexity: that of the method (bounded by the time limit for exact
    ///   searches) plus one evaluation.
    public func run(point: Int, method: String, options: PlanningOptions) -> SweepRow {
        let instance = grid.points[point].instance
        nonisolated(unsafe) var metrics: EvaluationMetrics?
        let row = Comparison.row(instance, method: method, options: options) { plan in
            guard let m = try? Evaluator.evaluate(plan, on: instance) else { return [:] }
            metrics = m
            return PlanEvaluation.figures(of: m, problem: instance.problem)
        }
        return SweepRow(point: point, row: row, evaluation: metrics)
    }

    /// Runs every (point, method) pair in point order, ``jobs`` at once.
    /// Once `shouldStop` returns true no further pair starts (running exact
    /// searches stop through `options.shouldStop` and keep their best
    /// plan); the rows done are returned, gaps filled in per point.
    ///
    /// - Parameter report: called serialised after each row, with the count done.
    /// - Complexity: the sum of the plans' costs divided among ``jobs`` workers.
    public func run(options: PlanningOptions, shouldStop: @escaping @Sendable () -> Bool,
                    report: @escaping @Sendable (_ done: Int, _ row: SweepRow) -> Void) -> [SweepRow] {
        let queue = BatchState<SweepRow>(count: total)
        let workers = min(jobs, max(total, 1))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while !shouldStop(), let k = queue.next() {
                var r = run(point: k / methods.count, method: methods[k % methods.count], options: options)
                if shouldStop(), r.row.objective != nil {
                    r.row.note = ((r.row.note.map { [$0] } ?? []) + [ExactSolveSession.interruptNote]).joined(separator: "; ")
                }
                queue.finish(k, r) { done in report(done, r) }
            }
        }
        return Self.withGaps(queue.results().compactMap { $0 }, grid: grid)
    }

    /// `rows` with each row's gap measured against the best bound any
    /// method proved at its point (as `compare` does).
    static func withGaps(_ rows: [SweepRow], grid: SweepGrid) -> [SweepRow] {
        var out: [SweepRow] = []
        var k = 0
        while k < rows.count {
            let point = rows[k].point
            var end = k
            while end < rows.count, rows[end].point == point { end += 1 }
            let group = Array(rows[k..<end])
            let comparison = Comparison(grid.points[point].instance, rows: group.map(\.row))
            for (r, compared) in zip(group, comparison.rows) {
                out.append(SweepRow(point: r.point, row: compared, evaluation: r.evaluation))
            }
            k = end
        }
        return out
    }
}
