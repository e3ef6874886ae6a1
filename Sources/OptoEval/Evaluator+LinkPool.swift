import OptoCore

extension Evaluator {
    /// Evaluates a link-pool plan (PROBLEMS.md §2) in its steady state.
    ///
    /// Each pair `i→j` offers its demand rate `R[i][j]`. Its circuits carry
    /// `min(R, n·r_c)`; the residual demand of every pair shares the packet
    /// fabric max-min fair under each node's send and receive limit `p_i`,
    /// each flow capped by its residual demand. The plan's `electrical`
    /// matrix is not used: the packet fabric shares as a packet fabric does.
    ///
    /// With transit (`transit` entries, `maxHops: 2`): entry `[s, k, t, x]`
    /// is the share `φ = x / P[s][t]` of the pair's traffic (`P = λ·R` for
    /// a concurrent plan with its planned `λ`, `R` for a throughput plan;
    /// `transitShares`), a sub-flow offering `φ·R'[s][t]` over the circuits
    /// `s→k` and `k→t` and no packet port; the pair's own flow offers the
    /// rest, `(1 − Σφ)·R'`. Circuits are filled first, max-min over all
    /// their users (pair flows and sub-flows), then the packet fabric.
    ///
    /// - `lambda`: `min a[i][j] / R[i][j]` over pairs with demand (≤ 1).
    /// - `lambdaCapacity`: the largest `λ` with `λ·R` carried by the plan's
    ///   circuits plus the packet fabric used at its best. Pair `i→j` then
    ///   needs `(λR[i][j] − n[i][j]·r_c)⁺` of packet rate, and the only limits
    ///   are per node, each monotone in `λ`, so `λ` is the smallest over nodes
    ///   of the largest `λ` each node's send (receive) limit admits, found by
    ///   sweeping the breakpoints `n·r_c / R` in order. With transit, the
    ///   same sweep on the circuits' loads with the sub-flows' loads bounded
    ///   by their circuits (`lambdaCapacity(demand:circuitCapacity:packetRate:shares:)`).
    /// - `transitCarried` (with transit): the sub-flows' rate.
    /// - `carried`: `Σ a[i][j]`; `rates`: `a`.
    /// - `circuitBusyFraction`: circuit rate used over circuit rate built.
    /// - `packetPortUtilisation`: each node's packet send and receive rate over `p_i`.
    ///
    /// - Parameters:
    ///   - plan: the allocation to score.
    ///   - instance: the instance the plan was made for (its fabric is used).
    ///   - actual: other demand to score it on (same node count); `nil`: the instance's.
    /// - Throws: `EvaluationError` when the plan breaks the fabric's port
    ///   pools or names nodes outside it, or the traffic does not fit.
    /// - Complexity: O(N² log N) for the filling and the per-node sweeps.
    public static func evaluate(_ plan: LinkPoolPlan, on instance: LinkPoolInstance,
                                actual: LinkPoolInstance? = nil) throws -> EvaluationMetrics {
        let fabric = instance.fabric
        let n = fabric.nodes
        var notes: [String] = []
        guard n >= 1, fabric.opticalPorts.count == n, fabric.packetRate.count == n else {
            throw EvaluationError.invalidTraffic("the fabric's per-node lists do not have \(n) entries")
        }
        guard fabric.packetRate.allSatisfy({ $0.isFinite && $0 >= 0 }), fabric.circuitRate.isFinite, fabric.circuitRate >= 0 else {
            throw EvaluationError.invalidTraffic("a packet or circuit rate is negative or not finite")
        }
        let traffic = actual ?? instance
        guard traffic.fabric.nodes == n else {
            throw EvaluationError.invalidTraffic("the actual traffic has \(traffic.fabric.nodes) nodes, the plan's instance \(n)")
        }
        if actual != nil && traffic.fabric != fabric {
            notes.append("the actual instance's fabric differs; the plan's instance fabric was used")
        }
        try validate(traffic.demand, nodes: n, label: "demand")
        let demand = traffic.demand.withoutDiagonal

        // The plan's circuits against the pools.
        var out = Array(repeating: 0, count: n)
        var into = Array(repeating: 0, count: n)
        for c in plan.circuits {
            guard c.from >= 0 && c.from < n && c.to >= 0 && c.to < n else {
                throw EvaluationError.invalidPlan("circuit \(c) names a node outside 0..<\(n)")
            }
            guard c.from != c.to else { throw EvaluationError.invalidPlan("circuit \(c) joins a node to itself") }
            out[c.from] += 1
            into[c.to] += 1
        }
        for i in 0..<n {
            if out[i] + into[i] > fabric.opticalPorts[i] {
                throw EvaluationError.invalidPlan("node \(i) uses \(out[i] + into[i]) optical ports but has \(fabric.opticalPorts[i])")
            }
            if let tx = fabric.tx, i < tx.count, out[i] > tx[i] {
                throw EvaluationError.invalidPlan("node \(i) transmits on \(out[i]) circuits but tx allows \(tx[i])")
            }
            if let rx = fabric.rx, i < rx.count, into[i] > rx[i] {
                throw EvaluationError.invalidPlan("node \(i) receives on \(into[i]) circuits but rx allows \(rx[i])")
            }
        }
        let circuitCapacity = plan.circuits.countMatrix(nodes: n).scaled(by: fabric.circuitRate)
        let shares = try transitShares(plan, on: instance, circuitCapacity: circuitCapacity, notes: &notes)

        // One flow per pair with demand, offering what its shares leave of
        // its demand rate: it crosses its pair's circuit resource (when the
        // plan has circuits there) and its two packet ports. One sub-flow
        // per transit share, offering `φ·R'` over its two circuit resources
        // and no packet port. The core fills the circuits first, max-min
        // over all their users, then the packet fabric with what each
        // pair's flow still wants.
        var capacities = fabric.packetRate + fabric.packetRate
        var stages = Array(repeating: ResourceStage.packet, count: 2 * n)
        var circuitResource = Array(repeating: -1, count: n * n)
        for k in 0..<(n * n) where circuitCapacity.values[k] > 0 {
            circuitResource[k] = capacities.count
            capacities.append(circuitCapacity.values[k])
            stages.append(.circuit)
        }
        var directShare = Array(repeating: 1.0, count: n * n)
        for share in shares { directShare[share.source * n + share.target] -= share.phi }
        var pairs: [Int] = []
        var flowResources: [[Int]] = []
        var caps: [Double] = []
        for i in 0..<n {
            for j in 0..<n where i != j && demand[i, j] > 0 {
                var resources = [i, n + j]
                if circuitResource[i * n + j] >= 0 { resources.insert(circuitResource[i * n + j], at: 0) }
                pairs.append(i * n + j)
                flowResources.append(resources)
                caps.append(max(0, directShare[i * n + j]) * demand[i, j])
            }
        }
        let directFlows = pairs.count
        for share in shares where demand[share.source, share.target] > 0 {
            pairs.append(share.source * n + share.target)
            flowResources.append([circuitResource[share.source * n + share.via], circuitResource[share.via * n + share.target]])
            caps.append(share.phi * demand[share.source, share.target])
        }
        let (onCircuit, packet) = MaxMinProblem(capacities: capacities, flowResources: flowResources, caps: caps,
                                                stages: stages).solveByStage()
        var rates = Matrix(size: n)
        var sendRate = Array(repeating: 0.0, count: n)
        var receiveRate = Array(repeating: 0.0, count: n)
        var circuitUsed = 0.0
        var transitCarried = 0.0
        for (k, pair) in pairs.enumerated() {
            rates.values[pair] += onCircuit[k] + packet[k]
            circuitUsed += onCircuit[k] * Double(k < directFlows ? 1 : 2)
            if k >= directFlows { transitCarried += onCircuit[k] }
            sendRate[pair / n] += packet[k]
            receiveRate[pair % n] += packet[k]
        }

        var m = EvaluationMetrics(problem: .linkpool, mode: "steady-state")
        m.carried = rates.total
        var lambda = Double.infinity
        for k in 0..<(n * n) where demand.values[k] > 0 {
            lambda = min(lambda, rates.values[k] / demand.values[k])
        }
        m.lambda = lambda.isFinite ? min(lambda, 1) : nil
        let capacityLambda = shares.isEmpty
            ? Self.lambdaCapacity(demand: demand, circuitCapacity: circuitCapacity, packetRate: fabric.packetRate)
            : Self.lambdaCapacity(demand: demand, circuitCapacity: circuitCapacity, packetRate: fabric.packetRate,
                                  shares: shares)
        if plan.transit != nil { m.transitCarried = transitCarried }
        m.lambdaCapacity = capacityLambda.isFinite ? capacityLambda : nil
        m.rates = rates.nestedRows
        let built = circuitCapacity.total
        m.circuitBusyFraction = built > 0 ? circuitUsed / built : nil
        m.packetPortUtilisation = (0..<n).map { i in
            let p = fabric.packetRate[i]
            return .init(send: p > 0 ? sendRate[i] / p : 0, receive: p > 0 ? receiveRate[i] / p : 0)
        }
        if !notes.isEmpty { m.notes = notes }
        return m
    }

