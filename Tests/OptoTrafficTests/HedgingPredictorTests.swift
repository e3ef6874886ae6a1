import OptoCore
import Testing
@testable import OptoTraffic

private func series(_ values: [Double]) -> [Matrix] {
    values.map { v in
        var m = Matrix(size: 2)
        m[0, 1] = v
        return m
    }
}

@Suite("Residuals, hedging and the shape predictor")
struct HedgingPredictorTests {
    @Test("residuals of last value and their nearest-rank quantiles, by hand")
    func quantiles() throws {
        // last value: residuals D_t − D_(t−1) = 2, −1, 4, −3, 1 on pair 0→1.
        let r = ForecastResiduals(predictor: .last, training: series([10, 12, 11, 15, 12, 13]))
        #expect(r.residuals.map { $0[0, 1] } == [2, -1, 4, -3, 1])
        let q = try #require(r.quantile(0.8))   // ⌈0.8·5⌉ = 4th smallest of −3, −1, 1, 2, 4
        #expect(q[0, 1] == 2)
        #expect(q[1, 0] == 0)
        #expect(try #require(r.quantile(0))[0, 1] == -3)
        #expect(try #require(r.quantile(1))[0, 1] == 4)
        var f = Matrix(size: 2)
        f[0, 1] = 2
        #expect(ForecastResiduals.shifted(f, by: r.quantile(0))[0, 1] == 0)  // max(0, 2 − 3)
        #expect(ForecastResiduals.shifted(f, by: q)[0, 1] == 4)
    }

    @Test("scenarios are forecast plus a drawn residual, clipped at 0, and seeded")
    func scenarios() {
        let r = ForecastResiduals(predictor: .last, training: series([10, 12, 11, 15, 12, 13]))
        var f = Matrix(size: 2)
        f[0, 1] = 2
        var g1 = SeededGenerator(seed: 5), g2 = SeededGenerator(seed: 5)
        let a = r.scenarios(20, forecasts: [f, f], generator: &g1)
        let b = r.scenarios(20, forecasts: [f, f], generator: &g2)
        #expect(a == b)
        let allowed: Set<Double> = [4, 1, 6, 0, 3]
        for s in a { for m in s { #expect(allowed.contains(m[0, 1])) } }
        #expect(Set(a.flatMap { $0.map { $0[0, 1] } }).count >= 3)
    }

    @Test("shape: shares EWMA times the median of the last totals, by hand")
    func shape() {
        var a = Matrix(size: 2), b = Matrix(size: 2), c = Matrix(size: 2)
        a[0, 1] = 10                 // shares (1, 0)
        b[1, 0] = 100                // shares (0, 1)
        c[0, 1] = 30; c[1, 0] = 10   // shares (0.75, 0.25)
        let p = Predictor.shape(alpha: 0.5, window: 3)
        let f = p.oneStepForecasts([a, b, c, a], from: 1)
        // t=1: shares (1,0), median{10} → 10·(1,0)
        #expect(abs(f[0][0, 1] - 10) < 1e-9 && abs(f[0][1, 0]) < 1e-9)
        // t=2: shares (0.5, 0.5), median{10, 100} = 55
        #expect(abs(f[1][0, 1] - 27.5) < 1e-9 && abs(f[1][1, 0] - 27.5) < 1e-9)
        // t=3: shares (0.625, 0.375), median{10, 100, 40} = 40
        #expect(abs(f[2][0, 1] - 25) < 1e-9 && abs(f[2][1, 0] - 15) < 1e-9)
        let next = p.forecast([a, b, c], horizon: 2)
        #expect(next.count == 2 && abs(next[1][0, 1] - 25) < 1e-9)
    }

    @Test("auto chooses the kind best on the end of the training part, not the one that fits the training best")
    func autoChoice() throws {
        // 30 alternating snapshots (a slow EWMA errs half as much as last
        // value), then a slow ramp (last value errs least).
        var values: [Double] = (0..<30).map { $0 % 2 == 0 ? 100 : 0 }
        values += (0..<10).map { 50 + 2 * Double($0) }
        let training = series(values)
        let choice = Predictor.chooseAuto(training: training)
        let cut = 30
        var validation: [String: Double] = [:]
        for kind in Predictor.kinds {
            let p = try #require(Predictor.fit(kind, training: Array(training[..<cut])))
            validation[kind] = Predictor.nmae(p.predictor.oneStepForecasts(training, from: cut), Array(training[cut...]))
        }
        let best = try #require(validation.min { $0.value < $1.value })
        #expect(choice.predictor.kind == best.key)
        #expect(choice.note.contains("auto chose"))
        // The former rule (lowest error on the whole training part) picks another kind here.
        let byTraining = Predictor.kinds.compactMap { k in Predictor.fit(k, training: training).map { (k, $0.trainingError) } }
            .min { $0.1 < $1.1 }!.0
        #expect(byTraining != choice.predictor.kind)
    }
}

