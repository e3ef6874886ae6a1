/// The three kinds of physical quantity in OptoPlan files (FORMATS.md
/// "Quantities"). Base units: bytes, bits per second, seconds.
public enum QuantityKind: String, Sendable, CaseIterable {
    /// A data volume; base unit the byte.
    case volume
    /// A data rate; base unit the bit per second.
    case rate
    /// A duration; base unit the second.
    case time

    /// The kind with its indefinite article, for messages: "a rate".
    public var withArticle: String {
        switch self {
        case .volume: "a volume"
        case .rate: "a rate"
        case .time: "a time"
        }
    }

    /// The base unit's name, for messages.
    public var baseUnitName: String {
        switch self {
        case .volume: "bytes"
        case .rate: "bits per second"
        case .time: "seconds"
        }
    }

    /// An example of a valid string quantity of this kind, for messages.
    public var example: String {
        switch self {
        case .volume: "\"1.5GB\""
        case .rate: "\"400Gbps\""
        case .time: "\"20us\""
        }
    }

    /// The units of this kind with their factor to the base unit, in the
    /// order FORMATS.md lists them.
    public var units: [(name: String, factor: Double)] {
        switch self {
        case .volume:
            [("B", 1), ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12),
             ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776)]
        case .rate:
            [("bps", 1), ("Kbps", 1e3), ("Mbps", 1e6), ("Gbps", 1e9), ("Tbps", 1e12)]
        case .time:
            [("s", 1), ("ms", 1e-3), ("us", 1e-6), ("\u{00B5}s", 1e-6), ("\u{03BC}s", 1e-6), ("ns", 1e-9)]
        }
    }

    /// The factor of `unit` to the base unit, when `unit` is one of this kind's units.
    public func factor(of unit: String) -> Double? {
        units.first { $0.name == unit }?.factor
    }

    /// The kind a unit belongs to, if any.
    public static func kind(ofUnit unit: String) -> QuantityKind? {
        allCases.first { $0.factor(of: unit) != nil }
    }
}

/// Why a quantity could not be read. The message is written to follow the
/// place of the value: `"20us" is a time, a rate was expected`.
public struct QuantityError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong, for a human.
    public var message: String
    /// An error with a message.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Parsing and formatting of quantities with units (FORMATS.md).
///
/// A quantity is a plain number in base units or a string of a number and a
/// unit (`"400Gbps"`, `"1.5GB"`, `"20us"`, optionally with a space between
/// number and unit). A string holding only a number is read in base units.
/// Negative values, NaN, infinities, unknown units and units of the wrong
/// kind are errors.
public enum Quantity {
    /// Checks a plain number in base units: finite and not negative.
    public static func check(_ value: Double, as kind: QuantityKind) -> Result<Double, QuantityError> {
        if value.isNaN { return .failure(QuantityError("NaN is not \(kind.withArticle)")) }
        if value.isInfinite { return .failure(QuantityError("\(value) is not finite")) }
        if value < 0 { return .failure(QuantityError("\(format(number: value)) is negative; \(kind.withArticle) must be 0 or more")) }
        return .success(value)
    }