    /// The largest `λ` such that, for every node, the packet rate its pairs
    /// need beyond their circuits, `Σ (λR − C)⁺`, fits its send (and receive)
    /// limit. `.infinity` when nothing limits it (no demand).
    ///
    /// - Complexity: O(N² log N)
    static func lambdaCapacity(demand: Matrix, circuitCapacity: Matrix, packetRate: [Double]) -> Double {
        let n = demand.rows
        var best = Double.infinity
        for side in 0..<2 {
            for i in 0..<n {
                var items: [(r: Double, c: Double)] = []
                for j in 0..<n {
                    let (a, b) = side == 0 ? (i, j) : (j, i)
                    if demand[a, b] > 0 { items.append((demand[a, b], circuitCapacity[a, b])) }
                }
                best = min(best, largestScale(items, limit: packetRate[i]))
            }
        }
        return best
    }

    /// The largest `λ ≥ 0` with `Σ_k max(0, λ·r_k − c_k) ≤ limit` (every `r_k > 0`).
    static func largestScale(_ items: [(r: Double, c: Double)], limit: Double) -> Double {
        guard !items.isEmpty else { return .infinity }
        let sorted = items.sorted { $0.c / $0.r < $1.c / $1.r }
        var sumR = 0.0
        var sumC = 0.0
        for item in sorted {
            let breakpoint = item.c / item.r
            if sumR > 0 {
                let lambda = (limit + sumC) / sumR
                if lambda <= breakpoint { return lambda }
            }
            sumR += item.r
            sumC += item.c
        }
        return (limit + sumC) / sumR
    }
}

