// `optoplan-bench model`: the modeling layer and the GLPK backend.
//
// Prints, for generated models:
//  1. building a 1,000,000-nonzero model through the Model API, validating
//     it, and loading it into GLPK; the MPS file GLPK writes for it; the
//     time glpsol takes to read that file (`glpsol --freemps F --check`); and
//     the ratio (our build + validate + load) / (glpsol read).
//  2. GLPK solve figures for a few generated LPs and MILPs.
import Foundation
import OptoModel
import OptoGLPK

private func now() -> Double { Date().timeIntervalSince1970 }

/// Seconds taken by `body` (best of `repeats`), and its last value.
private func timed<T>(repeats: Int = 1, _ body: () throws -> T) rethrows -> (Double, T) {
    var best = Double.infinity
    var value: T?
    for _ in 0..<max(1, repeats) {
        let t = now()
        value = try body()
        best = min(best, now() - t)
    }
    return (best, value!)
}

/// A transportation LP with `s` sources and `d` sinks: s·d variables, each
/// in one supply and one demand row (2·s·d nonzeros).
func transportationModel(sources s: Int, sinks d: Int, seed: UInt64) -> Model {
    var state = seed
    func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
    let m = Model(name: "transport\(s)x\(d)")
    m.reserveCapacity(variables: s * d, constraints: s + d, terms: 2 * s * d)
    let x = m.addVariables(s * d)
    let supply = (0..<s).map { _ in 50 + 100 * next() }
    let total = supply.reduce(0, +)
    for i in 0..<s {
        m.addConstraint(.sum(x[(i * d)..<(i * d + d)]), .lessThanOrEqual(supply[i]))
    }
    for j in 0..<d {
        var e = LinearExpression()
        e.reserveCapacity(s)
        for i in 0..<s { e.add(1, x[i * d + j]) }
        m.addConstraint(e, .greaterThanOrEqual(0.9 * total / Double(d)))
    }
    var cost = LinearExpression()
    cost.reserveCapacity(s * d)
    for k in 0..<(s * d) { cost.add(1 + 9 * next(), x[k]) }
    m.setObjective(cost, .minimize)
    return m
}

/// A random sparse model: `rows` rows of `perRow` terms over `columns`
/// variables, with duplicate terms (validation merges them) and mixed sets.
func randomSparseModel(rows: Int, perRow: Int, columns: Int, seed: UInt64) -> Model {
    var state = seed
    func next(_ n: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(n))
    }
    let m = Model(name: "sparse\(rows)x\(perRow)")
    m.reserveCapacity(variables: columns, constraints: rows, terms: rows * perRow)
    let x = m.addVariables(columns, upperBound: 10)
    var e = LinearExpression()
    e.reserveCapacity(perRow)
    for r in 0..<rows {
        e.terms.removeAll(keepingCapacity: true)
        for _ in 0..<perRow { e.add(Double(1 + next(9)), x[next(columns)]) }
        m.addConstraint(e, r % 3 == 0 ? .interval(1, 50) : .lessThanOrEqual(40))
    }
    m.setObjective(.sum(x), .maximize)
    return m
}

