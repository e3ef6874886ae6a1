import OptoCore

// MARK: - Greedy with single-circuit moves
//
// 1. Start from nothing, or, when a change budget is given, from the current
//    allocation (repaired first if it breaks the port limits, each removal
//    charged to the budget).
// 2. Add phase: repeatedly add the circuit that most raises the objective.
//    * `throughput`: the gain of a circuit is exact (the electrical
//      transportation problem re-solved incrementally); candidates are tried
//      in order of their upper bound `min(r_c, R − n·r_c)` and the scan stops
//      once no remaining bound can beat the best exact gain.
//    * `concurrent`: `λ` is the smallest of 2N per-node limits (send and
//      receive sides, see the electrical sub-problem); one circuit raises at
//      most two of them, so `λ` itself is flat whenever three or more sides
//      tie for the minimum. Circuits are therefore ranked by the sorted vector
//      of all side limits compared lexicographically (leximin): first by the
//      new `λ`, then by how far they relieve the tightest sides. Only the
//      two sides a circuit touches change, so a candidate is scored in O(1)
//      from cached per-pair limits, and adding `i → j` refreshes only the
//      caches of row `i` and column `j`.
// 3. Local improvement: move one circuit (remove `k → l`, add `i → j`) when
//    that improves the same ranking, re-running the add phase after each move
//    (a move can free a port).
// 4. Prune: remove circuits whose removal does not lower the objective, so
//    the plan holds no circuit that carries nothing useful.
//
// Every step keeps the port limits, the tx/rx caps and the change budget.

extension LinkPoolProblem {
    /// The greedy allocation of this problem.
    ///
    /// - Parameter deadline: a `ContinuousClock` instant after which the
    ///   local-improvement pass stops early (the plan stays feasible).
    /// - Throws: ``LinkPoolError/heuristicFailed(_:)`` when the current
    ///   allocation cannot be repaired within the change budget.
    /// - Complexity: concurrent O(C·N² log N) for C circuits placed, plus the
    ///   moves; throughput O(C·K·N²) for K exact gain evaluations per step.
    func greedyAllocation(deadline: ContinuousClock.Instant? = nil) throws(LinkPoolError) -> LinkPoolAllocation {
        var state = try GreedyState(self)
        switch objective {
        case .concurrent:
            // Two starts, each improved by the same moves: circuits added by
            // leximin, and circuits placed to meet a target λ found by
            // bisection. The better allocation wins (fewer circuits on a tie).
            var search = ConcurrentGreedy(state)
            search.run(deadline: deadline)
            var bestCounts = search.state.counts
            var bestLambda = concurrentLambda(bestCounts)
            for weighted in [false, true] {
                // Past the deadline the other starts are not tried (N = 64: 0.2 s each).
                if let deadline, ContinuousClock.now > deadline { break }
                guard let targeted = ConcurrentGreedy.targetStart(state, from: bestLambda * 0.9, weighted: weighted) else { continue }
                var second = ConcurrentGreedy(targeted)
                second.run(deadline: deadline)
                let lambda = concurrentLambda(second.state.counts)
                let tol = 1e-12 * bestLambda
                if lambda > bestLambda + tol
                    || (lambda >= bestLambda - tol && second.state.counts.reduce(0, +) < bestCounts.reduce(0, +)) {
                    bestCounts = second.state.counts
                    bestLambda = lambda
                }
            }
            return allocation(bestCounts)
        case .throughput:
            var search = ThroughputGreedy(state)
            search.run(deadline: deadline)
            state = search.state
        }
        return allocation(state.counts)
    }
}

/// Circuits, port usage and changes so far, shared by both greedy searches.
struct GreedyState {
    let p: LinkPoolProblem
    var counts: [Int]
    var out: [Int]
    var inc: [Int]
    var changes: Int

