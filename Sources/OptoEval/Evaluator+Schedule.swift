import OptoCore

extension Evaluator {
    /// Evaluates a circuit schedule (PROBLEMS.md §1) by fluid simulation.
    ///
    /// - Window mode (`configurations`): every configuration, the first
    ///   included, is preceded by `δ` of dark time; no circuit is live after
    ///   the last configuration. The run ends at `W` when the instance has a
    ///   window, otherwise when every flow is done (makespan mode).
    /// - Epochs mode (`epochs`): the fabric starts in the first epoch's
    ///   circuits; at each later epoch start, per pair the `min(old, new)`
    ///   circuits are kept and carry on, and each new circuit is dark for `δ`.
    ///   A pair's flow grows by `D_e[i][j]` at the start of epoch `e`. The run
    ///   ends at the end of the last epoch.
    /// - Epochs mode with transit (`epochs[e].transit`, `maxHops: 2`): at
    ///   the start of epoch `e` each entry `[s, k, t, b]` moves the share
    ///   `b / served(s→t in e)` (without a `served` entry, `b / bytes left`;
    ///   a pair's shares capped to sum to 1) of the pair's bytes left into a
    ///   sub-flow over the circuits `s→k` and `k→t`, which gives back what it
    ///   has not delivered at the epoch's end; circuits are shared max-min by
    ///   their pair's flow and the sub-flows crossing them
    ///   (`TransitFluidSimulator`). `transitServedBytes` reports what the
    ///   sub-flows delivered.
    ///
    /// - Parameters:
    ///   - plan: the schedule to score.
    ///   - instance: the instance the plan was made for: its fabric and its
    ///     timing (window, epoch durations) drive the run.
    ///   - actual: other traffic to score the plan on (same node count, same
    ///     mode, same number of epochs); `nil` scores it on `instance`.
    /// - Throws: `EvaluationError` on a plan or traffic that does not fit.
    /// - Complexity: O(E · (F + N log N)) for `E` events and `F` flows in the
    ///   worst case; see `PortFluidSimulator`.
    public static func evaluate(_ plan: SchedulePlan, on instance: ScheduleInstance,
                                actual: ScheduleInstance? = nil) throws -> EvaluationMetrics {
        try evaluate(plan, on: instance, actual: actual, generalPath: false)
    }

    /// As `evaluate(_:on:actual:)`; `generalPath` runs an epochs plan
    /// without transit through `TransitFluidSimulator` too (for tests: the
    /// two runs are the same model).
    ///
    /// Epochs plans with transit entries (`epochs[e].transit`) always run
    /// on `TransitFluidSimulator`, the general path on the max-min core;
    /// every other plan on `PortFluidSimulator`, its incremental special case.
    static func evaluate(_ plan: SchedulePlan, on instance: ScheduleInstance, actual: ScheduleInstance?,
                         generalPath: Bool) throws -> EvaluationMetrics {
        let (scenario, mode, notes) = try scheduleScenario(plan, on: instance, actual: actual)
        let transit = try epochTransit(plan, on: instance)
        var metrics: EvaluationMetrics
        if let transit, transit.contains(where: { !$0.routes.isEmpty }) || generalPath {
            let (outcome, transitBytes) = TransitFluidSimulator.run(scenario, epochs: transit)
            metrics = scheduleMetrics(outcome, scenario: scenario, mode: mode)
            if transit.contains(where: { !$0.routes.isEmpty }) { metrics.transitServedBytes = transitBytes }
        } else {
            metrics = scheduleMetrics(PortFluidSimulator.run(scenario), scenario: scenario, mode: mode)
        }
        if !notes.isEmpty { metrics.notes = notes }
        return metrics
    }

