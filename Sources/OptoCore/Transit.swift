/// One transit entry of a plan (FORMATS.md "Plans", PROBLEMS.md "Transit"):
/// traffic of the pair `source→target` sent over the two circuits
/// `source→via` and `via→target`.
///
/// Encoded in files as a four-element array `[s, k, t, amount]`. `amount`
/// is a rate in bits per second in a link-pool plan and a volume in bytes
/// in an epoch of an epochs-mode schedule plan.
public struct TransitRoute: Hashable, Sendable, CustomStringConvertible {
    /// `s`: the pair's sending node.
    public var source: Int
    /// `k`: the intermediate node that forwards at line rate.
    public var via: Int
    /// `t`: the pair's receiving node.
    public var target: Int
    /// Bits per second (link pools) or bytes (an epoch).
    public var amount: Double

    public init(_ source: Int, _ via: Int, _ target: Int, _ amount: Double) {
        self.source = source
        self.via = via
        self.target = target
        self.amount = amount
    }

    /// The first circuit of the path, `s→k`.
    public var firstHop: Circuit { Circuit(source, via) }
    /// The second circuit of the path, `k→t`.
    public var secondHop: Circuit { Circuit(via, target) }

    public var description: String { "\(source)->\(via)->\(target): \(amount)" }
}

extension TransitRoute: Codable {
    public init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        let s = try c.decode(Int.self)
        let k = try c.decode(Int.self)
        let t = try c.decode(Int.self)
        let x = try c.decode(Double.self)
        if !c.isAtEnd {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "a transit entry is [s, k, t, amount]: three node indices and a number")
        }
        self.init(s, k, t, x)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(source)
        try c.encode(via)
        try c.encode(target)
        try c.encode(amount)
    }
}

/// What an epochs plan serves for one pair in one epoch, `[s, t, bytes]`:
/// direct, transit and packet bytes together. An epoch of a plan with
/// transit lists it for every pair that has transit entries, so that the
/// evaluator can turn each entry's bytes into the share of the pair's
/// traffic it moves (PROBLEMS.md, Evaluator: Transit).
public struct PairBytes: Hashable, Sendable {
    /// The pair's sending node.
    public var source: Int
    /// The pair's receiving node.
    public var target: Int
    /// Bytes.
    public var bytes: Double

    public init(_ source: Int, _ target: Int, _ bytes: Double) {
        self.source = source
        self.target = target
        self.bytes = bytes
    }
}

extension PairBytes: Codable {
    public init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        let s = try c.decode(Int.self)
        let t = try c.decode(Int.self)
        let b = try c.decode(Double.self)
        if !c.isAtEnd {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "a served entry is [s, t, bytes]: two node indices and a number")
        }
        self.init(s, t, b)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(source)
        try c.encode(target)
        try c.encode(bytes)
    }
}
