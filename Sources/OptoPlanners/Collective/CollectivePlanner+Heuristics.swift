import OptoCore

/// Ring orders and configurations of the `fixed` and `matched` methods.
extension CollectivePlanner {
    // MARK: fixed

    /// Every allreduce as one ring in rank order; the circuits as given
    /// (`reconfigure: false`), else a greedy max-weight b-matching on the
    /// traffic of those rings and of the alltoalls.
    static func fixedPlan(_ instance: CollectiveInstance) -> (circuits: [Circuit], rings: [String: [CollectivePlan.Ring]]) {
        var rings: [String: [CollectivePlan.Ring]] = [:]
        for job in instance.jobs {
            for c in job.collectives where c.kind == .allreduce {
                rings[CollectiveInstance.key(job: job.name, collective: c.name)] = [.init(order: c.group, bytes: c.bytes)]
            }
        }
        if !instance.reconfigure, let current = instance.current { return (current, rings) }
        let weights = pairTraffic(instance, rings: rings)
        return (greedyBMatching(weights, nodes: instance.fabric.nodes, ports: instance.fabric.ocsPortsPerNode, existing: []), rings)
    }

    /// Bytes per ordered pair over one iteration, from every collective's step transfers.
    /// - Complexity: O(transfers).
    static func pairTraffic(_ instance: CollectiveInstance, rings: [String: [CollectivePlan.Ring]]) -> [Int: Double] {
        let n = instance.fabric.nodes
        let layout = CollectiveLayout(instance, rings: rings)
        var w: [Int: Double] = [:]
        for (index, entry) in layout.collectives.enumerated() {
            let steps = Double(entry.collective.steps)
            for t in entry.collective.stepTransfers(rings: layout.rings[index]) { w[t.from * n + t.to, default: 0] += t.bytes * steps }
        }
        return w
    }

    /// Greedy b-matching on a multigraph: repeatedly the pair whose next
    /// circuit serves the most bytes per circuit (`w / (circuits + 1)`),
    /// while its ends have a free transmitter and receiver.
    /// - Complexity: O(P log P + added · log P) for P pairs with traffic.
    static func greedyBMatching(_ weights: [Int: Double], nodes n: Int, ports: [Int], existing: [Circuit]) -> [Circuit] {
        var tx = ports, rx = ports
        var count: [Int: Int] = [:]
        for c in existing { tx[c.from] -= 1; rx[c.to] -= 1; count[c.from * n + c.to, default: 0] += 1 }
        var heap = MaxHeap<(Double, Int)>(by: { a, b in a.0 != b.0 ? a.0 > b.0 : a.1 < b.1 })
        for (key, w) in weights where w > 0 { heap.push((w / Double(count[key, default: 0] + 1), key)) }
        var out = existing
        while let (_, key) = heap.pop() {
            let u = key / n, v = key % n
            guard tx[u] > 0, rx[v] > 0 else { continue }
            tx[u] -= 1; rx[v] -= 1
            let k = count[key, default: 0] + 1
            count[key] = k
            out.append(Circuit(u, v))
            heap.push((weights[key]! / Double(k + 1), key))
        }
        return out
    }

    // MARK: matched, free circuits

