import Foundation
import OptoCore
import OptoEval
import OptoGLPK
import OptoPlanners
import OptoTraffic

/// `optoplan-bench stagger`: aligned, greedy, ILP and evaluate-and-select on data-parallel
/// training mixes of 4 to 32 jobs on 1 to 8 links, then on the same-model set (several jobs of
/// one model sharing a link, and two 2-link cases with two models).
enum StaggerBench {
    /// The models of the mixes: OptoTraffic's catalogue (parameter counts
    /// and measured compute times with their sources; see
    /// datasets/README.md "Training workloads"): VGG16, ResNet-50,
    /// BERT-large, GPT-2 1.5B (its compute time is an assumption there).
    static let models = ["vgg16", "resnet50", "bert-large", "gpt2"].compactMap { ModelCatalog.profiles[$0] }

    /// 50 ms steps, as datasets/stagger/four-models.json: the four models'
    /// periods are then 4, 9, 12 and 39 steps (hyper-period 468 steps).
    static let step = 0.05
    /// Every job communicates at 100 Gb/s; links carry 100 Gb/s (two jobs
    /// collide) or 200 Gb/s (a third collides), per case.
    static let jobRate = 100e9

    /// A seeded mix of `jobs` jobs on `links` links. Each job is data
    /// parallel on 2 nodes of 8 GPUs, all-reducing fp32 gradients with a
    /// ring after its compute (OptoTraffic's `TrainingJob`), at 100 Gb/s.
    ///
    /// - `balanced`: each job goes to the link with the lowest mean load so
    ///   far, as a placement-aware but time-unaware scheduler would (the
    ///   CASSINI setting: links are not oversubscribed on average, yet
    ///   phases collide when iterations line up).
    /// - otherwise job `i` sits on link `i mod links`, and a quarter of the
    ///   jobs also span the next link (cross-rack).
    static func instance(jobs: Int, links: Int, capacity: Double, balanced: Bool, seed: UInt64) -> StaggerInstance {
        var rng = SplitMix(seed: seed)
        let linkList = (0..<links).map { StaggerInstance.Link(name: "link\($0)", capacity: capacity) }
        var meanLoad = [Double](repeating: 0, count: links)
        var jobList: [StaggerInstance.Job] = []
        for i in 0..<jobs {
            let m = models[Int(rng.next() % UInt64(models.count))]
            let spans = rng.next() % 4 == 0
            var first = i % links
            if balanced { first = meanLoad.indices.min { meanLoad[$0] < meanLoad[$1] }! }
            var used = [first]
            if !balanced, links > 1, spans { used.append((i + 1) % links) }
            let stagger = job(m, index: i, links: used.map { linkList[$0].name })
            let share = stagger.phases[0].duration * stagger.phases[0].rate / stagger.period / capacity
            for l in used { meanLoad[l] += share }
            jobList.append(stagger)
        }
        return StaggerInstance(step: step, links: linkList, jobs: jobList)
    }

    /// Job `i` of model `m`: data parallel on nodes `2i` and `2i + 1` (8
    /// GPUs each), ring all-reduce of fp32 gradients after its compute, at
    /// `jobRate`, on the grid of `step`.
    static func job(_ m: ModelProfile, index i: Int, links: [String]) -> StaggerInstance.Job {
        TrainingJob(name: "\(m.name)-\(i)", nodes: [2 * i, 2 * i + 1], ranksPerNode: 8,
                    pattern: .ringAllReduce(gradientBytes: m.gradientBytes), computeTime: m.computeTime,
                    rate: jobRate, links: links).staggerJob(step: step)
    }

    /// One link's mean load (fraction of `capacity`) from one job: its
    /// bits per period over the period at that capacity.
    static func meanShare(_ job: StaggerInstance.Job, capacity: Double) -> Double {
        job.phases.map { $0.duration * $0.rate }.reduce(0, +) / job.period / capacity
    }