    /// The start: empty, or the current allocation (repaired) when a change budget applies.
    init(_ p: LinkPoolProblem) throws(LinkPoolError) {
        self.p = p
        let n = p.n
        counts = [Int](repeating: 0, count: n * n)
        out = [Int](repeating: 0, count: n)
        inc = [Int](repeating: 0, count: n)
        changes = p.maxChanges == nil ? 0 : p.changes(counts)
        guard p.maxChanges != nil else { return }
        for k in 0..<(n * n) where p.current[k] > 0 {
            counts[k] = p.current[k]
            out[k / n] += p.current[k]
            inc[k % n] += p.current[k]
        }
        changes = 0
        // Repair: remove circuits at overloaded nodes, preferring circuits
        // whose both ends are overloaded, then those with the least demand.
        func overload(_ v: Int) -> (pool: Int, tx: Int, rx: Int) {
            (max(0, out[v] + inc[v] - p.ports[v]), max(0, out[v] - p.tx[v]), max(0, inc[v] - p.rx[v]))
        }
        while true {
            var best = -1
            var bestScore = (0, -Double.infinity)
            for k in 0..<(n * n) where counts[k] > 0 {
                let i = k / n, j = k % n
                let oi = overload(i), oj = overload(j)
                let relief = (oi.pool > 0 ? 1 : 0) + (oi.tx > 0 ? 1 : 0) + (oj.pool > 0 ? 1 : 0) + (oj.rx > 0 ? 1 : 0)
                if relief == 0 { continue }
                let score = (relief, -p.demand[k])
                if score > bestScore { bestScore = score; best = k }
            }
            if best < 0 { break }
            remove(best)
            if let m = p.maxChanges, changes > m {
                throw .heuristicFailed("the current allocation breaks the port limits and repairing it takes more than maxChanges = \(m) changes")
            }
        }
    }

    /// A state holding `counts` (assumed within the port limits and budget).
    init(_ p: LinkPoolProblem, counts: [Int]) {
        self.p = p
        self.counts = counts
        out = [Int](repeating: 0, count: p.n)
        inc = out
        for k in 0..<(p.n * p.n) where counts[k] > 0 {
            out[k / p.n] += counts[k]
            inc[k % p.n] += counts[k]
        }
        changes = p.changes(counts)
    }

    /// Free pooled ports of node `v`.
    @inline(__always) func free(_ v: Int) -> Int { p.ports[v] - out[v] - inc[v] }

    /// The change-count delta of adding one circuit on pair `k`.
    @inline(__always) func addDelta(_ k: Int) -> Int { counts[k] < p.current[k] ? -1 : 1 }
    /// The change-count delta of removing one circuit from pair `k`.
    @inline(__always) func removeDelta(_ k: Int) -> Int { counts[k] > p.current[k] ? -1 : 1 }

    /// Whether one more circuit fits on pair `k` (ports, caps, budget), with
    /// `freedFrom` (a pair one circuit was just taken from, or -1) counted as removed.
    func canAdd(_ k: Int, freedFrom r: Int = -1) -> Bool {
        let n = p.n
        let i = k / n, j = k % n
        if i == j || k == r { return false }
        let ri = r >= 0 ? r / n : -1, rj = r >= 0 ? r % n : -1
        let fi = free(i) + (i == ri || i == rj ? 1 : 0)
        let fj = free(j) + (j == ri || j == rj ? 1 : 0)
        let oi = out[i] - (i == ri ? 1 : 0)
        let ij = inc[j] - (j == rj ? 1 : 0)
        guard fi >= 1, fj >= 1, oi < p.tx[i], ij < p.rx[j] else { return false }
        if let m = p.maxChanges {
            var d = addDelta(k)
            if r >= 0 { d += removeDelta(r) }
            if changes + d > m { return false }
        }
        return true
    }

    /// Whether removing one circuit from pair `k` fits the budget.
    func canRemove(_ k: Int) -> Bool {
        guard counts[k] > 0 else { return false }
        if let m = p.maxChanges, changes + removeDelta(k) > m { return false }
        return true
    }

    mutating func add(_ k: Int) {
        if p.maxChanges != nil { changes += addDelta(k) }
        counts[k] += 1
        out[k / p.n] += 1
        inc[k % p.n] += 1
    }

