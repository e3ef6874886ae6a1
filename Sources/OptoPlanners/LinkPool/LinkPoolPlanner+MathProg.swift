import OptoCore

extension LinkPoolProblem {
    /// The data section for `models/linkpool.mod`: this problem's fabric,
    /// demand, current allocation and options, with every rate divided by
    /// `unit` (1e9: Gb/s).
    ///
    /// `symmetric` selects the paired baseline. Numbers are written with 17
    /// significant digits, so glpsol sees the planner's data exactly.
    ///
    /// - Complexity: O(N²).
    func mathProgData(unit: Double = 1e9, symmetric: Bool = false) -> String {
        func num(_ x: Double) -> String {
            let v = x / unit
            if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
            return "\(v)"
        }
        var s = "data;\n"
        s += "set V :=" + (0..<n).map { " \($0)" }.joined() + ";\n"
        s += "param q :=" + (0..<n).map { " \($0) \(ports[$0])" }.joined() + ";\n"
        s += "param tx :=" + (0..<n).map { " \($0) \(tx[$0])" }.joined() + ";\n"
        s += "param rx :=" + (0..<n).map { " \($0) \(rx[$0])" }.joined() + ";\n"
        s += "param rc := \(num(rate));\n"
        s += "param p :=" + (0..<n).map { " \($0) \(num(packet[$0]))" }.joined() + ";\n"
        var demandEntries = ""
        var currentEntries = ""
        for i in 0..<n {
            for j in 0..<n where i != j {
                let k = i * n + j
                if demand[k] > 0 { demandEntries += "\n  \(i) \(j) \(num(demand[k]))" }
                if current[k] > 0 { currentEntries += "\n  \(i) \(j) \(current[k])" }
            }
        }
        s += "param R :=" + demandEntries + ";\n"
        if !currentEntries.isEmpty { s += "param cur :=" + currentEntries + ";\n" }
        if let m = maxChanges { s += "param maxChanges := \(m);\n" }
        s += "param concurrent := \(objective == .concurrent ? 1 : 0);\n"
        s += "param symmetric := \(symmetric ? 1 : 0);\n"
        if transit { s += "param maxHops := \(maxHops);\n" }
        s += "end;\n"
        return s
    }
}
