/// A collective plan (FORMATS.md "Plans", collective): one configuration
/// of circuits held throughout, and every allreduce's rings with their shares.
public struct CollectivePlan: Codable, Equatable, Sendable {
    public var problem: ProblemKind = .collective
    /// What produced the plan (`fixed`, `matched`, `ilp`, `auto:matched`, …).
    public var method: String
    public var status: PlanStatus
    /// `objective` and `time` are the largest job time; `lowerBound` and
    /// `jobs` as FORMATS.md gives them.
    public var metrics: PlanMetrics
    /// The configuration, one entry per circuit.
    public var circuits: [Circuit]
    /// `job/collective` → its rings; one entry per allreduce.
    public var rings: [String: [Ring]]
    public var notes: [String]?

    /// One ring of an allreduce: a cyclic order of all its group's nodes and
    /// the bytes `S_r` (per rank) it reduces.
    public struct Ring: Codable, Equatable, Sendable {
        public var order: [Int]
        public var bytes: Double
        public init(order: [Int], bytes: Double) {
            self.order = order
            self.bytes = bytes
        }
    }

    public init(method: String, status: PlanStatus, metrics: PlanMetrics, circuits: [Circuit],
                rings: [String: [Ring]], notes: [String]? = nil) {
        self.method = method
        self.status = status
        self.metrics = metrics
        self.circuits = circuits
        self.rings = rings
        self.notes = notes
    }
}

/// A job's communication time in a collective plan's metrics.
public struct CollectiveJobTime: Codable, Equatable, Sendable {
    /// Seconds from 0 (a starting `δ` included) to the end of its last collective.
    public var time: Double
    /// PROBLEMS.md §4's lower bound, seconds.
    public var lowerBound: Double
    public init(time: Double, lowerBound: Double) {
        self.time = time
        self.lowerBound = lowerBound
    }
}
