import OptoCore
import OptoModel

/// The exact scenario model of `SchedulePlanner+Scenarios.swift`: the
/// epochs model of §1b with shared circuits `x`, `a` and one copy of the
/// circuit bytes `s`, packet bytes `q` and backlog `B` per scenario,
/// starting from the circuits in place and the backlog carried in.
///
/// Units as in the §1b model: volumes in `U` (the largest demand or
/// carried backlog), times in `τ = U/(r_c/8)`.
///
/// - Complexity: `E·|pairs|` integer variables and `3·K·E·|pairs|`
///   continuous ones; GLPK's branch and cut within the time limit.
enum ScheduleScenarioModel {
    struct Built {
        var model: Model
        var pairsK: [Int]
        var x: [[VariableID]]
        var a: [[VariableID?]]
        /// Scenario → epoch → pair.
        var s: [[[VariableID]]]
        var q: [[[VariableID]]]
        var b: [[[VariableID]]]
        var unit: Double
        var tau: Double
    }

    /// The pairs with demand in some scenario or a backlog carried in.
    static func pairs(_ f: ScheduleFabric, demands: [[[Double]]], start: EpochsStart) -> [Int] {
        let n = f.n
        var out: [Int] = []
        for k in 0..<(n * n) where k / n != k % n {
            if start.backlog[k] > 0 || demands.contains(where: { sc in sc.contains { $0[k] > 0 } }) { out.append(k) }
        }
        return out
    }

    /// `16·K·E·|pairs|` (as the §1b estimate, per scenario).
    static func nonzeroEstimate(_ f: ScheduleFabric, durations: [Double], demands: [[[Double]]], start: EpochsStart) -> Int {
        let total = 16 * Double(demands.count) * Double(durations.count) * Double(pairs(f, demands: demands, start: start).count)
        return total >= Double(Int.max) ? Int.max : Int(total)
    }

    static func build(_ f: ScheduleFabric, durations: [Double], demands: [[[Double]]], start: EpochsStart) -> Built {
        let n = f.n
        let epochs = durations.count
        let largest = max(demands.flatMap { $0.flatMap { $0 } }.max() ?? 0, start.backlog.max() ?? 0)
        let unit = largest > 0 ? largest : 1
        let c = max(f.circuitBps, 1e-300)
        let tau = unit / c
        let pairsK = pairs(f, demands: demands, start: start)
        let model = Model(name: "schedule-epochs-scenarios")
        var x = [[VariableID]](), a = [[VariableID?]]()
        for e in 0..<epochs {
            var xe: [VariableID] = [], ae: [VariableID?] = []
            for k in pairsK {
                let u = f.pairCap(k / n, k % n)
                xe.append(model.addVariable(u <= 1 ? .binary : .integer, lowerBound: 0, upperBound: Double(u), name: "x[\(e),\(k)]"))
                let paysDelta = e > 0 || start.circuits != nil
                ae.append(paysDelta ? model.addVariable(.continuous, lowerBound: 0, upperBound: Double(u), name: "a[\(e),\(k)]") : nil)
            }
            for (idx, k) in pairsK.enumerated() {
                guard let av = ae[idx] else { continue }
                if e > 0 {
                    model.addConstraint(av - xe[idx] + x[e - 1][idx], .greaterThanOrEqual(0), name: "new[\(e),\(k)]")
                } else {
                    let inPlace = Double(start.circuits?[k] ?? 0)
                    model.addConstraint(av - xe[idx], .greaterThanOrEqual(-inPlace), name: "new[\(e),\(k)]")
                }
            }
            var tx = [LinearExpression](repeating: LinearExpression(), count: n), rx = tx
            for (idx, k) in pairsK.enumerated() { tx[k / n].add(1, xe[idx]); rx[k % n].add(1, xe[idx]) }
            for v in 0..<n {
                if !tx[v].terms.isEmpty { model.addConstraint(tx[v], .lessThanOrEqual(Double(f.ports[v])), name: "tx[\(e),\(v)]") }
                if !rx[v].terms.isEmpty { model.addConstraint(rx[v], .lessThanOrEqual(Double(f.ports[v])), name: "rx[\(e),\(v)]") }
            }
            x.append(xe); a.append(ae)
        }
        var s = [[[VariableID]]](), q = s, b = s
        var obj = LinearExpression()
        let weight = 1 / Double(demands.count)
        for (sigma, scenario) in demands.enumerated() {
            var ss = [[VariableID]](), qs = ss, bs = ss
            for e in 0..<epochs {
                let L = durations[e] / tau
                var se: [VariableID] = [], qe: [VariableID] = [], be: [VariableID] = []
                for k in pairsK {
                    se.append(model.addVariable(.continuous, name: "s[\(sigma),\(e),\(k)]"))
                    qe.append(model.addVariable(.continuous, name: "q[\(sigma),\(e),\(k)]"))
                    be.append(model.addVariable(.continuous, name: "B[\(sigma),\(e),\(k)]"))
                }
                var ps = [LinearExpression](repeating: LinearExpression(), count: n), pr = ps
                for (idx, k) in pairsK.enumerated() {
                    if let av = a[e][idx] {
                        model.addConstraint(se[idx] - L * x[e][idx] + min(f.delta / tau, L) * av, .lessThanOrEqual(0),
                                            name: "circuit[\(sigma),\(e),\(k)]")
                    } else {
                        model.addConstraint(se[idx] - L * x[e][idx], .lessThanOrEqual(0), name: "circuit[\(sigma),\(e),\(k)]")
                    }
                    var balance = be[idx] + se[idx] + qe[idx]
                    var rhs = scenario[e][k] / unit
                    if e > 0 { balance = balance - bs[e - 1][idx] } else { rhs += start.backlog[k] / unit }
                    model.addConstraint(balance, .equalTo(rhs), name: "backlog[\(sigma),\(e),\(k)]")
                    ps[k / n].add(1, qe[idx]); pr[k % n].add(1, qe[idx])
                    obj.add(weight, se[idx]); obj.add(weight, qe[idx])
                }
                for v in 0..<n {
                    if !ps[v].terms.isEmpty { model.addConstraint(ps[v], .lessThanOrEqual(f.packetBps[v] / c * L), name: "send[\(sigma),\(e),\(v)]") }
                    if !pr[v].terms.isEmpty { model.addConstraint(pr[v], .lessThanOrEqual(f.packetBps[v] / c * L), name: "recv[\(sigma),\(e),\(v)]") }
                }
                ss.append(se); qs.append(qe); bs.append(be)
            }
            s.append(ss); q.append(qs); b.append(bs)
        }
        model.setObjective(obj, .maximize)
        return Built(model: model, pairsK: pairsK, x: x, a: a, s: s, q: q, b: b, unit: unit, tau: tau)
    }

