/// A parsed JSON document. OptoPlan reads instances with its own small
/// parser so that every error can name the exact JSON path of the bad
/// value, numbers keep their text, object keys keep their order, and a
/// duplicate key is an error rather than a silent overwrite.
public indirect enum JSONValue: Equatable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number with its value (never NaN or infinite).
    case number(Double)
    /// A string, escapes resolved.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// Members in file order.
    case object([(key: String, value: JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.number(x), .number(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// The member named `key` of an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.key == key }?.value }
        return nil
    }

    /// What kind of JSON value this is, for messages: "a string", "an array".
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// A short rendering of the value for messages (strings quoted, long values cut).
    public var brief: String {
        let text: String
        switch self {
        case .string(let s): text = "\"\(s)\""
        default: text = serialized(pretty: false)
        }
        return text.count > 40 ? String(text.prefix(37)) + "…" : text
    }
}

/// A JSON syntax error at a line and column (1-based).
public struct JSONSyntaxError: Error, Equatable, Sendable {
    /// 1-based line.
    public var line: Int
    /// 1-based column, in characters.
    public var column: Int
    /// What was expected or wrong.
    public var message: String
}

extension JSONValue {
    /// The deepest nesting accepted; deeper documents are an error rather
    /// than a stack overflow.
    public static let maximumDepth = 256

    /// Parses UTF-8 JSON text (RFC 8259). Duplicate keys, NaN and numbers
    /// too large for a Double are errors.
    /// - Complexity: O(n) in the length of the text.
    public static func parse(_ bytes: [UInt8]) -> Result<JSONValue, JSONSyntaxError> {
        var parser = JSONParser(bytes: bytes)
        do throws(JSONSyntaxError) {
            parser.skipWhitespace()
            let value = try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            if parser.index < bytes.count { throw parser.error("unexpected text after the JSON value") }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    /// Parses a plan file as `parse` does, reading a top-level
    /// `configurations` array of schedule configurations straight into
    /// typed values when it is exactly as a plan writes it (the tree then
    /// holds an empty array there). Only the plan reader uses it: the tree
    /// it returns is not the whole document when configurations were lifted.
    static func parseLiftingConfigurations(_ bytes: [UInt8]) -> Result<(JSONValue, [SchedulePlan.Configuration]?), JSONSyntaxError> {
        var parser = JSONParser(bytes: bytes)
        parser.liftConfigurations = true
        do throws(JSONSyntaxError) {
            parser.skipWhitespace()
            let value = try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            if parser.index < bytes.count { throw parser.error("unexpected text after the JSON value") }
            return .success((value, parser.lifted))
        } catch {
            return .failure(error)
        }
    }

    /// Parses JSON from a string.
    public static func parse(_ text: String) -> Result<JSONValue, JSONSyntaxError> {
        parse(Array(text.utf8))
    }
}

struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    /// When set, the top-level member `configurations` is first read by
    /// `typedConfigurations()` (PlanIO+Schedule.swift) straight into
    /// `lifted`, leaving an empty array in its place in the tree; anything
    /// that reader does not accept exactly is parsed as usual.
    var liftConfigurations = false
    /// The configurations read by the typed reader, when it read them.
    var lifted: [SchedulePlan.Configuration]?

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // Skip a UTF-8 byte-order mark.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    func error(_ message: String, at position: Int? = nil) -> JSONSyntaxError {
        let p = min(position ?? index, bytes.count)
        var line = 1, column = 1
        for k in 0..<p {
            if bytes[k] == UInt8(ascii: "\n") { line += 1; column = 1 }
            else if bytes[k] & 0xC0 != 0x80 { column += 1 }
        }
        return JSONSyntaxError(line: line, column: column, message: message)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    func describeHere() -> String {
        guard index < bytes.count else { return "the end of the file" }
        let b = bytes[index]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16))"
    }

    mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < JSONValue.maximumDepth else { throw error("nesting deeper than \(JSONValue.maximumDepth) levels") }
        guard index < bytes.count else { throw error("expected a value, found the end of the file") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("expected a value, found \(describeHere())")
        }
    }

    mutating func literal(_ word: String) throws(JSONSyntaxError) {
        let w = Array(word.utf8)
        guard index + w.count <= bytes.count, Array(bytes[index..<(index + w.count)]) == w else {
            throw error("expected a value, found \(describeHere())")
        }
        index += w.count
    }

    mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        var seen = Set<String>()
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a quoted key, found \(describeHere())")
            }
            let keyStart = index
            let key = try parseString()
            if !seen.insert(key).inserted { throw error("duplicate key \"\(key)\"", at: keyStart) }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after the key \"\(key)\", found \(describeHere())")
            }
            index += 1
            skipWhitespace()
            if depth == 0 && liftConfigurations && key == "configurations" && lifted == nil {
                let start = index
                if let configurations = typedConfigurations() {
                    lifted = configurations
                    members.append((key, .array([])))
                    skipWhitespace()
                    guard index < bytes.count else { throw error("expected ',' or '}', found the end of the file") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                    throw error("expected ',' or '}', found \(describeHere())")
                }
                index = start
            }
            let value = try parseValue(depth: depth + 1)
            members.append((key, value))
            skipWhitespace()
            guard index < bytes.count else { throw error("expected ',' or '}', found the end of the file") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error("expected ',' or '}', found \(describeHere())")
        }
    }

    mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw error("expected ',' or ']', found the end of the file") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            throw error("expected ',' or ']', found \(describeHere())")
        }
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("incomplete \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            v = v * 16 + d
            index += 1
        }
        return v
    }

    mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = index
        index += 1
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error("unterminated string", at: start) }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") { index += 1; break }
            if b < 0x20 { throw error("control character in a string") }
            if b != UInt8(ascii: "\\") { out.append(b); index += 1; continue }
            index += 1
            guard index < bytes.count else { throw error("unterminated string", at: start) }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate in a \\u escape")
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in a \\u escape") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(code) {
                    throw error("unpaired surrogate in a \\u escape")
                }
                guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw error("a string is not valid UTF-8", at: start) }
        return s
    }

    mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = index
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number", at: start) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw error("a number may not have a leading zero", at: start) }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number: digits must follow '.'", at: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number: digits must follow the exponent", at: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        // Whole numbers of up to 15 digits are exact in a Double: no text needed.
        let negative = bytes[start] == UInt8(ascii: "-")
        let digitsStart = negative ? start + 1 : start
        if index - digitsStart <= 15 {
            var whole: Int64 = 0
            var k = digitsStart
            while k < index, isDigit(bytes[k]) {
                whole = whole &* 10 &+ Int64(bytes[k] &- UInt8(ascii: "0"))
                k += 1
            }
            if k == index { return .number(negative ? (whole == 0 ? -0.0 : -Double(whole)) : Double(whole)) }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw error("the number \(text) is too large", at: start) }
        return .number(value)
    }
}