    /// The epochs' transit entries and served bytes, validated against
    /// each epoch's circuits; `nil` for a window-mode plan.
    ///
    /// - Throws: `EvaluationError.invalidPlan` for an entry naming a node
    ///   outside the fabric, repeating a node, with negative or non-finite
    ///   bytes, over a circuit its epoch does not have, or in a plan whose
    ///   instance has `maxHops` 1; a `served` entry likewise malformed.
    static func epochTransit(_ plan: SchedulePlan, on instance: ScheduleInstance) throws -> [EpochTransit]? {
        guard case .epochs(let epochs) = instance.mode, let planEpochs = plan.epochs else { return nil }
        let n = instance.fabric.nodes
        var out: [EpochTransit] = []
        var t = 0.0
        for (e, planEpoch) in planEpochs.enumerated() where e < epochs.count {
            let start = t
            t += epochs[e].duration
            let routes = planEpoch.transit ?? []
            if !routes.isEmpty && instance.maxHops < 2 {
                throw EvaluationError.invalidPlan("epochs[\(e)] has transit entries but the instance has maxHops 1")
            }
            // Built only for an epoch with transit: one-hop plans skip it.
            let circuits = routes.isEmpty ? [] : Set(planEpoch.circuits.map { $0.from * n + $0.to })
            for (k, r) in routes.enumerated() {
                try checkTransitEntry(r, label: "epochs[\(e)].transit[\(k)] \(r)", nodes: n, badAmount: "has bytes that are negative or not finite",
                                      circuitsName: "epoch \(e)") { circuits.contains($0 * n + $1) }
            }
            let served = try planEpoch.served.map { try servedMap($0, label: "epochs[\(e)].served", nodes: n) }
            out.append(EpochTransit(start: start, end: t, routes: routes, served: served))
        }
        return out
    }

    /// An epoch's `served` entries as bytes by pair (`from * N + to`), summed.
    ///
    /// - Throws: `EvaluationError.invalidPlan` for an entry that is not a
    ///   pair of two nodes in `0..<n` with bytes 0 or more.
    static func servedMap(_ list: [PairBytes], label: String, nodes n: Int) throws -> [Int: Double] {
        var map: [Int: Double] = [:]
        for (k, b) in list.enumerated() {
            guard (0..<n).contains(b.source), (0..<n).contains(b.target), b.source != b.target,
                  b.bytes.isFinite, b.bytes >= 0 else {
                throw EvaluationError.invalidPlan("\(label)[\(k)] [\(b.source), \(b.target), \(b.bytes)] is not a pair of two nodes in 0..<\(n) with bytes 0 or more")
            }
            map[b.source * n + b.target, default: 0] += b.bytes
        }
        return map
    }

