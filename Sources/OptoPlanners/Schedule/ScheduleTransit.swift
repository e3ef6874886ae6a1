import OptoCore
import OptoModel

/// What one epoch of a transit plan serves (PROBLEMS.md §1b "With
/// transit"), in bytes: per pair (row-major `N×N`) the direct circuit bytes,
/// the packet bytes and the bytes routed over `s→k→t`.
struct TransitEpochFlows: Sendable, Equatable {
    /// Bytes pair `i→j` sends on its own circuits.
    var direct: [Double]
    /// Bytes pair `i→j` sends on the packet fabric.
    var packet: [Double]
    /// Bytes of pair `s→t` over `s→k→t` (amount in bytes), positive entries only.
    var transit: [TransitRoute]

    init(nodes n: Int) {
        direct = [Double](repeating: 0, count: n * n)
        packet = direct
        transit = []
    }

    /// Bytes served per pair: direct + transit + packet.
    func served(nodes n: Int) -> [Double] {
        var s = direct
        for k in s.indices { s[k] += packet[k] }
        for r in transit { s[r.source * n + r.target] += r.amount }
        return s
    }

    /// Total bytes served in the epoch.
    var total: Double { direct.reduce(0, +) + packet.reduce(0, +) + transit.reduce(0) { $0 + $1.amount } }
}

/// Transit in epochs mode (PROBLEMS.md §1b "With transit"): routing a fixed
/// circuit series, the plans it writes, and the transit heuristic.
///
/// ## Per-epoch routing LP
///
/// For epoch `e` with circuits `x_ij` (new ones `a_ij` against the previous
/// epoch), `cap_ij = c·(L·x_ij − min(δ, L)·a_ij)` bytes, and `A_st` bytes
/// available (backlog plus the epoch's demand), with variables `d_st` (own
/// circuits), `q_st` (packet) and `g_skt` (over `s→k→t`, `k ∉ {s, t}`, both
/// circuits present):
///
///     d_ij + Σ_t g_ijt + Σ_s g_sij ≤ cap_ij          every circuit i→j
///     d_st + q_st + Σ_k g_skt ≤ A_st                  every pair
///     Σ_t q_vt ≤ p_v/8·L,  Σ_s q_sv ≤ p_v/8·L         packet ports
///     maximise Σ (d + q) + (1 − 10⁻⁶)·Σ g
///
/// (the tiny discount on `g` keeps a byte direct or on the packet fabric
/// where that serves as much). The 1-hop epoch step (circuits first, then
/// the transportation max-flow) comes first: without any two-circuit path,
/// or when it serves every byte available, it is the answer and the LP is
/// not built. Above ``reduceAbove`` pairs with bytes left, pairs with
/// neither a circuit nor a two-circuit path keep the 1-hop step's packet
/// bytes and the LP routes the rest over the packet ports they leave (a
/// restriction: it may serve less than the full LP).
enum ScheduleTransit {
    /// Relative discount of a transit byte against a direct or packet byte.
    static let transitDiscount = 1e-6
    /// Above this many pairs with bytes left the routing LP is reduced:
    /// pairs with neither a circuit nor a two-circuit path keep the 1-hop
    /// step's packet bytes (the 150-rack coflow series has up to 22,350
    /// pairs, almost all of them without a circuit).
    static let reduceAbove = 4000

    /// Circuit capacity in bytes per pair for `counts` against `previous`.
    static func capacities(_ f: ScheduleFabric, duration L: Double, counts: [Int], previous: [Int]?) -> [Double] {
        counts.indices.map { k in
            let x = counts[k]
            guard x > 0 else { return 0 }
            let fresh = max(0, x - (previous?[k] ?? x))
            return max(0, f.circuitBps * (Double(x) * L - Double(fresh) * min(f.delta, L)))
        }
    }

