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
    /// - `lambda`: `min a[i][j] / R[i][j]` over pairs with demand (≤ 1).
    /// - `lambdaCapacity`: the largest `λ` with `λ·R` carried by the plan's
    ///   circuits plus the packet fabric used at its best. Pair `i→j` then
    ///   needs `(λR[i][j] − n[i][j]·r_c)⁺` of packet rate, and the only limits
    ///   are per node, each monotone in `λ`, so `λ` is the smallest over nodes
    ///   of the largest `λ` each node's send (receive) limit admits, found by
    ///   sweeping the breakpoints `n·r_c / R` in order.
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

        // One flow per pair with demand, offering its demand rate: it
        // crosses its pair's circuit resource (when the plan has circuits
        // there) and its two packet ports. The core fills the circuits
        // first, then the packet fabric with what each flow still wants.
        var capacities = fabric.packetRate + fabric.packetRate
        var stages = Array(repeating: ResourceStage.packet, count: 2 * n)
        var pairs: [Int] = []
        var flowResources: [[Int]] = []
        var caps: [Double] = []
        for i in 0..<n {
            for j in 0..<n where i != j && demand[i, j] > 0 {
                var resources = [i, n + j]
                if circuitCapacity[i, j] > 0 {
                    resources.insert(capacities.count, at: 0)
                    capacities.append(circuitCapacity[i, j])
                    stages.append(.circuit)
                }
                pairs.append(i * n + j)
                flowResources.append(resources)
                caps.append(demand[i, j])
            }
        }
        let (onCircuit, packet) = MaxMinProblem(capacities: capacities, flowResources: flowResources, caps: caps,
                                                stages: stages).solveByStage()
        var rates = Matrix(size: n)
        var sendRate = Array(repeating: 0.0, count: n)
        var receiveRate = Array(repeating: 0.0, count: n)
        var circuitUsed = 0.0
        for (k, pair) in pairs.enumerated() {
            rates.values[pair] = onCircuit[k] + packet[k]
            circuitUsed += onCircuit[k]
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
        let capacityLambda = Self.lambdaCapacity(demand: demand, circuitCapacity: circuitCapacity, packetRate: fabric.packetRate)
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
