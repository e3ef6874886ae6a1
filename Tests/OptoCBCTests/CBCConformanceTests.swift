import Testing
import OptoModel
import OptoCBC

/// Cases of the shared suite that do not apply to CBC, each with its reason.
/// (Empty: CBC passes every case.)
let cbcExclusions: [String: String] = [:]

/// These tests run where libCbcSolver is installed (CI installs
/// coinor-libcbc-dev); elsewhere they are skipped and
/// `CBCAvailabilityTests` checks the backend says why.
@Suite("CBC conformance", .enabled(if: CBCSolver.isAvailable, "libCbcSolver is not installed"))
struct CBCConformanceTests {
    @Test("every conformance case passes", arguments: ConformanceSuite.cases.map(\.name).filter { cbcExclusions[$0] == nil })
    func conformance(_ name: String) throws {
        let c = try #require(ConformanceSuite.cases.first { $0.name == name })
        let failures = c.run(CBCSolver())
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("every conformance case passes without presolve",
          arguments: ConformanceSuite.cases.map(\.name).filter { cbcExclusions[$0] == nil && $0 != "milpTimeLimited" })
    func conformanceWithoutPresolve(_ name: String) throws {
        let c = try #require(ConformanceSuite.cases.first { $0.name == name })
        let (model, options) = c.makeModel()
        var o = options
        o.presolve = false
        let v = try model.validated()
        let failures = c.check(try CBCSolver().solve(v, options: o), v, o)
        #expect(failures.isEmpty, "\(failures)")
    }
}
