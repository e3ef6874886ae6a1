import Foundation
import OptoModel

/// A mock backend for the conformance suite: exact by brute force, and
/// obviously so. Integer variables are enumerated (unbounded ones inside
/// ±`integerBox`); for each integer point the continuous part is solved by
/// vertex enumeration (every choice of k tight hyperplanes among row sides,
/// bounds and a ±`box` cube, solved by Gaussian elimination). A best point
/// on the cube where a bound is infinite means unbounded.
///
/// With a time limit it stops enumerating when time runs out and returns
/// the best point found, bounded by Σ max(cⱼlⱼ, cⱼuⱼ) over the box: a valid,
/// weak bound, so the gap is honest.
struct EnumerationSolver: Solver {
    var name: String { "enumeration" }
    var box = 1e6
    var integerBox = 50.0

    func solve(_ m: ValidatedModel, options: SolverOptions) throws -> SolveResult {
        let start = Date()
        let n = m.variableCount
        let maximize = m.sense == .maximize
        let ints = (0..<n).filter { m.kinds[$0].isInteger }
        let conts = (0..<n).filter { !m.kinds[$0].isInteger }
        func lo(_ j: Int) -> Double { m.lowerBounds[j].isFinite ? m.lowerBounds[j] : -(m.kinds[j].isInteger ? integerBox : box) }
        func hi(_ j: Int) -> Double { m.upperBounds[j].isFinite ? m.upperBounds[j] : (m.kinds[j].isInteger ? integerBox : box) }
        func result(_ t: TerminationReason, _ x: [Double]?, bound: Double? = nil) -> SolveResult {
            let z = x.map { m.objectiveValue($0) }
            let b = bound ?? z
            var gap: Double?
            if let z, let b { gap = SolveResult.gap(objective: z, bound: b) }
            return SolveResult(model: m.identity, termination: t, primalStatus: x == nil ? .noSolution : .feasible,
                               objectiveValue: z, bestBound: b, relativeGap: gap, nodeCount: 0,
                               solveSeconds: Date().timeIntervalSince(start), values: x ?? [])
        }
        if m.emptyIntegerDomain != nil { return result(.infeasible, nil) }

        var best: [Double]?
        func better(_ x: [Double]) -> Bool {
            guard let b = best else { return true }
            return maximize ? m.objectiveValue(x) > m.objectiveValue(b) + 1e-9 : m.objectiveValue(x) < m.objectiveValue(b) - 1e-9
        }
        var point = ints.map { lo($0) }
        var x = [Double](repeating: 0, count: n)
        var count = 0
        outer: while true {
            count += 1
            if count % 256 == 0, let limit = options.timeLimit, Date().timeIntervalSince(start) > limit {
                var bound = m.objectiveConstant
                for j in 0..<n { bound += maximize ? max(m.objectiveCoefficients[j] * lo(j), m.objectiveCoefficients[j] * hi(j))
                                                  : min(m.objectiveCoefficients[j] * lo(j), m.objectiveCoefficients[j] * hi(j)) }
                return result(.timeLimit, best, bound: bound)
            }
            for (k, j) in ints.enumerated() { x[j] = point[k] }
            if let y = bestContinuous(m, fixed: x, conts: conts, lo: lo, hi: hi), better(y) { best = y }
            // Odometer over the integer ranges.
            var k = 0
            while k < ints.count {
                if point[k] + 1 <= hi(ints[k]) { point[k] += 1; break }
                point[k] = lo(ints[k]); k += 1
            }
            if k == ints.count { break outer }
        }
        guard let b = best else { return result(.infeasible, nil) }
        for j in 0..<n where (!m.lowerBounds[j].isFinite && b[j] <= lo(j) + 1e-6) || (!m.upperBounds[j].isFinite && b[j] >= hi(j) - 1e-6) {
            return result(.unbounded, nil)
        }
        return result(.optimal, b)
    }

    /// The best completion of `fixed` over the continuous variables, or nil if none is feasible.
    private func bestContinuous(_ m: ValidatedModel, fixed: [Double], conts: [Int],
                                lo: (Int) -> Double, hi: (Int) -> Double) -> [Double]? {
        let k = conts.count
        let position = Dictionary(uniqueKeysWithValues: conts.enumerated().map { ($1, $0) })
        // Hyperplanes a·y = b over the continuous variables.
        var planes: [([Double], Double)] = []
        for r in 0..<m.constraintCount {
            var a = [Double](repeating: 0, count: k)
            var rest = 0.0
            for t in m.rowStart[r]..<m.rowStart[r + 1] {
                let j = Int(m.columns[t])
                if let p = position[j] { a[p] += m.coefficients[t] } else { rest += m.coefficients[t] * fixed[j] }
            }
            if m.rowLower[r].isFinite { planes.append((a, m.rowLower[r] - rest)) }
            if m.rowUpper[r].isFinite && m.rowUpper[r] != m.rowLower[r] { planes.append((a, m.rowUpper[r] - rest)) }
        }
        for (p, j) in conts.enumerated() {
            var a = [Double](repeating: 0, count: k); a[p] = 1
            planes.append((a, lo(j))); planes.append((a, hi(j)))
        }
        func feasible(_ x: [Double]) -> Bool {
            for j in 0..<m.variableCount {
                let l = m.lowerBounds[j].isFinite ? m.lowerBounds[j] : lo(j)
                let u = m.upperBounds[j].isFinite ? m.upperBounds[j] : hi(j)
                if x[j] < l - 1e-7 || x[j] > u + 1e-7 { return false }
            }
            let act = m.rowActivities(x)
            for r in 0..<m.constraintCount where act[r] < m.rowLower[r] - 1e-7 * (1 + abs(m.rowLower[r])) || act[r] > m.rowUpper[r] + 1e-7 * (1 + abs(m.rowUpper[r])) {
                return false
            }
            return true
        }
        if k == 0 { return feasible(fixed) ? fixed : nil }
        var best: [Double]?
        var choice = Array(0..<k)
        while true {
            if let y = solveSquare(choice.map { planes[$0] }) {
                var x = fixed
                for (p, j) in conts.enumerated() { x[j] = y[p] }
                if feasible(x) {
                    let z = m.objectiveValue(x)
                    if best == nil || (m.sense == .maximize ? z > m.objectiveValue(best!) + 1e-9 : z < m.objectiveValue(best!) - 1e-9) { best = x }
                }
            }
            // Next k-combination of the planes.
            var i = k - 1
            while i >= 0 && choice[i] == planes.count - k + i { i -= 1 }
            if i < 0 { break }
            choice[i] += 1
            for t in i + 1..<k { choice[t] = choice[t - 1] + 1 }
        }
        return best
    }

    /// Solves the square system by Gaussian elimination with partial pivoting; nil when singular.
    private func solveSquare(_ rows: [([Double], Double)]) -> [Double]? {
        let k = rows.count
        var a = rows.map { $0.0 + [$0.1] }
        for c in 0..<k {
            guard let p = (c..<k).max(by: { abs(a[$0][c]) < abs(a[$1][c]) }), abs(a[p][c]) > 1e-12 else { return nil }
            a.swapAt(c, p)
            for r in 0..<k where r != c {
                let f = a[r][c] / a[c][c]
                if f != 0 { for t in c...k { a[r][t] -= f * a[c][t] } }
            }
        }
        return (0..<k).map { a[$0][k] / a[$0][$0] }
    }
}
