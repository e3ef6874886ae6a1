import Foundation
import Testing
import OptoCore
import OptoGLPK
@testable import OptoPlanners

/// The seed white paper's example, through the public entry point: the
/// four figures of PROBLEMS.md §2, exactly (1e-9 relative).
@Suite("LinkPool reference case")
struct LinkPoolReferenceTests {
    let options = PlanningOptions(timeLimit: 10, solver: GLPKSolver())

    @Test func symmetricCarries500And62point5At56point25Percent() throws {
        let plan = try LinkPoolPlanner.plan(referenceInstance(), method: .symmetric, options: options)
        #expect(plan.status == .optimal)
        #expect(plan.circuits.sorted() == [Circuit(0, 1), Circuit(1, 0)])
        #expect(close(plan.carried[0][1], 500e9, relative: 1e-9))
        #expect(close(plan.carried[1][0], 62.5e9, relative: 1e-9))
        #expect(close(try #require(plan.metrics.utilisation), 0.5625, relative: 1e-9))
        #expect(close(try #require(plan.metrics.lambda), 62.5, relative: 1e-9))
    }

    @Test func optimumCarries800And100At90Percent() throws {
        let plan = try LinkPoolPlanner.plan(referenceInstance(), method: .ilp, options: options)
        #expect(plan.status == .optimal)
        #expect(plan.method == "ilp")
        #expect(plan.circuits == [Circuit(0, 1), Circuit(0, 1)])
        #expect(close(plan.carried[0][1], 800e9, relative: 1e-9))
        #expect(close(plan.carried[1][0], 100e9, relative: 1e-9))
        #expect(close(try #require(plan.metrics.utilisation), 0.9, relative: 1e-9))
        #expect(close(try #require(plan.metrics.carried), 900e9, relative: 1e-9))
        #expect(close(try #require(plan.metrics.gap), 0))
        // The electrical fabric carries only the pull direction.
        #expect(close(plan.electrical[1][0], 100e9, relative: 1e-9))
        #expect(plan.electrical[0][1] == 0)
    }

    @Test func asymmetryBuys1point6x() throws {
        let sym = try LinkPoolPlanner.plan(referenceInstance(), method: .symmetric, options: options)
        let opt = try LinkPoolPlanner.plan(referenceInstance(), method: .ilp, options: options)
        let ratio = try #require(opt.metrics.carried) / #require(sym.metrics.carried)
        #expect(close(ratio, 1.6, relative: 1e-9))
    }

    @Test func greedyAndAutoFindTheOptimum() throws {
        for method in [LinkPoolMethod.greedy, .auto] {
            let plan = try LinkPoolPlanner.plan(referenceInstance(), method: method, options: options)
            #expect(plan.circuits == [Circuit(0, 1), Circuit(0, 1)], "\(method)")
            #expect(close(plan.carried[0][1], 800e9, relative: 1e-9))
            #expect(close(try #require(plan.metrics.utilisation), 0.9, relative: 1e-9))
        }
    }

    @Test func datasetFileReproducesTheFigures() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("datasets/linkpool/two-racks-8to1.json")
        guard case .linkpool(let instance) = try InstanceReader.read(contentsOf: url).instance else {
            Issue.record("not a link-pool instance")
            return
        }
        let sym = try LinkPoolPlanner.plan(instance, method: .symmetric, options: options)
        let opt = try LinkPoolPlanner.plan(instance, method: .ilp, options: options)
        #expect(close(sym.carried[0][1], 500e9, relative: 1e-9) && close(sym.carried[1][0], 62.5e9, relative: 1e-9))
        #expect(close(opt.carried[0][1], 800e9, relative: 1e-9) && close(opt.carried[1][0], 100e9, relative: 1e-9))
        #expect(close(try #require(sym.metrics.utilisation), 0.5625, relative: 1e-9))
        #expect(close(try #require(opt.metrics.utilisation), 0.9, relative: 1e-9))
    }
}
