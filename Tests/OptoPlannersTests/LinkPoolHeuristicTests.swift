import Testing
import OptoCore
@testable import OptoPlanners

/// The seed white paper's link-layer example (PROBLEMS.md §2).
func referenceInstance(objective: LinkPoolObjective = .concurrent) -> LinkPoolInstance {
    LinkPoolInstance(fabric: LinkPoolFabric(nodes: 2, ports: 2, circuitRate: 400e9, packetRate: 100e9),
                     demand: Matrix([[0, 8e9], [1e9, 0]]), objective: objective)
}

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