private func glpsolPath() -> String? {
    ["/usr/bin/glpsol", "/usr/local/bin/glpsol"].first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Seconds glpsol takes to read (and check, without solving) a free-MPS file.
private func glpsolReadSeconds(_ path: String, glpsol: String) throws -> Double {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: glpsol)
    p.arguments = ["--freemps", path, "--check"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    let t = now()
    try p.run()
    p.waitUntilExit()
    return now() - t
}

private func f(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }

func runModelBenchmark(_ args: [String]) {
    let quick = args.contains("--quick")
    if args.contains("--parts") {
        // Where building time goes (transportation 500x1000).
        let (tv, _) = timed(repeats: 3) { let m = Model(); return m.addVariables(500_000) }
        let (tv1, _) = timed(repeats: 3) { let m = Model(); for _ in 0..<500_000 { m.addVariable() } }
        let m = Model(); let x = m.addVariables(500_000)
        let (te, _) = timed(repeats: 3) { () -> LinearExpression in var e = LinearExpression(); for v in x { e.add(1.5, v) }; return e }
        let (ts, rows) = timed(repeats: 1) { (0..<500).map { i in LinearExpression.sum(x[(i * 1000)..<(i * 1000 + 1000)]) } }
        let (tc, _) = timed(repeats: 1) { for e in rows { m.addConstraint(e, .lessThanOrEqual(1)) } }
        print("addVariables(500k) \(f(tv)), 500k addVariable \(f(tv1)), 500k-term expression \(f(te)), 500 sums of 1000 \(f(ts)), adding them as rows \(f(tc))")
        return
    }
    #if DEBUG
    print("warning: debug build; figures are only meaningful from `swift build -c release`")
    #endif
    print("GLPK \(GLPKSolver.version), thread-local environment: \(GLPKSolver.threadLocalEnvironment)")
    let glpsol = glpsolPath()

    print("\n== Building 1,000,000-nonzero models (best of 3; seconds) ==")
    print("model                      vars     rows   nonzeros  build  validate  glpk-load  ours-total  mps-MB  glpsol-read  ratio")
    let scale = quick ? 10 : 1
    let builders: [(String, () -> Model)] = [
        ("transportation 500x1000", { transportationModel(sources: 500 / scale, sinks: 1000, seed: 1) }),
        ("random sparse 100000x10", { randomSparseModel(rows: 100_000 / scale, perRow: 10, columns: 20_000, seed: 2) }),
    ]
    for (label, build) in builders {
        let (tBuild, model) = timed(repeats: 3, build)
        let (tValidate, v) = timed(repeats: 3) { try! model.validated() }
        let (tLoad, _) = timed(repeats: 3) { GLPKSolver.loadSeconds(v) }
        let tLoadOnly = GLPKSolver.loadSeconds(v)
        let ours = tBuild + tValidate + tLoadOnly
        var mpsMB = "-", read = "-", ratio = "-"
        if let glpsol {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("optoplan-bench-\(getpid()).mps").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            if (try? GLPKSolver.write(v, as: .freeMPS, to: path)) != nil,
               let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int,
               let tRead = try? glpsolReadSeconds(path, glpsol: glpsol) {
                mpsMB = f(Double(size) / 1e6, 1)
                read = f(tRead)
                ratio = f(ours / tRead, 3)
            }
        }
        _ = tLoad
        print("\(label.padding(toLength: 24, withPad: " ", startingAt: 0))  \(String(v.variableCount).leftPad(7))  \(String(v.constraintCount).leftPad(7))  \(String(v.nonzeroCount).leftPad(9))  \(f(tBuild))  \(f(tValidate).leftPad(8))  \(f(tLoadOnly).leftPad(9))  \(f(ours).leftPad(10))  \(mpsMB.leftPad(6))  \(read.leftPad(11))  \(ratio.leftPad(5))")
    }
    if glpsol == nil { print("(glpsol not found: install glpk-utils for the MPS read figures)") }
    print("ratio = (build + validate + glpk-load) / glpsol reading the same model from free MPS; below 1 means we are faster.")

    print("\n== GLPK solves (seconds) ==")
    print("model                          vars   rows  termination      objective          bound     gap   nodes  seconds")
    var solves: [(String, () -> Model, SolverOptions)] = [
        ("transportation 50x100 LP", { transportationModel(sources: 50, sinks: 100, seed: 3) }, SolverOptions()),
        ("transportation 200x400 LP", { transportationModel(sources: 200, sinks: 400, seed: 4) }, SolverOptions()),
        ("assignment 30x30 MILP", { assignmentModel(30, seed: 5) }, SolverOptions()),
        ("knapsack 30x3 MILP", { ConformanceCase.hardKnapsack(items: 30, dimensions: 3, seed: 11) }, SolverOptions(timeLimit: 30)),
        ("knapsack 60x5 MILP, 2 s limit", { ConformanceCase.hardKnapsack(items: 60, dimensions: 5, seed: 7) }, SolverOptions(timeLimit: 2)),
    ]
    if quick { solves.removeSubrange(1...1) }
    for (label, build, options) in solves {
        let model = build()
        guard let v = try? model.validated(), let r = try? GLPKSolver().solve(v, options: options) else {
            print("\(label): failed to validate or solve"); continue
        }
        let gap = r.relativeGap.map { f($0 * 100, 2) + "%" } ?? "-"
        print("\(label.padding(toLength: 29, withPad: " ", startingAt: 0))  \(String(v.variableCount).leftPad(5))  \(String(v.constraintCount).leftPad(5))  \(String(describing: r.termination).padding(toLength: 13, withPad: " ", startingAt: 0))  \((r.objectiveValue.map { f($0) } ?? "-").leftPad(13))  \((r.bestBound.map { f($0) } ?? "-").leftPad(13))  \(gap.leftPad(6))  \(String(r.nodeCount).leftPad(6))  \(f(r.solveSeconds).leftPad(7))")
    }
}

/// An n×n assignment MILP with seeded integer costs in 1…100.
func assignmentModel(_ n: Int, seed: UInt64) -> Model {
    var state = seed
    func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(1 + (state >> 33) % 100)
    }
    let m = Model(name: "assignment\(n)")
    let x = (0..<n).map { _ in m.addVariables(n, .binary) }
    for i in 0..<n { m.addConstraint(.sum(x[i]), .equalTo(1)) }
    for j in 0..<n { m.addConstraint(.sum((0..<n).map { x[$0][j] }), .equalTo(1)) }
    m.setObjective(.sum(0..<n) { i in .weightedSum((0..<n).map { _ in next() }, x[i]) }, .minimize)
    return m
}

private extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