/// One transit share of a link-pool plan: the fraction `phi` of pair
/// `source→target`'s traffic that rides `source→via→target`.
struct TransitShare: Equatable {
    var source: Int
    var via: Int
    var target: Int
    var phi: Double
}

extension Evaluator {
    /// The plan's transit entries as shares of their pairs' traffic
    /// (PROBLEMS.md, Evaluator: Transit): entry `[s, k, t, x]` is
    /// `φ = x / P[s][t]`, where `P` is what the plan routes for the pair,
    /// `λ·R` for a concurrent plan with its planned `λ` (`metrics.lambda`;
    /// without one, the plan's `carried[s][t]`), `R` for a throughput plan,
    /// `R` the plan's instance's demand. Entries of one path are merged; a
    /// pair whose shares sum past 1 has them scaled to sum to 1 (a note
    /// says so).
    ///
    /// - Throws: `EvaluationError.invalidPlan` for an entry that names a node
    ///   outside the fabric, repeats a node, has a negative or non-finite
    ///   rate, crosses a circuit the plan does not have, routes a positive
    ///   rate for a pair the plan routes nothing for, or comes in a plan
    ///   whose instance has `maxHops` 1.
    /// - Complexity: O(T log T) for `T` entries.
    static func transitShares(_ plan: LinkPoolPlan, on instance: LinkPoolInstance, circuitCapacity: Matrix,
                              notes: inout [String]) throws -> [TransitShare] {
        guard let transit = plan.transit, !transit.isEmpty else { return [] }
        let n = instance.fabric.nodes
        guard instance.maxHops >= 2 else {
            throw EvaluationError.invalidPlan("the plan has transit entries but its instance has maxHops 1")
        }
        let demand = instance.demand
        var lambda: Double?
        if instance.objective == .concurrent, let l = plan.metrics.lambda, l.isFinite, l > 0 { lambda = l }
        let carriedOK = plan.carried.count == n && plan.carried.allSatisfy { $0.count == n }
        var merged: [Int: Double] = [:]
        for (k, e) in transit.enumerated() {
            let (s, v, t) = (e.source, e.via, e.target)
            try checkTransitEntry(e, label: "transit[\(k)] \(e)", nodes: n, badAmount: "has a rate that is negative or not finite", circuitsName: "the plan") {
                circuitCapacity[$0, $1] > 0
            }
            guard e.amount > 0 else { continue }
            let planned: Double
            switch instance.objective {
            case .concurrent:
                if let lambda { planned = lambda * demand[s, t] } else { planned = carriedOK ? plan.carried[s][t] : 0 }
            case .throughput:
                planned = demand[s, t]
            }
            guard planned > 0 else {
                throw EvaluationError.invalidPlan("transit[\(k)] \(e) routes traffic for a pair the plan routes nothing for")
            }
            merged[(s * n + v) * n + t, default: 0] += e.amount / planned
        }
        var shares = merged.sorted { $0.key < $1.key }.map { key, phi in
            TransitShare(source: key / (n * n), via: (key / n) % n, target: key % n, phi: phi)
        }
        var sum: [Int: Double] = [:]
        for share in shares { sum[share.source * n + share.target, default: 0] += share.phi }
        for (pair, total) in sum.sorted(by: { $0.key < $1.key }) where total > 1 {
            if total > 1 + 1e-9 {
                notes.append("the transit shares of \(pair / n)->\(pair % n) sum to \(total); they were scaled to sum to 1")
            }
            for k in shares.indices where shares[k].source * n + shares[k].target == pair { shares[k].phi /= total }
        }
        return shares
    }

