import OptoCore
import OptoModel

/// The exact model of the `ilp` method when the circuits are fixed (the
/// "ring-order model"): `reconfigure: false`, or a configuration pinned to
/// score a plan. It has the steady-rate model's optimum (same horizon `T`,
/// same routes, same free split between a pair's circuit route and the
/// packet fabric), written linearly: with the circuits fixed the only
/// decisions are the ring orders, so the horizon is a variable and no
/// product `x·θ` needs linearising.
///
/// ```
/// minimise τ = T/T₀
/// rings:    x^{c,r}_uv ∈ {0,1} for (u,v) ∈ A_c, ring r = 1..R_c
///           A_c: u≠v in the group with a circuit route (CircuitRouting, maxHops), or packet fabric at both ends
///           Σ_v x_uv = 1, Σ_u x_uv = 1                          (successor, predecessor)
///           o_u − o_v + (m−1)·x_uv ≤ m − 2, u,v ≠ group[0]      (Miller–Tucker–Zemlin)
///           x_uv + x_vu ≤ 1                                     (no two-node subtours; tightens the LP)
///           Σ_v i(v)·x^{c,r}_{g0,v} ≤ Σ_v i(v)·x^{c,r+1}_{g0,v}  (the equal rings are interchangeable)
/// bytes:    D_uv = Σ_{c,r} β_c·x^{c,r}_uv + Σ_{alltoall c ∋ u,v} 8·S_c/(T₀·r_c),  β_c = 8·steps_c·S_c/(R_c·m_c·T₀·r_c)
/// supply:   z_uv + e_uv ≥ D_uv (z only with a route, e only with packet fabric at both ends)
/// circuits: Σ_{uv : (a,b) ∈ route(u,v)} z_uv ≤ n_ab·τ        packet: Σ_v e_uv ≤ (p_u/r_c)·τ,  Σ_u e_uv ≤ (p_v/r_c)·τ
/// cut:      τ ≥ max over nodes u without packet fabric of min_q max_w q_w·β_c/n_uw
///           (each of the R_c rings sends one β_c quantum out of u over one of u's circuits u→w, Σ q_w = R_c;
///           the same for the quanta into v)
/// ```
///
/// The cut is valid for every integer solution (it only uses that a ring
/// carries its quantum whole over its first and last circuit), so the
/// optimum is the model's; it closes the gap the fractional relaxation
/// leaves when a node keeps fewer circuits than there are rings (three
/// circuits for four rings: some circuit carries two quanta). `ilp`
/// warm-starts from `matched`'s rings rounded to `R_c` equal shares and
/// keeps that start when the solver returns nothing better in its time.
///
/// What it optimises: the largest job time when every pair's bytes of
/// the iteration stream at a constant rate (the steady-rate horizon), over
/// ring orders with `R` equal slots (a ring in several slots carries a
/// multiple of `S/R`). Where it differs from the evaluator: steps are
/// pipelined (an alltoall's one step and an allreduce's `2(m−1)` overlap
/// at constant rates; the evaluator runs each collective's steps one after
/// another with max-min sharing), and a pair's bytes split freely between
/// its circuit route and the packet fabric (the evaluator fills circuits
/// first). With one allreduce and `p = 0` the two agree exactly: each slot
/// is its own ring of `S/R` in the plan, so every transfer of a step has the
/// same size and a step lasts `8·(S/(R·m))·L_max/r_c` in both
/// (`CollectiveRingShareTests`).
extension CollectivePlanner {
    final class RingOrderModel {
        let model = Model(name: "collective-rings")
        let instance: CollectiveInstance
        let tau: VariableID
        /// `T₀`, the per-node lower bound of §4 without `δ` (the unit of τ).
        let horizon: Double
        /// The proven lower bound on τ set by the integer degree cut.
        private(set) var cut: Double = 0
        /// Rings per allreduce key.
        let ringCount: [String: Int]
        /// True when some node has no allowed arc out or in, or an alltoall
        /// pair has no route and no packet fabric: no plan of the model exists.
        private(set) var infeasible = false
        /// Per allreduce key, per ring: successor variables by `u·N+v`.
        var successor: [String: [[Int: VariableID]]] = [:]
        private var position: [String: [[Int: VariableID]]] = [:]
        private var split: [Int: (z: VariableID?, e: VariableID?)] = [:]
        private var demandConstant: [Int: Double] = [:]
        private var demandTerms: [Int: [(Double, VariableID)]] = [:]
        private let routing: CircuitRouting
        private var packetShare: [Double]

