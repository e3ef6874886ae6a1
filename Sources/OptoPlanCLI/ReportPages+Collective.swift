import ArgumentParser
import Foundation
import OptoCore
import OptoEval
import OptoPlanners
import OptoTraffic

extension ReportBuilder {
    // MARK: Collective plans: circuit graph, rings, step timeline

    /// The circuit graph with nodes on a circle: every circuit a grey
    /// arrow; every ring hop a coloured arrow (ring `r` in colour `r`),
    /// solid when a circuit joins its ends, dashed when it is relayed or
    /// goes over the packet fabric. Parallel ring hops are offset sideways.
    static func ringSVG(_ instance: CollectiveInstance, _ plan: CollectivePlan, title: String) -> String {
        let n = instance.fabric.nodes
        var c = SVGChart(width: 720, height: 380, left: 0, right: 0, top: 36, bottom: 10)
        let cx = 260.0, cy = 200.0, radius = 150.0
        func at(_ i: Int) -> (Double, Double) {
            let a = 2 * Double.pi * Double(i) / Double(max(n, 1)) - Double.pi / 2
            return (cx + radius * cos(a), cy + radius * sin(a))
        }
        let direct = Set(plan.circuits.map { $0.from * n + $0.to })
        func arrow(_ u: Int, _ v: Int, offset: Double, colour: String, width: Double, dash: String?) {
            let (x1, y1) = at(u), (x2, y2) = at(v)
            let dx = x2 - x1, dy = y2 - y1, len = max(hypot(dx, dy), 1e-9)
            let (ux, uy) = (dx / len, dy / len), (px, py) = (-dy / len, dx / len)
            let shrink = 13.0
            let (ax, ay) = (x1 + ux * shrink + px * offset, y1 + uy * shrink + py * offset)
            let (bx, by) = (x2 - ux * shrink + px * offset, y2 - uy * shrink + py * offset)
            c.line(ax, ay, bx, by, stroke: colour, width: width, dash: dash)
            // Arrow head.
            let h = 7.0
            c.add("<polygon points=\"\(SVGChart.f(bx)),\(SVGChart.f(by)) \(SVGChart.f(bx - ux * h + px * h / 2)),\(SVGChart.f(by - uy * h + py * h / 2)) \(SVGChart.f(bx - ux * h - px * h / 2)),\(SVGChart.f(by - uy * h - py * h / 2))\" fill=\"\(colour)\"/>")
        }
        var seen: [Int: Int] = [:]
        for e in plan.circuits {
            let k = seen[e.from * n + e.to, default: 0]
            seen[e.from * n + e.to] = k + 1
            arrow(e.from, e.to, offset: 2 + 3 * Double(k), colour: "#c8c8c8", width: 1.2, dash: nil)
        }
        var legend: [(String, String)] = [("circuit", "#c8c8c8")]
        var ringIndex = 0
        for job in instance.jobs {
            for coll in job.collectives where coll.kind == .allreduce {
                let key = CollectiveInstance.key(job: job.name, collective: coll.name)
                for ring in plan.rings[key] ?? [] {
                    let colour = SVGChart.colour(ringIndex)
                    let m = ring.order.count
                    for i in 0..<m {
                        let u = ring.order[i], v = ring.order[(i + 1) % m]
                        arrow(u, v, offset: 6 + 3 * Double(ringIndex), colour: colour, width: 2,
                              dash: direct.contains(u * n + v) ? nil : "5,3")
                    }
                    legend.append(("\(key) ring \(ringIndex + 1)", colour))
                    ringIndex += 1
                }
            }
        }
        for i in 0..<n {
            let (x, y) = at(i)
            c.add("<circle cx=\"\(SVGChart.f(x))\" cy=\"\(SVGChart.f(y))\" r=\"11\" fill=\"white\" stroke=\"#444\"/>")
            c.text("\(i)", x: x, y: y + 4, size: 11)
        }
        c.text(title, x: 10, y: 20, anchor: "start", size: 12, weight: "bold")
        // Legend on the right, one entry a row.
        for (k, (name, colour)) in legend.prefix(14).enumerated() {
            let y = 60 + 18 * Double(k)
            c.rect(x: 470, y: y, w: 12, h: 12, fill: colour)
            c.text(name, x: 488, y: y + 10, anchor: "start", size: 11)
        }
        c.text("dashed: no circuit joins the ends (relayed)", x: 470, y: 60 + 18 * Double(min(legend.count, 14)) + 10, anchor: "start", size: 11)
        return c.svg(title: title)
    }