    /// Solves the model warm-started from `warm` (one count vector per epoch).
    /// Objective and bound are in bytes (mean over the scenarios).
    static func solve(_ f: ScheduleFabric, durations: [Double], demands: [[[Double]]], start: EpochsStart, warm: [[Int]],
                      options: PlanningOptions) throws
        -> (counts: [[Int]], status: PlanStatus, bound: Double?, objective: Double?, notes: [String]) {
        guard let solver = options.solver else { throw PlanningError.noSolver }
        let n = f.n
        let epochs = durations.count
        let built = build(f, durations: durations, demands: demands, start: start)
        let unit = built.unit
        var values: [VariableID: Double] = [:]
        for e in 0..<epochs {
            for (idx, k) in built.pairsK.enumerated() {
                values[built.x[e][idx]] = Double(warm[e][k])
                if let av = built.a[e][idx] {
                    let before = e > 0 ? warm[e - 1][k] : (start.circuits?[k] ?? 0)
                    values[av] = Double(max(0, warm[e][k] - before))
                }
            }
        }
        // Per scenario the warm plan replayed: circuit bytes first, then the best packet flows.
        for (sigma, scenario) in demands.enumerated() {
            var backlog = start.backlog
            for e in 0..<epochs {
                let L = durations[e]
                for k in 0..<(n * n) { backlog[k] += scenario[e][k] }
                var circuit = [Double](repeating: 0, count: n * n)
                for k in built.pairsK {
                    let xk = warm[e][k]
                    let before = e > 0 ? warm[e - 1][k] : (start.circuits?[k] ?? xk)
                    let fresh = max(0, xk - before)
                    let cap = f.circuitBps * (Double(xk) * L - Double(fresh) * min(f.delta, L))
                    circuit[k] = min(backlog[k], max(0, cap)) * (1 - 1e-9)
                    backlog[k] -= circuit[k]
                }
                let flows = TransportationProblem(n: n, residual: backlog, supply: f.packetBps.map { $0 * L },
                                                  capacity: f.packetBps.map { $0 * L }).solve(wantFlows: true).flows!
                for (idx, k) in built.pairsK.enumerated() {
                    let qk = min(flows[k], backlog[k]) * (1 - 1e-9)
                    backlog[k] -= qk
                    values[built.s[sigma][e][idx]] = circuit[k] / unit
                    values[built.q[sigma][e][idx]] = qk / unit
                    values[built.b[sigma][e][idx]] = max(0, backlog[k]) / unit
                }
            }
        }
        let result = try solver.solve(built.model, options: options.solverOptions(warmStart: values))
        guard result.hasSolution else {
            throw PlanningError.solverFailed("no plan found (\(result.termination)) \(result.message)")
        }
        var counts = [[Int]](repeating: [Int](repeating: 0, count: n * n), count: epochs)
        for e in 0..<epochs {
            for (idx, k) in built.pairsK.enumerated() { counts[e][k] = Int(result.value(built.x[e][idx]).rounded()) }
        }
        let objective = (result.objectiveValue ?? 0) * unit
        let optimal = result.termination == .optimal
        var bound = result.bestBound.map { $0 * unit }
        if optimal { bound = max(bound ?? objective, objective) }
        return (counts, optimal ? .optimal : .feasible, bound, objective, ScheduleExact.warmNote(result.warmStart))
    }
}