    /// The same-model set: several data-parallel jobs of one model sharing
    /// links, as a hyper-parameter sweep or several teams training the same
    /// architecture do (CASSINI's testbed setting, and the issue's three
    /// identical jobs on one link). Built as the mixes are (`job`), no
    /// phase is set by hand.
    ///
    /// - One link of 100 or 200 Gb/s per catalogue model, with the largest
    ///   number of jobs whose mean load stays ≤ 1 (staggering can then in
    ///   principle remove every collision); kept when at least two jobs,
    ///   and more than the link carries, communicate at once when aligned.
    /// - Two links of 200 Gb/s with two models alternating: job `i` is of
    ///   the first model when `i` is even, on link `i mod 2`, and when
    ///   `i mod 4 == 3` also on the other link (cross-rack); jobs are added
    ///   until the next one would take a link's mean load above 1.
    static func sameModelCases() -> [(label: String, description: String, instance: StaggerInstance)] {
        var cases: [(label: String, description: String, instance: StaggerInstance)] = []
        for capacity in [100e9, 200e9] {
            for m in models {
                let link = StaggerInstance.Link(name: "link0", capacity: capacity)
                let share = meanShare(job(m, index: 0, links: [link.name]), capacity: capacity)
                let n = Int((1 / share + 1e-9).rounded(.down))
                guard n >= 2, Double(n) * jobRate > capacity * (1 + 1e-9) else { continue }
                let jobs = (0..<n).map { job(m, index: $0, links: [link.name]) }
                cases.append(("\(m.name)×\(n)/1l/\(Int(capacity / 1e9))G",
                              String(format: "%d %@ jobs on one link of %.0f Gb/s", n, m.name, capacity / 1e9),
                              StaggerInstance(step: step, links: [link], jobs: jobs)))
            }
        }
        let capacity = 200e9
        let links = (0..<2).map { StaggerInstance.Link(name: "link\($0)", capacity: capacity) }
        for pair in [["vgg16", "bert-large"], ["resnet50", "gpt2"]] {
            let ms = pair.compactMap { ModelCatalog.profiles[$0] }
            guard ms.count == 2 else { continue }
            var load = [0.0, 0.0]
            var jobs: [StaggerInstance.Job] = []
            while true {
                let i = jobs.count
                let used = i % 4 == 3 ? [i % 2, (i + 1) % 2] : [i % 2]
                let j = job(ms[i % 2], index: i, links: used.map { links[$0].name })
                let share = meanShare(j, capacity: capacity)
                if used.contains(where: { load[$0] + share > 1 + 1e-9 }) { break }
                for l in used { load[l] += share }
                jobs.append(j)
            }
            cases.append(("\(ms[0].name)+\(ms[1].name)×\(jobs.count)/2l/200G",
                          String(format: "%d jobs, %@ and %@ alternating, on two links of 200 Gb/s (every fourth cross-rack)",
                                 jobs.count, ms[0].name, ms[1].name),
                          StaggerInstance(step: step, links: links, jobs: jobs)))
        }
        return cases
    }

    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    struct Row {
        var method: String
        var plan: StaggerPlan
        var seconds: Double
        var evaluation: StaggerBenchEvaluation.Result?
    }

