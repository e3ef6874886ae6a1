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
///   `c_p / n_p`. The adjacency is a bitset per port (one bit per node on
///   the other side), so freezing a port ANDs its row with the unfrozen
///   mask and visits only the flows it freezes, not every flow it carries.
///   A lazy 4-ary heap finds the next port (levels only rise); the filling
///   stops as soon as every flow is frozen. Cost per refilling:
///   O(F + N²/64 + N log N) instead of O(levels × F).
/// - **Updates in place.** Removing flows whose ports first froze at step
///   `k` or later leaves steps `0..<k` exactly as they were (the removed
///   flows only raised their ports' levels `c/n`, so no earlier port
///   changes its turn). The steps from `k` on are visited in their old
///   order, each port freezing the flows it froze before (its log segment)
///   minus the completed ones: a step whose level moved by `Δ` moves the
///   capacity of each of its flows' other ports by `−Δ`, so one pass over
///   the old segments gives every new level, with no undo and no scan of
///   the adjacency rows. Where the order must change (a port whose level
///   rose waits; a port that comes out below a neighbour frozen before it,
///   or a port that never froze but now ends over its capacity, rewinds
///   the steps from the first neighbour above its level there and goes
///   first), the ports that freeze first take the flows they
///   share. The result is certified as in `update`, which says why it is
///   exact; a pass that cannot certify it within its budget of rewound
///   steps fills from scratch (1.4 % of the refillings of the 1,024-node
///   `solstice` plan).
///   Arrivals of new flows refill from scratch. With `updates` off (the
///   reference in the tests) a refilling undoes the filling to step `k`
///   instead, restoring it bit for bit from an undo log, and fills on
///   with the heap.
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
    private var inAdjacency: [Bool] = []  // in its ports' adjacency (active, or completed and pending removal)
    private var doneAt: [Double] = []     // completion time, or -1
    private var circuits: [Int] = []      // live circuits on the flow's pair

    // Completed flows still in the adjacency until the next refilling.
    private var pending: [Int] = []
    private var restartStep = Int.max
    private var fullRefill = false

    // Buckets.
    private var virtualBytes: [Double]
    private var bucketRate: [Double]
    private var heaps: [[Int]]
    /// Each bucket's top member and its key (`-1`, `+∞`: empty), kept in
    /// flat arrays so the per-event scans over the `2N` buckets read two
    /// numbers per bucket instead of reaching into its heap.
    private var topFlow: [Int]
    private var topKey: [Double]

    // Circuit flows.
    private var circuitFlows: [Int] = []
    private var circuitFlowPos: [Int] = []

    // Filling state: adjacency, per-port counts and levels, undo log, port heap.
    let fill: PortFilling
    private var dirty = false

    // Circuits and accounting.
    private var liveCircuits: Int = 0
    private var busyCircuits: Int = 0
    /// Per port, the integral of its packet load up to `loadTime`: loads
    /// change only at refillings, which settle it.
    private var portIntegral: [Double]
    private var loadTime = 0.0
    private var circuitLive = 0.0
    private var circuitBusy = 0.0
    private var lastService = 0.0
    private var now = 0.0
    private var activeCount = 0
    private(set) var events = 0
    /// Refillings done (for the benchmark).
    private(set) var refills = 0
    /// Refillings done by updating the previous filling in place, those
    /// that gave up and filled from scratch, the ports an update made wait
    /// and the flows whose bottleneck an update moved (for the benchmark
    /// and the tests).
    private(set) var updated = 0
    private(set) var fallbacks = 0
    private(set) var deferrals = 0
    private(set) var switches = 0
    private(set) var rewinds = 0
    /// Whether completions update the filling in place (off: undo to the
    /// first changed step and fill on with the heap, the reference the
    /// tests compare against). Set it before simulating: the undo log's
    /// capacities are kept only while it is off for the whole run.
    var updates = true
    /// Updates in a row after which a refilling is made from scratch.
    var updatesBetweenFills = 4096
    private var updatesInRow = 0
    /// The steps an update may rewind, as a multiple of the steps it visits
    /// (plus 16) before it gives up and fills from scratch (tests lower it
    /// to take that path).
    var rewindAllowance = 1.0

    /// Test hook: called for every interval of constant rates with each
    /// active flow's `(from, to, packet rate, circuit rate)`. O(F) per event when set.
    var intervalObserver: ((_ start: Double, _ end: Double, _ flows: [(from: Int, to: Int, packet: Double, circuit: Double)]) -> Void)?

    /// Relative tolerance on a flow's bytes for calling it done.
    private let byteTolerance = 1e-10

    init(nodes: Int, packetRate: [Double], circuitRate: Double) {
        n = nodes
        self.circuitRate = circuitRate
        pairFlow = Array(repeating: -1, count: nodes * nodes)
        virtualBytes = Array(repeating: 0, count: 2 * nodes)
        bucketRate = Array(repeating: 0, count: 2 * nodes)
        heaps = Array(repeating: [], count: 2 * nodes)
        topFlow = Array(repeating: -1, count: 2 * nodes)
        topKey = Array(repeating: .infinity, count: 2 * nodes)
        fill = PortFilling(nodes: nodes, capacity: packetRate + packetRate)
        portIntegral = Array(repeating: 0, count: 2 * nodes)
    }

    /// Runs a scenario to its end.
    ///
    /// - Complexity: O(E · (F_active + N²/64 + N log N)) for `E` events in
    ///   the worst case (each completion refills the ports); in practice a
    ///   completion redoes only the suffix of the filling after its flow's
    ///   bottleneck. Time advances in O(N + C) per event for `C` live
    ///   circuit flows.
    static func run(_ s: FluidScenario, observer: ((_ start: Double, _ end: Double, _ flows: [(from: Int, to: Int, packet: Double, circuit: Double)]) -> Void)? = nil) -> FluidOutcome {
        var sim = PortFluidSimulator(nodes: s.nodes, packetRate: s.packetRate, circuitRate: s.circuitRate)
        sim.intervalObserver = observer
        return sim.simulate(s)
    }

    /// The timed events in three streams, each in time order: circuits
    /// going down, circuits coming up, demand arrivals. At one instant downs
    /// come first, then ups, then arrivals, so a circuit kept across a
    /// boundary never counts twice. A long plan has configurations ×
    /// circuits intervals (17.7 million for the `bvn` plan of cluster C), so
    /// the streams read the scenario's interval list in place: window-mode
    /// intervals come in order of both start and end, and only a list out
    /// of order (or with empty intervals, which are skipped) gets index
    /// arrays sorted by time. (Copying the intervals into sorted event
    /// lists cost the `bvn` evaluation over 1 GB of fresh memory.)
    private struct TimedStreams {
        let circuits: [CircuitInterval]
        /// Indices into `circuits` in order of end and of start; `nil`: the list's own order.
        let downOrder: [Int]?
        let upOrder: [Int]?
        let arrivals: [(time: Double, index: Int)]
        var nextDown = 0, nextUp = 0, nextArrival = 0

        init(_ s: FluidScenario) {
            let list = s.circuits
            var byStart = true, byEnd = true, empty = false
            var k = 0
            while k < list.count {
                if list[k].end <= list[k].start { empty = true }
                if k > 0 {
                    if list[k].start < list[k - 1].start { byStart = false }
                    if list[k].end < list[k - 1].end { byEnd = false }
                }
                k += 1
            }
            circuits = list
            if byStart && byEnd && !empty {
                downOrder = nil
                upOrder = nil
            } else {
                let live = empty ? list.indices.filter { list[$0].end > list[$0].start } : Array(list.indices)
                downOrder = byEnd && !empty ? nil : live.sorted { list[$0].end < list[$1].end }
                upOrder = byStart && !empty ? nil : live.sorted { list[$0].start < list[$1].start }
            }
            arrivals = s.arrivals.enumerated().map { ($1.time, $0) }.sorted { $0.time < $1.time }
        }

        var downCount: Int { downOrder?.count ?? circuits.count }
        var upCount: Int { upOrder?.count ?? circuits.count }
        func down(_ k: Int) -> CircuitInterval { circuits[downOrder.map { $0[k] } ?? k] }
        func up(_ k: Int) -> CircuitInterval { circuits[upOrder.map { $0[k] } ?? k] }

        /// When the next timed event happens.
        var nextTime: Double {
            min(nextDown < downCount ? down(nextDown).end : .infinity,
                nextUp < upCount ? up(nextUp).start : .infinity,
                nextArrival < arrivals.count ? arrivals[nextArrival].time : .infinity)
        }
    }

    mutating func simulate(_ s: FluidScenario) -> FluidOutcome {
        var timed = TimedStreams(s)
        let lastArrival = s.arrivals.map(\.time).max() ?? 0
        var live = Array(repeating: 0, count: n * n)
        let end = s.end ?? .infinity

        applyTimed(upTo: 0, &timed, &live, s)
        while true {
            if dirty { refill() }
            if s.end == nil && activeCount == 0 && now >= lastArrival { break }
            // Next completion.
            var completionTime = Double.infinity
            var dueFlow = -1
            for p in 0..<(2 * n) where topFlow[p] >= 0 && bucketRate[p] > 0 {
                let t = now + max(0, topKey[p] - virtualBytes[p]) * 8 / bucketRate[p]
                if t < completionTime { completionTime = t; dueFlow = topFlow[p] }
            }
            for f in circuitFlows {
                let r = packetRate(of: f) + Double(circuits[f]) * circuitRate
                if r > 0 {
                    let t = now + max(0, rem[f]) * 8 / r
                    if t < completionTime { completionTime = t; dueFlow = f }
                }
            }
            let timedTime = timed.nextTime
            let t1 = min(completionTime, timedTime, end)
            if t1 == .infinity { break }   // nothing can move any more
            advance(to: t1)
            events += 1
            // Completions: the due flow, and any other within tolerance.
            if completionTime <= t1 && dueFlow >= 0 && bucket[dueFlow] != -1 { complete(dueFlow) }
            completeFinished()
            if t1 >= end { break }
            applyTimed(upTo: t1, &timed, &live, s)
        }
        settleLoads()
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

    /// Applies every timed event at or before `t`, instant by instant:
    /// downs, then ups, then arrivals of each instant.
    private mutating func applyTimed(upTo t: Double, _ timed: inout TimedStreams, _ live: inout [Int], _ s: FluidScenario) {
        while true {
            let instant = timed.nextTime
            guard instant <= t else { return }
            while timed.nextDown < timed.downCount {
                let c = timed.down(timed.nextDown)
                guard c.end <= instant else { break }
                changeLive(c.from * n + c.to, by: -1, &live)
                timed.nextDown += 1
            }
            while timed.nextUp < timed.upCount {
                let c = timed.up(timed.nextUp)
                guard c.start <= instant else { break }
                changeLive(c.from * n + c.to, by: 1, &live)
                timed.nextUp += 1
            }
            while timed.nextArrival < timed.arrivals.count && timed.arrivals[timed.nextArrival].time <= instant {
                let d = s.arrivals[timed.arrivals[timed.nextArrival].index].demand
                for pair in 0..<(n * n) where d[pair] > 0 {
                    var f = pairFlow[pair]
                    if f < 0 {
                        f = addFlow(pair: pair)
                        circuits[f] = live[pair]
                    }
                    arrive(f, bytes: d[pair])
                }
                timed.nextArrival += 1
            }
        }
    }

    private mutating func changeLive(_ pair: Int, by delta: Int, _ live: inout [Int]) {
        live[pair] += delta
        liveCircuits += delta
        let f = pairFlow[pair]
        if f >= 0 { changeCircuits(f, by: delta) }
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
        inAdjacency.append(false)
        doneAt.append(-1)
        circuits.append(0)
        circuitFlowPos.append(-1)
        return f
    }

    private func remainingBytes(_ f: Int) -> Double {
        switch bucket[f] {
        case -1, -2: rem[f]
        default: key[f] - virtualBytes[bucket[f]]
        }
    }

    /// The port where the last filling froze the flow (the one of its two that froze first).
    private func bottleneck(_ f: Int) -> Int {
        let s = src[f], r = n + dst[f]
        return fill.rank[s] <= fill.rank[r] ? s : r
    }

    private func packetRate(of f: Int) -> Double { fill.level[bottleneck(f)] }

    /// Records which of the flow's ports holds it in its bucket (`-1`: none).
    private func setSide(_ f: Int, bucketedAt p: Int) {
        fill.setBucket(src[f], dst[f], atSend: p >= 0 && p < n, atReceive: p >= n)
    }

    private mutating func arrive(_ f: Int, bytes: Double) {
        total[f] += bytes
        doneAt[f] = -1
        switch bucket[f] {
        case -1:
            rem[f] = bytes
            let i = src[f]
            if !inAdjacency[f] {
                inAdjacency[f] = true
                fill.link(i, dst[f])
            }
            activeCount += 1
            busyCircuits += circuits[f]
            if circuits[f] > 0 {
                addCircuitFlow(f)
            } else {
                insert(f, into: i, remaining: bytes)
            }
            fullRefill = true
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
        setSide(f, bucketedAt: -1)
        // It stays in the adjacency until the next refilling, which
        // restarts from the step where it froze.
        pending.append(f)
        restartStep = min(restartStep, fill.rank[src[f]], fill.rank[n + dst[f]])
        dirty = true
    }

    private mutating func removeAdjacent(_ f: Int) {
        inAdjacency[f] = false
        fill.unlink(src[f], dst[f])
    }

    private mutating func completeFinished() {
        for p in 0..<(2 * n) {
            while topFlow[p] >= 0 && topKey[p] - virtualBytes[p] <= byteTolerance * total[topFlow[p]] {
                complete(topFlow[p])
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
            setSide(f, bucketedAt: -1)
            rem[f] = r
            addCircuitFlow(f)
        } else if old > 0 && circuits[f] == 0 {
            removeCircuitFlow(f)
            insert(f, into: bottleneck(f), remaining: rem[f])
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
            if topFlow[p] >= 0 && bucketRate[p] > 0 {
                virtualBytes[p] += bucketRate[p] * dt / 8
                serving = true
            }
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

    /// Adds every port's load since `loadTime` to its integral.
    private mutating func settleLoads() {
        let dt = now - loadTime
        if dt > 0 {
            for p in 0..<(2 * n) { portIntegral[p] += fill.load[p] * dt }
        }
        loadTime = now
    }

    // MARK: filling

    /// Port-level progressive filling of the packet fabric over the flows
    /// in the adjacency, from scratch or from the first step a completed
    /// flow touched; moves flows whose bottleneck changed to their new bucket.
    private mutating func refill() {
        dirty = false
        refills += 1
        let t = fill
        // From scratch after arrivals, and now and then between updates so
        // that the rounding they carry stays bounded.
        if fullRefill || restartStep >= t.steps || (updates && updatesInRow >= updatesBetweenFills) {
            updatesInRow = 0
            for f in pending where bucket[f] == -1 && inAdjacency[f] { removeAdjacent(f) }
            pending.removeAll(keepingCapacity: true)
            t.reset()
            heapFill(from: 0)
        } else if updates {
            let start = restartStep
            if update(from: start) {
                updatesInRow += 1
            } else {
                fallbacks += 1
                updatesInRow = 0
                t.reset()
                heapFill(from: 0)
            }
        } else {
            let start = restartStep
            t.undo(to: start)
            // The completed flows' ports are both unfrozen at `start`.
            for f in pending where bucket[f] == -1 && inAdjacency[f] {
                t.fillCount[src[f]] -= 1
                t.fillCount[n + dst[f]] -= 1
                removeAdjacent(f)
            }
            pending.removeAll(keepingCapacity: true)
            heapFill(from: start)
        }
        fullRefill = false
        restartStep = Int.max
        settleLoads()
        t.idleCount = 0
        for p in 0..<(2 * n) {
            t.load[p] = t.degree[p] == 0 ? 0 : max(0, t.capacity[p] - max(0, t.fillCapacity[p]))
            if t.rank[p] != PortFilling.unfrozen {
                bucketRate[p] = t.level[p]
            } else {
                bucketRate[p] = 0
                // The next update moves a never-frozen port's remaining capacity in `savedCapacity`.
                t.savedCapacity[p] = t.fillCapacity[p]
                if t.degree[p] > 0 {
                    t.idle[t.idleCount] = Int32(truncatingIfNeeded: p)
                    t.idleCount += 1
                }
            }
        }
    }

    /// The filling from step `start` on (0, or where an undo stopped), each
    /// step the port of the lowest level (a lazy heap over the unfrozen
    /// ports); the steps before `start` are a heap filling's, so levels only
    /// rise (a level below the last, from rounding, freezes at the last).
    private mutating func heapFill(from start: Int) {
        let t = fill
        t.buildHeap()
        var current = start > 0 ? t.highest[start - 1] : 0
        // Every step freezes (and logs) the flows it meets; the ports left
        // once all flows are frozen never fill and need no popping.
        while t.logCount < t.linked && t.heapCount > 0 {
            let p = Int(t.heapPort[0])
            let count = t.fillCount[p]
            if count == 0 {
                t.popHeap()
                continue
            }
            let actual = max(0, t.fillCapacity[p]) / Double(count)
            // Keys are lower bounds of the levels (levels only rise), so a
            // top whose level rose is still the next when no child is below it.
            if actual > t.heapKey[0] * (1 + 1e-12) && actual > t.smallestChildKey {
                t.replaceHeapTop(actual)
                continue
            }
            t.popHeap()
            current = max(current, actual)
            freeze(p, at: current)
        }
    }

    /// The filling after completions, updated in place from step `start`
    /// instead of undone and filled again. Returns false, with the filling
    /// left inconsistent, when the update cannot certify its result (the
    /// caller then fills from scratch).
    ///
    /// Why it is exact: a filling that freezes ports in any order gives
    /// each flow the level of the first of its two ports to freeze, a
    /// frozen port's level being what its flows frozen elsewhere leave of
    /// its capacity, shared by the rest. If no port freezes below a port
    /// frozen before it that shares one of its flows, and no port that
    /// never froze ends over its capacity, then every flow has a bottleneck
    /// (a saturated port at which no flow gets more), so the rates are the
    /// max-min fair allocation, which is unique. The order need not be the
    /// order of the levels.
    ///
    /// How: the previous filling's steps from `start` on are visited in
    /// their order, each port freezing the same flows as before (its log
    /// segment) minus the completed ones. A step whose level moved by `Δ`
    /// moves the capacity each of its flows' other ports has at its own
    /// step by `−Δ` (`savedCapacity` holds that capacity for every port,
    /// and the remaining capacity for ports that never froze), so one pass
    /// over the old log segments gives every level: no undo, no scan of the
    /// adjacency rows. Where the order changes, the port that freezes first
    /// takes the flows it shares with unfrozen ports before it in the old
    /// order (each such flow adds back its old share and counts as its own;
    /// the other port loses it and is charged the new level):
    /// - a port whose level rose past the next port's (mostly a port of a
    ///   completed flow) waits in a short list and freezes when it is the
    ///   lowest;
    /// - a port that comes out below a port frozen before it that shares
    ///   one of its flows (found as in `PortFilling.clashingStep`) goes
    ///   before the first such neighbour, from that one on, that is above
    ///   the level the port would have there (`placement`): the steps from
    ///   there are rewound (each step's log says what to give back) and it
    ///   freezes in their place. (Going before the first clashing port
    ///   itself made two neighbours, each above the other's level when
    ///   frozen second, rewind each other until the budget ran out; the
    ///   placement makes that rare, and the budget still bounds it.)
    /// - a port that never froze before and now ends over its capacity is
    ///   pulled in the same way, before its first neighbour above its level.
    ///
    /// The levels come from capacities carried from pass to pass by
    /// additions, so they drift from a fresh filling's by rounding; the
    /// certificate holds for the carried numbers, and every
    /// `updatesBetweenFills` updates the filling is made from scratch,
    /// which bounds the drift (the tests compare with fresh fillings to
    /// 1e-9).
    /// Rewinds have a budget (the steps visited, once over); past it, or
    /// with a clash before `start`, or a long wait list, it gives up.
    ///
    /// - Complexity: O(flows frozen from `start` on + steps · waiting ports),
    ///   plus the steps rewound.
    private mutating func update(from start: Int) -> Bool {
        let t = fill
        let oldSteps = t.steps
        let oldLogCount = t.logCount
        t.keepOrder(from: start)
        let keptCount = t.keptCount
        let base = t.logStart[start]
        t.nextPass()
        let pass = t.pass
        for p in 0..<(2 * n) { t.removed[p] = 0 }
        // (Never-frozen ports hold their remaining capacity in `savedCapacity`
        // during the pass, put there by `refill`, so every port's capacity
        // moves the same way; `idle` lists those with flows.)
        // Completed flows: out of the adjacency; their share returns to the other port.
        for f in pending where bucket[f] == -1 && inAdjacency[f] {
            let s = src[f], r = n + dst[f]
            let (x, y) = t.rank[s] <= t.rank[r] ? (s, r) : (r, s)
            t.savedCapacity[y] += t.level[x]
            t.removed[x] += 1
            t.completedMark[x] = pass
            removeAdjacent(f)
        }
        pending.removeAll(keepingCapacity: true)

        @inline(__always) func segment(_ p: Int) -> Range<Int> {
            guard t.keptPosition[p] >= 0 else { return 0..<0 }
            let k = start + t.keptPosition[p]
            return t.logStart[k]..<(k + 1 < oldSteps ? t.logStart[k + 1] : oldLogCount)
        }
        // The flow between `p` and the other port `q` is still in the adjacency.
        @inline(__always) func linked(_ p: Int, _ q: Int) -> Bool {
            let o = p < n ? q - n : q
            return t.adjacency[p * t.words + o >> 6] & (1 << UInt64(o & 63)) != 0
        }
        // A port outside the old order (one that never froze) has no flows of its own.
        @inline(__always) func count(_ p: Int) -> Int { t.keptPosition[p] >= 0 ? t.savedCount[p] - t.removed[p] : 0 }
        // Whether `p`'s level is below `l` beyond rounding (without dividing).
        @inline(__always) func below(_ p: Int, _ l: Double) -> Bool {
            let c = count(p)
            return c > 0 && max(0, t.savedCapacity[p]) < l * (1 - 1e-12) * Double(c)
        }
        @inline(__always) func levelOf(_ p: Int) -> Double {
            let c = count(p)
            return c > 0 ? max(0, t.savedCapacity[p]) / Double(c) : .infinity
        }

        var step = start
        var written = 0
        var current = start > 0 ? t.highest[start - 1] : 0
        var h = 0
        // The waiting ports (in no particular order).
        let waiting = t.waiting
        var waitCount = 0
        // Their levels, recomputed only when a step may have moved them (it
        // took flows, came off the list or was pulled ahead, or a rewind):
        // a step at its old place cannot reach a waiting port otherwise.
        let waitLevel = t.waitLevel
        var waitStale = false
        var lastTaken = 0
        // Ports visited so far (the rewind's record; not `self.events`).
        var visited = 0
        // Steps a rewind may still undo before the update gives up.
        var budget = Int(rewindAllowance * Double(keptCount + 16))

        /// Freezes `p` as the next step: at its old place, out of the wait
        /// list, or pulled ahead of its place after a rewind. Returns -1 when
        /// done, the step of a clashing port, or `Int.max` to give up.
        func freezeAt(_ p: Int) -> Int {
            let position = t.keptPosition[p]
            // `p` takes the flows it shares with unfrozen ports before it in
            // the old order (the waiting ones; after a rewind, also the ones
            // between the old order's pointer and `p`).
            var cap = t.savedCapacity[p]
            var c = count(p)
            var taken = 0
            lastTaken = 0
            // The flow `x→p` or `p→x` becomes `p`'s: its old share (`x`'s level) comes back.
            func take(_ x: Int) {
                cap += t.level[x]
                c += 1
                t.takenFrom[taken] = Int32(truncatingIfNeeded: x)
                taken += 1
            }
            for i in 0..<waitCount {
                let x = waiting[i]
                if (x < n) != (p < n) && t.keptPosition[x] < position && linked(x, p) { take(x) }
            }
            var k = h
            while k < position {
                let x = Int(t.kept[k])
                if t.stamp[x] != pass && (x < n) != (p < n) && linked(x, p) { take(x) }
                k += 1
            }
            if position < 0 {
                // A port that never froze before takes every flow whose other
                // port has not frozen yet in this pass.
                t.forEachNeighbour(of: p) { x in
                    if t.keptPosition[x] >= 0 && t.stamp[x] != pass { take(x) }
                }
            }
            if cap < -1e-10 * t.capacity[p] { return Int.max }
            let l = c > 0 ? max(0, cap) / Double(c) : 0
            var ceiling = current
            if c > 0 && l < current * (1 - 1e-12) {
                let clash = t.clashingStep(p, level: l, before: step)
                if clash >= 0 { return clash >= start ? clash : Int.max }
            } else if c > 0 {
                ceiling = max(current, l)
            }
            guard visited < t.ports else { return Int.max }
            let e = visited
            visited += 1
            t.eventPort[e] = Int32(truncatingIfNeeded: p)
            t.eventPointer[e] = h
            t.eventCapacity[e] = t.savedCapacity[p]
            t.eventCount[e] = t.savedCount[p]
            t.eventLevel[e] = t.level[p]
            t.eventEntry[e] = written
            t.eventCeiling[e] = current
            t.stamp[p] = pass
            current = ceiling
            if c == 0 {
                // Every flow of `p` now freezes elsewhere: it never freezes.
                t.eventStep[e] = -1
                t.eventTaken[e] = written
                t.savedCapacity[p] = cap
                t.rank[p] = PortFilling.unfrozen
                t.markUnfrozen(p)
                return -1
            }
            t.eventStep[e] = step
            t.savedCapacity[p] = cap
            t.savedCount[p] = c
            let delta = t.level[p] - l
            t.level[p] = l
            t.rank[p] = step
            // (A port of the old order is marked frozen already.)
            if position < 0 { t.markFrozen(p) }
            t.order[step] = Int32(truncatingIfNeeded: p)
            t.highest[step] = step > 0 ? max(t.highest[step - 1], l) : l
            t.newStart[step - start] = written
            step += 1
            // The flows `p` froze before, minus the completed ones (only a
            // port where some completed has any) and those taken by a port
            // frozen first in this pass.
            let completedHere = t.completedMark[p] == pass
            let stamps = t.stamp, saved = t.savedCapacity, log = t.logPort, out = t.scratch
            var w = written
            for e in segment(p) {
                let q = Int(log[e])
                guard stamps[q] != pass && (!completedHere || linked(p, q)) else { continue }
                out[w] = Int32(truncatingIfNeeded: q)
                w += 1
                saved[q] += delta
            }
            written = w
            t.eventTaken[e] = written
            lastTaken = taken
            for k in 0..<taken {
                let x = Int(t.takenFrom[k])
                t.scratch[written] = Int32(truncatingIfNeeded: x)
                written += 1
                t.savedCapacity[x] -= l
                t.removed[x] += 1
                switches += 1
            }
            t.fillCapacity[p] = cap - l * Double(c)
            t.fillCount[p] = 0
            return -1
        }

        /// Undoes the visits that froze step `k` and every later one.
        func rewind(to k: Int) {
            let lastEvent = visited
            var e = visited - 1
            var pointer = h
            while e >= 0 {
                let s = t.eventStep[e]
                if s >= 0 && s < k { break }
                let p = Int(t.eventPort[e])
                let end = e + 1 < visited ? t.eventEntry[e + 1] : written
                if s >= 0 {
                    let delta = t.eventLevel[e] - t.level[p]
                    for j in t.eventEntry[e]..<t.eventTaken[e] { t.savedCapacity[Int(t.scratch[j])] -= delta }
                    for j in t.eventTaken[e]..<end {
                        let x = Int(t.scratch[j])
                        t.savedCapacity[x] += t.level[p]
                        t.removed[x] -= 1
                    }
                }
                if t.keptPosition[p] >= 0 {
                    t.rank[p] = oldRank(p)
                    t.markFrozen(p)
                } else {
                    t.rank[p] = PortFilling.unfrozen
                    t.markUnfrozen(p)
                }
                t.savedCapacity[p] = t.eventCapacity[e]
                t.savedCount[p] = t.eventCount[e]
                t.level[p] = t.eventLevel[e]
                t.stamp[p] = 0
                written = t.eventEntry[e]
                current = t.eventCeiling[e]
                pointer = min(pointer, t.eventPointer[e])
                if t.keptPosition[p] >= 0 { pointer = min(pointer, t.keptPosition[p]) }
                e -= 1
            }
            let rewound = e + 1
            visited = rewound
            step = k
            h = pointer
            // The wait list: the unfrozen ports before the pointer, i.e. the
            // waiting ones and the rewound ones there.
            var kept = 0
            for i in 0..<waitCount where t.keptPosition[waiting[i]] < h {
                waiting[kept] = waiting[i]
                kept += 1
            }
            waitCount = kept
            waitStale = true
            for j in rewound..<lastEvent {
                let q = Int(t.eventPort[j])
                if t.keptPosition[q] >= 0 && t.keptPosition[q] < h {
                    waiting[waitCount] = q
                    waitCount += 1
                }
            }
        }
        @inline(__always) func oldRank(_ p: Int) -> Int { start + t.keptPosition[p] }

        /// Where `q` must freeze: before the first port frozen at step
        /// `from` or later that shares one of its flows and is above the
        /// level `q` would have there (what its flows frozen before leave of
        /// its capacity, shared by the rest). Nil when there is none.
        func placement(_ q: Int, from: Int) -> Int? {
            var ranks: [Int] = []
            t.forEachNeighbour(of: q) { x in
                // Frozen: before `start`, or by this pass (other ranks are old).
                if t.rank[x] < start || (t.stamp[x] == pass && t.rank[x] < step) { ranks.append(t.rank[x]) }
            }
            ranks.sort()
            var used = 0.0
            var left = t.degree[q]
            for r in ranks {
                let l = t.level[Int(t.order[r])]
                if r >= from && max(0, t.capacity[q] - used) < l * (1 - 1e-12) * Double(left) { return r }
                used += l
                left -= 1
            }
            return nil
        }

        var pulled = -1
        while true {
            var p: Int
            if pulled >= 0 {
                p = pulled
                pulled = -1
                waitStale = true
            } else {
                while h < keptCount && t.stamp[Int(t.kept[h])] == pass { h += 1 }
                let next = h < keptCount ? Int(t.kept[h]) : -1
                let nextLevel = next >= 0 ? levelOf(next) : .infinity
                // The lowest waiting port.
                // (A waiting port whose flows were all taken has level +∞: it
                // comes last and, unless it takes some, never freezes.)
                if waitStale {
                    for k in 0..<waitCount { waitLevel[k] = levelOf(waiting[k]) }
                    waitStale = false
                }
                var w = -1, wLevel = Double.infinity
                for k in 0..<waitCount {
                    let a = waitLevel[k]
                    if w < 0 || a < wLevel { w = k; wLevel = a }
                }
                if w < 0 && next < 0 {
                    // A port that never froze before and ends over its
                    // capacity must freeze where its level falls below a step's.
                    var over = -1
                    for k in 0..<t.idleCount {
                        let q = Int(t.idle[k])
                        if t.rank[q] == PortFilling.unfrozen && t.degree[q] > 0 && t.savedCapacity[q] < -1e-10 * t.capacity[q] {
                            over = q
                            break
                        }
                    }
                    // (A port of the old order left with no flows of its own in
                    // this pass was checked when it was visited: nothing reaches
                    // its capacity afterwards.)
                    guard over >= 0 else { break }
                    guard t.stamp[over] != pass, let s = placement(over, from: start) else { return false }
                    budget -= step - s
                    guard budget >= 0 else { return false }
                    rewinds += 1
                    rewind(to: s)
                    waitStale = true
                    p = over
                } else if w >= 0 && wLevel <= nextLevel {
                    p = waiting[w]
                    waitCount -= 1
                    waiting[w] = waiting[waitCount]
                    waitLevel[w] = waitLevel[waitCount]
                    waitStale = true
                } else {
                    h += 1
                    p = next
                    // A port whose level rose past the next one's waits.
                    var k = h
                    while k < keptCount && t.stamp[Int(t.kept[k])] == pass { k += 1 }
                    if k < keptCount && count(next) > 0 && below(Int(t.kept[k]), nextLevel) {
                        guard waitCount < 32 else { return false }
                        waiting[waitCount] = next
                        waitLevel[waitCount] = nextLevel
                        waitCount += 1
                        deferrals += 1
                        continue
                    }
                }
            }
            let result = freezeAt(p)
            if result == Int.max { return false }
            if lastTaken > 0 { waitStale = true }
            if result >= 0 {
                // `p` must freeze before the port of step `result` or a later
                // neighbour: undo from there and pull it ahead.
                guard let k = placement(p, from: result) else { return false }
                budget -= step - k
                guard budget >= 0 else { return false }
                rewinds += 1
                rewind(to: k)
                for k in 0..<waitCount where waiting[k] == p {
                    waitCount -= 1
                    waiting[k] = waiting[waitCount]
                    break
                }
                waitStale = true
                pulled = p
            }
        }
        // The ports that never froze (now or before) are within their
        // capacity (the loop above pulled in any that was not).
        for k in 0..<t.idleCount {
            let q = Int(t.idle[k])
            if t.rank[q] == PortFilling.unfrozen { t.fillCapacity[q] = t.savedCapacity[q] }
        }
        for e in 0..<visited where t.eventStep[e] < 0 {
            let q = Int(t.eventPort[e])
            t.fillCapacity[q] = t.savedCapacity[q]
            t.fillCount[q] = 0
        }
        // Every flow is frozen at exactly one step.
        guard base + written == t.linked else { return false }
        t.commitUpdate(from: start, steps: step, base: base, written: written)
        // Flows that changed port go to their new bottleneck's bucket.
        for e in 0..<visited where t.eventStep[e] >= 0 {
            let p = Int(t.eventPort[e])
            let end = e + 1 < visited ? t.eventEntry[e + 1] : written
            for j in t.eventTaken[e]..<end {
                let x = Int(t.scratch[j])
                let (i, jn) = p < n ? (p, x - n) : (x, p - n)
                let f = pairFlow[i * n + jn]
                if bucket[f] >= 0 && bucket[f] != p {
                    let r = key[f] - virtualBytes[bucket[f]]
                    removeFromHeap(f)
                    insert(f, into: p, remaining: r)
                }
            }
        }
        updated += 1
        return true
    }

    /// Freezes port `p` at level `l`: its flows whose other port is still
    /// unfrozen take `l` there (logged for undoing) and move to `p`'s bucket.
    private mutating func freeze(_ p: Int, at l: Double) {
        unowned(unsafe) let t = fill
        let words = t.words
        let isSend = p < n
        let node = isSend ? p : p - n
        t.beginStep(p, level: l)
        let row = t.adjacency + p * words
        let elsewhere = t.bucketedElsewhere + p * words
        let others = t.unfrozen + (isSend ? words : 0)
        var log = t.logCount
        // Visit only the row's nonzero words (one bit each in the row's
        // summary), and stop once the port's unfrozen flows are all met:
        // on a large sparse fabric (1,024 nodes, 62 flows a row) scanning
        // all ⌈N/64⌉ words of every port frozen was the filling's main cost.
        var left = t.fillCount[p]
        var summary = t.summarised ? t.rowSummary[p] : ~0
        while summary != 0 && left > 0 {
            let w = summary.trailingZeroBitCount
            summary &= summary &- 1
            if w >= words { break }
            let live = row[w] & others[w]
            var bits = live
            while bits != 0 {
                let q = (isSend ? n : 0) &+ (w &<< 6 | bits.trailingZeroBitCount)
                bits &= bits &- 1
                t.logPort[log] = Int32(truncatingIfNeeded: q)
                t.logCapacity[log] = t.fillCapacity[q]
                log &+= 1
                left &-= 1
                t.fillCapacity[q] -= l
                t.fillCount[q] &-= 1
            }
            // Flows bucketed at the other port now have their bottleneck here.
            var moving = live & elsewhere[w]
            while moving != 0 {
                let o = w &<< 6 | moving.trailingZeroBitCount
                moving &= moving &- 1
                let f = pairFlow[isSend ? node * n + o : o * n + node]
                let r = key[f] - virtualBytes[bucket[f]]
                removeFromHeap(f)
                insert(f, into: p, remaining: r)
            }
        }
        // Rows wider than 64 words have no summary: scan the rest in full.
        if !t.summarised && left > 0 {
            for w in 64..<words {
                let live = row[w] & others[w]
                var bits = live
                while bits != 0 {
                    let q = (isSend ? n : 0) &+ (w &<< 6 | bits.trailingZeroBitCount)
                    bits &= bits &- 1
                    t.logPort[log] = Int32(truncatingIfNeeded: q)
                    t.logCapacity[log] = t.fillCapacity[q]
                    log &+= 1
                    t.fillCapacity[q] -= l
                    t.fillCount[q] &-= 1
                }
                var moving = live & elsewhere[w]
                while moving != 0 {
                    let o = w &<< 6 | moving.trailingZeroBitCount
                    moving &= moving &- 1
                    let f = pairFlow[isSend ? node * n + o : o * n + node]
                    let r = key[f] - virtualBytes[bucket[f]]
                    removeFromHeap(f)
                    insert(f, into: p, remaining: r)
                }
            }
        }
        t.logCount = log
        t.fillCapacity[p] -= l * Double(t.fillCount[p])
        t.fillCount[p] = 0
    }

    // MARK: bucket heaps (indexed min-heaps on `key`)

    private mutating func insert(_ f: Int, into p: Int, remaining: Double) {
        bucket[f] = p
        key[f] = remaining + virtualBytes[p]
        heaps[p].append(f)
        heapPos[f] = heaps[p].count - 1
        siftUp(p, heapPos[f])
        setSide(f, bucketedAt: p)
        noteTop(p)
    }

    private mutating func noteTop(_ p: Int) {
        if let f = heaps[p].first {
            topFlow[p] = f
            topKey[p] = key[f]
        } else {
            topFlow[p] = -1
            topKey[p] = .infinity
        }
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
        noteTop(p)
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

/// The state of the port filling, in manually managed buffers so the hot
/// loops run without copy-on-write or exclusivity checks.
///
/// - Adjacency as bitsets: send port `i` has one bit per receive node `j`
///   with a flow `i→j`, receive port `N+j` one bit per send node `i`. Freezing
///   a port visits only its flows whose other port is still unfrozen (its
///   row ANDed with the unfrozen mask), not every flow it carries.
/// - An undo log: each neighbour update of a step records the neighbour and
///   its remaining capacity before the update, so undoing steps restores the
///   values bit for bit at the cost of the updates made, and a filling
///   resumed from step `k` is exactly the one a fresh filling would compute.
/// - A lazy port heap with one entry per unfrozen port: a stale top is
///   refreshed in place.
final class PortFilling {
    static let unfrozen = Int.max

    let nodes: Int
    let ports: Int
    /// 64-bit words per adjacency row.
    let words: Int
    let capacity: UnsafeMutablePointer<Double>
    let level: UnsafeMutablePointer<Double>
    let load: UnsafeMutablePointer<Double>
    /// Capacity left and unfrozen flows, per port, at the current step.
    let fillCapacity: UnsafeMutablePointer<Double>
    let fillCount: UnsafeMutablePointer<Int>
    /// The two at the step the port froze.
    let savedCapacity: UnsafeMutablePointer<Double>
    let savedCount: UnsafeMutablePointer<Int>
    /// Step at which the port froze in the last filling; `unfrozen`: not frozen.
    let rank: UnsafeMutablePointer<Int>
    /// Flows in the port's adjacency.
    let degree: UnsafeMutablePointer<Int>
    /// Flows in the adjacency.
    private(set) var linked = 0
    /// `ports × words` bits.
    let adjacency: UnsafeMutablePointer<UInt64>
    /// Per port, bit `w` set when word `w` of its adjacency row is nonzero
    /// (rows of at most 64 words, i.e. up to 4,096 nodes; `summarised`).
    let rowSummary: UnsafeMutablePointer<UInt64>
    let summarised: Bool
    /// Unfrozen send nodes (words `0..<words`) and receive nodes (`words..<2·words`).
    let unfrozen: UnsafeMutablePointer<UInt64>
    /// `ports × words` bits: the port's flows held in the bucket of their other port.
    let bucketedElsewhere: UnsafeMutablePointer<UInt64>
    /// Ports in the order they froze, and where each step's log starts.
    let order: UnsafeMutablePointer<Int32>
    let logStart: UnsafeMutablePointer<Int>
    /// Per step: the highest level of the steps up to it.
    let highest: UnsafeMutablePointer<Double>
    /// The previous filling's order from an update's first step on (kept
    /// while the update writes the new order) and each kept port's position in it.
    let kept: UnsafeMutablePointer<Int32>
    let keptPosition: UnsafeMutablePointer<Int>
    private(set) var keptCount = 0
    /// Per port: the last update pass that froze it (`pass`), and the flows
    /// it froze before that this pass has taken away (completed, or frozen
    /// at their other port first).
    let stamp: UnsafeMutablePointer<Int>
    private(set) var pass = 0
    let removed: UnsafeMutablePointer<Int>
    /// An update's new log from its first step on, where each of its steps
    /// starts there, and the waiting ports a step takes flows from.
    let scratch: UnsafeMutablePointer<Int32>
    let newStart: UnsafeMutablePointer<Int>
    let takenFrom: UnsafeMutablePointer<Int32>
    let waiting: UnsafeMutablePointer<Int>
    let waitLevel: UnsafeMutablePointer<Double>
    /// The ports with flows that the last filling never froze.
    let idle: UnsafeMutablePointer<Int32>
    var idleCount = 0
    /// The pass in which a flow the port froze completed.
    let completedMark: UnsafeMutablePointer<Int>
    /// An update's events (ports frozen, or found never to freeze), in
    /// order, with what a rewind restores: the port, its step (-1: never
    /// frozen), the old order's pointer, the port's capacity, count and
    /// level before, where its log entries and the flows it took start,
    /// and the running maximum of the levels before.
    let eventPort: UnsafeMutablePointer<Int32>
    let eventStep: UnsafeMutablePointer<Int>
    let eventPointer: UnsafeMutablePointer<Int>
    let eventCapacity: UnsafeMutablePointer<Double>
    let eventCount: UnsafeMutablePointer<Int>
    let eventLevel: UnsafeMutablePointer<Double>
    let eventEntry: UnsafeMutablePointer<Int>
    let eventTaken: UnsafeMutablePointer<Int>
    let eventCeiling: UnsafeMutablePointer<Double>
    private(set) var steps = 0
    /// The undo log: neighbour and its capacity before the update.
    let logPort: UnsafeMutablePointer<Int32>
    let logCapacity: UnsafeMutablePointer<Double>
    var logCount = 0
    /// The lazy port heap: levels (lower bounds) and ports.
    let heapKey: UnsafeMutablePointer<Double>
    let heapPort: UnsafeMutablePointer<Int32>
    private(set) var heapCount = 0

    init(nodes: Int, capacity values: [Double]) {
        self.nodes = nodes
        ports = 2 * nodes
        words = (nodes + 63) / 64
        func buffer<T>(_ count: Int, _ v: T) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
            p.initialize(repeating: v, count: max(count, 1))
            return p
        }
        capacity = buffer(ports, 0.0)
        for (k, v) in values.enumerated() { capacity[k] = v }
        level = buffer(ports, 0.0)
        load = buffer(ports, 0.0)
        fillCapacity = buffer(ports, 0.0)
        fillCount = buffer(ports, 0)
        savedCapacity = buffer(ports, 0.0)
        savedCount = buffer(ports, 0)
        rank = buffer(ports, PortFilling.unfrozen)
        degree = buffer(ports, 0)
        adjacency = buffer(ports * words, UInt64(0))
        rowSummary = buffer(ports, UInt64(0))
        summarised = words <= 64
        unfrozen = buffer(2 * words, UInt64(0))
        bucketedElsewhere = buffer(ports * words, UInt64(0))
        order = buffer(ports, Int32(0))
        logStart = buffer(ports + 1, 0)
        highest = buffer(ports, 0.0)
        kept = buffer(ports, Int32(0))
        keptPosition = buffer(ports, -1)
        stamp = buffer(ports, 0)
        removed = buffer(ports, 0)
        scratch = buffer(nodes * nodes, Int32(0))
        newStart = buffer(ports + 1, 0)
        takenFrom = buffer(ports, Int32(0))
        waiting = buffer(ports, 0)
        waitLevel = buffer(ports, 0.0)
        idle = buffer(ports, Int32(0))
        completedMark = buffer(ports, 0)
        eventPort = buffer(ports, Int32(0))
        eventStep = buffer(ports, 0)
        eventPointer = buffer(ports, 0)
        eventCapacity = buffer(ports, 0.0)
        eventCount = buffer(ports, 0)
        eventLevel = buffer(ports, 0.0)
        eventEntry = buffer(ports, 0)
        eventTaken = buffer(ports, 0)
        eventCeiling = buffer(ports, 0.0)
        // Each flow is logged at most once per filling: when its first port freezes.
        logPort = buffer(nodes * nodes, Int32(0))
        logCapacity = buffer(nodes * nodes, 0.0)
        heapKey = buffer(ports, 0.0)
        heapPort = buffer(ports, Int32(0))
    }

    deinit {
        capacity.deallocate(); level.deallocate(); load.deallocate()
        fillCapacity.deallocate(); fillCount.deallocate()
        savedCapacity.deallocate(); savedCount.deallocate()
        rank.deallocate(); degree.deallocate()
        adjacency.deallocate(); rowSummary.deallocate(); unfrozen.deallocate(); bucketedElsewhere.deallocate()
        order.deallocate(); logStart.deallocate()
        highest.deallocate(); kept.deallocate(); keptPosition.deallocate()
        stamp.deallocate(); removed.deallocate(); scratch.deallocate(); newStart.deallocate(); takenFrom.deallocate(); waiting.deallocate(); waitLevel.deallocate(); completedMark.deallocate(); idle.deallocate()
        eventPort.deallocate(); eventStep.deallocate(); eventPointer.deallocate(); eventCapacity.deallocate()
        eventCount.deallocate(); eventLevel.deallocate(); eventEntry.deallocate(); eventTaken.deallocate(); eventCeiling.deallocate()
        logPort.deallocate(); logCapacity.deallocate()
        heapKey.deallocate(); heapPort.deallocate()
    }

    /// Adds the flow `i→j` to the adjacency of send port `i` and receive port `N+j`.
    func link(_ i: Int, _ j: Int) {
        adjacency[i * words + j >> 6] |= 1 << UInt64(j & 63)
        adjacency[(nodes + j) * words + i >> 6] |= 1 << UInt64(i & 63)
        if summarised {
            rowSummary[i] |= 1 << UInt64(j >> 6)
            rowSummary[nodes + j] |= 1 << UInt64(i >> 6)
        }
        degree[i] += 1
        degree[nodes + j] += 1
        linked += 1
    }

    /// Removes the flow `i→j` from the adjacency.
    func unlink(_ i: Int, _ j: Int) {
        adjacency[i * words + j >> 6] &= ~(1 << UInt64(j & 63))
        adjacency[(nodes + j) * words + i >> 6] &= ~(1 << UInt64(i & 63))
        if summarised {
            if adjacency[i * words + j >> 6] == 0 { rowSummary[i] &= ~(1 << UInt64(j >> 6)) }
            if adjacency[(nodes + j) * words + i >> 6] == 0 { rowSummary[nodes + j] &= ~(1 << UInt64(i >> 6)) }
        }
        degree[i] -= 1
        degree[nodes + j] -= 1
        linked -= 1
    }

    /// Calls `body` with the port at the other end of each of `p`'s flows.
    @inline(__always) func forEachNeighbour(of p: Int, _ body: (Int) -> Void) {
        let row = adjacency + p * words
        let other = p < nodes ? nodes : 0
        for w in 0..<words {
            var bits = row[w]
            while bits != 0 {
                body(other + (w << 6 | bits.trailingZeroBitCount))
                bits &= bits &- 1
            }
        }
    }

    /// Records where the flow `i→j` is bucketed: at its send port, at its
    /// receive port, or (both false) nowhere.
    func setBucket(_ i: Int, _ j: Int, atSend: Bool, atReceive: Bool) {
        let sendWord = i * words + j >> 6, sendBit: UInt64 = 1 << UInt64(j & 63)
        let receiveWord = (nodes + j) * words + i >> 6, receiveBit: UInt64 = 1 << UInt64(i & 63)
        if atReceive { bucketedElsewhere[sendWord] |= sendBit } else { bucketedElsewhere[sendWord] &= ~sendBit }
        if atSend { bucketedElsewhere[receiveWord] |= receiveBit } else { bucketedElsewhere[receiveWord] &= ~receiveBit }
    }

    /// Starts a filling from scratch: every port unfrozen with its full capacity.
    func reset() {
        for p in 0..<ports {
            fillCapacity[p] = capacity[p]
            fillCount[p] = degree[p]
            rank[p] = PortFilling.unfrozen
        }
        for side in 0..<2 {
            for w in 0..<words {
                let bitsHere = min(64, nodes - 64 * w)
                unfrozen[side * words + w] = bitsHere == 64 ? ~0 : (1 << UInt64(bitsHere)) - 1
            }
        }
        steps = 0
        logCount = 0
    }

    /// Keeps the order of the steps from `step` on, for an update to visit.
    func keepOrder(from step: Int) {
        for k in 0..<keptCount { keptPosition[Int(kept[k])] = -1 }
        keptCount = max(0, steps - step)
        for k in 0..<keptCount {
            kept[k] = order[step + k]
            keptPosition[Int(kept[k])] = k
        }
    }

    /// The earliest step that froze a port sharing a flow with port `p` at
    /// a level above `level` (beyond rounding), or -1. Only the steps after
    /// the running maximum of the levels first exceeded `level` can be such.
    func clashingStep(_ p: Int, level l: Double, before end: Int) -> Int {
        let above = l * (1 + 1e-12)
        var k = end - 1
        var clash = -1
        while k >= 0 && highest[k] > above {
            let q = Int(order[k])
            if level[q] > above && (p < nodes) != (q < nodes) {
                let (i, j) = p < nodes ? (p, q - nodes) : (q, p - nodes)
                if adjacency[i * words + j >> 6] & (1 << UInt64(j & 63)) != 0 { clash = k }
            }
            k -= 1
        }
        return clash
    }

    /// Undoes the steps from the last back to `step` (included), restoring
    /// every port's remaining capacity and count to what they were before it.
    /// - Complexity: O(ports undone + neighbour updates they made).
    func undo(to step: Int) {
        var k = steps - 1
        while k >= step {
            let p = Int(order[k])
            var e = logCount - 1
            let first = logStart[k]
            while e >= first {
                let q = Int(logPort[e])
                fillCapacity[q] = logCapacity[e]
                fillCount[q] += 1
                e -= 1
            }
            logCount = first
            fillCapacity[p] = savedCapacity[p]
            fillCount[p] = savedCount[p]
            rank[p] = PortFilling.unfrozen
            setUnfrozen(p, true)
            k -= 1
        }
        steps = step
    }

    /// Records that port `p` freezes at `level` as the next step.
    @inline(__always) func beginStep(_ p: Int, level l: Double) {
        savedCapacity[p] = fillCapacity[p]
        savedCount[p] = fillCount[p]
        highest[steps] = steps > 0 ? max(highest[steps - 1], l) : l
        rank[p] = steps
        order[steps] = Int32(truncatingIfNeeded: p)
        logStart[steps] = logCount
        steps += 1
        level[p] = l
        setUnfrozen(p, false)
    }

    @inline(__always) private func setUnfrozen(_ p: Int, _ on: Bool) {
        let s = p < nodes ? 0 : 1
        let node = p - s * nodes
        let w = s * words + node >> 6
        let bit: UInt64 = 1 << UInt64(node & 63)
        if on { unfrozen[w] |= bit } else { unfrozen[w] &= ~bit }
    }

    // MARK: port heap

    /// Fills the heap with every unfrozen port that has flows, keyed by its level.
    /// - Complexity: O(ports).
    func buildHeap() {
        heapCount = 0
        for p in 0..<ports where rank[p] == PortFilling.unfrozen && fillCount[p] > 0 {
            heapKey[heapCount] = max(0, fillCapacity[p]) / Double(fillCount[p])
            heapPort[heapCount] = Int32(truncatingIfNeeded: p)
            heapCount += 1
        }
        var i = heapCount > 1 ? (heapCount - 2) / 4 : -1
        while i >= 0 {
            siftDown(i)
            i -= 1
        }
    }

    func popHeap() {
        heapCount -= 1
        if heapCount > 0 {
            heapKey[0] = heapKey[heapCount]
            heapPort[0] = heapPort[heapCount]
            siftDown(0)
        }
    }

    /// The smaller key of the top's children; `+∞` without children.
    var smallestChildKey: Double {
        var k = Double.infinity
        var j = 1
        while j < min(5, heapCount) {
            k = min(k, heapKey[j])
            j += 1
        }
        return k
    }

    /// Gives the top entry a new (larger) key.
    func replaceHeapTop(_ key: Double) {
        heapKey[0] = key
        siftDown(0)
    }

    // MARK: updates in place

    /// Starts an update pass: no port is stamped by it yet.
    func nextPass() { pass += 1 }

    @inline(__always) func markUnfrozen(_ p: Int) { setUnfrozen(p, true) }
    @inline(__always) func markFrozen(_ p: Int) { setUnfrozen(p, false) }

    /// Installs an update's steps `start..<steps`: their log (`written`
    /// entries in `scratch`, each step's start in `newStart`) after the
    /// `base` entries of the steps before `start`.
    func commitUpdate(from start: Int, steps newSteps: Int, base: Int, written: Int) {
        (logPort + base).update(from: scratch, count: written)
        for k in start..<newSteps { logStart[k] = base + newStart[k - start] }
        steps = newSteps
        logCount = base + written
    }

    private func siftDown(_ start: Int) {
        var i = start
        let k = heapKey[i]
        let p = heapPort[i]
        while true {
            let first = 4 &* i &+ 1
            if first >= heapCount { break }
            var c = first
            var ck = heapKey[first]
            let last = min(first &+ 3, heapCount &- 1)
            var j = first &+ 1
            while j <= last {
                if heapKey[j] < ck { c = j; ck = heapKey[j] }
                j &+= 1
            }
            if k <= ck { break }
            heapKey[i] = ck
            heapPort[i] = heapPort[c]
            i = c
        }
        heapKey[i] = k
        heapPort[i] = p
    }
}
