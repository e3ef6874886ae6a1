import OptoCore
import OptoModel

/// What a window-mode (or makespan-mode) schedule serves, computed exactly
/// under PROBLEMS.md §1a: circuits first, then the best use of the packet
/// fabric over the whole span.
public struct ScheduleScore: Sendable, Equatable {
    /// Bytes served: circuits plus packet fabric, each pair capped at its demand.
    public var servedBytes: Double
    /// Bytes the circuits serve.
    public var circuitBytes: Double
    /// Bytes the packet fabric serves.
    public var packetBytes: Double
    /// Demand left unserved (window mode; zero in makespan mode).
    public var unservedBytes: Double
    /// `Σ_m (δ + t_m)`.
    public var span: Double
    /// When the last byte is served: `max(span, packet time of the residual)`;
    /// in window mode, `W` when the window ends before everything is served.
    public var makespan: Double
}

/// What an epochs-mode plan serves, epoch by epoch (PROBLEMS.md §1b).
public struct EpochScore: Sendable, Equatable {
    /// Bytes served in each epoch.
    public var servedPerEpoch: [Double]
    /// Backlog left at the end of each epoch.
    public var backlogPerEpoch: [Double]
    /// New circuits set up at the start of each epoch (0 for the first).
    public var changedPerEpoch: [Int]
    /// Total bytes served by the end of the last epoch.
    public var servedBytes: Double { servedPerEpoch.reduce(0, +) }
    /// Backlog after the last epoch.
    public var backlogBytes: Double { backlogPerEpoch.last ?? 0 }
    /// Total new circuits over the series.
    public var circuitsChanged: Int { changedPerEpoch.reduce(0, +) }
}

/// Exact scoring, lower bound and feasibility checks for circuit schedules.
///
/// The planners, the tests and the command line all score plans here, so a
/// heuristic and the exact model are compared on the same footing.
///
/// Circuit service comes first: pair `i → j` gets
/// `c_ij = min(D_ij, Σ_m n_m[i][j]·r_c·t_m/8)` (serving a pair on its own
/// circuit never costs the packet fabric anything, so this is optimal).
/// The packet fabric then serves the residual `R = D − c` over the span `S`:
/// in window mode the maximum transportation flow under the per-node limits
/// `p_i·S/8` (``TransportationProblem``); in makespan mode every residual
/// byte must be sent, so the span is the smallest `T ≥ Σ(δ + t_m)` with
/// `rowsum_i(R) ≤ p_i·T/8` and `colsum_j(R) ≤ p_j·T/8`.
public enum ScheduleScoring {
    /// The §1a lower bound on the makespan:
    /// `max_i max(8·rowsum_i, 8·colsum_i) / (k_i·r_c + p_i)`.
    /// Infinite when a node has demand and no capacity.
    /// - Complexity: O(N²)
    public static func lowerBound(fabric: Fabric, demand: Matrix) throws -> Double {
        let f = try ScheduleFabric(fabric)
        let d = try validatedDemand(demand, nodes: f.n)
        return lowerBound(f, d.values)
    }

