import OptoCore

/// The `shape` predictor: where traffic goes, apart from how much.
///
/// On bursty traces (the 150-rack coflow series: 1 MB to 9.8 TB per
/// epoch) the size of the next burst is not predictable from the last one,
/// but the racks that talk keep talking. So the forecast is split in two:
///
///     shares:  S ← α·(D_t / ΣD_t) + (1 − α)·S      (snapshots with traffic only; S₀ the first one's shares)
///     total:   T̂ = median of the last `window` totals ΣD
///     forecast F = T̂·S
///
/// The median ignores a single burst, where the last value and a fast
/// EWMA repeat it and a slow EWMA spreads it over every later epoch.
/// `alpha` and `window` are fitted by grid search (``shapeAlphas`` ×
/// ``shapeWindows``) on the training prefix's one-step NMAE.
extension Predictor {
    /// The share weights `fit` tries.
    public static let shapeAlphas = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0]
    /// The total windows `fit` tries (snapshots).
    public static let shapeWindows = [1, 3, 5, 10, 20, 50]

    /// One-step forecasts of `snapshots[start...]` by the shape rule.
    /// - Complexity: O(snapshots × (N² + window log window))
    static func shapeForecasts(_ snapshots: [Matrix], from start: Int, alpha: Double, window: Int) -> [Matrix] {
        guard let first = snapshots.first else { return [] }
        var shares = Matrix(rows: first.rows, columns: first.columns)
        var haveShares = false
        var totals: [Double] = []
        var out: [Matrix] = []
        out.reserveCapacity(max(0, snapshots.count - start))
        for t in 1..<max(1, snapshots.count) {
            let x = snapshots[t - 1]
            let total = x.total
            totals.append(total)
            if total > 0 {
                let w = haveShares ? alpha : 1
                for k in shares.values.indices { shares.values[k] = w * x.values[k] / total + (1 - w) * shares.values[k] }
                haveShares = true
            }
            guard t >= start else { continue }
            let recent = totals.suffix(max(1, window)).sorted()
            let m = recent.count
            let median = m % 2 == 1 ? recent[m / 2] : (recent[m / 2 - 1] + recent[m / 2]) / 2
            out.append(shares.scaled(by: median))
        }
        return out
    }

    /// `auto`: the kind (of ``kinds``) with the lowest one-step NMAE on
    /// the last quarter of `training` (at least one snapshot), each fitted
    /// on the first three quarters; the winner is then fitted on the whole
    /// of `training`. With fewer than 4 snapshots: the lowest training error.
    /// Returns the predictor and a note naming the validation errors.
    /// - Complexity: that of fitting every kind twice.
    public static func chooseAuto(training: [Matrix]) -> (predictor: Predictor, note: String) {
        let n = training.count
        let cut = min(n - 1, max(2, Int((Double(n) * 0.75).rounded())))
        var scored: [(kind: String, error: Double)] = []
        if n >= 4 && cut < n {
            let fitPart = Array(training[..<cut])
            let validation = Array(training[cut...])
            for kind in kinds {
                guard let (p, _) = fit(kind, training: fitPart) else { continue }
                scored.append((kind, nmae(p.oneStepForecasts(training, from: cut), validation)))
            }
        } else {
            for kind in kinds {
                guard let (_, e) = fit(kind, training: training) else { continue }
                scored.append((kind, e))
            }
        }
        guard let best = scored.min(by: { $0.error < $1.error }), let chosen = fit(best.kind, training: training) else {
            return (.last, "auto chose last value (too few snapshots to compare predictors)")
        }
        let list = scored.map { "\($0.kind) \(format($0.error))" }.joined(separator: ", ")
        let note = "auto chose \(chosen.predictor.description): lowest one-step NMAE on the last \(n - cut) training snapshots, "
            + "each kind fitted on the first \(cut) (\(list))"
        return (chosen.predictor, note)
    }

    static func format(_ x: Double) -> String {
        String(describing: (x * 1000).rounded() / 1000)
    }
}
