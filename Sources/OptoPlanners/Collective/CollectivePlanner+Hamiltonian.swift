/// Arc-disjoint Hamiltonian cycles of a given circuit graph, for `matched`
/// with `reconfigure: false`.
///
/// Circuits are directed (a port has a transmitter and a receiver), so the
/// rotation step of Pósa's rotation–extension, which reverses a stretch of
/// the path, would need the reversed circuits; it does not apply. The search
/// works on cycle covers instead:
///
/// 1. **Covers.** Up to `count` arc-disjoint cycle covers of the group (each
///    a permutation `σ` with a circuit `u→σ(u)` at every node). First the
///    largest `r ≤ count` for which the bipartite graph "transmitter `u` —
///    receiver `v`" has an `r`-factor (every node `r` circuits out and `r`
///    in: a b-matching by augmenting paths); the factor is `r`-regular, so
///    it splits into `r` perfect matchings (König), taken one after another
///    by augmenting paths. The arcs outside the factor stay spare. A
///    `k`-regular circuit graph gives `k` covers; a damaged one as many as
///    it has a factor for (at most its smallest in- or out-degree).
/// 2. **Local search** on the covers, minimising the total number of
///    cycles (`count` cycles, one per cover, means `count` disjoint
///    Hamiltonian cycles). Two moves: a *Kempe swap* between covers `a` and
///    `b` (the alternating chain `u →a x ←b w →a …` through a random node,
///    whose arcs trade covers: both stay permutations), and a *spare
///    exchange* in one cover (`u→x, v→y` replaced by `u→y, v→x` when those
///    are circuits no cover uses: merges or splits a cycle). Moves that do
///    not add cycles are kept, others with probability `0.1^Δ`; restarts
///    from freshly shuffled matchings after `400·covers` moves without a new
///    low; a budget of node visits bounds the
///    whole search. The best state seen (most one-cycle covers, then fewest
///    cycles) is returned.
///
/// On a graph that is the union of `k` Hamiltonian cycles the start covers
/// can already be that union's decomposition up to Kempe swaps: with `k = 2`
/// every 1-factorisation is reached by Kempe swaps of the alternating
/// components, so the search space is exactly the one the moves walk.
extension CollectivePlanner {
    /// What ``disjointHamiltonianCycles(_:mult:nodes:count:budget:seed:)`` found.
    struct CoverSearch {
        /// Arc-disjoint Hamiltonian cycles (node ids), each starting at the group's first node.
        var cycles: [[Int]]
        /// The other covers found (arc-disjoint from the cycles and from each
        /// other), each as its cycles (node ids); empty when every cover is one cycle.
        var brokenCovers: [[[Int]]]
    }

