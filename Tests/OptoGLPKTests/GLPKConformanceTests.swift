import Testing
import OptoModel
import OptoGLPK

@Suite("GLPK conformance")
struct GLPKConformanceTests {
    @Test("every conformance case passes", arguments: ConformanceSuite.cases.map(\.name))
    func conformance(_ name: String) throws {
        let c = try #require(ConformanceSuite.cases.first { $0.name == name })
        let failures = c.run(GLPKSolver())
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("every conformance case passes without presolve", arguments: ConformanceSuite.cases.map(\.name).filter { $0 != "milpTimeLimited" })
    func conformanceWithoutPresolve(_ name: String) throws {
        let c = try #require(ConformanceSuite.cases.first { $0.name == name })
        let (model, options) = c.makeModel()
        var o = options
        o.presolve = false
        let v = try model.validated()
        let failures = c.check(try GLPKSolver().solve(v, options: o), v, o)
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("every conformance case passes with the dual simplex, with and without presolve",
          arguments: ConformanceSuite.cases.map(\.name).filter { $0 != "milpTimeLimited" }, [true, false])
    func conformanceWithTheDualSimplex(_ name: String, presolve: Bool) throws {
        let c = try #require(ConformanceSuite.cases.first { $0.name == name })
        let (model, options) = c.makeModel()
        var o = options
        o.dualSimplex = true
        o.presolve = presolve
        let v = try model.validated()
        let failures = c.check(try GLPKSolver().solve(v, options: o), v, o)
        #expect(failures.isEmpty, "\(failures)")
    }
}