    /// One bar per collective from the start to its evaluated end, cut
    /// into its steps. Every step of an allreduce has the same transfers,
    /// so a collective running alone takes equal steps: the cuts are at the
    /// evaluator's time over the step count (the mean step when
    /// collectives share resources).
    static func stepTimelineSVG(_ instance: CollectiveInstance, _ eval: EvaluationMetrics, start: Double, title: String, end: Double) -> String {
        var rows: [(String, Collective, Double)] = []
        for job in instance.jobs {
            for coll in job.collectives {
                if let t = eval.collectiveJobs?[job.name]?.collectives[coll.name]?.time { rows.append(("\(job.name)/\(coll.name)", coll, t)) }
            }
        }
        let shown = Array(rows.prefix(24))
        let rowH = 22.0
        var c = SVGChart(width: 720, height: 30 + 48 + rowH * Double(max(shown.count, 1)), left: 130)
        let (fx, _) = c.axes(x: 0...max(end * 1e3, 1e-9), y: 0...1, xTitle: "time (ms)", yTitle: "", yLabel: { _ in "" })
        for (r, (name, coll, t)) in shown.enumerated() {
            let y = c.top + Double(r) * rowH
            c.text(name, x: c.left - 6, y: y + rowH / 2 + 4, anchor: "end", size: 11)
            let steps = max(coll.steps, 1)
            let step = (t - start) / Double(steps)
            for s in 0..<steps {
                let a = start + Double(s) * step
                c.rect(x: fx(a * 1e3), y: y + 3, w: fx((a + step) * 1e3) - fx(a * 1e3), h: rowH - 6,
                       fill: SVGChart.colour(s % 2 == 0 ? 0 : 5), stroke: "white",
                       title: "\(name) step \(s + 1) of \(steps): \(String(format: "%.4g", a * 1e3))–\(String(format: "%.4g", (a + step) * 1e3)) ms")
            }
        }
        if start > 0 {
            c.rect(x: fx(0), y: c.top, w: fx(start * 1e3) - fx(0), h: rowH * Double(shown.count), fill: "#bbbbbb", title: "δ: the circuits are set up", opacity: 0.5)
        }
        c.text(title, x: 10, y: 18, anchor: "start", size: 12, weight: "bold")
        return c.svg(title: title)
    }

    func collectiveRings() throws(ExitCode) -> String {
        var body = """
        <p>Collective plans (PROBLEMS.md §4). The circuit graph is drawn with every node on a circle: grey arrows are
        circuits, coloured arrows the hops of each AllReduce ring, dashed where no circuit joins the hop's ends, so the
        transfer is relayed over several circuits (or sent over the packet fabric). Below each graph, the per-step
        timeline from the evaluator: one bar per collective, cut into its synchronous steps (each allreduce step has the
        same transfers, so the cuts are the evaluator's time over the step count; exact for a collective running alone).</p>
        """
        var cases: [(String, CollectiveInstance, [String])] = []
        let file = "collective/five-servers-ring.json"
        if FileManager.default.fileExists(atPath: datasets.appendingPathComponent(file).path) {
            if case .collective(let c) = try load(file) { cases.append(("\(datasetsLabel)/\(file)", c, ["fixed", "matched"])) }
        } else {
            body += "<p class=\"note\">\(SVGChart.escape(datasetsLabel))/\(file) is not in the datasets directory: the reference case is left out.</p>\n"
        }
        // Given circuits that are the union of four Hamiltonian cycles (seeded): matched finds four disjoint rings.
        var rng = SeededGenerator(seed: 42)
        var circuits: [Circuit] = []
        for _ in 0..<4 {
            var order = Array(0..<8)
            for i in stride(from: 7, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            for i in 0..<8 { circuits.append(Circuit(order[i], order[(i + 1) % 8])) }
        }
        let union = CollectiveInstance(fabric: Fabric(nodes: 8, ports: 4, circuitRate: 100e9, packetRate: 0, reconfigurationDelay: 1e-5),
                                       maxHops: 4, current: circuits, reconfigure: false,
                                       jobs: [CollectiveJob(name: "j", collectives: [Collective(name: "dp", kind: .allreduce, group: Array(0..<8), bytes: 1e9)])])
        cases.append(("8 nodes, 4 ports, given circuits: the union of 4 random Hamiltonian cycles", union, ["fixed", "matched"]))
        for (label, instance, methods) in cases {
            body += "<h2>\(SVGChart.escape(label))</h2>\n"
            body += "<p>\(instance.fabric.nodes) nodes, \(instance.fabric.ocsPortsPerNode.max() ?? 0) port(s) each, circuits of \(Quantity.format(instance.fabric.circuitRate, as: .rate)), "
                + "packet fabric \(Quantity.format(instance.fabric.packetRate.max() ?? 0, as: .rate)), maxHops \(instance.maxHops), "
                + (instance.reconfigure ? "circuits chosen by the plan" : "circuits as given") + ".</p>\n"
            var rows: [[String]] = []
            var drawn: [(String, CollectivePlan, EvaluationMetrics?)] = []
            for method in methods {
                guard case .collective(let p) = try plan(.collective(instance), method) else { continue }
                let e = try? Evaluator.evaluate(p, on: instance)
                drawn.append((method, p, e))
                let job = e?.collectiveJobs?.values.first
                rows.append([method, Self.g(e?.makespan.map { $0 * 1e3 }), Self.g(p.metrics.lowerBound.map { $0 * 1e3 }),
                             Self.g(job?.ratio, 4), "\(p.rings.values.reduce(0) { $0 + $1.count })", "\(p.circuits.count)"])
            }
            body += Self.table(["method", "time (ms, evaluator)", "lower bound (ms)", "ratio", "rings", "circuits"], rows) + "\n"
            let end = drawn.compactMap { $0.2?.makespan }.max() ?? 0
            for (method, p, e) in drawn {
                body += Self.ringSVG(instance, p, title: "\(method): circuits and rings") + "\n"
                if let e { body += Self.stepTimelineSVG(instance, e, start: instance.startDelay(for: p.circuits), title: "\(method): steps", end: end) + "\n" }
            }
        }
        return Self.page(title: "Collective plans: circuits, rings and steps", body: body)
    }
}
