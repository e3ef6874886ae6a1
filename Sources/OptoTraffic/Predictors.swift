import OptoCore

/// Turns a trace into the next matrices. A predictor is fitted on a
/// training prefix (it picks its parameters there), then run over a series
/// one snapshot at a time: `observe` the actual matrix, `forecast` the next.
///
/// Three kinds:
/// - `last`: the next matrix is the last one seen.
/// - `ewma(alpha)`: exponentially weighted moving average,
///   `s ← α·x + (1−α)·s`; the forecast is `s`. `alpha` is fitted by grid
///   search (0.05 … 0.95) on the training prefix.
/// - `seasonal(period, seasons)`: the mean of the matrices one, two, …
///   `seasons` periods before the forecast epoch (seasonal naive when
///   `seasons` is 1); before a full period is seen, the last matrix. The
///   period is found on the training prefix from the autocorrelation of the
///   total traffic: the five strongest local maxima among lags
///   `2…min(n/3, maximumPeriod)` are tried with 1, 2, 3, 5, 10 or 20
///   seasons, and the pair with the lowest one-step error on the training
///   prefix is kept. `isSignificant` tells whether the period stands out of
///   white noise.
/// - `shape(alpha, window)`: where traffic goes apart from how much
///   (see `Predictor+Shape.swift`): an EWMA of each snapshot's shares
///   times the median of the last `window` totals.
///
/// `auto` (``chooseAuto(training:)``) picks the kind with the lowest
/// one-step error on the last quarter of the training part, each kind
/// fitted on the first three quarters, so a kind that only fits the
/// training part well is not chosen.
public enum Predictor: Equatable, Sendable, CustomStringConvertible {
    /// The last matrix seen.
    case last
    /// Exponentially weighted moving average with weight `alpha` on the newest matrix.
    case ewma(alpha: Double)
    /// Mean of the matrices `period`, `2·period`, … `seasons·period` epochs back.
    case seasonal(period: Int, seasons: Int)
    /// Shares (EWMA with weight `alpha`) times the median total of the last `window` snapshots.
    case shape(alpha: Double, window: Int)

    /// The kinds `fit` knows, in the order `predict` reports them.
    public static let kinds = ["last", "ewma", "seasonal", "shape"]

    /// The command-line name: `last`, `ewma`, `seasonal`.
    public var kind: String {
        switch self {
        case .last: "last"
        case .ewma: "ewma"
        case .seasonal: "seasonal"
        case .shape: "shape"
        }
    }

    public var description: String {
        switch self {
        case .last: "last value"
        case .ewma(let a): "EWMA (alpha \(JSONValue.numberText((a * 100).rounded() / 100)))"
        case .seasonal(let p, let k): "seasonal (period \(p), \(k) season\(k == 1 ? "" : "s"))"
        case .shape(let a, let w): "shape (alpha \(JSONValue.numberText((a * 100).rounded() / 100)), total of \(w))"
        }
    }

    /// The numbers of seasons the seasonal predictor tries: many seasons
    /// average out noise when the period is weak.
    public static let seasonCounts = [1, 2, 3, 5, 10, 20]

    /// The longest period the seasonal predictor considers.
    public static let maximumPeriod = 1000

    /// One-step-ahead forecasts of `snapshots[from...]`, each made from the
    /// snapshots before it (every earlier snapshot is observed, training
    /// prefix included).
    /// - Complexity: O(snapshots × N² × seasons)
    public func oneStepForecasts(_ snapshots: [Matrix], from start: Int) -> [Matrix] {
        precondition(start >= 1 && start <= snapshots.count, "forecasts need at least one snapshot of history")
        let n = snapshots[0].rows
        var out: [Matrix] = []
        out.reserveCapacity(snapshots.count - start)
        switch self {
        case .last:
            for t in start..<snapshots.count { out.append(snapshots[t - 1]) }
        case .ewma(let alpha):
            var s = snapshots[0]
            for t in 1..<snapshots.count {
                if t >= start { out.append(s) }
                let x = snapshots[t]
                for k in s.values.indices { s.values[k] = alpha * x.values[k] + (1 - alpha) * s.values[k] }
            }
        case .seasonal(let period, let seasons):
            for t in start..<snapshots.count { out.append(Predictor.seasonalForecast(snapshots, at: t, period: period, seasons: seasons, size: n)) }
        case .shape(let alpha, let window):
            return Predictor.shapeForecasts(snapshots, from: start, alpha: alpha, window: window)
        }
        return out
    }

