import OptoModel

extension StaggerPlanner {
    /// What the exact model produced.
    struct ILPOutcome {
        var offsets: [Int]
        /// Lower bound on the total excess, bits per hyper-period.
        var bound: Double
        /// Whether the excess is proven optimal in every component.
        var excessProven: Bool
        /// Whether the peak tie-break is proven too.
        var peakProven: Bool
        var notes: [String]
        var nodes: Int
        /// Components whose excess the solver returned a solution for or
        /// that needed no solve (the start met their lower bound).
        var solvedComponents = 0
    }

    /// The exact model, solved component by component (see
    /// ``StaggerStructure``), warm-started from `start`.
    ///
    /// ## Formulation (one component; jobs `K`, links `L`, hyper-period `H` slots)
    ///
    /// Data: `r_k(t)`, the rate of job `k` at slot `t` of its own period
    /// (the sum of its phases, wrapped); `A_k ⊆ {0,…,P_k−1}` the offsets
    /// allowed to `k` (all of them, except the rotation fixes of
    /// ``StaggerStructure``); `ρ_{l,τ,k,o} = r_k((τ − o) mod P_k)/C_l`, the
    /// share of link `l`'s capacity job `k` at offset `o` uses at slot `τ`;
    /// `M_{l,τ} = Σ_k max_{o∈A_k} ρ_{l,τ,k,o}`, the most link `l` can carry at
    /// `τ`; `w_l = C_l / max_l C_l`.
    ///
    /// ```
    /// x_{k,o} ∈ {0,1}                    k ∈ K, o ∈ A_k   (job k starts at offset o)
    /// e_{l,τ} ≥ 0                       (l,τ) ∈ R := {M_{l,τ} > 1}   (excess, in capacities)
    ///
    /// Σ_{o∈A_k} x_{k,o} = 1                                  k ∈ K
    /// Σ_{k on l} Σ_{o∈A_k} ρ_{l,τ,k,o} x_{k,o} − e_{l,τ} ≤ 1     (l,τ) ∈ R
    /// Σ_o o·x_{c_i,o} ≤ Σ_o o·x_{c_{i+1},o}                  consecutive identical jobs
    ///
    /// stage 1:  minimise  E = Σ_{(l,τ)∈R} w_l e_{l,τ}
    ///           (total excess in bits = E · max_l C_l · Δ)
    /// stage 2:  minimise  z
    ///           z ≥ Σ_{k on l} Σ_o ρ_{l,τ,k,o} x_{k,o}        (l,τ) with M_{l,τ} > z_lb
    ///           z ≥ z_lb,   Σ w_l e_{l,τ} ≤ E* (1 + 1e-7)
    /// ```
    ///
    /// Rows exist only where they can bind: no excess row where the most a
    /// link can carry is within its capacity, no peak row where it is within
    /// the peak floor `z_lb`: the bound of ``StaggerGrid/peakLowerBound()``
    /// raised, component by component, to the next peak the component can
    /// attain (``StaggerLevels``). Each stage stops once its bound is within
    /// the spacing of attainable objective values of its incumbent, which
    /// proves it optimal (``StaggerLevels/provingGap(spacing:start:)``).
    ///
    /// Why two stages rather than `E + ε·z`: for a weighted sum to be
    /// provably lexicographic, `ε·max z` must be below the smallest positive
    /// difference between two attainable excesses, and with real-valued
    /// rates that difference has no useful lower bound. The second stage
    /// keeps stage 1's excess as a budget and minimises the peak; it is
    /// skipped when stage 1's peak already equals `z_lb` (nothing to gain).
    /// Stage 1 is skipped when the warm start's excess equals the
    /// offset-independent lower bound of ``StaggerGrid/excessLowerBound()``
    /// (zero, for a collision-free start).
    ///
    /// - Complexity: the model has `Σ_k |A_k|` binaries and at most `2·L·H`
    ///   rows with `Σ_k |links_k| × |A_k| × active_k × H/P_k` nonzeros;
    ///   branch and bound is exponential in the worst case.
    static func solveILP(_ grid: StaggerGrid, start: [Int], solver: any Solver, options: PlanningOptions,
                         clock: ContinuousClock.Instant) throws -> ILPOutcome {
        let structure = StaggerStructure(grid: grid)
        var offsets = structure.canonicalise(start)
        let startScore = grid.score(offsets: start)
        let canonScore = grid.score(offsets: offsets)
        if abs(startScore.excess - canonScore.excess) > 1e-6 * max(1, startScore.excess) {
            // Cannot happen by the symmetry argument; fall back to the start as is.
            offsets = start
        }
        let builders = structure.components.map { ComponentModel(grid: grid, component: $0) }
        let levels = structure.components.map { StaggerLevels(grid: grid, component: $0) }
        // The peak floor: no plan's peak is below it. Each component's peak
        // is at least its own bound rounded up to its next attainable level.
        var peakFloor = grid.peakLowerBound()
        for (i, c) in structure.components.enumerated() {
            peakFloor = max(peakFloor, levels[i].roundUpPeak(grid.peakLowerBound(links: c.links)))
        }
        // Smallest models first: time a small component leaves unused
        // flows to the larger ones after it.
        let order = builders.indices.sorted { (builders[$0].termCount, $0) < (builders[$1].termCount, $1) }
        var outcome = ILPOutcome(offsets: offsets, bound: 0, excessProven: true, peakProven: true, notes: [], nodes: 0)
        let unit = (grid.capacities.max() ?? 1) * grid.step // bits per model unit of E
        var excessOptimal = [Bool](repeating: false, count: builders.count)
        // Pass 1: the excess of every component, each with a fair share of
        // the time left (a component solved early leaves its share to the next).
        for (position, i) in order.enumerated() {
            let builder = builders[i]
            let lowerBound = builder.excessLowerBound()
            var current = builder.evaluate(offsets)
            var componentBound = lowerBound
            excessOptimal[i] = current.excess <= lowerBound + 1e-9 * max(1, lowerBound)
            if excessOptimal[i] { outcome.solvedComponents += 1 }
            if !excessOptimal[i] {
                let remaining = (options.timeLimit - elapsed(since: clock)) / Double(builders.count - position)
                if remaining > 0.001, !(options.shouldStop?() ?? false) {
                    let built = builder.build(stage2Budget: nil, peakBound: peakFloor)
                    let solveOptions = solverOptions(options, remaining, built.warmStart(offsets),
                                                     provingGap: StaggerLevels.provingGap(spacing: levels[i].excessQuantum,
                                                                                          start: current.excess))
                    let result = try solver.solve(built.model, options: solveOptions)
                    outcome.nodes += result.nodeCount
                    if let why = rejection(result.warmStart) { outcome.notes.append("warm start rejected: \(why)") }
                    if result.hasSolution {
                        outcome.solvedComponents += 1
                        let candidate = built.offsets(result, into: offsets)
                        let score = builder.evaluate(candidate)
                        if StaggerLoadState.better(score.excess, score.peak, than: current.excess, current.peak,
                                                   tolerance: 1e-9 * max(1, current.excess)) {
                            offsets = candidate
                            current = score
                        }
                    }
                    if let b = result.bestBound, b.isFinite { componentBound = max(componentBound, b) }
                    switch result.termination {
                    case .optimal where result.hasSolution:
                        excessOptimal[i] = true
                        componentBound = max(componentBound, min(current.excess, result.objectiveValue ?? current.excess))
                    case .optimal, .timeLimit, .interrupted:
                        break
                    default:
                        outcome.notes.append("solver stopped (\(result.termination)): \(result.message)")
                    }
                } else {
                    outcome.notes.append((options.shouldStop?() ?? false) ? "stopped before a component was solved"
                                                                           : "time limit reached before a component was solved")
                }
            }
            outcome.bound += min(componentBound, current.excess) * unit
            if !excessOptimal[i] { outcome.excessProven = false; outcome.peakProven = false }
        }
        // Pass 2: the peak of every component whose excess is proven, with
        // the excess held at its optimum.
        for (position, i) in order.enumerated() where excessOptimal[i] {
            let builder = builders[i]
            var current = builder.evaluate(offsets)
            if current.peak <= peakFloor + 1e-9 { continue }
            let remaining = (options.timeLimit - elapsed(since: clock)) / Double(builders.count - position)
            guard remaining > 0.001, !(options.shouldStop?() ?? false) else {
                outcome.peakProven = false
                continue
            }
            let built = builder.build(stage2Budget: current.excess, peakBound: peakFloor)
            let solveOptions = solverOptions(options, remaining, built.warmStart(offsets), provingGap: StaggerLevels.provingGap(
                spacing: levels[i].peakSpacing(from: peakFloor, to: current.peak), start: current.peak))
            let result = try solver.solve(built.model, options: solveOptions)
            outcome.nodes += result.nodeCount
            if let why = rejection(result.warmStart) { outcome.notes.append("peak stage warm start rejected: \(why)") }
            if result.hasSolution {
                let candidate = built.offsets(result, into: offsets)
                let score = builder.evaluate(candidate)
                if score.excess <= current.excess + 1e-7 * max(1, current.excess) + 1e-9, score.peak < current.peak - 1e-9 {
                    offsets = candidate
                    current = score
                }
            }
            switch result.termination {
            case .optimal where result.hasSolution: break
            case .optimal, .timeLimit, .interrupted: outcome.peakProven = false
            default:
                outcome.peakProven = false
                outcome.notes.append("solver stopped in the peak stage (\(result.termination)): \(result.message)")
            }
        }
        outcome.offsets = offsets
        return outcome
    }