extension JSONValue {
    /// JSON text. Pretty output puts each object member on its own line and
    /// keeps arrays of scalars (matrix rows, circuits) on one line, so that a
    /// matrix reads as a grid.
    public func serialized(pretty: Bool = true) -> String {
        String(decoding: serializedBytes(pretty: pretty), as: UTF8.self)
    }

    /// `serialized(pretty:)` as UTF-8 bytes.
    public func serializedBytes(pretty: Bool = true) -> [UInt8] {
        var out = JSONTextWriter(pretty: pretty)
        out.value(self, indent: 0)
        if pretty { out.bytes.append(0x0A) }
        return out.bytes
    }

    /// A number as JSON: integers without a fraction, others in Swift's
    /// shortest round-tripping form.
    public static func numberText(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return x == 0 ? "0" : String(Int64(x)) }
        return "\(x)"
    }

    static func escaped(_ s: String) -> String {
        var out = JSONTextWriter(pretty: false)
        out.string(s)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }
}

/// Writes JSON text into a byte buffer, with the layout of
/// `JSONValue.serialized(pretty:)`: in pretty output each object member
/// and each element of an array holding arrays or objects is on its own
/// line, indented two spaces per level; arrays of scalars stay on one line.
/// Writers of large files (plans) use it to write parts of a document
/// without building the `JSONValue` tree first, in the same layout.
struct JSONTextWriter {
    let pretty: Bool
    var bytes: [UInt8] = []