    /// Builds the fluid scenario of a schedule plan; validates everything.
    static func scheduleScenario(_ plan: SchedulePlan, on instance: ScheduleInstance,
                                 actual: ScheduleInstance?) throws -> (FluidScenario, String, [String]) {
        let fabric = instance.fabric
        let n = fabric.nodes
        var notes: [String] = []
        try validate(fabric)
        let traffic = actual ?? instance
        if traffic.fabric.nodes != n {
            throw EvaluationError.invalidTraffic("the actual traffic has \(traffic.fabric.nodes) nodes, the plan's instance \(n)")
        }
        if actual != nil && traffic.fabric != fabric {
            notes.append("the actual instance's fabric differs; the plan's instance fabric was used")
        }
        let delta = fabric.reconfigurationDelay
        switch (instance.mode, traffic.mode) {
        case (.window(_, let window), .window(let demand, let actualWindow)):
            guard let configurations = plan.configurations else {
                throw EvaluationError.mismatch("a window-mode instance needs a plan with configurations")
            }
            if actual != nil && actualWindow != window {
                notes.append("the actual instance's window differs; the plan's instance window was used")
            }
            try validate(demand, nodes: n, label: "demand")
            var intervals: [CircuitInterval] = []
            intervals.reserveCapacity(configurations.reduce(0) { $0 + $1.circuits.count })
            var t = 0.0
            for (m, c) in configurations.enumerated() {
                guard c.duration.isFinite && c.duration >= 0 else {
                    throw EvaluationError.invalidPlan("configuration \(m) has duration \(c.duration)")
                }
                try validate(c.circuits, fabric: fabric, label: "configuration \(m)")
                t += delta
                for circuit in c.circuits {
                    intervals.append(CircuitInterval(from: circuit.from, to: circuit.to, start: t, end: t + c.duration))
                }
                t += c.duration
            }
            if let window, t > window * (1 + 1e-9) {
                notes.append("the configurations span \(t) s, past the window of \(window) s; the run stops at the window")
            }
            if let window {
                guard window.isFinite && window >= 0 else { throw EvaluationError.invalidTraffic("window \(window)") }
                intervals = intervals.compactMap { iv in
                    var iv = iv
                    iv.end = min(iv.end, window)
                    return iv.end > iv.start ? iv : nil
                }
            }
            let scenario = FluidScenario(nodes: n, packetRate: fabric.packetRate, circuitRate: fabric.circuitRate,
                                         arrivals: [(0, demand.withoutDiagonal.values)], circuits: intervals, end: window)
            return (scenario, window == nil ? "makespan" : "window", notes)

        case (.epochs(let epochs), .epochs(let actualEpochs)):
            guard let planEpochs = plan.epochs else {
                throw EvaluationError.mismatch("an epochs-mode instance needs a plan with epochs")
            }
            guard planEpochs.count == epochs.count else {
                throw EvaluationError.mismatch("the plan has \(planEpochs.count) epochs, the instance \(epochs.count)")
            }
            guard actualEpochs.count == epochs.count else {
                throw EvaluationError.mismatch("the actual traffic has \(actualEpochs.count) epochs, the plan's instance \(epochs.count)")
            }
            if actual != nil && zip(epochs, actualEpochs).contains(where: { $0.duration != $1.duration }) {
                notes.append("the actual epochs' durations differ; the plan's instance durations were used")
            }
            var arrivals: [(time: Double, demand: [Double])] = []
            var starts: [Double] = []
            var t = 0.0
            for (e, epoch) in epochs.enumerated() {
                guard epoch.duration.isFinite && epoch.duration >= 0 else {
                    throw EvaluationError.invalidTraffic("epoch \(e) has duration \(epoch.duration)")
                }
                try validate(actualEpochs[e].demand, nodes: n, label: "epoch \(e) demand")
                try validate(planEpochs[e].circuits, fabric: fabric, label: "epoch \(e)")
                starts.append(t)
                arrivals.append((t, actualEpochs[e].demand.withoutDiagonal.values))
                t += epoch.duration
            }
            let end = t
            var upTimes = CircuitUpTimes()
            var intervals: [CircuitInterval] = []
            for (e, planEpoch) in planEpochs.enumerated() {
                let boundary = starts[e]
                for (pair, u) in upTimes.change(to: planEpoch.circuits, nodes: n, upAt: e == 0 ? 0 : boundary + delta)
                where u < boundary {
                    intervals.append(CircuitInterval(from: pair / n, to: pair % n, start: u, end: boundary))
                }
            }
            for (pair, ups) in upTimes.ups {
                for u in ups where u < end {
                    intervals.append(CircuitInterval(from: pair / n, to: pair % n, start: u, end: end))
                }
            }
            intervals.sort { ($0.start, $0.from, $0.to) < ($1.start, $1.from, $1.to) }
            let scenario = FluidScenario(nodes: n, packetRate: fabric.packetRate, circuitRate: fabric.circuitRate,
                                         arrivals: arrivals, circuits: intervals, end: end)
            return (scenario, "epochs", notes)

        default:
            throw EvaluationError.mismatch("the actual traffic is in a different mode (window or epochs) than the plan's instance")
        }
    }

    /// Turns a fluid outcome into the metrics of FORMATS.md.
    static func scheduleMetrics(_ o: FluidOutcome, scenario: FluidScenario, mode: String) -> EvaluationMetrics {
        let n = scenario.nodes
        var m = EvaluationMetrics(problem: .schedule, mode: mode)
        let demand = o.demand.reduce(0, +)
        let unserved = o.remaining.reduce(0, +)
        m.servedBytes = demand - unserved
        m.unservedBytes = unserved
        m.makespan = o.lastService
        var times: [String: Double] = [:]
        for (f, c) in o.completion.enumerated() {
            if let c { times["\(o.pairs[f] / n)->\(o.pairs[f] % n)"] = c }
        }
        m.completionTimes = times
        m.circuitBusyFraction = o.circuitLive > 0 ? o.circuitBusy / o.circuitLive : nil
        m.packetPortUtilisation = (0..<n).map { i in
            let denom = scenario.packetRate[i] * o.end
            return .init(send: denom > 0 ? o.sendIntegral[i] / denom : 0,
                         receive: denom > 0 ? o.receiveIntegral[i] / denom : 0)
        }
        m.runEnd = o.end
        m.events = o.events
        return m
    }

