import OptoCore

/// The methods of the link-pool planner, named as on the command line.
public enum LinkPoolMethod: String, Sendable, CaseIterable, Codable {
    /// Heuristic first, then the exact model warm-started from it (a later
    /// issue; reserved so the command-line names are stable).
    case auto
    /// The exact mixed-integer model (PROBLEMS.md §2), with the fewest
    /// circuits among equally good allocations.
    case ilp
    /// Repeatedly add the circuit that most raises the objective, then move
    /// single circuits while that helps.
    case greedy
    /// The paired full-duplex baseline: the exact model with `n[i][j] = n[j][i]`.
    case symmetric
}

/// Why the link-pool planner could not plan.
public enum LinkPoolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The instance breaks the contract of PROBLEMS.md §2 (the message says where).
    case invalidInstance(String)
    /// The `concurrent` objective with no positive demand: `λ` is unbounded.
    case unboundedLambda
    /// The heuristic found no allocation that honours the instance (e.g. the
    /// current allocation breaks the port limits by more than `maxChanges`
    /// can repair); the exact model may still find one.
    case heuristicFailed(String)

    public var description: String {
        switch self {
        case .invalidInstance(let m): "invalid link-pool instance: \(m)"
        case .unboundedLambda: "the concurrent objective needs at least one positive demand (λ is unbounded otherwise)"
        case .heuristicFailed(let m): "the heuristic found no feasible allocation: \(m)"
        }
    }
}

/// A link-pool instance checked and flattened for the planners: every list
/// has length `N`, tx/rx caps are explicit (the pool size when absent) and
/// the current allocation is a count per ordered pair.
///
/// Pair `i → j` is index `i·N + j` of every flat array.
struct LinkPoolProblem: Sendable {
    /// `N`.
    let n: Int
    /// `q_i`.
    let ports: [Int]
    /// `tx_i` (`q_i` when not given).
    let tx: [Int]
    /// `rx_i` (`q_i` when not given).
    let rx: [Int]
    /// `r_c`, bits per second.
    let rate: Double
    /// `p_i`, bits per second.
    let packet: [Double]
    /// `R[i][j]`, bits per second, diagonal zero. Flat.
    let demand: [Double]
    /// The objective.
    let objective: LinkPoolObjective
    /// Today's circuits per pair (all zero when none was given). Flat.
    let current: [Int]
    /// Whether a current allocation was given.
    let hasCurrent: Bool
    /// The change budget, when given.
    let maxChanges: Int?
    /// `fabric.maxHops`: 1, or 2 for transit over `s→k→t` (PROBLEMS.md §2 "With transit").
    var maxHops: Int

    /// Whether pairs may route over two circuits.
    var transit: Bool { maxHops > 1 }

