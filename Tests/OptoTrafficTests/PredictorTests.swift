import Foundation
import OptoCore
import Testing
@testable import OptoTraffic

/// SplitMix64, seeded.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Traffic predictors")
struct PredictorTests {
    static func matrix(_ x: Double) -> Matrix { Matrix([[0, x], [x / 2, 0]]) }

    @Test("last value and NMAE by hand")
    func lastValue() {
        let s = [1.0, 2, 4, 4].map(Self.matrix)
        let f = Predictor.last.oneStepForecasts(s, from: 1)
        #expect(f == [1.0, 2, 4].map(Self.matrix))
        // |1-2| + |2-4| + |4-4| over 2 + 4 + 4, same ratio in both cells.
        #expect(abs(Predictor.nmae(f, Array(s.dropFirst())) - 3.0 / 10) < 1e-12)
        #expect(Predictor.last.forecast(s, horizon: 2) == [Self.matrix(4), Self.matrix(4)])
    }

    @Test("EWMA recursion by hand; a constant series has no error")
    func ewma() {
        let s = [0.0, 10, 10].map(Self.matrix)
        let f = Predictor.ewma(alpha: 0.5).oneStepForecasts(s, from: 1)
        #expect(f.count == 2 && abs(f[0][0, 1] - 0) < 1e-12 && abs(f[1][0, 1] - 5) < 1e-12)
        let constant = Array(repeating: Self.matrix(3), count: 30)
        let (p, e) = Predictor.fit("ewma", training: constant)!
        #expect(e < 1e-12)
        if case .ewma = p {} else { Issue.record("not ewma") }
    }

    @Test("the seasonal predictor finds the period of a noisy periodic trace and beats the others")
    func seasonal() throws {
        var rng = SplitMix(state: 42)
        let period = 7
        let profile = [5.0, 1, 1, 8, 2, 1, 3]
        let series = TrafficSeries(nodes: 2, snapshots: (0..<400).map { t in
            Self.matrix(profile[t % period] * 100 + Double.random(in: -10...10, using: &rng))
        })
        let candidates = Predictor.periodCandidates(Array(series.snapshots.prefix(320)), count: 5)
        #expect(candidates.first == 7 || candidates.first == 14, "\(candidates)")
        let bt = try #require(Backtest.run(series, holdout: 0.2))
        #expect(bt.split == 320)
        let byKind = Dictionary(uniqueKeysWithValues: bt.rows.map { ($0.predictor.kind, $0) })
        let seasonal = try #require(byKind["seasonal"])
        guard case .seasonal(let p, _) = seasonal.predictor else { Issue.record("not seasonal"); return }
        #expect(p % period == 0)
        #expect(seasonal.error < 0.05)
        #expect(seasonal.error < byKind["last"]!.error && seasonal.error < byKind["ewma"]!.error)
        #expect(Predictor.isSignificant(period: p, in: series.snapshots).significant)
        // Forecasting past the trace keeps the profile.
        let next = seasonal.predictor.forecast(series.snapshots, horizon: period)
        for (h, m) in next.enumerated() {
            #expect(abs(m[0, 1] - profile[(400 + h) % period] * 100) < 15)
        }
    }

    @Test("white noise has no significant period")
    func noise() {
        var rng = SplitMix(state: 1)
        let s = (0..<1000).map { _ in Self.matrix(100 + Double.random(in: -50...50, using: &rng)) }
        let p = Predictor.periodCandidates(s, count: 1).first ?? 2
        // At most a chance crossing of the 95 % band; the autocorrelation stays small.
        #expect(abs(Predictor.isSignificant(period: p, in: s).autocorrelation) < 0.15)
    }

    @Test("long CSV traces: read, and errors name line and column")
    func csv() {
        let good = "t,src,dst,demand\n0,0,1,5\n0,1,0,2.5\n1,0,1,7\n1,1,1,9\n"
        guard case .success(let s) = TrafficSeries.readLongCSV(Array(good.utf8), file: "x.csv", factor: 1e6) else {
            Issue.record("rejected"); return
        }
        #expect(s.nodes == 2 && s.snapshots.count == 2)
        #expect(s.snapshots[0][0, 1] == 5e6 && s.snapshots[0][1, 0] == 2.5e6 && s.snapshots[1][1, 1] == 0)
        let bad: [(String, Int, Int)] = [
            ("a,b,c,d\n0,0,1,5\n", 1, 1),
            ("t,src,dst,demand\n0,0,x,5\n", 2, 3),
            ("t,src,dst,demand\n0,0,1,-5\n", 2, 4),
            ("t,src,dst,demand\n0,0,1\n", 2, 3),
            ("t,src,dst,demand\n0,0,1,nan\n", 2, 4),
        ]
        for (text, line, column) in bad {
            guard case .failure(let e) = TrafficSeries.readLongCSV(Array(text.utf8), file: "x.csv") else { Issue.record("accepted \(text)"); continue }
            #expect(e.place == .text(line: line, column: column), "\(e)")
        }
    }
}
