import Foundation
import Testing
import OptoModel
import OptoGLPK

/// The concurrency finding (see docs/modeling.md): Debian's GLPK 5.0 keeps
/// one environment per thread (`glp_config("TLS")`), so problems created,
/// solved and deleted on different threads do not interfere. `GLPKSolver`
/// keeps each problem inside one synchronous call, so it is safe to call
/// from any number of threads or tasks at once.
@Suite("GLPK from several threads")
struct ConcurrencyTests {
    /// Small seeded knapsacks and their optima solved one at a time.
    static func instances() throws -> [(ValidatedModel, Double)] {
        try (0..<12).map { seed in
            let v = try ConformanceCase.hardKnapsack(items: 12, dimensions: 2, seed: UInt64(seed)).validated()
            let z = try #require(try GLPKSolver().solve(v, options: SolverOptions()).objectiveValue)
            return (v, z)
        }
    }

    @Test("four threads solving at once get the same answers as one thread")
    func threads() throws {
        let cases = try Self.instances()
        let failures = Recorder<String>()
        let done = DispatchGroup()
        for t in 0..<4 {
            done.enter()
            let thread = Thread {
                for round in 0..<25 {
                    let (v, expected) = cases[(t * 7 + round) % cases.count]
                    let r = try? GLPKSolver().solve(v, options: SolverOptions(presolve: round % 2 == 0))
                    if r?.termination != .optimal || abs((r?.objectiveValue ?? .nan) - expected) > 1e-6 {
                        failures.append("thread \(t) round \(round): \(String(describing: r?.termination)) \(String(describing: r?.objectiveValue)) vs \(expected)")
                    }
                }
                done.leave()
            }
            thread.start()
        }
        done.wait()
        #expect(failures.all.isEmpty, "\(failures.all)")
    }

    @Test("tasks in a task group solving at once get the same answers")
    func tasks() async throws {
        let cases = try Self.instances()
        let solver = GLPKSolver()
        let results = await withTaskGroup(of: (Int, Double?).self) { group in
            for i in 0..<48 {
                let (v, _) = cases[i % cases.count]
                group.addTask { (i, try? solver.solve(v, options: SolverOptions()).objectiveValue) }
            }
            var out: [(Int, Double?)] = []
            for await r in group { out.append(r) }
            return out
        }
        #expect(results.count == 48)
        for (i, z) in results {
            let expected = cases[i % cases.count].1
            #expect(abs((z ?? .nan) - expected) < 1e-6, "task \(i): \(String(describing: z)) vs \(expected)")
        }
    }
}
