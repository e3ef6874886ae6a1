import OptoCore
import OptoModel

extension CollectivePlanner {
    /// The steady-rate model of `instance` (see `CollectivePlanner+ILP.swift`)
    /// for export. Its objective is `θ̂ = T₀/T`; `objectiveScale = 1/T₀`
    /// turns it into `θ = 1/T`, the inverse of the largest job time less
    /// the starting `δ`.
    ///
    /// - Throws: ``PlanningError/noFeasiblePlan(_:)`` when the instance
    ///   moves no bytes (nothing to optimise); `ModelError` if validation fails.
    /// - Complexity: O(Σ_c R_c·m_c² + pairs) nonzeros.
    public static func exactModel(_ instance: CollectiveInstance) throws -> ExportedModel {
        guard let m = SteadyRateModel(instance) else {
            throw PlanningError.noFeasiblePlan("the collectives move no bytes, so there is no time to optimise")
        }
        return ExportedModel(model: try m.model.validated(), objectiveScale: 1 / m.horizon,
                             objectiveMeaning: "1 / (largest job time − starting δ), per second",
                             notes: ["the steady-rate model: rates constant over the iteration; free circuits direct only"])
    }
}

extension CollectivePlanner {
    /// The data section for `models/collective.mod` (the steady-rate model
    /// written in MathProg): nodes, rates in bits per second, ports, the
    /// allreduces (`a1`, `a2`, … in file order; their job and name in a
    /// comment) with their groups and bytes, the alltoalls' bytes per pair,
    /// and with given circuits their counts and the route of every pair
    /// that may carry traffic (``CircuitRouting``, `maxHops`).
    ///
    /// - Throws: ``PlanningError/noFeasiblePlan(_:)`` when the instance
    ///   moves no bytes or a node with traffic has no capacity (no finite
    ///   bound to scale by).
    /// - Complexity: O(N² + Σ m_c² · maxHops).
    public static func mathProgData(_ instance: CollectiveInstance) throws -> String {
        let t0 = instance.jobLowerBounds(startDelay: 0).max() ?? 0
        guard t0 > 0, t0.isFinite else {
            throw PlanningError.noFeasiblePlan("the collectives move no bytes, or a node with traffic has no capacity: no finite time to optimise")
        }
        let f = instance.fabric
        let n = f.nodes
        func num(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)" }
        var s = "data;\n"
        s += "set V :=" + (0..<n).map { " \($0)" }.joined() + ";\n"
        s += "param rc := \(num(f.circuitRate));\n"
        s += "param p :=" + (0..<n).map { " \($0) \(num(f.packetRate[$0]))" }.joined() + ";\n"
        s += "param k :=" + (0..<n).map { " \($0) \(f.ocsPortsPerNode[$0])" }.joined() + ";\n"
        let free = instance.reconfigure
        s += "param free := \(free ? 1 : 0);\n"
        var names: [String] = [], groups = "", first = "", bytes = ""
        var a2a: [Int: Double] = [:]
        var pairs = Set<Int>()
        for job in instance.jobs {
            for c in job.collectives {
                for u in c.group { for v in c.group where v != u { pairs.insert(u * n + v) } }
                switch c.kind {
                case .allreduce:
                    let a = "a\(names.count + 1)"
                    names.append(a)
                    s += "/* \(a): \(CollectiveInstance.key(job: job.name, collective: c.name)) */\n"
                    groups += "set G[\(a)] :=" + c.group.map { " \($0)" }.joined() + ";\n"
                    first += " \(a) \(c.group[0])"
                    bytes += " \(a) \(num(c.bytes))"
                case .alltoall:
                    for u in c.group { for v in c.group where v != u { a2a[u * n + v, default: 0] += c.bytes } }
                }
            }
        }
        s += "set A :=" + names.map { " \($0)" }.joined() + ";\n" + groups
        if !names.isEmpty { s += "param first :=" + first + ";\nparam S :=" + bytes + ";\n" }
        if !a2a.isEmpty { s += "param a2a :=" + a2a.keys.sorted().map { "\n  \($0 / n) \($0 % n) \(num(a2a[$0]!))" }.joined() + ";\n" }
        var route = ""
        if !free {
            let current = instance.current ?? []
            let routing = CircuitRouting(nodes: n, circuits: current, maxHops: instance.maxHops)
            var counts: [Int: Int] = [:]
            for c in current { counts[c.from * n + c.to, default: 0] += 1 }
            if !counts.isEmpty { s += "param ncur :=" + counts.keys.sorted().map { "\n  \($0 / n) \($0 % n) \(counts[$0]!)" }.joined() + ";\n" }
            for pair in pairs.sorted() {
                guard let path = routing.route(pair / n, pair % n) else { continue }
                for h in 0..<(path.count - 1) { route += "\n  \(pair / n) \(pair % n) \(path[h]) \(path[h + 1])" }
            }
        }
        s += "set ROUTE :=" + route + ";\n"
        s += "end;\n"
        return s
    }
}
