import OptoCore

/// The transit entries of one epoch, for the general fluid run.
struct EpochTransit {
    /// When the epoch starts and ends, seconds.
    var start: Double
    var end: Double
    /// `[s, k, t, bytes]` entries (validated: distinct nodes in range, both circuits in the epoch).
    var routes: [TransitRoute]
    /// What the plan serves per pair in the epoch (`from * N + to` → bytes); `nil` when the plan lists none.
    var served: [Int: Double]?
}

/// The general event-driven fluid run of an epochs plan, on the max-min
/// core (`MaxMinProblem`), for plans whose epochs route transit
/// (PROBLEMS.md, Evaluator: Transit).
///
/// - One flow per ordered pair with demand; it grows by `D_e` at the start
///   of epoch `e` and crosses its pair's circuit resource (while the pair
///   has live circuits) and its two packet ports.
/// - At the start of epoch `e`, after the arrivals, each entry
///   `[s, k, t, b]` moves the share `φ = b / served(s→t in e)` (without a
///   `served` entry: `b / L`, `L` the pair's bytes then left) of the
///   pair's bytes left into a sub-flow over the circuit resources `s→k` and
///   `k→t` (no packet resource); a pair's shares are scaled to sum to at
///   most 1. At the epoch's end each sub-flow gives back to its pair what
///   it has not delivered.
/// - Rates at every event: stage 1 fills the live circuits, max-min fair
///   over their users (the pair's flow and the sub-flows crossing them; a
///   sub-flow needs both its circuits live), stage 2 the packet ports over
///   the pairs' flows. Every flow is driven by its data (cap `∞`), so
///   stage 2 does not depend on stage 1: the two stages are solved as two
///   `MaxMinProblem`s, each only when its users or resources change.
/// - Events: epoch boundaries (and the circuit changes and dark times of
///   `FluidScenario.circuits`), a flow or sub-flow finishing.
///
/// On a plan without transit this is the model `PortFluidSimulator` runs
/// (the tests check the two agree to 1e-9); that simulator stays the path
/// for one-hop plans because it refills incrementally.
///
/// - Complexity: O(E · (F log F + C log C)) for `E` events, `F` pair flows
///   and `C` circuit users, in the worst case.
struct TransitFluidSimulator {
    private let n: Int
    private let circuitRate: Double
    private let packetRate: [Double]
    private let byteTolerance = 1e-10

    // Pair flows.
    private var pairFlow: [Int]
    private var pair: [Int] = []
    private var total: [Double] = []
    private var rem: [Double] = []
    private var active: [Bool] = []
    private var activeList: [Int] = []
    private var activePos: [Int] = []
    /// Each pair flow's packet resources (send port, receive port) and cap, kept for the port filling.
    private var portResources: [[Int]] = []
    private var noCaps: [Double] = []
    private var doneAt: [Double] = []
    private var packetRateOf: [Double] = []
    private var circuitRateOf: [Double] = []

    // Sub-flows of the running epoch.
    private struct SubFlow {
        var flow: Int
        var via: Int
        var rem: Double
        var initial: Double
        var rate = 0.0
        var active = true
    }
    private var subFlows: [SubFlow] = []

    // Circuits and accounting.
    private var live: [Int]
    private var liveCircuits = 0
    private var busyCircuits = 0
    private var portLoad: [Double]
    private var portIntegral: [Double]
    private var circuitLive = 0.0
    private var circuitBusy = 0.0
    private var lastService = 0.0
    private var now = 0.0
    private var events = 0
    private var transitDelivered = 0.0
    private var packetDirty = true
    private var circuitDirty = true

    init(nodes: Int, packetRate: [Double], circuitRate: Double) {
        n = nodes
        self.packetRate = packetRate
        self.circuitRate = circuitRate
        pairFlow = Array(repeating: -1, count: nodes * nodes)
        live = Array(repeating: 0, count: nodes * nodes)
        portLoad = Array(repeating: 0, count: 2 * nodes)
        portIntegral = Array(repeating: 0, count: 2 * nodes)
    }

