import OptoCore

/// Rings whose relayed hops fit the circuits, for `matched` with given
/// circuits on graphs without enough disjoint Hamiltonian cycles.
///
/// A damaged circuit graph often has no Hamiltonian cycle, and the ring
/// then relays some hops over several circuits (their routes by the routing
/// rule). A ring's step takes as long as its most loaded circuit needs: when
/// no circuit carries two of the ring's transfers (more than its parallel
/// circuits), every transfer runs at the full circuit rate. On a graph where
/// some node keeps a single circuit out or in, such a ring meets the
/// graph's own degree bound, while rings that share circuits run at a half
/// or a third of it. The search here looks for exactly that: a ring whose
/// hops' routes together use every circuit at most its multiplicity
/// ("within capacity"), minimising the *excess* `Σ max(0, load − capacity)`
/// (transfers over capacity), then the circuits used.
///
/// 1. **Cover.** A successor for every node (a permutation of the group)
///    by augmenting paths: first over direct circuits with room, then any
///    direct circuit, then pairs with a relayed route (shortest first). A
///    cycle cover of the route graph; none exists only when no ring can
///    route every hop.
/// 2. **Patching** (Karp's patching for the asymmetric travelling salesman,
///    with the excess as cost): while the cover has several cycles, the
///    smallest is merged into another by the exchange of two successors
///    (`x→σx, y→σy` become `x→σy, y→σx`, `x` in the smallest cycle, `y`
///    outside it) that adds the least excess, then the fewest circuit uses,
///    ties at random.
/// 3. **Repair** (split and re-patch): while some circuit is over capacity,
///    a hop crossing one trades successors with a random node (which splits
///    the ring in two), and the best merge of the two parts follows; kept
///    when the excess does not grow (else with probability 0.05), the best
///    ring seen returned. Up to `10·m` such steps per try, fresh covers
///    (shuffled) for up to 6 tries until a ring has no excess, within a
///    budget of route-circuit visits.
///
/// Up to `count` rings are built one after another, each on the loads the
/// earlier ones left (so two rings within capacity together are circuit-
/// disjoint in their routes, and `S/2` each runs at full rate); a ring that
/// keeps an excess ends the list. `count` is at most the fewest circuits a
/// group node has out or in: no more rings than that can avoid sharing.
/// The other collectives' traffic is not counted here; `matched` scores the
/// result under the drain model with it, like its other candidates.
extension CollectivePlanner {
    /// A ring of ``capacityRings(_:routing:count:budget:seed:)``: its order
    /// (node ids, from the group's first node) and the transfers over capacity
    /// left when it was built (0: within capacity).
    struct CapacityRing {
        var order: [Int]
        var excess: Int
    }