    /// Why a warm start was refused, or nil when it was used or simply not
    /// needed (the search ended before the solver asked for one).
    static func rejection(_ outcome: WarmStartOutcome) -> String? {
        guard case .rejected(let why) = outcome, !why.contains("ended before") else { return nil }
        return why
    }

    /// The larger of two optional relative gaps.
    static func loosest(_ a: Double?, _ b: Double?) -> Double? {
        switch (a, b) {
        case let (x?, y?): max(x, y)
        case let (x?, nil): x
        case let (nil, y?): y
        case (nil, nil): nil
        }
    }

    static func elapsed(since start: ContinuousClock.Instant) -> Double {
        (ContinuousClock.now - start).seconds
    }

    /// The options of one stage: the time left to it, the warm start, the
    /// looser of the caller's gap and the stage's proving gap (see
    /// ``StaggerLevels/provingGap(spacing:start:)``), and Gomory cuts (on the
    /// benchmark's 8-job oversubscribed mix they cut the excess stage from
    /// 213 nodes to 27; the other families did not help).
    static func solverOptions(_ options: PlanningOptions, _ remaining: Double, _ warmStart: [VariableID: Double],
                              provingGap: Double?) -> SolverOptions {
        var cuts = CutOptions()
        cuts.gomory = true
        return SolverOptions(timeLimit: remaining, relativeGap: loosest(options.relativeGap, provingGap), warmStart: warmStart,
                             cuts: cuts, verbose: options.verbose, progress: options.progress, shouldStop: options.shouldStop)
    }
}