    mutating func remove(_ k: Int) {
        if p.maxChanges != nil { changes += removeDelta(k) }
        counts[k] -= 1
        out[k / p.n] -= 1
        inc[k % p.n] -= 1
    }
}

// MARK: - Concurrent

/// Up to four sides with their new limits: what one added circuit (two
/// sides) or one move (up to four) does to the side limits.
struct SideEffect {
    var sides = SIMD4<Int>(repeating: -1)
    var values = SIMD4<Double>(repeating: 0)
    var count = 0

    @inline(__always) mutating func append(_ side: Int, _ value: Double) {
        sides[count] = side
        values[count] = value
        count += 1
    }

    @inline(__always) func value(of side: Int) -> Double? {
        for t in 0..<count where sides[t] == side { return values[t] }
        return nil
    }
}

/// The concurrent greedy: leximin over the 2N side limits.
struct ConcurrentGreedy {
    var state: GreedyState
    let n: Int
    /// Side limits: send side of node i at i, receive side of node j at n + j.
    var limit: [Double]
    let sendPairs: [[Int]]
    let receivePairs: [[Int]]
    /// Per pair k = i·N + j: the send limit of i after one more circuit on k.
    var addSend: [Double]
    /// Per pair k = i·N + j: the receive limit of j after one more circuit on k.
    var addReceive: [Double]
    /// Pairs with demand.
    let demandPairs: [Int]
    /// An upper bound Λ on any reachable λ: no side can beat its packet
    /// limit plus all of its ports' circuits, `(p_i + r_c·min(q_i, tx_i)) /
    /// Σ_j R_ij` (likewise for receiving). Raising a side already at Λ can
    /// never raise λ, so neither adds nor moves spend ports on it.
    let ceiling: Double

    init(_ state: GreedyState) {
        self.state = state
        let p = state.p
        n = p.n
        sendPairs = (0..<p.n).map { p.sendPairs($0) }
        receivePairs = (0..<p.n).map { p.receivePairs($0) }
        demandPairs = (0..<(p.n * p.n)).filter { p.demand[$0] > 0 }
        var bound = Double.infinity
        for v in 0..<p.n {
            var out = 0.0, inc = 0.0
            for u in 0..<p.n { out += p.demand[v * p.n + u]; inc += p.demand[u * p.n + v] }
            if out > 0 { bound = min(bound, (p.packet[v] + p.rate * Double(min(p.ports[v], p.tx[v]))) / out) }
            if inc > 0 { bound = min(bound, (p.packet[v] + p.rate * Double(min(p.ports[v], p.rx[v]))) / inc) }
        }
        ceiling = bound * (1 + 1e-9)
        limit = [Double](repeating: .infinity, count: 2 * p.n)
        addSend = [Double](repeating: .infinity, count: p.n * p.n)
        addReceive = addSend
        for v in 0..<n {
            limit[v] = sendLimit(v)
            limit[n + v] = receiveLimit(v)
        }
        for k in demandPairs {
            addSend[k] = sendLimit(k / n, k, 1)
            addReceive[k] = receiveLimit(k % n, k, 1)
        }
    }

    /// The send limit of node `i` with pair `mod1` changed by `delta1`
    /// circuits and `mod2` by `delta2`.
    @inline(__always)
    func sendLimit(_ i: Int, _ mod1: Int = -1, _ delta1: Int = 0, _ mod2: Int = -1, _ delta2: Int = 0) -> Double {
        LinkPoolProblem.sideLimit(pairs: sendPairs[i], demand: state.p.demand, counts: state.counts, rate: state.p.rate,
                                  packet: state.p.packet[i], mod1: mod1, delta1: delta1, mod2: mod2, delta2: delta2)
    }

    /// The receive limit of node `j`, changed likewise.
    @inline(__always)
    func receiveLimit(_ j: Int, _ mod1: Int = -1, _ delta1: Int = 0, _ mod2: Int = -1, _ delta2: Int = 0) -> Double {
        LinkPoolProblem.sideLimit(pairs: receivePairs[j], demand: state.p.demand, counts: state.counts, rate: state.p.rate,
                                  packet: state.p.packet[j], mod1: mod1, delta1: delta1, mod2: mod2, delta2: delta2)
    }

