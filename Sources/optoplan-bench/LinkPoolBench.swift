import Foundation
import OptoCore
import OptoGLPK
import OptoPlanners

/// `optoplan-bench linkpool`: every link-pool method on seeded, skewed,
/// asymmetric instances with N = 8, 16, 32, 64 nodes and 4–8 pooled ports
/// per node; prints objective, gap to the exact model's bound and time.
///
/// Options: `--sizes 8,16,32,64`, `--seeds K` (instances per size, default
/// 3), `--objective concurrent|throughput|both` (default concurrent),
/// `--time-limit S` (exact methods; default 10 s up to N = 16, 60 s above).
enum LinkPoolBench {
    /// SplitMix64, so every run sees the same instances.
    struct RNG: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    }

    /// A skewed asymmetric instance: 400 Gb/s circuits, 100 Gb/s electrical,
    /// 4–8 pooled ports per node. Each node talks to 2–6 peers; a pair's
    /// rate is a heavy-tailed (Pareto, α = 1.3) draw times the sender's
    /// weight (log-normal, so a few nodes are hot), and half the pairs carry
    /// a reverse flow at 1/8 of the forward rate (push against pull). The
    /// scale loads the average node at about 1.5× what its ports and packet
    /// link can carry, so the throughput objective has to choose.
    static func instance(nodes: Int, seed: UInt64, objective: LinkPoolObjective) -> LinkPoolInstance {
        var rng = RNG(state: seed &* 0x1000_0001 &+ UInt64(nodes))
        let ports = (0..<nodes).map { _ in Int.random(in: 4...8, using: &rng) }
        let weight = (0..<nodes).map { _ in exp(1.0 * gaussian(&rng)) }
        var demand = Matrix(size: nodes)
        for i in 0..<nodes {
            var peers = Set<Int>()
            let degree = Int.random(in: 2...6, using: &rng)
            while peers.count < min(degree, nodes - 1) {
                let j = Int.random(in: 0..<nodes, using: &rng)
                if j != i { peers.insert(j) }
            }
            for j in peers.sorted() {
                let rate = weight[i] * pow(1 - rng.uniform(), -1 / 1.3)
                demand[i, j] += rate
                if rng.uniform() < 0.5 { demand[j, i] += rate / 8 }
            }
        }
        let capacity = ports.reduce(0) { $0 + Double($1) / 2 * 400e9 + 100e9 }
        demand = demand.scaled(by: 1.5 * capacity / demand.total)
        let fabric = LinkPoolFabric(nodes: nodes, opticalPorts: ports, circuitRate: 400e9,
                                    packetRate: [Double](repeating: 100e9, count: nodes))
        return LinkPoolInstance(fabric: fabric, demand: demand, objective: objective)
    }

    static func gaussian(_ rng: inout RNG) -> Double {
        let u = max(rng.uniform(), 1e-300), v = rng.uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    static func run(_ arguments: [String]) {
        var sizes = [8, 16, 32, 64]
        var seeds = 3
        var objectives: [LinkPoolObjective] = [.concurrent]
        var timeLimit: Double?
        var verbose = false
        var k = 0
        while k < arguments.count {
            let a = arguments[k], value = k + 1 < arguments.count ? arguments[k + 1] : ""
            switch a {
            case "--sizes": sizes = value.split(separator: ",").compactMap { Int($0) }; k += 1
            case "--seeds": seeds = Int(value) ?? seeds; k += 1
            case "--time-limit": timeLimit = Double(value); k += 1
            case "--verbose": verbose = true
            case "--objective":
                objectives = value == "both" ? LinkPoolObjective.allCases : [LinkPoolObjective(rawValue: value) ?? .concurrent]
                k += 1
            default:
                print("unknown option \(a); options: --sizes 8,16,32,64 --seeds K --objective concurrent|throughput|both --time-limit S")
                return
            }
            k += 1
        }
        print("linkpool benchmark: 400 Gb/s circuits, 100 Gb/s electrical, 4-8 pooled ports per node, skewed asymmetric demand")
        print("gap = (ILP bound - objective) / ILP bound; greedy/ILP = objective ratio; times in seconds")
        for objective in objectives {
            print("")
            print("objective: \(objective.rawValue)")
            let header = ["N", "seed", "method", "objective", "gap", "greedy/ILP", "circuits", "status", "time"]
            print(row(header))
            var summary: [Int: (ratios: [Double], greedyTime: Double, ilpTime: [Double], ilpStatus: [String], ilpGap: [Double])] = [:]
            for n in sizes {
                let limit = timeLimit ?? (n <= 16 ? 10 : 60)
                for seed in 1...max(1, seeds) {
                    let inst = instance(nodes: n, seed: UInt64(seed), objective: objective)
                    let options = PlanningOptions(timeLimit: limit, solver: GLPKSolver(), verbose: verbose)
                    var plans: [(String, LinkPoolPlan?)] = []
                    for method in [LinkPoolMethod.greedy, .ilp, .symmetric] {
                        plans.append((method.rawValue, try? LinkPoolPlanner.plan(inst, method: method, options: options)))
                    }
                    let ilp = plans[1].1
                    let bound = ilp?.metrics.bound
                    let ilpObjective = ilp?.metrics.objective
                    for (name, plan) in plans {
                        guard let plan else { print(row(["\(n)", "\(seed)", name, "failed"])); continue }
                        let obj = plan.metrics.objective
                        let gap = bound.map { $0 > 0 ? max(0, ($0 - obj) / $0) : 0 }
                        let ratio = ilpObjective.map { $0 > 0 ? obj / $0 : 1 }
                        print(row(["\(n)", "\(seed)", name, fmt(obj, objective), gap.map { pct($0) } ?? "-",
                                   ratio.map { String(format: "%.4f", $0) } ?? "-", "\(plan.circuits.count)",
                                   plan.status.rawValue, String(format: "%.3f", plan.metrics.solveSeconds)]))
                        if verbose { print("      notes: \(plan.notes ?? [])") }
                    }
                    var s = summary[n] ?? ([], 0, [], [], [])
                    if let g = plans[0].1, let i = ilpObjective, i > 0 { s.ratios.append(g.metrics.objective / i) }
                    s.greedyTime = max(s.greedyTime, plans[0].1?.metrics.solveSeconds ?? 0)
                    if let ilp {
                        s.ilpTime.append(ilp.metrics.solveSeconds)
                        s.ilpStatus.append(ilp.status.rawValue)
                        s.ilpGap.append(ilp.metrics.gap ?? 0)
                    }
                    summary[n] = s
                }
            }
            print("")
            print("summary (\(objective.rawValue)): N, greedy/ILP mean (min), greedy max time, ILP statuses, ILP max time, ILP max gap")
            for n in sizes {
                guard let s = summary[n] else { continue }
                let mean = s.ratios.isEmpty ? 0 : s.ratios.reduce(0, +) / Double(s.ratios.count)
                print(row(["\(n)", String(format: "%.4f (%.4f)", mean, s.ratios.min() ?? 0), String(format: "%.4f s", s.greedyTime),
                           s.ilpStatus.joined(separator: ","), String(format: "%.2f s", s.ilpTime.max() ?? 0),
                           pct(s.ilpGap.max() ?? 0)]))
            }
        }
    }

    static func fmt(_ x: Double, _ objective: LinkPoolObjective) -> String {
        objective == .concurrent ? String(format: "λ=%.5g", x) : String(format: "%.2f Tb/s", x / 1e12)
    }

    static func pct(_ x: Double) -> String { String(format: "%.2f%%", 100 * x) }

    static func row(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in
            let w = [4, 5, 10, 14, 8, 11, 9, 10, 8][min(i, 8)]
            return c.count >= w ? c : c + String(repeating: " ", count: w - c.count)
        }.joined(separator: " ")
    }
}
