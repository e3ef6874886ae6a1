/// The event-driven fluid simulation of a schedule: flows per ordered pair
/// share the packet fabric max-min fair under every node's send and receive
/// limit, and a flow whose pair has live circuits also gets their rate.
///
/// What makes it fast (a 367-node matrix has ~67 000 flows, and every
/// completion is an event):
///
/// - **Only the active flow set moves the packet shares.** A flow's circuit
///   rate does not reduce its fair share (PROBLEMS.md), so circuits going up
///   or down never trigger a refilling; only completions and arrivals do.
/// - **Port-level progressive filling.** Every flow crosses exactly two
///   ports, so the filling is run on the `2N` ports with per-port counts of
///   unfrozen flows and remaining capacity: a port fills at level
///   `c_p / n_p`; freezing it touches only its own flows (adjacency lists of
///   active flows). A lazy heap finds the next port (levels only rise).
///   Cost per refilling: O(F + N log N) instead of O(levels × F).
/// - **Flows bucketed by bottleneck.** A flow frozen at port `p` has rate
///   `level(p)`; all flows of a bucket share one rate. Each bucket keeps a
///   virtual clock `V_p` (bytes a member has received since the start) and
///   a heap of its members keyed by `remaining + V_p` at entry, so advancing
///   time costs O(N), and the next completion is the smallest heap top. A
///   flow moves between buckets only when its bottleneck changes.
/// - **Circuit flows apart.** The few flows on pairs with live circuits
///   (at most `Σ k_i`) are advanced one by one.
struct PortFluidSimulator {
    private let n: Int
    private let capacity: [Double]       // 2N: send ports 0..<N, receive ports N..<2N
    private let circuitRate: Double

    // Flows (one per ordered pair with demand).
    private var pairFlow: [Int]           // N×N → flow index or -1
    private var src: [Int] = []
    private var dst: [Int] = []
    private var total: [Double] = []      // demand arrived so far
    private var rem: [Double] = []        // remaining, for circuit flows and inactive flows
    private var key: [Double] = []        // bucket key: remaining + V at entry
    private var bucket: [Int] = []        // -1 inactive, -2 circuit flow, else the bucket's port
    private var heapPos: [Int] = []
    private var bottleneck: [Int] = []    // port where the last filling froze the flow
    private var doneAt: [Double] = []     // completion time, or -1
    private var circuits: [Int] = []      // live circuits on the flow's pair
    private var sendPos: [Int] = []
    private var recvPos: [Int] = []

    // Active flows of each port.
    private var adjacency: [[Int]]

    // Buckets.
    private var virtualBytes: [Double]
    private var bucketRate: [Double]
    private var heaps: [[Int]]

    // Circuit flows.
    private var circuitFlows: [Int] = []
    private var circuitFlowPos: [Int] = []

    // Filling state.
    private var level: [Double]
    private var load: [Double]
    private var fillCapacity: [Double]
    private var fillCount: [Int]
    private var frozen: [Bool]
    private var portHeap = LazyMinHeap()
    private var dirty = false

    // Circuits and accounting.
    private var liveCircuits: Int = 0
    private var busyCircuits: Int = 0
    private var portIntegral: [Double]
    private var circuitLive = 0.0
    private var circuitBusy = 0.0
    private var lastService = 0.0
    private var now = 0.0
    private var activeCount = 0
    private(set) var events = 0
    /// Refillings done (for the benchmark).
    private(set) var refills = 0
    var stalePops = 0

    /// Test hook: called for every interval of constant rates with each
    /// active flow's `(from, to, packet rate, circuit rate)`. O(F) per event when set.
    var intervalObserver: ((_ start: Double, _ end: Double, _ flows: [(from: Int, to: Int, packet: Double, circuit: Double)]) -> Void)?

    /// Relative tolerance on a flow's bytes for calling it done.
    private let byteTolerance = 1e-10

    init(nodes: Int, packetRate: [Double], circuitRate: Double) {
        n = nodes
        capacity = packetRate + packetRate
        self.circuitRate = circuitRate
        pairFlow = Array(repeating: -1, count: nodes * nodes)
        adjacency = Array(repeating: [], count: 2 * nodes)
        virtualBytes = Array(repeating: 0, count: 2 * nodes)
        bucketRate = Array(repeating: 0, count: 2 * nodes)
        heaps = Array(repeating: [], count: 2 * nodes)
        level = Array(repeating: 0, count: 2 * nodes)
        load = Array(repeating: 0, count: 2 * nodes)
        fillCapacity = Array(repeating: 0, count: 2 * nodes)
        fillCount = Array(repeating: 0, count: 2 * nodes)
        frozen = Array(repeating: false, count: 2 * nodes)
        portIntegral = Array(repeating: 0, count: 2 * nodes)
    }

