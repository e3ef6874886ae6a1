#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The bulk of a long schedule plan, its `configurations` (2,233
/// configurations and ~700,000 circuits for Solstice on a 326-rack matrix,
/// 14 MB), written and read without Codable: encoding them with
/// `JSONEncoder` and re-parsing them to lay out the text, or decoding them
/// with `JSONDecoder` after the parse that finds error places, cost seconds.
///
/// Everything else of the plan (method, status, metrics, notes, epochs, and
/// any field added later) still goes through Codable, so the two paths
/// cannot drift apart: the text is the same, byte for byte, as the generic
/// path writes (the same `JSONTextWriter` layout), and a file the fast
/// reader does not accept exactly as it expects is decoded by the generic
/// path, which reports the error with its file and JSON path as before.
extension PlanIO {
    /// The plan text with its configurations written directly; `nil` when
    /// the generic path must write it (a non-finite duration, which the
    /// encoder rejects with its own error, or a configuration type that
    /// gained fields this writer does not know).
    static func scheduleText(_ plan: SchedulePlan) throws(OutputError) -> [UInt8]? {
        guard let configurations = plan.configurations else { return nil }
        guard configurations.allSatisfy({ $0.duration.isFinite }) else { return nil }
        if let first = configurations.first, Mirror(reflecting: first).children.count != 2 { return nil }
        var rest = plan
        rest.configurations = nil
        let members = try commonFirst(encodedMembers(rest))
        var out = JSONTextWriter(pretty: true, capacity: 64 + configurations.reduce(0) { $0 + 48 + 16 * $1.circuits.count })
        out.raw("{\n")
        // "configurations" among the members after the common fields, in key order.
        let common = commonFields.count
        var placed = false
        var wrote = 0
        func separator() {
            if wrote > 0 { out.raw(",\n") }
            wrote += 1
        }
        for (k, m) in members.enumerated() {
            if !placed && k >= common && m.key > "configurations" {
                separator()
                writeConfigurations(configurations, to: &out)
                placed = true
            }
            separator()
            out.pad(1)
            out.key(m.key)
            out.value(m.value, indent: 1)
        }
        if !placed {
            separator()
            writeConfigurations(configurations, to: &out)
        }
        out.raw("\n}\n")
        return out.bytes
    }

    /// `"configurations": [...]` at nesting 1, as `JSONTextWriter` lays out
    /// the encoded array (members of each configuration in key order).
    private static func writeConfigurations(_ configurations: [SchedulePlan.Configuration], to out: inout JSONTextWriter) {
        out.pad(1)
        out.key("configurations")
        if configurations.isEmpty { out.raw("[]"); return }
        out.raw("[\n")
        for (m, c) in configurations.enumerated() {
            out.raw("    {\n      \"circuits\": ")
            if c.circuits.isEmpty {
                out.raw("[]")
            } else {
                out.raw("[\n")
                for (k, circuit) in c.circuits.enumerated() {
                    out.raw("        [")
                    out.integer(Int64(circuit.from))
                    out.raw(", ")
                    out.integer(Int64(circuit.to))
                    out.raw(k + 1 < c.circuits.count ? "],\n" : "]\n")
                }
                out.raw("      ]")
            }
            out.raw(",\n      \"duration\": ")
            out.number(c.duration)
            out.raw(m + 1 < configurations.count ? "\n    },\n" : "\n    }\n")
        }
        out.raw("  ]")
    }

    /// The schedule plan in `json` with its configurations decoded directly
    /// and the rest by Codable; `nil` when anything is not exactly as the
    /// fast path expects (the generic decoder then reads the whole file and
    /// names any error).
    static func fastSchedulePlan(_ json: JSONValue, lifted: [SchedulePlan.Configuration]? = nil) -> SchedulePlan? {
        guard case .object(let members) = json,
              let index = members.firstIndex(where: { $0.key == "configurations" }),
              let configurations = lifted ?? treeConfigurations(members[index].value) else { return nil }
        var rest = members
        rest.remove(at: index)
        guard var plan = try? JSONDecoder().decode(SchedulePlan.self, from: Data(JSONValue.object(rest).serializedBytes(pretty: false)))
        else { return nil }
        plan.configurations = configurations
        return plan
    }

