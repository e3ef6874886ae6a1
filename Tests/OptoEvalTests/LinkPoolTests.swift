import Testing
import OptoCore
@testable import OptoEval

/// Link-pool plans in their steady state: PROBLEMS.md's reference case.
@Suite struct LinkPoolTests {
    func close(_ a: Double?, _ b: Double, relative: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= relative * max(1e-12, abs(b))
    }

    /// Two racks, two optical ports each, 400 Gb/s circuits, 100 Gb/s
    /// electrical; demand 800 Gb/s push, 100 Gb/s pull (8:1).
    func instance() -> LinkPoolInstance {
        LinkPoolInstance(fabric: LinkPoolFabric(nodes: 2, ports: 2, circuitRate: 400e9, packetRate: 100e9),
                         demand: Matrix([[0, 800e9], [100e9, 0]]))
    }

    func plan(_ circuits: [Circuit]) -> LinkPoolPlan {
        LinkPoolPlan(method: "test", status: .heuristic, metrics: PlanMetrics(objective: 0), circuits: circuits,
                     electrical: [[0, 0], [0, 0]], carried: [[0, 0], [0, 0]])
    }

    /// Symmetric: push gets 400 + 100 = 500 Gb/s (λ = 0.625), pull its 100.
    @Test func symmetricBaseline() throws {
        let m = try Evaluator.evaluate(plan([Circuit(0, 1), Circuit(1, 0)]), on: instance())
        #expect(close(m.carried, 600e9))
        #expect(close(m.lambda, 0.625))
        #expect(close(m.lambdaCapacity, 0.625))
        #expect(close(m.rates?[0][1], 500e9))
        #expect(close(m.rates?[1][0], 100e9))
        #expect(close(m.circuitBusyFraction, 500.0 / 800.0))
        #expect(close(m.packetPortUtilisation?[0].send, 1))
        #expect(close(m.packetPortUtilisation.map { $0[1].send + 1 }, 1))
    }

    /// Asymmetric: both circuits push; push 800, pull 100 over the packet
    /// fabric: everything carried (λ = 1); the capacity admits λ = 1 (pull
    /// is then at the packet limit).
    @Test func asymmetricOptimum() throws {
        let m = try Evaluator.evaluate(plan([Circuit(0, 1), Circuit(0, 1)]), on: instance())
        #expect(close(m.carried, 900e9))
        #expect(close(m.lambda, 1))
        #expect(close(m.lambdaCapacity, 1))
        #expect(close(m.packetPortUtilisation?[1].send, 1))
    }

    @Test func rejectsOverusedPools() throws {
        #expect(throws: EvaluationError.self) {
            try Evaluator.evaluate(plan([Circuit(0, 1), Circuit(0, 1), Circuit(1, 0)]), on: instance())
        }
        #expect(throws: EvaluationError.self) { try Evaluator.evaluate(plan([Circuit(0, 2)]), on: instance()) }
    }

    /// The breakpoint sweep against a bisection on random items.
    @Test func largestScaleMatchesBisection() {
        var rng = SplitMix(seed: 7)
        for _ in 0..<200 {
            let items = (0..<Int.random(in: 1...6, using: &rng)).map { _ in
                (r: Double.random(in: 0.1...5, using: &rng), c: Double.random(in: 0...5, using: &rng))
            }
            let limit = Double.random(in: 0...10, using: &rng)
            let lambda = Evaluator.largestScale(items, limit: limit)
            func g(_ x: Double) -> Double { items.reduce(0) { $0 + max(0, x * $1.r - $1.c) } }
            #expect(g(lambda) <= limit * (1 + 1e-9) + 1e-9)
            #expect(g(lambda * (1 + 1e-6) + 1e-9) > limit)
        }
    }
}

/// A seeded generator for reproducible tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
