/// One unidirectional optical circuit from node `from` to node `to`.
///
/// Encoded in files as a two-element array `[from, to]` (FORMATS.md). A
/// multiset of circuits is an array in which a circuit may appear several
/// times: its multiplicity is the number of parallel circuits.
public struct Circuit: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The transmitting node.
    public var from: Int
    /// The receiving node.
    public var to: Int

    /// A circuit `from → to`.
    public init(_ from: Int, _ to: Int) {
        self.from = from
        self.to = to
    }

    public static func < (a: Circuit, b: Circuit) -> Bool {
        (a.from, a.to) < (b.from, b.to)
    }

    public var description: String { "\(from)->\(to)" }
}

extension Circuit: Codable {
    public init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        let i = try c.decode(Int.self)
        let j = try c.decode(Int.self)
        if !c.isAtEnd {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "a circuit is [from, to]: two node indices")
        }
        self.init(i, j)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(from)
        try c.encode(to)
    }
}

extension Array where Element == Circuit {
    /// The circuits counted per ordered pair: `counts[i, j]` is the number of
    /// parallel circuits `i → j`. Circuits naming nodes outside `0..<nodes`
    /// are ignored (validation reports them separately).
    public func countMatrix(nodes: Int) -> Matrix {
        var m = Matrix(size: nodes)
        for c in self where c.from >= 0 && c.from < nodes && c.to >= 0 && c.to < nodes {
            m[c.from, c.to] += 1
        }
        return m
    }

    /// The circuits of a row-major count vector (`counts[i·N + j]` parallel
    /// circuits `i → j`), in pair order, each listed once per multiplicity:
    /// the inverse of counting them.
    public init(counts: [Int], nodes n: Int) {
        self.init()
        for k in counts.indices where counts[k] > 0 {
            for _ in 0..<counts[k] { append(Circuit(k / n, k % n)) }
        }
    }
}
