/// The two kinds of shared resource of the evaluator (PROBLEMS.md "The
/// evaluator", two-stage rule): circuits are filled first, over every flow
/// that crosses one; the packet fabric (a node's send or receive port, a
/// stagger link) then fills what each flow still wants.
enum ResourceStage: Int, Sendable {
    /// A circuit of rate `r_c` × multiplicity (or any resource a flow is given before the packet fabric).
    case circuit = 0
    /// A packet-fabric resource: a node's send or receive port, a stagger link.
    case packet = 1
}

/// The evaluator's one max-min core: rates by progressive filling for any
/// set of shared resources with capacities and flows that each cross some
/// of them, each with its own rate cap, in strict priority classes, in two
/// stages (circuit resources, then packet resources).
///
/// - **Resources** have a capacity (bits per second, possibly 0) and a
///   stage. A pair's circuit, a relayed transfer's circuit path, a transit
///   sub-flow's two circuits are `circuit` resources; ports and stagger
///   links are `packet` resources.
/// - **Flows** cross a set of resources and have a cap (their rate demand;
///   `.infinity` for a flow driven by its data alone).
/// - **Stage 1** fills the circuit resources over every flow that crosses
///   one (using only its circuit resources), each capped by its cap.
///   **Stage 2** fills the packet resources over every flow that crosses
///   one or crosses no circuit (using only its packet resources), each
///   capped by its cap minus its stage-1 rate, so only packet rates count
///   in the packet sharing (a data-driven flow's packet cap stays infinite).
///   A flow crossing circuits but no packet resource (a transit sub-flow)
///   gets nothing in stage 2. A flow's rate is the sum of both stages.
/// - **Classes**: within each stage, class 0 first, each later class on
///   what the earlier ones left.
///
/// Progressive filling raises the rate of every unfrozen flow of the class
/// being filled together; a flow freezes when one of its resources is full
/// or when it reaches its cap. Instead of raising in small steps, the next
/// freezing level is found exactly: a resource `r` with remaining capacity
/// `c_r` shared by `n_r` unfrozen flows fills at level `c_r / n_r`, a flow
/// with cap `u_f` at `u_f`; the smallest of those is next. Freezing flows
/// at level `ℓ ≤ c_r / n_r` only raises `c_r / n_r`, so a lazy heap of the
/// resources' levels stays valid (a popped entry is re-checked and pushed
/// back when it was stale). A flow that is the only user of each of its
/// resources in its stage gets `min(cap, min c_r)` at once, which is what
/// the filling would give it (most circuits have one user).
///
/// The schedule simulation's incremental port filling (`PortFilling`) is
/// this core's stage 2 for the special case it meets there: every flow
/// crosses exactly its send and receive port and has no cap.
struct MaxMinProblem {
    /// Capacity of each resource (bits per second).
    var capacities: [Double]
    /// The resources each flow crosses.
    var flowResources: [[Int]]
    /// Each flow's own rate cap; `.infinity` for none. A flow that crosses
    /// no resource must have a finite cap.
    var caps: [Double]
    /// Each flow's priority class, 0 highest. Empty: every flow in class 0.
    var classes: [Int] = []
    /// Each resource's stage. Empty: every resource is a packet resource
    /// (one stage, plain max-min fairness with caps).
    var stages: [ResourceStage] = []

    /// The max-min fair rate of every flow (both stages summed).
    ///
    /// - Complexity: O((F + R) log(F + R) + Σ_f |resources(f)|) per class
    ///   and stage when stale heap entries are few, for `F` flows and `R`
    ///   resources.
    func solve() -> [Double] {
        let (circuit, packet) = solveByStage()
        return zip(circuit, packet).map { $0 + $1 }
    }

    /// Each flow's stage-1 (circuit) and stage-2 (packet) rate.
    func solveByStage() -> (circuit: [Double], packet: [Double]) {
        let flowCount = flowResources.count
        var circuit = Array(repeating: 0.0, count: flowCount)
        guard flowCount > 0 else { return (circuit, []) }
        // Each flow's resources of each stage, flat.
        var circuitSets = FlatSets(flows: flowCount), packetSets = FlatSets(flows: flowCount)
        var circuitMembers: [Int] = []
        var packetMembers: [Int] = []
        for f in 0..<flowCount {
            for r in flowResources[f] {
                if !stages.isEmpty && stages[r] == .circuit { circuitSets.items.append(r) } else { packetSets.items.append(r) }
            }
            circuitSets.start[f + 1] = circuitSets.items.count
            packetSets.start[f + 1] = packetSets.items.count
            if !circuitSets.isEmpty(f) { circuitMembers.append(f) }
        }
        if !circuitMembers.isEmpty {
            circuit = Self.fill(capacities: capacities, sets: circuitSets, caps: caps, classes: classes, members: circuitMembers)
        }
        var packetCaps = caps
        for f in 0..<flowCount where circuitSets.isEmpty(f) || !packetSets.isEmpty(f) {
            if !circuitSets.isEmpty(f) { packetCaps[f] = max(0, caps[f] - circuit[f]) }
            if packetCaps[f] > 0 || circuitSets.isEmpty(f) { packetMembers.append(f) }
        }
        let packet = Self.fill(capacities: capacities, sets: packetSets, caps: packetCaps, classes: classes, members: packetMembers)
        return (circuit, packet)
    }