        /// - Parameters:
        ///   - circuits: the fixed configuration; routes within `maxHops`.
        ///   - ringCounts: rings per allreduce key (default: the smallest port count in its group).
        ///   - fixedRings: allreduces whose rings are pinned (their bytes are constants).
        init?(_ instance: CollectiveInstance, circuits: [Circuit], maxHops: Int, ringCounts: [String: Int]? = nil,
              fixedRings: [String: [CollectivePlan.Ring]]? = nil) {
            self.instance = instance
            let f = instance.fabric
            let n = f.nodes
            let rc = f.circuitRate
            let t0 = instance.jobLowerBounds(startDelay: 0).max() ?? 0
            guard t0 > 0, t0.isFinite else { return nil }
            horizon = t0
            let routing = CircuitRouting(nodes: n, circuits: circuits, maxHops: maxHops)
            self.routing = routing
            packetShare = f.packetRate.map { $0 / rc }
            let packet = packetShare
            tau = model.addVariable(lowerBound: 0, name: "tau")
            func scaled(_ bytes: Double) -> Double { 8 * bytes / (t0 * rc) }
            var routes: [Int: [[Int]?]] = [:]
            func route(_ u: Int, _ v: Int) -> [Int]? {
                if routes[u] == nil { routes[u] = routing.routes(from: u) }
                return routes[u]![v]
            }
            func allowed(_ u: Int, _ v: Int) -> Bool { route(u, v) != nil || (packet[u] > 0 && packet[v] > 0) }
            var counts: [String: Int] = [:]
            var quanta: [(node: Int, bytes: Double, count: Int)] = []
            for job in instance.jobs {
                for c in job.collectives {
                    let key = CollectiveInstance.key(job: job.name, collective: c.name)
                    let m = c.group.count
                    switch c.kind {
                    case .alltoall:
                        for u in c.group { for v in c.group where v != u { demandConstant[u * n + v, default: 0] += scaled(c.bytes) } }
                    case .allreduce:
                        guard m >= 2 else { continue }
                        if let fixed = fixedRings?[key] {
                            for ring in fixed where ring.order.count == m {
                                let b = scaled(Double(c.steps) * ring.bytes / Double(m))
                                for i in 0..<m { demandConstant[ring.order[i] * n + ring.order[(i + 1) % m], default: 0] += b }
                            }
                            continue
                        }
                        let r = ringCounts?[key].map { max(1, $0) } ?? CollectivePlanner.ringCount(c, f)
                        counts[key] = r
                        let beta = scaled(Double(c.steps) * c.bytes / (Double(r) * Double(m)))
                        for u in c.group { quanta.append((u, beta, r)) }
                        let index = Dictionary(uniqueKeysWithValues: c.group.enumerated().map { ($1, $0) })
                        var rings: [[Int: VariableID]] = [], orders: [[Int: VariableID]] = []
                        for ringIndex in 0..<r {
                            var x: [Int: VariableID] = [:]
                            for u in c.group { for v in c.group where v != u && allowed(u, v) {
                                x[u * n + v] = model.addVariable(.binary, name: "x[\(key),\(ringIndex),\(u),\(v)]")
                            } }
                            for u in c.group {
                                let out = c.group.compactMap { x[u * n + $0] }, inn = c.group.compactMap { x[$0 * n + u] }
                                if out.isEmpty || inn.isEmpty { infeasible = true; continue }
                                model.addConstraint(LinearExpression.sum(out), .equalTo(1))
                                model.addConstraint(LinearExpression.sum(inn), .equalTo(1))
                            }
                            var o: [Int: VariableID] = [:]
                            if m > 2 {
                                for u in c.group.dropFirst() { o[u] = model.addVariable(lowerBound: 1, upperBound: Double(m - 1)) }
                                for u in c.group.dropFirst() { for v in c.group.dropFirst() where v != u {
                                    guard let xv = x[u * n + v] else { continue }
                                    model.addConstraint(o[u]! - o[v]! + Double(m - 1) * xv, .lessThanOrEqual(Double(m - 2)))
                                    if u < v, let back = x[v * n + u] { model.addConstraint(xv + back, .lessThanOrEqual(1)) }
                                } }
                            }
                            for (pair, xv) in x { demandTerms[pair, default: []].append((beta, xv)) }
                            rings.append(x); orders.append(o)
                        }
                        // Interchangeable rings: the successors of the group's first node in ascending group order.
                        let g0 = c.group[0]
                        for ringIndex in 0..<(r - 1) {
                            var e = LinearExpression()
                            for v in c.group where v != g0 {
                                if let a = rings[ringIndex][g0 * n + v] { e += Double(index[v]!) * a }
                                if let b = rings[ringIndex + 1][g0 * n + v] { e -= Double(index[v]!) * b }
                            }
                            model.addConstraint(e, .lessThanOrEqual(0))
                        }
                        successor[key] = rings
                        position[key] = orders
                    }
                }
            }
            ringCount = counts
            // Supply: each pair's bytes over its route's circuits and/or the packet fabric.
            var circuitLoad: [Int: LinearExpression] = [:]
            var sendE = Array(repeating: LinearExpression(), count: n), recvE = sendE
            let pairs = Set(demandConstant.keys).union(demandTerms.keys).sorted()
            for pair in pairs {
                let u = pair / n, v = pair % n
                var d = LinearExpression()
                d.constant = demandConstant[pair] ?? 0
                for (coef, xv) in demandTerms[pair] ?? [] { d += coef * xv }
                let path = route(u, v)
                let hasPacket = packet[u] > 0 && packet[v] > 0
                switch (path, hasPacket) {
                case (let path?, false):
                    for h in 0..<(path.count - 1) { circuitLoad[path[h] * n + path[h + 1], default: LinearExpression()] += d }
                case (nil, true):
                    sendE[u] += d; recvE[v] += d
                case (let path?, true):
                    let z = model.addVariable(lowerBound: 0), e = model.addVariable(lowerBound: 0)
                    split[pair] = (z, e)
                    model.addConstraint(z + e - d, .greaterThanOrEqual(0))
                    for h in 0..<(path.count - 1) { circuitLoad[path[h] * n + path[h + 1], default: LinearExpression()] += z }
                    sendE[u] += e; recvE[v] += e
                case (nil, false):
                    if d.constant > 0 { infeasible = true }
                }
            }
            for (ab, load) in circuitLoad.sorted(by: { $0.key < $1.key }) {
                model.addConstraint(load - Double(routing.multiplicity[ab]) * tau, .lessThanOrEqual(0))
            }
            for i in 0..<n where packet[i] > 0 {
                if !sendE[i].terms.isEmpty || sendE[i].constant > 0 { model.addConstraint(sendE[i] - packet[i] * tau, .lessThanOrEqual(0)) }
                if !recvE[i].terms.isEmpty || recvE[i].constant > 0 { model.addConstraint(recvE[i] - packet[i] * tau, .lessThanOrEqual(0)) }
            }
            // The integer degree cut at nodes without packet fabric.
            var outCircuits = Array(repeating: [Int](), count: n), inCircuits = outCircuits
            for a in 0..<n { for b in 0..<n where routing.multiplicity[a * n + b] > 0 {
                outCircuits[a].append(routing.multiplicity[a * n + b]); inCircuits[b].append(routing.multiplicity[a * n + b])
            } }
            var lb = 0.0
            for q in quanta where packet[q.node] == 0 {
                lb = max(lb, q.bytes * Self.waterFill(q.count, over: outCircuits[q.node]), q.bytes * Self.waterFill(q.count, over: inCircuits[q.node]))
            }
            cut = lb.isFinite ? lb : 0
            if !lb.isFinite { infeasible = true }
            if cut > 0 { model.addConstraint(1.0 * tau, .greaterThanOrEqual(cut)) }
            model.setObjective(1.0 * tau, .minimize)
        }

