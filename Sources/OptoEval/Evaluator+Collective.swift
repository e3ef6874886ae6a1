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
    /// - Complexity: O(D · ((F + R) log(F + R) + Σ route lengths) + events · F)
    ///   for F transfers running at once, R resources and D runs of the core:
    ///   once per distinct set of running transfers (an allreduce's steps
    ///   repeat the same set), more if the kept rates were dropped; a step
    ///   whose transfers are alike ends in one event.
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

        // Every collective's step transfers (the same every step), flat: collective `c`'s
        // transfer `k` is `first[c] + k`. Plain fields, so the per-event loops touch no
        // reference counts; the resources are apart, read only when the core runs.
        struct Transfer { var hops: Int; var packet: Bool; var from: Int; var to: Int; var bytes: Double }
        var routes = [Int: [[Int]?]]()
        var transfers: [Transfer] = []
        var resourcesOf: [[Int]] = []
        var first: [Int] = []
        for (index, entry) in layout.collectives.enumerated() {
            first.append(transfers.count)
            for t in entry.collective.stepTransfers(rings: layout.rings[index]) where t.bytes > 0 {
                if routes[t.from] == nil { routes[t.from] = routing.routes(from: t.from) }
                var resources: [Int] = []
                if let path = routes[t.from]![t.to] {
                    for h in 0..<(path.count - 1) { resources.append(circuitIndex[path[h] * n + path[h + 1]]!) }
                }
                let hops = resources.count
                let packet = f.packetRate[t.from] > 0 && f.packetRate[t.to] > 0
                if packet { resources += [sendPort + t.from, recvPort + t.to] }
                if resources.isEmpty {
                    throw EvaluationError.noProgress("transfer \(t.from)->\(t.to) of \(instance.jobs[entry.job].name)/\(entry.collective.name) has no circuit path of at most \(instance.maxHops) circuits and no packet fabric")
                }
                resourcesOf.append(resources)
                transfers.append(Transfer(hops: hops, packet: packet, from: t.from, to: t.to, bytes: t.bytes))
            }
        }
        first.append(transfers.count)
        let collectiveCount = layout.collectives.count

        let start = instance.startDelay(for: plan.circuits)
        var now = start
        var step = Array(repeating: 0, count: collectiveCount)
        var finished = Array(repeating: start, count: collectiveCount)
        var left = transfers.map(\.bytes)
        // Transfers of each collective's current step not yet ended.
        var unfinished = (0..<collectiveCount).map { first[$0 + 1] - first[$0] }
        // Running collectives in index order (the flows' order, so a set of flows always meets the core alike).
        var running = (0..<collectiveCount).filter { layout.collectives[$0].collective.steps > 0 && unfinished[$0] > 0 }
        var events = 0
        var circuitUsed = 0.0, circuitBuilt = 0.0
        var sent = Array(repeating: 0.0, count: n), received = Array(repeating: 0.0, count: n)
        let builtRate = capacities[0..<circuitCount].reduce(0, +)
        // The rates depend on the set of running flows alone (capacities are fixed, flows are
        // data-driven), and that set recurs: every step of an allreduce restarts the same
        // transfers. Rates already found for a set are reused (bit for bit what the core gives).
        var known: [[Int]: (circuit: [Double], packet: [Double])] = [:]
        var knownFlows = 0

        while !running.isEmpty {
            events += 1
            // The flows of every running step.
            var active: [Int] = []
            for c in running { for g in first[c]..<first[c + 1] where left[g] > 0 { active.append(g) } }
            let rates: (circuit: [Double], packet: [Double])
            if let hit = known[active] {
                rates = hit
            } else {
                // The evaluator's one max-min core, circuits before packet ports.
                rates = MaxMinProblem(capacities: capacities, flowResources: active.map { resourcesOf[$0] },
                                      caps: Array(repeating: .infinity, count: active.count), stages: stages).solveByStage()
                // Keep the rates of at most 4 million flows (about 100 MB).
                if knownFlows + active.count > 4_000_000 { known.removeAll(); knownFlows = 0 }
                known[active] = rates
                knownFlows += active.count
            }
            var dt = Double.infinity
            for (i, g) in active.enumerated() {
                let rate = rates.circuit[i] + rates.packet[i]
                if rate > 0 { dt = min(dt, 8 * left[g] / rate) }
            }
            guard dt.isFinite else {
                throw EvaluationError.noProgress("at \(now) s no running transfer gets any rate")
            }
            now += dt
            circuitBuilt += builtRate * dt
            var owner = 0
            for (i, g) in active.enumerated() {
                let t = transfers[g]
                let rate = rates.circuit[i] + rates.packet[i]
                circuitUsed += rates.circuit[i] * Double(t.hops) * dt
                if t.packet {
                    sent[t.from] += rates.packet[i] * dt
                    received[t.to] += rates.packet[i] * dt
                }
                let remaining = left[g] - rate * dt / 8
                // A transfer within a relative 1e-9 of its end has ended (the one that set dt ends exactly).
                if remaining <= 1e-9 * t.bytes {
                    left[g] = 0
                    while g >= first[owner + 1] { owner += 1 }
                    unfinished[owner] -= 1
                } else {
                    left[g] = remaining
                }
            }
            var stillRunning: [Int] = []
            for c in running {
                guard unfinished[c] == 0 else { stillRunning.append(c); continue }
                step[c] += 1
                if step[c] >= layout.collectives[c].collective.steps {
                    finished[c] = now
                    continue
                }
                for g in first[c]..<first[c + 1] { left[g] = transfers[g].bytes }
                unfinished[c] = first[c + 1] - first[c]
                stillRunning.append(c)
            }
            running = stillRunning
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
