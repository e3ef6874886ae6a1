import OptoCore
import OptoModel

/// Which slot model the exact method builds (the benchmark compares them).
public enum ScheduleFormulation: String, Sendable, CaseIterable {
    /// The textbook slot model: loose big-M (the total demand), no symmetry
    /// breaking, no valid inequalities, no warm start.
    case plain
    /// Tight big-M per pair, ordered slots and parallel circuits, per-node
    /// circuit-time inequalities, the §1a lower bound as a cut (makespan),
    /// and the best heuristic plan as a warm start. The default.
    case strengthened
}

/// The exact models of PROBLEMS.md §1, built through OptoModel and solved by
/// ``PlanningOptions/solver``.
///
/// Units inside the models: volumes in `U = max D_ij` and times in
/// `τ = U / (r_c/8)` (a circuit moves one unit per unit of time), so every
/// coefficient is of order one for the solver.
///
/// ## Window mode (1a), `M` slots
///
/// Data: `D_ij`, `u_ij = min(k_i, k_j)` (pairs with demand), `c = r_c/8`,
/// `p_i/8`, `δ`, window `W` or none. Variables, for slot `m`, pair `ij`
/// and parallel circuit `l < u_ij`:
///
///     o_m ∈ {0,1}            slot used           t_m ≥ 0     hold time
///     z_mijl ∈ {0,1}         circuit l of ij up  y_mijl ≥ 0  bytes it serves
///     e_ij ≥ 0               packet bytes        T ≥ 0       makespan (no window)
///
///     Σ_j Σ_l z_mijl ≤ k_i,  Σ_i Σ_l z_mijl ≤ k_j              ports, every m
///     y_mijl ≤ c·t_m,  y_mijl ≤ M_ij·z_mijl                     big-M coupling
///     t_m ≤ t̄·o_m                                               no time without δ
///     Σ_m Σ_l y_mijl + e_ij ≤ D_ij   (= D_ij without a window)
///     Σ_j e_ij ≤ p_i/8·S,  Σ_i e_ij ≤ p_j/8·S                   S = W, or T
///     Σ_m (δ·o_m + t_m) ≤ W          (≤ T without a window)
///     maximise Σ y + Σ e             (minimise T without a window)
///
/// `t̄ = W − δ` (window) or, in makespan mode, the makespan of the best
/// heuristic plan cut to its `M` longest configurations (a plan the model
/// can hold, so the bound never cuts off the `M`-slot optimum); the
/// strengthened model bounds slot `m` (1-based, slots ordered by duration)
/// by `t̄_m = H/m − δ` with `H = W` or that makespan (then also `T ≤ H`), uses `M_mij = min(D_ij, c·t̄_m)` (the plain one the total
/// demand) and adds
///
///     o_m ≥ o_{m+1},  t_m ≥ t_{m+1}     slot order is irrelevant to the service
///     z_mijl ≥ z_mij(l+1)               parallel circuits are interchangeable
///     Σ_j Σ_l y_mijl ≤ k_i·c·t_m, Σ_i Σ_l y_mijl ≤ k_j·c·t_m   node circuit time
///     T ≥ lower bound of §1a
///
/// and starts from the best heuristic plan (its longest `M` configurations).
///
/// ## Epochs mode (1b)
///
/// For epoch `e` (length `L_e`) and pair `ij` with demand in the series:
///
///     x_eij ∈ {0..u_ij}  circuits,  a_eij ≥ x_eij − x_(e−1)ij, a ≥ 0  new ones
///     s_eij ≤ c·(L_e·x_eij − min(δ, L_e)·a_eij)                  circuit bytes
///     Σ_j q_eij ≤ p_i/8·L_e,  Σ_i q_eij ≤ p_j/8·L_e              packet bytes q
///     B_eij = B_(e−1)ij + D_eij − s_eij − q_eij,  B ≥ 0           backlog
///     ports per epoch;  maximise Σ (s + q)
///
/// (`a` needs no integrality: at an optimum it equals `max(0, x_e − x_(e−1))`.)
/// Warm start: the `greedy` epochs plan.
///
/// - Complexity: NP-hard in general; the model has `M·Σu_ij` binaries
///   (window) or `E·|pairs|` integers (epochs); GLPK's branch and cut runs
///   until optimal or the time limit, whose incumbent is reported `feasible`
///   with the bound and gap.
enum ScheduleExact {
    /// The default number of slots `M`: the number of nodes (enough for a
    /// BvN-like cover of one elephant per node per slot on small instances),
    /// at least 2, and at least the configurations of the best heuristic
    /// plan when that is at most `2N`.
    static func defaultSlots(nodes n: Int, heuristicConfigurations h: Int) -> Int {
        max(2, n, min(h, 2 * n))
    }