    static func lowerBound(_ f: ScheduleFabric, _ d: [Double]) -> Double {
        let n = f.n
        var lb = 0.0
        var col = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var row = 0.0
            for j in 0..<n { row += d[i * n + j]; col[j] += d[i * n + j] }
            lb = max(lb, ratio(row, Double(f.ports[i]) * f.circuitBps + f.packetBps[i]))
        }
        for j in 0..<n { lb = max(lb, ratio(col[j], Double(f.ports[j]) * f.circuitBps + f.packetBps[j])) }
        return lb
    }

    @inline(__always) static func ratio(_ a: Double, _ b: Double) -> Double {
        a <= 0 ? 0 : (b <= 0 ? .infinity : a / b)
    }

    /// Scores a window-mode instance's configurations (window or makespan).
    /// - Throws: ``ScheduleError`` when the instance is not window mode or
    ///   malformed, or a configuration names a node out of range.
    /// - Complexity: O(N² + C) plus one transportation max-flow in window
    ///   mode, with `C` the total number of circuits.
    public static func score(_ instance: ScheduleInstance, configurations: [SchedulePlan.Configuration]) throws -> ScheduleScore {
        guard case .window(let demand, let window) = instance.mode else {
            throw PlanningError.methodNotApplicable(method: "score", reason: "configurations are scored in window mode")
        }
        let f = try ScheduleFabric(instance.fabric)
        let d = try validatedDemand(demand, nodes: f.n)
        let slots = try configurations.map { try SlotConfig($0, nodes: f.n) }
        return score(f, d.values, window: window, slots)
    }

    static func score(_ f: ScheduleFabric, _ d: [Double], window: Double?, _ slots: [SlotConfig]) -> ScheduleScore {
        let n = f.n
        var cap = [Double](repeating: 0, count: n * n)
        var span = 0.0
        for s in slots {
            span += f.delta + s.duration
            let v = f.circuitBps * s.duration
            for p in s.pairs { cap[p.i * n + p.j] += Double(p.count) * v }
        }
        var residual = [Double](repeating: 0, count: n * n)
        var circuit = 0.0, total = 0.0
        for k in 0..<(n * n) {
            let c = min(d[k], cap[k])
            circuit += c
            total += d[k]
            residual[k] = d[k] - c
        }
        let resTotal = total - circuit
        let tol = 1e-9 * max(total, 1)
        if let w = window {
            let packet: Double
            if resTotal <= tol {
                packet = resTotal
            } else {
                packet = TransportationProblem(n: n, residual: residual,
                                               supply: f.packetBps.map { $0 * w },
                                               capacity: f.packetBps.map { $0 * w }).solve().value
            }
            let unserved = max(0, resTotal - packet)
            let makespan = unserved <= tol ? min(w, max(span, packetTime(f, residual))) : w
            return ScheduleScore(servedBytes: circuit + packet, circuitBytes: circuit, packetBytes: packet,
                                 unservedBytes: unserved, span: span, makespan: makespan)
        } else {
            // Lines within 10⁻⁸ of the total count as done (the heuristics
            // track the residual to 10⁻⁹; this absorbs their rounding).
            let t = max(span, packetTime(f, residual, tolerance: 1e-8 * total))
            return ScheduleScore(servedBytes: t.isFinite ? total : circuit, circuitBytes: circuit,
                                 packetBytes: t.isFinite ? resTotal : 0, unservedBytes: t.isFinite ? 0 : resTotal,
                                 span: span, makespan: t)
        }
    }

    /// The time the packet fabric alone needs for `residual`: the largest
    /// row or column sum over its node's packet rate (infinite where a node
    /// with no packet rate has more than `tolerance` left). O(N²).
    static func packetTime(_ f: ScheduleFabric, _ residual: [Double], tolerance: Double = 0) -> Double {
        let n = f.n
        var t = 0.0
        var col = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var row = 0.0
            for j in 0..<n { let v = residual[i * n + j]; if v > 0 { row += v; col[j] += v } }
            if row > tolerance { t = max(t, ratio(row, f.packetBps[i])) }
        }
        for j in 0..<n where col[j] > tolerance { t = max(t, ratio(col[j], f.packetBps[j])) }
        return t
    }

    /// Scores an epochs-mode plan: per epoch, the available demand (backlog
    /// plus the epoch's matrix) is served by circuits first (a kept circuit
    /// carries `r_c·L_e/8`, a new one `r_c·(L_e − δ)/8`; the first epoch has
    /// no new circuits), then by the maximum packet transportation flow under
    /// `p_i·L_e/8`; what is left is carried over.
    ///
    /// Serving the most in each epoch is what the flow-level evaluator does
    /// too; it is a lower estimate of the best multi-epoch packet routing.
    /// - Complexity: O(E·N²) plus one transportation max-flow per epoch.
    ///
    /// With `maxHops: 2` and a `solver`, every epoch is routed by the
    /// per-epoch transit routing LP (``ScheduleTransit``): direct, two-circuit
    /// and packet bytes of the traffic scored, as an operator re-routes over
    /// the circuits in place; without a solver, over one circuit only.
    public static func scoreEpochs(_ instance: ScheduleInstance, epochs circuits: [SchedulePlan.EpochCircuits],
                                   solver: (any Solver)? = nil) throws -> EpochScore {
        guard case .epochs(let epochs) = instance.mode else {
            throw PlanningError.methodNotApplicable(method: "scoreEpochs", reason: "the instance is not in epochs mode")
        }
        let f = try ScheduleFabric(instance.fabric)
        guard circuits.count == epochs.count else {
            throw ScheduleError.invalidPlan("the plan has \(circuits.count) epochs, the instance \(epochs.count)")
        }
        let demands = try epochs.enumerated().map { try validatedDemand($1.demand, nodes: f.n, label: "epoch \($0) demand").values }
        let counts = try circuits.map { ec -> [Int] in
            var c = [Int](repeating: 0, count: f.n * f.n)
            for x in ec.circuits {
                guard x.from >= 0, x.from < f.n, x.to >= 0, x.to < f.n else {
                    throw ScheduleError.invalidPlan("circuit \(x) names a node outside 0..<\(f.n)")
                }
                c[x.from * f.n + x.to] += 1
            }
            return c
        }
        let durations = epochs.map(\.duration)
        guard instance.maxHops >= 2, let solver else {
            return scoreEpochs(f, durations: durations, demands: demands, counts: counts)
        }
        return try scoreEpochs(f, durations: durations, demands: demands, counts: counts) { e, available, previous in
            let flows = try ScheduleTransit.routeEpoch(f, duration: durations[e], counts: counts[e], previous: previous,
                                                       available: &available, solver: solver)
            let changed = previous.map { p in counts[e].indices.reduce(0) { $0 + max(0, counts[e][$1] - p[$1]) } } ?? 0
            return (flows.total, available.reduce(0, +), changed)
        }
    }

    static func scoreEpochs(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], counts: [[Int]]) -> EpochScore {
        scoreEpochs(f, durations: durations, demands: demands, counts: counts) { e, available, previous in
            epochStep(f, duration: durations[e], available: &available, counts: counts[e], previous: previous)
        }
    }

    /// The epochs in order, the backlog carried: `step(e, available,
    /// previous)` serves epoch `e` from `available` (backlog plus the
    /// epoch's demand, left holding the backlog) with the circuits of
    /// epoch `e` (`previous`: epoch `e − 1`'s, nil for the first) and
    /// returns the bytes served, the backlog and the circuits changed.
    static func scoreEpochs(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], counts: [[Int]],
                            step: (Int, inout [Double], [Int]?) throws -> (served: Double, backlog: Double, changed: Int)) rethrows -> EpochScore {
        let n = f.n
        var backlog = [Double](repeating: 0, count: n * n)
        var served: [Double] = [], left: [Double] = [], changed: [Int] = []
        for e in durations.indices {
            for k in 0..<(n * n) { backlog[k] += demands[e][k] }
            let r = try step(e, &backlog, e == 0 ? nil : counts[e - 1])
            served.append(r.served)
            left.append(r.backlog)
            changed.append(r.changed)
        }
        return EpochScore(servedPerEpoch: served, backlogPerEpoch: left, changedPerEpoch: changed)
    }

    /// One epoch of §1b: `available` (backlog plus the epoch's demand) is
    /// served by the circuits `counts` (new ones against `previous` lose `δ`),
    /// then by the packet fabric; on return it holds the backlog.
    static func epochStep(_ f: ScheduleFabric, duration L: Double, available avail: inout [Double],
                          counts: [Int], previous: [Int]?) -> (served: Double, backlog: Double, changed: Int) {
        let n = f.n
        var newCount = 0
        var circuit = 0.0
        for k in 0..<(n * n) {
            let x = counts[k]
            let fresh = max(0, x - (previous?[k] ?? x))
            newCount += fresh
            guard x > 0, avail[k] > 0 else { continue }
            let capacity = f.circuitBps * (Double(x) * L - Double(fresh) * min(f.delta, L))
            let c = min(avail[k], max(0, capacity))
            circuit += c
            avail[k] -= c
        }
        let packet = TransportationProblem(n: n, residual: avail, supply: f.packetBps.map { $0 * L },
                                           capacity: f.packetBps.map { $0 * L }).solve(wantFlows: true)
        var remaining = 0.0
        for k in 0..<(n * n) {
            avail[k] = max(0, avail[k] - (packet.flows?[k] ?? 0))
            remaining += avail[k]
        }
        return (circuit + packet.value, remaining, newCount)
    }

    /// Every way `plan` breaks the rules of `instance` (port limits per
    /// configuration, circuits inside `0..<N` with `i ≠ j`, positive finite
    /// durations, the window, one entry per epoch). Empty when feasible.
    /// - Complexity: O(N·M + C)
    public static func violations(of plan: SchedulePlan, for instance: ScheduleInstance) -> [String] {
        var out: [String] = []
        let fab = instance.fabric
        let n = fab.nodes
        guard fab.ocsPortsPerNode.count == n else { return ["ocsPortsPerNode has the wrong length"] }
        func checkCircuits(_ cs: [Circuit], _ label: String) {
            var tx = [Int](repeating: 0, count: n), rx = [Int](repeating: 0, count: n)
            for c in cs {
                guard c.from >= 0, c.from < n, c.to >= 0, c.to < n else { out.append("\(label): circuit \(c) is out of range"); continue }
                if c.from == c.to { out.append("\(label): circuit \(c) joins a node to itself") }
                tx[c.from] += 1; rx[c.to] += 1
            }
            for i in 0..<n {
                if tx[i] > fab.ocsPortsPerNode[i] { out.append("\(label): node \(i) transmits on \(tx[i]) circuits, it has \(fab.ocsPortsPerNode[i]) ports") }
                if rx[i] > fab.ocsPortsPerNode[i] { out.append("\(label): node \(i) receives on \(rx[i]) circuits, it has \(fab.ocsPortsPerNode[i]) ports") }
            }
        }
        switch instance.mode {
        case .window(_, let window):
            guard let configs = plan.configurations else { return ["a window-mode plan needs configurations"] }
            if plan.epochs != nil { out.append("a window-mode plan has no epochs") }
            var span = 0.0
            for (m, c) in configs.enumerated() {
                if !(c.duration.isFinite && c.duration > 0) { out.append("configuration \(m): duration \(c.duration) is not positive and finite") }
                checkCircuits(c.circuits, "configuration \(m)")
                span += fab.reconfigurationDelay + c.duration
            }
            if let w = window, span > w * (1 + 1e-9) + 1e-15 {
                out.append("the configurations take \(span) s with their reconfigurations, the window is \(w) s")
            }
        case .epochs(let epochs):
            guard let ec = plan.epochs else { return ["an epochs-mode plan needs epochs"] }
            if plan.configurations != nil { out.append("an epochs-mode plan has no configurations") }
            if ec.count != epochs.count { out.append("the plan has \(ec.count) epochs, the instance \(epochs.count)") }
            for (e, c) in ec.enumerated() { checkCircuits(c.circuits, "epoch \(e)") }
        }
        return out
    }
}