    var lambda: Double { limit.min() ?? .infinity }

    /// Leximin comparison of two changes of the side limits (each a set of
    /// side → new value; sides not listed keep their limit): 1 when `a`
    /// leaves the better sorted vector, -1 when `b` does, 0 when equal
    /// within a relative 1e-12. Allocation-free: it runs for every
    /// candidate circuit.
    func compare(_ a: SideEffect, _ b: SideEffect) -> Int {
        var sides = SIMD8<Int>(repeating: -1)
        var count = 0
        for t in 0..<a.count where !contains(sides, count, a.sides[t]) { sides[count] = a.sides[t]; count += 1 }
        for t in 0..<b.count where !contains(sides, count, b.sides[t]) { sides[count] = b.sides[t]; count += 1 }
        var va = SIMD8<Double>(repeating: 0), vb = SIMD8<Double>(repeating: 0)
        for t in 0..<count {
            va[t] = a.value(of: sides[t]) ?? limit[sides[t]]
            vb[t] = b.value(of: sides[t]) ?? limit[sides[t]]
        }
        insertionSort(&va, count)
        insertionSort(&vb, count)
        for t in 0..<count {
            let x = va[t], y = vb[t]
            if x == y { continue }
            let tol = 1e-12 * max(abs(x), abs(y))
            if x.isInfinite || y.isInfinite || abs(x - y) > tol { return x > y ? 1 : -1 }
        }
        return 0
    }

    @inline(__always) private func contains(_ v: SIMD8<Int>, _ count: Int, _ x: Int) -> Bool {
        for t in 0..<count where v[t] == x { return true }
        return false
    }

    @inline(__always) private func insertionSort(_ v: inout SIMD8<Double>, _ count: Int) {
        if count < 2 { return }
        for t in 1..<count {
            let x = v[t]
            var u = t - 1
            while u >= 0 && v[u] > x { v[u + 1] = v[u]; u -= 1 }
            v[u + 1] = x
        }
    }

    /// Applies one added circuit on `k` and refreshes the caches of its row and column.
    mutating func apply(add k: Int) {
        state.add(k)
        refresh(row: k / n, column: k % n)
    }

    /// Applies one removed circuit on `k` and refreshes the caches.
    mutating func apply(remove k: Int) {
        state.remove(k)
        refresh(row: k / n, column: k % n)
    }

    mutating func refresh(row i: Int, column j: Int) {
        limit[i] = sendLimit(i)
        limit[n + j] = receiveLimit(j)
        for k in sendPairs[i] { addSend[k] = sendLimit(i, k, 1) }
        for k in receivePairs[j] { addReceive[k] = receiveLimit(j, k, 1) }
    }

    /// Adds circuits while one improves the ranking.
    mutating func addPhase() {
        while true {
            var best = SideEffect()
            var bestK = -1
            for k in demandPairs where state.canAdd(k) {
                let i = k / n, j = k % n
                if !((addSend[k] > limit[i] && limit[i] < ceiling) || (addReceive[k] > limit[n + j] && limit[n + j] < ceiling)) { continue }
                var cand = SideEffect()
                cand.append(i, addSend[k])
                cand.append(n + j, addReceive[k])
                if bestK < 0 {
                    if compare(cand, SideEffect()) > 0 { best = cand; bestK = k }
                } else if compare(cand, best) > 0 {
                    best = cand; bestK = k
                }
            }
            if bestK < 0 { return }
            apply(add: bestK)
        }
    }

    /// The sides a move (remove `r`, add `k`) changes, with their new limits.
    func moveEffect(remove r: Int, add k: Int, lowSend: Double, lowReceive: Double) -> SideEffect {
        let a = r / n, b = r % n, i = k / n, j = k % n
        var effect = SideEffect()
        if a == i {
            effect.append(a, sendLimit(a, r, -1, k, 1))
        } else {
            effect.append(a, lowSend)
            effect.append(i, addSend[k])
        }
        if b == j {
            effect.append(n + b, receiveLimit(b, r, -1, k, 1))
        } else {
            effect.append(n + b, lowReceive)
            effect.append(n + j, addReceive[k])
        }
        return effect
    }