    struct PairVars {
        var i: Int, j: Int
        var z: [[VariableID]] = []   // [m][l]
        var y: [[VariableID]] = []
        var e: VariableID
    }

    /// What the window model is sized from: the best heuristic plan (its
    /// configuration count sets the default `M`), the slot count `M`, and
    /// without a window the horizon `H` of the makespan model.
    struct WindowSetup {
        var heuristic: SchedulePlan
        var heuristicSlots: [SlotConfig]
        var slotsM: Int
        /// Makespan mode: the makespan of the heuristic plan cut to its `M`
        /// longest configurations (the packet fabric serving the rest), a
        /// plan the `M`-slot model can hold, so `T ≤ H` never cuts off its
        /// optimum; nil with a window, or when that plan never completes.
        var horizon: Double?
    }

    /// The window model's setup: the best of every heuristic, and `slots`
    /// or the default of ``defaultSlots(nodes:heuristicConfigurations:)``.
    ///
    /// - Throws: ``PlanningError/methodNotApplicable(method:reason:)`` when `slots < 1`.
    /// - Complexity: that of the six heuristics.
    static func windowSetup(_ f: ScheduleFabric, _ d: [Double], window: Double?, slots: Int?) throws -> WindowSetup {
        let heuristic = SchedulePlanner.bestHeuristic(f, d, window: window, among: [.solstice, .bottleneck, .eclipse, .greedy, .bvn, .static, .rotor])
        let heuristicSlots = try (heuristic.configurations ?? []).map { try SlotConfig($0, nodes: f.n) }
        let slotsM = slots ?? defaultSlots(nodes: f.n, heuristicConfigurations: heuristicSlots.count)
        guard slotsM >= 1 else { throw PlanningError.methodNotApplicable(method: "ilp", reason: "--slots must be at least 1") }
        var horizon: Double? = nil
        if window == nil {
            let kept = Array(heuristicSlots.sorted { $0.duration > $1.duration }.prefix(slotsM))
            let makespan = ScheduleScoring.score(f, d, window: nil, kept).makespan
            if makespan.isFinite { horizon = makespan }
        }
        return WindowSetup(heuristic: heuristic, heuristicSlots: heuristicSlots, slotsM: slotsM, horizon: horizon)
    }

    /// The window-mode slot model (the type's documentation) and its
    /// variables; volumes in `unit` bytes, times in `tau` seconds.
    struct WindowModel {
        var model: Model
        var o: [VariableID]
        var t: [VariableID]
        var bigT: VariableID?
        var pairs: [PairVars]
        var unit: Double
        var tau: Double
        var tBar: Double
    }