    init(pretty: Bool, capacity: Int = 0) {
        self.pretty = pretty
        bytes.reserveCapacity(capacity)
    }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// The indentation of a member or element at nesting `level` (pretty only).
    mutating func pad(_ level: Int) {
        guard pretty else { return }
        for _ in 0..<(2 * level) { bytes.append(0x20) }
    }

    mutating func newline() {
        if pretty { bytes.append(0x0A) }
    }

    /// A number as `JSONValue.numberText` writes it.
    mutating func number(_ x: Double) {
        if x == x.rounded(), abs(x) < 1e15 {
            integer(Int64(x))
        } else {
            bytes.append(contentsOf: "\(x)".utf8)
        }
    }

    /// A whole number in decimal.
    mutating func integer(_ v: Int64) {
        if v >= 0 && v < 10 { bytes.append(0x30 + UInt8(v)); return }
        if v < 0 { bytes.append(0x2D) }
        var m = v.magnitude
        // Digits into a fixed buffer from the right, then one append.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var k = buffer.count
            while m > 0 {
                k -= 1
                buffer[k] = 0x30 + UInt8(m % 10)
                m /= 10
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[k...]))
        }
    }

    /// A quoted string with JSON escapes.
    mutating func string(_ s: String) {
        bytes.append(0x22)
        for u in s.unicodeScalars {
            switch u {
            case "\"": raw("\\\"")
            case "\\": raw("\\\\")
            case "\n": raw("\\n")
            case "\r": raw("\\r")
            case "\t": raw("\\t")
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    raw("\\u")
                    bytes.append(contentsOf: repeatElement(0x30, count: 4 - h.count))
                    bytes.append(contentsOf: h.utf8)
                } else {
                    bytes.append(contentsOf: UTF8.encode(u)!)
                }
            }
        }
        bytes.append(0x22)
    }

    /// `"key": ` (`"key":` when not pretty).
    mutating func key(_ k: String) {
        string(k)
        if pretty { raw(": ") } else { raw(":") }
    }

    /// A value whose first line starts at nesting `indent`.
    mutating func value(_ v: JSONValue, indent: Int) {
        switch v {
        case .null: raw("null")
        case .bool(let b): if b { raw("true") } else { raw("false") }
        case .number(let x): number(x)
        case .string(let s): string(s)
        case .array(let elements):
            if elements.isEmpty { raw("[]"); return }
            if !pretty || elements.allSatisfy(\.isScalar) {
                bytes.append(0x5B)
                for (k, e) in elements.enumerated() {
                    if k > 0 { if pretty { raw(", ") } else { raw(",") } }
                    var inline = JSONTextWriter(pretty: false)
                    swap(&inline.bytes, &bytes)
                    inline.value(e, indent: indent)
                    swap(&inline.bytes, &bytes)
                }
                bytes.append(0x5D)
                return
            }
            bytes.append(0x5B)
            newline()
            for (k, e) in elements.enumerated() {
                pad(indent + 1)
                value(e, indent: indent + 1)
                if k + 1 < elements.count { bytes.append(0x2C) }
                newline()
            }
            pad(indent)
            bytes.append(0x5D)
        case .object(let members):
            if members.isEmpty { raw("{}"); return }
            bytes.append(0x7B)
            newline()
            for (k, m) in members.enumerated() {
                pad(indent + 1)
                key(m.key)
                value(m.value, indent: indent + 1)
                if k + 1 < members.count { bytes.append(0x2C) }
                newline()
            }
            pad(indent)
            bytes.append(0x7D)
        }
    }
}