    /// Finds the best improving single-circuit move, or nil.
    func bestMove(deadline: ContinuousClock.Instant?) -> (remove: Int, add: Int)? {
        var best = SideEffect()
        var bestMove: (Int, Int)?
        let occupied = (0..<(n * n)).filter { state.counts[$0] > 0 }
        for r in occupied where state.canRemove(r) {
            if let d = deadline, ContinuousClock.now > d { break }
            let a = r / n, b = r % n
            let lowA = sendLimit(a, r, -1)
            let lowB = receiveLimit(b, r, -1)
            let low = min(lowA, lowB, ceiling)
            for k in demandPairs where k != r {
                let i = k / n, j = k % n
                // The move must raise a side that is tighter than what the
                // removal leaves behind, or it cannot improve the ranking.
                // (Equality is allowed: with i = a or j = b the side the move
                // raises is the one the removal lowered.)
                let raisesSend = addSend[k] > limit[i] && limit[i] <= low
                let raisesReceive = addReceive[k] > limit[n + j] && limit[n + j] <= low
                if !(raisesSend || raisesReceive) { continue }
                guard state.canAdd(k, freedFrom: r) else { continue }
                let effect = moveEffect(remove: r, add: k, lowSend: lowA, lowReceive: lowB)
                if compare(effect, SideEffect()) <= 0 { continue }
                if bestMove == nil || compare(effect, best) > 0 {
                    best = effect
                    bestMove = (r, k)
                }
            }
        }
        return bestMove
    }

    /// Removes circuits that do not hold up `λ`, most slack first.
    mutating func prune() {
        let target = lambda
        let floor = target - 1e-12 * abs(target)
        while true {
            var bestR = -1
            var bestSlack = -Double.infinity
            for r in 0..<(n * n) where state.canRemove(r) {
                let a = r / n, b = r % n
                let s = state.p.demand[r] > 0 ? sendLimit(a, r, -1) : limit[a]
                let t = state.p.demand[r] > 0 ? receiveLimit(b, r, -1) : limit[n + b]
                let slack = min(s, t)
                if slack >= floor && slack > bestSlack { bestSlack = slack; bestR = r }
            }
            if bestR < 0 { return }
            apply(remove: bestR)
        }
    }

    /// Circuits placed to carry `λ·R` for a target λ: while some side needs
    /// more than its packet limit, add the circuit that removes the most of
    /// that excess (counted on both of its sides). Returns nil when the
    /// ports run out first.
    ///
    /// - Complexity: O(C·P) for C circuits and P pairs with demand.
    static func place(_ start: GreedyState, lambda: Double, pairs: [Int], weighted: Bool) -> GreedyState? {
        var state = start
        let p = state.p, n = p.n, rc = p.rate
        var excess = [Double](repeating: 0, count: 2 * n)
        for v in 0..<n { excess[v] = -p.packet[v]; excess[n + v] = -p.packet[v] }
        var deficit = [Double](repeating: 0, count: n * n)
        for k in pairs {
            deficit[k] = max(0, lambda * p.demand[k] - Double(state.counts[k]) * rc)
            excess[k / n] += deficit[k]
            excess[n + k % n] += deficit[k]
        }
        let slack = 1e-9 * rc
        while true {
            var open = false
            for v in 0..<(2 * n) where excess[v] > slack { open = true; break }
            if !open { return state }
            var best = -1
            var bestScore = 0.0, bestCover = 0.0
            for k in pairs where deficit[k] > slack {
                let i = k / n, j = n + k % n
                if excess[i] <= slack && excess[j] <= slack { continue }
                guard state.canAdd(k) else { continue }
                let cover = min(rc, deficit[k])
                var score = min(cover, max(0, excess[i])) + min(cover, max(0, excess[j]))
                if weighted {
                    // Spend scarce ports last: divide by how tight the two
                    // nodes' ports are against what their sides still need.
                    func tight(_ v: Int) -> Double {
                        let need = (max(0, excess[v]) + max(0, excess[n + v])) / rc
                        return need / Double(max(1, state.free(v)))
                    }
                    score /= 1 + tight(i) + tight(k % n)
                }
                if score > bestScore + slack || (score > bestScore - slack && cover > bestCover) {
                    best = k; bestScore = score; bestCover = cover
                }
            }
            if best < 0 { return nil }
            let cover = min(rc, deficit[best])
            deficit[best] -= cover
            excess[best / n] -= cover
            excess[n + best % n] -= cover
            state.add(best)
        }
    }

