import Foundation
import Testing
import OptoCore
import OptoGLPK
@testable import OptoPlanners

/// The exact model against brute force over every circuit matrix, and the
/// heuristic and the baseline against the exact model, on small seeded
/// instances (N ≤ 4, at most 3 ports per node).
@Suite("LinkPool exact model")
struct LinkPoolExactTests {
    let options = PlanningOptions(timeLimit: 20, solver: GLPKSolver())

    /// 16 seeds × 2 objectives × 4 variants (plain, tx/rx caps, current + budget, both).
    static let cases: [(seed: UInt64, objective: LinkPoolObjective, caps: Bool, current: Bool)] = {
        var out: [(UInt64, LinkPoolObjective, Bool, Bool)] = []
        for seed in UInt64(1)...16 {
            for objective in LinkPoolObjective.allCases {
                out.append((seed, objective, seed % 4 == 1 || seed % 4 == 3, seed % 4 >= 2))
            }
        }
        return out
    }()

    @Test(arguments: 0..<cases.count)
    func ilpEqualsBruteForce(_ index: Int) throws {
        let c = Self.cases[index]
        let nodes = 2 + Int(c.seed % 3)
        let instance = smallInstance(seed: c.seed, nodes: nodes, maxPorts: nodes == 4 ? 2 : 3, objective: c.objective,
                                     caps: c.caps, current: c.current)
        let problem = try LinkPoolProblem(instance)
        let oracle = try problem.bruteForce()
        let ilp = try LinkPoolPlanner.plan(instance, method: .ilp, options: options)
        guard let best = oracle else {
            #expect(ilp.status == .infeasible)
            return
        }
        #expect(ilp.status == .optimal)
        #expect(close(ilp.metrics.objective, best.objective), "ilp \(ilp.metrics.objective) vs brute force \(best.objective)")
        #expect(ilp.circuits.count == best.counts.reduce(0, +), "fewest circuits: ilp \(ilp.circuits.count), brute force \(best.counts.reduce(0, +))")
        #expect(problem.violation(counts(ilp, nodes: nodes)) == nil)

        // The symmetric baseline: exact for its own problem, never better than the optimum.
        let symOracle = try problem.bruteForce(symmetric: true)
        let sym = try LinkPoolPlanner.plan(instance, method: .symmetric, options: options)
        if let s = symOracle {
            #expect(sym.status == .optimal)
            #expect(close(sym.metrics.objective, s.objective))
            #expect(sym.circuits.count == s.counts.reduce(0, +))
            #expect(sym.metrics.objective <= ilp.metrics.objective * (1 + 1e-9) + 1e-9)
            let m = sym.circuits.countMatrix(nodes: nodes)
            for i in 0..<nodes { for j in 0..<nodes { #expect(m[i, j] == m[j, i]) } }
        } else {
            #expect(sym.status == .infeasible)
        }

        // Greedy: feasible and never better than the optimum.
        if let g = try? LinkPoolPlanner.plan(instance, method: .greedy, options: options) {
            #expect(g.status == .heuristic)
            #expect(problem.violation(counts(g, nodes: nodes)) == nil)
            #expect(g.metrics.objective <= best.objective * (1 + 1e-9) + 1e-9)
        } else {
            // Greedy gives up only when repairing the current allocation breaks the budget.
            #expect(c.current)
        }
    }

    @Test func greedyIsAValidWarmStart() throws {
        for seed in UInt64(100)..<110 {
            let instance = smallInstance(seed: seed, nodes: 4, maxPorts: 3, objective: seed % 2 == 0 ? .concurrent : .throughput,
                                         caps: seed % 3 == 0, current: seed % 4 == 0)
            let problem = try LinkPoolProblem(instance)
            guard let g = try? problem.greedyAllocation() else { continue }
            let f = LinkPoolFormulation(problem, symmetric: false)
            let start = try #require(f.warmStart(g))
            let validated = try f.model.validated()
            let dense = try validated.denseAssignment(start).get()
            #expect(validated.infeasibility(of: dense) == nil, "seed \(seed)")
        }
    }

    @Test func maxChangesIsHonoured() throws {
        // Today: two circuits 1→0, the wrong way for push-heavy traffic.
        var instance = referenceInstance()
        instance.current = [Circuit(1, 0), Circuit(1, 0)]
        for budget in 0...4 {
            instance.maxChanges = budget
            let problem = try LinkPoolProblem(instance)
            for method in [LinkPoolMethod.ilp, .greedy] {
                let plan = try LinkPoolPlanner.plan(instance, method: method, options: options)
                let changed = try #require(plan.metrics.circuitsChanged)
                #expect(changed <= budget, "\(method) budget \(budget)")
                #expect(problem.violation(counts(plan, nodes: 2)) == nil)
            }
            let ilp = try LinkPoolPlanner.plan(instance, method: .ilp, options: options)
            let best = try #require(try problem.bruteForce())
            #expect(close(ilp.metrics.objective, best.objective))
            if budget >= 4 { #expect(ilp.circuits == [Circuit(0, 1), Circuit(0, 1)]) }
            if budget == 0 { #expect(ilp.circuits == [Circuit(1, 0), Circuit(1, 0)]) }
        }
    }

    @Test func txRxCapsAreHonoured() throws {
        // Node 0 may transmit on one port only, so push gets one circuit.
        var instance = referenceInstance()
        instance.fabric.tx = [1, 2]
        let plan = try LinkPoolPlanner.plan(instance, method: .ilp, options: options)
        #expect(plan.circuits.filter { $0.from == 0 }.count <= 1)
        let problem = try LinkPoolProblem(instance)
        #expect(close(plan.metrics.objective, try #require(try problem.bruteForce()).objective))
        // With no receivers at node 1 nothing can go optical 0→1.
        instance.fabric.tx = nil
        instance.fabric.rx = [2, 0]
        let plan2 = try LinkPoolPlanner.plan(instance, method: .ilp, options: options)
        #expect(!plan2.circuits.contains(Circuit(0, 1)))
        let g = try LinkPoolPlanner.plan(instance, method: .greedy, options: options)
        #expect(!g.circuits.contains(Circuit(0, 1)))
    }

    @Test func fewestCircuitsAmongEquallyGoodAllocations() throws {
        // 500 Gb/s of demand: one 400 Gb/s circuit plus 100 Gb/s electrical
        // carries it all, so a second circuit would carry nothing.
        let instance = LinkPoolInstance(fabric: LinkPoolFabric(nodes: 2, ports: 4, circuitRate: 400e9, packetRate: 100e9),
                                        demand: Matrix([[0, 500e9], [0, 0]]), objective: .throughput)
        for method in [LinkPoolMethod.ilp, .greedy] {
            let plan = try LinkPoolPlanner.plan(instance, method: method, options: options)
            #expect(plan.circuits == [Circuit(0, 1)], "\(method)")
            #expect(close(try #require(plan.metrics.carried), 500e9))
            #expect(close(try #require(plan.metrics.utilisation), 500.0 / 600.0))
        }
    }

    @Test func mathProgModelReachesTheSameOptimum() throws {
        let glpsol = ["/usr/bin/glpsol", "/usr/local/bin/glpsol"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let mod = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models/linkpool.mod")
        try #require(glpsol != nil, "glpsol (glpk-utils) is needed for this test")
        for (seed, objective, symmetric) in [(UInt64(3), LinkPoolObjective.concurrent, false), (7, .throughput, false),
                                             (11, .concurrent, true), (2, .concurrent, false), (6, .throughput, true)] {
            let instance = smallInstance(seed: seed, nodes: 4, maxPorts: 3, objective: objective, current: seed % 2 == 0)
            let problem = try LinkPoolProblem(instance)
            let dat = FileManager.default.temporaryDirectory.appendingPathComponent("linkpool-\(seed)-\(UUID().uuidString).dat")
            let data = problem.mathProgData(symmetric: symmetric)
            defer { try? FileManager.default.removeItem(at: dat) }
            func glpsolOutput(_ extra: String) throws -> String {
                try data.replacingOccurrences(of: "end;\n", with: extra + "end;\n").write(to: dat, atomically: true, encoding: .utf8)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: glpsol!)
                process.arguments = ["-m", mod.path, "-d", dat.path]
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = Pipe()
                try process.run()
                let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "\(output)")
                return output
            }
            let output = try glpsolOutput("")
            let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("OBJECTIVE ") })
            var value = try #require(Double(line.dropFirst("OBJECTIVE ".count)))
            if objective == .throughput { value *= 1e9 }  // the data is in Gb/s
            let plan = try LinkPoolPlanner.plan(instance, method: symmetric ? .symmetric : .ilp, options: options)
            #expect(close(value, plan.metrics.objective), "seed \(seed): glpsol \(value), planner \(plan.metrics.objective)")
            guard objective == .concurrent else { continue }
            // The fixed-λ model (stage 2): the planner's circuits at its λ, and nothing above it.
            let lambda = plan.metrics.objective
            let fewest = try glpsolOutput("param stage := 2;\nparam target := \(lambda * (1 - 1e-9));\n")
            let count = try #require(fewest.split(separator: "\n").first { $0.hasPrefix("CIRCUITS ") })
            #expect(Int(count.dropFirst("CIRCUITS ".count)) == plan.circuits.count, "seed \(seed): \(fewest)")
            let above = try glpsolOutput("param stage := 2;\nparam test := 1;\nparam target := \(lambda * (1 + 1e-6) + 1e-9);\n")
            #expect(!above.contains("OBJECTIVE "), "seed \(seed): λ above the optimum is infeasible\n\(above)")
        }
    }

    @Test func infeasibleWhenTheBudgetCannotRepairTheCurrentAllocation() throws {
        // Node 1 has one port but today holds two circuits; no change is allowed.
        var instance = referenceInstance()
        instance.fabric.opticalPorts = [2, 1]
        instance.current = [Circuit(0, 1), Circuit(0, 1)]
        instance.maxChanges = 0
        let plan = try LinkPoolPlanner.plan(instance, method: .ilp, options: options)
        #expect(plan.status == .infeasible)
        #expect(plan.circuits.isEmpty)
        #expect(try LinkPoolProblem(instance).bruteForce() == nil)
        #expect(throws: LinkPoolError.self) { try LinkPoolPlanner.plan(instance, method: .greedy) }
        // One change (removing a circuit) makes it feasible.
        instance.maxChanges = 1
        let repaired = try LinkPoolPlanner.plan(instance, method: .ilp, options: options)
        #expect(repaired.status == .optimal)
        #expect(repaired.circuits == [Circuit(0, 1)])
        let greedy = try LinkPoolPlanner.plan(instance, method: .greedy, options: options)
        #expect(greedy.circuits == [Circuit(0, 1)])
    }

    @Test func badInstancesAreTypedErrors() throws {
        var bad = referenceInstance()
        bad.fabric.packetRate = [100e9]
        #expect(throws: LinkPoolError.self) { try LinkPoolPlanner.plan(bad, method: .greedy) }
        var zero = referenceInstance()
        zero.demand = Matrix(size: 2)
        #expect(throws: LinkPoolError.unboundedLambda) { try LinkPoolPlanner.plan(zero, method: .greedy) }
        var loop = referenceInstance()
        loop.current = [Circuit(1, 1)]
        #expect(throws: LinkPoolError.self) { try LinkPoolPlanner.plan(loop, method: .greedy) }
        #expect(throws: PlanningError.noSolver) { try LinkPoolPlanner.plan(referenceInstance(), method: .ilp) }
        // Throughput with no demand is fine: nothing to carry, no circuits.
        zero.objective = .throughput
        let plan = try LinkPoolPlanner.plan(zero, method: .ilp, options: options)
        #expect(plan.circuits.isEmpty)
        #expect(plan.status == .optimal)
    }
}
