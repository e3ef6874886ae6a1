import Testing
import OptoModel
@testable import OptoGLPK

@Suite("GLPK backend statuses")
struct GLPKStatusTests {
    static let presolveSettings = [true, false]

    @Test("an infeasible LP is infeasible, with and without presolve", arguments: presolveSettings)
    func infeasibleLP(presolve: Bool) throws {
        let m = Model()
        let x = m.addVariable()
        m.addConstraint(LinearExpression(x), .greaterThanOrEqual(2))
        m.addConstraint(LinearExpression(x), .lessThanOrEqual(1))
        let r = try GLPKSolver().solve(m, options: SolverOptions(presolve: presolve))
        #expect(r.termination == .infeasible)
        #expect(r.primalStatus == .noSolution)
        #expect(r.value(x).isNaN)
    }

    @Test("an unbounded LP is unbounded, with and without presolve", arguments: presolveSettings)
    func unboundedLP(presolve: Bool) throws {
        let m = Model()
        let x = m.addVariable(), y = m.addVariable()
        m.addConstraint(x - y, .lessThanOrEqual(1))
        m.setObjective(x + y, .maximize)
        let r = try GLPKSolver().solve(m, options: SolverOptions(presolve: presolve))
        #expect(r.termination == .unbounded)
    }

    @Test("a model without constraints solves (bounds only)", arguments: presolveSettings)
    func noRows(presolve: Bool) throws {
        let m = Model()
        let x = m.addVariable(.integer, lowerBound: -3, upperBound: 7.5)
        m.setObjective(2 * x + 1, .maximize)
        let r = try GLPKSolver().solve(m, options: SolverOptions(presolve: presolve))
        #expect(r.termination == .optimal)
        #expect(abs((r.objectiveValue ?? .nan) - 15) < 1e-9)
    }

    @Test("a model without variables is decided without GLPK")
    func noColumns() throws {
        let m = Model()
        m.setObjective(LinearExpression(4), .minimize)
        let r = try GLPKSolver().solve(m)
        #expect(r.termination == .optimal && abs((r.objectiveValue ?? .nan) - 4) < 1e-12)
        m.addConstraint(LinearExpression(1), .lessThanOrEqual(0))
        #expect(try GLPKSolver().solve(m).termination == .infeasible)
    }

    @Test("an integer variable with no integer in its bounds makes the model infeasible")
    func emptyIntegerDomain() throws {
        let m = Model()
        let x = m.addVariable(.integer, lowerBound: 0.2, upperBound: 0.8)
        m.setObjective(LinearExpression(x), .minimize)
        #expect(try GLPKSolver().solve(m).termination == .infeasible)
    }

    @Test("the objective constant is included in objective and bound")
    func objectiveConstant() throws {
        let m = Model()
        let x = m.addVariable(.integer, upperBound: 3.5)
        m.addConstraint(2 * x, .lessThanOrEqual(5))
        m.setObjective(x + 100, .maximize)
        let r = try GLPKSolver().solve(m)
        #expect(r.termination == .optimal)
        #expect(abs((r.objectiveValue ?? .nan) - 102) < 1e-9)
        #expect(abs((r.bestBound ?? .nan) - 102) < 1e-9)
    }
}

@Suite("GLPK time limits")
struct GLPKTimeLimitTests {
    @Test("a time limit hit before any incumbent: timeLimit, no solution, a bound, never optimal")
    func timeLimitWithoutIncumbent() throws {
        // Jeroslow: Σ 2xᵢ = 41 over binaries has no integer solution, every
        // relaxation is feasible, and branch and bound needs ~2^20 nodes.
        let m = Model()
        let x = m.addVariables(41, .binary)
        m.addConstraint(2 * LinearExpression.sum(x), .equalTo(41))
        m.setObjective(.sum(x), .maximize)
        let r = try GLPKSolver().solve(m, options: SolverOptions(timeLimit: 0.3))
        #expect(r.termination == .timeLimit)
        #expect(r.primalStatus == .noSolution)
        #expect(r.objectiveValue == nil && r.relativeGap == nil)
        #expect(r.bestBound != nil)
        #expect(r.solveSeconds < 3)
    }
}

@Suite("GLPK LP time limit")
struct GLPKLPTimeLimitTests {
    @Test("an LP stopped by its time limit is timeLimit, never optimal, and any point it returns is feasible")
    func lpTimeLimit() throws {
        // A dense random LP large enough that the simplex needs far more than 10 ms.
        var state: UInt64 = 5
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let m = Model()
        let x = m.addVariables(400, upperBound: 10)
        for _ in 0..<300 {
            m.addConstraint(.weightedSum((0..<400).map { _ in next() }, x), .lessThanOrEqual(50 + 50 * next()))
        }
        m.setObjective(.weightedSum((0..<400).map { _ in next() }, x), .maximize)
        let r = try GLPKSolver().solve(m, options: SolverOptions(timeLimit: 0.01, presolve: false))
        #expect(r.termination == .timeLimit)
        #expect(r.solveSeconds < 2)
        if r.hasSolution { #expect(try m.validated().infeasibility(of: r.values) == nil) }
        let full = try GLPKSolver().solve(m)
        #expect(full.termination == .optimal)
    }
}