    /// The best placement found by bisection on the target λ, starting
    /// above `known` (a λ already reached), or nil when no target above it
    /// could be placed.
    ///
    /// - Complexity: O(log(1/ε)·C·P).
    static func targetStart(_ start: GreedyState, from known: Double, weighted: Bool) -> GreedyState? {
        let p = start.p
        let pairs = (0..<(p.n * p.n)).filter { p.demand[$0] > 0 }
        guard known.isFinite, known > 0 else { return nil }
        var lo = known, hi = known * 1.5
        var best: GreedyState?
        // Grow the bracket while targets can be placed.
        var grow = 0
        while grow < 20, let s = place(start, lambda: hi, pairs: pairs, weighted: weighted) {
            best = s
            lo = hi
            hi *= 1.5
            grow += 1
        }
        for _ in 0..<18 {
            let mid = 0.5 * (lo + hi)
            if let s = place(start, lambda: mid, pairs: pairs, weighted: weighted) {
                best = s
                lo = mid
            } else {
                hi = mid
            }
            if hi - lo <= 1e-3 * lo { break }
        }
        return best
    }

    mutating func run(deadline: ContinuousClock.Instant?) {
        addPhase()
        var moves = 0
        let maxMoves = 4 * state.p.ports.reduce(0, +) + 16
        while moves < maxMoves {
            if let d = deadline, ContinuousClock.now > d { break }
            guard let m = bestMove(deadline: deadline) else { break }
            apply(remove: m.remove)
            apply(add: m.add)
            addPhase()
            moves += 1
        }
        prune()
    }
}

// MARK: - Throughput

/// The throughput greedy: exact gains through the incremental transportation solver.
struct ThroughputGreedy {
    var state: GreedyState
    let n: Int
    var transport: ElectricalTransport
    let demandPairs: [Int]
    /// `Σ min(R, n·r_c)` over the pairs: what the circuits carry.
    var circuitPart: Double
    let epsilon: Double

    init(_ state: GreedyState) {
        self.state = state
        let p = state.p
        n = p.n
        transport = ElectricalTransport(p, counts: state.counts)
        transport.solve()
        demandPairs = (0..<(p.n * p.n)).filter { p.demand[$0] > 0 }
        circuitPart = 0
        for k in demandPairs { circuitPart += min(p.demand[k], Double(state.counts[k]) * p.rate) }
        epsilon = transport.epsilon * 1e3
    }

    var total: Double { circuitPart + transport.total }

    /// What the circuits of pair `k` carry with `c` of them.
    func carried(_ k: Int, _ c: Int) -> Double { min(state.p.demand[k], Double(c) * state.p.rate) }

    /// The residual demand of pair `k` with `c` circuits.
    func residual(_ k: Int, _ c: Int) -> Double { max(0, state.p.demand[k] - Double(c) * state.p.rate) }

    /// The exact gain of one more circuit on `k` from `base` (with `counts`),
    /// and the transport after it.
    func gain(adding k: Int, counts c: Int, base: ElectricalTransport) -> (Double, ElectricalTransport) {
        let direct = carried(k, c + 1) - carried(k, c)
        var t = base
        let before = t.total
        t.setCapacity(k, residual(k, c + 1))
        if t.flow[k] < base.flow[k] { t.augment() }
        return (direct - (before - t.total), t)
    }