    /// Runs a scenario to its end.
    ///
    /// - Complexity: O(E · (F_active + N log N)) for `E` events in the worst
    ///   case (each completion refills the ports); time advances in O(N + C)
    ///   per event for `C` live circuit flows.
    static func run(_ s: FluidScenario, observer: ((_ start: Double, _ end: Double, _ flows: [(from: Int, to: Int, packet: Double, circuit: Double)]) -> Void)? = nil) -> FluidOutcome {
        var sim = PortFluidSimulator(nodes: s.nodes, packetRate: s.packetRate, circuitRate: s.circuitRate)
        sim.intervalObserver = observer
        return sim.run(s)
    }

    private enum Timed {
        case circuit(pair: Int, delta: Int)
        case arrival(Int)
    }

    private mutating func run(_ s: FluidScenario) -> FluidOutcome {
        // Timed events: circuit changes and arrivals, in time order (downs
        // before ups at one instant, so a circuit kept across a boundary
        // never counts twice).
        var timed: [(time: Double, order: Int, event: Timed)] = []
        for c in s.circuits where c.end > c.start {
            timed.append((c.start, 1, .circuit(pair: c.from * n + c.to, delta: 1)))
            timed.append((c.end, 0, .circuit(pair: c.from * n + c.to, delta: -1)))
        }
        for (k, a) in s.arrivals.enumerated() { timed.append((a.time, 2, .arrival(k))) }
        timed.sort { ($0.time, $0.order) < ($1.time, $1.order) }
        let lastArrival = s.arrivals.map(\.time).max() ?? 0
        var live = Array(repeating: 0, count: n * n)
        var next = 0
        let end = s.end ?? .infinity

        applyTimed(upTo: 0, timed, &next, &live, s)
        while true {
            if dirty { refill() }
            if s.end == nil && activeCount == 0 && now >= lastArrival { break }
            // Next completion.
            var completionTime = Double.infinity
            var dueBucket = -1
            var dueFlow = -1
            for p in 0..<(2 * n) where !heaps[p].isEmpty && bucketRate[p] > 0 {
                let f = heaps[p][0]
                let t = now + max(0, key[f] - virtualBytes[p]) * 8 / bucketRate[p]
                if t < completionTime { completionTime = t; dueBucket = p; dueFlow = f }
            }
            for f in circuitFlows {
                let r = packetRate(of: f) + Double(circuits[f]) * circuitRate
                if r > 0 {
                    let t = now + max(0, rem[f]) * 8 / r
                    if t < completionTime { completionTime = t; dueBucket = -2; dueFlow = f }
                }
            }
            let timedTime = next < timed.count ? timed[next].time : .infinity
            let t1 = min(completionTime, timedTime, end)
            if t1 == .infinity { break }   // nothing can move any more
            advance(to: t1)
            events += 1
            // Completions: the due flow, and any other within tolerance.
            if completionTime <= t1 && dueFlow >= 0 && bucket[dueFlow] != -1 { complete(dueFlow) }
            _ = dueBucket
            completeFinished()
            if t1 >= end { break }
            applyTimed(upTo: t1, timed, &next, &live, s)
        }
        // Outcome.
        var remaining = Array(repeating: 0.0, count: src.count)
        var completion = [Double?](repeating: nil, count: src.count)
        for f in 0..<src.count {
            remaining[f] = max(0, remainingBytes(f))
            if bucket[f] == -1 && doneAt[f] >= 0 { completion[f] = doneAt[f] }
        }
        let stop = s.end ?? now
        return FluidOutcome(
            pairs: (0..<src.count).map { src[$0] * n + dst[$0] }, demand: total, remaining: remaining,
            completion: completion,
            sendIntegral: Array(portIntegral[0..<n]), receiveIntegral: Array(portIntegral[n..<(2 * n)]),
            circuitLive: circuitLive, circuitBusy: circuitBusy, lastService: lastService,
            end: stop, events: events)
    }

private mutating func applyTimed(upTo t: Double, _ timed: [(time: Double, order: Int, event: Timed)], _ next: inout Int, _ live: inout [Int], _ s: FluidScenario) {
        while next < timed.count && timed[next].time <= t {
            switch timed[next].event {
            case .circuit(let pair, let delta):
                live[pair] += delta
                liveCircuits += delta
                let f = pairFlow[pair]
                if f >= 0 { changeCircuits(f, by: delta) }
            case .arrival(let k):
                let d = s.arrivals[k].demand
                for pair in 0..<(n * n) where d[pair] > 0 {
                    var f = pairFlow[pair]
                    if f < 0 {
                        f = addFlow(pair: pair)
                        circuits[f] = live[pair]
                    }
                    arrive(f, bytes: d[pair])
                }
            }
            next += 1
        }
    }