        /// `min over integer q ≥ 0 with Σ q_w = quanta of max_w q_w / n_w`
        /// (greedy water-filling is optimal); infinite without circuits.
        static func waterFill(_ quanta: Int, over multiplicity: [Int]) -> Double {
            guard !multiplicity.isEmpty else { return quanta > 0 ? .infinity : 0 }
            var q = multiplicity.map { _ in 0 }
            for _ in 0..<quanta {
                var best = 0
                for w in q.indices where Double(q[w] + 1) / Double(multiplicity[w]) < Double(q[best] + 1) / Double(multiplicity[best]) { best = w }
                q[best] += 1
            }
            return q.indices.map { Double(q[$0]) / Double(multiplicity[$0]) }.max() ?? 0
        }

        /// The horizon `T = T₀·τ` of a solution, seconds.
        func horizon(_ r: SolveResult) -> Double { horizon * r.value(tau) }

        /// A complete assignment for `rings` (per key, `ringCount[key]`
        /// orders, each a permutation of the group), or nil when a ring uses
        /// an arc outside the model.
        func warmStart(_ rings: [String: [[Int]]]) -> [VariableID: Double]? {
            let n = instance.fabric.nodes
            var values: [VariableID: Double] = [:]
            var bytes: [Int: Double] = demandConstant
            for (key, slots) in successor {
                guard let orders = rings[key], orders.count == slots.count else { return nil }
                // Slots sorted as the symmetry rows ask: successor of the group's first node ascending.
                guard let c = collective(key) else { return nil }
                let index = Dictionary(uniqueKeysWithValues: c.group.enumerated().map { ($1, $0) })
                let rotated = orders.map { o -> [Int] in
                    guard let i = o.firstIndex(of: c.group[0]) else { return o }
                    return Array(o[i...] + o[..<i])
                }.sorted { index[$0[1 % $0.count]] ?? 0 < index[$1[1 % $1.count]] ?? 0 }
                for (r, order) in rotated.enumerated() {
                    guard order.count == c.group.count, Set(order) == Set(c.group) else { return nil }
                    for v in slots[r].values { values[v] = 0 }
                    let m = order.count
                    for i in 0..<m {
                        let pair = order[i] * n + order[(i + 1) % m]
                        guard let xv = slots[r][pair] else { return nil }
                        values[xv] = 1
                    }
                    for (i, u) in order.enumerated() where i > 0 { if let o = position[key]?[r][u] { values[o] = Double(i) } }
                }
            }
            for (pair, terms) in demandTerms { for (coef, xv) in terms where values[xv] == 1 { bytes[pair, default: 0] += coef } }
            // Each pair's bytes on its circuit route where it has one, else on the packet fabric.
            var circuitLoad: [Int: Double] = [:], send = Array(repeating: 0.0, count: n), recv = send
            for (pair, b) in bytes where b > 0 {
                let u = pair / n, v = pair % n
                if let path = routing.route(u, v), path.count > 1 {
                    for h in 0..<(path.count - 1) { circuitLoad[path[h] * n + path[h + 1], default: 0] += b }
                    if let s = split[pair] { values[s.z!] = b; values[s.e!] = 0 }
                } else {
                    send[u] += b; recv[v] += b
                }
            }
            for (_, s) in split where values[s.z!] == nil { values[s.z!] = 0; values[s.e!] = 0 }
            var t = cut
            for (ab, load) in circuitLoad { t = max(t, load / Double(routing.multiplicity[ab])) }
            for i in 0..<n where send[i] > 0 || recv[i] > 0 {
                guard packetShare[i] > 0 else { return nil }
                t = max(t, max(send[i], recv[i]) / packetShare[i])
            }
            values[tau] = t * (1 + 1e-9)
            return values
        }

