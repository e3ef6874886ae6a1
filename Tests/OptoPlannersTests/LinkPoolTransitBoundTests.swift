import Foundation
import Testing
import OptoCore
import OptoGLPK
@testable import OptoPlanners

/// The counting proof that λ = 0 with transit (LinkPoolPlanner+TransitBounds)
/// and the strengthened transit test, the cut rows of its relaxation and the rounding of it, held to brute force over every
/// circuit matrix.
@Suite("LinkPool transit bounds")
struct LinkPoolTransitBoundTests {
    let options = PlanningOptions(timeLimit: 20, solver: GLPKSolver())

    static func dense(nodes: Int, ports: [Int], packet: [Double], seed: UInt64) -> LinkPoolInstance {
        var rng = LinkPoolRNG(seed: seed)
        var demand = Matrix(size: nodes)
        for i in 0..<nodes { for j in 0..<nodes where i != j { demand[i, j] = Double(Int.random(in: 10...300, using: &rng)) * 1e9 } }
        return LinkPoolInstance(fabric: LinkPoolFabric(nodes: nodes, opticalPorts: ports, circuitRate: 400e9, packetRate: packet),
                                demand: demand, maxHops: 2)
    }

    /// Four nodes with two ports each, no packet fabric, demand on all 12
    /// pairs: each node joins at most (1 + 1)/2 + 1·1 = 2 pairs, 8 < 12, so
    /// λ = 0 is proven at once, with no circuits; brute force agrees.
    @Test func degreeForcesLambdaZero() throws {
        let instance = Self.dense(nodes: 4, ports: [2, 2, 2, 2], packet: [0, 0, 0, 0], seed: 3)
        let problem = try LinkPoolProblem(instance)
        #expect(problem.transitReach() == (needed: 12, reachable: 8))
        let plan = try LinkPoolPlanner.plan(instance, method: .ilp, options: options)
        #expect(plan.status == .optimal)
        #expect(plan.metrics.objective == 0)
        #expect(plan.circuits.isEmpty)
        #expect(plan.notes?.contains { $0.hasPrefix("λ = 0 is optimal") } == true)
        #expect(try problem.bruteForce(solver: GLPKSolver())?.objective == 0)
    }

    /// The ring 0→1→2→0 joins all six pairs of three nodes within two
    /// circuits: the bound (2 per node, 6) equals the need and must not
    /// fire; the optimum is positive.
    @Test func tightCountDoesNotFire() throws {
        let instance = Self.dense(nodes: 3, ports: [2, 2, 2], packet: [0, 0, 0], seed: 5)
        let problem = try LinkPoolProblem(instance)
        #expect(problem.transitReach() == (needed: 6, reachable: 6))
        #expect(problem.transitZeroLambdaReason() == nil)
        let plan = try LinkPoolPlanner.plan(instance, method: .ilp, options: options)
        let brute = try #require(try problem.bruteForce(solver: GLPKSolver()))
        #expect(brute.objective > 0)
        #expect(plan.status == .optimal)
        #expect(close(plan.metrics.objective, brute.objective, relative: 1e-6))
    }

    /// Seeded small fabrics with few ports and some packet ports: wherever
    /// the count fires, brute force finds nothing above λ = 0; where it does
    /// not, the planner still equals brute force. It fires on some of them.
    @Test func countingAgreesWithBruteForce() throws {
        var fired = 0, quiet = 0, checkedCuts = 0
        for seed in UInt64(1)...16 {
            var rng = LinkPoolRNG(seed: seed &* 104_729)
            let nodes = 3 + Int(seed % 2)
            let ports = (0..<nodes).map { _ in Int.random(in: 1...3, using: &rng) }
            let packet = (0..<nodes).map { _ in Int.random(in: 0..<3, using: &rng) == 0 ? 25e9 : 0 }
            var instance = Self.dense(nodes: nodes, ports: ports, packet: packet, seed: seed)
            if seed % 3 == 0 { instance.fabric.tx = ports.map { max(0, $0 - 1) } }
            let problem = try LinkPoolProblem(instance)
            let brute = try #require(try problem.bruteForce(solver: GLPKSolver()), "seed \(seed): no brute-force answer")
            let plan = try LinkPoolPlanner.plan(instance, method: .ilp, options: options)
            #expect(plan.status == .optimal, "seed \(seed): \(plan.notes ?? [])")
            if problem.transitZeroLambdaReason() != nil {
                fired += 1
                #expect(brute.objective == 0, "seed \(seed): the count fired but brute force reaches \(brute.objective)")
                #expect(plan.metrics.objective == 0)
            } else {
                quiet += 1
                #expect(close(plan.metrics.objective, brute.objective, relative: 1e-6),
                        "seed \(seed): ilp \(plan.metrics.objective), brute force \(brute.objective)")
                // The relaxation with the cut rows never excludes a positive optimum (a fixed-λ
                // model is posed for λ > 0 only), and its roundings keep the port limits.
                guard brute.objective > 0 else { continue }
                checkedCuts += 1
                var x: [Double]?
                #expect(problem.transitRelaxationAllows(brute.objective * (1 - 1e-7), symmetric: false, solver: GLPKSolver(),
                                                        timeLimit: 5, fractional: &x) == true, "seed \(seed)")
                if let x {
                    for evicting in [true, false] {
                        if let c = problem.roundedCircuits(x, evicting: evicting) { #expect(problem.violation(c) == nil, "seed \(seed)") }
                    }
                }
            }
        }
        #expect(fired >= 3 && quiet >= 3, "fired \(fired), quiet \(quiet)")
        #expect(checkedCuts >= 1)
    }
}