    // MARK: flows

    private mutating func addFlow(pair: Int) -> Int {
        let f = src.count
        pairFlow[pair] = f
        src.append(pair / n)
        dst.append(pair % n)
        total.append(0)
        rem.append(0)
        key.append(0)
        bucket.append(-1)
        heapPos.append(-1)
        bottleneck.append(pair / n)
        doneAt.append(-1)
        circuits.append(0)
        sendPos.append(-1)
        recvPos.append(-1)
        circuitFlowPos.append(-1)
        return f
    }

    private func remainingBytes(_ f: Int) -> Double {
        switch bucket[f] {
        case -1, -2: rem[f]
        default: key[f] - virtualBytes[bucket[f]]
        }
    }

    private func packetRate(of f: Int) -> Double { level[bottleneck[f]] }

    private mutating func arrive(_ f: Int, bytes: Double) {
        total[f] += bytes
        doneAt[f] = -1
        switch bucket[f] {
        case -1:
            rem[f] = bytes
            let i = src[f], j = n + dst[f]
            sendPos[f] = adjacency[i].count
            adjacency[i].append(f)
            recvPos[f] = adjacency[j].count
            adjacency[j].append(f)
            activeCount += 1
            busyCircuits += circuits[f]
            if circuits[f] > 0 {
                addCircuitFlow(f)
            } else {
                insert(f, into: bottleneck[f], remaining: bytes)
            }
            dirty = true
        case -2:
            rem[f] += bytes
        default:
            let p = bucket[f]
            let r = key[f] - virtualBytes[p]
            removeFromHeap(f)
            insert(f, into: p, remaining: r + bytes)
        }
    }

    private mutating func complete(_ f: Int) {
        if bucket[f] == -2 { removeCircuitFlow(f) } else { removeFromHeap(f) }
        bucket[f] = -1
        rem[f] = 0
        doneAt[f] = now
        busyCircuits -= circuits[f]
        activeCount -= 1
        let i = src[f], j = n + dst[f]
        removeAdjacent(f, port: i, position: sendPos[f], isSend: true)
        removeAdjacent(f, port: j, position: recvPos[f], isSend: false)
        dirty = true
    }

    private mutating func removeAdjacent(_ f: Int, port: Int, position: Int, isSend: Bool) {
        let last = adjacency[port].removeLast()
        if last != f {
            adjacency[port][position] = last
            if isSend { sendPos[last] = position } else { recvPos[last] = position }
        }
    }

    private mutating func completeFinished() {
        for p in 0..<(2 * n) {
            while let f = heaps[p].first, key[f] - virtualBytes[p] <= byteTolerance * total[f] {
                complete(f)
            }
        }
        var k = circuitFlows.count - 1
        while k >= 0 {
            let f = circuitFlows[k]
            if rem[f] <= byteTolerance * total[f] { complete(f) }
            k -= 1
        }
    }

    private mutating func changeCircuits(_ f: Int, by delta: Int) {
        let old = circuits[f]
        circuits[f] += delta
        guard bucket[f] != -1 else { return }
        busyCircuits += delta
        if old == 0 && circuits[f] > 0 {
            let r = key[f] - virtualBytes[bucket[f]]
            removeFromHeap(f)
            rem[f] = r
            addCircuitFlow(f)
        } else if old > 0 && circuits[f] == 0 {
            removeCircuitFlow(f)
            insert(f, into: bottleneck[f], remaining: rem[f])
        }
    }

    private mutating func addCircuitFlow(_ f: Int) {
        bucket[f] = -2
        circuitFlowPos[f] = circuitFlows.count
        circuitFlows.append(f)
    }

    private mutating func removeCircuitFlow(_ f: Int) {
        let pos = circuitFlowPos[f]
        let last = circuitFlows.removeLast()
        if last != f {
            circuitFlows[pos] = last
            circuitFlowPos[last] = pos
        }
        circuitFlowPos[f] = -1
    }

    // MARK: time

