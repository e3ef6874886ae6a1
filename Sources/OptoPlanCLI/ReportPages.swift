import ArgumentParser
import Foundation
import OptoCore
import OptoEval
import OptoPlanners

extension ReportBuilder {
    // MARK: Gantt chart of a circuit schedule

    /// One Gantt chart: a row per OCS transmitter (node, port), a bar per
    /// circuit while its configuration is live, coloured by destination;
    /// grey stripes are the reconfiguration delays δ before each configuration.
    static func ganttSVG(_ instance: ScheduleInstance, _ plan: SchedulePlan) -> String {
        let f = instance.fabric
        let delta = f.reconfigurationDelay
        let configs = plan.configurations ?? []
        var window: Double?
        if case .window(_, let w) = instance.mode { window = w }
        let end = max(configs.reduce(0) { $0 + delta + $1.duration }, window ?? 0)
        var rows: [(node: Int, port: Int)] = []
        for i in 0..<f.nodes { for p in 0..<max(1, f.ocsPortsPerNode[i]) { rows.append((i, p)) } }
        let rowH = max(12, min(26, 300 / Double(max(rows.count, 1))))
        var c = SVGChart(width: 720, height: 28 + 48 + rowH * Double(rows.count), left: 64)
        let ms = end < 0.1
        let (fx, _) = c.axes(x: 0...max(end, 1e-9), y: 0...1, xTitle: ms ? "time (ms)" : "time (s)", yTitle: "",
                             xLabel: { ms ? String(format: "%g", ($0 * 1e3 * 1e6).rounded() / 1e6) : SVGChart.label($0) },
                             yLabel: { _ in "" })
        let y0 = c.top
        for (r, row) in rows.enumerated() {
            let y = y0 + Double(r) * rowH
            if r % 2 == 1 { c.rect(x: c.left, y: y, w: c.plotWidth, h: rowH, fill: "#f6f6f6") }
            c.text(f.ocsPortsPerNode[row.node] > 1 ? "node \(row.node).\(row.port)" : "node \(row.node)",
                   x: c.left - 6, y: y + rowH / 2 + 4, anchor: "end", size: 11)
        }
        var t = 0.0
        for (k, conf) in configs.enumerated() {
            c.rect(x: fx(t), y: y0, w: fx(t + delta) - fx(t), h: rowH * Double(rows.count), fill: "#bbbbbb",
                   title: "reconfiguration before configuration \(k): \(delta * 1e6) µs", opacity: 0.5)
            t += delta
            var used = [Int](repeating: 0, count: f.nodes)
            for circuit in conf.circuits {
                let port = used[circuit.from]
                used[circuit.from] += 1
                guard let r = rows.firstIndex(where: { $0.node == circuit.from && $0.port == port }) else { continue }
                let y = y0 + Double(r) * rowH
                let w = fx(t + conf.duration) - fx(t)
                c.rect(x: fx(t), y: y + 1.5, w: w, h: rowH - 3, fill: SVGChart.colour(circuit.to), stroke: "white",
                       title: "configuration \(k): \(circuit.from)→\(circuit.to) for \(String(format: "%.4g", conf.duration * 1e3)) ms")
                if w > 18 { c.text("→\(circuit.to)", x: fx(t) + w / 2, y: y + rowH / 2 + 4, size: min(11, rowH - 4),
                                   fill: SVGChart.textColour(on: SVGChart.colour(circuit.to))) }
            }
            t += conf.duration
        }
        if let w = window {
            c.line(fx(w), y0 - 4, fx(w), y0 + rowH * Double(rows.count), stroke: "#D55E00", width: 1.5, dash: "5,3")
            c.text("window", x: fx(w) - 3, y: y0 - 8, anchor: "end", size: 11, fill: "#D55E00")
        }
        return c.svg(title: "Gantt chart of \(plan.method)")
    }

