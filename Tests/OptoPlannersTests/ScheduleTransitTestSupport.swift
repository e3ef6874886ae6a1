import OptoCore
import OptoModel
import OptoGLPK
@testable import OptoPlanners

/// Independent checks for epochs plans with transit (PROBLEMS.md §1b "With
/// transit"): a feasibility checker for a routed circuit series, and a
/// brute force that enumerates configurations and routes each series by
/// its own multi-epoch LP (written here, apart from the planner's model).
enum TransitCheck {
    /// Every way `flows` breaks the rules for `counts` on the instance:
    /// circuit capacity (direct plus transit crossing it), transit only over
    /// two present circuits through a third node, packet ports, served at
    /// most what is available; empty when feasible. Also returns the served
    /// bytes and the backlog left.
    static func violations(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], counts: [[Int]],
                           flows: [TransitEpochFlows]) -> (problems: [String], served: Double, backlog: Double) {
        let n = f.n
        var out: [String] = []
        var avail = [Double](repeating: 0, count: n * n)
        var served = 0.0
        let tol = 1e-7 * max(1, demands.flatMap { $0 }.max() ?? 1)
        for e in durations.indices {
            let L = durations[e]
            for k in 0..<(n * n) { avail[k] += demands[e][k] }
            var tx = [Int](repeating: 0, count: n), rx = tx
            for k in 0..<(n * n) { tx[k / n] += counts[e][k]; rx[k % n] += counts[e][k] }
            for v in 0..<n where tx[v] > f.ports[v] || rx[v] > f.ports[v] { out.append("epoch \(e): node \(v) over its ports") }
            var load = [Double](repeating: 0, count: n * n)
            var got = [Double](repeating: 0, count: n * n)
            for k in 0..<(n * n) { load[k] += flows[e].direct[k]; got[k] += flows[e].direct[k] + flows[e].packet[k] }
            for r in flows[e].transit {
                if r.via == r.source || r.via == r.target || r.source == r.target { out.append("epoch \(e): transit \(r) is not a two-circuit path") }
                if counts[e][r.source * n + r.via] == 0 || counts[e][r.via * n + r.target] == 0 { out.append("epoch \(e): transit \(r) over a missing circuit") }
                if r.amount < 0 { out.append("epoch \(e): negative transit \(r)") }
                load[r.source * n + r.via] += r.amount
                load[r.via * n + r.target] += r.amount
                got[r.source * n + r.target] += r.amount
            }
            for k in 0..<(n * n) {
                let x = counts[e][k]
                let fresh = e == 0 ? 0 : max(0, x - counts[e - 1][k])
                let cap = f.circuitBps * (Double(x) * L - Double(fresh) * min(f.delta, L))
                if load[k] > cap + tol { out.append("epoch \(e): circuit \(k / n)->\(k % n) carries \(load[k]) > \(cap)") }
                if got[k] > avail[k] + tol { out.append("epoch \(e): pair \(k / n)->\(k % n) served \(got[k]) > available \(avail[k])") }
                if flows[e].direct[k] < -tol || flows[e].packet[k] < -tol { out.append("epoch \(e): negative flow on \(k)") }
            }
            var send = [Double](repeating: 0, count: n), recv = send
            for k in 0..<(n * n) { send[k / n] += flows[e].packet[k]; recv[k % n] += flows[e].packet[k] }
            for v in 0..<n where send[v] > f.packetBps[v] * L + tol || recv[v] > f.packetBps[v] * L + tol {
                out.append("epoch \(e): node \(v) over its packet rate")
            }
            for k in 0..<(n * n) { served += got[k]; avail[k] = max(0, avail[k] - got[k]) }
        }
        return (out, served, avail.reduce(0, +))
    }

    /// The configurations with one port per node that no circuit can be
    /// added to (with `L > δ` an added circuit never lowers any capacity, so
    /// an optimum exists among them): one row-major count array each.
    static func maximalConfigurations(nodes n: Int) -> [[Int]] {
        var out: [[Int]] = []
        var c = [Int](repeating: 0, count: n * n)
        var usedRx = [Bool](repeating: false, count: n)
        func go(_ i: Int) {
            if i == n {
                var tx = [Bool](repeating: false, count: n)
                for k in 0..<(n * n) where c[k] > 0 { tx[k / n] = true }
                for a in 0..<n where !tx[a] { for b in 0..<n where b != a && !usedRx[b] { return } }
                out.append(c)
                return
            }
            go(i + 1)   // i sends nothing
            for j in 0..<n where j != i && !usedRx[j] {
                c[i * n + j] = 1; usedRx[j] = true
                go(i + 1)
                c[i * n + j] = 0; usedRx[j] = false
            }
        }
        go(0)
        return out
    }

    /// The best bytes a fixed circuit series can serve over all epochs with
    /// transit: an LP over direct, packet and two-circuit-path bytes per
    /// epoch with backlog carried (written independently of the planner).
    static func bestRouting(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], counts: [[Int]]) throws -> Double {
        let n = f.n
        let scale = max(demands.flatMap { $0 }.max() ?? 1, 1)
        let m = Model(name: "brute")
        var obj = LinearExpression()
        var backlog = [VariableID?](repeating: nil, count: n * n)
        for e in durations.indices {
            let L = durations[e]
            var load = [LinearExpression](repeating: LinearExpression(), count: n * n)
            var send = [LinearExpression](repeating: LinearExpression(), count: n), recv = send
            for s in 0..<n {
                for t in 0..<n where s != t {
                    let k = s * n + t
                    var out = LinearExpression()
                    if counts[e][k] > 0 { let v = m.addVariable(.continuous); load[k].add(1, v); out.add(1, v) }
                    let q = m.addVariable(.continuous)
                    out.add(1, q); send[s].add(1, q); recv[t].add(1, q)
                    for via in 0..<n where via != s && via != t && counts[e][s * n + via] > 0 && counts[e][via * n + t] > 0 {
                        let g = m.addVariable(.continuous)
                        load[s * n + via].add(1, g); load[via * n + t].add(1, g); out.add(1, g)
                    }
                    obj.add(out)
                    // B_e = B_(e−1) + D_e − out ≥ 0
                    let b = m.addVariable(.continuous)
                    var row = LinearExpression(b) + out
                    if let prev = backlog[k] { row.add(-1, prev) }
                    m.addConstraint(row, .equalTo(demands[e][k] / scale))
                    backlog[k] = b
                }
            }
            for k in 0..<(n * n) where !load[k].terms.isEmpty {
                let x = counts[e][k]
                let fresh = e == 0 ? 0 : max(0, x - counts[e - 1][k])
                m.addConstraint(load[k], .lessThanOrEqual(f.circuitBps * (Double(x) * L - Double(fresh) * min(f.delta, L)) / scale))
            }
            for v in 0..<n {
                m.addConstraint(send[v], .lessThanOrEqual(f.packetBps[v] * L / scale))
                m.addConstraint(recv[v], .lessThanOrEqual(f.packetBps[v] * L / scale))
            }
        }
        m.setObjective(obj, .maximize)
        let r = try GLPKSolver().solve(m)
        return (r.objectiveValue ?? .nan) * scale
    }

    /// The brute-force optimum: every series of maximal configurations, each routed by ``bestRouting``.
    static func bruteForce(_ f: ScheduleFabric, durations: [Double], demands: [[Double]]) throws -> Double {
        let configs = maximalConfigurations(nodes: f.n)
        var best = -Double.infinity
        var idx = [Int](repeating: 0, count: durations.count)
        while true {
            best = max(best, try bestRouting(f, durations: durations, demands: demands, counts: idx.map { configs[$0] }))
            var p = 0
            while p < idx.count { idx[p] += 1; if idx[p] < configs.count { break }; idx[p] = 0; p += 1 }
            if p == idx.count { return best }
        }
    }
}