        func collective(_ key: String) -> Collective? {
            for job in instance.jobs { for c in job.collectives where CollectiveInstance.key(job: job.name, collective: c.name) == key { return c } }
            return nil
        }

        /// The rings of a solution: one ring of `S/R_c` per slot (so every
        /// transfer of a step has the same size), or one ring with all of
        /// `S` when every slot holds the same order.
        func rings(_ r: SolveResult) -> [String: [CollectivePlan.Ring]] {
            let n = instance.fabric.nodes
            var out: [String: [CollectivePlan.Ring]] = [:]
            for (key, all) in successor {
                guard let c = collective(key) else { continue }
                var orders: [[Int]] = []
                for x in all {
                    var next: [Int: Int] = [:]
                    for (pair, v) in x where r.value(v) > 0.5 { next[pair / n] = pair % n }
                    var order = [c.group[0]]
                    while order.count < c.group.count, let s = next[order.last!], !order.contains(s) { order.append(s) }
                    if order.count != c.group.count { order = c.group }
                    orders.append(order)
                }
                out[key] = CollectivePlanner.ringsFromSlots(orders, bytes: c.bytes)
            }
            return out
        }
    }

    /// `rings` as `count` equal slots: each ring gets its share of `count`
    /// by largest remainder (rings left with no slot dropped); nil when a
    /// share is not finite.
    static func slots(_ rings: [CollectivePlan.Ring], count: Int) -> [[Int]]? {
        let total = rings.reduce(0) { $0 + $1.bytes }
        guard total > 0, total.isFinite, count > 0 else { return nil }
        let parts = largestRemainder(total: count, weights: rings.map(\.bytes))
        var out: [[Int]] = []
        for (ring, k) in zip(rings, parts) { out += Array(repeating: ring.order, count: k) }
        return out.count == count ? out : nil
    }
}

extension CollectivePlanner.RingOrderModel {
    /// The rings of slot orders per key (as ``rings(_:)`` builds them from a solution).
    func rings(slots: [String: [[Int]]]) -> [String: [CollectivePlan.Ring]] {
        var out: [String: [CollectivePlan.Ring]] = [:]
        for (key, orders) in slots { if let c = collective(key) { out[key] = CollectivePlanner.ringsFromSlots(orders, bytes: c.bytes) } }
        return out
    }
}

extension CollectivePlanner {
    /// Equal slots as rings: one ring of `S/R` per slot, or one ring with
    /// all of `S` when every slot holds the same order (so every transfer
    /// of a step has the same size).
    static func ringsFromSlots(_ orders: [[Int]], bytes: Double) -> [CollectivePlan.Ring] {
        guard let first = orders.first else { return [] }
        if Set(orders).count == 1 { return [.init(order: first, bytes: bytes)] }
        var rings = orders.map { CollectivePlan.Ring(order: $0, bytes: bytes / Double(orders.count)) }
        rings[rings.count - 1].bytes = bytes - rings.dropLast().reduce(0) { $0 + $1.bytes }
        return rings
    }
}