    /// Builds the window-mode slot model: the one `ilp` solves and
    /// `SchedulePlanner.exactModel` exports.
    ///
    /// - Throws: ``PlanningError/methodNotApplicable(method:reason:)`` when
    ///   the circuit rate is zero on a fabric with OCS ports;
    ///   ``PlanningError/noFeasiblePlan(_:)`` without a window when some
    ///   demand can never be served (the §1a bound is infinite).
    /// - Complexity: O(M·Σu_ij) variables and constraints.
    static func buildWindow(_ f: ScheduleFabric, _ d: [Double], window: Double?, setup: WindowSetup,
                            formulation: ScheduleFormulation) throws -> WindowModel {
        let n = f.n
        let strong = formulation == .strengthened
        let slotsM = setup.slotsM
        guard f.circuitBps > 0 || f.ports.allSatisfy({ $0 == 0 }) else {
            throw PlanningError.methodNotApplicable(method: "ilp", reason: "the circuit rate is zero")
        }
        let lowerBound = ScheduleScoring.lowerBound(f, d)
        if window == nil && !lowerBound.isFinite {
            throw PlanningError.noFeasiblePlan("a node has demand but neither circuit ports nor packet rate: the demand can never be served")
        }
        // Units (1 byte when there is no demand: the model is then trivial).
        let largest = d.max() ?? 0
        let unit = largest > 0 ? largest : 1
        let c = max(f.circuitBps, 1e-300)
        let tau = unit / c
        let delta = f.delta / tau
        let packet = f.packetBps.map { $0 / c }
        let dd = d.map { $0 / unit }
        let total = dd.reduce(0, +)
        let w = window.map { $0 / tau }
        let tBar: Double
        if let w = w { tBar = max(0, w - delta) } else { tBar = setup.horizon.map { $0 / tau } ?? total * Double(n) + delta }

        // With slots ordered by duration, slot m (0-based) holds at most
        // H/(m+1) − δ, H the window or the heuristic's makespan.
        let horizon = w ?? tBar * (1 + 1e-6)
        let slotBar = (0..<slotsM).map { m in strong ? max(0, min(tBar, horizon / Double(m + 1) - delta)) : tBar }
        let model = Model(name: window == nil ? "schedule-makespan" : "schedule-window")
        let o = (0..<slotsM).map { model.addVariable(.binary, name: "o[\($0)]") }
        let t = (0..<slotsM).map { model.addVariable(.continuous, lowerBound: 0, upperBound: slotBar[$0], name: "t[\($0)]") }
        let bigT: VariableID? = w == nil ? model.addVariable(.continuous, lowerBound: 0, upperBound: strong ? horizon : .infinity, name: "T") : nil
        var pairs: [PairVars] = []
        for i in 0..<n {
            for j in 0..<n where i != j && dd[i * n + j] > 0 {
                var pv = PairVars(i: i, j: j, e: model.addVariable(.continuous, lowerBound: 0, upperBound: dd[i * n + j], name: "e[\(i),\(j)]"))
                let u = f.pairCap(i, j)
                for m in 0..<slotsM {
                    pv.z.append((0..<u).map { l in model.addVariable(.binary, name: "z[\(m),\(i),\(j),\(l)]") })
                    pv.y.append((0..<u).map { l in model.addVariable(.continuous, lowerBound: 0, upperBound: strong ? dd[i * n + j] : .infinity,
                                                                    name: "y[\(m),\(i),\(j),\(l)]") })
                }
                pairs.append(pv)
            }
        }
        // Ports.
        for m in 0..<slotsM {
            var tx = [LinearExpression](repeating: LinearExpression(), count: n)
            var rx = [LinearExpression](repeating: LinearExpression(), count: n)
            var txY = tx, rxY = rx
            for p in pairs {
                for l in p.z[m].indices {
                    tx[p.i].add(1, p.z[m][l]); rx[p.j].add(1, p.z[m][l])
                    txY[p.i].add(1, p.y[m][l]); rxY[p.j].add(1, p.y[m][l])
                }
            }
            for v in 0..<n {
                if !tx[v].terms.isEmpty { model.addConstraint(tx[v], .lessThanOrEqual(Double(f.ports[v])), name: "tx[\(m),\(v)]") }
                if !rx[v].terms.isEmpty { model.addConstraint(rx[v], .lessThanOrEqual(Double(f.ports[v])), name: "rx[\(m),\(v)]") }
                if strong {
                    if !txY[v].terms.isEmpty { model.addConstraint(txY[v] - Double(f.ports[v]) * t[m], .lessThanOrEqual(0), name: "txtime[\(m),\(v)]") }
                    if !rxY[v].terms.isEmpty { model.addConstraint(rxY[v] - Double(f.ports[v]) * t[m], .lessThanOrEqual(0), name: "rxtime[\(m),\(v)]") }
                }
            }
            model.addConstraint(t[m] - slotBar[m] * o[m], .lessThanOrEqual(0), name: "used[\(m)]")
            if strong && m + 1 < slotsM {
                model.addConstraint(o[m] - o[m + 1], .greaterThanOrEqual(0), name: "oorder[\(m)]")
                model.addConstraint(t[m] - t[m + 1], .greaterThanOrEqual(0), name: "torder[\(m)]")
            }
        }
        // Coupling and demand.
        for p in pairs {
            let dij = dd[p.i * n + p.j]
            var servedExpr = LinearExpression(p.e)
            for m in 0..<slotsM {
                let bigM = strong ? min(dij, slotBar[m]) : total
                for l in p.z[m].indices {
                    model.addConstraint(p.y[m][l] - t[m], .lessThanOrEqual(0), name: "rate[\(m),\(p.i),\(p.j),\(l)]")
                    model.addConstraint(p.y[m][l] - bigM * p.z[m][l], .lessThanOrEqual(0), name: "bigm[\(m),\(p.i),\(p.j),\(l)]")
                    if strong && l + 1 < p.z[m].count { model.addConstraint(p.z[m][l] - p.z[m][l + 1], .greaterThanOrEqual(0), name: "zorder[\(m),\(p.i),\(p.j),\(l)]") }
                    servedExpr.add(1, p.y[m][l])
                }
            }
            model.addConstraint(servedExpr, w == nil ? .equalTo(dij) : .lessThanOrEqual(dij), name: "demand[\(p.i),\(p.j)]")
        }
        // Packet fabric.
        var send = [LinearExpression](repeating: LinearExpression(), count: n)
        var recv = send
        for p in pairs { send[p.i].add(1, p.e); recv[p.j].add(1, p.e) }
        for v in 0..<n {
            for (expr, label) in [(send[v], "send"), (recv[v], "recv")] where !expr.terms.isEmpty {
                if let w = w {
                    model.addConstraint(expr, .lessThanOrEqual(packet[v] * w), name: "\(label)[\(v)]")
                } else {
                    model.addConstraint(expr - packet[v] * bigT!, .lessThanOrEqual(0), name: "\(label)[\(v)]")
                }
            }
        }
        // Span and objective.
        var span = LinearExpression()
        for m in 0..<slotsM { span.add(delta, o[m]); span.add(1, t[m]) }
        if let w = w {
            model.addConstraint(span, .lessThanOrEqual(w), name: "window")
            var obj = LinearExpression()
            for p in pairs { obj.add(1, p.e); for m in 0..<slotsM { for y in p.y[m] { obj.add(1, y) } } }
            model.setObjective(obj, .maximize)
        } else {
            model.addConstraint(span - bigT!, .lessThanOrEqual(0), name: "span")
            if strong {
                model.addConstraint(LinearExpression(bigT!), .greaterThanOrEqual(lowerBound / tau * (1 - 1e-9)), name: "lowerbound")
            }
            model.setObjective(LinearExpression(bigT!), .minimize)
        }

        return WindowModel(model: model, o: o, t: t, bigT: bigT, pairs: pairs, unit: unit, tau: tau, tBar: tBar)
    }

