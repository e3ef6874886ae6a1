import OptoCore

/// Unequal ring shares on given circuits: `matched`'s last stage.
///
/// A damaged circuit graph often has fewer disjoint Hamiltonian cycles
/// than the group's ports (`r` of `k`), and `S` split evenly over those `r`
/// runs at `k/r` of the bound, while a node with `d` circuits left could
/// carry `S/d` per circuit. The stage splits `S` into `R` equal *slots*
/// (`R` from `k` down to 1: a ring holding several slots carries a larger
/// share, so shares are multiples of `S/R`, and a search with fewer slots
/// moves what would be tied slots together), starts from the candidate's
/// rings rounded to slots, and moves nodes within a slot's ring (relocate
/// one node, half the time right after one of its circuit predecessors;
/// move a stretch of two or three; swap two) while these do not get worse,
/// in this order: the hops without a route, the most loaded circuit (load
/// over capacity, the drain model's measure), how many circuits share that
/// load, the sum of squares. After `max(200, 20·m)` moves without a new
/// best one move is kept whatever it costs (a kick); the best state seen
/// is the result. A slot may use off-circuit hops (relayed over their
/// route), so the extra rings are segmented rings carrying a slot each
/// where the circuits have room.
///
/// Each slot stays its own ring of `S/R` in the plan (equal rings are
/// merged only when every slot is the same ring), so every transfer of a
/// step has the same size: with `p = 0` and no other collective a step of
/// the evaluator then lasts exactly the drain model's time (every transfer
/// gets at least `1/L_max` of a circuit from the start, `L_max` the most
/// transfers over one circuit's capacity), and the drain model, which also
/// compares the stage's result with the even split, speaks for the judge.
extension CollectivePlanner {
    /// The slot search for one allreduce: the best ring lists found for
    /// each slot count, or empty when the candidate already meets the
    /// group's degree bound.
    ///
    /// - Parameters:
    ///   - starts: candidate ring lists (the best first); the moves are shared among them.
    ///   - background: bytes per circuit pair (`u·N+v`) of every other collective.
    ///   - moves: moves tried per slot count.
    /// - Complexity: O(moves · (m·maxHops + circuit pairs)) per slot count.
    static func slotSearch(_ c: Collective, starts: [[CollectivePlan.Ring]], ports: Int, routing: CircuitRouting, rate: Double,
                           background: [Int: Double], moves: Int, seed: UInt64 = 0x5107) -> [[CollectivePlan.Ring]] {
        let n = routing.nodes
        let m = c.group.count
        guard m >= 3, ports >= 1, c.bytes > 0 else { return [] }
        // Circuit pairs, densely numbered.
        var id: [Int: Int] = [:]
        var capacity: [Double] = []
        for key in 0..<(n * n) where routing.multiplicity[key] > 0 { id[key] = capacity.count; capacity.append(Double(routing.multiplicity[key]) * rate) }
        guard !capacity.isEmpty else { return [] }
        var base = Array(repeating: 0.0, count: capacity.count)
        for (key, b) in background { if let e = id[key] { base[e] += b } }
        // Hops as circuit ids, per ordered pair of the group.
        var routes: [Int: [[Int]?]] = [:]
        var hopCache: [Int: [Int]?] = [:]
        func hops(_ u: Int, _ v: Int) -> [Int]? {
            if let h = hopCache[u * n + v] { return h }
            if routes[u] == nil { routes[u] = routing.routes(from: u) }
            let h = routes[u]![v].map { p in (0..<(p.count - 1)).map { id[p[$0] * n + p[$0 + 1]]! } }
            hopCache[u * n + v] = h
            return h
        }
        // A ring's circuits, and its hops with no route (which the search removes first).
        func ringHops(_ order: [Int]) -> (circuits: [Int], missing: Int) {
            var out: [Int] = [], missing = 0
            for i in 0..<order.count {
                if let h = hops(order[i], order[(i + 1) % order.count]) { out += h } else { missing += 1 }
            }
            return (out, missing)
        }
        struct Score: Comparable {
            var missing: Int, worst: Double, atWorst: Int, squares: Double
            static func < (a: Score, b: Score) -> Bool {
                if a.missing != b.missing { return a.missing < b.missing }
                if abs(a.worst - b.worst) > 1e-12 * max(a.worst, b.worst) { return a.worst < b.worst }
                if a.atWorst != b.atWorst { return a.atWorst < b.atWorst }
                return a.squares < b.squares * (1 - 1e-12)
            }
        }
        func score(_ load: [Double], missing: Int) -> Score {
            var s = Score(missing: missing, worst: 0, atWorst: 0, squares: 0)
            for e in load.indices {
                let t = load[e] / capacity[e]
                s.squares += t * t
                if t > s.worst * (1 + 1e-12) { s.worst = t; s.atWorst = 1 } else if t >= s.worst * (1 - 1e-12) && t > 0 { s.atWorst += 1 }
            }
            return s
        }
        // The degree bound of the group: nothing beats it.
        var outCap = Array(repeating: 0.0, count: n), inCap = outCap
        for key in id.keys { outCap[key / n] += Double(routing.multiplicity[key]) * rate; inCap[key % n] += Double(routing.multiplicity[key]) * rate }
        let perNode = Double(c.steps) * c.bytes / Double(m)
        let floor = c.group.map { perNode / min(outCap[$0], inCap[$0]) }.max() ?? 0
        let perStep = Double(c.steps) / Double(m)
        func startScore(_ rings: [CollectivePlan.Ring]) -> Score {
            var load = base, missing = 0
            for ring in rings {
                let h = ringHops(ring.order)
                missing += h.missing
                for e in h.circuits { load[e] += ring.bytes * perStep }
            }
            return score(load, missing: missing)
        }
        if let first = starts.first {
            let s = startScore(first)
            guard s.missing > 0 || s.worst > floor * (1 + 1e-9) else { return [] }
        }

        var rng = SplitMix64(seed: seed ^ UInt64(m))
        let kickAfter = max(200, 20 * m)
        let members = Set(c.group)
        var predecessors: [Int: [Int]] = [:]
        for key in id.keys where members.contains(key / n) && members.contains(key % n) { predecessors[key % n, default: []].append(key / n) }
        for u in predecessors.keys { predecessors[u]!.sort() }
        var results: [[CollectivePlan.Ring]] = []
        search: for start in starts {
            for count in stride(from: ports, through: 1, by: -1) {
                guard var slots = slots(start, count: count) else { continue }
                let quantum = c.bytes / Double(count) * perStep
                var slotHops: [(circuits: [Int], missing: Int)] = []
                var load = base
                for s in slots {
                    let h = ringHops(s)
                    slotHops.append(h)
                    for e in h.circuits { load[e] += quantum }
                }
                var missing = slotHops.reduce(0) { $0 + $1.missing }
                var current = score(load, missing: missing)
                var best = (slots: slots, score: current)
                var sinceBest = 0
                for _ in 0..<(moves / starts.count) {
                    sinceBest += 1
                    // A kick after `kickAfter` moves without a new best: the next move is kept whatever it costs.
                    let kick = sinceBest % kickAfter == 0
                    let r = Int.random(in: 0..<count, using: &rng)
                    var order = slots[r]
                    let i = Int.random(in: 0..<m, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0:
                        // Relocate the node at i: half the time right after one of its circuit predecessors.
                        let u = order.remove(at: i)
                        if Bool.random(using: &rng), let w = predecessors[u]?.randomElement(using: &rng), let at = order.firstIndex(of: w) {
                            order.insert(u, at: at + 1)
                        } else {
                            order.insert(u, at: Int.random(in: 0..<m, using: &rng))
                        }
                    case 1:
                        // Move a stretch of two or three nodes.
                        let len = min(m - 1, Int.random(in: 2...3, using: &rng))
                        var stretch: [Int] = []
                        for _ in 0..<len { stretch.append(order.remove(at: min(i, order.count - 1))) }
                        order.insert(contentsOf: stretch, at: Int.random(in: 0...order.count, using: &rng))
                    default:
                        order.swapAt(i, Int.random(in: 0..<m, using: &rng))
                    }
                    guard order != slots[r] else { continue }
                    let h = ringHops(order)
                    for e in slotHops[r].circuits { load[e] -= quantum }
                    for e in h.circuits { load[e] += quantum }
                    let s = score(load, missing: missing - slotHops[r].missing + h.missing)
                    if kick || !(current < s) {
                        missing += h.missing - slotHops[r].missing
                        slots[r] = order; slotHops[r] = h; current = s
                        if current < best.score { best = (slots, current); sinceBest = 0 }
                        if missing == 0 && current.worst <= floor * (1 + 1e-9) { break }
                    } else {
                        for e in h.circuits { load[e] -= quantum }
                        for e in slotHops[r].circuits { load[e] += quantum }
                    }
                }
                guard best.score.missing == 0 else { continue }
                // Slots stay separate rings unless all are one ring.
                results.append(ringsFromSlots(best.slots, bytes: c.bytes))
                if best.score.worst <= floor * (1 + 1e-9) { break search }
            }
        }
        return results
    }
}

extension CollectivePlanner {
    /// Moves the slot search tries per slot count for a group of `m`.
    static func slotMoves(_ m: Int) -> Int { min(200_000, 4_000 * m) }
}