    /// `lambdaCapacity` of a plan with transit shares: the largest `λ` such
    /// that `λ·R` fits the plan's circuits, shares and the packet fabric at
    /// its best. Sub-flows use circuits only, so circuit `c` must carry its
    /// transit load `λ·T_c` (`T_c = Σ φ·R` over the shares crossing it):
    /// `λ ≤ n_c·r_c / T_c`. Below that bound the pair's own flow, which
    /// offers `λ·(1 − Σφ)·R`, best takes what its circuit has left,
    /// `n_c·r_c − λ·T_c`, and the packet fabric the rest, so pair `i→j`
    /// needs `(λ·L[i][j] − C[i][j])⁺` of packet rate with
    /// `L = (1 − Σφ)·R + T`: the one-hop sweep on `L` instead of `R`, and
    /// the smaller of the two bounds.
    ///
    /// - Complexity: O(N² log N + T).
    static func lambdaCapacity(demand: Matrix, circuitCapacity: Matrix, packetRate: [Double],
                               shares: [TransitShare]) -> Double {
        let n = demand.rows
        var load = demand
        var transitLoad = Matrix(size: n)
        for share in shares {
            let x = share.phi * demand[share.source, share.target]
            load[share.source, share.target] -= x
            transitLoad[share.source, share.via] += x
            transitLoad[share.via, share.target] += x
        }
        var best = Double.infinity
        for k in 0..<(n * n) {
            load.values[k] = max(0, load.values[k]) + transitLoad.values[k]
            if transitLoad.values[k] > 0 { best = min(best, circuitCapacity.values[k] / transitLoad.values[k]) }
        }
        return min(best, lambdaCapacity(demand: load, circuitCapacity: circuitCapacity, packetRate: packetRate))
    }
}

extension Evaluator {
    /// One transit entry of a plan checked before it is scored (link-pool
    /// and epochs plans alike): its three nodes in `0..<nodes` and
    /// different, its amount finite and 0 or more (else `badAmount` is the
    /// message), and both its circuits among those `hasCircuit` knows
    /// (`circuitsName` says whose, in the message).
    ///
    /// - Throws: `EvaluationError.invalidPlan` naming `label`.
    static func checkTransitEntry(_ r: TransitRoute, label: String, nodes n: Int, badAmount: String, circuitsName: String,
                                  hasCircuit: (Int, Int) -> Bool) throws {
        guard (0..<n).contains(r.source), (0..<n).contains(r.via), (0..<n).contains(r.target) else {
            throw EvaluationError.invalidPlan("\(label) names a node outside 0..<\(n)")
        }
        guard r.source != r.target, r.via != r.source, r.via != r.target else {
            throw EvaluationError.invalidPlan("\(label) must pass through a third node")
        }
        guard r.amount.isFinite, r.amount >= 0 else {
            throw EvaluationError.invalidPlan("\(label) \(badAmount)")
        }
        guard hasCircuit(r.source, r.via), hasCircuit(r.via, r.target) else {
            throw EvaluationError.invalidPlan("\(label) crosses a circuit \(circuitsName) does not have")
        }
    }
}