    static func validate(_ fabric: Fabric) throws {
        let n = fabric.nodes
        guard n >= 1 else { throw EvaluationError.invalidTraffic("the fabric has \(n) nodes") }
        guard fabric.packetRate.count == n, fabric.ocsPortsPerNode.count == n else {
            throw EvaluationError.invalidTraffic("the fabric's per-node lists do not have \(n) entries")
        }
        guard fabric.packetRate.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw EvaluationError.invalidTraffic("a packet rate is negative or not finite")
        }
        guard fabric.circuitRate.isFinite && fabric.circuitRate >= 0 else {
            throw EvaluationError.invalidTraffic("circuit rate \(fabric.circuitRate)")
        }
        guard fabric.reconfigurationDelay.isFinite && fabric.reconfigurationDelay >= 0 else {
            throw EvaluationError.invalidTraffic("reconfiguration delay \(fabric.reconfigurationDelay)")
        }
    }

    static func validate(_ demand: Matrix, nodes n: Int, label: String) throws {
        guard demand.rows == n && demand.columns == n else {
            throw EvaluationError.invalidTraffic("\(label) is \(demand.rows)×\(demand.columns), the fabric has \(n) nodes")
        }
        if let k = demand.values.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw EvaluationError.invalidTraffic("\(label)[\(k / n)][\(k % n)] is \(demand.values[k])")
        }
    }

    /// Checks one configuration: nodes in range, no self-circuit, at most
    /// `k_i` transmitters and `k_i` receivers used at node `i`.
    static func validate(_ circuits: [Circuit], fabric: Fabric, label: String) throws {
        let n = fabric.nodes
        var out = Array(repeating: 0, count: n)
        var into = Array(repeating: 0, count: n)
        for c in circuits {
            guard c.from >= 0 && c.from < n && c.to >= 0 && c.to < n else {
                throw EvaluationError.invalidPlan("\(label): circuit \(c) names a node outside 0..<\(n)")
            }
            guard c.from != c.to else { throw EvaluationError.invalidPlan("\(label): circuit \(c) joins a node to itself") }
            out[c.from] += 1
            into[c.to] += 1
        }
        for i in 0..<n where out[i] > fabric.ocsPortsPerNode[i] || into[i] > fabric.ocsPortsPerNode[i] {
            throw EvaluationError.invalidPlan("\(label): node \(i) uses \(out[i]) transmitters and \(into[i]) receivers but has \(fabric.ocsPortsPerNode[i]) OCS ports")
        }
    }
}

/// Per pair, when its live circuits came (or come) up, through a series of
/// epochs (PROBLEMS.md §1b): at a change a kept circuit keeps its up-time,
/// the circuits no longer wanted go (the latest to come up first), and a
/// new one comes up after the dark time. Shared by the epochs scenario and
/// ``Evaluator/EpochChain``.
struct CircuitUpTimes: Sendable {
    private(set) var ups: [Int: [Double]] = [:]

    /// Changes the live circuits to `circuits`, new ones up at `upAt`;
    /// returns the removed circuits' pairs and up-times.
    mutating func change(to circuits: [Circuit], nodes n: Int, upAt: Double) -> [(pair: Int, up: Double)] {
        var wanted: [Int: Int] = [:]
        for c in circuits { wanted[c.from * n + c.to, default: 0] += 1 }
        var removed: [(pair: Int, up: Double)] = []
        for (pair, times) in ups {
            let keep = min(times.count, wanted[pair] ?? 0)
            let sorted = times.sorted()
            for u in sorted[keep...] { removed.append((pair, u)) }
            ups[pair] = Array(sorted[..<keep])
        }
        for (pair, count) in wanted {
            let have = ups[pair]?.count ?? 0
            if count > have { ups[pair, default: []].append(contentsOf: Array(repeating: upAt, count: count - have)) }
        }
        return removed
    }

    /// Moves the time origin `by` later (up-times relative to the next epoch's start).
    mutating func shift(by t: Double) {
        for (pair, times) in ups { ups[pair] = times.map { $0 - t } }
    }
}
