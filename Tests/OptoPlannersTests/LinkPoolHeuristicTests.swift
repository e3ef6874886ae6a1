import Testing
import OptoCore
@testable import OptoPlanners

@Suite("LinkPool heuristics and oracle")
struct LinkPoolHeuristicTests {
    @Test func referenceBruteForce() throws {
        let p = try LinkPoolProblem(referenceInstance())
        let best = try #require(try p.bruteForce())
        #expect(best.counts == [0, 2, 0, 0])
        #expect(abs(best.carried[1] - 800e9) < 1e-3)
        #expect(abs(best.carried[2] - 100e9) < 1e-3)
        #expect(abs(p.utilisation(best) - 0.9) < 1e-12)
        let sym = try #require(try p.bruteForce(symmetric: true))
        #expect(sym.counts == [0, 1, 1, 0])
        #expect(abs(sym.carried[1] - 500e9) < 1e-3)
        #expect(abs(sym.carried[2] - 62.5e9) < 1e-3)
        #expect(abs(p.utilisation(sym) - 0.5625) < 1e-12)
    }

    @Test func referenceGreedy() throws {
        let p = try LinkPoolProblem(referenceInstance())
        let g = try p.greedyAllocation()
        #expect(g.counts == [0, 2, 0, 0])
        #expect(abs(g.carried[1] - 800e9) < 1e-3)
    }
}