    /// Checks `instance` and flattens it.
    ///
    /// - Throws: ``LinkPoolError/invalidInstance(_:)`` naming the first
    ///   problem; ``LinkPoolError/unboundedLambda`` for the concurrent
    ///   objective without positive demand.
    /// - Complexity: O(N² + |current|).
    init(_ instance: LinkPoolInstance) throws(LinkPoolError) {
        let f = instance.fabric
        let n = f.nodes
        guard n >= 1 else { throw .invalidInstance("fabric.nodes must be at least 1, got \(n)") }
        guard n <= 4096 else { throw .invalidInstance("fabric.nodes = \(n) is more than this planner handles (4096)") }
        func checkList<T>(_ list: [T], _ name: String) throws(LinkPoolError) {
            guard list.count == n else { throw .invalidInstance("fabric.\(name) has \(list.count) entries, expected \(n)") }
        }
        try checkList(f.opticalPorts, "opticalPorts")
        try checkList(f.packetRate, "packetRate")
        for (i, q) in f.opticalPorts.enumerated() where q < 0 {
            throw .invalidInstance("fabric.opticalPorts[\(i)] = \(q) is negative")
        }
        for (i, p) in f.packetRate.enumerated() where !(p.isFinite && p >= 0) {
            throw .invalidInstance("fabric.packetRate[\(i)] = \(p) is not a finite non-negative rate")
        }
        guard f.circuitRate.isFinite && f.circuitRate > 0 else {
            throw .invalidInstance("fabric.circuitRate = \(f.circuitRate) is not a finite positive rate")
        }
        var tx = f.opticalPorts, rx = f.opticalPorts
        if let t = f.tx {
            try checkList(t, "tx")
            for (i, v) in t.enumerated() {
                guard v >= 0 else { throw .invalidInstance("fabric.tx[\(i)] = \(v) is negative") }
                tx[i] = min(v, f.opticalPorts[i])
            }
        }
        if let r = f.rx {
            try checkList(r, "rx")
            for (i, v) in r.enumerated() {
                guard v >= 0 else { throw .invalidInstance("fabric.rx[\(i)] = \(v) is negative") }
                rx[i] = min(v, f.opticalPorts[i])
            }
        }
        let d = instance.demand
        guard d.rows == n && d.columns == n else {
            throw .invalidInstance("demand is \(d.rows)×\(d.columns), expected \(n)×\(n)")
        }
        var demand = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                let v = d[i, j]
                guard v.isFinite && v >= 0 else { throw .invalidInstance("demand[\(i)][\(j)] = \(v) is not a finite non-negative rate") }
                if i != j { demand[i * n + j] = v }
            }
        }
        var current = [Int](repeating: 0, count: n * n)
        if let cur = instance.current {
            for (k, c) in cur.enumerated() {
                guard c.from >= 0 && c.from < n && c.to >= 0 && c.to < n else {
                    throw .invalidInstance("current[\(k)] = [\(c.from), \(c.to)] names a node outside 0..<\(n)")
                }
                guard c.from != c.to else { throw .invalidInstance("current[\(k)] = [\(c.from), \(c.to)] joins a node to itself") }
                current[c.from * n + c.to] += 1
            }
        }
        if let m = instance.maxChanges, m < 0 { throw .invalidInstance("maxChanges = \(m) is negative") }
        guard instance.maxHops == 1 || instance.maxHops == 2 else {
            throw .invalidInstance("fabric.maxHops = \(instance.maxHops): a link pool takes 1 (direct circuits only) or 2 (transit over one intermediate node)")
        }
        if instance.objective == .concurrent && !demand.contains(where: { $0 > 0 }) { throw .unboundedLambda }

        self.n = n
        self.ports = f.opticalPorts
        self.tx = tx
        self.rx = rx
        self.rate = f.circuitRate
        self.packet = f.packetRate
        self.demand = demand
        self.objective = instance.objective
        self.current = current
        self.hasCurrent = instance.current != nil
        self.maxChanges = instance.maxChanges
        self.maxHops = instance.maxHops
    }

    /// The most circuits pair `i → j` can hold under the port limits alone.
    func pairCap(_ i: Int, _ j: Int) -> Int {
        i == j ? 0 : max(0, min(tx[i], rx[j], ports[i], ports[j]))
    }

    /// Whether a circuit on `i → j` can ever carry anything or must be kept:
    /// demand there, or a current circuit there.
    func pairMatters(_ k: Int) -> Bool { demand[k] > 0 || current[k] > 0 }

    /// The changes (symmetric difference of multisets) from the current allocation to `counts`.
    ///
    /// - Complexity: O(N²).
    func changes(_ counts: [Int]) -> Int {
        var s = 0
        for k in 0..<(n * n) { s += abs(counts[k] - current[k]) }
        return s
    }

    /// Why `counts` breaks the port limits or the change budget, or nil.
    ///
    /// - Complexity: O(N²).
    func violation(_ counts: [Int]) -> String? {
        guard counts.count == n * n else { return "expected \(n * n) pair counts, got \(counts.count)" }
        var out = [Int](repeating: 0, count: n), inc = [Int](repeating: 0, count: n)
        for i in 0..<n {
            for j in 0..<n {
                let c = counts[i * n + j]
                if c < 0 { return "negative count on \(i)->\(j)" }
                if c > 0 && i == j { return "circuit from node \(i) to itself" }
                out[i] += c
                inc[j] += c
            }
        }
        for i in 0..<n {
            if out[i] + inc[i] > ports[i] { return "node \(i) uses \(out[i] + inc[i]) ports of \(ports[i])" }
            if out[i] > tx[i] { return "node \(i) transmits on \(out[i]) ports, cap \(tx[i])" }
            if inc[i] > rx[i] { return "node \(i) receives on \(inc[i]) ports, cap \(rx[i])" }
        }
        if let m = maxChanges, changes(counts) > m { return "\(changes(counts)) changes, budget \(m)" }
        return nil
    }
}