    static func planWindow(_ f: ScheduleFabric, _ d: [Double], window: Double?, options: PlanningOptions,
                           formulation: ScheduleFormulation = .strengthened) throws -> SchedulePlan {
        guard let solver = options.solver else { throw PlanningError.noSolver }
        let setup = try windowSetup(f, d, window: window, slots: options.slots)
        let slotsM = setup.slotsM
        guard d.contains(where: { $0 > 0 }) else {
            var p = SchedulePlanner.windowPlan(f, d, window: window, method: "ilp", status: .optimal, slots: [])
            p.metrics.bound = p.metrics.objective; p.metrics.gap = 0; p.metrics.slots = slotsM
            return p
        }
        guard f.circuitBps > 0 || f.ports.allSatisfy({ $0 == 0 }) else {
            throw PlanningError.methodNotApplicable(method: "ilp", reason: "the circuit rate is zero")
        }
        if let win = window, win <= f.delta {
            // No configuration fits: the packet fabric alone.
            var p = SchedulePlanner.windowPlan(f, d, window: window, method: "ilp", status: .optimal, slots: [])
            p.metrics.bound = p.metrics.objective; p.metrics.gap = 0; p.metrics.slots = slotsM
            return p
        }
        let built = try buildWindow(f, d, window: window, setup: setup, formulation: formulation)
        let (model, o, t, bigT, pairs) = (built.model, built.o, built.t, built.bigT, built.pairs)
        let (unit, tau, tBar) = (built.unit, built.tau, built.tBar)
        let w = window.map { $0 / tau }

        // Warm start from the heuristic plan.
        var warm: [VariableID: Double]? = nil
        if formulation == .strengthened {
            warm = windowWarmStart(f, d, window: window, slots: setup.heuristicSlots, slotsM: slotsM, unit: unit, tau: tau,
                                   o: o, t: t, bigT: bigT, pairs: pairs, tBar: tBar)
        }
        var solverOptions = options.solverOptions(warmStart: warm)
        // Window mode: GLPK's Gomory cuts take the N = 16, M = 8 benchmark's
        // gap at 60 s from about 4 % to 2 % (MIR, cover and clique cuts
        // measured no better; see docs/schedule.md).
        if formulation == .strengthened && window != nil {
            // Measured on the benchmark's N = 16, M = 8 window instance
            // (optoplan-bench schedule --sizes 16): gap at 60 s 4.15 % without
            // cuts, 2.00 % with Gomory cuts, 1.72 % with Gomory cuts and the
            // best-projection node order (MIR, cover and clique cuts: 4.24 %).
            solverOptions.cuts.gomory = true
            solverOptions.nodeSelection = .bestProjection
        }
        let result = try solver.solve(model, options: solverOptions)
        let notes = warmNote(result.warmStart)

        guard result.hasSolution else {
            switch result.termination {
            case .infeasible:
                var metrics = PlanMetrics(objective: 0)
                metrics.slots = slotsM
                return SchedulePlan(method: "ilp", status: .infeasible, metrics: metrics, configurations: [], notes: notes)
            default:
                throw PlanningError.solverFailed("no plan found (\(result.termination)) \(result.message)")
            }
        }
        // Read the configurations.
        var slots: [SlotConfig] = []
        for m in 0..<slotsM {
            let hold = result.value(t[m]) * tau
            guard result.value(o[m]) > 0.5, hold > 0 else { continue }
            var pc: [SlotConfig.PairCount] = []
            for p in pairs {
                let count = p.z[m].reduce(0) { $0 + (result.value($1) > 0.5 ? 1 : 0) }
                if count > 0 { pc.append(.init(i: p.i, j: p.j, count: count)) }
            }
            if !pc.isEmpty { slots.append(SlotConfig(duration: hold, pairs: pc)) }
        }
        if let win = window {
            // Rounding must not push the span past the window.
            let span = slots.reduce(0) { $0 + f.delta + $1.duration }
            if span > win, let last = slots.indices.last { slots[last].duration = max(0, slots[last].duration - (span - win)) }
        }
        let optimal = result.termination == .optimal
        var plan = SchedulePlanner.windowPlan(f, d, window: window, method: "ilp", status: optimal ? .optimal : .feasible, slots: slots)
        // Bound: the solver's, in the instance's units.
        let scale = w == nil ? tau : unit
        var bound = (result.bestBound ?? (w == nil ? 0 : d.reduce(0, +))) * scale
        if w == nil { bound = max(bound, ScheduleScoring.lowerBound(f, d)) } else { bound = min(bound, d.reduce(0, +)) }
        if optimal {
            // Proven optimal for this M: the bound is the objective up to the gap tolerance.
            bound = w == nil ? min(bound, plan.metrics.objective) : max(bound, plan.metrics.objective)
        }
        plan.metrics.bound = bound
        plan.metrics.gap = SolveResult.gap(objective: plan.metrics.objective, bound: bound)
        plan.metrics.slots = slotsM
        plan.notes = notes + ["slots M = \(slotsM) (\(formulation.rawValue) model, \(result.nodeCount) nodes)"]
        return plan
    }

