/// Checks plans on their own and against their instance, for
/// `optoplan validate`. Every problem is reported with the plan file and
/// the JSON path of the bad value.
///
/// On its own a plan must have finite, non-negative numbers where the
/// format asks for them, circuits joining two different nodes, square
/// matrices, and (stagger) no repeated priority. Against its instance
/// (same `problem`), additionally:
/// - schedule, window mode: `configurations` (not `epochs`), circuits name
///   nodes in range, each configuration uses at most `k_i` transmitters and
///   receivers per node, and `Σ (δ + t_m) ≤ W` when there is a window;
/// - schedule, epochs mode: one entry per input epoch, each within the port limits;
/// - linkpool: `N×N` matrices, `Σ_j n[i][j] + Σ_j n[j][i] ≤ q_i` and the
///   `tx`/`rx` caps, electrical rates within each node's send and receive
///   limit, `carried ≤ n·r_c + e` per pair, and at most `maxChanges`
///   circuits changed against `current`;
/// - stagger: one offset per job and no other, each a multiple of the step
///   in `[0, period)`; priorities name jobs; the claimed `excess` and `peak`
///   equal what the offsets give (`StaggerLoad`).
/// - transit (link-pool `transit`, epochs `epochs[e].transit` and
///   `served`): three different nodes in range, a finite amount of 0 or
///   more, both circuits of the path in the plan's (that epoch's)
///   circuits, an instance with `maxHops` 2, each `served` entry at least
///   its pair's transit bytes; a link-pool pair's direct rate
///   (`carried − e − own transit`) plus the transit crossing its circuits
///   within them;
/// - claims: a makespan is not below the lower bound of §1a; link-pool
///   carried rates are at least `λ·R` (concurrent) or at most `R` (throughput).
///
/// Rates and times are compared with a relative tolerance of `tolerance`.
public enum PlanChecker {
    /// Relative tolerance of the capacity and window checks.
    public static let tolerance = 1e-6

    /// Problems of a plan on its own.
    public static func check(_ plan: Plan, file: String) -> [InputError] {
        var out = Problems(file: file)
        checkMetrics(plan.metrics, &out)
        switch plan {
        case .schedule(let p):
            for (m, c) in (p.configurations ?? []).enumerated() {
                out.nonNegative(c.duration, "configurations[\(m)].duration", "a duration")
                out.circuits(c.circuits, "configurations[\(m)].circuits", nodes: nil)
            }
            for (e, c) in (p.epochs ?? []).enumerated() {
                out.circuits(c.circuits, "epochs[\(e)].circuits", nodes: nil)
                out.transit(c.transit ?? [], "epochs[\(e)].transit", what: "bytes")
                out.served(c.served ?? [], transit: c.transit ?? [], "epochs[\(e)]")
            }
            if p.configurations != nil && p.epochs != nil {
                out.add("epochs", "a plan has configurations (window mode) or epochs (epochs mode), not both")
            }
        case .linkpool(let p):
            out.circuits(p.circuits, "circuits", nodes: nil)
            out.transit(p.transit ?? [], "transit", what: "a rate")
            out.squareMatrix(p.electrical, "electrical", size: nil)
            out.squareMatrix(p.carried, "carried", size: p.electrical.count)
        case .stagger(let p):
            for (name, o) in p.offsets.sorted(by: { $0.key < $1.key }) { out.nonNegative(o, "offsets.\(name)", "an offset") }
            var seen = Set<String>()
            for (k, name) in (p.priorities ?? []).enumerated() where !seen.insert(name).inserted {
                out.add("priorities[\(k)]", "\"\(name)\" is listed twice")
            }
        case .collective(let p):
            out.circuits(p.circuits, "circuits", nodes: nil)
            for (key, rings) in p.rings.sorted(by: { $0.key < $1.key }) {
                for (r, ring) in rings.enumerated() { out.nonNegative(ring.bytes, "rings.\(key)[\(r)].bytes", "a ring's bytes") }
            }
        }
        return out.errors
    }

