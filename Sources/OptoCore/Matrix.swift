/// A dense row-major matrix of doubles: demand matrices (bytes or bits per
/// second), electrical rates, carried rates.
///
/// Dense storage is deliberate: the largest matrices OptoPlan meets are
/// rack-level (a few hundred nodes, ~135 000 cells), and planners and the
/// evaluator sweep whole rows and columns.
public struct Matrix: Equatable, Hashable, Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The cells, row after row (`values[i * columns + j]`).
    public var values: [Double]

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.values = Array(repeating: value, count: rows * columns)
    }

    /// A square `n × n` zero matrix.
    public init(size n: Int) { self.init(rows: n, columns: n) }

    /// A matrix from nested rows; every row must have the same length.
    public init(_ rows: [[Double]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "ragged rows")
        self.rows = rows.count
        self.columns = columns
        self.values = rows.flatMap { $0 }
    }

    /// Whether the matrix is square.
    public var isSquare: Bool { rows == columns }

    /// The cell at row `i`, column `j`.
    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        get { values[i * columns + j] }
        set { values[i * columns + j] = newValue }
    }

    /// The rows as nested arrays (for encoding and printing).
    public var nestedRows: [[Double]] {
        (0..<rows).map { i in Array(values[(i * columns)..<((i + 1) * columns)]) }
    }

    /// Sum of each row. - Complexity: O(rows × columns)
    public var rowSums: [Double] {
        (0..<rows).map { i in
            var s = 0.0
            for j in 0..<columns { s += values[i * columns + j] }
            return s
        }
    }

    /// Sum of each column. - Complexity: O(rows × columns)
    public var columnSums: [Double] {
        var sums = Array(repeating: 0.0, count: columns)
        for i in 0..<rows { for j in 0..<columns { sums[j] += values[i * columns + j] } }
        return sums
    }

    /// Sum of every cell.
    public var total: Double { values.reduce(0, +) }

    /// The same matrix with the diagonal set to zero (traffic inside a node
    /// never crosses the fabric).
    public var withoutDiagonal: Matrix {
        var m = self
        for i in 0..<min(rows, columns) { m[i, i] = 0 }
        return m
    }

    /// Every cell multiplied by `factor`.
    public func scaled(by factor: Double) -> Matrix {
        var m = self
        for k in m.values.indices { m.values[k] *= factor }
        return m
    }
}
