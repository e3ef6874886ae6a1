import Foundation
import Testing
import OptoCore
import OptoGLPK
@testable import OptoPlanners

/// The two-hop cover design of the transit greedy
/// (`LinkPoolPlanner+TransitCover.swift`): within the port limits, its
/// count of unjoined pairs is exact, and it rescues fabrics without a
/// packet fabric where patching the 1-hop greedy's circuits leaves a pair
/// unjoined (λ = 0).
@Suite("LinkPool transit: two-hop cover")
struct LinkPoolTransitCoverTests {
    let options = PlanningOptions(timeLimit: 20, solver: GLPKSolver())

    /// Pairs with demand and no packet port at one end that `counts` leaves
    /// without a circuit and without a path of two circuits, counted from
    /// scratch.
    static func unjoined(_ p: LinkPoolProblem, _ counts: [Int]) -> Int {
        let n = p.n
        var left = 0
        for s in 0..<n {
            for t in 0..<n where s != t && p.demand[s * n + t] > 0 && !(p.packet[s] > 0 && p.packet[t] > 0) {
                let joined = counts[s * n + t] > 0 || (0..<n).contains { $0 != s && $0 != t && counts[s * n + $0] > 0 && counts[$0 * n + t] > 0 }
                if !joined { left += 1 }
            }
        }
        return left
    }

    /// Whether `counts` keeps every node's pool, transmitter and receiver limits.
    static func withinPorts(_ p: LinkPoolProblem, _ counts: [Int]) -> Bool {
        let n = p.n
        return (0..<n).allSatisfy { v in
            let out = (0..<n).reduce(0) { $0 + counts[v * n + $1] }, inc = (0..<n).reduce(0) { $0 + counts[$1 * n + v] }
            return out + inc <= p.ports[v] && out <= p.tx[v] && inc <= p.rx[v] && counts[v * n + v] == 0
        }
    }

    /// Six nodes, four pooled ports each, no packet fabric, demand between
    /// every pair with one heavy pair: a diameter-two design exists (the
    /// Kautz digraph on six nodes has out- and in-degree two), but the
    /// 1-hop greedy spends ports on the heavy pair and patching its
    /// circuits leaves pairs unjoined.
    static func kautzSized() -> LinkPoolInstance {
        var rows = [[Double]](repeating: [Double](repeating: 10e9, count: 6), count: 6)
        for i in 0..<6 { rows[i][i] = 0 }
        rows[0][1] = 900e9
        rows[2][3] = 500e9
        return LinkPoolInstance(fabric: LinkPoolFabric(nodes: 6, ports: 4, circuitRate: 400e9, packetRate: 0),
                                demand: Matrix(rows), maxHops: 2)
    }

    @Test func coverJoinsEveryPairWherePatchingTheOneHopGreedyDoesNot() throws {
        let instance = Self.kautzSized()
        let p = try LinkPoolProblem(instance)
        // The path without the design: the 1-hop greedy, its pairs patched, free ports filled.
        var patched = GreedyState(p, counts: try p.greedyAllocation().counts)
        p.coverPairs(&patched)
        p.fillFreePorts(&patched)
        #expect(Self.unjoined(p, patched.counts) > 0)
        #expect(try p.routedAllocation(patched.counts, solver: GLPKSolver()).objective == 0)

        let design = try #require(p.twoHopCover(deadline: .now + .seconds(2)))
        #expect(design.unjoined == 0)
        #expect(Self.unjoined(p, design.counts) == 0)
        #expect(Self.withinPorts(p, design.counts))

        // The greedy plan now has λ > 0, routes feasibly and stays below the exact optimum.
        let greedy = try LinkPoolPlanner.plan(instance, method: .greedy, options: options)
        let lambda = try #require(greedy.metrics.lambda)
        #expect(lambda > 0)
        #expect(LinkPoolPlanner.routingViolation(greedy, instance) == nil)
        let exact = try LinkPoolPlanner.plan(instance, method: .ilp, options: options)
        #expect(greedy.metrics.objective <= exact.metrics.objective * (1 + 1e-7))
        #expect(LinkPoolPlanner.routingViolation(exact, instance) == nil)
    }

    /// Seeded fabrics of 6–12 nodes, 3–8 pooled ports, some with transmitter
    /// caps and packet ports on a few nodes: the design keeps the limits,
    /// uses one circuit per pair, and its unjoined count is the true one.
    @Test(arguments: UInt64(1)...12)
    func designKeepsThePortsAndCountsExactly(seed: UInt64) throws {
        var rng = LinkPoolRNG(seed: seed &* 104_729)
        let n = 6 + Int(seed % 7)
        let ports = (0..<n).map { _ in 3 + Int(rng.next() % 6) }
        var fabric = LinkPoolFabric(nodes: n, opticalPorts: ports, circuitRate: 400e9,
                                    packetRate: (0..<n).map { $0 % 5 == 0 ? 100e9 : 0 })
        if seed % 3 == 0 { fabric.tx = ports.map { max(1, $0 / 2) } }
        var rows = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n { for j in 0..<n where i != j && rng.next() % 3 != 0 { rows[i][j] = Double(1 + rng.next() % 50) * 1e9 } }
        rows[0][1] = 50e9
        let p = try LinkPoolProblem(LinkPoolInstance(fabric: fabric, demand: Matrix(rows), maxHops: 2))
        let design = try #require(p.twoHopCover(deadline: .now + .milliseconds(200), seed: seed))
        #expect(Self.withinPorts(p, design.counts))
        #expect(design.counts.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(design.unjoined == Self.unjoined(p, design.counts))
    }
}