    static func run(_ arguments: [String]) {
        var timeLimit = 10.0
        var iterations = 20
        var selection = StaggerPlanner.SelectionOptions()
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--time-limit" where i + 1 < arguments.count: timeLimit = Double(arguments[i + 1]) ?? timeLimit; i += 1
            case "--iterations" where i + 1 < arguments.count: iterations = Int(arguments[i + 1]) ?? iterations; i += 1
            case "--evaluations" where i + 1 < arguments.count:
                selection.maxEvaluations = Int(arguments[i + 1]) ?? selection.maxEvaluations; i += 1
            default: print("usage: optoplan-bench stagger [--time-limit S] [--iterations N] [--evaluations N]"); return
            }
            i += 1
        }
        // Balanced placements (links loaded about evenly, the CASSINI
        // setting), then round-robin placements with cross-rack jobs.
        let cases: [(jobs: Int, links: Int, capacity: Double, balanced: Bool)] = [
            (4, 2, 100e9, true), (8, 4, 100e9, true), (16, 8, 100e9, true), (32, 8, 200e9, true),
            (4, 1, 200e9, false), (8, 2, 200e9, false), (16, 4, 200e9, false), (32, 8, 200e9, false),
        ]
        print("stagger: VGG16 / ResNet-50 / BERT-large / GPT-2 mixes (OptoTraffic catalogue), step \(Int(step * 1000)) ms, jobs at \(Int(jobRate / 1e9)) Gb/s, ILP time limit \(timeLimit) s, \(iterations) evaluated iterations")
        print("excess in Gbit per hyper-period; slowdown = evaluated mean (p99) iteration / isolated period")
        print(pad("case", 16) + pad("method", 10) + lpad("excess", 9) + lpad("peak", 7) + lpad("compat", 8)
              + lpad("mean", 8) + lpad("p99", 8) + lpad("time s", 9) + "  status")
        var greedyRatios: [(String, Double)] = []
        var greedy32Time = 0.0
        var speedups: [Gain] = []
        var ilp8: [(String, String, Double)] = []
        for (n, (jobs, links, capacity, balanced)) in cases.enumerated() {
            let inst = instance(jobs: jobs, links: links, capacity: capacity, balanced: balanced, seed: UInt64(1000 + n))
            let label = "\(jobs)j/\(links)l/\(Int(capacity / 1e9))G\(balanced ? "b" : "r")"
            // The busiest link's mean load over the hyper-period (offset-independent):
            // at most 1, staggering can in principle remove every collision.
            let meanLoad = busiestMeanLoad(inst)
            print(String(format: "-- %@: %d jobs on %d links of %.0f Gb/s (%@ placement), busiest link's mean load %.2f× capacity (%@)",
                         label, jobs, links, capacity / 1e9, balanced ? "balanced" : "round-robin", meanLoad, meanLoad <= 1 ? "contended" : "oversubscribed"))
            let (rows, selectedNote) = runCase(inst, label: label, timeLimit: timeLimit, iterations: iterations, selection: selection)
            let byName = Dictionary(rows.map { ($0.method, $0) }, uniquingKeysWith: { a, _ in a })
            if let g = byName["greedy"], let x = byName["ilp"], let ge = g.plan.metrics.excess, let xe = x.plan.metrics.excess {
                greedyRatios.append((label, xe > 0 ? ge / xe : (ge > 0 ? .infinity : 1)))
                if jobs == 32 { greedy32Time = max(greedy32Time, g.seconds) }
                if jobs == 8 {
                    let peakOnly = (x.plan.notes ?? []).contains { $0.hasPrefix("the excess is optimal") }
                    ilp8.append((label, x.plan.status.rawValue + (peakOnly ? " (excess proven optimal, peak tie-break not)" : ""), x.seconds))
                }
            }
            if !selectedNote.isEmpty { print(pad(label, 16) + selectedNote) }
            // Solver trouble (a numerical failure, a refused warm start) would hide behind a "feasible" status.
            for note in (byName["ilp"]?.plan.notes ?? []) where note.contains("stopped") || note.contains("rejected") {
                print(pad(label, 16) + "ilp note: " + note)
            }
            if meanLoad <= 1, let g = gain(inst, rows: rows, label: label, iterations: iterations) { speedups.append(g) }
        }
        // The same-model set (CASSINI's testbed setting).
        print("")
        print("same-model set: several jobs of one model sharing links (sweeps, teams training one architecture); contended =")
        print("every link's mean load ≤ 1 and the aligned plan over capacity")
        var sameModel: [Gain] = []
        for c in sameModelCases() {
            let meanLoad = busiestMeanLoad(c.instance)
            let alignedExcess = (try? StaggerPlanner.plan(c.instance, method: .aligned))?.metrics.excess ?? 0
            let contended = meanLoad <= 1 + 1e-9 && alignedExcess > 0
            print(String(format: "-- %@: %@, busiest link's mean load %.2f× capacity, aligned excess %.0f Gbit (%@)",
                         c.label, c.description, meanLoad, alignedExcess / 1e9, contended ? "contended" : "not contended"))
            let (rows, selectedNote) = runCase(c.instance, label: c.label, timeLimit: timeLimit, iterations: iterations,
                                               selection: selection, labelWidth: 28)
            if !selectedNote.isEmpty { print(pad(c.label, 28) + selectedNote) }
            if contended, let g = gain(c.instance, rows: rows, label: c.label, iterations: iterations) { sameModel.append(g) }
        }
        print("")
        print("targets:")
        for (label, status, seconds) in ilp8 {
            let proven = status == PlanStatus.optimal.rawValue
            print("  ILP on \(label): " + (proven ? "proven optimal (excess and peak tie-break) after" : "\(status), not proven, after")
                  + " \(String(format: "%.2f", seconds)) s (target: optimal within 10 s)")
        }
        for (label, ratio) in greedyRatios {
            print("  greedy/ILP excess on \(label): \(ratio.isFinite ? String(format: "%.3f", ratio) : "inf (ILP 0)") (target ≤ 1.10)")
        }
        print("  greedy time at 32 jobs: \(String(format: "%.4f", greedy32Time)) s (target < 0.1 s)")
        if speedups.isEmpty {
            print("  evaluated iteration times: evaluator not available")
        } else {
            print("  evaluated mean slowdown (mean over jobs of mean iteration / isolated period) on the contended cases")
            print("  (busiest link's mean load ≤ 1); gain = aligned / selected; ceiling = aligned's slowdown, the gain")
            print("  if every job ran at its isolated period (no plan can do better):")
            printGains(speedups, iterations: iterations)
        }
        if !sameModel.isEmpty {
            print("  same-model set, contended cases (every link's mean load ≤ 1, aligned over capacity), same columns:")
            printGains(sameModel, iterations: iterations)
        }
    }

    /// A case's gain from its aligned and selected rows, with the same two
    /// plans evaluated over twice the iterations.
    static func gain(_ inst: StaggerInstance, rows: [Row], label: String, iterations: Int) -> Gain? {
        guard let a = rows.first(where: { $0.method == "aligned" }), let sel = rows.first(where: { $0.method == "selected" }),
              let ae = a.evaluation, let se = sel.evaluation else { return nil }
        // The same two plans over twice the iterations: how much of
        // the gain is a start-up transient the selection tuned to.
        let longer = [a.plan, sel.plan].map { StaggerBenchEvaluation.evaluate(inst, $0, iterations: 2 * iterations)?.meanSlowdown }
        let gainLonger = longer[0].flatMap { x in longer[1].map { x / $0 } }
        return Gain(label: label, aligned: ae.meanSlowdown, selected: se.meanSlowdown,
                    excessOptimal: rows.first { $0.method == "ilp" }?.evaluation?.meanSlowdown, longer: gainLonger)
    }

    /// One line per case (aligned, ilp, selected, gain, ceiling, gain at
    /// twice the iterations), then the means over the set.
    static func printGains(_ speedups: [Gain], iterations: Int) {
        let width = max(14, (speedups.map(\.label.count).max() ?? 0) + 1)
        print("    " + pad("case", width) + lpad("aligned", 8) + lpad("ilp", 8) + lpad("selected", 9) + lpad("gain", 7)
              + lpad("ceiling", 8) + lpad("gain@\(2 * iterations)it", 11))
        for g in speedups {
            print("    " + pad(g.label, width) + lpad(String(format: "%.3f", g.aligned), 8)
                  + lpad(g.excessOptimal.map { String(format: "%.3f", $0) } ?? "-", 8)
                  + lpad(String(format: "%.3f", g.selected), 9) + lpad(String(format: "%.3f", g.gain), 7)
                  + lpad(String(format: "%.3f", g.aligned), 8) + lpad(g.longer.map { String(format: "%.3f", $0) } ?? "-", 11))
        }
        let n = Double(speedups.count)
        let meanGain = speedups.map(\.gain).reduce(0, +) / n
        let meanCeiling = speedups.map(\.aligned).reduce(0, +) / n
        let longer = speedups.compactMap(\.longer)
        print(String(format: "  mean gain %.3f× (target ≥ 1.3×), mean ceiling %.3f×, best single case %.3f× (ceiling %.3f×)%@",
                     meanGain, meanCeiling, speedups.map(\.gain).max() ?? 0,
                     speedups.max { $0.gain < $1.gain }?.aligned ?? 0,
                     longer.count == speedups.count ? String(format: "; at %d iterations %.3f×", 2 * iterations, longer.reduce(0, +) / n) : ""))
    }

    /// Plans one case with aligned, greedy and the ILP, the ILP plan with
    /// the `colliding-first` order, and evaluate-and-select from the ILP and
    /// greedy plans; evaluates each and prints one row per method.
    static func runCase(_ inst: StaggerInstance, label: String, timeLimit: Double, iterations: Int,
                        selection: StaggerPlanner.SelectionOptions, labelWidth: Int = 16) -> (rows: [Row], selectedNote: String) {
        var rows: [Row] = []
        for method in [StaggerMethod.aligned, .greedy, .ilp] {
            var options = PlanningOptions()
            options.timeLimit = timeLimit
            options.solver = GLPKSolver()
            let start = Date()
            guard let plan = try? StaggerPlanner.plan(inst, method: method, options: options, priorities: false) else {
                print(pad(label, labelWidth) + pad(method.rawValue, 10) + "  failed"); continue
            }
            let seconds = Date().timeIntervalSince(start)
            rows.append(Row(method: method.rawValue, plan: plan, seconds: seconds,
                            evaluation: StaggerBenchEvaluation.evaluate(inst, plan, iterations: iterations)))
        }
        // The best plan with a priority order, for the evaluator to apply.
        if let best = rows.last {
            var withPriorities = best.plan
            if let grid = try? StaggerGrid(inst), let slots = try? grid.offsetSlots(best.plan.offsets) {
                withPriorities.priorities = StaggerPlanner.priorityOrder(grid, score: grid.score(offsets: slots))
                rows.append(Row(method: best.method + "+prio", plan: withPriorities, seconds: best.seconds,
                                evaluation: StaggerBenchEvaluation.evaluate(inst, withPriorities, iterations: iterations)))
            }
        }
        // Evaluate and select: the ILP and greedy plans with each
        // priority rule, then local search on the evaluated slowdown.
        var selectedNote = ""
        if let scorer = try? StaggerSlowdownScorer(inst, iterations: iterations) {
            let plans = ["ilp", "greedy"].compactMap { name in rows.first { $0.method == name }?.plan }
            let start = Date()
            if let chosen = try? StaggerPlanner.select(inst, from: plans, cost: scorer.meanSlowdown, options: selection) {
                let seconds = Date().timeIntervalSince(start)
                rows.append(Row(method: "selected", plan: chosen.plan, seconds: seconds,
                                evaluation: StaggerBenchEvaluation.evaluate(inst, chosen.plan, iterations: iterations)))
                let winner = chosen.candidates.min { $0.cost < $1.cost }?.label ?? "?"
                selectedNote = "selected: from \(winner), \(chosen.moves) local-search move(s), \(chosen.evaluations) evaluations"
            }
        }
        printRows(rows, label: label, width: labelWidth)
        return (rows, selectedNote)
    }

    static func printRows(_ rows: [Row], label: String, width: Int) {
        for r in rows {
            let m = r.plan.metrics
            let status = r.plan.status.rawValue + (m.gap.map { String(format: " gap %.1f%%", 100 * $0) } ?? "")
            print(pad(label, width) + pad(r.method, 10) + lpad(String(format: "%.2f", (m.excess ?? 0) / 1e9), 9)
                  + lpad(String(format: "%.2f", m.peak ?? 0), 7) + lpad(String(format: "%.3f", m.compatibility ?? 0), 8)
                  + lpad(r.evaluation.map { String(format: "%.3f", $0.meanSlowdown) } ?? "-", 8)
                  + lpad(r.evaluation.map { String(format: "%.3f", $0.p99Slowdown) } ?? "-", 8)
                  + lpad(String(format: "%.3f", r.seconds), 9) + "  " + status)
        }
    }

    /// One contended case's evaluated mean slowdowns.
    struct Gain {
        var label: String
        var aligned: Double
        var selected: Double
        /// The ILP plan's (excess-optimal, no priorities).
        var excessOptimal: Double?
        /// aligned / selected over twice the iterations.
        var longer: Double?
        var gain: Double { aligned / selected }
    }

    /// The largest, over links, of the mean load over the hyper-period / capacity.
    static func busiestMeanLoad(_ inst: StaggerInstance) -> Double {
        guard let grid = try? StaggerGrid(inst) else { return 0 }
        var most = 0.0
        for l in 0..<grid.linkCount {
            var bits = 0.0
            for k in grid.jobsOnLink[l] { bits += grid.jobs[k].bitsPerHyperPeriod }
            let capacityBits = Double(grid.hyperSlots) * grid.step * grid.capacities[l]
            most = max(most, bits / capacityBits)
        }
        return most
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    static func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s }
}

/// The evaluator's job simulation, reduced to the figures the benchmark prints.
enum StaggerBenchEvaluation {
    struct Result {
        /// Mean over jobs of mean iteration / isolated period.
        var meanSlowdown: Double
        /// Largest p99 iteration / isolated iteration over jobs.
        var p99Slowdown: Double
        /// Mean over jobs of the mean iteration time, seconds.
        var meanIteration: Double
    }

    static func evaluate(_ instance: StaggerInstance, _ plan: StaggerPlan, iterations: Int) -> Result? {
        guard let metrics = try? Evaluator.evaluate(plan, on: instance, iterations: iterations),
              let jobs = metrics.jobs, !jobs.isEmpty else { return nil }
        let n = Double(jobs.count)
        let meanSlowdown = jobs.values.map(\.slowdown).reduce(0, +) / n
        let p99 = jobs.values.map { $0.isolatedIteration > 0 ? $0.p99Iteration / $0.isolatedIteration : 1 }.max() ?? 1
        let meanIteration = jobs.values.map(\.meanIteration).reduce(0, +) / n
        return Result(meanSlowdown: meanSlowdown, p99Slowdown: p99, meanIteration: meanIteration)
    }
}
