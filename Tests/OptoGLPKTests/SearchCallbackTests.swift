import Foundation
import Testing
import OptoModel
import OptoGLPK

/// A thread-safe box for what callbacks report.
final class Recorder<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func append(_ x: T) { lock.lock(); items.append(x); lock.unlock() }
    var all: [T] { lock.lock(); defer { lock.unlock() }; return items }
}

/// A greedy feasible plan for a multidimensional knapsack: take items by
/// value while every row still fits.
func greedyKnapsack(_ v: ValidatedModel) -> [Double] {
    var x = [Double](repeating: 0, count: v.variableCount)
    let order = (0..<v.variableCount).sorted { v.objectiveCoefficients[$0] > v.objectiveCoefficients[$1] }
    for j in order {
        x[j] = 1
        if v.infeasibility(of: x) != nil { x[j] = 0 }
    }
    return x
}

@Suite("GLPK search callback: warm start, progress, stop")
struct SearchCallbackTests {
    @Test("a feasible warm start is handed to GLPK and the result is at least as good")
    func warmStartAccepted() throws {
        let m = ConformanceCase.hardKnapsack(items: 40, dimensions: 5, seed: 3)
        let v = try m.validated()
        let greedy = greedyKnapsack(v)
        #expect(v.infeasibility(of: greedy) == nil)
        let start = Dictionary(uniqueKeysWithValues: greedy.enumerated().map { (v.variable($0.offset), $0.element) })
        let r = try GLPKSolver().solve(v, options: SolverOptions(timeLimit: 0.3, warmStart: start))
        #expect(r.warmStart == .accepted)
        let z = try #require(r.objectiveValue)
        #expect(z >= v.objectiveValue(greedy) - 1e-9)
        #expect(v.infeasibility(of: r.values) == nil)
    }

    @Test("an infeasible, incomplete or foreign warm start is rejected with a reason and the solve goes on")
    func warmStartRejected() throws {
        let m = ConformanceCase.milpKnapsack.makeModel().0
        let v = try m.validated()
        let other = Model().addVariable()
        let bad: [[VariableID: Double]] = [
            Dictionary(uniqueKeysWithValues: (0..<v.variableCount).map { (v.variable($0), 1.0) }),   // over capacity
            [v.variable(0): 1],                                                                      // incomplete
            Dictionary(uniqueKeysWithValues: (0..<v.variableCount).map { (v.variable($0), 0.5) }),   // fractional
            [other: 0],                                                                              // foreign
        ]
        for start in bad {
            let r = try GLPKSolver().solve(v, options: SolverOptions(warmStart: start))
            guard case .rejected(let why) = r.warmStart else { Issue.record("accepted \(start)"); continue }
            #expect(!why.isEmpty)
            #expect(r.termination == .optimal && abs((r.objectiveValue ?? .nan) - 15) < 1e-9)
        }
    }

    @Test("progress is reported during the search, with a consistent incumbent and bound")
    func progress() throws {
        let recorder = Recorder<SolveProgress>()
        let m = ConformanceCase.hardKnapsack(items: 60, dimensions: 5, seed: 7)
        let r = try GLPKSolver().solve(m, options: SolverOptions(timeLimit: 0.7, progress: { recorder.append($0) }))
        let reports = recorder.all
        #expect(reports.count >= 2, "\(reports.count) progress reports in 0.7 s")
        for (a, b) in zip(reports, reports.dropFirst()) {
            #expect(b.elapsedSeconds >= a.elapsedSeconds && b.nodeCount >= a.nodeCount)
        }
        for p in reports {
            if let i = p.incumbent, let b = p.bestBound { #expect(b >= i - 1e-9, "maximising: bound \(b) below incumbent \(i)") }
        }
        #expect(r.termination == .timeLimit)
        #expect(r.nodeCount >= (reports.last?.nodeCount ?? 0))
    }

    @Test("shouldStop interrupts the search and returns the incumbent")
    func stop() throws {
        let m = ConformanceCase.hardKnapsack(items: 60, dimensions: 5, seed: 7)
        let begin = Date()
        let r = try GLPKSolver().solve(m, options: SolverOptions(timeLimit: 10, shouldStop: { Date().timeIntervalSince(begin) > 0.2 }))
        #expect(r.termination == .interrupted)
        #expect(r.primalStatus == .feasible)
        #expect(r.solveSeconds < 5)
        let gap = try #require(r.relativeGap)
        #expect(gap > 0)
    }

    @Test("a relative gap tolerance stops early and reports its gap honestly")
    func gapTolerance() throws {
        let m = ConformanceCase.hardKnapsack(items: 30, dimensions: 3, seed: 11)
        let r = try GLPKSolver().solve(m, options: SolverOptions(timeLimit: 20, relativeGap: 0.05))
        #expect(r.termination == .optimal)
        let gap = try #require(r.relativeGap)
        #expect(gap <= 0.05 + 1e-9)
        if let z = r.objectiveValue, let b = r.bestBound { #expect(b >= z - 1e-9) }
    }

    @Test("cut options are accepted and do not change the optimum")
    func cuts() throws {
        let m = ConformanceCase.milpAssignment.makeModel().0
        let r = try GLPKSolver().solve(m, options: SolverOptions(cuts: .all))
        #expect(r.termination == .optimal && abs((r.objectiveValue ?? .nan) - 5) < 1e-9)
    }
}
