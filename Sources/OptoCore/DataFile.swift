#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A file given to `optoplan validate`: an instance or a plan, told apart
/// by the plan's `status` and `method` fields.
public enum DataFile {
    /// What a file holds.
    public enum Kind: Equatable, Sendable {
        case instance
        case plan
    }

    /// A file's contents after checking: its kind and problem (when they
    /// could be told), the parsed value when valid, notes and errors.
    public struct Checked: Sendable {
        /// The file as named.
        public var file: String
        /// Instance or plan; nil when the file is not JSON or not an object.
        public var kind: Kind?
        /// The instance, when the file is a valid instance.
        public var instance: Instance?
        /// The plan, when the file is a plan that could be read.
        public var plan: Plan?
        /// Notes for standard error.
        public var notes: [String]
        /// Every problem found.
        public var errors: [InputError]
    }

    /// A JSON file met in a directory of instances (`optoplan batch`).
    public enum Found: Sendable {
        /// An instance, valid, with its notes.
        case instance(Instance, notes: [String])
        /// Valid JSON that is not an instance, and why (for the summary).
        case notInstance(String)
    }

    /// Reads a file met in a directory of instances, with the rule
    /// `optoplan batch` applies to tell instances from other JSON files
    /// kept beside them (job specifications for `optoplan gen`, plans,
    /// configuration):
    ///
    /// - unreadable, or not JSON: an error naming the file and the place
    ///   (line and column);
    /// - a JSON object with a `problem` field: an instance (every error in
    ///   it is reported as for any instance), unless it also has `status` or
    ///   `method`, which makes it a plan (as `optoplan validate` tells them apart);
    /// - anything else — an object without `problem`, an array, a number —
    ///   is not an instance: ``Found/notInstance(_:)``.
    ///
    /// - Throws: the first ``InputError`` of an unreadable file, malformed
    ///   JSON or a malformed instance.
    /// - Complexity: O(file size).
    public static func readInstance(foundAt url: URL) throws(InputError) -> Found {
        let name = InstanceReader.displayName(url)
        let data = try TextFile.contents(of: url, file: name)
        let json: JSONValue
        switch JSONValue.parse([UInt8](data)) {
        case .failure(let e): throw InputError(file: name, place: .text(line: e.line, column: e.column), message: e.message)
        case .success(let j): json = j
        }
        guard case .object = json else { return .notInstance("not an instance: the top level is \(json.kindDescription), not an object") }
        if json["status"] != nil || json["method"] != nil { return .notInstance("a plan, not an instance (it has \"status\" or \"method\")") }
        guard json["problem"] != nil else { return .notInstance("not an instance: no \"problem\" field") }
        let r = InstanceReader.check(json: json, file: name, baseDirectory: url.deletingLastPathComponent())
        if let first = r.errors.first { throw first }
        guard let instance = r.instance else { throw InputError(file: name, place: .file, message: "not a valid instance") }
        return .instance(instance, notes: r.notes)
    }

    /// Reads and checks a file on its own.
    public static func check(contentsOf url: URL) -> Checked {
        let name = InstanceReader.displayName(url)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            return Checked(file: name, kind: nil, notes: [], errors: [InputError(file: name, place: .file, message: "cannot read the file: \(TextFile.reason(error))")])
        }
        let json: JSONValue
        switch JSONValue.parse([UInt8](data)) {
        case .failure(let e):
            return Checked(file: name, kind: nil, notes: [], errors: [InputError(file: name, place: .text(line: e.line, column: e.column), message: e.message)])
        case .success(let j): json = j
        }
        if json["status"] != nil || json["method"] != nil {
            do {
                let plan = try PlanIO.read(json: json, data: data, file: name)
                return Checked(file: name, kind: .plan, plan: plan, notes: [], errors: PlanChecker.check(plan, file: name))
            } catch {
                return Checked(file: name, kind: .plan, notes: [], errors: [error])
            }
        }
        let r = InstanceReader.check(json: json, file: name, baseDirectory: url.deletingLastPathComponent())
        return Checked(file: name, kind: .instance, instance: r.instance, notes: r.notes, errors: r.errors)
    }
}
