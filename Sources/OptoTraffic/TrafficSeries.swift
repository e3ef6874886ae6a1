#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OptoCore

/// A trace: consecutive traffic matrices of the same nodes (snapshots,
/// epochs), oldest first.
public struct TrafficSeries: Equatable, Sendable {
    /// Number of nodes.
    public var nodes: Int
    /// The matrices, oldest first; each `nodes × nodes`.
    public var snapshots: [Matrix]

    /// A series; every snapshot must be `nodes × nodes`.
    public init(nodes: Int, snapshots: [Matrix]) {
        precondition(snapshots.allSatisfy { $0.rows == nodes && $0.columns == nodes }, "snapshots must be nodes × nodes")
        self.nodes = nodes
        self.snapshots = snapshots
    }

    /// The epochs of an epochs-mode schedule instance.
    public init?(_ instance: ScheduleInstance) {
        guard case .epochs(let epochs) = instance.mode else { return nil }
        self.init(nodes: instance.fabric.nodes, snapshots: epochs.map(\.demand))
    }

    /// Reads a long-format CSV trace: a header `t,src,dst,demand`, then one
    /// row per snapshot, source and destination (missing rows are 0).
    /// Snapshots are numbered `0, 1, …` in `t`, nodes `0..<N` where `N` is
    /// one more than the largest node named. Values are multiplied by
    /// `factor` (a unit). Diagonal values are dropped.
    /// - Complexity: O(rows + snapshots × N²)
    public static func readLongCSV(_ bytes: [UInt8], file: String, factor: Double = 1) -> Result<TrafficSeries, InputError> {
        func err(_ line: Int, _ column: Int, _ message: String) -> Result<TrafficSeries, InputError> {
            .failure(InputError(file: file, place: .text(line: line, column: column), message: message))
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var rows: [(t: Int, i: Int, j: Int, v: Double)] = []
        var maxT = -1, maxNode = -1
        var sawHeader = false
        for (k, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = k + 1
            let content = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if content.allSatisfy({ $0 == " " || $0 == "\t" }) || content.hasPrefix("#") { continue }
            let fields = content.split(separator: ",", omittingEmptySubsequences: false).map { trim(String($0)) }
            if !sawHeader {
                sawHeader = true
                if fields.map({ $0.lowercased() }) == ["t", "src", "dst", "demand"] { continue }
                return err(line, 1, "expected the header t,src,dst,demand")
            }
            guard fields.count == 4 else { return err(line, min(fields.count, 4), "expected 4 fields (t,src,dst,demand), found \(fields.count)") }
            var ints: [Int] = []
            for c in 0..<3 {
                guard let x = Int(fields[c]), x >= 0, x < 1_000_000_000 else { return err(line, c + 1, "\"\(fields[c].prefix(40))\" is not a whole number 0 or more") }
                ints.append(x)
            }
            guard fields[3].allSatisfy({ "0123456789.eE+-".contains($0) }), let v = Double(fields[3]), v.isFinite else {
                return err(line, 4, "\"\(fields[3].prefix(40))\" is not a number")
            }
            if v < 0 { return err(line, 4, "\(fields[3]) is negative; demand must be 0 or more") }
            if ints[1] >= InstanceReader.maximumNodes || ints[2] >= InstanceReader.maximumNodes {
                return err(line, ints[1] >= InstanceReader.maximumNodes ? 2 : 3, "node number more than \(InstanceReader.maximumNodes - 1)")
            }
            if ints[0] > 10_000_000 { return err(line, 1, "snapshot number too large") }
            rows.append((ints[0], ints[1], ints[2], v * factor))
            maxT = max(maxT, ints[0])
            maxNode = max(maxNode, ints[1], ints[2])
        }
        guard !rows.isEmpty else { return .failure(InputError(file: file, place: .file, message: "the trace has no rows")) }
        let n = maxNode + 1
        if Double(maxT + 1) * Double(n * n) > 1e8 {
            return .failure(InputError(file: file, place: .file, message: "the trace is too large (\(maxT + 1) snapshots of \(n)×\(n))"))
        }
        var snapshots = Array(repeating: Matrix(size: n), count: maxT + 1)
        for r in rows where r.i != r.j { snapshots[r.t][r.i, r.j] += r.v }
        return .success(TrafficSeries(nodes: n, snapshots: snapshots))
    }

    /// Reads a trace file: a long-format CSV (`.csv`) or an epochs-mode
    /// schedule instance (anything else).
    public static func read(contentsOf url: URL, factor: Double = 1) throws(InputError) -> (series: TrafficSeries, notes: [String]) {
        let name = url.relativePath
        if url.pathExtension.lowercased() == "csv" {
            let data = try TextFile.contents(of: url, file: name)
            switch readLongCSV([UInt8](data), file: name, factor: factor) {
            case .success(let s): return (s, [])
            case .failure(let e): throw e
            }
        }
        let (instance, notes) = try InstanceReader.read(contentsOf: url)
        guard case .schedule(let s) = instance, let series = TrafficSeries(s) else {
            throw InputError(file: name, path: "", message: "a trace is a t,src,dst,demand CSV file or an epochs-mode schedule instance")
        }
        return (series.scaled(by: factor), notes)
    }

    /// Every snapshot multiplied by `factor`.
    public func scaled(by factor: Double) -> TrafficSeries {
        factor == 1 ? self : TrafficSeries(nodes: nodes, snapshots: snapshots.map { $0.scaled(by: factor) })
    }
}

private func trim(_ s: String) -> String {
    var t = Substring(s)
    while let f = t.first, f == " " || f == "\t" { t.removeFirst() }
    while let l = t.last, l == " " || l == "\t" { t.removeLast() }
    return String(t)
}