    /// Rings laid along circuits chosen for them (the TotientPerms idea of
    /// TotientPerms / TopoOpt, NSDI 2023): each node's ports are shared
    /// between the collectives it is in by their volume (largest
    /// remainder, at least one port each while ports last); a collective
    /// gets the smallest share among its nodes, `k_c`. An allreduce then runs
    /// `k_c` rings of strides co-prime with its group size (ring `r` visits
    /// ranks `0, s_r, 2s_r, …` mod `m`), so that every ring hop is a direct
    /// circuit, with `S` split evenly; an alltoall gets `k_c` circulant
    /// strides. Strides are picked greedily, starting at 1, each the one
    /// that most lowers the union's mean hop distance (the relayed and
    /// alltoall traffic rides that union). Ports left over go to the pairs
    /// whose traffic has no direct circuit (greedy b-matching).
    /// - Complexity: O(Σ_c k_c · C · m_c · k_c) for the stride search, C ≤ 128 candidates.
    ///
    /// With `alltoallShare` = `s`, a node in both an allreduce and an
    /// alltoall gives its alltoalls `min(s, k−1)` ports and its allreduces
    /// the rest (each side split by volume), instead of the split by volume:
    /// `s = 0` leaves the alltoall traffic to the rings' circuits (relayed)
    /// and the left-over ports. `matched` builds the split by volume and
    /// every `s` in `0..<k` and keeps the fastest under the drain model.
    static func matchedFree(_ instance: CollectiveInstance, alltoallShare: Int? = nil) -> (circuits: [Circuit], rings: [String: [CollectivePlan.Ring]]) {
        let n = instance.fabric.nodes
        let layout = CollectiveLayout(instance, rings: [:])
        // Port shares per node.
        var share = Array(repeating: [Int: Int](), count: n)      // node → collective index → ports
        var members = Array(repeating: [Int](), count: n)
        for (index, entry) in layout.collectives.enumerated() { for u in entry.collective.group { members[u].append(index) } }
        for u in 0..<n where !members[u].isEmpty {
            let kinds = Set(members[u].map { layout.collectives[$0].collective.kind })
            var volumes = members[u].map { layout.collectives[$0].collective.bytesSentPerRank }
            if let s = alltoallShare, kinds.count == 2 {
                // Each side's volumes scaled to its port count.
                let k = instance.fabric.ocsPortsPerNode[u]
                let toAlltoall = Double(min(s, k - 1))
                for kind in [Collective.Kind.allreduce, .alltoall] {
                    let ids = members[u].indices.filter { layout.collectives[members[u][$0]].collective.kind == kind }
                    let sum = ids.reduce(0.0) { $0 + volumes[$1] }
                    let target = kind == .alltoall ? toAlltoall : Double(k) - toAlltoall
                    for i in ids { volumes[i] = sum > 0 ? volumes[i] / sum * target : 0 }
                }
            }
            let parts = largestRemainder(total: instance.fabric.ocsPortsPerNode[u], weights: volumes)
            for (i, c) in members[u].enumerated() { share[u][c] = parts[i] }
        }
        var circuits: [Circuit] = []
        var rings: [String: [CollectivePlan.Ring]] = [:]
        for (index, entry) in layout.collectives.enumerated() {
            let c = entry.collective
            let m = c.group.count
            let k = c.group.map { share[$0][index] ?? 0 }.min() ?? 0
            let key = CollectiveInstance.key(job: instance.jobs[entry.job].name, collective: c.name)
            switch c.kind {
            case .allreduce:
                guard k > 0 else {
                    rings[key] = [.init(order: c.group, bytes: c.bytes)]
                    continue
                }
                let strides = pickStrides(m: m, count: k, coprimeOnly: true)
                var ringList: [CollectivePlan.Ring] = []
                var left = c.bytes
                for (r, s) in strides.enumerated() {
                    let order = (0..<m).map { c.group[($0 * s) % m] }
                    let b = r == strides.count - 1 ? left : c.bytes / Double(strides.count)
                    left -= b
                    ringList.append(.init(order: order, bytes: b))
                    for i in 0..<m { circuits.append(Circuit(order[i], order[(i + 1) % m])) }
                }
                rings[key] = ringList
            case .alltoall:
                guard k > 0 else { continue }
                for s in pickStrides(m: m, count: k, coprimeOnly: false) {
                    for i in 0..<m { circuits.append(Circuit(c.group[i], c.group[(i + s) % m])) }
                }
            }
        }
        // Left-over ports: the pairs whose traffic has no direct circuit.
        let direct = Set(circuits.map { $0.from * n + $0.to })
        let residual = pairTraffic(instance, rings: rings).filter { !direct.contains($0.key) }
        circuits = greedyBMatching(residual, nodes: n, ports: instance.fabric.ocsPortsPerNode, existing: circuits)
        return (circuits, rings)
    }

    /// `total` split in proportion to `weights` by largest remainder, every
    /// positive weight getting at least 1 while `total` lasts.
    static func largestRemainder(total: Int, weights: [Double]) -> [Int] {
        let sum = weights.reduce(0, +)
        guard total > 0, sum > 0 else { return weights.map { _ in 0 } }
        var parts = weights.map { _ in 0 }
        var left = total
        // At least one port each, largest volume first.
        for i in weights.indices.sorted(by: { weights[$0] > weights[$1] }) where left > 0 && weights[i] > 0 { parts[i] = 1; left -= 1 }
        guard left > 0 else { return parts }
        let exact = weights.map { Double(total) * $0 / sum }
        var extra = weights.indices.map { max(0, exact[$0] - Double(parts[$0])) }
        for i in extra.indices { parts[i] += Int(extra[i].rounded(.down)); extra[i] -= extra[i].rounded(.down) }
        left = total - parts.reduce(0, +)
        for i in extra.indices.sorted(by: { extra[$0] > extra[$1] }) where left > 0 { parts[i] += 1; left -= 1 }
        return parts
    }

