import Foundation
import Testing
import OptoModel
import OptoCBC

@Suite("CBC availability")
struct CBCAvailabilityTests {
    @Test("the backend either loads CBC 2.10 or says why, naming how to get it")
    func availability() throws {
        if CBCSolver.isAvailable {
            let version = try #require(CBCSolver.version)
            #expect(version.hasPrefix("2.10"))
            #expect(CBCSolver.unavailableReason == nil)
        } else {
            let reason = try #require(CBCSolver.unavailableReason)
            #expect(reason.description.hasPrefix("CBC is not available"))
            #expect(CBCSolver.version == nil)
            let m = ConformanceCase.milpKnapsack.makeModel().0
            #expect(throws: CBCUnavailable.self) { try CBCSolver().solve(m) }
        }
    }
}

@Suite("CBC backend", .enabled(if: CBCSolver.isAvailable, "libCbcSolver is not installed"))
struct CBCBackendTests {
    /// The knapsack of docs/modeling.md, with an objective constant.
    func knapsack() -> (Model, [VariableID]) {
        let m = Model(name: "knapsack")
        let take = (0..<5).map { m.addVariable(.binary, name: "take\($0)") }
        m.addConstraint(.weightedSum([12, 2, 1, 1, 4], take), .lessThanOrEqual(15), name: "capacity")
        m.setObjective(.weightedSum([4, 2, 1, 2, 10], take) + 100, .maximize)
        return (m, take)
    }

    @Test("objective constants and maximisation: optimum 115 at the known point")
    func constant() throws {
        let (m, take) = knapsack()
        let r = try CBCSolver().solve(m)
        #expect(r.termination == .optimal)
        #expect(abs((r.objectiveValue ?? .nan) - 115) < 1e-6)
        #expect(abs((r.bestBound ?? .nan) - 115) < 1e-6)
        #expect(take.map { r.value($0) }.map { $0.rounded() } == [0, 1, 1, 1, 1])
    }

    @Test("a checked warm start is handed over; an infeasible or incomplete one is rejected")
    func warmStart() throws {
        let (m, take) = knapsack()
        // Feasible, value 100 + 10 + 2 = 112.
        let good = Dictionary(uniqueKeysWithValues: zip(take, [0, 0, 1, 0, 1].map(Double.init)))
        let r = try CBCSolver().solve(m, options: SolverOptions(warmStart: good))
        #expect(r.warmStart == .accepted)
        #expect(r.termination == .optimal)
        #expect(abs((r.objectiveValue ?? .nan) - 115) < 1e-6)

        // An optimal start: CBC finds nothing better and returns no solution of its own.
        let best = Dictionary(uniqueKeysWithValues: zip(take, [0, 1, 1, 1, 1].map(Double.init)))
        let o = try CBCSolver().solve(m, options: SolverOptions(warmStart: best))
        #expect(o.warmStart == .accepted)
        #expect(o.termination == .optimal, "\(o.termination): \(o.message)")
        #expect(abs((o.objectiveValue ?? .nan) - 115) < 1e-6)
        #expect(take.map { o.value($0) } == [0, 1, 1, 1, 1])

        let overweight = Dictionary(uniqueKeysWithValues: zip(take, [1, 1, 1, 1, 1].map(Double.init)))
        let bad = try CBCSolver().solve(m, options: SolverOptions(warmStart: overweight))
        guard case .rejected = bad.warmStart else { Issue.record("infeasible warm start not rejected: \(bad.warmStart)"); return }
        #expect(bad.termination == .optimal)

        let partial = [take[0]: 0.0]
        let p = try CBCSolver().solve(m, options: SolverOptions(warmStart: partial))
        guard case .rejected = p.warmStart else { Issue.record("incomplete warm start not rejected: \(p.warmStart)"); return }
    }

    @Test("a warm start gives a time-limited search an incumbent at least as good")
    func warmStartUnderLimit() throws {
        let m = ConformanceCase.hardKnapsack(items: 150, dimensions: 15, seed: 11)
        let v = try m.validated()
        // Greedy by value: take items while every row fits.
        var x = [Double](repeating: 0, count: v.variableCount)
        for j in (0..<v.variableCount).sorted(by: { v.objectiveCoefficients[$0] > v.objectiveCoefficients[$1] }) {
            x[j] = 1
            if v.infeasibility(of: x) != nil { x[j] = 0 }
        }
        let start = v.objectiveValue(x)
        #expect(start > 0)
        let warm = Dictionary(uniqueKeysWithValues: (0..<v.variableCount).map { (v.variable($0), x[$0]) })
        let r = try CBCSolver().solve(v, options: SolverOptions(timeLimit: 0.5, warmStart: warm))
        #expect(r.warmStart == .accepted)
        #expect(r.termination == .timeLimit || r.termination == .optimal)
        #expect(r.hasSolution)
        #expect((r.objectiveValue ?? -.infinity) >= start - 1e-6)
        #expect(r.solveSeconds < 3)
    }