    /// Problems of a plan on its own and against its instance.
    public static func check(_ plan: Plan, file: String, against instance: Instance, instanceFile: String) -> [InputError] {
        var out = Problems(file: file)
        out.errors = check(plan, file: file)
        guard plan.problem == instance.problem else {
            out.add("problem", "this is a \(plan.problem.rawValue) plan but \(instanceFile) is a \(instance.problem.rawValue) instance")
            return out.errors
        }
        if plan.status == .infeasible { return out.errors }
        switch (plan, instance) {
        case let (.schedule(p), .schedule(s)): checkSchedule(p, s, &out)
        case let (.linkpool(p), .linkpool(l)): checkLinkPool(p, l, &out)
        case let (.stagger(p), .stagger(s)): checkStagger(p, s, &out)
        case let (.collective(p), .collective(c)): checkCollective(p, c, &out)
        default: break
        }
        return out.errors
    }

    static func checkMetrics(_ m: PlanMetrics, _ out: inout Problems) {
        out.finite(m.objective, "metrics.objective")
        out.nonNegative(m.solveSeconds, "metrics.solveSeconds", "a time")
        if let b = m.bound { out.finite(b, "metrics.bound") }
        if let g = m.gap { out.nonNegative(g, "metrics.gap", "a gap") }
        let optional: [(Double?, String)] = [
            (m.servedBytes, "servedBytes"), (m.makespan, "makespan"), (m.lowerBound, "lowerBound"), (m.backlogBytes, "backlogBytes"),
            (m.lambda, "lambda"), (m.carried, "carried"), (m.utilisation, "utilisation"), (m.excess, "excess"), (m.peak, "peak"),
            (m.time, "time"),
        ]
        for (v, name) in optional { if let v { out.nonNegative(v, "metrics.\(name)", "this metric") } }
        if let s = m.slots, s < 0 { out.add("metrics.slots", "\(s) is negative") }
        if let c = m.circuitsChanged, c < 0 { out.add("metrics.circuitsChanged", "\(c) is negative") }
    }

    /// Transmitters and receivers used by `circuits` per node must not exceed `ports`.
    static func portLimits(_ circuits: [Circuit], ports: [Int], _ path: String, _ out: inout Problems) {
        let n = ports.count
        var tx = Array(repeating: 0, count: n), rx = Array(repeating: 0, count: n)
        for c in circuits where (0..<n).contains(c.from) && (0..<n).contains(c.to) { tx[c.from] += 1; rx[c.to] += 1 }
        for i in 0..<n {
            if tx[i] > ports[i] { out.add(path, "node \(i) transmits on \(tx[i]) circuits but has \(ports[i]) OCS ports") }
            if rx[i] > ports[i] { out.add(path, "node \(i) receives on \(rx[i]) circuits but has \(ports[i]) OCS ports") }
        }
    }