    /// Routes one epoch (the LP in the type's documentation): `available`
    /// is the backlog plus the epoch's demand and holds the backlog on
    /// return.
    ///
    /// - Throws: what the solver throws (no backend). When the solver
    ///   returns no solution (numerical trouble: the LP always has one,
    ///   zero) the 1-hop step's routing is returned for the epoch.
    /// - Complexity: one LP with one column per pair with bytes left and per
    ///   two-circuit path of such a pair; none when there is no path.
    static func routeEpoch(_ f: ScheduleFabric, duration L: Double, counts: [Int], previous: [Int]?,
                           available avail: inout [Double], solver: any Solver,
                           reduceAbove: Int = ScheduleTransit.reduceAbove) throws -> TransitEpochFlows {
        let n = f.n
        let cap = capacities(f, duration: L, counts: counts, previous: previous)
        var flows = TransitEpochFlows(nodes: n)
        // Out- and in-neighbours over circuits with capacity.
        var outs = [[Int]](repeating: [], count: n), ins = [[Int]](repeating: [], count: n)
        for k in 0..<(n * n) where cap[k] > 0 { outs[k / n].append(k % n); ins[k % n].append(k / n) }
        var paths: [(pair: Int, via: Int)] = []
        for s in 0..<n {
            for k in outs[s] {
                for t in outs[k] where t != s && avail[s * n + t] > 0 { paths.append((s * n + t, k)) }
            }
        }
        // The 1-hop step (circuits first, then the transportation
        // max-flow): the answer when there is no two-circuit path, or when
        // it already serves everything.
        var oneHop = avail
        let total = avail.reduce(0, +)
        for k in 0..<(n * n) where cap[k] > 0 && oneHop[k] > 0 {
            flows.direct[k] = min(oneHop[k], cap[k])
            oneHop[k] -= flows.direct[k]
        }
        let packet = TransportationProblem(n: n, residual: oneHop, supply: f.packetBps.map { $0 * L },
                                           capacity: f.packetBps.map { $0 * L }).solve(wantFlows: true)
        for k in 0..<(n * n) {
            let q = min(oneHop[k], packet.flows?[k] ?? 0)
            flows.packet[k] = max(0, q)
            oneHop[k] = max(0, oneHop[k] - flows.packet[k])
        }
        if paths.isEmpty || oneHop.reduce(0, +) <= 1e-12 * total {
            avail = oneHop
            return flows
        }
        let oneHopFlows = flows
        // Large epochs: pairs with neither a circuit nor a two-circuit path
        // keep the 1-hop step's packet bytes, and the LP gets the ports they leave.
        var inLP = [Bool](repeating: true, count: n * n)
        var sendLeft = f.packetBps.map { $0 * L }, recvLeft = sendLeft
        if avail.lazy.filter({ $0 > 0 }).count > reduceAbove {
            var hasPath = [Bool](repeating: false, count: n * n)
            for p in paths { hasPath[p.pair] = true }
            for k in 0..<(n * n) where avail[k] > 0 && cap[k] <= 0 && !hasPath[k] {
                inLP[k] = false
                sendLeft[k / n] -= oneHopFlows.packet[k]; recvLeft[k % n] -= oneHopFlows.packet[k]
            }
        }
        let unit = max(avail.max() ?? 0, 1e-300)
        let model = Model(name: "schedule-epoch-routing")
        var d = [VariableID?](repeating: nil, count: n * n), q = d
        var pairRow = [LinearExpression?](repeating: nil, count: n * n)
        var obj = LinearExpression()
        for k in 0..<(n * n) where avail[k] > 0 && inLP[k] {
            let i = k / n, j = k % n
            let a = avail[k] / unit
            if cap[k] > 0 {
                let v = model.addVariable(.continuous, lowerBound: 0, upperBound: min(a, cap[k] / unit), name: "d[\(i),\(j)]")
                d[k] = v; obj.add(1, v)
            }
            let room = min(sendLeft[i], recvLeft[j])
            if room > 1e-9 * unit {
                let v = model.addVariable(.continuous, lowerBound: 0, upperBound: min(a, room / unit), name: "q[\(i),\(j)]")
                q[k] = v; obj.add(1, v)
            }
        }
        var circuitRow = [LinearExpression?](repeating: nil, count: n * n)
        var g: [VariableID] = []
        for p in paths {
            let s = p.pair / n, t = p.pair % n
            let v = model.addVariable(.continuous, lowerBound: 0, upperBound: avail[p.pair] / unit, name: "g[\(s),\(p.via),\(t)]")
            g.append(v)
            obj.add(1 - transitDiscount, v)
            for k in [s * n + p.via, p.via * n + t] {
                if circuitRow[k] == nil { circuitRow[k] = LinearExpression() }
                circuitRow[k]!.add(1, v)
            }
            if pairRow[p.pair] == nil { pairRow[p.pair] = LinearExpression() }
            pairRow[p.pair]!.add(1, v)
        }
        for k in 0..<(n * n) {
            if var row = circuitRow[k] {
                if let v = d[k] { row.add(1, v) }
                model.addConstraint(row, .lessThanOrEqual(cap[k] / unit), name: "circuit[\(k / n),\(k % n)]")
            }
            // A pair with more than one way to be served needs its row; one
            // with a single variable has it as that variable's bound.
            if pairRow[k] != nil || (d[k] != nil && q[k] != nil) {
                var row = pairRow[k] ?? LinearExpression()
                if let v = d[k] { row.add(1, v) }
                if let v = q[k] { row.add(1, v) }
                model.addConstraint(row, .lessThanOrEqual(avail[k] / unit), name: "pair[\(k / n),\(k % n)]")
            }
        }
        var send = [LinearExpression](repeating: LinearExpression(), count: n), recv = send
        for k in 0..<(n * n) { if let v = q[k] { send[k / n].add(1, v); recv[k % n].add(1, v) } }
        for v in 0..<n {
            if !send[v].terms.isEmpty { model.addConstraint(send[v], .lessThanOrEqual(max(0, sendLeft[v]) / unit), name: "send[\(v)]") }
            if !recv[v].terms.isEmpty { model.addConstraint(recv[v], .lessThanOrEqual(max(0, recvLeft[v]) / unit), name: "recv[\(v)]") }
        }
        model.setObjective(obj, .maximize)
        let result = try solver.solve(model)
        guard result.hasSolution else {
            // Numerical trouble (the LP always has a solution: zero): the
            // 1-hop step's routing is kept for this epoch.
            avail = oneHop
            return oneHopFlows
        }
        // Read, clamped to what each circuit, pair and packet port may carry
        // (solver tolerances).
        func val(_ v: VariableID) -> Double { max(0, result.value(v)) * unit }
        var raw = TransitEpochFlows(nodes: n)
        for k in 0..<(n * n) {
            if let v = d[k] { raw.direct[k] = val(v) }
            if let v = q[k] { raw.packet[k] = val(v) }
            if !inLP[k] { raw.packet[k] = oneHopFlows.packet[k] }
        }
        for (idx, p) in paths.enumerated() { raw.transit.append(TransitRoute(p.pair / n, p.via, p.pair % n, val(g[idx]))) }
        return clamped(f, duration: L, capacity: cap, raw, available: &avail)
    }

