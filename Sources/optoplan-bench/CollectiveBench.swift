import Foundation
import OptoCore
import OptoEval
import OptoGLPK
import OptoPlanners

/// `optoplan-bench collective [--sizes 8,16,32,64] [--free-sizes 16,64,256,1024] [--seeds K] [--time-limit S] [--drain-model-above N] [--judge-up-to N]`:
/// the collective planner against its bound and the rank-order baseline.
///
/// - Given circuits: `k`-regular circuit graphs (the union of `k` random
///   Hamiltonian cycles, so a Hamiltonian cycle exists), then the same
///   graphs with 10 % of the circuits failed; one AllReduce over every
///   node, no packet fabric, `maxHops` 4. Ratio of `matched` to the bound
///   and to `fixed`, to the damaged graph's own degree bound, and on
///   damaged graphs to `ilp`'s ring orders (`--ilp-sizes`, default 8–32)
///   and to `auto` (`--auto-sizes`, default 8–16; it tries `ilp` and, up
///   to 8 nodes, every ring order), evaluated; `--detail` prints every
///   instance to standard error.
/// - Free circuits: one job with a data-parallel AllReduce over all nodes
///   and expert-parallel alltoalls over groups of 8 (4 MB and 64 MB per
///   pair); `k` = 4 and 8 ports; packet fabric 0 and 10 % of a node's
///   circuit rate. Job time over the
///   bound for `fixed`, `matched`, `auto`; the AllReduce alone for
///   `matched`; CPU seconds of planning. Times come from the evaluator at
///   every size (`--drain-model-above N`: from the planner's drain model
///   above `N` nodes); `auto`'s judge is the evaluator up to
///   `--judge-up-to N` nodes (default 256; never above `--drain-model-above`) and the drain model above (its
///   other port splits can take the evaluator minutes at 1 024 nodes).
enum CollectiveBench {
    static func run(_ args: [String]) {
        func value(_ flag: String) -> String? { args.firstIndex(of: flag).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil } }
        let sizes = (value("--sizes") ?? "8,16,32,64").split(separator: ",").compactMap { Int($0) }
        let freeSizes = (value("--free-sizes") ?? "16,64,256,1024").split(separator: ",").compactMap { Int($0) }
        let seeds = Int(value("--seeds") ?? "3") ?? 3
        let limit = Double(value("--time-limit") ?? "10") ?? 10
        let options = PlanningOptions(timeLimit: limit, solver: GLPKSolver())
        let ilpSizes = Set((value("--ilp-sizes") ?? "8,16,32").split(separator: ",").compactMap { Int($0) })
        let autoSizes = Set((value("--auto-sizes") ?? "8,16").split(separator: ",").compactMap { Int($0) })
        given(sizes: sizes, seeds: seeds, options: options, ilpSizes: ilpSizes, autoSizes: autoSizes, detail: args.contains("--detail"))
        free(sizes: freeSizes, options: options, evaluatorUpTo: Int(value("--drain-model-above") ?? "") ?? .max,
             judgeUpTo: Int(value("--judge-up-to") ?? "") ?? 256)
    }

    static func cpu() -> Double { EvalBench.processCPUSeconds() }

    static func evaluated(_ plan: CollectivePlan, _ instance: CollectiveInstance) -> Double {
        (try? Evaluator.evaluate(plan, on: instance).makespan ?? .infinity) ?? .infinity
    }

    /// The damaged graph's own bound (p = 0): every node sends and receives
    /// `2(m−1)·S/m` over the circuits it has left, so no ring order beats
    /// `8·2(m−1)·S/m / (min(out, in circuits)·r_c)` at its worst node.
    static func degreeBound(_ instance: CollectiveInstance) -> Double {
        let n = instance.fabric.nodes
        var out = Array(repeating: 0, count: n), inn = out
        for c in instance.current ?? [] { out[c.from] += 1; inn[c.to] += 1 }
        var worst = 0.0
        for job in instance.jobs {
            for c in job.collectives {
                for u in c.group {
                    let d = min(out[u], inn[u])
                    worst = max(worst, d > 0 ? 8 * c.bytesSentPerRank / (Double(d) * instance.fabric.circuitRate) : .infinity)
                }
            }
        }
        return worst
    }

    static func given(sizes: [Int], seeds: Int, options: PlanningOptions, ilpSizes: Set<Int>, autoSizes: Set<Int>, detail: Bool) {
        print("Given circuits: k-regular graphs (k random Hamiltonian cycles), one AllReduce over all nodes, p = 0, maxHops 4")
        print("graph bound: 8·2(m−1)·S/m over (fewest circuits left at a node)·r_c, what no ring order on the damaged graph beats")
        print("no plan: seeds on which no ring order finishes (a node without circuits, or ilp proves none); the other columns are over the rest")
        print("| N | k | graph | no plan | matched/bound mean | worst | matched/graph bound worst | fixed/matched mean | matched/ilp worst | ilp solved | ilp CPU s mean / wall s max | matched/auto worst | matched CPU s | matched wall s |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for n in sizes {
            for k in [2, 4] {
                for damaged in [false, true] {
                    var toBound: [Double] = [], toGraph: [Double] = [], overFixed: [Double] = [], toAuto: [Double] = [], toILP: [Double] = []
                    var cpuMatched = 0.0, wallMatched = 0.0, cpuILP = 0.0, wallILP = 0.0, ilpRuns = 0, ilpSolved = 0, noPlan = 0, fixedStuck = 0
                    for seed in 0..<seeds {
                        var rng = LinkPoolBench.RNG(state: UInt64(1000 * n + 10 * k + seed))
                        var circuits: [Circuit] = []
                        for _ in 0..<k {
                            let order = Array(0..<n).shuffled(using: &rng)
                            for i in 0..<n { circuits.append(Circuit(order[i], order[(i + 1) % n])) }
                        }
                        if damaged {
                            circuits.shuffle(using: &rng)
                            circuits.removeLast(max(1, circuits.count / 10))
                        }
                        let instance = CollectiveInstance(fabric: Fabric(nodes: n, ports: k, circuitRate: 100e9, packetRate: 0, reconfigurationDelay: 1e-5),
                                                          maxHops: 4, current: circuits, reconfigure: false,
                                                          jobs: [CollectiveJob(name: "j", collectives: [Collective(name: "ar", kind: .allreduce, group: Array(0..<n), bytes: 1e9)])])
                        let c0 = cpu(), w0 = ContinuousClock.now
                        guard let matched = try? CollectivePlanner.plan(instance, method: .matched, options: options) else { continue }
                        cpuMatched += cpu() - c0
                        let w = w0.duration(to: ContinuousClock.now)
                        wallMatched += Double(w.components.seconds) + Double(w.components.attoseconds) * 1e-18
                        let fixed = try! CollectivePlanner.plan(instance, method: .fixed)
                        let tm = evaluated(matched, instance), tf = evaluated(fixed, instance)
                        let bound = instance.jobLowerBounds(startDelay: 0)[0]
                        let graph = degreeBound(instance)
                        var line = String(format: "N %d k %d %@ seed %d: matched/bound %.4f graph bound/bound %.4f rings %d", n, k, damaged ? "damaged" : "intact", seed,
                                          tm / bound, graph / bound, matched.rings["j/ar"]?.count ?? 0)
                        var impossible = !graph.isFinite
                        var ti = Double.nan
                        if damaged && ilpSizes.contains(n) {
                            let c1 = cpu(), w1 = ContinuousClock.now
                            let ilp = try? CollectivePlanner.plan(instance, method: .ilp, options: options)
                            cpuILP += cpu() - c1
                            let w = w1.duration(to: ContinuousClock.now)
                            wallILP = max(wallILP, Double(w.components.seconds) + Double(w.components.attoseconds) * 1e-18)
                            ilpRuns += 1
                            if let ilp, ilp.status != .infeasible {
                                if ilp.status == .optimal { ilpSolved += 1 }
                                ti = evaluated(ilp, instance)
                                line += String(format: "; ilp %@ %.4f (model %.4f, bound %.4f) in %.1f CPU s", ilp.status.rawValue, ti / bound,
                                               (ilp.metrics.time ?? .nan) / bound, (ilp.metrics.bound ?? .nan) / bound, cpu() - c1)
                            } else if ilp?.status == .infeasible {
                                ilpSolved += 1
                                impossible = true
                                line += "; ilp: no ring order exists"
                            } else {
                                line += "; ilp no plan"
                            }
                        }
                        if detail { FileHandle.standardError.write((line + "\n").data(using: .utf8)!) }
                        // A graph on which no ring order can finish (a node without circuits, or ilp's proof) counts apart.
                        if impossible { noPlan += 1; continue }
                        toBound.append(tm / bound)
                        toGraph.append(tm / graph)
                        if tf.isFinite { overFixed.append(tf / tm) } else { fixedStuck += 1 }
                        if ti.isFinite { toILP.append(tm / ti) }
                        if damaged && autoSizes.contains(n) {
                            let judge: @Sendable (CollectivePlan) -> [Double]? = { p in (try? Evaluator.evaluate(p, on: instance)).flatMap { $0.makespan }.map { [$0] } }
                            if let auto = try? CollectivePlanner.plan(instance, method: .auto, options: options, judge: judge) {
                                toAuto.append(tm / evaluated(auto, instance))
                            }
                        }
                    }
                    let mean = { (xs: [Double]) in xs.isEmpty ? Double.nan : xs.reduce(0, +) / Double(xs.count) }
                    func worst(_ xs: [Double]) -> String { xs.isEmpty ? "–" : String(format: "%.4f", xs.max()!) }
                    func meanCell(_ xs: [Double]) -> String { xs.isEmpty ? "–" : String(format: "%.4f", mean(xs)) }
                    let ilpCell = ilpRuns == 0 ? "–" : "\(ilpSolved)/\(ilpRuns)"
                    let ilpCPU = ilpRuns == 0 ? "–" : String(format: "%.1f / %.1f", cpuILP / Double(ilpRuns), wallILP)
                    let fixedCell = (overFixed.isEmpty ? "–" : String(format: "%.3f", mean(overFixed))) + (fixedStuck > 0 ? " (\(fixedStuck) inf)" : "")
                    print(String(format: "| %d | %d | %@ | %d | %@ | %@ | %@ | %@ | %@ | %@ | %@ | %@ | %.3f | %.3f |", n, k, damaged ? "10% failed" : "intact", noPlan,
                                 meanCell(toBound), worst(toBound), worst(toGraph), fixedCell, worst(toILP), ilpCell, ilpCPU, worst(toAuto),
                                 cpuMatched / Double(max(1, seeds)), wallMatched / Double(max(1, seeds))))
                }
            }
        }
        print("")
    }

    static func free(sizes: [Int], options: PlanningOptions, evaluatorUpTo: Int, judgeUpTo: Int) {
        print("Free circuits: one job, AllReduce over all nodes (1 GB) + alltoalls over groups of 8 (S per pair); r_c = 100 Gb/s")
        print("most any plan gains = 1 − bound/fixed: no plan can be faster than the bound")
        print("| N | k | p | a2a S | AllReduce alone matched/bound | fixed/bound | matched/bound | auto/bound | auto faster than fixed | most any plan gains | CPU s fixed / matched / auto | wall s auto | times from |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for n in sizes {
            for k in [4, 8] {
                for (p, a2a) in [(0.0, 4e6), (0.1 * Double(k) * 100e9, 4e6), (0.0, 64e6), (0.1 * Double(k) * 100e9, 64e6)] {
                    let fabric = Fabric(nodes: n, ports: k, circuitRate: 100e9, packetRate: p, reconfigurationDelay: 1e-5)
                    let ar = Collective(name: "dp", kind: .allreduce, group: Array(0..<n), bytes: 1e9)
                    var mixed = [ar]
                    for g in stride(from: 0, to: n, by: 8) { mixed.append(Collective(name: "ep\(g / 8)", kind: .alltoall, group: Array(g..<min(n, g + 8)), bytes: a2a)) }
                    let alone = CollectiveInstance(fabric: fabric, maxHops: 4, jobs: [CollectiveJob(name: "j", collectives: [ar])])
                    let instance = CollectiveInstance(fabric: fabric, maxHops: 4, jobs: [CollectiveJob(name: "j", collectives: mixed)])
                    let useEvaluator = n <= evaluatorUpTo
                    func time(_ plan: CollectivePlan, _ i: CollectiveInstance) -> Double {
                        useEvaluator ? evaluated(plan, i) : CollectiveTimeModel(i).time(circuits: plan.circuits, rings: plan.rings)
                    }
                    let evaluatorJudge: @Sendable (CollectivePlan) -> [Double]? = { plan in
                        (try? Evaluator.evaluate(plan, on: instance)).flatMap { $0.makespan }.map { [$0] }
                    }
                    let judge = useEvaluator && n <= judgeUpTo ? evaluatorJudge : nil
                    let aloneMatched = try! CollectivePlanner.plan(alone, method: .matched)
                    var c = cpu()
                    let fixed = try! CollectivePlanner.plan(instance, method: .fixed)
                    let cf = cpu() - c; c = cpu()
                    let matched = try! CollectivePlanner.plan(instance, method: .matched)
                    let cm = cpu() - c; c = cpu()
                    let wall0 = ContinuousClock.now
                    let auto = try! CollectivePlanner.plan(instance, method: .auto, options: options, judge: judge)
                    let ca = cpu() - c
                    let wall = wall0.duration(to: ContinuousClock.now)
                    let wa = Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18
                    let bound = instance.jobLowerBounds(startDelay: fabric.reconfigurationDelay)[0]
                    let boundAlone = alone.jobLowerBounds(startDelay: fabric.reconfigurationDelay)[0]
                    let tf = time(fixed, instance), tm = time(matched, instance), ta = time(auto, instance)
                    print(String(format: "| %d | %d | %.0f Gb/s | %.0f MB | %.4f | %.3f | %.3f | %.3f | %.1f%% | %.1f%% | %.3f / %.3f / %.3f | %.2f | %@ |", n, k, p / 1e9, a2a / 1e6,
                                 time(aloneMatched, alone) / boundAlone, tf / bound, tm / bound, ta / bound, 100 * (1 - ta / tf),
                                 100 * (1 - bound / tf), cf, cm, ca, wa, !useEvaluator ? "drain model" : judge == nil ? "evaluator (auto picks by the drain model)" : "evaluator"))
                }
            }
        }
    }
}
