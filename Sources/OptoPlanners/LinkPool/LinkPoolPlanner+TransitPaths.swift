import OptoCore
import OptoModel

// MARK: - Bottleneck path moves of the transit greedy (maxHops 2)
//
// The routing LP of a concurrent plan stops raising λ where a set of
// resources is full: circuits whose load reaches their capacity, and packet
// ports sending or receiving their whole rate. Every resource with a
// positive dual price is full in every optimal routing, so the full
// resources of the routing the LP returns contain the bottleneck. The
// pairs with rate on a full resource are the pairs to relieve: a pair
// `s→t` gets a new path by one new circuit, its own (`s→t`), or the
// missing leg of `s→k→t` where the other leg is there and not full. Ports
// come from free ports, or, at an end with none free (or its transmitter
// or receiver cap reached), from its least loaded circuit that is not full
// (a swap).
//
// On seeded skewed demand the optimum reaches the node bound (each node's
// ports split in whole circuits between sending and receiving); the plans
// the other moves stop at leave a hot node's light pairs on the packet
// fabric, whose ports are then the bottleneck, while a neighbour it
// already has a circuit to could forward them over one more circuit.

/// How a path move makes room at an end whose ports are all in use.
enum PathSwap {
    /// It does not: the move needs free ports.
    case none
    /// It takes out the least loaded circuit there that is not full and
    /// whose pairs keep a path without it.
    case plain
    /// The same, a new leg added for a pair that would have none.
    case keepingPaths
}

extension LinkPoolProblem {
    /// The node-side bound on λ with whole circuits: node `i` splits its
    /// `q_i` pooled ports into `o` transmitters and at most `q_i − o`
    /// receivers (within `tx_i`, `rx_i`), and must send `λ·Σ_j R_ij` on
    /// `o·r_c + p_i` and receive `λ·Σ_j R_ji` on the rest; transit only adds
    /// load. It holds with one hop as well. On the seeded skewed instances
    /// of the benchmark the proven optima (N = 32 and 64, packet fabric)
    /// equal it.
    ///
    /// - Complexity: O(N² + N·log q): per node, what it can send grows with
    ///   `o` and what it can receive does not, so the best `o` is found by
    ///   bisection where the two cross.
    func splitBound() -> Double {
        var best = Double.infinity
        for i in 0..<n {
            var out = 0.0, inc = 0.0
            for j in 0..<n where j != i { out += demand[i * n + j]; inc += demand[j * n + i] }
            guard out > 0 || inc > 0 else { continue }
            func send(_ o: Int) -> Double { out > 0 ? (Double(o) * rate + packet[i]) / out : .infinity }
            func receive(_ o: Int) -> Double { inc > 0 ? (Double(min(ports[i] - o, rx[i])) * rate + packet[i]) / inc : .infinity }
            // The first o whose send reaches its receive; the best is there or just before.
            var lo = 0, hi = max(0, min(ports[i], tx[i]))
            while lo < hi {
                let mid = (lo + hi) / 2
                if send(mid) >= receive(mid) { hi = mid } else { lo = mid + 1 }
            }
            let node = [lo - 1, lo].filter { $0 >= 0 }.map { min(send($0), receive($0)) }.max() ?? 0
            best = min(best, node)
        }
        return best
    }

    /// Bottleneck path moves (see the top of this file), for the concurrent
    /// objective: per round, the routing's full resources, the pairs with
    /// rate on them (most such rate first), and for each pair the circuits
    /// that would give it more room: its own (a first or one more), or the
    /// missing leg of a new path `s→k→t`; added on free ports or swapped
    /// for the least loaded circuit at a full end. Candidates: all the pairs' first choices
    /// together (independent bottlenecks need a circuit each before λ can
    /// rise), then choices alone for the most pressed pairs; the first that
    /// the routing LP finds to raise λ is kept. Stops at the deadline, at the split bound
    /// (`splitBound`), or when no candidate helps.
    ///
    /// Returns `start` itself when no move helps.
    /// - Complexity: per round O(P·N·(N² + U)) to build at most 24
    ///   candidates for P pressed pairs (a swap tries up to N circuits, each
    ///   on a copy of the N² counts, checking the U pairs routed over it),
    ///   then as many routing LPs as the deadline allows until one raises λ.
    func improveByPaths(_ start: LinkPoolAllocation, solver: any Solver, deadline: ContinuousClock.Instant,
                        expectedSolve: Duration = .zero) throws -> LinkPoolAllocation {
        guard objective == .concurrent, start.objective > 0 else { return start }
        let ceiling = splitBound()
        var best = start
        var lastSolve = expectedSolve
        var rounds = 0
        while ContinuousClock().now < deadline && rounds < 4 * n && best.objective < ceiling * (1 - 1e-9) {
            rounds += 1
            let base = trimmedToLoad(best)
            let candidates = pathCandidates(base)
            transitTrace("paths: round \(rounds), \(candidates.count) moves, λ \(best.objective)")
            guard let better = try firstImprovement(candidates, over: best, solver: solver, deadline: deadline,
                                                    lastSolve: &lastSolve) else { break }
            best = better
        }
        return best.objective > start.objective * (1 + 1e-9) ? best : start
    }

