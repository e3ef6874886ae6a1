import OptoCore

/// A predictor's one-step errors on a training part, and the hedged
/// matrices made from them (PROBLEMS.md §5, `--hedge` and `--scenarios`).
///
/// The residual of snapshot `t` is `r_t = D_t − F_t`, `F_t` the one-step
/// forecast of `D_t` from the snapshots before it (`t = 1…n−1` of the
/// training part). Two uses:
///
/// - quantile: `max(0, F + Q_q(r_ij))` per pair, `Q_q(r_ij)` the
///   `q`-quantile (nearest rank) of that pair's residuals;
/// - scenarios: `K` series of `H` matrices, the matrix of scenario `σ`
///   at horizon step `h` being `max(0, F_h + r_t)` with `t` drawn
///   uniformly (seeded) among the training residuals, the whole matrix at
///   once so that pairs that err together stay together.
public struct ForecastResiduals: Sendable {
    /// The residual matrices, oldest first.
    public var residuals: [Matrix]

    /// The residuals of `predictor` on `training` (at least 2 snapshots).
    /// - Complexity: O(n·N²) plus the predictor's forecasts.
    public init(predictor: Predictor, training: [Matrix]) {
        guard training.count >= 2 else { residuals = []; return }
        let forecasts = predictor.oneStepForecasts(training, from: 1)
        residuals = zip(training.dropFirst(), forecasts).map { a, f in
            var r = a
            for k in r.values.indices { r.values[k] = a.values[k] - f.values[k] }
            return r
        }
    }

    /// The per-pair `q`-quantile of the residuals (nearest rank: the
    /// `⌈q·n⌉`-th smallest, the smallest for `q = 0`); zeros without residuals.
    /// - Complexity: O(N²·n log n)
    public func quantile(_ q: Double) -> Matrix? {
        guard let first = residuals.first else { return nil }
        var out = Matrix(rows: first.rows, columns: first.columns)
        let n = residuals.count
        let rank = min(n, max(1, Int((q * Double(n)).rounded(.up))))
        var column = [Double](repeating: 0, count: n)
        for k in out.values.indices {
            var anyNonzero = false
            for (t, r) in residuals.enumerated() {
                column[t] = r.values[k]
                if column[t] != 0 { anyNonzero = true }
            }
            guard anyNonzero else { continue }
            column.sort()
            out.values[k] = column[rank - 1]
        }
        return out
    }

    /// `max(0, forecast + shift)` cell by cell, diagonal 0.
    public static func shifted(_ forecast: Matrix, by shift: Matrix?) -> Matrix {
        var m = forecast
        if let shift { for k in m.values.indices { m.values[k] = max(0, m.values[k] + shift.values[k]) } }
        return m.withoutDiagonal
    }

    /// `count` scenarios of the `forecasts` (one matrix per horizon step),
    /// each step's residual matrix drawn with the seeded generator.
    /// Without residuals every scenario is the forecast itself.
    /// - Complexity: O(count·H·N²)
    public func scenarios(_ count: Int, forecasts: [Matrix], generator: inout SeededGenerator) -> [[Matrix]] {
        (0..<count).map { _ in
            forecasts.map { f in
                guard !residuals.isEmpty else { return f.withoutDiagonal }
                let t = Int(generator.next() % UInt64(residuals.count))
                return Self.shifted(f, by: residuals[t])
            }
        }
    }
}

/// SplitMix64: a small seeded generator, so hedged plans are reproducible.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose stream is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