    /// The best addable circuit from `base`, with its gain and transport.
    func bestAdd(base: ElectricalTransport, removed r: Int) -> (Int, Double, ElectricalTransport)? {
        var cands: [(k: Int, ub: Double)] = []
        for k in demandPairs where state.canAdd(k, freedFrom: r) {
            let c = state.counts[k] - (k == r ? 1 : 0)
            let ub = carried(k, c + 1) - carried(k, c)
            if ub > epsilon { cands.append((k, ub)) }
        }
        cands.sort { $0.ub > $1.ub || ($0.ub == $1.ub && $0.k < $1.k) }
        var best: (Int, Double, ElectricalTransport)?
        for cand in cands {
            if let b = best, cand.ub <= b.1 + epsilon { break }
            let c = state.counts[cand.k] - (cand.k == r ? 1 : 0)
            let (g, t) = gain(adding: cand.k, counts: c, base: base)
            if g > epsilon && (best == nil || g > best!.1 + epsilon) { best = (cand.k, g, t) }
        }
        return best
    }

    mutating func commitAdd(_ k: Int, transport t: ElectricalTransport) {
        circuitPart += carried(k, state.counts[k] + 1) - carried(k, state.counts[k])
        state.add(k)
        transport = t
    }

    /// The transport and objective after removing one circuit from `r`.
    func removal(_ r: Int) -> (ElectricalTransport, Double) {
        let c = state.counts[r]
        var t = transport
        if state.p.demand[r] > 0 {
            t.setCapacity(r, residual(r, c - 1))
            t.augment()
        }
        let part = circuitPart - (state.p.demand[r] > 0 ? carried(r, c) - carried(r, c - 1) : 0)
        return (t, part + t.total)
    }

    mutating func commitRemove(_ r: Int, transport t: ElectricalTransport) {
        if state.p.demand[r] > 0 { circuitPart -= carried(r, state.counts[r]) - carried(r, state.counts[r] - 1) }
        state.remove(r)
        transport = t
    }

    mutating func addPhase() {
        while let (k, _, t) = bestAdd(base: transport, removed: -1) {
            commitAdd(k, transport: t)
        }
    }

    /// The first improving move, trying removals that cost least first.
    mutating func improveOnce(deadline: ContinuousClock.Instant?) -> Bool {
        let now = total
        var removals: [(r: Int, after: Double, t: ElectricalTransport)] = []
        for r in 0..<(n * n) where state.canRemove(r) {
            let (t, after) = removal(r)
            removals.append((r, after, t))
        }
        removals.sort { $0.after > $1.after || ($0.after == $1.after && $0.r < $1.r) }
        for rem in removals {
            if let d = deadline, ContinuousClock.now > d { return false }
            // A move gains at most r_c over the removal's value.
            if rem.after + state.p.rate <= now + epsilon { break }
            guard let (k, g, _) = bestAdd(base: rem.t, removed: rem.r) else { continue }
            if rem.after + g > now + epsilon {
                let c = state.counts[k] - (k == rem.r ? 1 : 0)
                commitRemove(rem.r, transport: rem.t)
                let (_, t2) = gain(adding: k, counts: c, base: transport)
                commitAdd(k, transport: t2)
                return true
            }
        }
        return false
    }

    mutating func prune() {
        while true {
            let now = total
            var best: (Int, ElectricalTransport, Double)?
            for r in 0..<(n * n) where state.canRemove(r) {
                let (t, after) = removal(r)
                if after >= now - epsilon && (best == nil || after > best!.2) { best = (r, t, after) }
            }
            guard let b = best else { return }
            commitRemove(b.0, transport: b.1)
        }
    }

    mutating func run(deadline: ContinuousClock.Instant?) {
        addPhase()
        var moves = 0
        let maxMoves = 4 * state.p.ports.reduce(0, +) + 16
        while moves < maxMoves, improveOnce(deadline: deadline) {
            addPhase()
            moves += 1
        }
        prune()
    }
}