    @Test("a relative gap lets the search stop early: optimal within the gap, bound on the right side")
    func gap() throws {
        let m = ConformanceCase.hardKnapsack(items: 60, dimensions: 5, seed: 7)
        let r = try CBCSolver().solve(m, options: SolverOptions(timeLimit: 20, relativeGap: 0.02))
        #expect(r.termination == .optimal)
        let z = try #require(r.objectiveValue), b = try #require(r.bestBound)
        #expect(b >= z - 1e-6)
        #expect((b - z) / z <= 0.02 + 1e-9)
    }

    @Test("shouldStop already true: interrupted without a search")
    func stopBefore() throws {
        let (m, _) = knapsack()
        let r = try CBCSolver().solve(m, options: SolverOptions(shouldStop: { true }))
        #expect(r.termination == .interrupted)
        #expect(!r.hasSolution)
    }

    @Test("an empty model and an integer variable with no integer in its bounds")
    func edges() throws {
        let empty = Model(name: "empty")
        empty.setObjective(LinearExpression(3), .minimize)
        let e = try CBCSolver().solve(empty)
        #expect(e.termination == .optimal)
        #expect(abs((e.objectiveValue ?? .nan) - 3) < 1e-9)

        let m = Model(name: "noInteger")
        let x = m.addVariable(.integer, lowerBound: 0.2, upperBound: 0.8, name: "x")
        m.setObjective(LinearExpression(x), .minimize)
        #expect(try CBCSolver().solve(m).termination == .infeasible)
    }

    @Test("solves from several threads at once agree with sequential ones")
    func concurrent() async throws {
        let cases = ConformanceSuite.cases.filter { $0.name != "milpTimeLimited" }
        let expected = try cases.map { try CBCSolver().solve($0.makeModel().0).objectiveValue }
        let got = try await withThrowingTaskGroup(of: (Int, Double?).self) { group in
            for (i, c) in cases.enumerated() {
                group.addTask { (i, try CBCSolver().solve(c.makeModel().0).objectiveValue) }
            }
            var out = [Double?](repeating: nil, count: cases.count)
            for try await (i, z) in group { out[i] = z }
            return out
        }
        for (a, b) in zip(expected, got) {
            #expect((a == nil) == (b == nil))
            if let a, let b { #expect(abs(a - b) <= 1e-6 * (1 + abs(a))) }
        }
    }

    /// Runs `body` with descriptors 1 and 2 redirected to a file; returns what was written.
    func capturing(_ body: () -> Void) -> String {
        let path = NSTemporaryDirectory() + "cbc-streams-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).txt"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: path) }
        fflush(nil)
        let saved1 = dup(1), saved2 = dup(2)
        let fd = open(path, O_WRONLY)
        dup2(fd, 1); dup2(fd, 2)
        body()
        fflush(nil)
        dup2(saved1, 1); dup2(saved2, 2)
        close(fd); close(saved1); close(saved2)
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? "?"
    }

    @Test("solves print nothing; verbose shows CBC's log (so the capture works)")
    func silence() throws {
        let (lp, _) = ConformanceCase.lpTransportation.makeModel()
        let (milp, _) = knapsack()
        let quiet = capturing {
            _ = try? CBCSolver().solve(lp)
            _ = try? CBCSolver().solve(milp)
            _ = try? CBCSolver().solve(milp, options: SolverOptions(presolve: false))
        }
        // Phrases of CBC's own log (the test runner's lines never contain them).
        for phrase in ["Welcome to the CBC MILP Solver", "Result - ", "Optimal - objective value", "Clp0", "Cbc0"] {
            #expect(!quiet.contains(phrase), "CBC printed: \(quiet)")
        }
        let loud = capturing { _ = try? CBCSolver().solve(milp, options: SolverOptions(verbose: true)) }
        #expect(loud.contains("Welcome to the CBC MILP Solver"), "verbose output missing: \(loud)")
    }
}