    /// `count` strides for a circulant on `m` nodes: 1 first, then greedily
    /// the stride that most lowers the mean hop distance of the union
    /// (co-prime with `m` when the strides are to be rings). Strides repeat
    /// (parallel circuits) when the candidates run out.
    static func pickStrides(m: Int, count: Int, coprimeOnly: Bool) -> [Int] {
        guard m > 1, count > 0 else { return [] }
        var candidates = (1..<m).filter { !coprimeOnly || gcd($0, m) == 1 }
        if candidates.count > 128 {
            // Small strides and an even spread over the rest.
            let spread = stride(from: 0, to: candidates.count, by: max(1, candidates.count / 96)).map { candidates[$0] }
            candidates = Array(Set(candidates.prefix(32) + spread)).sorted()
        }
        var chosen: [Int] = [1]
        while chosen.count < count {
            let fresh = candidates.filter { !chosen.contains($0) }
            guard !fresh.isEmpty else { chosen.append(chosen[chosen.count % Set(chosen).count]); continue }
            var best = fresh[0], bestCost = Double.infinity
            for s in fresh {
                let cost = meanDistance(m: m, strides: chosen + [s])
                if cost < bestCost - 1e-12 { best = s; bestCost = cost }
            }
            chosen.append(best)
        }
        return chosen
    }

