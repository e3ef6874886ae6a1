import OptoCore
@testable import OptoEval

/// Test oracles written independently of the evaluator's fast paths.

/// Max-min fair rates by plain progressive filling: every round, raise all
/// unfrozen flows by the largest common step any resource or cap allows,
/// then freeze the flows at full resources or at their cap.
func naiveMaxMin(capacities: [Double], flows: [[Int]], caps: [Double], classes: [Int]? = nil) -> [Double] {
    var rates = Array(repeating: 0.0, count: flows.count)
    var used = Array(repeating: 0.0, count: capacities.count)
    let classOf = classes ?? Array(repeating: 0, count: flows.count)
    for cls in Set(classOf).sorted() {
        var frozen = (0..<flows.count).map { classOf[$0] != cls }
        while frozen.contains(false) {
            var count = Array(repeating: 0, count: capacities.count)
            for f in flows.indices where !frozen[f] { for r in flows[f] { count[r] += 1 } }
            var step = Double.infinity
            for r in capacities.indices where count[r] > 0 { step = min(step, max(0, capacities[r] - used[r]) / Double(count[r])) }
            for f in flows.indices where !frozen[f] { step = min(step, caps[f] - rates[f]) }
            for f in flows.indices where !frozen[f] {
                rates[f] += step
                for r in flows[f] { used[r] += step }
            }
            for f in flows.indices where !frozen[f] {
                if caps[f] < .infinity && caps[f] - rates[f] <= 1e-9 * max(1, caps[f]) { frozen[f] = true; continue }
                for r in flows[f] where capacities[r] - used[r] <= 1e-9 * max(1, capacities[r]) { frozen[f] = true }
            }
        }
    }
    return rates
}

/// A slow, direct fluid simulation of a scenario: at every event it
/// recomputes all rates with `naiveMaxMin` and scans every interval.
struct ReferenceOutcome {
    var remaining: [Int: Double]
    var completion: [Int: Double]
    var demand: [Int: Double]
    /// Per interval: (start, end, per-flow (pair, packet, circuit)).
    var intervals: [(Double, Double, [(Int, Double, Double)])]
}

func referenceRun(_ s: FluidScenario) -> ReferenceOutcome {
    let n = s.nodes
    var remaining: [Int: Double] = [:]
    var demand: [Int: Double] = [:]
    var completion: [Int: Double] = [:]
    var intervals: [(Double, Double, [(Int, Double, Double)])] = []
    var t = 0.0
    var nextArrival = 0
    let arrivals = s.arrivals.sorted { $0.time < $1.time }
    func arrive(upTo time: Double) {
        while nextArrival < arrivals.count && arrivals[nextArrival].time <= time {
            for (pair, d) in arrivals[nextArrival].demand.enumerated() where d > 0 {
                remaining[pair, default: 0] += d
                demand[pair, default: 0] += d
                completion[pair] = nil
            }
            nextArrival += 1
        }
    }
    arrive(upTo: 0)
    let end = s.end ?? .infinity
    while t < end {
        let active = remaining.filter { $0.value > 1e-9 * demand[$0.key]! }.keys.sorted()
        if s.end == nil && active.isEmpty && nextArrival >= arrivals.count { break }
        let packet = naiveMaxMin(capacities: s.packetRate + s.packetRate,
                                 flows: active.map { [$0 / n, n + $0 % n] },
                                 caps: active.map { _ in .infinity })
        var circuit = Array(repeating: 0.0, count: active.count)
        for (k, pair) in active.enumerated() {
            for c in s.circuits where c.from * n + c.to == pair && c.start <= t && t < c.end { circuit[k] += s.circuitRate }
        }
        var t1 = end
        for (k, pair) in active.enumerated() where packet[k] + circuit[k] > 0 {
            t1 = min(t1, t + remaining[pair]! * 8 / (packet[k] + circuit[k]))
        }
        for c in s.circuits {
            if c.start > t { t1 = min(t1, c.start) }
            if c.end > t { t1 = min(t1, c.end) }
        }
        if nextArrival < arrivals.count { t1 = min(t1, arrivals[nextArrival].time) }
        if t1 == .infinity { break }
        intervals.append((t, t1, active.enumerated().map { ($1, packet[$0], circuit[$0]) }))
        for (k, pair) in active.enumerated() {
            remaining[pair]! -= (packet[k] + circuit[k]) * (t1 - t) / 8
            if remaining[pair]! <= 1e-9 * demand[pair]! {
                remaining[pair] = 0
                completion[pair] = t1
            }
        }
        t = t1
        arrive(upTo: t)
    }
    return ReferenceOutcome(remaining: remaining, completion: completion, demand: demand, intervals: intervals)
}

/// Maximum flow by shortest augmenting paths on a dense capacity matrix.
func maxFlow(_ capacity: [[Double]], source: Int, sink: Int) -> Double {
    var residual = capacity
    let v = capacity.count
    var total = 0.0
    while true {
        var parent = Array(repeating: -1, count: v)
        parent[source] = source
        var queue = [source]
        var head = 0
        while head < queue.count && parent[sink] < 0 {
            let u = queue[head]
            head += 1
            for w in 0..<v where parent[w] < 0 && residual[u][w] > 1e-9 {
                parent[w] = u
                queue.append(w)
            }
        }
        if parent[sink] < 0 { return total }
        var bottleneck = Double.infinity
        var w = sink
        while w != source { bottleneck = min(bottleneck, residual[parent[w]][w]); w = parent[w] }
        w = sink
        while w != source {
            residual[parent[w]][w] -= bottleneck
            residual[w][parent[w]] += bottleneck
            w = parent[w]
        }
        total += bottleneck
    }
}

/// The most bytes any use of the packet fabric and of the given circuit
/// capacity (bytes per pair) can serve within a window `W`: circuits first
/// (never worse), then a transportation problem from send ports
/// (`p_i·W/8`) to receive ports (`p_j·W/8`) over the pairs' residual demand.
func optimalWindowService(demand: Matrix, circuitBytes: Matrix, packetRate: [Double], window: Double) -> Double {
    let n = demand.rows
    var onCircuit = 0.0
    // Nodes: 0 source, 1...n send ports, n+1...2n receive ports, 2n+1 sink.
    var cap = Array(repeating: Array(repeating: 0.0, count: 2 * n + 2), count: 2 * n + 2)
    for i in 0..<n {
        cap[0][1 + i] = packetRate[i] * window / 8
        cap[1 + n + i][2 * n + 1] = packetRate[i] * window / 8
        for j in 0..<n where i != j {
            let c = min(demand[i, j], circuitBytes[i, j])
            onCircuit += c
            cap[1 + i][1 + n + j] = demand[i, j] - c
        }
    }
    return onCircuit + maxFlow(cap, source: 0, sink: 2 * n + 1)
}