    static func checkSchedule(_ p: SchedulePlan, _ s: ScheduleInstance, _ out: inout Problems) {
        let n = s.fabric.nodes
        switch s.mode {
        case .window(let demand, let window):
            if p.epochs != nil { out.add("epochs", "the instance is in window mode: a plan lists configurations, not epochs") }
            guard let configs = p.configurations else {
                out.add("", "missing \"configurations\" (the instance is in window mode)")
                return
            }
            var span = 0.0
            for (m, c) in configs.enumerated() {
                let path = "configurations[\(m)].circuits"
                out.circuits(c.circuits, path, nodes: n)
                portLimits(c.circuits, ports: s.fabric.ocsPortsPerNode, path, &out)
                span += s.fabric.reconfigurationDelay + c.duration
            }
            if let window, span > window * (1 + tolerance) + 1e-12 {
                out.add("configurations", "the configurations with their dark time δ last \(Quantity.format(span, as: .time)), more than the window \(Quantity.format(window, as: .time))")
            }
            let bound = lowerBound(demand, s.fabric)
            if let makespan = p.metrics.makespan, makespan < bound * (1 - tolerance) {
                out.add("metrics.makespan", "\(Quantity.format(makespan, as: .time)) is below the lower bound \(Quantity.format(bound, as: .time)) of PROBLEMS.md §1a")
            }
            if let served = p.metrics.servedBytes, served > demand.total * (1 + tolerance) + 1e-6 {
                out.add("metrics.servedBytes", "\(Quantity.format(served, as: .volume)) served is more than the whole demand, \(Quantity.format(demand.total, as: .volume))")
            }
        case .epochs(let epochs):
            if p.configurations != nil { out.add("configurations", "the instance is in epochs mode: a plan lists epochs, not configurations") }
            guard let planned = p.epochs else {
                out.add("", "missing \"epochs\" (the instance is in epochs mode)")
                return
            }
            if planned.count != epochs.count {
                out.add("epochs", "the plan has \(planned.count) epochs but the instance has \(epochs.count)")
            }
            for (e, c) in planned.enumerated() {
                let path = "epochs[\(e)].circuits"
                out.circuits(c.circuits, path, nodes: n)
                portLimits(c.circuits, ports: s.fabric.ocsPortsPerNode, path, &out)
                out.transit(c.transit ?? [], "epochs[\(e)].transit", against: c.circuits, nodes: n, maxHops: s.maxHops,
                            circuitsName: "epoch \(e)'s circuits")
                for (k, b) in (c.served ?? []).enumerated() where b.source >= 0 && b.target >= 0 && (b.source >= n || b.target >= n) {
                    out.add("epochs[\(e)].served[\(k)]", "[\(b.source), \(b.target), …] names a node out of range; the instance has nodes 0 to \(n - 1)")
                }
            }
        }
    }

    /// `max_i max(8·rowsum_i, 8·colsum_i) / (k_i·r_c + p_i)`: no node sends
    /// its row or receives its column faster.
    public static func lowerBound(_ demand: Matrix, _ fabric: Fabric) -> Double {
        let rows = demand.rowSums, cols = demand.columnSums
        var bound = 0.0
        for i in 0..<fabric.nodes {
            let capacity = Double(fabric.ocsPortsPerNode[i]) * fabric.circuitRate + fabric.packetRate[i]
            let need = 8 * max(rows[i], cols[i])
            if need > 0 { bound = max(bound, capacity > 0 ? need / capacity : .infinity) }
        }
        return bound
    }