    /// The candidates of one round of `improveByPaths` from a routed plan
    /// with no idle circuits: the joint moves (three ways of making room)
    /// first, then single ones for the eight most pressed pairs (their first
    /// two options each); at most 24, without repeats.
    func pathCandidates(_ a: LinkPoolAllocation) -> [[Int]] {
        let load = circuitLoads(a)
        let slack = 1 - 1e-6
        var full = [Bool](repeating: false, count: n * n)
        for k in 0..<(n * n) where a.counts[k] > 0 { full[k] = load[k] >= Double(a.counts[k]) * rate * slack }
        var sent = [Double](repeating: 0, count: n), received = sent
        for k in 0..<(n * n) where a.electrical[k] > 0 { sent[k / n] += a.electrical[k]; received[k % n] += a.electrical[k] }
        let sendFull = (0..<n).map { packet[$0] > 0 && sent[$0] >= packet[$0] * slack }
        let receiveFull = (0..<n).map { packet[$0] > 0 && received[$0] >= packet[$0] * slack }
        // Each pair's rate on full resources.
        var pressure = [Double](repeating: 0, count: n * n)
        for k in 0..<(n * n) where demand[k] > 0 {
            if sendFull[k / n] || receiveFull[k % n] { pressure[k] += a.electrical[k] }
            if full[k], !a.direct.isEmpty { pressure[k] += a.direct[k] }
        }
        for r in a.transit where full[r.source * n + r.via] || full[r.via * n + r.target] {
            pressure[r.source * n + r.target] += r.amount
        }
        let pressed = (0..<(n * n)).filter { pressure[$0] > 1e-9 * rate }.sorted { pressure[$0] > pressure[$1] }
        guard !pressed.isEmpty else { return [] }
        transitTrace("paths: full circuits \((0..<(n * n)).filter { full[$0] }.map { "\($0 / n)->\($0 % n)" }), packet send full \((0..<n).filter { sendFull[$0] }), receive full \((0..<n).filter { receiveFull[$0] }), pressed \(pressed.prefix(8).map { "\($0 / n)->\($0 % n):\(pressure[$0] / rate)" })")

        /// Room on circuit pair `k` (bits per second) by the routing.
        func room(_ k: Int) -> Double { Double(a.counts[k]) * rate - load[k] }

        // The pairs each circuit pair carries: its own (with demand) and those routed across it.
        var users = [[Int]](repeating: [], count: n * n)
        for k in 0..<(n * n) where a.counts[k] > 0 && demand[k] > 0 { users[k].append(k) }
        for r in a.transit {
            let pair = r.source * n + r.target
            users[r.source * n + r.via].append(pair)
            users[r.via * n + r.target].append(pair)
        }

        /// After one circuit `v` was taken out of `state`: whether every
        /// pair the routing sends over `v` still has a path (packet ports at
        /// both ends, a circuit of its own, or two circuits), with
        /// `addingLegs` adding where one is missing the leg of `s→k→t`
        /// beside a leg that is there and not full, on free ports (the most
        /// room first). False when some pair is left without one (λ would
        /// be 0).
        func keepsPaths(_ v: Int, on state: inout GreedyState, addingLegs: Bool) -> Bool {
            guard state.counts[v] == 0 else { return true }
            var seen = Set<Int>()
            for pair in users[v] where seen.insert(pair).inserted {
                let s = pair / n, t = pair % n
                if packet[s] > 0 && packet[t] > 0 || joined(s, t, in: state.counts) { continue }
                guard addingLegs else { return false }
                guard let leg = missingLegs(pair, on: state.counts, room: room).first(where: { state.canAdd($0) }) else { return false }
                state.add(leg)
            }
            return true
        }

        /// Where the circuit `c` can go on `state`: added on free ports, or
        /// (a `swap` other than `.none`) after taking out, at each end
        /// without room, the least loaded circuit there that is not full and
        /// whose removal leaves every pair routed over it a path, as it is
        /// (`.plain`) or with new legs (`.keepingPaths`; `keepsPaths`).
        /// False (state unchanged) when none works.
        func place(_ c: Int, on state: inout GreedyState, swap: PathSwap) -> Bool {
            if state.canAdd(c) { state.add(c); return true }
            guard swap != .none else { return false }
            let saved = state
            let i = c / n, j = c % n
            for (end, sending) in [(i, true), (j, false)] {
                let capFull = sending ? state.out[end] >= tx[end] : state.inc[end] >= rx[end]
                guard state.free(end) < 1 || capFull else { continue }
                var victims: [(Double, Int)] = []
                for o in 0..<n where o != end {
                    // A cap that is full needs a circuit of that direction; a full pool either.
                    let outs = !capFull || sending ? [end * n + o] : []
                    let ins = !capFull || !sending ? [o * n + end] : []
                    // Only circuits of the plan the move starts from (not one it added: it has no
                    // load or users on record, and taking it out would undo an earlier step).
                    for v in outs + ins where v != c && a.counts[v] > 0 && state.counts[v] > 0 && state.counts[v] <= a.counts[v]
                        && !full[v] && state.canRemove(v) {
                        victims.append((load[v] / (Double(a.counts[v]) * rate), v))
                    }
                }
                victims.sort { $0.0 < $1.0 }
                var freed = false
                for (_, v) in victims {
                    var trial = state
                    trial.remove(v)
                    guard keepsPaths(v, on: &trial, addingLegs: swap == .keepingPaths) else { continue }
                    // A leg `keepsPaths` added may have taken the port just freed.
                    let room = trial.free(end) >= 1 && (sending ? trial.out[end] < tx[end] : trial.inc[end] < rx[end])
                    if room {
                        state = trial
                        freed = true
                        break
                    }
                }
                guard freed else { state = saved; return false }
            }
            if state.canAdd(c) { state.add(c); return true }
            state = saved
            return false
        }

        /// The circuits that would give pair `k` more room, best first: its
        /// own, then the missing legs of new paths `s→k→t` (at most three).
        func options(_ k: Int, on counts: [Int]) -> [Int] {
            [k] + missingLegs(k, on: counts) { Double(counts[$0]) * rate - load[$0] }.prefix(3)
        }

        /// For pair `s→t`, the legs that would complete a path `s→k→t`
        /// beside a leg that `counts` have, not full and without its other
        /// half; the most `room` on the built leg first.
        func missingLegs(_ pair: Int, on counts: [Int], room: (Int) -> Double) -> [Int] {
            let s = pair / n, t = pair % n
            var legs: [(Double, Int)] = []
            for via in 0..<n where via != s && via != t {
                let first = s * n + via, second = via * n + t
                if counts[first] > 0 && counts[second] == 0 && !full[first] { legs.append((room(first), second)) }
                if counts[second] > 0 && counts[first] == 0 && !full[second] { legs.append((room(second), first)) }
            }
            legs.sort { $0.0 > $1.0 }
            return legs.map(\.1)
        }

        var seen = Set<[Int]>()
        var candidates: [[Int]] = []
        // Joint: each pressed pair's first option on free ports, else its
        // first that fits by a swap, on one state. A swap can take away
        // another pair's path, so the joint move swaps only where no option
        // fits as it is; it comes with plain swaps, path-keeping swaps and
        // none (no kind wins on every instance).
        for swap in [PathSwap.plain, .keepingPaths, .none] {
            var joint = GreedyState(self, counts: a.counts)
            for k in pressed {
                let choices = options(k, on: joint.counts)
                if choices.contains(where: { place($0, on: &joint, swap: .none) }) { continue }
                if swap != .none { _ = choices.contains { place($0, on: &joint, swap: swap) } }
            }
            if joint.counts != a.counts, seen.insert(joint.counts).inserted { candidates.append(joint.counts) }
        }
        // Singles, most pressed pair first, free ports before swaps.
        for swap in [PathSwap.none, .keepingPaths, .plain] {
            for k in pressed.prefix(8) {
                for c in options(k, on: a.counts).prefix(2) {
                    var state = GreedyState(self, counts: a.counts)
                    if place(c, on: &state, swap: swap), seen.insert(state.counts).inserted { candidates.append(state.counts) }
                    if candidates.count >= 24 { return candidates }
                }
            }
        }
        return candidates
    }
}