    /// `raw` cut back, in order direct, transit, packet, to the circuit
    /// capacities `cap`, the bytes `available` per pair and the packet
    /// ports; transit entries over a circuit without capacity, or through
    /// one of their own ends, are dropped. `available` holds the backlog on
    /// return.
    /// - Complexity: O(N² + transit entries).
    static func clamped(_ f: ScheduleFabric, duration L: Double, capacity cap: [Double], _ raw: TransitEpochFlows,
                        available avail: inout [Double]) -> TransitEpochFlows {
        let n = f.n
        var flows = TransitEpochFlows(nodes: n)
        var load = [Double](repeating: 0, count: n * n)
        var used = [Double](repeating: 0, count: n * n)
        for k in 0..<(n * n) where raw.direct[k] > 0 {
            flows.direct[k] = max(0, min(raw.direct[k], avail[k], cap[k]))
            load[k] += flows.direct[k]; used[k] += flows.direct[k]
        }
        for r in raw.transit where r.via != r.source && r.via != r.target && r.source != r.target {
            let first = r.source * n + r.via, second = r.via * n + r.target, pair = r.source * n + r.target
            let b = min(r.amount, cap[first] - load[first], cap[second] - load[second], avail[pair] - used[pair])
            guard b > 0 else { continue }
            load[first] += b; load[second] += b; used[pair] += b
            flows.transit.append(TransitRoute(r.source, r.via, r.target, b))
        }
        var sent = [Double](repeating: 0, count: n), received = sent
        for k in 0..<(n * n) where raw.packet[k] > 0 {
            let i = k / n, j = k % n
            let b = min(raw.packet[k], avail[k] - used[k], f.packetBps[i] * L - sent[i], f.packetBps[j] * L - received[j])
            guard b > 0 else { continue }
            flows.packet[k] = b; used[k] += b; sent[i] += b; received[j] += b
        }
        for k in 0..<(n * n) { avail[k] = max(0, avail[k] - used[k]) }
        return flows
    }