    /// Runs the scenario with the epochs' transit; also returns the bytes the sub-flows delivered.
    static func run(_ s: FluidScenario, epochs: [EpochTransit]) -> (outcome: FluidOutcome, transitBytes: Double) {
        var sim = TransitFluidSimulator(nodes: s.nodes, packetRate: s.packetRate, circuitRate: s.circuitRate)
        return sim.run(s, epochs: epochs)
    }

    /// Timed events of one instant, in the order applied: sub-flows of the
    /// ending epoch return, circuits go down, come up, demand arrives, the
    /// starting epoch's transit shares move.
    private enum Timed {
        case epochEnd
        case down(Int)
        case up(Int)
        case arrival(Int)
        case epochStart(Int)
        var order: Int {
            switch self {
            case .epochEnd: 0
            case .down: 1
            case .up: 2
            case .arrival: 3
            case .epochStart: 4
            }
        }
    }

    private mutating func run(_ s: FluidScenario, epochs: [EpochTransit]) -> (outcome: FluidOutcome, transitBytes: Double) {
        var timed: [(time: Double, event: Timed)] = []
        for c in s.circuits where c.end > c.start {
            timed.append((c.start, .up(c.from * n + c.to)))
            timed.append((c.end, .down(c.from * n + c.to)))
        }
        for (k, a) in s.arrivals.enumerated() { timed.append((a.time, .arrival(k))) }
        for (e, epoch) in epochs.enumerated() where !epoch.routes.isEmpty {
            timed.append((epoch.start, .epochStart(e)))
            timed.append((epoch.end, .epochEnd))
        }
        timed.sort { ($0.time, $0.event.order) < ($1.time, $1.event.order) }
        let lastArrival = s.arrivals.map(\.time).max() ?? 0
        let end = s.end ?? .infinity
        var next = 0

        func apply(upTo t: Double, _ sim: inout TransitFluidSimulator) {
            while next < timed.count && timed[next].time <= t {
                switch timed[next].event {
                case .epochEnd: sim.returnSubFlows()
                case .down(let p): sim.changeLive(p, by: -1)
                case .up(let p): sim.changeLive(p, by: 1)
                case .arrival(let k): sim.arrive(s.arrivals[k].demand)
                case .epochStart(let e): sim.split(epochs[e])
                }
                next += 1
            }
        }
        apply(upTo: 0, &self)
        while true {
            refill()
            let anyActive = !activeList.isEmpty || subFlows.contains { $0.active }
            if s.end == nil && !anyActive && now >= lastArrival && next >= timed.count { break }
            // The next completion.
            var completionTime = Double.infinity
            var due = -1, dueSub = -1
            for f in activeList {
                let r = packetRateOf[f] + circuitRateOf[f]
                if r > 0 {
                    let t = now + max(0, rem[f]) * 8 / r
                    if t < completionTime { completionTime = t; due = f; dueSub = -1 }
                }
            }
            for (k, sub) in subFlows.enumerated() where sub.active && sub.rate > 0 {
                let t = now + max(0, sub.rem) * 8 / sub.rate
                if t < completionTime { completionTime = t; due = -1; dueSub = k }
            }
            let timedTime = next < timed.count ? timed[next].time : .infinity
            let t1 = min(completionTime, timedTime, end)
            if t1 == .infinity { break }
            advance(to: t1)
            events += 1
            if completionTime <= t1 {
                if due >= 0 { completeFlow(due) }
                if dueSub >= 0 { completeSubFlow(dueSub) }
            }
            for f in activeList where rem[f] <= byteTolerance * total[f] { completeFlow(f) }
            for k in subFlows.indices where subFlows[k].active && subFlows[k].rem <= byteTolerance * subFlows[k].initial {
                completeSubFlow(k)
            }
            if t1 >= end { break }
            apply(upTo: t1, &self)
        }
        returnSubFlows()
        let stop = s.end ?? now
        let outcome = FluidOutcome(
            pairs: pair, demand: total, remaining: rem.map { max(0, $0) },
            completion: pair.indices.map { active[$0] || doneAt[$0] < 0 ? nil : doneAt[$0] },
            sendIntegral: Array(portIntegral[0..<n]), receiveIntegral: Array(portIntegral[n..<(2 * n)]),
            circuitLive: circuitLive, circuitBusy: circuitBusy, lastService: lastService, end: stop, events: events)
        return (outcome, transitDelivered)
    }