    static func warmNote(_ w: WarmStartOutcome) -> [String] {
        switch w {
        case .rejected(let why): ["warm start rejected: \(why)"]
        default: []
        }
    }

    /// The heuristic plan as a full assignment of the slot model: its `M`
    /// longest configurations, longest first; circuit service per slot in
    /// order; the packet fabric's best flows on the rest.
    static func windowWarmStart(_ f: ScheduleFabric, _ d: [Double], window: Double?, slots: [SlotConfig], slotsM: Int,
                                unit: Double, tau: Double, o: [VariableID], t: [VariableID], bigT: VariableID?,
                                pairs: [PairVars], tBar: Double) -> [VariableID: Double]? {
        let n = f.n
        var chosen = slots.sorted { $0.duration > $1.duration }.prefix(slotsM).map { $0 }
        // Keep only circuits on pairs with demand, within the model's pair caps.
        let index = Dictionary(uniqueKeysWithValues: pairs.enumerated().map { ($1.i * n + $1.j, $0) })
        for m in chosen.indices { chosen[m].pairs = chosen[m].pairs.filter { index[$0.i * n + $0.j] != nil } }
        if window == nil {
            let score = ScheduleScoring.score(f, d, window: nil, chosen)
            guard score.makespan.isFinite, score.makespan / tau <= tBar * (1 + 1e-9) + f.delta / tau else { return nil }
        }
        var a: [VariableID: Double] = [:]
        var residual = d
        for m in 0..<slotsM {
            let s = m < chosen.count ? chosen[m] : nil
            let hold = s.map { min($0.duration / tau, tBar) } ?? 0
            a[o[m]] = s == nil ? 0 : 1
            a[t[m]] = hold
            var count = [Int: Int]()
            for pc in s?.pairs ?? [] { count[pc.i * n + pc.j] = pc.count }
            for p in pairs {
                let k = p.i * n + p.j
                let cnt = count[k] ?? 0
                for l in p.z[m].indices {
                    let on = l < cnt
                    a[p.z[m][l]] = on ? 1 : 0
                    let served = on ? min(residual[k] / unit, hold) : 0
                    a[p.y[m][l]] = served
                    residual[k] = max(0, residual[k] - served * unit)
                }
            }
        }
        let span = chosen.reduce(0) { $0 + f.delta + $1.duration }
        if let w = window {
            let flows = TransportationProblem(n: n, residual: residual, supply: f.packetBps.map { $0 * w },
                                              capacity: f.packetBps.map { $0 * w }).solve(wantFlows: true).flows!
            for p in pairs { a[p.e] = flows[p.i * n + p.j] / unit * (1 - 1e-9) }
        } else {
            for p in pairs { a[p.e] = residual[p.i * n + p.j] / unit }
            let tk = max(span, ScheduleScoring.packetTime(f, residual)) / tau
            a[bigT!] = tk * (1 + 1e-9)
        }
        return a
    }