    /// Each flow's resources in one flat list: flow `f` crosses
    /// `items[start[f] ..< start[f + 1]]`. The fillings run on it, so their
    /// inner loops read plain integers (no per-flow arrays to allocate or count).
    struct FlatSets {
        var start: [Int]
        var items: [Int] = []
        /// Whether flow `f` crosses no resource here.
        func isEmpty(_ f: Int) -> Bool { start[f + 1] == start[f] }
        /// `flows` empty sets, to be filled in flow order.
        init(flows: Int) { start = Array(repeating: 0, count: flows + 1) }
        init(_ lists: [[Int]]) {
            self.init(flows: lists.count)
            for (f, list) in lists.enumerated() {
                items += list
                start[f + 1] = items.count
            }
        }
    }

    /// Progressive filling of `members` (the other flows get 0), each on
    /// `resources[f]` with cap `caps[f]`, classes in order.
    static func fill(capacities: [Double], resources flowResources: [[Int]], caps: [Double], classes: [Int],
                     members all: [Int]) -> [Double] {
        fill(capacities: capacities, sets: FlatSets(flowResources), caps: caps, classes: classes, members: all)
    }

    /// Progressive filling of `members` (the other flows get 0), each on
    /// its resources in `sets` with cap `caps[f]`, classes in order.
    static func fill(capacities: [Double], sets: FlatSets, caps: [Double], classes: [Int], members all: [Int]) -> [Double] {
        let flowCount = sets.start.count - 1
        let resourceCount = capacities.count
        var rates = Array(repeating: 0.0, count: flowCount)
        guard !all.isEmpty else { return rates }
        let start = sets.start, items = sets.items
        var remaining = capacities
        // Each resource's users in this stage (in members' order), flat like the flows' sets.
        var userCount = Array(repeating: 0, count: resourceCount)
        for f in all { for i in start[f]..<start[f + 1] { userCount[items[i]] += 1 } }
        var userStart = Array(repeating: 0, count: resourceCount + 1)
        for r in 0..<resourceCount { userStart[r + 1] = userStart[r] + userCount[r] }
        var users = Array(repeating: 0, count: userStart[resourceCount])
        var fillAt = userStart
        for f in all { for i in start[f]..<start[f + 1] { users[fillAt[items[i]]] = f; fillAt[items[i]] += 1 } }
        // A flow alone on each of its resources takes min(cap, min c_r) at once.
        var shared: [Int] = []
        for f in all {
            let alone = !sets.isEmpty(f) && (start[f]..<start[f + 1]).allSatisfy { userCount[items[$0]] == 1 }
            if alone {
                var rate = caps[f]
                for i in start[f]..<start[f + 1] { rate = min(rate, max(0, capacities[items[i]])) }
                rates[f] = rate
            } else {
                shared.append(f)
            }
        }
        guard !shared.isEmpty else { return rates }
        let classOf = classes.isEmpty ? Array(repeating: 0, count: flowCount) : classes
        let classOrder = classes.isEmpty ? [0] : Array(Set(shared.map { classOf[$0] })).sorted()
        var frozen = Array(repeating: true, count: flowCount)
        var count = Array(repeating: 0, count: resourceCount)
        var heap = LazyMinHeap()
        for cls in classOrder {
            let members = classes.isEmpty ? shared : shared.filter { classOf[$0] == cls }
            for r in 0..<resourceCount { count[r] = 0 }
            for f in members {
                frozen[f] = false
                for i in start[f]..<start[f + 1] { count[items[i]] += 1 }
            }
            let byCap = members.filter { caps[$0] < .infinity }.sorted { caps[$0] < caps[$1] }
            var capIndex = 0
            heap.removeAll()
            for r in 0..<resourceCount where count[r] > 0 {
                heap.push(max(0, remaining[r]) / Double(count[r]), r)
            }
            var unfrozen = members.count
            var level = 0.0
            while unfrozen > 0 {
                while capIndex < byCap.count && frozen[byCap[capIndex]] { capIndex += 1 }
                let capLevel = capIndex < byCap.count ? caps[byCap[capIndex]] : .infinity
                // The resource that fills first, skipping stale entries.
                var resource = -1
                var resourceLevel = Double.infinity
                while let (stored, r) = heap.pop() {
                    if count[r] == 0 { continue }
                    let actual = max(0, remaining[r]) / Double(count[r])
                    if actual > stored * (1 + 1e-12) {
                        heap.push(actual, r)
                        continue
                    }
                    resource = r
                    resourceLevel = actual
                    break
                }
                if resource < 0 && capLevel == .infinity {
                    // Flows with no resource and no cap: unbounded. Callers
                    // never build them; give them nothing rather than infinity.
                    for f in members where !frozen[f] { frozen[f] = true }
                    break
                }
                if capLevel <= resourceLevel {
                    if resource >= 0 { heap.push(resourceLevel, resource) }
                    let f = byCap[capIndex]
                    level = max(level, capLevel)
                    rates[f] = capLevel
                    frozen[f] = true
                    unfrozen -= 1
                    for i in start[f]..<start[f + 1] {
                        remaining[items[i]] -= capLevel
                        count[items[i]] -= 1
                    }
                } else {
                    level = max(level, resourceLevel)
                    let r = resource
                    for u in userStart[r]..<userStart[r + 1] where !frozen[users[u]] {
                        let f = users[u]
                        rates[f] = level
                        frozen[f] = true
                        unfrozen -= 1
                        for i in start[f]..<start[f + 1] {
                            remaining[items[i]] -= level
                            count[items[i]] -= 1
                        }
                    }
                }
            }
            // What this class took is gone for the next.
        }
        return rates
    }
}