    /// Forecasts of the `horizon` epochs after the whole series.
    public func forecast(_ snapshots: [Matrix], horizon: Int) -> [Matrix] {
        guard let lastSeen = snapshots.last else { return [] }
        switch self {
        case .last:
            return Array(repeating: lastSeen, count: horizon)
        case .ewma(let alpha):
            var s = snapshots[0]
            for x in snapshots.dropFirst() { for k in s.values.indices { s.values[k] = alpha * x.values[k] + (1 - alpha) * s.values[k] } }
            return Array(repeating: s, count: horizon)
        case .seasonal(let period, let seasons):
            // Forecasts feed later ones when the horizon passes a period.
            var extended = snapshots
            for _ in 0..<horizon {
                extended.append(Predictor.seasonalForecast(extended, at: extended.count, period: period, seasons: seasons, size: lastSeen.rows))
            }
            return Array(extended.suffix(horizon))
        case .shape(let alpha, let window):
            let next = Predictor.shapeForecasts(snapshots + [lastSeen], from: snapshots.count, alpha: alpha, window: window)
            return Array(repeating: next[0], count: horizon)
        }
    }

    static func seasonalForecast(_ snapshots: [Matrix], at t: Int, period: Int, seasons: Int, size n: Int) -> Matrix {
        var m = Matrix(size: n)
        var used = 0
        for j in 1...max(1, seasons) {
            let s = t - j * period
            guard s >= 0 else { break }
            for k in m.values.indices { m.values[k] += snapshots[s].values[k] }
            used += 1
        }
        guard used > 0 else { return snapshots[t - 1] }
        return m.scaled(by: 1 / Double(used))
    }

    /// Normalised mean absolute error: `Σ|forecast − actual| / Σ actual`
    /// over every cell of every snapshot (0 when the actuals are all 0 and
    /// the forecasts match).
    public static func nmae(_ forecasts: [Matrix], _ actuals: [Matrix]) -> Double {
        var err = 0.0, total = 0.0
        for (f, a) in zip(forecasts, actuals) {
            for k in a.values.indices {
                err += abs(f.values[k] - a.values[k])
                total += abs(a.values[k])
            }
        }
        return total > 0 ? err / total : (err > 0 ? .infinity : 0)
    }

    /// Fits a predictor of `kind` (`last`, `ewma`, `seasonal`) on a training
    /// prefix (at least 2 snapshots) and returns it with its one-step NMAE
    /// on that prefix.
    public static func fit(_ kind: String, training: [Matrix]) -> (predictor: Predictor, trainingError: Double)? {
        guard training.count >= 2 else { return nil }
        let actual = Array(training.dropFirst())
        func score(_ p: Predictor) -> Double { nmae(p.oneStepForecasts(training, from: 1), actual) }
        switch kind {
        case "last":
            return (.last, score(.last))
        case "ewma":
            var best: (Predictor, Double) = (.ewma(alpha: 0.5), .infinity)
            for alpha in [0.01, 0.02, 0.03] + (1...19).map({ Double($0) * 0.05 }) {
                let p = Predictor.ewma(alpha: alpha)
                let e = score(p)
                if e < best.1 { best = (p, e) }
            }
            return best
        case "seasonal":
            let candidates = periodCandidates(training, count: 5)
            var best: (Predictor, Double) = (.last, score(.last))
            for p in candidates {
                for k in seasonCounts where k * p < training.count {
                    let pred = Predictor.seasonal(period: p, seasons: k)
                    let e = score(pred)
                    if e < best.1 { best = (pred, e) }
                }
            }
            if case .last = best.0, let p = candidates.first { best = (.seasonal(period: p, seasons: 1), score(.seasonal(period: p, seasons: 1))) }
            return best
        case "shape":
            var best: (Predictor, Double) = (.shape(alpha: 0.1, window: 5), .infinity)
            for alpha in shapeAlphas {
                for window in shapeWindows {
                    let p = Predictor.shape(alpha: alpha, window: window)
                    let e = score(p)
                    if e < best.1 { best = (p, e) }
                }
            }
            return best
        default:
            return nil
        }
    }