    func gantt() throws(ExitCode) -> String {
        var body = """
        <p>Each row is one OCS transmitter; a bar is a circuit from that node, labelled and coloured by its destination,
        held while its configuration is live. Grey stripes are the reconfiguration delay δ before every configuration,
        during which no circuit carries data; the dashed line is the window. Hover a bar for its figures.</p>
        """
        let cases: [(String, [String])] = [("schedule/formats-example.json", ["ilp", "solstice"]),
                                           ("schedule/synthetic-n8-window.json", ["eclipse", "solstice"])]
        for (file, methods) in cases {
            let instance = try load(file)
            guard case .schedule(let s) = instance else { continue }
            body += "<h2><code>\(datasetsLabel)/\(file)</code></h2>\n"
            body += "<p>\(s.fabric.nodes) nodes, circuits of \(Quantity.format(s.fabric.circuitRate, as: .rate)), δ = \(Quantity.format(s.fabric.reconfigurationDelay, as: .time))"
            if case .window(let d, let w) = s.mode {
                body += ", \(Quantity.format(d.total, as: .volume)) of demand" + (w.map { ", window \(Quantity.format($0, as: .time))" } ?? "")
            }
            body += ".</p>\n"
            for method in methods {
                guard case .schedule(let p) = try plan(instance, method) else { continue }
                let eval = try? Evaluator.evaluate(.schedule(p), on: instance)
                body += "<h3>\(method): \(p.status.rawValue), \(p.configurations?.count ?? 0) configurations</h3>\n"
                body += "<p>Planned served bytes \(Self.g(p.metrics.servedBytes)) (bound \(Self.g(p.metrics.bound))); the evaluator's fluid simulation serves \(Self.g(eval?.servedBytes)) within the window, circuits busy \(Self.g((eval?.circuitBusyFraction).map { $0 * 100 }, 3)) % of their live time.</p>\n"
                body += Self.ganttSVG(s, p) + "\n"
            }
        }
        return Self.page(title: "Circuit schedules as Gantt charts", body: body)
    }

    // MARK: Link-pool reference example

    func linkPoolReference() throws(ExitCode) -> String {
        let file = "linkpool/two-racks-8to1.json"
        let instance = try load(file)
        guard case .linkpool(let l) = instance else { throw ExitStatus.badInput }
        guard case .linkpool(let sym) = try plan(instance, "symmetric"), case .linkpool(let asym) = try plan(instance, "ilp") else {
            throw ExitStatus.infeasible
        }
        let n = l.fabric.nodes
        var categories: [String] = []
        var demand: [Double?] = [], symCap: [Double?] = [], asymCap: [Double?] = []
        var rows: [[String]] = []
        func capacity(_ p: LinkPoolPlan, _ i: Int, _ j: Int) -> (circuits: Int, rate: Double) {
            let k = p.circuits.filter { $0.from == i && $0.to == j }.count
            return (k, Double(k) * l.fabric.circuitRate + p.electrical[i][j])
        }
        for i in 0..<n {
            for j in 0..<n where i != j && l.demand[i, j] > 0 {
                categories.append("\(i)→\(j)")
                demand.append(l.demand[i, j] / 1e9)
                let s = capacity(sym, i, j), a = capacity(asym, i, j)
                symCap.append(s.rate / 1e9)
                asymCap.append(a.rate / 1e9)
                rows.append(["\(i)→\(j)", Self.g(l.demand[i, j] / 1e9), "\(s.circuits)", Self.g(sym.electrical[i][j] / 1e9),
                             Self.g(sym.carried[i][j] / 1e9), "\(a.circuits)", Self.g(asym.electrical[i][j] / 1e9), Self.g(asym.carried[i][j] / 1e9)])
            }
        }
        let es = try? Evaluator.evaluate(.linkpool(sym), on: instance)
        let ea = try? Evaluator.evaluate(.linkpool(asym), on: instance)
        var body = """
        <p>The reference case of PROBLEMS.md §2 (<code>\(datasetsLabel)/\(file)</code>): two racks, \(l.fabric.opticalPorts[0]) pooled
        optical ports each, circuits of \(Quantity.format(l.fabric.circuitRate, as: .rate)), a packet fabric of
        \(Quantity.format(l.fabric.packetRate[0], as: .rate)) per rack, and an 8:1 demand. With paired full-duplex circuits
        (before) each circuit spends a port at both ends in both directions; with unidirectional circuits from the pool
        (after) the ports point where the demand is.</p>
        """
        body += SVGChart.groupedBars(categories: categories, series: [("demand", demand), ("symmetric (before)", symCap), ("asymmetric (after)", asymCap)],
                                     yTitle: "Gb/s per direction", height: 300) + "\n"
        body += Self.table(["direction", "demand Gb/s", "sym. circuits", "sym. electrical", "sym. carried", "asym. circuits", "asym. electrical", "asym. carried"], rows) + "\n"
        body += Self.table(["plan", "λ (planner)", "λ (evaluator)", "circuits", "status"], [
            ["symmetric (before)", Self.g(sym.metrics.lambda), Self.g(es?.lambda), "\(sym.circuits.count)", sym.status.rawValue],
            ["asymmetric (after)", Self.g(asym.metrics.lambda), Self.g(ea?.lambda), "\(asym.circuits.count)", asym.status.rawValue],
        ]) + "\n"
        let gain = (asym.metrics.lambda ?? 0) / max(sym.metrics.lambda ?? 1, 1e-12)
        body += "<p>Pooling the ports raises the concurrent throughput λ by a factor of \(String(format: "%.2f", gain)): every pair now receives λ times its demand.</p>\n"
        return Self.page(title: "Link pool: the reference example, symmetric and asymmetric", body: body)
    }