    static func checkLinkPool(_ p: LinkPoolPlan, _ l: LinkPoolInstance, _ out: inout Problems) {
        let f = l.fabric
        let n = f.nodes
        out.circuits(p.circuits, "circuits", nodes: n)
        let eOK = out.squareMatrix(p.electrical, "electrical", size: n)
        let aOK = out.squareMatrix(p.carried, "carried", size: n)
        let counts = p.circuits.countMatrix(nodes: n)
        let transit = p.transit ?? []
        let transitOK = out.transit(transit, "transit", against: p.circuits, nodes: n, maxHops: l.maxHops,
                                    circuitsName: "the plan's circuits")
        let sendCircuits = counts.rowSums, receiveCircuits = counts.columnSums
        for i in 0..<n {
            let used = Int(sendCircuits[i] + receiveCircuits[i])
            if used > f.opticalPorts[i] {
                out.add("circuits", "node \(i) uses \(used) optical ports (\(Int(sendCircuits[i])) sending, \(Int(receiveCircuits[i])) receiving) but has \(f.opticalPorts[i])")
            }
            if let tx = f.tx, Int(sendCircuits[i]) > tx[i] { out.add("circuits", "node \(i) sends on \(Int(sendCircuits[i])) circuits but fabric.tx allows \(tx[i])") }
            if let rx = f.rx, Int(receiveCircuits[i]) > rx[i] { out.add("circuits", "node \(i) receives on \(Int(receiveCircuits[i])) circuits but fabric.rx allows \(rx[i])") }
        }
        func over(_ x: Double, _ limit: Double) -> Bool { x > limit * (1 + tolerance) + 1e-6 }
        if eOK {
            let e = Matrix(p.electrical)
            let rows = e.rowSums, cols = e.columnSums
            for i in 0..<n {
                if over(rows[i], f.packetRate[i]) {
                    out.add("electrical[\(i)]", "node \(i) sends \(Quantity.format(rows[i], as: .rate)) electrically but its packet rate is \(Quantity.format(f.packetRate[i], as: .rate))")
                }
                if over(cols[i], f.packetRate[i]) {
                    out.add("electrical", "node \(i) receives \(Quantity.format(cols[i], as: .rate)) electrically but its packet rate is \(Quantity.format(f.packetRate[i], as: .rate))")
                }
            }
            if aOK && transit.isEmpty {
                for i in 0..<n {
                    for j in 0..<n where over(p.carried[i][j], counts[i, j] * f.circuitRate + e[i, j]) {
                        out.add("carried[\(i)][\(j)]", "\(Quantity.format(p.carried[i][j], as: .rate)) carried is more than the \(Int(counts[i, j])) circuits and \(Quantity.format(e[i, j], as: .rate)) electrical of the pair allow")
                    }
                }
            } else if aOK && transitOK {
                // A pair's direct rate is at least what it carries beyond its
                // electrical and transit rates; with the transit crossing its
                // circuits it must fit them.
                var own = Matrix(size: n), crossing = Matrix(size: n)
                for r in transit {
                    own[r.source, r.target] += r.amount
                    crossing[r.source, r.via] += r.amount
                    crossing[r.via, r.target] += r.amount
                }
                for i in 0..<n {
                    for j in 0..<n where i != j {
                        let capacity = counts[i, j] * f.circuitRate
                        let direct = max(0, p.carried[i][j] - e[i, j] - own[i, j])
                        if over(crossing[i, j], capacity) {
                            out.add("transit", "the transit crossing \(i)->\(j) is \(Quantity.format(crossing[i, j], as: .rate)), more than its \(Int(counts[i, j])) circuits carry")
                        } else if over(direct + crossing[i, j], capacity) {
                            out.add("carried[\(i)][\(j)]", "\(Quantity.format(p.carried[i][j], as: .rate)) carried needs \(Quantity.format(direct, as: .rate)) on the pair's circuits beside its electrical and transit rates, but with \(Quantity.format(crossing[i, j], as: .rate)) of transit crossing them its \(Int(counts[i, j])) circuits carry \(Quantity.format(capacity, as: .rate))")
                        }
                    }
                }
            }
        }
        if aOK {
            switch l.objective {
            case .concurrent:
                if let lambda = p.metrics.lambda {
                    for i in 0..<n { for j in 0..<n where i != j && p.carried[i][j] < lambda * l.demand[i, j] * (1 - tolerance) - 1e-6 {
                        out.add("carried[\(i)][\(j)]", "\(Quantity.format(p.carried[i][j], as: .rate)) carried is less than lambda × demand, \(Quantity.format(lambda * l.demand[i, j], as: .rate))")
                    } }
                }
            case .throughput:
                for i in 0..<n { for j in 0..<n where p.carried[i][j] > l.demand[i, j] * (1 + tolerance) + 1e-6 {
                    out.add("carried[\(i)][\(j)]", "\(Quantity.format(p.carried[i][j], as: .rate)) carried is more than the demand, \(Quantity.format(l.demand[i, j], as: .rate))")
                } }
            }
        }
        if let limit = l.maxChanges {
            let before = (l.current ?? []).countMatrix(nodes: n)
            var changes = 0.0
            for k in before.values.indices { changes += abs(before.values[k] - counts.values[k]) }
            if Int(changes) > limit { out.add("circuits", "\(Int(changes)) circuits change against the current ones but maxChanges is \(limit)") }
        }
    }