    /// The epochs-mode model (the type's documentation) and its variables,
    /// per epoch and per pair of `pairsK` (`i·N + j`, the pairs with demand
    /// in some epoch); volumes in `unit` bytes, times in `tau` seconds.
    struct EpochsModel {
        var model: Model
        var pairsK: [Int]
        var x: [[VariableID]]
        var s: [[VariableID]]
        var q: [[VariableID]]
        var b: [[VariableID]]
        var a: [[VariableID?]]
        var unit: Double
        var tau: Double
    }

    /// Builds the epochs-mode model: the one `ilp` solves and
    /// `SchedulePlanner.exactModel` exports.
    ///
    /// - Complexity: O(E·|pairs| + E·N) variables and constraints.
    static func buildEpochs(_ f: ScheduleFabric, durations: [Double], demands: [[Double]]) -> EpochsModel {
        let n = f.n
        let epochs = durations.count
        let largest = demands.flatMap { $0 }.max() ?? 0
        let unit = largest > 0 ? largest : 1
        let c = max(f.circuitBps, 1e-300)
        let tau = unit / c
        var pairsK: [Int] = []
        for k in 0..<(n * n) where k / n != k % n && demands.contains(where: { $0[k] > 0 }) { pairsK.append(k) }
        let model = Model(name: "schedule-epochs")
        var x = [[VariableID]](), s = [[VariableID]](), q = [[VariableID]](), b = [[VariableID]](), a = [[VariableID?]]()
        for e in 0..<epochs {
            let L = durations[e] / tau
            var xe: [VariableID] = [], se: [VariableID] = [], qe: [VariableID] = [], be: [VariableID] = [], ae: [VariableID?] = []
            for k in pairsK {
                let u = f.pairCap(k / n, k % n)
                xe.append(model.addVariable(u <= 1 ? .binary : .integer, lowerBound: 0, upperBound: Double(u), name: "x[\(e),\(k)]"))
                se.append(model.addVariable(.continuous, name: "s[\(e),\(k)]"))
                qe.append(model.addVariable(.continuous, name: "q[\(e),\(k)]"))
                be.append(model.addVariable(.continuous, name: "B[\(e),\(k)]"))
                ae.append(e == 0 ? nil : model.addVariable(.continuous, lowerBound: 0, upperBound: Double(u), name: "a[\(e),\(k)]"))
            }
            for (idx, k) in pairsK.enumerated() {
                if let av = ae[idx] {
                    model.addConstraint(av - xe[idx] + x[e - 1][idx], .greaterThanOrEqual(0), name: "new[\(e),\(k)]")
                    model.addConstraint(se[idx] - L * xe[idx] + min(f.delta / tau, L) * av, .lessThanOrEqual(0), name: "circuit[\(e),\(k)]")
                } else {
                    model.addConstraint(se[idx] - L * xe[idx], .lessThanOrEqual(0), name: "circuit[\(e),\(k)]")
                }
                var balance = be[idx] + se[idx] + qe[idx]
                if e > 0 { balance = balance - b[e - 1][idx] }
                model.addConstraint(balance, .equalTo(demands[e][k] / unit), name: "backlog[\(e),\(k)]")
            }
            var tx = [LinearExpression](repeating: LinearExpression(), count: n), rx = tx, ps = tx, pr = tx
            for (idx, k) in pairsK.enumerated() {
                tx[k / n].add(1, xe[idx]); rx[k % n].add(1, xe[idx])
                ps[k / n].add(1, qe[idx]); pr[k % n].add(1, qe[idx])
            }
            for v in 0..<n {
                if !tx[v].terms.isEmpty { model.addConstraint(tx[v], .lessThanOrEqual(Double(f.ports[v])), name: "tx[\(e),\(v)]") }
                if !rx[v].terms.isEmpty { model.addConstraint(rx[v], .lessThanOrEqual(Double(f.ports[v])), name: "rx[\(e),\(v)]") }
                if !ps[v].terms.isEmpty { model.addConstraint(ps[v], .lessThanOrEqual(f.packetBps[v] / c * L), name: "send[\(e),\(v)]") }
                if !pr[v].terms.isEmpty { model.addConstraint(pr[v], .lessThanOrEqual(f.packetBps[v] / c * L), name: "recv[\(e),\(v)]") }
            }
            x.append(xe); s.append(se); q.append(qe); b.append(be); a.append(ae)
        }
        var obj = LinearExpression()
        for e in 0..<epochs { for idx in pairsK.indices { obj.add(1, s[e][idx]); obj.add(1, q[e][idx]) } }
        model.setObjective(obj, .maximize)

        return EpochsModel(model: model, pairsK: pairsK, x: x, s: s, q: q, b: b, a: a, unit: unit, tau: tau)
    }