    // MARK: flows

    private mutating func arrive(_ demand: [Double]) {
        for p in 0..<(n * n) where demand[p] > 0 {
            var f = pairFlow[p]
            if f < 0 {
                f = pair.count
                pairFlow[p] = f
                pair.append(p)
                total.append(0)
                rem.append(0)
                active.append(false)
                activePos.append(-1)
                portResources.append([p / n, n + p % n])
                noCaps.append(.infinity)
                doneAt.append(-1)
                packetRateOf.append(0)
                circuitRateOf.append(0)
            }
            total[f] += demand[p]
            if active[f] { rem[f] += demand[p] } else { rem[f] = demand[p] }
            activate(f)
        }
    }

    private mutating func activate(_ f: Int) {
        doneAt[f] = -1
        if !active[f] {
            setActive(f, true)
            packetDirty = true
            if live[pair[f]] > 0 { circuitDirty = true }
        }
    }

    private mutating func setActive(_ f: Int, _ on: Bool) {
        guard active[f] != on else { return }
        active[f] = on
        if on {
            activePos[f] = activeList.count
            activeList.append(f)
        } else {
            let k = activePos[f]
            let last = activeList.removeLast()
            if last != f {
                activeList[k] = last
                activePos[last] = k
            }
            activePos[f] = -1
            circuitRateOf[f] = 0
            packetRateOf[f] = 0
        }
    }

    /// Whether pair flow `f` or any of its sub-flows still has data.
    private func pairHasData(_ f: Int) -> Bool { active[f] || subFlows.contains { $0.active && $0.flow == f } }

    private mutating func completeFlow(_ f: Int) {
        setActive(f, false)
        rem[f] = 0
        packetDirty = true
        if live[pair[f]] > 0 { circuitDirty = true }
        if !pairHasData(f) { doneAt[f] = now }
    }

    private mutating func completeSubFlow(_ k: Int) {
        subFlows[k].active = false
        subFlows[k].rem = 0
        circuitDirty = true
        let f = subFlows[k].flow
        if !pairHasData(f) { doneAt[f] = now }
    }

    /// The epoch's start: each entry's share of its pair's bytes left moves into a sub-flow.
    private mutating func split(_ epoch: EpochTransit) {
        var byPair: [Int: [TransitRoute]] = [:]
        for r in epoch.routes where r.amount > 0 { byPair[r.source * n + r.target, default: []].append(r) }
        for (p, routes) in byPair.sorted(by: { $0.key < $1.key }) {
            let f = pairFlow[p]
            guard f >= 0, active[f], rem[f] > 0 else { continue }
            let left = rem[f]
            var shares: [Double]
            if let served = epoch.served?[p], served > 0 {
                shares = routes.map { $0.amount / served }
            } else {
                shares = routes.map { $0.amount / left }
            }
            let sum = shares.reduce(0, +)
            if sum > 1 { shares = shares.map { $0 / sum } }
            var moved = 0.0
            for (r, phi) in zip(routes, shares) {
                let bytes = phi * left
                guard bytes > 0 else { continue }
                moved += bytes
                subFlows.append(SubFlow(flow: f, via: r.via, rem: bytes, initial: bytes))
            }
            rem[f] = left - moved
            if rem[f] <= byteTolerance * total[f] {
                rem[f] = 0
                setActive(f, false)
                packetDirty = true
            }
            circuitDirty = true
        }
    }

