import Testing
import OptoCore
import OptoGLPK
import OptoModel
@testable import OptoPlanners

/// The search on λ of the exact concurrent method: the search loop on a
/// monotone test with a known answer, and the fixed-λ model against brute
/// force (feasible at the optimum, infeasible just above it, its LP
/// relaxation and counting bounds never cutting off the optimum).
@Suite("LinkPool search on λ")
struct LinkPoolSearchTests {
    /// Allocations are the integers 0..<values.count with the given λ; the
    /// test answers with the first allocation that reaches the point.
    @Test func searchFindsTheLargestValueOfAMonotoneTest() {
        let values: [Double] = [0.1, 0.37, 0.2, 0.55, 0.551, 0.4]
        for start in 0..<values.count {
            var asked: [Double] = []
            let r = maximiseLambda(lower: values[start], counts: [start], upper: 2.0,
                                   test: { point in
                                       asked.append(point)
                                       if let k = values.indices.first(where: { values[$0] >= point }) { return .feasible([k]) }
                                       return .infeasible
                                   },
                                   value: { values[$0[0]] })
            #expect(r.proven)
            #expect(r.counts == [4], "start \(start)")
            #expect(r.lower == 0.551)
            #expect(r.upper >= 0.551 && r.upper <= 0.551 * (1 + 1e-7) * (1 + 1e-12))
            // Bisection while the gap is above 1 %, then one closing test: few tests.
            #expect(asked.count <= 12, "\(asked)")
        }
        // A test that stops early leaves the search unproven with its interval.
        let stopped = maximiseLambda(lower: 0.1, counts: [0], upper: 1, test: { _ in .unknown("limit") }, value: { _ in 0.1 })
        #expect(!stopped.proven && stopped.stopReason == "limit" && stopped.upper == 1)
        // No allocation at all: infeasible at the first point proves there is none.
        let none = maximiseLambda(lower: 0, counts: nil, upper: 1, test: { _ in .infeasible }, value: { _ in 0 })
        #expect(none.proven && none.counts == nil)
    }

    /// Seeded small concurrent instances (plain, caps, current + budget),
    /// asymmetric and symmetric: at the brute-force optimum λ* the fixed-λ
    /// model is feasible, its relaxation too, and the capacity bound is at
    /// least λ*; at λ*·(1 + 1e-6) (λ* > 0) the model is infeasible.
    @Test(arguments: 1...12)
    func fixedLambdaModelAgreesWithBruteForce(_ seed: Int) throws {
        let s = UInt64(seed + 200)
        let nodes = 2 + seed % 3
        let instance = smallInstance(seed: s, nodes: nodes, maxPorts: nodes == 4 ? 2 : 3, objective: .concurrent,
                                     caps: seed % 3 == 1, current: seed % 3 == 2)
        let problem = try LinkPoolProblem(instance)
        let solver = GLPKSolver()
        var answers = 0
        for symmetric in [false, true] {
            guard let best = try problem.bruteForce(symmetric: symmetric) else { continue }
            let star = best.objective
            #expect(problem.concurrentCapacityBound(symmetric: symmetric) >= star * (1 - 1e-9))
            #expect(problem.concurrentRelaxationAllows(star * (1 - 1e-9), symmetric: symmetric, solver: solver, timeLimit: 10) == true)
            let at = try problem.concurrentTest(at: star * (1 - 1e-9), symmetric: symmetric, solver: solver, timeLimit: 10,
                                                verbose: false, shouldStop: nil, solverAnswers: &answers)
            guard case .feasible(let counts) = at else {
                Issue.record("seed \(s) symmetric \(symmetric): λ* = \(star) not feasible: \(at)")
                continue
            }
            #expect(problem.violation(counts) == nil)
            #expect(problem.concurrentLambda(counts) >= star * (1 - 1e-6))
            // (λ* = 0: a pair with neither ports nor packet rate; nothing above to test.)
            guard star > 0 else { continue }
            let above = try problem.concurrentTest(at: star * (1 + 1e-6), symmetric: symmetric, solver: solver,
                                                   timeLimit: 10, verbose: false, shouldStop: nil, solverAnswers: &answers)
            if case .feasible(let c) = above {
                Issue.record("seed \(s) symmetric \(symmetric): above λ* = \(star) feasible with λ \(problem.concurrentLambda(c))")
            }
        }
    }

    /// `auto` is never worse than its heuristic, and `ilp` never worse than
    /// `greedy`, on seeded instances too large for brute force (N = 6–8).
    @Test(arguments: 1...6)
    func autoAndIlpNeverWorseThanGreedy(_ seed: Int) throws {
        let instance = smallInstance(seed: UInt64(seed + 300), nodes: 5 + seed % 4, maxPorts: 4, objective: .concurrent,
                                     caps: seed % 2 == 0, current: seed % 3 == 0)
        let options = PlanningOptions(timeLimit: 20, solver: GLPKSolver())
        guard let greedy = try? LinkPoolPlanner.plan(instance, method: .greedy, options: options) else { return }
        let auto = try LinkPoolPlanner.plan(instance, method: .auto, options: options)
        let ilp = try LinkPoolPlanner.plan(instance, method: .ilp, options: options)
        #expect(auto.metrics.objective >= greedy.metrics.objective * (1 - 1e-9))
        #expect(ilp.metrics.objective >= greedy.metrics.objective * (1 - 1e-9))
        #expect(ilp.status == .optimal)
        let problem = try LinkPoolProblem(instance)
        #expect(problem.violation(counts(ilp, nodes: instance.fabric.nodes)) == nil)
        #expect(problem.violation(counts(auto, nodes: instance.fabric.nodes)) == nil)
    }
}
