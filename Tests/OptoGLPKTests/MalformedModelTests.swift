import Foundation
import Testing
import OptoModel
import OptoGLPK

/// Every input GLPK 5.0 aborts on must be unreachable through the Swift API.
/// These tests feed such inputs through `Model`; an abort would kill the
/// test process, so passing means the path is closed.
@Suite("Malformed models never reach GLPK")
struct MalformedModelTests {
    @Test("each kind of malformed model is a typed error from solve, before GLPK runs")
    func typedErrors() throws {
        var makers: [(String, (Model) -> Void)] = []
        makers.append(("NaN coefficient", { m in let x = m.addVariable(); m.addConstraint(.nan * x, .lessThanOrEqual(1)) }))
        makers.append(("infinite coefficient", { m in let x = m.addVariable(); m.addConstraint(.infinity * x, .lessThanOrEqual(1)) }))
        makers.append(("NaN objective", { m in let x = m.addVariable(); m.setObjective(.nan * x, .minimize) }))
        makers.append(("infinite constant", { m in let x = m.addVariable(); m.addConstraint(x + .infinity, .lessThanOrEqual(1)) }))
        makers.append(("inverted bounds", { m in m.addVariable(lowerBound: 3, upperBound: 1) }))
        makers.append(("NaN bound", { m in m.addVariable(lowerBound: .nan) }))
        makers.append(("inverted range", { m in let x = m.addVariable(); m.addConstraint(LinearExpression(x), .interval(5, 4)) }))
        makers.append(("≤ −∞", { m in let x = m.addVariable(); m.addConstraint(LinearExpression(x), .lessThanOrEqual(-.infinity)) }))
        makers.append(("huge coefficient", { m in let x = m.addVariable(); m.addConstraint(1e200 * x, .lessThanOrEqual(1)) }))
        makers.append(("huge bound", { m in m.addVariable(upperBound: 1e31) }))
        makers.append(("huge side", { m in let x = m.addVariable(); m.addConstraint(LinearExpression(x), .greaterThanOrEqual(-1e100)) }))
        makers.append(("foreign handle", { m in let y = Model().addVariable(); m.addVariable(); m.addConstraint(LinearExpression(y), .lessThanOrEqual(1)) }))
        for (what, make) in makers {
            let m = Model()
            make(m)
            #expect(throws: ModelError.self, "\(what)") { try GLPKSolver().solve(m) }
        }
    }

    @Test("inputs that would make GLPK abort are harmless: duplicates, no rows, no columns, long and odd names")
    func abortPathsClosed() throws {
        let m = Model(name: String(repeating: "n", count: 1000))
        let x = m.addVariable(.integer, upperBound: 3, name: String(repeating: "x", count: 400))
        let y = m.addVariable(name: "tab\tand\u{7}bell")
        // Duplicate (row, column) entries: glp_load_matrix aborts on them; validation merges them.
        m.addConstraint(x + x + y - y + y, .lessThanOrEqual(5), name: String(repeating: "r", count: 300))
        m.setObjective(x + y, .maximize)
        let r = try GLPKSolver().solve(m)
        #expect(r.termination == .optimal && abs((r.objectiveValue ?? .nan) - 5) < 1e-9)   // 2x + y ≤ 5 → x = 0, y = 5
        for format in ModelFileFormat.allCases {
            let path = temporaryPath("names.\(format.rawValue)")
            defer { try? FileManager.default.removeItem(atPath: path) }
            try GLPKSolver.write(try m.validated(), as: format, to: path)
            #expect(FileManager.default.fileExists(atPath: path))
        }
        // No rows (glp_add_rows(P, 0) aborts): bounds only.
        let noRows = Model(); let z = noRows.addVariable(upperBound: 2); noRows.setObjective(LinearExpression(z), .maximize)
        #expect(abs((try GLPKSolver().solve(noRows).objectiveValue ?? .nan) - 2) < 1e-9)
        // A row whose terms all cancel.
        let cancelled = Model(); let w = cancelled.addVariable(upperBound: 1)
        cancelled.addConstraint(w - w, .greaterThanOrEqual(1))
        #expect(try GLPKSolver().solve(cancelled).termination == .infeasible)
    }

    @Test("seeded random garbage: typed error or a result, never a crash; validated models are clean")
    func fuzz() throws {
        var state: UInt64 = 12345
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let good: [Double] = [0, 1, -1, 2.5, -3, 1e-12, 0.5, 7, 1e29, -1e25, 1e-25, 1e13, 4, -2]
        let garbage: [Double] = [1e308, -1e308, .nan, .infinity, -.infinity, 1e31]
        func number() -> Double { next(12) == 0 ? garbage[next(garbage.count)] : good[next(good.count)] }
        let names = ["", "a", "a", "x y", String(repeating: "é", count: 200), "\u{1}", "1st"]
        var errors = 0, solved = 0
        for _ in 0..<400 {
            let m = Model()
            let other = Model().addVariable()
            let kinds: [VariableKind] = [.continuous, .integer, .binary]
            let vars = (0..<(1 + next(4))).map { _ in
                m.addVariable(kinds[next(3)], lowerBound: next(4) == 0 ? number() : 0,
                              upperBound: next(3) == 0 ? number() : 10, name: names[next(names.count)])
            }
            for _ in 0..<next(4) {
                var e = LinearExpression(next(5) == 0 ? number() : 0)
                for _ in 0..<next(5) { e.add(number(), next(40) == 0 ? other : vars[next(vars.count)]) }
                let a = number(), b = number()
                let sets: [ConstraintSet] = [.lessThanOrEqual(a), .greaterThanOrEqual(a), .equalTo(a), .interval(a, b)]
                m.addConstraint(e, sets[next(4)], name: names[next(names.count)])
            }
            var obj = LinearExpression()
            for v in vars { obj.add(number(), v) }
            m.setObjective(obj, next(2) == 0 ? .minimize : .maximize)

            let v: ValidatedModel
            do { v = try m.validated() } catch { errors += 1; continue }
            // Clean: finite nonzero coefficients, distinct columns per row, sane bounds.
            for r in 0..<v.constraintCount {
                let cols = v.columns[v.rowStart[r]..<v.rowStart[r + 1]]
                #expect(Set(cols).count == cols.count)
                #expect(!(v.rowLower[r] > v.rowUpper[r]) && !v.rowLower[r].isNaN && !v.rowUpper[r].isNaN)
            }
            #expect(v.coefficients.allSatisfy { $0.isFinite && $0 != 0 })
            #expect(v.objectiveCoefficients.allSatisfy { $0.isFinite })
            let r = try GLPKSolver().solve(v, options: SolverOptions(timeLimit: 0.2))
            if r.hasSolution { #expect(v.infeasibility(of: r.values, tolerance: GLPKSolver.feasibilityTolerance) == nil) }
            for format in ModelFileFormat.allCases {
                let path = temporaryPath("fuzz.\(format.rawValue)")
                try GLPKSolver.write(v, as: format, to: path)
                try? FileManager.default.removeItem(atPath: path)
            }
            solved += 1
        }
        #expect(errors > 30 && solved > 30, "the generator should produce both kinds: \(errors) errors, \(solved) solved")
    }
}