    /// The epoch's end: sub-flows give their undelivered bytes back to their pairs.
    private mutating func returnSubFlows() {
        guard !subFlows.isEmpty else { return }
        for sub in subFlows where sub.active && sub.rem > 0 {
            let f = sub.flow
            if active[f] { rem[f] += sub.rem } else { rem[f] = sub.rem }
            activate(f)
        }
        subFlows.removeAll()
        circuitDirty = true
    }

    private mutating func changeLive(_ p: Int, by delta: Int) {
        live[p] += delta
        liveCircuits += delta
        circuitDirty = true
    }

    // MARK: rates

    /// Recomputes the stage whose users or resources changed.
    private mutating func refill() {
        if packetDirty {
            packetDirty = false
            // Stage 2 of the core (every resource a port, no caps) over the
            // active pair flows, with the flows' resource lists kept.
            // Compact to the active flows, so a filling costs what is active, not every pair seen so far.
            let members = activeList
            let rates = MaxMinProblem.fill(capacities: packetRate + packetRate, resources: members.map { portResources[$0] },
                                           caps: Array(noCaps[0..<members.count]), classes: [],
                                           members: Array(0..<members.count))
            for p in 0..<(2 * n) { portLoad[p] = 0 }
            for (k, f) in members.enumerated() {
                packetRateOf[f] = rates[k]
                portLoad[pair[f] / n] += rates[k]
                portLoad[n + pair[f] % n] += rates[k]
            }
        }
        if circuitDirty {
            circuitDirty = false
            var resource = [Int: Int]()
            var capacities: [Double] = []
            func circuit(_ p: Int) -> Int? {
                guard live[p] > 0 else { return nil }
                if let r = resource[p] { return r }
                resource[p] = capacities.count
                capacities.append(Double(live[p]) * circuitRate)
                return capacities.count - 1
            }
            var users: [[Int]] = []
            var owners: [Int] = []   // ≥ 0: pair flow; < 0: sub-flow −1−k
            for f in activeList {
                circuitRateOf[f] = 0
                if let r = circuit(pair[f]) {
                    users.append([r])
                    owners.append(f)
                }
            }
            for k in subFlows.indices {
                subFlows[k].rate = 0
                guard subFlows[k].active else { continue }
                let p = pair[subFlows[k].flow]
                let s = p / n, t = p % n, v = subFlows[k].via
                if let a = circuit(s * n + v), let b = circuit(v * n + t) {
                    users.append([a, b])
                    owners.append(-1 - k)
                }
            }
            let rates = MaxMinProblem(capacities: capacities, flowResources: users,
                                      caps: Array(repeating: .infinity, count: users.count),
                                      stages: Array(repeating: .circuit, count: capacities.count)).solve()
            var busy = Set<Int>()
            for (k, owner) in owners.enumerated() {
                if owner >= 0 { circuitRateOf[owner] = rates[k] } else { subFlows[-1 - owner].rate = rates[k] }
                for r in users[k] { busy.insert(r) }
            }
            busyCircuits = 0
            for (p, r) in resource where busy.contains(r) { busyCircuits += live[p] }
        }
    }

    private mutating func advance(to t1: Double) {
        let dt = t1 - now
        guard dt > 0 else { return }
        var serving = false
        for f in activeList {
            let r = packetRateOf[f] + circuitRateOf[f]
            if r > 0 {
                rem[f] -= r * dt / 8
                serving = true
            }
        }
        for k in subFlows.indices where subFlows[k].active && subFlows[k].rate > 0 {
            let bytes = subFlows[k].rate * dt / 8
            subFlows[k].rem -= bytes
            transitDelivered += min(bytes, subFlows[k].rem + bytes)
            serving = true
        }
        for p in 0..<(2 * n) { portIntegral[p] += portLoad[p] * dt }
        circuitLive += Double(liveCircuits) * dt
        circuitBusy += Double(busyCircuits) * dt
        if serving { lastService = t1 }
        now = t1
    }
}
