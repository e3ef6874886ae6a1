import Testing
import OptoModel
import OptoGLPK

/// `SolverOptions.integerPresolve`: GLPK's MIP presolver before branch and
/// bound, used only when no warm start is given.
@Suite("GLPK MIP presolver option")
struct IntegerPresolveTests {
    @Test("knapsacks reach the same optimum with and without the MIP presolver", arguments: 0..<8)
    func sameOptimum(seed: Int) throws {
        let v = try ConformanceCase.hardKnapsack(items: 14, dimensions: 3, seed: UInt64(seed)).validated()
        let plain = try GLPKSolver().solve(v, options: SolverOptions())
        var o = SolverOptions()
        o.integerPresolve = true
        let presolved = try GLPKSolver().solve(v, options: o)
        #expect(plain.termination == .optimal && presolved.termination == .optimal)
        let z = try #require(plain.objectiveValue), zp = try #require(presolved.objectiveValue)
        #expect(abs(z - zp) <= 1e-9 * max(1, abs(z)))
        #expect(abs((presolved.bestBound ?? .nan) - zp) <= 1e-9 * max(1, abs(zp)))
        #expect(v.infeasibility(of: presolved.values) == nil)
    }

    @Test("an integer model whose relaxation is feasible but the presolver proves infeasible is infeasible")
    func presolverProvesInfeasible() throws {
        // 2x = 1 with x integer: the relaxation has x = 0.5; the presolver
        // fixes x at 0.5 and finds it fractional.
        let m = Model()
        let x = m.addVariable(.integer, lowerBound: 0, upperBound: 3)
        let y = m.addVariable(lowerBound: 0, upperBound: 1)
        m.addConstraint(2 * x, .equalTo(1))
        m.addConstraint(x + y, .lessThanOrEqual(4))
        m.setObjective(x + y, .maximize)
        var o = SolverOptions()
        o.integerPresolve = true
        let r = try GLPKSolver().solve(m, options: o)
        #expect(r.termination == .infeasible)
        #expect(r.primalStatus == .noSolution)
        #expect(r.message.contains("MIP presolver"))   // decided by the presolver, not by branching
        #expect(try GLPKSolver().solve(m, options: SolverOptions()).termination == .infeasible)
    }

    @Test("with a warm start the presolver is not used and the start is handed over")
    func warmStartKeepsOriginalColumns() throws {
        let v = try ConformanceCase.hardKnapsack(items: 40, dimensions: 5, seed: 3).validated()
        let greedy = greedyKnapsack(v)
        let start = Dictionary(uniqueKeysWithValues: greedy.enumerated().map { (v.variable($0.offset), $0.element) })
        var o = SolverOptions(timeLimit: 0.3, warmStart: start)
        o.integerPresolve = true
        let r = try GLPKSolver().solve(v, options: o)
        #expect(r.warmStart == .accepted)
        #expect(try #require(r.objectiveValue) >= v.objectiveValue(greedy) - 1e-9)
    }
}