    /// Parses a string quantity of the given kind into base units.
    /// - Complexity: O(length of `text`)
    public static func parse(_ text: String, as kind: QuantityKind) -> Result<Double, QuantityError> {
        let quoted = "\"\(text)\""
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count, scalars[i].properties.isWhitespace { i += 1 }
        let numberStart = i
        var negative = false
        if i < scalars.count, scalars[i] == "+" || scalars[i] == "-" {
            negative = scalars[i] == "-"
            i += 1
        }
        var digits = 0
        while i < scalars.count, ("0"..."9").contains(scalars[i]) { i += 1; digits += 1 }
        if i < scalars.count, scalars[i] == "." {
            i += 1
            while i < scalars.count, ("0"..."9").contains(scalars[i]) { i += 1; digits += 1 }
        }
        if digits == 0 {
            return .failure(QuantityError("\(quoted) is not \(kind.withArticle): expected a number and a unit such as \(kind.example)"))
        }
        // An exponent only when digits follow it, so that "5e" is not eaten.
        if i < scalars.count, scalars[i] == "e" || scalars[i] == "E" {
            var j = i + 1
            if j < scalars.count, scalars[j] == "+" || scalars[j] == "-" { j += 1 }
            var expDigits = 0
            while j < scalars.count, ("0"..."9").contains(scalars[j]) { j += 1; expDigits += 1 }
            if expDigits > 0 { i = j }
        }
        let numberText = String(String.UnicodeScalarView(scalars[numberStart..<i]))
        var unit = String(String.UnicodeScalarView(scalars[i...]))
        while let last = unit.unicodeScalars.last, last.properties.isWhitespace { unit.unicodeScalars.removeLast() }
        while let first = unit.unicodeScalars.first, first.properties.isWhitespace { unit.unicodeScalars.removeFirst() }
        guard let number = Double(numberText) else {
            return .failure(QuantityError("\(quoted) is not \(kind.withArticle): \"\(numberText)\" is not a number"))
        }
        let factor: Double
        if unit.isEmpty {
            factor = 1
        } else if let f = kind.factor(of: unit) {
            factor = f
        } else if let other = QuantityKind.kind(ofUnit: unit) {
            return .failure(QuantityError("\(quoted) is \(other.withArticle), \(kind.withArticle) was expected"))
        } else {
            let names = kind.units.map(\.name).filter { $0 != "\u{03BC}s" }.joined(separator: ", ")
            return .failure(QuantityError("\(quoted): unknown unit \"\(unit)\"; \(kind.withArticle) takes \(names)"))
        }
        if negative && number != 0 {
            return .failure(QuantityError("\(quoted) is negative; \(kind.withArticle) must be 0 or more"))
        }
        let value = number * factor
        if !value.isFinite { return .failure(QuantityError("\(quoted) is too large")) }
        return .success(value)
    }

    /// A plain number as a short string: integers without a fraction.
    public static func format(number x: Double) -> String {
        if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    /// A human-readable rendering with the largest unit of the kind that
    /// keeps the number at 1 or more (decimal units; `"400Gbps"`, `"1.5MB"`,
    /// `"20us"`), with up to 4 significant digits. For summaries, not files.
    public static func format(_ value: Double, as kind: QuantityKind) -> String {
        guard value.isFinite, value != 0 else { return value == 0 ? "0\(kind.units[0].name)" : "\(value)" }
        let candidates: [(String, Double)]
        switch kind {
        case .volume: candidates = [("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("B", 1)]
        case .rate: candidates = [("Tbps", 1e12), ("Gbps", 1e9), ("Mbps", 1e6), ("Kbps", 1e3), ("bps", 1)]
        case .time: candidates = [("s", 1), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)]
        }
        let (name, factor) = candidates.first { abs(value) >= $0.1 } ?? candidates[candidates.count - 1]
        let scaled = value / factor
        var text = String(format4: scaled)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text + name
    }
}

extension String {
    /// Up to 4 significant digits, no exponent for ordinary magnitudes.
    init(format4 x: Double) { self = String.format4(x) }

    static func format4(_ x: Double) -> String {
        if x == x.rounded(), Swift.abs(x) < 1e15 { return String(Int64(x)) }
        let magnitude = Int(x.log10Floor)
        let decimals = Swift.max(0, 3 - magnitude)
        var p = 1.0
        for _ in 0..<decimals { p *= 10 }
        let r = (x * p).rounded() / p
        let s = "\(r)"
        return s.contains("e") ? "\(x)" : s
    }
}

extension Double {
    /// ⌊log10 |x|⌋ for x > 0, by repeated division (no Foundation needed).
    var log10Floor: Double {
        var x = abs(self)
        guard x > 0, x.isFinite else { return 0 }
        var e = 0.0
        while x >= 10 { x /= 10; e += 1 }
        while x < 1 { x *= 10; e -= 1 }
        return e
    }
}