    // MARK: Stagger: link load over the hyper-period

    func staggerLoad() throws(ExitCode) -> String {
        var body = """
        <p>Load on each shared link over one hyper-period (the least common multiple of the jobs' periods), with every
        job starting its iteration at offset 0 (aligned) and at the offsets the exact planner chose (staggered). The
        dashed line is the link's capacity; load above it is the excess the planner minimises.</p>
        """
        for file in ["stagger/vgg16-x3.json", "stagger/four-models.json", "stagger/two-links-six-jobs.json"] {
            let instance = try load(file)
            guard case .stagger(let s) = instance else { continue }
            let grid: StaggerGrid
            do { grid = try StaggerGrid(s) } catch {
                StandardError.print("error: \(file): \(error)")
                throw ExitStatus.badInput
            }
            guard case .stagger(let aligned) = try plan(instance, "aligned"), case .stagger(let staggered) = try plan(instance, "ilp") else { continue }
            body += "<h2><code>\(datasetsLabel)/\(file)</code></h2>\n"
            body += "<p>\(s.jobs.count) jobs on \(s.links.count) link(s), step \(Quantity.format(s.step, as: .time)), hyper-period \(grid.hyperSlots) steps.</p>\n"
            var rows: [[String]] = []
            let plans = [("aligned", aligned), ("staggered (\(staggered.method), \(staggered.status.rawValue))", staggered)]
            let loads = plans.map { p in (try? grid.offsetSlots(p.1.offsets)).map { grid.loads(offsets: $0) } }
            // One vertical scale for both plans, so the pictures compare.
            let ymax = loads.compactMap { $0 }.flatMap { l in (0..<grid.linkCount).map { max(l[$0].max() ?? 0, grid.capacities[$0]) } }.max() ?? 1
            // Long hyper-periods are shown in part: the first `shown` steps.
            let shown = min(grid.hyperSlots, 600)
            if shown < grid.hyperSlots {
                body += "<p class=\"note\">The plots show the first \(shown) of \(grid.hyperSlots) steps; the table's figures cover the whole hyper-period.</p>\n"
            }
            for ((name, p), load) in zip(plans, loads) {
                guard let load else { continue }
                for l in 0..<grid.linkCount {
                    body += Self.loadSVG(Array(load[l].prefix(shown)), capacity: grid.capacities[l], step: grid.step, ymax: ymax,
                                         title: "\(name): link \(grid.linkNames[l])") + "\n"
                }
                let e = try? Evaluator.evaluate(.stagger(p), on: instance)
                let slow = (e?.jobs ?? [:]).values.map(\.slowdown)
                rows.append([name, Self.g(p.metrics.excess), Self.g(p.metrics.peak, 3),
                             Self.g(slow.isEmpty ? nil : slow.reduce(0, +) / Double(slow.count), 3), Self.g(slow.max(), 3)])
            }
            body += Self.table(["offsets", "excess (bits/hyper-period)", "peak / capacity", "mean slowdown", "worst slowdown"], rows) + "\n"
        }
        return Self.page(title: "Link load over the hyper-period: aligned versus staggered jobs", body: body)
    }

    static func loadSVG(_ load: [Double], capacity: Double, step: Double, ymax: Double, title: String) -> String {
        var c = SVGChart(width: 720, height: 200, top: 30, bottom: 40)
        let h = Double(load.count) * step
        let (fx, fy) = c.axes(x: 0...h, y: 0...(ymax * 1.08), xTitle: "time in the hyper-period (s)", yTitle: "Gb/s",
                              yLabel: { String(format: "%g", $0 / 1e9) })
        var points: [(Double, Double)] = []
        var over: [(Double, Double, Double)] = []
        // A step function: only the points where the load changes.
        var t = 0
        while t < load.count {
            var u = t + 1
            while u < load.count, load[u] == load[t] { u += 1 }
            let v = load[t]
            points.append((fx(Double(t) * step), fy(v)))
            points.append((fx(Double(u) * step), fy(v)))
            if v > capacity * (1 + 1e-9) { over.append((Double(t) * step, Double(u) * step, v)) }
            t = u
        }
        for (a, b, v) in over { c.rect(x: fx(a), y: fy(v), w: fx(b) - fx(a), h: fy(capacity) - fy(v), fill: "#D55E00", opacity: 0.35) }
        c.polyline(points, stroke: "#0072B2")
        c.line(c.left, fy(capacity), c.left + c.plotWidth, fy(capacity), stroke: "#D55E00", width: 1.2, dash: "5,3")
        c.text(title, x: c.left, y: 18, anchor: "start", size: 12, weight: "bold")
        c.legend([("load", "#0072B2"), ("over capacity", "#D55E00")])
        return c.svg(title: title)
    }
}
