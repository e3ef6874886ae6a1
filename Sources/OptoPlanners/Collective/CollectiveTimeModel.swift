import OptoCore

/// The collective planner's own time model (the "drain model"), used to
/// choose between candidate ring orders and configurations. The evaluator
/// (`Evaluator+Collective.swift` in OptoEval) is the judge; this model is
/// what the heuristics compare cheaply.
///
/// Every transfer of every step of every collective is routed by
/// ``CircuitRouting`` (direct circuits, else the shortest path of at most
/// `maxHops` circuits). Over the whole iteration a resource carries the
/// bytes of all transfers routed over it: a circuit pair `u→v` of
/// capacity `n_uv·r_c` carries the routed transfers that cross it, and a
/// node's packet send and receive ports (capacity `p`) carry the transfers
/// with no circuit route. A collective takes at least
/// `max over the resources it uses of (bytes on the resource)·8 / capacity`,
/// its job the largest of its collectives' times, plus the starting `δ`.
///
/// Where it differs from the evaluator: the evaluator lets routed
/// transfers use the packet fabric too and runs the steps synchronously
/// with max-min sharing; the drain model charges routed transfers to
/// circuits only and pipelines the steps. With `p = 0` and rings whose
/// steps load their circuits evenly (every method's rings on the reference
/// case, co-prime stride rings on free circuits) the two agree.
public struct CollectiveTimeModel: Sendable {
    public let instance: CollectiveInstance

    public init(_ instance: CollectiveInstance) { self.instance = instance }

    /// Each job's time under the drain model, seconds (δ included when the
    /// configuration differs from `current`); `.infinity` when a transfer
    /// has neither a circuit route nor packet capacity.
    /// - Complexity: O(transfers · maxHops + N² ) per call (one routing search per source node).
    public func jobTimes(circuits: [Circuit], rings: [String: [CollectivePlan.Ring]]) -> [Double] {
        let n = instance.fabric.nodes
        let routing = CircuitRouting(nodes: n, circuits: circuits, maxHops: instance.maxHops)
        let layout = CollectiveLayout(instance, rings: rings)
        var circuitLoad = [Int: Double]()          // u*N+v → bytes over the iteration
        var send = Array(repeating: 0.0, count: n)
        var recv = Array(repeating: 0.0, count: n)
        var used: [[Int]] = []                      // per collective: resource ids (circuit u*N+v, or -(1+u) send, -(1+N+v) receive)
        var routeCache = [Int: [[Int]?]]()
        for (index, entry) in layout.collectives.enumerated() {
            let c = entry.collective
            let steps = Double(c.steps)
            var mine = Set<Int>()
            for t in c.stepTransfers(rings: layout.rings[index]) {
                let routes: [[Int]?]
                if let r = routeCache[t.from] { routes = r } else {
                    routes = routing.routes(from: t.from)
                    routeCache[t.from] = routes
                }
                let total = t.bytes * steps
                if let path = routes[t.to] {
                    for h in 0..<(path.count - 1) {
                        let key = path[h] * n + path[h + 1]
                        circuitLoad[key, default: 0] += total
                        mine.insert(key)
                    }
                } else {
                    send[t.from] += total
                    recv[t.to] += total
                    mine.insert(-(1 + t.from))
                    mine.insert(-(1 + n + t.to))
                }
            }
            used.append(Array(mine))
        }
        let rc = instance.fabric.circuitRate
        func drain(_ id: Int) -> Double {
            let (bytes, capacity): (Double, Double)
            if id >= 0 {
                bytes = circuitLoad[id] ?? 0
                capacity = Double(routing.multiplicity[id]) * rc
            } else if id >= -n {
                bytes = send[-id - 1]
                capacity = instance.fabric.packetRate[-id - 1]
            } else {
                bytes = recv[-id - 1 - n]
                capacity = instance.fabric.packetRate[-id - 1 - n]
            }
            if bytes <= 0 { return 0 }
            return capacity > 0 ? 8 * bytes / capacity : .infinity
        }
        let start = instance.startDelay(for: circuits)
        var times = Array(repeating: start, count: instance.jobs.count)
        for (index, entry) in layout.collectives.enumerated() {
            let t = used[index].reduce(0.0) { max($0, drain($1)) }
            times[entry.job] = max(times[entry.job], start + t)
        }
        return times
    }

    /// The largest job time under the drain model.
    public func time(circuits: [Circuit], rings: [String: [CollectivePlan.Ring]]) -> Double {
        jobTimes(circuits: circuits, rings: rings).max() ?? 0
    }
}