/// The exact model of one component (see ``StaggerPlanner``'s formulation).
struct ComponentModel {
    let grid: StaggerGrid
    let component: StaggerStructure.Component
    /// `w_l` per link of the grid.
    let weights: [Double]
    /// Per link of the component, per slot: `(job, offset, share)` terms.
    let terms: [[[(job: Int, offset: Int, share: Double)]]]
    /// `M_{l,τ}` per link of the component, per slot.
    let maxShare: [[Double]]
    /// The number of `(job, offset, share)` terms: the size of the model.
    var termCount: Int { terms.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } } }

    init(grid: StaggerGrid, component: StaggerStructure.Component) {
        self.grid = grid
        self.component = component
        let cmax = grid.capacities.max() ?? 1
        self.weights = grid.capacities.map { $0 / cmax }
        let h = grid.hyperSlots
        var terms: [[[(job: Int, offset: Int, share: Double)]]] = []
        var maxShare: [[Double]] = []
        for l in component.links {
            let c = grid.capacities[l]
            var rows = [[(job: Int, offset: Int, share: Double)]](repeating: [], count: h)
            var most = [Double](repeating: 0, count: h)
            for k in grid.jobsOnLink[l] {
                var best = [Double](repeating: 0, count: h)
                for o in component.allowed[k]! {
                    grid.forEachActiveSlot(job: k, offset: o) { tau, r in
                        rows[tau].append((k, o, r / c))
                        if r / c > best[tau] { best[tau] = r / c }
                    }
                }
                for tau in 0..<h { most[tau] += best[tau] }
            }
            terms.append(rows)
            maxShare.append(most)
        }
        self.terms = terms
        self.maxShare = maxShare
    }

    /// Excess (model units: capacity-weighted slots) and peak of the component.
    func evaluate(_ offsets: [Int]) -> (excess: Double, peak: Double) {
        var load = [[Double]](repeating: [Double](repeating: 0, count: grid.hyperSlots), count: component.links.count)
        let position = Dictionary(uniqueKeysWithValues: component.links.enumerated().map { ($1, $0) })
        for k in component.jobs {
            let links = grid.jobs[k].links.map { position[$0]! }
            grid.forEachActiveSlot(job: k, offset: offsets[k]) { tau, r in
                for i in links { load[i][tau] += r }
            }
        }
        var excess = 0.0, peak = 0.0
        for (i, l) in component.links.enumerated() {
            let c = grid.capacities[l]
            for v in load[i] {
                excess += weights[l] * StaggerGrid.over(v, c) / c
                peak = max(peak, v / c)
            }
        }
        return (excess, peak)
    }

    /// The offset-independent excess lower bound of the component, model units.
    func excessLowerBound() -> Double {
        var bound = 0.0
        for l in component.links {
            var bits = 0.0
            for k in grid.jobsOnLink[l] { bits += grid.jobs[k].bitsPerHyperPeriod }
            let capacityBits = grid.capacities[l] * Double(grid.hyperSlots) * grid.step
            bound += weights[l] * max(0, bits - capacityBits) / (grid.capacities[l] * grid.step)
        }
        return bound
    }

    /// A built model with its variable handles.
    struct Built {
        let model: Model
        let x: [Int: [(offset: Int, variable: VariableID)]]
        let e: [(link: Int, tau: Int, variable: VariableID, componentLink: Int)]
        let z: VariableID?
        let peakBound: Double
        let grid: StaggerGrid
        let component: StaggerStructure.Component

        /// A full assignment for `offsets` (must satisfy the restrictions).
        func warmStart(_ offsets: [Int]) -> [VariableID: Double] {
            var values: [VariableID: Double] = [:]
            for (k, vars) in x { for v in vars { values[v.variable] = v.offset == offsets[k] ? 1 : 0 } }
            var load: [Int: [Double]] = [:]
            for l in component.links { load[l] = [Double](repeating: 0, count: grid.hyperSlots) }
            for k in component.jobs {
                grid.forEachActiveSlot(job: k, offset: offsets[k]) { tau, r in
                    for l in grid.jobs[k].links { load[l]![tau] += r / grid.capacities[l] }
                }
            }
            var peak = 0.0
            for row in e { values[row.variable] = max(0, load[row.link]![row.tau] - 1) }
            for l in component.links { peak = max(peak, load[l]!.max() ?? 0) }
            if let z { values[z] = max(peak, peakBound) }
            return values
        }

        /// The offsets of a solution (other jobs' offsets from `base`).
        func offsets(_ result: SolveResult, into base: [Int]) -> [Int] {
            var o = base
            for (k, vars) in x {
                if let chosen = vars.max(by: { result.value($0.variable) < result.value($1.variable) }) { o[k] = chosen.offset }
            }
            return o
        }
    }

    /// Builds stage 1 (`stage2Budget == nil`) or stage 2.
    func build(stage2Budget: Double?, peakBound: Double) -> Built {
        let model = Model(name: stage2Budget == nil ? "stagger-excess" : "stagger-peak")
        var x: [Int: [(offset: Int, variable: VariableID)]] = [:]
        for k in component.jobs {
            let vars = component.allowed[k]!.map { o in (o, model.addVariable(.binary, name: "x[\(grid.jobs[k].name),\(o)]")) }
            x[k] = vars
            model.addConstraint(LinearExpression.sum(vars.map(\.1)), .equalTo(1), name: "one[\(grid.jobs[k].name)]")
        }
        for cls in component.classes {
            for (a, b) in zip(cls, cls.dropFirst()) {
                var expr = LinearExpression()
                for v in x[a]! where v.offset > 0 { expr.add(Double(v.offset), v.variable) }
                for v in x[b]! where v.offset > 0 { expr.add(-Double(v.offset), v.variable) }
                model.addConstraint(expr, .lessThanOrEqual(0), name: "order[\(grid.jobs[a].name),\(grid.jobs[b].name)]")
            }
        }
        // Offsets are looked up per term: index them.
        var index: [Int: [Int: VariableID]] = [:]
        for (k, vars) in x { index[k] = Dictionary(uniqueKeysWithValues: vars.map { ($0.offset, $0.variable) }) }
        var e: [(link: Int, tau: Int, variable: VariableID, componentLink: Int)] = []
        var objective = LinearExpression()
        var budget = LinearExpression()
        let z: VariableID? = stage2Budget == nil ? nil : model.addVariable(.continuous, lowerBound: peakBound, name: "peak")
        for (i, l) in component.links.enumerated() {
            for tau in 0..<grid.hyperSlots {
                let most = maxShare[i][tau]
                let needsExcess = most > 1 + StaggerGrid.excessTolerance
                let needsPeak = z != nil && most > peakBound + 1e-9
                guard needsExcess || needsPeak else { continue }
                var load = LinearExpression()
                load.reserveCapacity(terms[i][tau].count + 1)
                for t in terms[i][tau] { load.add(t.share, index[t.job]![t.offset]!) }
                if needsExcess {
                    let ev = model.addVariable(.continuous, lowerBound: 0, name: "e[\(grid.linkNames[l]),\(tau)]")
                    e.append((l, tau, ev, i))
                    var row = load
                    row.add(-1, ev)
                    model.addConstraint(row, .lessThanOrEqual(1), name: "excess[\(grid.linkNames[l]),\(tau)]")
                    objective.add(weights[l], ev)
                    budget.add(weights[l], ev)
                }
                if needsPeak, let z {
                    var row = load
                    row.add(-1, z)
                    model.addConstraint(row, .lessThanOrEqual(0), name: "peak[\(grid.linkNames[l]),\(tau)]")
                }
            }
        }
        if let budgetValue = stage2Budget, let z {
            if !budget.terms.isEmpty {
                model.addConstraint(budget, .lessThanOrEqual(budgetValue * (1 + 1e-7) + 1e-9), name: "excessBudget")
            }
            model.setObjective(LinearExpression(z), .minimize)
        } else {
            model.setObjective(objective, .minimize)
        }
        return Built(model: model, x: x, e: e, z: z, peakBound: peakBound, grid: grid, component: component)
    }
}
