/// A collective-aware planning instance (PROBLEMS.md §4): the fabric (with
/// `δ` and `maxHops`), optionally the circuits in place, and jobs whose
/// collectives run concurrently in each iteration.
public struct CollectiveInstance: Equatable, Sendable {
    /// The fabric: `ocsPortsPerNode`, `circuitRate`, `packetRate`, `δ`.
    public var fabric: Fabric
    /// The most circuits a relayed transfer may cross, `1...N-1`.
    public var maxHops: Int
    /// The circuits in place, one entry per circuit, when given.
    public var current: [Circuit]?
    /// `false`: the plan must keep exactly `current` (only ring orders are chosen).
    public var reconfigure: Bool
    /// The jobs; their groups are disjoint.
    public var jobs: [CollectiveJob]

    public init(fabric: Fabric, maxHops: Int = 1, current: [Circuit]? = nil, reconfigure: Bool = true, jobs: [CollectiveJob]) {
        self.fabric = fabric
        self.maxHops = maxHops
        self.current = current
        self.reconfigure = reconfigure
        self.jobs = jobs
    }
}

/// One training job: collectives that run concurrently in each iteration.
public struct CollectiveJob: Equatable, Sendable {
    /// Unique name.
    public var name: String
    /// The job's collectives; names unique within the job.
    public var collectives: [Collective]
    public init(name: String, collectives: [Collective]) {
        self.name = name
        self.collectives = collectives
    }
}

/// One collective operation of a job.
public struct Collective: Equatable, Sendable {
    /// The two collective algorithms of §4.
    public enum Kind: String, Sendable, CaseIterable {
        /// Ring AllReduce: `2(m−1)` synchronous steps of `S_r/m` per rank on every ring.
        case allreduce
        /// One step in which every rank sends `S` to every other rank.
        case alltoall
    }

    /// Unique within its job.
    public var name: String
    public var kind: Kind
    /// The nodes of the ranks, in rank order; no node twice.
    public var group: [Int]
    /// `S`, bytes (per rank for an allreduce; per ordered pair for an alltoall).
    public var bytes: Double

    public init(name: String, kind: Kind, group: [Int], bytes: Double) {
        self.name = name
        self.kind = kind
        self.group = group
        self.bytes = bytes
    }

    /// `m`, the number of ranks.
    public var ranks: Int { group.count }

    /// What one rank sends in the whole collective: `2(m−1)·S/m` for an
    /// allreduce, `(m−1)·S` for an alltoall.
    public var bytesSentPerRank: Double {
        let m = Double(ranks)
        guard ranks > 1 else { return 0 }
        switch kind {
        case .allreduce: return 2 * (m - 1) * bytes / m
        case .alltoall: return (m - 1) * bytes
        }
    }

    /// Synchronous steps: `2(m−1)` for an allreduce, 1 for an alltoall (0 with one rank).
    public var steps: Int {
        guard ranks > 1 else { return 0 }
        switch kind {
        case .allreduce: return 2 * (ranks - 1)
        case .alltoall: return 1
        }
    }
}

extension CollectiveInstance {
    /// The key of a collective in a plan's `rings`: `job/collective`.
    public static func key(job: String, collective: String) -> String { "\(job)/\(collective)" }

    /// PROBLEMS.md §4's lower bound of each job's communication time: the
    /// largest, over the job's nodes, of `8·bytes/(k_i·r_c + p_i)` summed over
    /// the collectives the node sends in, plus `startDelay`.
    /// - Complexity: O(total group size).
    public func jobLowerBounds(startDelay: Double) -> [Double] {
        jobs.map { job in
            var perNode: [Int: Double] = [:]
            for c in job.collectives { for u in c.group { perNode[u, default: 0] += c.bytesSentPerRank } }
            var worst = 0.0
            for (u, bytes) in perNode {
                let rate = Double(fabric.ocsPortsPerNode[u]) * fabric.circuitRate + fabric.packetRate[u]
                worst = max(worst, rate > 0 ? 8 * bytes / rate : (bytes > 0 ? .infinity : 0))
            }
            return startDelay + worst
        }
    }

    /// When the communication starts for a configuration: `δ` unless the
    /// configuration equals `current` as a multiset.
    public func startDelay(for circuits: [Circuit]) -> Double {
        guard let current else { return fabric.reconfigurationDelay }
        return current.sorted() == circuits.sorted() ? 0 : fabric.reconfigurationDelay
    }
}