    /// A whole series' routing cut back epoch by epoch with ``clamped(_:duration:capacity:_:available:)``.
    static func clamped(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], counts: [[Int]],
                        flows raw: [TransitEpochFlows]) -> [TransitEpochFlows] {
        let n = f.n
        var backlog = [Double](repeating: 0, count: n * n)
        return durations.indices.map { e in
            for k in 0..<(n * n) { backlog[k] += demands[e][k] }
            let cap = capacities(f, duration: durations[e], counts: counts[e], previous: e == 0 ? nil : counts[e - 1])
            return clamped(f, duration: durations[e], capacity: cap, raw[e], available: &backlog)
        }
    }

    /// Routes a whole circuit series epoch by epoch, backlog carried over.
    /// - Complexity: one ``routeEpoch(_:duration:counts:previous:available:solver:)`` per epoch.
    static func route(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], counts: [[Int]],
                      solver: any Solver) throws -> [TransitEpochFlows] {
        try route(f, durations: durations, demands: demands, counts: counts, solver: solver, start: EpochsStart()).flows
    }

    /// The same from `start`: its backlog carried in, the first epoch's new
    /// circuits counted against its circuits in place (none: no dark time).
    /// Also returns the bytes left per pair.
    static func route(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], counts: [[Int]],
                      solver: any Solver, start: EpochsStart) throws -> (flows: [TransitEpochFlows], left: [Double]) {
        let n = f.n
        var backlog = start.backlog.isEmpty ? [Double](repeating: 0, count: n * n) : start.backlog
        var previous = start.circuits
        var out: [TransitEpochFlows] = []
        for e in durations.indices {
            for k in 0..<(n * n) { backlog[k] += demands[e][k] }
            out.append(try routeEpoch(f, duration: durations[e], counts: counts[e], previous: previous,
                                      available: &backlog, solver: solver))
            previous = counts[e]
        }
        return (out, backlog)
    }

    /// An epochs plan with transit from circuit counts and their routing:
    /// each epoch lists its transit entries above `10⁻⁹` of the series'
    /// demand (smaller ones are dropped and not counted as served) and
    /// `served` for every pair with transit entries; the metrics are the
    /// flows' bytes.
    static func plan(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], counts: [[Int]],
                     flows: [TransitEpochFlows], method: String, status: PlanStatus, bound: Double?, gap: Double?) -> SchedulePlan {
        let n = f.n
        let total = demands.reduce(0) { $0 + $1.reduce(0, +) }
        let tiny = max(1e-9 * total, 1e-6)
        var servedTotal = 0.0
        var changed = 0
        var epochs: [SchedulePlan.EpochCircuits] = []
        for e in counts.indices {
            let cs = [Circuit](counts: counts[e], nodes: n)
            if e > 0 { for k in 0..<(n * n) { changed += max(0, counts[e][k] - counts[e - 1][k]) } }
            var fl = flows[e]
            fl.transit = fl.transit.filter { $0.amount > tiny }
            let served = fl.served(nodes: n)
            servedTotal += served.reduce(0, +)
            let pairs = Set(fl.transit.map { $0.source * n + $0.target }).sorted()
            epochs.append(SchedulePlan.EpochCircuits(circuits: cs,
                                                     transit: fl.transit.isEmpty ? nil : fl.transit,
                                                     served: pairs.isEmpty ? nil : pairs.map { PairBytes($0 / n, $0 % n, served[$0]) }))
        }
        var metrics = PlanMetrics(objective: servedTotal, bound: bound, gap: gap)
        metrics.servedBytes = servedTotal
        metrics.backlogBytes = max(0, total - servedTotal)
        metrics.circuitsChanged = changed
        return SchedulePlan(method: method, status: status, metrics: metrics, epochs: epochs)
    }

    /// The transit heuristic (`greedy` with `maxHops: 2`), epoch by epoch on
    /// the backlog its own routing leaves:
    ///
    /// 1. the 1-hop `greedy` b-matching of what is available (a kept
    ///    circuit worth `r_c·L/8`, a new one `r_c·(L − δ)/8`);
    /// 2. ports it leaves free on both ends are filled with circuits that
    ///    open two-circuit paths for the bytes its circuits leave
    ///    (``fillFreePorts(_:duration:counts:previous:available:)``);
    /// 3. that configuration and, when it differs, the previous epoch's
    ///    (no change, no dark time) are each routed by the routing LP; the
    ///    one serving more is kept, the previous one on ties: a change is
    ///    kept only where it pays back its dark time within the epoch.
    ///
    /// - Complexity: per epoch one b-matching and at most two routing LPs.
    static func greedy(_ f: ScheduleFabric, durations: [Double], demands: [[Double]],
                       solver: any Solver) throws -> (counts: [[Int]], flows: [TransitEpochFlows]) {
        let n = f.n
        var backlog = [Double](repeating: 0, count: n * n)
        var previous: [Int]? = nil
        var counts: [[Int]] = [], flows: [TransitEpochFlows] = []
        for e in durations.indices {
            let L = durations[e]
            for k in 0..<(n * n) { backlog[k] += demands[e][k] }
            var chosen = ScheduleHeuristics.epochMatching(f, duration: L, available: backlog, previous: previous)
            chosen = fillFreePorts(f, duration: L, counts: chosen, previous: previous, available: backlog)
            var left = backlog
            var routed = try routeEpoch(f, duration: L, counts: chosen, previous: previous, available: &left, solver: solver)
            if let prev = previous, prev != chosen {
                var stay = backlog
                let kept = try routeEpoch(f, duration: L, counts: prev, previous: prev, available: &stay, solver: solver)
                if kept.total >= routed.total * (1 - 1e-12) { chosen = prev; routed = kept; left = stay }
            }
            backlog = left
            counts.append(chosen)
            flows.append(routed)
            previous = chosen
        }
        return (counts, flows)
    }

    /// Fills ports that `counts` leaves free at both a sender and a
    /// receiver: repeatedly adds the circuit `i→j` (free transmitter at `i`,
    /// free receiver at `j`) whose estimated transit gain is largest, until
    /// no circuit gains anything. The estimate serves, after direct
    /// service, pairs `i→t` over the spare capacity of circuits `j→t` and
    /// pairs `s→j` over the spare capacity of `s→i`, each up to the new
    /// circuit's capacity (`r_c·L/8`, or `r_c·(L − δ)/8` when new).
    /// - Complexity: O(added · N² · (out-degree + in-degree)).
    static func fillFreePorts(_ f: ScheduleFabric, duration L: Double, counts: [Int], previous: [Int]?,
                              available: [Double]) -> [Int] {
        let n = f.n
        var c = counts
        var tx = [Int](repeating: 0, count: n), rx = tx
        for k in 0..<(n * n) { tx[k / n] += c[k]; rx[k % n] += c[k] }
        let freeTx = (0..<n).filter { tx[$0] < f.ports[$0] }, freeRx = (0..<n).filter { rx[$0] < f.ports[$0] }
        guard !freeTx.isEmpty, !freeRx.isEmpty, f.circuitBps > 0 else { return c }
        while true {
            let cap = capacities(f, duration: L, counts: c, previous: previous)
            var residual = available, spare = cap
            for k in 0..<(n * n) { let s = min(residual[k], cap[k]); residual[k] -= s; spare[k] -= s }
            var best: (k: Int, gain: Double)? = nil
            for i in 0..<n where tx[i] < f.ports[i] {
                for j in 0..<n where j != i && rx[j] < f.ports[j] && c[i * n + j] < f.pairCap(i, j) {
                    let k = i * n + j
                    let kept = previous.map { c[k] < $0[k] } ?? true
                    let room = f.circuitBps * (kept ? L : max(0, L - f.delta))
                    var gain = min(residual[k], room)
                    var left = room - gain
                    for t in 0..<n where t != i && t != j && left > 0 && spare[j * n + t] > 0 && residual[i * n + t] > 0 {
                        let b = min(left, spare[j * n + t], residual[i * n + t]); gain += b; left -= b
                    }
                    for s in 0..<n where s != i && s != j && left > 0 && spare[s * n + i] > 0 && residual[s * n + j] > 0 {
                        let b = min(left, spare[s * n + i], residual[s * n + j]); gain += b; left -= b
                    }
                    if gain > 0 && gain > (best?.gain ?? 0) { best = (k, gain) }
                }
            }
            guard let b = best else { return c }
            c[b.k] += 1; tx[b.k / n] += 1; rx[b.k % n] += 1
        }
    }
}