    private mutating func advance(to t1: Double) {
        let dt = t1 - now
        guard dt > 0 else { return }
        if let intervalObserver {
            var list: [(from: Int, to: Int, packet: Double, circuit: Double)] = []
            for f in 0..<src.count where bucket[f] != -1 {
                list.append((src[f], dst[f], packetRate(of: f), Double(circuits[f]) * circuitRate))
            }
            intervalObserver(now, t1, list)
        }
        var serving = false
        for p in 0..<(2 * n) {
            if !heaps[p].isEmpty && bucketRate[p] > 0 {
                virtualBytes[p] += bucketRate[p] * dt / 8
                serving = true
            }
            portIntegral[p] += load[p] * dt
        }
        for f in circuitFlows {
            let r = packetRate(of: f) + Double(circuits[f]) * circuitRate
            if r > 0 {
                rem[f] -= r * dt / 8
                serving = true
            }
        }
        circuitLive += Double(liveCircuits) * dt
        circuitBusy += Double(busyCircuits) * dt
        if serving { lastService = t1 }
        now = t1
    }

    // MARK: filling

    /// Port-level progressive filling of the packet fabric over the active
    /// flows; moves flows whose bottleneck changed to their new bucket.
    private mutating func refill() {
        dirty = false
        refills += 1
        let ports = 2 * n
        portHeap.removeAll()
        for p in 0..<ports {
            fillCapacity[p] = capacity[p]
            fillCount[p] = adjacency[p].count
            frozen[p] = false
            level[p] = 0
            if fillCount[p] > 0 { portHeap.push(capacity[p] / Double(fillCount[p]), p) }
        }
        var current = 0.0
        while let (stored, p) = portHeap.pop() {
            if frozen[p] || fillCount[p] == 0 { continue }
            let actual = max(0, fillCapacity[p]) / Double(fillCount[p])
            if actual > stored * (1 + 1e-12) {
                portHeap.push(actual, p)
                stalePops += 1
                continue
            }
            current = max(current, actual)
            let l = current
            frozen[p] = true
            level[p] = l
            let isSend = p < n
            for f in adjacency[p] {
                let q = isSend ? n + dst[f] : src[f]
                if frozen[q] { continue }
                fillCapacity[q] -= l
                fillCount[q] -= 1
                bottleneck[f] = p
                let b = bucket[f]
                if b >= 0 && b != p {
                    let r = key[f] - virtualBytes[b]
                    removeFromHeap(f)
                    insert(f, into: p, remaining: r)
                }
            }
            fillCapacity[p] -= l * Double(fillCount[p])
            fillCount[p] = 0
        }
        for p in 0..<ports {
            load[p] = adjacency[p].isEmpty ? 0 : max(0, capacity[p] - max(0, fillCapacity[p]))
            bucketRate[p] = level[p]
        }
    }

    // MARK: bucket heaps (indexed min-heaps on `key`)

    private mutating func insert(_ f: Int, into p: Int, remaining: Double) {
        bucket[f] = p
        key[f] = remaining + virtualBytes[p]
        heaps[p].append(f)
        heapPos[f] = heaps[p].count - 1
        siftUp(p, heapPos[f])
    }

    private mutating func removeFromHeap(_ f: Int) {
        let p = bucket[f]
        let i = heapPos[f]
        let last = heaps[p].removeLast()
        heapPos[f] = -1
        if last != f {
            heaps[p][i] = last
            heapPos[last] = i
            siftUp(p, i)
            siftDown(p, heapPos[last])
        }
    }

    private mutating func siftUp(_ p: Int, _ start: Int) {
        var i = start
        let f = heaps[p][i]
        let k = key[f]
        while i > 0 {
            let parent = (i - 1) / 2
            let g = heaps[p][parent]
            if key[g] <= k { break }
            heaps[p][i] = g
            heapPos[g] = i
            i = parent
        }
        heaps[p][i] = f
        heapPos[f] = i
    }

    private mutating func siftDown(_ p: Int, _ start: Int) {
        var i = start
        let count = heaps[p].count
        let f = heaps[p][i]
        let k = key[f]
        while true {
            let l = 2 * i + 1
            if l >= count { break }
            var c = l
            if l + 1 < count && key[heaps[p][l + 1]] < key[heaps[p][l]] { c = l + 1 }
            let g = heaps[p][c]
            if k <= key[g] { break }
            heaps[p][i] = g
            heapPos[g] = i
            i = c
        }
        heaps[p][i] = f
        heapPos[f] = i
    }
}
