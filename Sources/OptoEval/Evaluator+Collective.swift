import OptoCore

extension Evaluator {
    /// Evaluates a collective plan (PROBLEMS.md §4 and "The evaluator",
    /// collective plans) by an event-driven fluid run of every collective's
    /// synchronous steps.
    ///
    /// Every transfer of a running step is a flow over its route
    /// (``CircuitRouting``: direct circuits, else the shortest path of at
    /// most `maxHops` circuits) and over its ends' packet ports. At every
    /// event the max-min core fills the circuit resources first (a relayed
    /// transfer needs every circuit of its path), then the packet ports with
    /// what each transfer still wants (only packet rates count there). A
    /// step ends with its last transfer and the collective's next step
    /// starts at once; all collectives of all jobs run concurrently from
    /// `start` (`δ` unless the plan keeps `current`).
    ///
    /// Outputs: `makespan` (the largest job time), per job its time, §4's
    /// lower bound and their ratio, and per collective its time and
    /// algorithmic bandwidth `8·S/time`; `circuitBusyFraction` (circuit
    /// capacity used over built, while any collective runs) and packet
    /// port utilisation; `events`.
    ///
    /// - Throws: `EvaluationError.invalidPlan` for circuits outside the
    ///   fabric or over its ports, rings that are not permutations of their
    ///   groups; `.noProgress` when a transfer has neither a circuit route
    ///   nor packet capacity.
    /// - Complexity: O(events · (F log F + Σ route lengths)) for F transfers
    ///   running at once; a step whose transfers are alike ends in one event.
    public static func evaluate(_ plan: CollectivePlan, on instance: CollectiveInstance) throws -> EvaluationMetrics {
        let f = instance.fabric
        let n = f.nodes
        var tx = Array(repeating: 0, count: n), rx = Array(repeating: 0, count: n)
        for c in plan.circuits {
            guard c.from >= 0, c.from < n, c.to >= 0, c.to < n, c.from != c.to else {
                throw EvaluationError.invalidPlan("circuit \(c) is not a circuit between two nodes of 0..<\(n)")
            }
            tx[c.from] += 1; rx[c.to] += 1
        }
        for i in 0..<n where tx[i] > f.ocsPortsPerNode[i] || rx[i] > f.ocsPortsPerNode[i] {
            throw EvaluationError.invalidPlan("node \(i) uses \(max(tx[i], rx[i])) circuits at one side but has \(f.ocsPortsPerNode[i]) OCS ports")
        }
        let layout = CollectiveLayout(instance, rings: plan.rings)
        for (index, entry) in layout.collectives.enumerated() where entry.collective.kind == .allreduce {
            let group = entry.collective.group.sorted()
            let rings = layout.rings[index]
            let key = CollectiveInstance.key(job: instance.jobs[entry.job].name, collective: entry.collective.name)
            guard !rings.isEmpty else { throw EvaluationError.invalidPlan("no rings for the allreduce \"\(key)\"") }
            for r in rings where r.order.sorted() != group || !(r.bytes >= 0) || !r.bytes.isFinite {
                throw EvaluationError.invalidPlan("a ring of \"\(key)\" is not a permutation of its group with bytes ≥ 0")
            }
        }

        // Resources: circuit pairs, then each node's packet send and receive port.
        let routing = CircuitRouting(nodes: n, circuits: plan.circuits, maxHops: instance.maxHops)
        var circuitIndex: [Int: Int] = [:]
        var capacities: [Double] = []
        for key in 0..<(n * n) where routing.multiplicity[key] > 0 {
            circuitIndex[key] = capacities.count
            capacities.append(Double(routing.multiplicity[key]) * f.circuitRate)
        }
        let circuitCount = capacities.count
        let sendPort = capacities.count
        capacities += f.packetRate
        let recvPort = capacities.count
        capacities += f.packetRate
        let stages = capacities.indices.map { $0 < circuitCount ? ResourceStage.circuit : .packet }

        struct Transfer { var circuit: [Int]; var packet: [Int]; var bytes: Double }
        var routes = [Int: [[Int]?]]()
        // Each collective's step transfers (the same every step).
        var stepTransfers: [[Transfer]] = []
        for (index, entry) in layout.collectives.enumerated() {
            var list: [Transfer] = []
            for t in entry.collective.stepTransfers(rings: layout.rings[index]) where t.bytes > 0 {
                if routes[t.from] == nil { routes[t.from] = routing.routes(from: t.from) }
                var circuit: [Int] = []
                if let path = routes[t.from]![t.to] {
                    for h in 0..<(path.count - 1) { circuit.append(circuitIndex[path[h] * n + path[h + 1]]!) }
                }
                let packet = f.packetRate[t.from] > 0 && f.packetRate[t.to] > 0 ? [sendPort + t.from, recvPort + t.to] : []
                if circuit.isEmpty && packet.isEmpty {
                    throw EvaluationError.noProgress("transfer \(t.from)->\(t.to) of \(instance.jobs[entry.job].name)/\(entry.collective.name) has no circuit path of at most \(instance.maxHops) circuits and no packet fabric")
                }
                list.append(Transfer(circuit: circuit, packet: packet, bytes: t.bytes))
            }
            stepTransfers.append(list)
        }

        let start = instance.startDelay(for: plan.circuits)
        var now = start
        var step = layout.collectives.map { _ in 0 }
        var finished = layout.collectives.map { _ in start }
        var left: [[Double]] = stepTransfers.map { $0.map(\.bytes) }
        var running = Set<Int>()
        for (index, entry) in layout.collectives.enumerated() where entry.collective.steps > 0 && !stepTransfers[index].isEmpty { running.insert(index) }
        var events = 0
        var circuitUsed = 0.0, circuitBuilt = 0.0
        var sent = Array(repeating: 0.0, count: n), received = Array(repeating: 0.0, count: n)
        let builtRate = capacities[0..<circuitCount].reduce(0, +)

        while !running.isEmpty {
            events += 1
            // The flows of every running step.
            var owner: [(collective: Int, transfer: Int)] = []
            var flowResources: [[Int]] = []
            for c in running.sorted() {
                for (k, t) in stepTransfers[c].enumerated() where left[c][k] > 0 {
                    owner.append((c, k)); flowResources.append(t.circuit + t.packet)
                }
            }
            // The evaluator's one max-min core, circuits before packet ports.
            let (viaCircuit, viaPacket) = MaxMinProblem(capacities: capacities, flowResources: flowResources,
                                                        caps: flowResources.map { _ in .infinity }, stages: stages).solveByStage()
            var dt = Double.infinity
            for (i, o) in owner.enumerated() {
                let rate = viaCircuit[i] + viaPacket[i]
                if rate > 0 { dt = min(dt, 8 * left[o.collective][o.transfer] / rate) }
            }
            guard dt.isFinite else {
                throw EvaluationError.noProgress("at \(now) s no running transfer gets any rate")
            }
            now += dt
            circuitBuilt += builtRate * dt
            for (i, o) in owner.enumerated() {
                let rate = viaCircuit[i] + viaPacket[i]
                circuitUsed += viaCircuit[i] * Double(stepTransfers[o.collective][o.transfer].circuit.count) * dt
                let t = stepTransfers[o.collective][o.transfer]
                if !t.packet.isEmpty {
                    sent[t.packet[0] - sendPort] += viaPacket[i] * dt
                    received[t.packet[1] - recvPort] += viaPacket[i] * dt
                }
                let moved = rate * dt / 8
                let remaining = left[o.collective][o.transfer] - moved
                // A transfer within a relative 1e-9 of its end has ended (the one that set dt ends exactly).
                left[o.collective][o.transfer] = remaining <= 1e-9 * t.bytes ? 0 : remaining
            }
            for c in running.sorted() where left[c].allSatisfy({ $0 == 0 }) {
                step[c] += 1
                if step[c] >= layout.collectives[c].collective.steps {
                    finished[c] = now
                    running.remove(c)
                } else {
                    left[c] = stepTransfers[c].map(\.bytes)
                }
            }
        }

        var metrics = EvaluationMetrics(problem: .collective, mode: "collective")
        let bounds = instance.jobLowerBounds(startDelay: start)
        var jobs: [String: EvaluationMetrics.CollectiveJobMetrics] = [:]
        for (j, job) in instance.jobs.enumerated() {
            var collectives: [String: EvaluationMetrics.CollectiveMetrics] = [:]
            var time = start
            for (index, entry) in layout.collectives.enumerated() where entry.job == j {
                let t = finished[index]
                time = max(time, t)
                collectives[entry.collective.name] = .init(time: t, algorithmicBandwidth: t > 0 ? 8 * entry.collective.bytes / t : 0)
            }
            jobs[job.name] = .init(time: time, lowerBound: bounds[j], ratio: bounds[j] > 0 ? time / bounds[j] : 1, collectives: collectives)
        }
        metrics.collectiveJobs = jobs
        metrics.makespan = finished.max() ?? start
        metrics.runEnd = metrics.makespan
        metrics.events = events
        if circuitBuilt > 0 { metrics.circuitBusyFraction = min(1, circuitUsed / circuitBuilt) }
        let span = (metrics.makespan ?? 0) - start
        metrics.packetPortUtilisation = (0..<n).map { i in
            let p = f.packetRate[i]
            return .init(send: p > 0 && span > 0 ? sent[i] / (p * span) : 0, receive: p > 0 && span > 0 ? received[i] / (p * span) : 0)
        }
        return metrics
    }
}
