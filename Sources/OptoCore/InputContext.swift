#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Collects the errors and notes of one pass over an input file, so that a
/// reader can go on after the first problem and `optoplan validate` can
/// report them all. Readers return `nil` for a value they could not read
/// and record why here. Public so that other modules' file formats (the
/// traffic generator's job specifications) report errors the same way.
public final class InputContext {
    /// The file as the user named it.
    public let file: String
    /// Where relative paths (CSV demand) are resolved.
    public let baseDirectory: URL?
    /// The errors recorded so far (at most `errorLimit`).
    public private(set) var errors: [InputError] = []
    /// Notes for standard error, each starting with the file name.
    public private(set) var notes: [String] = []
    /// Errors beyond this many are counted, not kept.
    let errorLimit = 100
    private(set) var suppressed = 0

    /// A context for one file; CSV paths resolve against `baseDirectory`.
    public init(file: String, baseDirectory: URL?) {
        self.file = file
        self.baseDirectory = baseDirectory
    }

    /// Whether any error was recorded.
    public var hasErrors: Bool { !errors.isEmpty }

    /// Records an error at a JSON path.
    public func fail(_ path: String, _ message: String) {
        add(InputError(file: file, path: path, message: message))
    }

    /// Records an error of any place (CSV errors name their own file).
    public func add(_ error: InputError) {
        if errors.count < errorLimit { errors.append(error) } else { suppressed += 1 }
    }

    /// Records a note for standard error.
    public func note(_ path: String, _ message: String) {
        notes.append(path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)")
    }

    /// The errors, with a last line saying how many were not kept.
    public var reportedErrors: [InputError] {
        guard suppressed > 0 else { return errors }
        return errors + [InputError(file: file, place: .file, message: "\(suppressed) further errors not shown")]
    }

    // MARK: Paths

    /// A member path: `fabric` + `nodes` → `fabric.nodes`.
    public static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    /// An element path: `jobs` + 2 → `jobs[2]`.
    public static func join(_ path: String, _ index: Int) -> String { "\(path)[\(index)]" }

    // MARK: Shapes

    /// The members of an object, noting keys outside `known` as ignored.
    public func object(_ value: JSONValue, _ path: String, what: String, known: Set<String>) -> [(key: String, value: JSONValue)]? {
        guard case .object(let members) = value else {
            fail(path, "expected \(what) (a JSON object), found \(value.kindDescription)")
            return nil
        }
        for m in members where !known.contains(m.key) {
            note(InputContext.join(path, m.key), "unknown field, ignored (known here: \(known.sorted().joined(separator: ", ")))")
        }
        return members
    }

    /// A required member.
    public func required(_ members: [(key: String, value: JSONValue)], _ key: String, _ path: String, what: String) -> JSONValue? {
        if let v = members.first(where: { $0.key == key })?.value { return v }
        fail(path, "missing \"\(key)\" (\(what))")
        return nil
    }

    /// An optional member; JSON `null` counts as absent.
    public func optional(_ members: [(key: String, value: JSONValue)], _ key: String) -> JSONValue? {
        guard let v = members.first(where: { $0.key == key })?.value else { return nil }
        if case .null = v { return nil }
        return v
    }

    /// The elements of an array.
    public func array(_ value: JSONValue, _ path: String, what: String) -> [JSONValue]? {
        guard case .array(let elements) = value else {
            fail(path, "expected \(what) (a JSON array), found \(value.kindDescription)")
            return nil
        }
        return elements
    }

    /// A string value.
    public func string(_ value: JSONValue, _ path: String, what: String) -> String? {
        guard case .string(let s) = value else {
            fail(path, "expected \(what) (a string), found \(value.kindDescription) \(value.brief)")
            return nil
        }
        return s
    }

    // MARK: Numbers

    /// A quantity: a plain number in base units or a string with a unit.
    /// `positive` rejects 0.
    public func quantity(_ value: JSONValue, _ path: String, _ kind: QuantityKind, positive: Bool = false) -> Double? {
        let result: Result<Double, QuantityError>
        switch value {
        case .number(let x): result = Quantity.check(x, as: kind)
        case .string(let s): result = Quantity.parse(s, as: kind)
        default:
            fail(path, "expected \(kind.withArticle) (a number in \(kind.baseUnitName) or a string such as \(kind.example)), found \(value.kindDescription)")
            return nil
        }
        switch result {
        case .failure(let e):
            fail(path, e.message)
            return nil
        case .success(let x):
            if positive && x <= 0 {
                fail(path, "\(value.brief) must be more than 0")
                return nil
            }
            return x
        }
    }

    /// A whole number in `range`, written as a JSON number.
    public func integer(_ value: JSONValue, _ path: String, what: String, in range: ClosedRange<Int>) -> Int? {
        guard case .number(let x) = value else {
            fail(path, "expected \(what) (a whole number), found \(value.kindDescription) \(value.brief)")
            return nil
        }
        guard x == x.rounded() else {
            fail(path, "\(JSONValue.numberText(x)) is not a whole number; \(what) must be one")
            return nil
        }
        guard x >= Double(range.lowerBound), x <= Double(range.upperBound) else {
            let upper = range.upperBound == Int.max ? "" : " and at most \(range.upperBound)"
            fail(path, "\(JSONValue.numberText(x)) is out of range; \(what) must be at least \(range.lowerBound)\(upper)")
            return nil
        }
        return Int(x)
    }

    /// One whole number for every node, or a list of `nodes` of them.
    public func perNodeIntegers(_ value: JSONValue, _ path: String, nodes: Int?, what: String, in range: ClosedRange<Int>) -> [Int]? {
        if case .array(let elements) = value {
            var out: [Int] = []
            var ok = true
            for (k, e) in elements.enumerated() {
                if let x = integer(e, InputContext.join(path, k), what: what, in: range) { out.append(x) } else { ok = false }
            }
            if let n = nodes, elements.count != n {
                fail(path, "the list has \(elements.count) values but there are \(n) nodes; give one per node or a single number")
                return nil
            }
            return ok ? out : nil
        }
        guard let x = integer(value, path, what: what, in: range) else { return nil }
        return nodes.map { Array(repeating: x, count: $0) }
    }

    /// One quantity for every node, or a list of `nodes` of them.
    public func perNodeQuantities(_ value: JSONValue, _ path: String, nodes: Int?, _ kind: QuantityKind) -> [Double]? {
        if case .array(let elements) = value {
            var out: [Double] = []
            var ok = true
            for (k, e) in elements.enumerated() {
                if let x = quantity(e, InputContext.join(path, k), kind) { out.append(x) } else { ok = false }
            }
            if let n = nodes, elements.count != n {
                fail(path, "the list has \(elements.count) values but there are \(n) nodes; give one per node or a single value")
                return nil
            }
            return ok ? out : nil
        }
        guard let x = quantity(value, path, kind) else { return nil }
        return nodes.map { Array(repeating: x, count: $0) }
    }
}
