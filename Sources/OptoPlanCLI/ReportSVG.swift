import Foundation

/// Small SVG charts drawn by OptoPlan for the reports: no scripts, no
/// external styles, every element inline so a report is one file.
struct SVGChart {
    /// Canvas size and the plot area inside the margins.
    let width: Double, height: Double
    let left: Double, right: Double, top: Double, bottom: Double
    private(set) var body: [String] = []

    init(width: Double = 720, height: Double = 320, left: Double = 72, right: Double = 16, top: Double = 28, bottom: Double = 48) {
        self.width = width; self.height = height
        self.left = left; self.right = right; self.top = top; self.bottom = bottom
    }

    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    /// A qualitative palette (Okabe–Ito, readable by most colour-blind readers).
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
                          "#7f7f7f", "#8c564b", "#17becf", "#bcbd22"]
    static func colour(_ i: Int) -> String { palette[((i % palette.count) + palette.count) % palette.count] }

    /// Black or white, whichever reads better on `hex` (`#RRGGBB`).
    static func textColour(on hex: String) -> String {
        guard hex.count == 7, let v = Int(hex.dropFirst(), radix: 16) else { return "white" }
        let r = Double((v >> 16) & 0xff), g = Double((v >> 8) & 0xff), b = Double(v & 0xff)
        return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? "#111" : "white"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func f(_ x: Double) -> String { String(format: "%.2f", x) }

    mutating func add(_ element: String) { body.append(element) }

    mutating func text(_ s: String, x: Double, y: Double, anchor: String = "middle", size: Double = 12, weight: String = "normal",
                       rotate: Double? = nil, fill: String = "#222") {
        let transform = rotate.map { " transform=\"rotate(\(Self.f($0)) \(Self.f(x)) \(Self.f(y)))\"" } ?? ""
        add("<text x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" text-anchor=\"\(anchor)\" font-size=\"\(Self.f(size))\" font-weight=\"\(weight)\" fill=\"\(fill)\"\(transform)>\(Self.escape(s))</text>")
    }

    mutating func rect(x: Double, y: Double, w: Double, h: Double, fill: String, stroke: String? = nil, title: String? = nil, opacity: Double = 1) {
        let s = stroke.map { " stroke=\"\($0)\" stroke-width=\"0.5\"" } ?? ""
        let t = title.map { "<title>\(Self.escape($0))</title>" } ?? ""
        add("<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(max(w, 0)))\" height=\"\(Self.f(max(h, 0)))\" fill=\"\(fill)\" fill-opacity=\"\(Self.f(opacity))\"\(s)>\(t)</rect>")
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#444", width: Double = 1, dash: String? = nil) {
        let d = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        add("<line x1=\"\(Self.f(x1))\" y1=\"\(Self.f(y1))\" x2=\"\(Self.f(x2))\" y2=\"\(Self.f(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.f(width))\"\(d)/>")
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5) {
        let p = points.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ")
        add("<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.f(width))\" stroke-linejoin=\"round\"/>")
    }

    /// About `count` round tick values covering `lo...hi`.
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let raw = (hi - lo) / Double(count)
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? raw
        var out: [Double] = []
        var v = (lo / step).rounded(.up) * step
        while v <= hi + step * 1e-9 { out.append(abs(v) < step * 1e-9 ? 0 : v); v += step }
        return out
    }

    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e12 { return String(format: "%gT", v / 1e12) }
        if a >= 1e9 { return String(format: "%gG", v / 1e9) }
        if a >= 1e6 { return String(format: "%gM", v / 1e6) }
        if a >= 1e3 { return String(format: "%gk", v / 1e3) }
        return String(format: "%g", (v * 1e6).rounded() / 1e6)
    }

    /// Draws both axes with ticks and titles; returns the value→pixel maps.
    mutating func axes(x: ClosedRange<Double>, y: ClosedRange<Double>, xTitle: String, yTitle: String,
                       xLabel: (Double) -> String = SVGChart.label, yLabel: (Double) -> String = SVGChart.label,
                       xTicks: [Double]? = nil) -> (x: (Double) -> Double, y: (Double) -> Double) {
        let (l, t, pw, ph) = (left, top, plotWidth, plotHeight)
        let xs = x.upperBound > x.lowerBound ? x : x.lowerBound...(x.lowerBound + 1)
        let ys = y.upperBound > y.lowerBound ? y : y.lowerBound...(y.lowerBound + 1)
        let fx: (Double) -> Double = { l + ($0 - xs.lowerBound) / (xs.upperBound - xs.lowerBound) * pw }
        let fy: (Double) -> Double = { t + ph - ($0 - ys.lowerBound) / (ys.upperBound - ys.lowerBound) * ph }
        for v in Self.ticks(ys.lowerBound, ys.upperBound) {
            line(l, fy(v), l + pw, fy(v), stroke: "#e4e4e4")
            text(yLabel(v), x: l - 6, y: fy(v) + 4, anchor: "end", size: 11)
        }
        for v in xTicks ?? Self.ticks(xs.lowerBound, xs.upperBound, count: 8) {
            line(fx(v), t + ph, fx(v), t + ph + 4)
            text(xLabel(v), x: fx(v), y: t + ph + 17, size: 11)
        }
        line(l, t + ph, l + pw, t + ph)
        line(l, t, l, t + ph)
        text(xTitle, x: l + pw / 2, y: height - 8, size: 12)
        text(yTitle, x: 14, y: t + ph / 2, size: 12, rotate: -90)
        return (fx, fy)
    }

    /// The width a legend entry takes.
    static func legendWidth(_ name: String) -> Double { Double(name.count) * 6.6 + 22 }

    /// The rows a legend of `entries` needs within `width`, right-aligned.
    static func legendRows(_ entries: [(String, String)], width: Double) -> Int {
        var rows = 1, used = 0.0
        for (name, _) in entries {
            let w = legendWidth(name)
            if used > 0 && used + w > width { rows += 1; used = 0 }
            used += w
        }
        return entries.isEmpty ? 0 : rows
    }

    /// A legend at the top right, in rows of 16 px that wrap at the canvas width.
    mutating func legend(_ entries: [(String, String)]) {
        var rows: [[(String, String)]] = [[]]
        var used = 0.0
        for entry in entries {
            let w = Self.legendWidth(entry.0)
            if used > 0 && used + w > width - right { rows.append([]); used = 0 }
            rows[rows.count - 1].append(entry)
            used += w
        }
        for (r, row) in rows.enumerated() {
            var x = width - right
            let y = 8 + 16 * Double(r)
            for (name, colour) in row.reversed() {
                x -= Self.legendWidth(name)
                rect(x: x, y: y, w: 12, h: 12, fill: colour)
                text(name, x: x + 16, y: y + 10, anchor: "start", size: 11)
            }
        }
    }

    /// The finished `<svg>` element.
    func svg(title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Self.f(width)) \(Self.f(height))\" width=\"\(Self.f(width))\" height=\"\(Self.f(height))\" role=\"img\" aria-label=\"\(Self.escape(title))\" font-family=\"Helvetica, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + body.joined(separator: "\n") + "\n</svg>"
    }

    /// Grouped bars: one group per category, one bar per series (nil: no bar).
    static func groupedBars(categories: [String], series: [(name: String, values: [Double?])], yTitle: String,
                            logScale: Bool = false, yLabel: ((Double) -> String)? = nil, reference: (value: Double, label: String)? = nil,
                            width: Double = 720, height: Double = 320) -> String {
        var c = SVGChart(width: width, height: height, bottom: 64)
        let all = series.flatMap { $0.values.compactMap { $0 } } + (reference.map { [$0.value] } ?? [])
        let tr: (Double) -> Double = logScale ? { log10(max($0, 1e-4)) } : { $0 }
        var lo = logScale ? floor(tr(all.filter { $0 > 0 }.min() ?? 1e-3)) : 0
        var hi = (all.map(tr).max() ?? 1)
        hi = logScale ? ceil(hi) : hi * 1.1
        if hi <= lo { hi = lo + 1 }
        if logScale { lo = min(lo, hi - 1) }
        let label: (Double) -> String = logScale ? { v in yLabel?(pow(10, v)) ?? SVGChart.label(pow(10, v)) } : (yLabel ?? SVGChart.label)
        let ticks: [Double]? = []
        let (_, fy) = c.axes(x: 0...Double(max(categories.count, 1)), y: lo...hi, xTitle: "", yTitle: yTitle, yLabel: label, xTicks: ticks)
        let groupW = c.plotWidth / Double(max(categories.count, 1))
        let barW = groupW * 0.8 / Double(max(series.count, 1))
        for (g, cat) in categories.enumerated() {
            let x0 = c.left + Double(g) * groupW + groupW * 0.1
            for (s, ser) in series.enumerated() {
                guard g < ser.values.count, let v = ser.values[g] else { continue }
                let y = fy(max(tr(v), lo))
                c.rect(x: x0 + Double(s) * barW, y: y, w: barW * 0.92, h: fy(lo) - y, fill: colour(s),
                       title: "\(cat) · \(ser.name): \(String(format: "%.4g", v))")
            }
            c.text(cat, x: x0 + groupW * 0.4, y: c.top + c.plotHeight + 17, size: 11)
        }
        if let reference {
            let y = fy(tr(reference.value))
            c.line(c.left, y, c.left + c.plotWidth, y, stroke: "#D55E00", width: 1.2, dash: "5,3")
            c.text(reference.label, x: c.left + c.plotWidth - 4, y: y - 4, anchor: "end", size: 11, fill: "#D55E00")
        }
        c.legend(series.enumerated().map { ($1.name, colour($0)) })
        return c.svg(title: yTitle)
    }
}