    /// Configurations from the parsed tree (`validate` keeps the whole tree),
    /// or nil when they are not exactly as a plan writes them.
    private static func treeConfigurations(_ value: JSONValue) -> [SchedulePlan.Configuration]? {
        guard case .array(let elements) = value else { return nil }
        var configurations: [SchedulePlan.Configuration] = []
        configurations.reserveCapacity(elements.count)
        for element in elements {
            guard case .object(let fields) = element, fields.count == 2 else { return nil }
            var duration: Double?
            var circuits: [Circuit]?
            for field in fields {
                switch (field.key, field.value) {
                case ("duration", .number(let d)): duration = d
                case ("circuits", .array(let list)):
                    var cs: [Circuit] = []
                    cs.reserveCapacity(list.count)
                    for item in list {
                        guard case .array(let pair) = item, pair.count == 2,
                              case .number(let a) = pair[0], case .number(let b) = pair[1],
                              let i = Int(exactly: a), let j = Int(exactly: b) else { return nil }
                        cs.append(Circuit(i, j))
                    }
                    circuits = cs
                default: return nil
                }
            }
            guard let duration, let circuits else { return nil }
            configurations.append(.init(duration: duration, circuits: circuits))
        }
        return configurations
    }
}

extension JSONParser {
    /// A schedule plan's `configurations` array read straight into typed
    /// values, without building the tree of ~700,000 small arrays a long
    /// plan holds: `[{"circuits": [[i, j], …], "duration": x}, …]` with the
    /// two members in either order, node indices as plain non-negative
    /// whole numbers. `nil` (the caller rewinds and parses as usual, so
    /// every error keeps its message and place) on anything else.
    mutating func typedConfigurations() -> [SchedulePlan.Configuration]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var configurations: [SchedulePlan.Configuration] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return configurations }
        while true {
            skipWhitespace()
            guard consume(UInt8(ascii: "{")) else { return nil }
            var circuits: [Circuit]?
            var duration: Double?
            for member in 0..<2 {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\""),
                      let key = try? parseString() else { return nil }
                skipWhitespace()
                guard consume(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                switch key {
                case "circuits" where circuits == nil:
                    guard let list = typedCircuits() else { return nil }
                    circuits = list
                case "duration" where duration == nil:
                    guard index < bytes.count, bytes[index] != UInt8(ascii: "\""),
                          case .number(let x)? = try? parseNumber() else { return nil }
                    duration = x
                default: return nil
                }
                skipWhitespace()
                guard consume(member == 0 ? UInt8(ascii: ",") : UInt8(ascii: "}")) else { return nil }
            }
            guard let circuits, let duration else { return nil }
            configurations.append(.init(duration: duration, circuits: circuits))
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "]")) { return configurations }
            return nil
        }
    }

    /// `[[i, j], …]` of plain non-negative whole numbers.
    private mutating func typedCircuits() -> [Circuit]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var circuits: [Circuit] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return circuits }
        while true {
            skipWhitespace()
            guard consume(UInt8(ascii: "[")) else { return nil }
            skipWhitespace()
            guard let i = plainIndex() else { return nil }
            skipWhitespace()
            guard consume(UInt8(ascii: ",")) else { return nil }
            skipWhitespace()
            guard let j = plainIndex() else { return nil }
            skipWhitespace()
            guard consume(UInt8(ascii: "]")) else { return nil }
            circuits.append(Circuit(i, j))
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "]")) { return circuits }
            return nil
        }
    }

    /// A whole number of 1–15 digits without sign, fraction, exponent or
    /// leading zero.
    private mutating func plainIndex() -> Int? {
        let start = index
        var value = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        let count = index - start
        guard count >= 1, count <= 15, count == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        if index < bytes.count {
            let next = bytes[index]
            if next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") { return nil }
        }
        return value
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }
}