    static func checkStagger(_ p: StaggerPlan, _ s: StaggerInstance, _ out: inout Problems) {
        let jobs = Dictionary(s.jobs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for job in s.jobs where p.offsets[job.name] == nil { out.add("offsets", "no offset for the job \"\(job.name)\"") }
        for (name, o) in p.offsets.sorted(by: { $0.key < $1.key }) {
            guard let job = jobs[name] else {
                out.add("offsets.\(name)", "no job is named \"\(name)\" in the instance")
                continue
            }
            guard o.isFinite, o >= 0 else { continue }
            if InstanceReader.steps(o, step: s.step) == nil {
                out.add("offsets.\(name)", "\(Quantity.format(o, as: .time)) is not a multiple of the step \(Quantity.format(s.step, as: .time))")
            } else if o > job.period - s.step / 2 {
                out.add("offsets.\(name)", "\(Quantity.format(o, as: .time)) is not within the period \(Quantity.format(job.period, as: .time))")
            }
        }
        for (k, name) in (p.priorities ?? []).enumerated() where jobs[name] == nil {
            out.add("priorities[\(k)]", "no job is named \"\(name)\" in the instance")
        }
        // The claimed excess and peak, recomputed from the offsets.
        let offsets = s.jobs.compactMap { job in p.offsets[job.name].flatMap { InstanceReader.steps($0, step: s.step) } }
        guard offsets.count == s.jobs.count, let score = StaggerLoad.score(s, offsetSteps: offsets) else { return }
        if let excess = p.metrics.excess, abs(excess - score.excess) > tolerance * max(1, score.excess) {
            out.add("metrics.excess", "the plan claims \(JSONValue.numberText(excess)) bits but its offsets give \(JSONValue.numberText(score.excess))")
        }
        if let peak = p.metrics.peak, abs(peak - score.peak) > tolerance * max(1, score.peak) {
            out.add("metrics.peak", "the plan claims \(JSONValue.numberText(peak)) but its offsets give \(JSONValue.numberText(score.peak))")
        }
    }
}

/// The problems found so far in one plan file.
struct Problems {
    let file: String
    var errors: [InputError] = []

    mutating func add(_ path: String, _ message: String) {
        if errors.count < 100 { errors.append(InputError(file: file, path: path, message: message)) }
    }

    mutating func finite(_ x: Double, _ path: String) {
        if !x.isFinite { add(path, "\(x) is not a finite number") }
    }

    mutating func nonNegative(_ x: Double, _ path: String, _ what: String) {
        if !x.isFinite { add(path, "\(x) is not a finite number") } else if x < 0 { add(path, "\(JSONValue.numberText(x)) is negative; \(what) must be 0 or more") }
    }

    /// Circuits on their own (`nodes` nil: negative nodes, self-loops) or
    /// against the instance's node count (range only, the rest was reported).
    mutating func circuits(_ cs: [Circuit], _ path: String, nodes: Int?) {
        for (k, c) in cs.enumerated() {
            if let n = nodes {
                if c.from >= 0, c.to >= 0, c.from >= n || c.to >= n {
                    add("\(path)[\(k)]", "[\(c.from), \(c.to)] names a node out of range; the instance has nodes 0 to \(n - 1)")
                }
            } else if c.from < 0 || c.to < 0 {
                add("\(path)[\(k)]", "[\(c.from), \(c.to)] names a negative node")
            } else if c.from == c.to {
                add("\(path)[\(k)]", "a circuit joins two different nodes; [\(c.from), \(c.to)] joins node \(c.from) to itself")
            }
        }
    }

    /// Transit entries on their own: non-negative nodes, three different
    /// nodes, a finite amount of 0 or more (`what`: "a rate", "bytes").
    mutating func transit(_ routes: [TransitRoute], _ path: String, what: String) {
        for (k, r) in routes.enumerated() {
            let place = "\(path)[\(k)]"
            if r.source < 0 || r.via < 0 || r.target < 0 {
                add(place, "[\(r.source), \(r.via), \(r.target), …] names a negative node")
            } else if r.source == r.target {
                add(place, "a transit entry [s, k, t, amount] joins two different nodes; s and t are both \(r.source)")
            } else if r.via == r.source || r.via == r.target {
                add(place, "a transit entry [s, k, t, amount] passes through a third node; k = \(r.via) is one of its ends")
            }
            if !r.amount.isFinite {
                add(place, "\(r.amount) is not a finite number")
            } else if r.amount < 0 {
                add(place, "\(JSONValue.numberText(r.amount)) is negative; \(what) must be 0 or more")
            }
        }
    }