/// A configuration in the planners' working form: parallel circuits counted per pair.
struct SlotConfig: Sendable, Equatable {
    struct PairCount: Sendable, Equatable {
        var i: Int, j: Int, count: Int
    }
    var duration: Double
    var pairs: [PairCount]

    init(duration: Double, pairs: [PairCount]) {
        self.duration = duration
        self.pairs = pairs
    }

    init(_ c: SchedulePlan.Configuration, nodes n: Int) throws {
        guard c.duration.isFinite, c.duration >= 0 else { throw ScheduleError.invalidPlan("duration \(c.duration) is not finite and non-negative") }
        var counts: [Int: Int] = [:]
        for x in c.circuits {
            guard x.from >= 0, x.from < n, x.to >= 0, x.to < n else {
                throw ScheduleError.invalidPlan("circuit \(x) names a node outside 0..<\(n)")
            }
            counts[x.from * n + x.to, default: 0] += 1
        }
        duration = c.duration
        pairs = counts.keys.sorted().map { PairCount(i: $0 / n, j: $0 % n, count: counts[$0]!) }
    }

    /// The plan's form: circuits sorted, a pair listed once per parallel circuit.
    var configuration: SchedulePlan.Configuration {
        var cs: [Circuit] = []
        for p in pairs.sorted(by: { ($0.i, $0.j) < ($1.i, $1.j) }) {
            for _ in 0..<p.count { cs.append(Circuit(p.i, p.j)) }
        }
        return SchedulePlan.Configuration(duration: duration, circuits: cs)
    }
}