    /// Up to `count` rings on `group` whose routes stay within the circuits'
    /// capacity (see the extension's documentation), each built on the loads
    /// of the ones before.
    ///
    /// - Parameter budget: route-circuit visits over the whole search.
    /// - Complexity: O(m² · maxHops) per patching merge or repair step; bounded by `budget`.
    static func capacityRings(_ group: [Int], routing: CircuitRouting, count: Int, budget: Int = 4_000_000,
                              seed: UInt64 = 0xCA9A) -> [CapacityRing] {
        let n = routing.nodes
        let m = group.count
        guard m >= 3, count >= 1 else { return [] }
        // Circuit pairs, densely numbered; a pair carries one transfer per parallel circuit.
        var id = Array(repeating: -1, count: n * n)
        var cap: [Int] = []
        var outDegree = Array(repeating: 0, count: n), inDegree = outDegree
        for key in 0..<(n * n) where routing.multiplicity[key] > 0 {
            id[key] = cap.count
            cap.append(routing.multiplicity[key])
            outDegree[key / n] += routing.multiplicity[key]
            inDegree[key % n] += routing.multiplicity[key]
        }
        let rings = min(count, group.map { min(outDegree[$0], inDegree[$0]) }.min() ?? 0)
        guard rings >= 1 else { return [] }
        // Routes between members (local ids) as circuit ids, a row when first asked; nil: no route.
        var rows = [[[Int]?]?](repeating: nil, count: m)
        func route(_ i: Int, _ j: Int) -> [Int]? {
            if rows[i] == nil {
                let all = routing.routes(from: group[i])
                rows[i] = group.map { v in all[v].map { p in (0..<(p.count - 1)).map { id[p[$0] * n + p[$0 + 1]] } } }
            }
            return rows[i]![j]
        }
        var direct = Array(repeating: [Int](), count: m), relayed = direct
        for i in 0..<m {
            for j in 0..<m where j != i {
                guard let r = route(i, j) else { continue }
                if r.count == 1 { direct[i].append(j) } else { relayed[i].append(j) }
            }
        }
        var load = Array(repeating: 0, count: cap.count)
        var rng = SplitMix64(seed: seed ^ UInt64(m) &* 0x9E37_79B9)
        var visits = 0

        // One transfer more (sign > 0) or fewer on each circuit of `r`: the
        // change of the excess, exact whatever the order of the steps.
        func add(_ r: [Int], _ sign: Int) -> Int {
            visits += r.count
            var d = 0
            for e in r {
                if sign > 0 {
                    if load[e] >= cap[e] { d += 1 }
                    load[e] += 1
                } else {
                    load[e] -= 1
                    if load[e] >= cap[e] { d -= 1 }
                }
            }
            return d
        }
        // x and y trade successors: the change of excess and of circuit uses
        // (loads changed only when `apply`), nil when a new hop has no route.
        func exchange(_ succ: [Int], _ x: Int, _ y: Int, apply: Bool) -> (excess: Int, uses: Int)? {
            guard let a = route(x, succ[y]), let b = route(y, succ[x]) else { return nil }
            let ra = route(x, succ[x])!, rb = route(y, succ[y])!
            let d = add(ra, -1) + add(rb, -1) + add(a, 1) + add(b, 1)
            if !apply { _ = add(a, -1); _ = add(b, -1); _ = add(ra, 1); _ = add(rb, 1) }
            return (d, a.count + b.count - ra.count - rb.count)
        }
        func cycles(_ succ: [Int]) -> (id: [Int], sizes: [Int]) {
            var cid = Array(repeating: -1, count: m)
            var sizes: [Int] = []
            for s in 0..<m where cid[s] < 0 {
                var u = s, size = 0
                while cid[u] < 0 { cid[u] = sizes.count; size += 1; u = succ[u] }
                sizes.append(size)
            }
            return (cid, sizes)
        }
        // The exchange merging cycle `a` into another with the least (excess, uses), ties at random.
        func bestMerge(_ succ: [Int], _ cid: [Int], _ a: Int) -> (x: Int, y: Int, excess: Int, uses: Int)? {
            var best: (x: Int, y: Int, excess: Int, uses: Int)? = nil
            var ties = 0
            for x in 0..<m where cid[x] == a {
                for y in 0..<m where cid[y] != a {
                    guard let d = exchange(succ, x, y, apply: false) else { continue }
                    if let b = best, (b.excess, b.uses) < (d.excess, d.uses) { continue }
                    if let b = best, (b.excess, b.uses) == (d.excess, d.uses) {
                        ties += 1
                        if Int.random(in: 0..<ties, using: &rng) != 0 { continue }
                    } else {
                        ties = 1
                    }
                    best = (x, y, d.excess, d.uses)
                }
            }
            return best
        }
        // A cycle cover of the route graph: direct circuits with room, then any, then relayed pairs.
        func cover() -> [Int]? {
            var roomy = direct, any = direct, all = direct
            for i in 0..<m {
                any[i].shuffle(using: &rng)
                roomy[i] = any[i].filter { j in route(i, j).map { load[$0[0]] < cap[$0[0]] } ?? false }
                let far = relayed[i].shuffled(using: &rng).sorted { route(i, $0)!.count < route(i, $1)!.count }
                all[i] = any[i] + far
            }
            var matchOf = Array(repeating: -1, count: m)     // successor → predecessor
            var seen = Array(repeating: 0, count: m)
            var stamp = 0
            func augment(_ i: Int, _ options: [[Int]]) -> Bool {
                for j in options[i] where seen[j] != stamp {
                    seen[j] = stamp
                    visits += 1
                    if matchOf[j] < 0 || augment(matchOf[j], options) { matchOf[j] = i; return true }
                }
                return false
            }
            var open = Array(0..<m).shuffled(using: &rng)
            for options in [roomy, any, all] where !open.isEmpty {
                open = open.filter { i in
                    stamp += 1
                    return !augment(i, options)
                }
            }
            guard open.isEmpty else { return nil }
            var succ = Array(repeating: 0, count: m)
            for j in 0..<m { succ[matchOf[j]] = j }
            return succ
        }

        var result: [CapacityRing] = []
        for _ in 0..<rings {
            var found: (succ: [Int], excess: Int, uses: Int)? = nil
            for _ in 0..<6 where visits < budget && found?.excess != 0 {
                guard var succ = cover() else { break }
                var excess = 0, uses = 0
                for x in 0..<m { let r = route(x, succ[x])!; excess += add(r, 1); uses += r.count }
                // Patching: the smallest cycle into another, until one ring.
                var merged = true
                while true {
                    let (cid, sizes) = cycles(succ)
                    if sizes.count == 1 { break }
                    let a = sizes.indices.min { sizes[$0] < sizes[$1] }!
                    guard let b = bestMerge(succ, cid, a) else { merged = false; break }
                    _ = exchange(succ, b.x, b.y, apply: true)
                    succ.swapAt(b.x, b.y)
                    excess += b.excess; uses += b.uses
                }
                // Repair: split at a hop over capacity, merge the two parts again.
                var best = (succ: succ, excess: excess, uses: uses)
                if merged {
                    for _ in 0..<(10 * m) where excess > 0 && visits < budget {
                        var hot: [Int] = []
                        for x in 0..<m where route(x, succ[x])!.contains(where: { load[$0] > cap[$0] }) { hot.append(x) }
                        guard let x = hot.randomElement(using: &rng) else { break }
                        let y = Int.random(in: 0..<m, using: &rng)
                        guard y != x, succ[y] != x, succ[x] != y, let split = exchange(succ, x, y, apply: true) else { continue }
                        succ.swapAt(x, y)
                        let (cid, sizes) = cycles(succ)
                        guard let b = bestMerge(succ, cid, sizes[0] <= sizes[1] ? 0 : 1) else {
                            _ = exchange(succ, x, y, apply: true)
                            succ.swapAt(x, y)
                            continue
                        }
                        _ = exchange(succ, b.x, b.y, apply: true)
                        succ.swapAt(b.x, b.y)
                        let grown = split.excess + b.excess
                        if grown <= 0 || Double.random(in: 0..<1, using: &rng) < 0.05 {
                            excess += grown; uses += split.uses + b.uses
                            if (excess, uses) < (best.excess, best.uses) { best = (succ, excess, uses) }
                        } else {
                            _ = exchange(succ, b.x, b.y, apply: true)
                            succ.swapAt(b.x, b.y)
                            _ = exchange(succ, x, y, apply: true)
                            succ.swapAt(x, y)
                        }
                    }
                }
                for x in 0..<m { _ = add(route(x, succ[x])!, -1) }
                guard merged else { continue }
                if found == nil || (best.excess, best.uses) < (found!.excess, found!.uses) { found = best }
            }
            guard let f = found else { break }
            for x in 0..<m { _ = add(route(x, f.succ[x])!, 1) }
            var order = [group[0]], u = f.succ[0]
            while u != 0 { order.append(group[u]); u = f.succ[u] }
            result.append(CapacityRing(order: order, excess: f.excess))
            if f.excess > 0 { break }
        }
        return result
    }
}
