import Testing
@testable import OptoModel

/// Wraps a backend and corrupts its answers in one way, to check that the
/// conformance suite notices.
struct CorruptingSolver: Solver {
    enum Fault: String, CaseIterable, Sendable {
        case objectiveOffByOne, infeasibleCalledUnbounded, timeLimitCalledOptimal, zeroGap, valuesDropped, boundPastIncumbent
    }
    let base: EnumerationSolver
    let fault: Fault
    var name: String { "corrupt-\(fault)" }

    func solve(_ m: ValidatedModel, options: SolverOptions) throws -> SolveResult {
        var r = try base.solve(m, options: options)
        switch fault {
        case .objectiveOffByOne:
            if let z = r.objectiveValue { r.objectiveValue = z + 1 }
        case .infeasibleCalledUnbounded:
            if r.termination == .infeasible { r.termination = .unbounded }
        case .timeLimitCalledOptimal:
            if r.termination == .timeLimit { r.termination = .optimal }
        case .zeroGap:
            if r.termination == .timeLimit { r.relativeGap = 0; r.bestBound = r.objectiveValue }
        case .valuesDropped:
            r = SolveResult(model: r.model, termination: r.termination, primalStatus: r.primalStatus, objectiveValue: r.objectiveValue,
                            bestBound: r.bestBound, relativeGap: r.relativeGap, nodeCount: r.nodeCount,
                            solveSeconds: r.solveSeconds, values: r.values.isEmpty ? [] : Array(repeating: 0.5, count: r.values.count))
        case .boundPastIncumbent:
            if let z = r.objectiveValue, r.termination == .timeLimit {
                r.bestBound = m.sense == .maximize ? z - 1 : z + 1
                r.relativeGap = SolveResult.gap(objective: z, bound: r.bestBound!)
            }
        }
        return r
    }
}

@Suite("Conformance suite")
struct ConformanceSuiteTests {
    @Test("the brute-force mock backend passes every case", arguments: ConformanceSuite.caseNames)
    func mockPasses(_ name: String) throws {
        let c = try #require(ConformanceSuite.cases.first { $0.name == name })
        let failures = c.run(EnumerationSolver())
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("the suite fails a backend that corrupts its answers", arguments: CorruptingSolver.Fault.allCases)
    func corruptedBackendFails(_ fault: CorruptingSolver.Fault) {
        // Faults that only touch time-limited results need the (1 s) hard case; the others do not.
        let timeFaults: [CorruptingSolver.Fault] = [.timeLimitCalledOptimal, .zeroGap, .boundPastIncumbent]
        let skip = timeFaults.contains(fault) ? [:] : ["milpTimeLimited": "not needed for this fault"]
        let failures = ConformanceSuite.run(CorruptingSolver(base: EnumerationSolver(), fault: fault), excluding: skip)
        #expect(!failures.isEmpty, "fault \(fault) went unnoticed")
    }

    @Test("exclusions skip cases and only those")
    func exclusions() {
        let all = ConformanceSuite.run(CorruptingSolver(base: EnumerationSolver(), fault: .infeasibleCalledUnbounded),
                                       excluding: ["milpTimeLimited": "slow"])
        #expect(all.allSatisfy { $0.hasPrefix("lpInfeasible") || $0.hasPrefix("milpIntegerInfeasible") })
        let remaining = ConformanceSuite.run(
            CorruptingSolver(base: EnumerationSolver(), fault: .infeasibleCalledUnbounded),
            excluding: ["lpInfeasible": "test", "milpIntegerInfeasible": "test", "milpTimeLimited": "slow"])
        #expect(remaining.isEmpty, "\(remaining)")
    }
}
