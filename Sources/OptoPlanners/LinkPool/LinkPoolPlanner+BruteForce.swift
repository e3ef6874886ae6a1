import OptoCore
import OptoModel

extension LinkPoolProblem {
    /// The exact optimum by enumerating every circuit matrix: the oracle the
    /// tests hold the exact model and the heuristics to on small instances.
    ///
    /// Every matrix `n` within the port limits, tx/rx caps and change budget
    /// is scored with the exact electrical sub-problem; the best objective
    /// wins (relative tolerance 1e-9), ties going to the fewest circuits.
    /// Only pairs with demand or a current circuit are enumerated (a circuit
    /// elsewhere carries nothing, so it is never part of a best allocation).
    /// With `symmetric`, `n[i][j] = n[j][i]` is enforced.
    ///
    /// - Returns: the best allocation, or nil when no matrix is feasible.
    /// - Throws: ``LinkPoolError/invalidInstance(_:)`` when more than
    ///   `limit` matrices would have to be scored.
    /// - Complexity: O(M·N² log N) for M feasible matrices.
    ///
    /// With transit (`maxHops: 2`) a `solver` is needed: every matrix is
    /// scored with the routing LP, and a pair is enumerated when a circuit
    /// on it can carry anything (its own demand, or demand that can cross it
    /// as the first or second of two circuits, or a current circuit).
    func bruteForce(symmetric: Bool = false, limit: Int = 2_000_000, solver: (any Solver)? = nil) throws(LinkPoolError) -> LinkPoolAllocation? {
        if transit && solver == nil { throw .invalidInstance("brute force with transit needs an LP solver for the routing") }
        func useful(_ k: Int) -> Bool {
            if pairMatters(k) { return true }
            guard transit else { return false }
            let i = k / n, j = k % n
            for t in 0..<n where t != i && t != j && demand[i * n + t] > 0 { return true }
            for s in 0..<n where s != i && s != j && demand[s * n + j] > 0 { return true }
            return false
        }
        var pairs: [Int] = []
        for i in 0..<n {
            for j in 0..<n where i != j {
                let k = i * n + j
                if symmetric {
                    if i < j && (useful(k) || useful(j * n + i)) { pairs.append(k) }
                } else if useful(k) {
                    pairs.append(k)
                }
            }
        }
        var failure: String?
        func score(_ counts: [Int]) -> Double {
            guard transit, let solver else { return objectiveValue(counts) }
            do { return try routedAllocation(counts, solver: solver).objective } catch {
                failure = "\(error)"
                return -.infinity
            }
        }
        var counts = [Int](repeating: 0, count: n * n)
        var out = [Int](repeating: 0, count: n), inc = out
        var best: (objective: Double, circuits: Int, counts: [Int])?
        var scored = 0
        var tooMany = false

        func fits(_ i: Int, _ j: Int) -> Bool {
            out[i] + inc[i] <= ports[i] && out[j] + inc[j] <= ports[j] && out[i] <= tx[i] && inc[j] <= rx[j]
                && out[j] <= tx[j] && inc[i] <= rx[i]
        }
        func visit(_ t: Int) {
            if tooMany { return }
            if t == pairs.count {
                if let m = maxChanges, changes(counts) > m { return }
                scored += 1
                if scored > limit { tooMany = true; return }
                let value = score(counts)
                let circuits = counts.reduce(0, +)
                if let b = best {
                    let tol = 1e-9 * max(abs(b.objective), abs(value), 1e-300)
                    if value > b.objective + tol || (abs(value - b.objective) <= tol && circuits < b.circuits) {
                        best = (value, circuits, counts)
                    }
                } else {
                    best = (value, circuits, counts)
                }
                return
            }
            let k = pairs[t], i = k / n, j = k % n
            var c = 0
            while true {
                visit(t + 1)
                if tooMany { break }
                // One more circuit on the pair (both directions when symmetric).
                c += 1
                counts[k] += 1; out[i] += 1; inc[j] += 1
                if symmetric { counts[j * n + i] += 1; out[j] += 1; inc[i] += 1 }
                if !fits(i, j) { break }
            }
            counts[k] -= c; out[i] -= c; inc[j] -= c
            if symmetric { counts[j * n + i] -= c; out[j] -= c; inc[i] -= c }
        }
        visit(0)
        if tooMany { throw .invalidInstance("brute force would score more than \(limit) circuit matrices") }
        if let failure { throw .invalidInstance("brute force: the routing LP failed: \(failure)") }
        guard let b = best else { return nil }
        if transit, let solver {
            do { return try routedAllocation(b.counts, solver: solver, tidy: true) } catch {
                throw .invalidInstance("brute force: the routing LP failed: \(error)")
            }
        }
        return allocation(b.counts)
    }
}