    /// Up to `count` arc-disjoint Hamiltonian cycles of the directed
    /// multigraph `mult` (`u·N+v` → circuits) restricted to `group`.
    ///
    /// - Parameter budget: node visits (each move costs about the group size).
    /// - Complexity: O(count · m · arcs) for the covers, then O(budget).
    static func disjointHamiltonianCycles(_ group: [Int], mult: [Int: Int], nodes n: Int, count: Int,
                                          budget: Int = 4_000_000, seed: UInt64 = 0x5EED) -> CoverSearch {
        let m = group.count
        guard m >= 2, count > 0 else { return CoverSearch(cycles: [], brokenCovers: []) }
        var local = [Int: Int]()
        for (i, u) in group.enumerated() { local[u] = i }
        // Arcs between group nodes, with multiplicity (local ids).
        var arcs = [Int: Int]()
        for (key, k) in mult where k > 0 {
            if let a = local[key / n], let b = local[key % n], a != b { arcs[a * m + b, default: 0] += k }
        }
        var out = Array(repeating: [Int](), count: m)
        for key in arcs.keys.sorted() { out[key / m].append(key % m) }
        var rng = SplitMix64(seed: seed ^ UInt64(m) &* 0x9E37_79B9)
        var visits = 0

        // The largest r ≤ count with an r-factor (every node r circuits out
        // and r in, within the arcs): a bipartite b-matching by augmenting
        // paths. Its arcs split into r perfect matchings (König), so the
        // covers are taken from it and the other arcs stay spare.
        func factor(_ r: Int, _ order: [[Int]]) -> [Int: Int]? {
            var flow = [Int: Int]()
            var outDeg = Array(repeating: 0, count: m), inDeg = Array(repeating: 0, count: m)
            var into = Array(repeating: [Int](), count: m)       // receiver → transmitters with an arc
            for u in 0..<m { for v in order[u] { into[v].append(u) } }
            for _ in 0..<r {
                for u0 in 0..<m where outDeg[u0] < r {
                    // Search transmitter → receiver (an arc with room) → transmitter (an arc with flow, to move) …
                    var from = Array(repeating: -1, count: m)     // receiver → the transmitter that reached it
                    var via = Array(repeating: -1, count: m)      // transmitter → the receiver it was reached through
                    var seenU = Array(repeating: false, count: m)
                    var stack = [u0]
                    seenU[u0] = true
                    var end = -1
                    search: while let u = stack.popLast() {
                        for v in order[u] where from[v] < 0 && (flow[u * m + v] ?? 0) < arcs[u * m + v]! {
                            visits += 1
                            from[v] = u
                            if inDeg[v] < r { end = v; break search }
                            for w in into[v] where !seenU[w] && (flow[w * m + v] ?? 0) > 0 { seenU[w] = true; via[w] = v; stack.append(w) }
                        }
                    }
                    guard end >= 0 else { return nil }
                    inDeg[end] += 1
                    var v = end
                    while true {
                        let u = from[v]
                        flow[u * m + v, default: 0] += 1
                        if u == u0 { outDeg[u0] += 1; break }
                        // u moves one circuit of flow from via[u] to v; via[u] needs another sender.
                        flow[u * m + via[u]]! -= 1
                        v = via[u]
                    }
                }
            }
            return outDeg.allSatisfy { $0 == r } && inDeg.allSatisfy { $0 == r } ? flow.filter { $0.value > 0 } : nil
        }

        // Covers by augmenting paths on the largest factor found.
        func findCovers(shuffled: Bool) -> (covers: [[Int]], spare: [Int: Int]) {
            var order = out
            if shuffled { for u in 0..<m { order[u].shuffle(using: &rng) } }
            var left = arcs
            var target = count
            for r in stride(from: count, through: 1, by: -1) {
                if let f = factor(r, order) { left = f; target = r; break }
            }
            var covers: [[Int]] = []
            while covers.count < target {
                var matchOf = Array(repeating: -1, count: m)       // receiver → transmitter
                var seen = Array(repeating: 0, count: m)
                var stamp = 0
                func augment(_ u: Int) -> Bool {
                    for v in order[u] where seen[v] != stamp && (left[u * m + v] ?? 0) > 0 {
                        seen[v] = stamp
                        visits += 1
                        if matchOf[v] < 0 || augment(matchOf[v]) { matchOf[v] = u; return true }
                    }
                    return false
                }
                var complete = true
                for u in 0..<m {
                    stamp += 1
                    if !augment(u) { complete = false; break }
                }
                guard complete else { break }
                var sigma = Array(repeating: 0, count: m)
                for v in 0..<m { sigma[matchOf[v]] = v; left[matchOf[v] * m + v]! -= 1 }
                covers.append(sigma)
            }
            var spare = arcs
            for sigma in covers { for u in 0..<m { spare[u * m + sigma[u]]! -= 1 } }
            return (covers, spare.filter { $0.value > 0 })
        }

        func cycleCount(_ sigma: [Int]) -> Int {
            visits += m
            var seen = Array(repeating: false, count: m)
            var cycles = 0
            for s in 0..<m where !seen[s] {
                cycles += 1
                var u = s
                while !seen[u] { seen[u] = true; u = sigma[u] }
            }
            return cycles
        }

        var best: (covers: [[Int]], perfect: Int, total: Int)? = nil
        func consider(_ covers: [[Int]], _ cycles: [Int]) {
            let perfect = cycles.filter { $0 == 1 }.count, total = cycles.reduce(0, +)
            if let b = best, b.covers.count > covers.count || (b.covers.count == covers.count && (b.perfect > perfect || (b.perfect == perfect && b.total <= total))) { return }
            best = (covers, perfect, total)
        }

        var restart = 0
        while true {
            var (perm, spare) = findCovers(shuffled: restart > 0)
            let r = perm.count
            guard r > 0 else { break }
            var inv = perm.map { sigma -> [Int] in
                var i = Array(repeating: 0, count: m)
                for u in 0..<m { i[sigma[u]] = u }
                return i
            }
            var cycles = perm.map(cycleCount)
            consider(perm, cycles)
            if let b = best, b.perfect == count { break }
            // A restart ends when its budget share is spent or after
            // `stall` moves without a new low of its cycle count.
            let stop = visits + max(50 * m, (budget - visits) / 4)
            let stall = 400 * r
            var low = cycles.reduce(0, +), sinceLow = 0
            var spareOut = Array(repeating: [Int](), count: m)
            for key in spare.keys.sorted() { spareOut[key / m].append(key % m) }
            while visits < stop && sinceLow < stall && cycles.contains(where: { $0 > 1 }) {
                sinceLow += 1
                let uphill = Double.random(in: 0..<1, using: &rng)
                if r >= 2 && (spare.isEmpty || Bool.random(using: &rng)) {
                    // Kempe swap between covers a and b along the chain through u.
                    let a = Int.random(in: 0..<r, using: &rng)
                    var b = Int.random(in: 0..<(r - 1), using: &rng)
                    if b >= a { b += 1 }
                    let u = Int.random(in: 0..<m, using: &rng)
                    guard perm[a][u] != perm[b][u] else { visits += 1; continue }
                    var chain = [u]
                    var w = u
                    while true {
                        w = inv[b][perm[a][w]]
                        if w == u { break }
                        chain.append(w)
                    }
                    visits += chain.count
                    func swap() {
                        for w in chain { let t = perm[a][w]; perm[a][w] = perm[b][w]; perm[b][w] = t }
                        for w in chain { inv[a][perm[a][w]] = w; inv[b][perm[b][w]] = w }
                    }
                    swap()
                    let ca = cycleCount(perm[a]), cb = cycleCount(perm[b])
                    let delta = ca + cb - cycles[a] - cycles[b]
                    if delta <= 0 || uphill < pow01(delta) {
                        cycles[a] = ca; cycles[b] = cb
                    } else {
                        swap()
                    }
                } else if !spare.isEmpty {
                    // Spare exchange in cover a: u→x, v→y become u→y, v→x.
                    let a = Int.random(in: 0..<r, using: &rng)
                    let u = Int.random(in: 0..<m, using: &rng)
                    let x = perm[a][u]
                    visits += 1 + spareOut[u].count
                    let options = spareOut[u].filter { y in
                        guard (spare[u * m + y] ?? 0) > 0, y != x else { return false }
                        let v = inv[a][y]
                        return v != u && (spare[v * m + x] ?? 0) > 0
                    }
                    guard let y = options.randomElement(using: &rng) else { continue }
                    let v = inv[a][y]
                    perm[a][u] = y; perm[a][v] = x; inv[a][y] = u; inv[a][x] = v
                    let ca = cycleCount(perm[a])
                    let delta = ca - cycles[a]
                    if delta <= 0 || uphill < pow01(delta) {
                        cycles[a] = ca
                        for (key, d) in [(u * m + y, -1), (v * m + x, -1), (u * m + x, 1), (v * m + y, 1)] {
                            spare[key, default: 0] += d
                            if d > 0 && !spareOut[key / m].contains(key % m) { spareOut[key / m].append(key % m) }
                        }
                    } else {
                        perm[a][u] = x; perm[a][v] = y; inv[a][x] = u; inv[a][y] = v
                    }
                } else {
                    break
                }
                let total = cycles.reduce(0, +)
                if total < low { low = total; sinceLow = 0 }
                if total < (best?.total ?? Int.max) || cycles.filter({ $0 == 1 }).count > (best?.perfect ?? 0) {
                    consider(perm, cycles)
                }
            }
            consider(perm, cycles)
            restart += 1
            if let b = best, b.perfect == b.covers.count { break }
            if visits >= budget { break }
        }
        guard let found = best else { return CoverSearch(cycles: [], brokenCovers: []) }
        var result = CoverSearch(cycles: [], brokenCovers: [])
        for sigma in found.covers {
            var seen = Array(repeating: false, count: m)
            var parts: [[Int]] = []
            for s in 0..<m where !seen[s] {
                var cycle: [Int] = []
                var u = s
                while !seen[u] { seen[u] = true; cycle.append(group[u]); u = sigma[u] }
                parts.append(cycle)
            }
            if parts.count == 1 { result.cycles.append(parts[0]) } else { result.brokenCovers.append(parts) }
        }
        return result
    }

    /// `0.1^Δ`: the chance of keeping a move that adds `Δ` cycles.
    private static func pow01(_ delta: Int) -> Double {
        var p = 1.0
        for _ in 0..<delta { p *= 0.1 }
        return p
    }

    /// A ring from a cover of several cycles: the cycles one after another,
    /// each entered at the node the previous one's last node reaches in the
    /// fewest circuits (`hops`: nil when it has no route within `maxHops`;
    /// a direct circuit is 1, so the jump then is a circuit), ties to the
    /// cycle's first node; the other jumps are relayed.
    static func patchedRing(_ parts: [[Int]], hops: (Int, Int) -> Int?) -> [Int] {
        guard var order = parts.first else { return [] }
        for cycle in parts.dropFirst() {
            let last = order.last!
            var entry = 0, bestHops = Int.max
            for i in cycle.indices {
                let h = hops(last, cycle[i]) ?? Int.max - 1
                if h < bestHops { entry = i; bestHops = h }
            }
            order += cycle[entry...] + cycle[..<entry]
        }
        return order
    }
}
