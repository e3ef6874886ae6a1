import Foundation
import OptoCore

/// The two-hop cover design of the transit greedy (concurrent objective).
///
/// With transit and no packet fabric at one end of a pair, λ > 0 needs
/// the pair joined by its own circuit or by two circuits `s → k → t`. The
/// greedy's `coverPairs` patches pairs one at a time onto the 1-hop
/// greedy's circuits, which have by then used most ports on the heaviest
/// pairs; on a 32-node fabric with 8–16 pooled ports and no packet fabric
/// that leaves pairs unjoined, and the plan is λ = 0. Joining all 992
/// pairs of 32 nodes within two hops on so few ports is a design problem
/// (a digraph of diameter two under per-node degree limits), so this
/// builds the design first and gives the demand only the ports it leaves.
///
/// The design is one circuit per arc. `ways[s·N + t]` counts the arc
/// `s → t` plus the nodes `k` with arcs `s → k → t`; a needed pair is
/// joined when its count is positive. Adding arc `i → j` joins `i → j`,
/// `i → t` for the out-neighbours `t` of `j` and `s → j` for the
/// in-neighbours `s` of `i` (three disjoint sets), so its gain (needed
/// pairs it joins that were not joined) and a removal's loss (needed pairs
/// joined only through the arc) cost O(degree).
///
/// 1. Construction: add the arc of the largest gain (ties: the pair with
///    more demand) while one has a positive gain and fits the ports, the
///    transmitter and receiver caps.
/// 2. Local search, seeded: take an unjoined needed pair at random; try
///    each arc that would join it (its own, or the missing half of a path
///    through a node joined to one end). Where an end has no port left (or
///    its cap is reached), first remove that end's arc of least loss (not
///    one removed in the last few moves). Take the try of the largest
///    gain − loss when it is ≥ 0 (plateau moves let the design drift), or
///    with probability `exp(Δ / T)` when worse, `T` falling from 0.5 to
///    0.05 (annealing); keep the design with the fewest unjoined pairs.
///    Stop when every needed pair is joined, at the deadline, or after
///    `64·N²` moves.
///
/// The caller gives the free ports to `fillFreePorts` and routes the
/// result; the greedy keeps it only when its routed λ beats its own plan.
extension LinkPoolProblem {
    /// Needed pairs (demand, and no packet port at one end) that the
    /// design leaves unjoined, and the design's circuit counts. Nil when
    /// the problem has a change budget or no needed pair.
    ///
    /// - Complexity: O(N²·d) per construction step (d the largest degree),
    ///   O(d²) per local move.
    func twoHopCover(deadline: ContinuousClock.Instant, seed: UInt64 = 1) -> (counts: [Int], unjoined: Int)? {
        guard maxChanges == nil else { return nil }
        let n = self.n
        var needed = [Bool](repeating: false, count: n * n)
        var neededCount = 0
        for k in 0..<(n * n) where needsCircuitPath(k) {
            needed[k] = true
            neededCount += 1
        }
        guard neededCount > 0 else { return nil }

        var state = GreedyState(self, counts: [Int](repeating: 0, count: n * n))
        var outs = [[Int]](repeating: [], count: n), ins = outs
        var ways = [Int](repeating: 0, count: n * n)
        var unjoined = neededCount

        func bump(_ k: Int, _ d: Int) {
            let before = ways[k]
            ways[k] += d
            if needed[k] {
                if before == 0 && ways[k] > 0 { unjoined -= 1 } else if before > 0 && ways[k] == 0 { unjoined += 1 }
            }
        }
        func gain(_ i: Int, _ j: Int) -> Int {
            var g = needed[i * n + j] && ways[i * n + j] == 0 ? 1 : 0
            for t in outs[j] where t != i && needed[i * n + t] && ways[i * n + t] == 0 { g += 1 }
            for s in ins[i] where s != j && needed[s * n + j] && ways[s * n + j] == 0 { g += 1 }
            return g
        }
        func loss(_ i: Int, _ j: Int) -> Int {
            var l = needed[i * n + j] && ways[i * n + j] == 1 ? 1 : 0
            for t in outs[j] where t != i && needed[i * n + t] && ways[i * n + t] == 1 { l += 1 }
            for s in ins[i] where s != j && needed[s * n + j] && ways[s * n + j] == 1 { l += 1 }
            return l
        }
        func addArc(_ i: Int, _ j: Int) {
            bump(i * n + j, 1)
            for t in outs[j] where t != i { bump(i * n + t, 1) }
            for s in ins[i] where s != j { bump(s * n + j, 1) }
            outs[i].append(j)
            ins[j].append(i)
            state.add(i * n + j)
        }
        func removeArc(_ i: Int, _ j: Int) {
            outs[i].removeAll { $0 == j }
            ins[j].removeAll { $0 == i }
            bump(i * n + j, -1)
            for t in outs[j] where t != i { bump(i * n + t, -1) }
            for s in ins[i] where s != j { bump(s * n + j, -1) }
            state.remove(i * n + j)
        }

        // Adds arc c, first making room at each end that lacks a port (or
        // its cap) by removing that end's arc of least loss (not a tabu one).
        // Returns the change in joined needed pairs and the arcs removed, or
        // nil (nothing changed) when no room can be made.
        func apply(_ c: Int) -> (Int, [Int])? {
            let a = c / n, b = c % n
            var removed: [Int] = []
            var delta = 0
            for end in [a, b] {
                let outward = end == a
                let capFull = outward ? state.out[end] >= tx[end] : state.inc[end] >= rx[end]
                guard capFull || state.free(end) < 1 else { continue }   // this end has room
                // A full cap frees only by an arc of its direction; a full pool by either.
                let outArcs: [Int] = outs[end].map { end * n + $0 }
                let inArcs: [Int] = ins[end].map { $0 * n + end }
                let arcs: [Int] = capFull ? (outward ? outArcs : inArcs) : outArcs + inArcs
                var victim = -1, victimLoss = Int.max
                for v in arcs where v != c && !tabu.contains(v) {
                    let l = loss(v / n, v % n)
                    if l < victimLoss { victim = v; victimLoss = l }
                }
                guard victim >= 0 else { break }
                removeArc(victim / n, victim % n)
                removed.append(victim)
                delta -= victimLoss
            }
            guard state.canAdd(c) else {
                for v in removed.reversed() { addArc(v / n, v % n) }
                return nil
            }
            delta += gain(a, b)
            addArc(a, b)
            return (delta, removed)
        }
        func undo(_ c: Int, _ removed: [Int]) {
            removeArc(c / n, c % n)
            for v in removed.reversed() { addArc(v / n, v % n) }
        }
        var tabu: [Int] = []

        // 1. Construction.
        while unjoined > 0 {
            var best = -1, bestGain = 0, bestDemand = -1.0
            for i in 0..<n where state.free(i) > 0 && state.out[i] < tx[i] {
                for j in 0..<n where j != i && state.counts[i * n + j] == 0 && state.canAdd(i * n + j) {
                    let g = gain(i, j)
                    if g > bestGain || (g == bestGain && g > 0 && demand[i * n + j] > bestDemand) {
                        best = i * n + j; bestGain = g; bestDemand = demand[i * n + j]
                    }
                }
            }
            guard best >= 0 else { break }
            addArc(best / n, best % n)
        }

        // 2. Local search.
        let constructed = unjoined
        var bestCounts = state.counts, bestUnjoined = unjoined
        var rng = SplitMix64(seed: seed)
        let tabuLength = max(4, n / 4)
        var moves = 0
        let moveLimit = 64 * n * n
        while unjoined > 0 && moves < moveLimit && (moves % 64 != 0 || ContinuousClock.now < deadline) {
            moves += 1
            // An unjoined needed pair, picked at random.
            var pick = Int.random(in: 0..<(n * n), using: &rng)
            while !(needed[pick] && ways[pick] == 0) { pick = (pick + 1) % (n * n) }
            let s = pick / n, t = pick % n
            var candidates = [pick]
            for k in outs[s] where k != t && state.counts[k * n + t] == 0 { candidates.append(k * n + t) }
            for k in ins[t] where k != s && state.counts[s * n + k] == 0 { candidates.append(s * n + k) }
            // Each candidate tried (room made, arc added, counted, undone); the best taken.
            var bestMove: (delta: Int, arc: Int)?
            for c in candidates {
                guard let (delta, removed) = apply(c) else { continue }
                undo(c, removed)
                if bestMove == nil || delta > bestMove!.delta || (delta == bestMove!.delta && Bool.random(using: &rng)) {
                    bestMove = (delta, c)
                }
            }
            guard let move = bestMove else { continue }
            // Plateau and improving moves are taken; worsening ones with a
            // probability that falls as the search goes on (annealing).
            let temperature = max(0.05, 0.5 * (1 - Double(moves) / Double(moveLimit)))
            guard move.delta >= 0 || Double.random(in: 0..<1, using: &rng) < exp(Double(move.delta) / temperature) else { continue }
            guard let (_, removed) = apply(move.arc) else { continue }
            tabu.append(contentsOf: removed)
            if tabu.count > tabuLength { tabu.removeFirst(tabu.count - tabuLength) }
            if unjoined < bestUnjoined { bestUnjoined = unjoined; bestCounts = state.counts }
        }
        transitTrace("two-hop cover: \(neededCount) needed pairs, \(constructed) unjoined after construction, \(bestUnjoined) after \(moves) moves")
        return (bestCounts, bestUnjoined)
    }
}
