import Testing
import OptoModel
@testable import OptoGLPK

@Suite("GLPK backend basics")
struct GLPKBasicTests {
    @Test("a small LP solves to its known optimum")
    func smallLP() throws {
        // max 3x + 2y  s.t. x + y ≤ 4, x + 3y ≤ 6, x ≤ 3  →  x = 3, y = 1, z = 11
        let m = Model()
        let x = m.addVariable(upperBound: 3), y = m.addVariable()
        m.addConstraint(x + y, .lessThanOrEqual(4))
        m.addConstraint(x + 3 * y, .lessThanOrEqual(6))
        m.setObjective(3 * x + 2 * y, .maximize)
        let r = try GLPKSolver().solve(m)
        #expect(r.termination == .optimal)
        #expect(r.primalStatus == .feasible)
        #expect(abs((r.objectiveValue ?? .nan) - 11) < 1e-7)
        #expect(abs(r.value(x) - 3) < 1e-7 && abs(r.value(y) - 1) < 1e-7)
        #expect(abs(r.value(3 * x + 2 * y) - 11) < 1e-7)
    }

    @Test("a knapsack MILP solves to its known optimum")
    func knapsack() throws {
        // weights 3 4 5, values 4 5 6, capacity 7 → take items 0, 1: value 9
        let m = Model()
        let x = (0..<3).map { m.addVariable(.binary, name: "x\($0)") }
        m.addConstraint(.weightedSum([3, 4, 5], x), .lessThanOrEqual(7))
        m.setObjective(.weightedSum([4, 5, 6], x), .maximize)
        let r = try GLPKSolver().solve(m)
        #expect(r.termination == .optimal)
        #expect(abs((r.objectiveValue ?? .nan) - 9) < 1e-7)
        #expect(abs(r.value(x[0]) - 1) < 1e-9 && abs(r.value(x[1]) - 1) < 1e-9 && abs(r.value(x[2])) < 1e-9)
    }

    @Test("GLPK keeps one environment per thread on this build")
    func tls() {
        #expect(GLPKSolver.threadLocalEnvironment)
        #expect(GLPKSolver.version.hasPrefix("5"))
    }
}