    /// An epoch's `served` entries on their own, and each at least its pair's transit bytes.
    mutating func served(_ list: [PairBytes], transit: [TransitRoute], _ epochPath: String) {
        var routed: [[Int]: Double] = [:]
        for r in transit where r.amount.isFinite { routed[[r.source, r.target], default: 0] += r.amount }
        for (k, b) in list.enumerated() {
            let place = "\(epochPath).served[\(k)]"
            if b.source < 0 || b.target < 0 {
                add(place, "[\(b.source), \(b.target), …] names a negative node")
            } else if b.source == b.target {
                add(place, "a served entry [s, t, bytes] joins two different nodes; s and t are both \(b.source)")
            }
            if !b.bytes.isFinite {
                add(place, "\(b.bytes) is not a finite number")
            } else if b.bytes < 0 {
                add(place, "\(JSONValue.numberText(b.bytes)) is negative; bytes must be 0 or more")
            } else if let t = routed[[b.source, b.target]], b.bytes < t * (1 - PlanChecker.tolerance) - 1e-6 {
                add(place, "\(Quantity.format(b.bytes, as: .volume)) served for \(b.source)->\(b.target) is less than its transit entries route, \(Quantity.format(t, as: .volume))")
            }
        }
    }

    /// Transit entries against the instance: nodes in range, both circuits
    /// of each path among `circuits`, and transit only with `maxHops` 2 or
    /// more. Whether every entry passed (and the earlier checks on its own).
    @discardableResult
    mutating func transit(_ routes: [TransitRoute], _ path: String, against circuits: [Circuit], nodes n: Int,
                          maxHops: Int, circuitsName: String) -> Bool {
        guard !routes.isEmpty else { return true }
        var ok = true
        if maxHops < 2 {
            add(path, "the plan routes transit but the instance has fabric.maxHops \(maxHops); transit needs maxHops 2")
            ok = false
        }
        let have = Set(circuits.map { [$0.from, $0.to] })
        for (k, r) in routes.enumerated() {
            let place = "\(path)[\(k)]"
            let nodes = [r.source, r.via, r.target]
            if nodes.contains(where: { $0 < 0 }) || r.source == r.target || r.via == r.source || r.via == r.target
                || !r.amount.isFinite || r.amount < 0 {
                ok = false
                continue
            }
            if nodes.contains(where: { $0 >= n }) {
                add(place, "[\(r.source), \(r.via), \(r.target), …] names a node out of range; the instance has nodes 0 to \(n - 1)")
                ok = false
                continue
            }
            for hop in [[r.source, r.via], [r.via, r.target]] where !have.contains(hop) {
                add(place, "the path \(r.source)->\(r.via)->\(r.target) crosses the circuit \(hop[0])->\(hop[1]), which is not among \(circuitsName)")
                ok = false
            }
        }
        return ok
    }

    /// Whether `m` is a `size × size` matrix (any square size when nil) of finite non-negative numbers.
    @discardableResult
    mutating func squareMatrix(_ m: [[Double]], _ path: String, size: Int?) -> Bool {
        let n = size ?? m.count
        if m.count != n { add(path, "the matrix has \(m.count) rows; it must be \(n)×\(n)"); return false }
        var ok = true
        for (i, row) in m.enumerated() {
            if row.count != n { add("\(path)[\(i)]", "the row has \(row.count) values; the matrix must be \(n)×\(n)"); ok = false; continue }
            for (j, x) in row.enumerated() where !x.isFinite || x < 0 {
                add("\(path)[\(i)][\(j)]", "\(x) is not a rate (finite and 0 or more)")
                ok = false
            }
        }
        return ok
    }
}
