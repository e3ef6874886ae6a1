

/// One transfer of a collective's step: `bytes` from `from` to `to`.
public struct CollectiveTransfer: Equatable, Sendable {
    public var from: Int
    public var to: Int
    public var bytes: Double
    public init(from: Int, to: Int, bytes: Double) {
        self.from = from
        self.to = to
        self.bytes = bytes
    }
}

extension Collective {
    /// The transfers of one step (PROBLEMS.md §4): for an allreduce, every
    /// rank sends `S_r/m` to its successor on every ring `r`; for an
    /// alltoall (no rings), every rank sends `S` to every other rank. Every
    /// step of an allreduce has the same transfers.
    /// - Complexity: O(m · rings) for an allreduce, O(m²) for an alltoall.
    public func stepTransfers(rings: [CollectivePlan.Ring]) -> [CollectiveTransfer] {
        let m = group.count
        switch kind {
        case .allreduce:
            var out: [CollectiveTransfer] = []
            for ring in rings where ring.bytes > 0 && ring.order.count == m {
                let b = ring.bytes / Double(m)
                for i in 0..<m { out.append(CollectiveTransfer(from: ring.order[i], to: ring.order[(i + 1) % m], bytes: b)) }
            }
            return out
        case .alltoall:
            var out: [CollectiveTransfer] = []
            out.reserveCapacity(m * (m - 1))
            for u in group { for v in group where v != u { out.append(CollectiveTransfer(from: u, to: v, bytes: bytes)) } }
            return out
        }
    }
}

/// The rings of every allreduce and the collectives in a fixed order: the
/// shape both the planner's time model and the evaluator walk.
public struct CollectiveLayout: Sendable {
    /// `(job index, collective)` for every collective of every job, in file order.
    public let collectives: [(job: Int, collective: Collective)]
    /// Rings per collective (empty for an alltoall).
    public let rings: [[CollectivePlan.Ring]]

    /// The plan's rings laid over the instance's collectives.
    public init(_ instance: CollectiveInstance, rings: [String: [CollectivePlan.Ring]]) {
        var cs: [(job: Int, collective: Collective)] = []
        var rs: [[CollectivePlan.Ring]] = []
        for (j, job) in instance.jobs.enumerated() {
            for c in job.collectives {
                cs.append((j, c))
                rs.append(c.kind == .allreduce ? rings[CollectiveInstance.key(job: job.name, collective: c.name)] ?? [] : [])
            }
        }
        collectives = cs
        self.rings = rs
    }
}
