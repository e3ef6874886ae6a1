/// How a plan came to be (FORMATS.md "Plans").
public enum PlanStatus: String, Codable, Sendable, CaseIterable {
    /// The exact search proved optimality (within its relative gap tolerance).
    case optimal
    /// A time or node limit (or an interrupt) stopped the exact search; `bound` and `gap` say how far it may be from optimal.
    case feasible
    /// A heuristic produced it.
    case heuristic
    /// The problem has no feasible plan.
    case infeasible
}

/// The metrics of a plan. Common fields first, then each problem's own;
/// a field that does not apply is absent from the file.
public struct PlanMetrics: Codable, Equatable, Sendable {
    /// The planner's objective value in the problem's own sense (bytes
    /// served, makespan seconds, λ, carried bits/s, excess bits).
    public var objective: Double
    /// The best bound known on the objective (exact methods, and `auto`).
    public var bound: Double?
    /// Relative gap between `objective` and `bound`.
    public var gap: Double?
    /// Wall time the planner spent.
    public var solveSeconds: Double

    // Schedule.
    public var servedBytes: Double?
    public var makespan: Double?
    public var lowerBound: Double?
    /// Configuration slots `M` the exact model used.
    public var slots: Int?
    public var backlogBytes: Double?
    public var circuitsChanged: Int?

    // Link pool.
    public var lambda: Double?
    public var carried: Double?
    public var utilisation: Double?

    // Stagger.
    public var excess: Double?
    public var peak: Double?
    public var compatibility: Double?

    // Collective.
    /// The largest job communication time, seconds.
    public var time: Double?
    /// Each job's time and lower bound, by job name.
    public var jobs: [String: CollectiveJobTime]?

    public init(objective: Double, bound: Double? = nil, gap: Double? = nil, solveSeconds: Double = 0) {
        self.objective = objective
        self.bound = bound
        self.gap = gap
        self.solveSeconds = solveSeconds
    }
}

/// A circuit-scheduling plan. Window mode fills `configurations`; epochs
/// mode fills `epochs` (one entry per input epoch).
public struct SchedulePlan: Codable, Equatable, Sendable {
    public var problem: ProblemKind = .schedule
    /// What produced the plan (`solstice`, `ilp`, `auto:eclipse`, …).
    public var method: String
    public var status: PlanStatus
    public var metrics: PlanMetrics
    /// Window mode: configurations in order, each preceded by `δ` of dark time.
    public var configurations: [Configuration]?
    /// Epochs mode: the circuits held in each epoch.
    public var epochs: [EpochCircuits]?
    /// Remarks for a human (why `auto` fell back, an interrupt, …).
    public var notes: [String]?

    /// One configuration held for `duration` seconds.
    public struct Configuration: Codable, Equatable, Sendable {
        public var duration: Double
        /// A circuit listed twice has multiplicity 2.
        public var circuits: [Circuit]
        public init(duration: Double, circuits: [Circuit]) {
            self.duration = duration
            self.circuits = circuits
        }
    }

    /// The circuits of one epoch.
    public struct EpochCircuits: Codable, Equatable, Sendable {
        public var circuits: [Circuit]
        /// With `maxHops: 2`: bytes of pair `s→t` routed over `s→k→t` in
        /// this epoch (PROBLEMS.md §1b "With transit"). Absent: none.
        public var transit: [TransitRoute]?
        /// With transit: the bytes the plan serves in this epoch for each
        /// pair that has transit entries (direct, transit and packet). A
        /// transit entry `[s, k, t, b]` moves the share `b / served(s→t)`
        /// of the pair's bytes left at the epoch's start; where a pair has
        /// no `served` entry the evaluator takes the bytes it has left.
        public var served: [PairBytes]?
        public init(circuits: [Circuit], transit: [TransitRoute]? = nil, served: [PairBytes]? = nil) {
            self.circuits = circuits
            self.transit = transit
            self.served = served
        }
    }

    public init(method: String, status: PlanStatus, metrics: PlanMetrics,
                configurations: [Configuration]? = nil, epochs: [EpochCircuits]? = nil, notes: [String]? = nil) {
        self.method = method
        self.status = status
        self.metrics = metrics
        self.configurations = configurations
        self.epochs = epochs
        self.notes = notes
    }
}

/// A link-pool plan: circuits plus electrical and carried rates.
public struct LinkPoolPlan: Codable, Equatable, Sendable {
    public var problem: ProblemKind = .linkpool
    public var method: String
    public var status: PlanStatus
    public var metrics: PlanMetrics
    /// One entry per circuit.
    public var circuits: [Circuit]
    /// `e[i][j]`, bits per second.
    public var electrical: [[Double]]
    /// `a[i][j]`, bits per second.
    public var carried: [[Double]]
    /// With `maxHops: 2`: rate of pair `s→t` routed over `s→k→t`, bits per
    /// second (PROBLEMS.md §2 "With transit"). Absent: every pair's
    /// circuit traffic rides its own circuits.
    public var transit: [TransitRoute]?
    public var notes: [String]?

    public init(method: String, status: PlanStatus, metrics: PlanMetrics, circuits: [Circuit],
                electrical: [[Double]], carried: [[Double]], transit: [TransitRoute]? = nil, notes: [String]? = nil) {
        self.method = method
        self.status = status
        self.metrics = metrics
        self.circuits = circuits
        self.electrical = electrical
        self.carried = carried
        self.transit = transit
        self.notes = notes
    }
}

/// A stagger plan: an offset per job and optionally a priority order.
public struct StaggerPlan: Codable, Equatable, Sendable {
    public var problem: ProblemKind = .stagger
    public var method: String
    public var status: PlanStatus
    public var metrics: PlanMetrics
    /// Job name → offset in seconds, a multiple of the step in `0..<period`.
    public var offsets: [String: Double]
    /// Job names, highest priority first.
    public var priorities: [String]?
    public var notes: [String]?

    public init(method: String, status: PlanStatus, metrics: PlanMetrics, offsets: [String: Double],
                priorities: [String]? = nil, notes: [String]? = nil) {
        self.method = method
        self.status = status
        self.metrics = metrics
        self.offsets = offsets
        self.priorities = priorities
        self.notes = notes
    }
}

/// A plan of any of the four problems.
public enum Plan: Equatable, Sendable {
    case schedule(SchedulePlan)
    case linkpool(LinkPoolPlan)
    case stagger(StaggerPlan)
    case collective(CollectivePlan)
}

/// A plan with remarks for a human (every problem's plan).
public protocol PlanWithNotes {
    var notes: [String]? { get set }
}

extension SchedulePlan: PlanWithNotes {}
extension LinkPoolPlan: PlanWithNotes {}
extension StaggerPlan: PlanWithNotes {}
extension CollectivePlan: PlanWithNotes {}