    /// Epochs mode (1b): the model in the type's documentation.
    static func planEpochs(_ f: ScheduleFabric, durations: [Double], demands: [[Double]], options: PlanningOptions) throws
        -> (counts: [[Int]], status: PlanStatus, bound: Double?, gap: Double?, objective: Double?, notes: [String]) {
        guard let solver = options.solver else { throw PlanningError.noSolver }
        let n = f.n
        let epochs = durations.count
        let built = buildEpochs(f, durations: durations, demands: demands)
        let (model, pairsK, unit) = (built.model, built.pairsK, built.unit)
        let (x, s, q, b, a) = (built.x, built.s, built.q, built.b, built.a)

        // Warm start: the greedy plan, replayed epoch by epoch.
        let greedy = ScheduleHeuristics.epochsGreedy(f, durations: durations, demands: demands)
        var warm: [VariableID: Double] = [:]
        var backlog = [Double](repeating: 0, count: n * n)
        for e in 0..<epochs {
            let L = durations[e]
            for k in 0..<(n * n) { backlog[k] += demands[e][k] }
            var circuit = [Double](repeating: 0, count: n * n)
            for k in pairsK {
                let xk = greedy[e][k]
                let fresh = e == 0 ? 0 : max(0, xk - greedy[e - 1][k])
                let cap = f.circuitBps * (Double(xk) * L - Double(fresh) * min(f.delta, L))
                circuit[k] = min(backlog[k], max(0, cap)) * (1 - 1e-9)
                backlog[k] -= circuit[k]
            }
            let flows = TransportationProblem(n: n, residual: backlog, supply: f.packetBps.map { $0 * L },
                                              capacity: f.packetBps.map { $0 * L }).solve(wantFlows: true).flows!
            for (idx, k) in pairsK.enumerated() {
                let qk = min(flows[k], backlog[k]) * (1 - 1e-9)
                backlog[k] -= qk
                warm[x[e][idx]] = Double(greedy[e][k])
                warm[s[e][idx]] = circuit[k] / unit
                warm[q[e][idx]] = qk / unit
                warm[b[e][idx]] = max(0, backlog[k]) / unit
                if let av = a[e][idx] { warm[av] = Double(max(0, greedy[e][k] - greedy[e - 1][k])) }
            }
            for k in 0..<(n * n) where !pairsK.contains(k) { backlog[k] = 0 }
        }
        let result = try solver.solve(model, options: options.solverOptions(warmStart: warm))
        guard result.hasSolution else {
            throw PlanningError.solverFailed("no plan found (\(result.termination)) \(result.message)")
        }
        var counts = [[Int]](repeating: [Int](repeating: 0, count: n * n), count: epochs)
        for e in 0..<epochs { for (idx, k) in pairsK.enumerated() { counts[e][k] = Int(result.value(x[e][idx]).rounded()) } }
        let objective = (result.objectiveValue ?? 0) * unit
        let optimal = result.termination == .optimal
        var bound = (result.bestBound ?? demands.reduce(0) { $0 + $1.reduce(0, +) } / unit) * unit
        if optimal { bound = max(bound, objective) }
        return (counts, optimal ? .optimal : .feasible, bound, SolveResult.gap(objective: objective, bound: bound), objective,
                warmNote(result.warmStart))
    }
}