    /// Whether the total traffic's autocorrelation at `period` lies outside
    /// the 95 % band of white noise, `±2/√n` (n snapshots); with its value
    /// and the band.
    public static func isSignificant(period: Int, in snapshots: [Matrix]) -> (significant: Bool, autocorrelation: Double, band: Double) {
        let acf = autocorrelation(snapshots, maxLag: period)
        guard acf.count >= period, period >= 1 else { return (false, 0, 0) }
        let band = 2 / Double(snapshots.count).squareRoot()
        return (acf[period - 1] > band, acf[period - 1], band)
    }

    /// Autocorrelation of the total traffic at every lag `1…maxLag`.
    /// - Complexity: O(n × maxLag)
    public static func autocorrelation(_ snapshots: [Matrix], maxLag: Int) -> [Double] {
        let x = snapshots.map(\.total)
        let n = x.count
        guard n > 1 else { return [] }
        let mean = x.reduce(0, +) / Double(n)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        guard variance > 0 else { return Array(repeating: 0, count: max(0, min(maxLag, n - 1))) }
        return (1...max(1, min(maxLag, n - 1))).map { lag in
            var s = 0.0
            for t in lag..<n { s += (x[t] - mean) * (x[t - lag] - mean) }
            return s / variance
        }
    }

    /// The lags with the strongest autocorrelation among its local maxima
    /// (lags `2…min(n/3, maximumPeriod)`), strongest first.
    public static func periodCandidates(_ snapshots: [Matrix], count: Int) -> [Int] {
        let maxLag = min(snapshots.count / 3, maximumPeriod)
        guard maxLag >= 2 else { return [] }
        let acf = autocorrelation(snapshots, maxLag: maxLag + 1)
        var peaks: [(lag: Int, value: Double)] = []
        for lag in 2...maxLag {
            let v = acf[lag - 1]
            let before = acf[lag - 2]
            let after = lag < acf.count ? acf[lag] : -.infinity
            if v >= before && v >= after { peaks.append((lag, v)) }
        }
        if peaks.isEmpty { peaks = (2...maxLag).map { ($0, acf[$0 - 1]) } }
        return peaks.sorted { $0.value > $1.value }.prefix(count).map(\.lag)
    }
}

/// A back-test of predictors on a trace: fit on the first part, forecast
/// the held-back rest one step ahead, report the NMAE.
public struct Backtest: Sendable {
    /// One predictor's result.
    public struct Row: Sendable {
        /// The fitted predictor.
        public var predictor: Predictor
        /// One-step NMAE on the training part.
        public var trainingError: Double
        /// One-step NMAE on the held-back part.
        public var error: Double
        /// The forecasts of the held-back snapshots.
        public var forecasts: [Matrix]
    }

    /// Index of the first held-back snapshot.
    public var split: Int
    /// One row per predictor kind, in the order asked.
    public var rows: [Row]

    /// Fits each kind on `snapshots[..<split]` and forecasts `snapshots[split...]`.
    /// `holdout` is the held-back fraction (0.2: the last 20 %).
    public static func run(_ series: TrafficSeries, holdout: Double, kinds: [String] = Predictor.kinds) -> Backtest? {
        let n = series.snapshots.count
        let split = min(n - 1, max(2, Int((Double(n) * (1 - holdout)).rounded())))
        guard n >= 3, split < n else { return nil }
        let training = Array(series.snapshots[..<split])
        let actual = Array(series.snapshots[split...])
        var rows: [Row] = []
        for kind in kinds {
            guard let (p, trainErr) = Predictor.fit(kind, training: training) else { continue }
            let f = p.oneStepForecasts(series.snapshots, from: split)
            rows.append(Row(predictor: p, trainingError: trainErr, error: Predictor.nmae(f, actual), forecasts: f))
        }
        return Backtest(split: split, rows: rows)
    }
}
