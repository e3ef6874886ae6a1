#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Plan {
    /// The `problem` field's value.
    public var problem: ProblemKind {
        switch self {
        case .schedule: .schedule
        case .linkpool: .linkpool
        case .stagger: .stagger
        case .collective: .collective
        }
    }

    /// The `method` field.
    public var method: String {
        switch self {
        case .schedule(let p): p.method
        case .linkpool(let p): p.method
        case .stagger(let p): p.method
        case .collective(let p): p.method
        }
    }

    /// The `status` field.
    public var status: PlanStatus {
        switch self {
        case .schedule(let p): p.status
        case .linkpool(let p): p.status
        case .stagger(let p): p.status
        case .collective(let p): p.status
        }
    }

    /// The `metrics` field.
    public var metrics: PlanMetrics {
        switch self {
        case .schedule(let p): p.metrics
        case .linkpool(let p): p.metrics
        case .stagger(let p): p.metrics
        case .collective(let p): p.metrics
        }
    }
}

/// Reading and writing of plan files (FORMATS.md "Plans").
///
/// Writing is atomic (temporary file in the same directory, then rename),
/// so no partial plan is ever left behind. Reading names the JSON path of
/// any bad value.
public enum PlanIO {
    /// The plan as pretty JSON text: keys sorted, matrices one row per line.
    public static func text(_ plan: Plan) throws(OutputError) -> String {
        String(decoding: try bytes(plan), as: UTF8.self)
    }

    /// `text(_:)` as UTF-8 bytes.
    public static func bytes(_ plan: Plan) throws(OutputError) -> [UInt8] {
        if case .schedule(let p) = plan, let fast = try scheduleText(p) { return fast }
        let members: [(key: String, value: JSONValue)]
        switch plan {
        case .schedule(let p): members = try encodedMembers(p)
        case .linkpool(let p): members = try encodedMembers(p)
        case .stagger(let p): members = try encodedMembers(p)
        case .collective(let p): members = try encodedMembers(p)
        }
        return JSONValue.object(commonFirst(members)).serializedBytes(pretty: true)
    }

    /// The common fields, first in a plan file as FORMATS.md shows them.
    static let commonFields = ["problem", "method", "status", "metrics"]

    /// The members in file order: the common fields first, the rest in key order.
    static func commonFirst(_ members: [(key: String, value: JSONValue)]) -> [(key: String, value: JSONValue)] {
        commonFields.compactMap { key in members.first { $0.key == key } } + members.filter { !commonFields.contains($0.key) }
    }

    /// A plan's members as `JSONEncoder` writes them (keys sorted).
    static func encodedMembers<T: Encodable>(_ value: T) throws(OutputError) -> [(key: String, value: JSONValue)] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw OutputError(file: "plan", message: "cannot encode the plan: \(error)")
        }
        switch JSONValue.parse([UInt8](data)) {
        case .success(.object(let members)): return members
        case .success: throw OutputError(file: "plan", message: "cannot encode the plan: not a JSON object")
        case .failure(let e): throw OutputError(file: "plan", message: "cannot encode the plan: \(e.message)")
        }
    }

    /// Writes the plan to `url` atomically.
    public static func write(_ plan: Plan, to url: URL) throws(OutputError) {
        let b: [UInt8]
        do { b = try bytes(plan) } catch { throw OutputError(file: url.relativePath, message: error.message) }
        try AtomicFile.write(Data(b), to: url)
    }

    /// Reads a plan file of any problem.
    public static func read(contentsOf url: URL) throws(InputError) -> Plan {
        let name = InstanceReader.displayName(url)
        return try read(data: TextFile.contents(of: url, file: name), file: name)
    }

    /// Reads plan JSON held in memory; `file` names it in messages.
    public static func read(data: Data, file: String = "plan.json") throws(InputError) -> Plan {
        let json: JSONValue
        let lifted: [SchedulePlan.Configuration]?
        switch JSONValue.parseLiftingConfigurations([UInt8](data)) {
        case .failure(let e): throw InputError(file: file, place: .text(line: e.line, column: e.column), message: e.message)
        case .success(let (j, c)): (json, lifted) = (j, c)
        }
        return try read(json: json, data: data, file: file, lifted: lifted)
    }

    /// `lifted`: the configurations `JSONValue.parseLiftingConfigurations`
    /// read into typed values (the tree then holds an empty array there).
    static func read(json: JSONValue, data: Data, file: String,
                     lifted: [SchedulePlan.Configuration]? = nil) throws(InputError) -> Plan {
        guard case .object = json else {
            throw InputError(file: file, path: "", message: "expected a plan (a JSON object), found \(json.kindDescription)")
        }
        guard let problemValue = json["problem"] else {
            throw InputError(file: file, path: "", message: "missing \"problem\" (schedule, linkpool, stagger or collective)")
        }
        guard case .string(let problem) = problemValue, let kind = ProblemKind(rawValue: problem) else {
            throw InputError(file: file, path: "problem", message: "\(problemValue.brief) is not a problem; expected schedule, linkpool, stagger or collective")
        }
        if case .string(let s) = json["status"] ?? .null, PlanStatus(rawValue: s) == nil {
            throw InputError(file: file, path: "status", message: "unknown status \"\(s)\"; expected \(PlanStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let decoder = JSONDecoder()
        do {
            switch kind {
            case .schedule:
                if let plan = fastSchedulePlan(json, lifted: lifted) { return .schedule(plan) }
                return .schedule(try decoder.decode(SchedulePlan.self, from: data))
            case .linkpool: return .linkpool(try decoder.decode(LinkPoolPlan.self, from: data))
            case .stagger: return .stagger(try decoder.decode(StaggerPlan.self, from: data))
            case .collective: return .collective(try decoder.decode(CollectivePlan.self, from: data))
            }
        } catch let error as DecodingError {
            throw inputError(error, file: file)
        } catch {
            throw InputError(file: file, place: .file, message: "\(error)")
        }
    }

    /// A JSON path from a decoding path: `configurations[2].circuits[0]`.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let i = key.intValue { out += "[\(i)]" } else { out = InputContext.join(out, key.stringValue) }
        }
        return out
    }

    static func inputError(_ error: DecodingError, file: String) -> InputError {
        switch error {
        case .keyNotFound(let key, let context):
            return InputError(file: file, path: path(context.codingPath), message: "missing \"\(key.stringValue)\"")
        case .typeMismatch(let type, let context):
            return InputError(file: file, path: path(context.codingPath), message: "expected \(typeName(type)): \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            let inPair = context.codingPath.count >= 2 && context.codingPath.last?.intValue != nil
                && context.codingPath.dropLast().last?.intValue != nil
            let inTransit = context.codingPath.contains { $0.stringValue == "transit" }
            let hint = inTransit ? " (a transit entry is [s, k, t, amount])" : inPair ? " (a circuit is [from, to])" : ""
            return InputError(file: file, path: path(context.codingPath), message: "expected \(typeName(type)), found null or nothing\(hint)")
        case .dataCorrupted(let context):
            return InputError(file: file, path: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            return InputError(file: file, place: .file, message: "\(error)")
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "a whole number"
        case is Double.Type: "a number"
        case is String.Type: "a string"
        case is [Any].Type: "an array"
        default: "\(type)"
        }
    }
}