    /// Mean hop distance from node 0 (the circulant is vertex-transitive).
    static func meanDistance(m: Int, strides: [Int]) -> Double {
        var depth = Array(repeating: -1, count: m)
        depth[0] = 0
        var queue = [0], head = 0, total = 0
        while head < queue.count {
            let x = queue[head]; head += 1
            for s in strides {
                let y = (x + s) % m
                if depth[y] < 0 { depth[y] = depth[x] + 1; total += depth[y]; queue.append(y) }
            }
        }
        return queue.count == m ? Double(total) / Double(m - 1) : .infinity
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    // MARK: matched, given circuits

    /// With the circuits fixed: for every allreduce, up to `k` circuit-disjoint
    /// Hamiltonian cycles of the circuit graph on its group (cycle covers
    /// and local search, ``disjointHamiltonianCycles(_:mult:nodes:count:budget:seed:)``;
    /// `S` split evenly over the first `1…k` of them. Where fewer than `k`
    /// are found, covers that stay broken into several cycles become rings
    /// with jumps, and the earlier method's candidates are added: cycles by
    /// depth-first search and a segmented ring from a greedy walk with the
    /// fewest off-circuit hops; and rings whose relayed hops stay within the
    /// circuits' capacity (``capacityRings(_:routing:count:budget:seed:)``,
    /// `capacity: false` skips them). The rank-order ring stays a candidate. The
    /// drain model keeps the fastest candidate, so `matched` is never worse
    /// than `fixed`, nor than the earlier depth-first method, under it.
    /// Last, unless the best already meets the group's degree bound, the slot
    /// search (``slotSearch(_:starts:ports:routing:rate:background:moves:seed:)``)
    /// from the best candidates: `R` equal slots with unequal shares per
    /// ring, kept only when the drain model says they are faster
    /// (`slots: false` skips it; `slotMoves` overrides its move budget).
    static func matchedGiven(_ instance: CollectiveInstance, circuits: [Circuit], budget: Int = 200_000, slots useSlots: Bool = true,
                             slotMoves moves: Int? = nil, capacity useCapacity: Bool = true) -> [String: [CollectivePlan.Ring]] {
        let n = instance.fabric.nodes
        let model = CollectiveTimeModel(instance)
        let routing = CircuitRouting(nodes: n, circuits: circuits, maxHops: instance.maxHops)
        var routes: [Int: [[Int]?]] = [:]   // routing.routes(from:), per source, when first asked
        var rings = fixedPlan(instance).rings
        for job in instance.jobs {
            for c in job.collectives where c.kind == .allreduce {
                let key = CollectiveInstance.key(job: job.name, collective: c.name)
                var mult: [Int: Int] = [:]
                let inGroup = Set(c.group)
                for e in circuits where inGroup.contains(e.from) && inGroup.contains(e.to) { mult[e.from * n + e.to, default: 0] += 1 }
                let maxRings = CollectivePlanner.ringCount(c, instance.fabric)
                let search = disjointHamiltonianCycles(c.group, mult: mult, nodes: n, count: maxRings)
                var candidates: [[CollectivePlan.Ring]] = [[.init(order: c.group, bytes: c.bytes)]]
                var capacityCandidates: [[CollectivePlan.Ring]] = []
                for r in search.cycles.indices { candidates.append(split(c.bytes, over: Array(search.cycles.prefix(r + 1)))) }
                if search.cycles.count < maxRings {
                    // Short of k cycles: the broken covers as rings with jumps,
                    // and the earlier method's candidates (depth-first cycles,
                    // the segmented ring) too.
                    let patched = search.brokenCovers.map { parts in
                        patchedRing(parts) { u, v in
                            if routes[u] == nil { routes[u] = routing.routes(from: u) }
                            return routes[u]![v].map { $0.count - 1 }
                        }
                    }
                    for r in patched.indices { candidates.append(split(c.bytes, over: search.cycles + patched.prefix(r + 1))) }
                    let dfs = depthFirstCycles(c.group, mult: mult, nodes: n, count: maxRings, budget: budget)
                    for r in dfs.indices { candidates.append(split(c.bytes, over: Array(dfs.prefix(r + 1)))) }
                    candidates.append([.init(order: segmentedRing(c.group, circuits: circuits, nodes: n), bytes: c.bytes)])
                    // Rings whose relayed hops stay within the circuits' capacity (CollectivePlanner+CapacityRings.swift).
                    let fitted = useCapacity ? capacityRings(c.group, routing: routing, count: maxRings).map(\.order) : []
                    for r in fitted.indices { capacityCandidates.append(split(c.bytes, over: Array(fitted.prefix(r + 1)))) }
                    candidates += capacityCandidates
                }
                var best = rings[key]!, bestTime = Double.infinity
                func consider(_ cand: [CollectivePlan.Ring]) {
                    var trial = rings
                    trial[key] = cand
                    let t = model.time(circuits: circuits, rings: trial)
                    if t < bestTime * (1 - 1e-12) { best = cand; bestTime = t }
                }
                for cand in candidates { consider(cand) }
                if useSlots {
                    // Unequal shares: equal slots laid where the circuits have room (CollectivePlanner+Slots.swift).
                    var others = rings
                    others[key] = nil
                    var background: [Int: Double] = [:]
                    for (pair, b) in pairTraffic(instance, rings: others) {
                        let u = pair / n, v = pair % n
                        if routes[u] == nil { routes[u] = routing.routes(from: u) }
                        guard let path = routes[u]![v] else { continue }
                        for h in 0..<(path.count - 1) { background[path[h] * n + path[h + 1], default: 0] += b }
                    }
                    // Starts: the best candidate, the last capacity-ring candidate (however many rings), then up to
                    // four in all of the others with several rings (their covers differ), then the rank order.
                    var starts = [best]
                    if let fitted = capacityCandidates.last, fitted.map(\.order) != best.map(\.order) { starts.append(fitted) }
                    for cand in candidates where cand.count > 1 && starts.count < 4 && !starts.contains(where: { $0.map(\.order) == cand.map(\.order) }) { starts.append(cand) }
                    if bestTime.isInfinite { starts.append([.init(order: segmentedRing(c.group, circuits: circuits, nodes: n), bytes: c.bytes)]) }
                    for cand in slotSearch(c, starts: starts, ports: maxRings, routing: routing, rate: instance.fabric.circuitRate,
                                           background: background, moves: moves ?? slotMoves(c.group.count)) { consider(cand) }
                }
                rings[key] = best
            }
        }
        return rings
    }

    /// The earlier search: Hamiltonian cycles taken one after another by
    /// depth-first search (``hamiltonianCycle(_:mult:nodes:budget:)``), each
    /// one's circuits removed before the next.
    static func depthFirstCycles(_ group: [Int], mult: [Int: Int], nodes n: Int, count: Int, budget: Int) -> [[Int]] {
        var mult = mult
        var cycles: [[Int]] = []
        while cycles.count < count, let cycle = hamiltonianCycle(group, mult: mult, nodes: n, budget: budget) {
            cycles.append(cycle)
            for i in 0..<cycle.count { mult[cycle[i] * n + cycle[(i + 1) % cycle.count]]! -= 1 }
        }
        return cycles
    }

    static func split(_ bytes: Double, over orders: [[Int]]) -> [CollectivePlan.Ring] {
        var left = bytes
        return orders.enumerated().map { r, order in
            let b = r == orders.count - 1 ? left : bytes / Double(orders.count)
            left -= b
            return .init(order: order, bytes: b)
        }
    }

    /// A Hamiltonian cycle of the directed multigraph `mult` on `group`, by
    /// depth-first search (Warnsdorff order) within `budget` node visits;
    /// nil when none is found. Starts at `group[0]`.
    static func hamiltonianCycle(_ group: [Int], mult: [Int: Int], nodes n: Int, budget: Int) -> [Int]? {
        let m = group.count
        var succ: [Int: [Int]] = [:]
        for u in group { succ[u] = group.filter { $0 != u && (mult[u * n + $0] ?? 0) > 0 } }
        if m == 2 { return (succ[group[0]]!.contains(group[1]) && succ[group[1]]!.contains(group[0])) ? group : nil }
        var path = [group[0]]
        var onPath = Set([group[0]])
        var visits = 0
        func extend() -> Bool {
            visits += 1
            if visits > budget { return false }
            let u = path.last!
            if path.count == m { return succ[u]!.contains(path[0]) }
            let next = succ[u]!.filter { !onPath.contains($0) }
                .sorted { a, b in
                    let da = succ[a]!.filter { !onPath.contains($0) }.count, db = succ[b]!.filter { !onPath.contains($0) }.count
                    return da != db ? da < db : a < b
                }
            for v in next {
                path.append(v); onPath.insert(v)
                if extend() { return true }
                path.removeLast(); onPath.remove(v)
                if visits > budget { return false }
            }
            return false
        }
        return extend() ? path : nil
    }

    /// A ring whose consecutive nodes are joined by a circuit as often as a
    /// greedy walk finds: from each start, follow an unused circuit to an
    /// unvisited group node (fewest onward choices first); when stuck, jump
    /// to the unvisited node with the fewest unvisited predecessors. The
    /// start with the fewest jumps wins.
    static func segmentedRing(_ group: [Int], circuits: [Circuit], nodes n: Int) -> [Int] {
        let inGroup = Set(group)
        var succ: [Int: [Int]] = [:]
        for u in group { succ[u] = [] }
        for e in circuits where inGroup.contains(e.from) && inGroup.contains(e.to) && !succ[e.from]!.contains(e.to) { succ[e.from]!.append(e.to) }
        var best = group, bestJumps = Int.max
        for start in group {
            var order = [start]
            var seen = Set([start])
            var jumps = 0
            while order.count < group.count {
                let u = order.last!
                let options = succ[u]!.filter { !seen.contains($0) }
                let next: Int
                if let v = options.min(by: { a, b in
                    let da = succ[a]!.filter { !seen.contains($0) }.count, db = succ[b]!.filter { !seen.contains($0) }.count
                    return da != db ? da < db : a < b
                }) { next = v } else {
                    jumps += 1
                    next = group.filter { !seen.contains($0) }.min { a, b in
                        let pa = group.filter { !seen.contains($0) && succ[$0]!.contains(a) }.count
                        let pb = group.filter { !seen.contains($0) && succ[$0]!.contains(b) }.count
                        return pa != pb ? pa < pb : a < b
                    }!
                }
                order.append(next); seen.insert(next)
            }
            if !succ[order.last!]!.contains(order[0]) { jumps += 1 }
            if jumps < bestJumps { best = order; bestJumps = jumps }
        }
        return best
    }
}

/// A binary heap ordered by `by` (the first element is the one `by` puts first).
struct MaxHeap<Element> {
    private var items: [Element] = []
    private let first: (Element, Element) -> Bool
    init(by first: @escaping (Element, Element) -> Bool) { self.first = first }
    mutating func push(_ x: Element) {
        items.append(x)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard first(items[i], items[p]) else { break }
            items.swapAt(i, p); i = p
        }
    }
    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var b = i
            if l < items.count && first(items[l], items[b]) { b = l }
            if r < items.count && first(items[r], items[b]) { b = r }
            if b == i { break }
            items.swapAt(i, b); i = b
        }
        return top
    }
}
