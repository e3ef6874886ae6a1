/// A circuit-scheduling instance (PROBLEMS.md §1): one demand matrix with an
/// optional window (1a), or a series of epochs (1b).
public struct ScheduleInstance: Equatable, Sendable {
    /// The fabric, including `ocsPortsPerNode` and `reconfigurationDelay`.
    public var fabric: Fabric
    /// Window mode or epochs mode.
    public var mode: Mode
    /// `fabric.maxHops`: 1 (every byte crosses at most one circuit) or, in
    /// epochs mode only, 2 (transit over `s→k→t`, PROBLEMS.md §1b).
    public var maxHops: Int

    /// The two modes of §1.
    public enum Mode: Equatable, Sendable {
        /// 1a: one predicted demand matrix `D` in bytes (diagonal already
        /// zeroed), with an optional window `W` in seconds. Without a window
        /// the objective is the makespan.
        case window(demand: Matrix, window: Double?)
        /// 1b: a series of epochs, each with a duration and a demand matrix.
        case epochs([Epoch])
    }

    /// One epoch of §1b.
    public struct Epoch: Equatable, Sendable {
        /// `L_e`, seconds.
        public var duration: Double
        /// `D_e`, bytes, diagonal zeroed.
        public var demand: Matrix
        public init(duration: Double, demand: Matrix) {
            self.duration = duration
            self.demand = demand
        }
    }

    public init(fabric: Fabric, mode: Mode, maxHops: Int = 1) {
        self.fabric = fabric
        self.mode = mode
        self.maxHops = maxHops
    }

    /// Window mode: demand in bytes and an optional window in seconds.
    public init(fabric: Fabric, demand: Matrix, window: Double? = nil) {
        self.init(fabric: fabric, mode: .window(demand: demand, window: window))
    }
}

/// The objective of the link-pool problem.
public enum LinkPoolObjective: String, Codable, Sendable, CaseIterable {
    /// Maximise `λ` with every pair carrying `λ·R[i][j]`.
    case concurrent
    /// Maximise `Σ a[i][j]` with `a[i][j] ≤ R[i][j]`.
    case throughput
}

/// A link-pool allocation instance (PROBLEMS.md §2).
public struct LinkPoolInstance: Equatable, Sendable {
    /// The fabric with pooled optical ports.
    public var fabric: LinkPoolFabric
    /// `R`: directional rate demand, bits per second, diagonal zeroed.
    public var demand: Matrix
    /// Objective; `concurrent` by default.
    public var objective: LinkPoolObjective
    /// Today's circuits, one entry per circuit, when given.
    public var current: [Circuit]?
    /// The most circuits that may be removed plus added against `current`.
    public var maxChanges: Int?
    /// `fabric.maxHops`: 1, or 2 for transit over `s→k→t` (PROBLEMS.md §2 "With transit").
    public var maxHops: Int

    public init(fabric: LinkPoolFabric, demand: Matrix, objective: LinkPoolObjective = .concurrent,
                current: [Circuit]? = nil, maxChanges: Int? = nil, maxHops: Int = 1) {
        self.fabric = fabric
        self.demand = demand
        self.objective = objective
        self.current = current
        self.maxChanges = maxChanges
        self.maxHops = maxHops
    }
}

/// A staggered-job-windows instance (PROBLEMS.md §3).
public struct StaggerInstance: Equatable, Sendable {
    /// `Δ`: the time step, seconds. Every period, phase start and duration is a multiple of it.
    public var step: Double
    /// The shared links.
    public var links: [Link]
    /// The jobs.
    public var jobs: [Job]

    /// A shared link with its capacity.
    public struct Link: Equatable, Sendable {
        /// Unique name.
        public var name: String
        /// `C_l`, bits per second.
        public var capacity: Double
        public init(name: String, capacity: Double) {
            self.name = name
            self.capacity = capacity
        }
    }

    /// A training job that alternates compute and communication.
    public struct Job: Equatable, Sendable {
        /// Unique name.
        public var name: String
        /// `P_k`: iteration period, seconds.
        public var period: Double
        /// Names of the links every phase of the job loads.
        public var links: [String]
        /// Communication phases within one iteration.
        public var phases: [Phase]
        public init(name: String, period: Double, links: [String], phases: [Phase]) {
            self.name = name
            self.period = period
            self.links = links
            self.phases = phases
        }
    }

    /// One communication phase: active from `start` for `duration` within
    /// the iteration (it may wrap past the period's end), at `rate`.
    public struct Phase: Equatable, Sendable {
        /// Seconds from the iteration's start.
        public var start: Double
        /// Seconds.
        public var duration: Double
        /// Bits per second.
        public var rate: Double
        public init(start: Double, duration: Double, rate: Double) {
            self.start = start
            self.duration = duration
            self.rate = rate
        }
    }

    public init(step: Double, links: [Link], jobs: [Job]) {
        self.step = step
        self.links = links
        self.jobs = jobs
    }
}

/// An instance of any of the four problems.
public enum Instance: Equatable, Sendable {
    case schedule(ScheduleInstance)
    case linkpool(LinkPoolInstance)
    case stagger(StaggerInstance)
    case collective(CollectiveInstance)

    /// The `problem` field's value.
    public var problem: ProblemKind {
        switch self {
        case .schedule: .schedule
        case .linkpool: .linkpool
        case .stagger: .stagger
        case .collective: .collective
        }
    }
}

/// The `problem` field of instance and plan files.
public enum ProblemKind: String, Codable, Sendable, CaseIterable {
    case schedule, linkpool, stagger, collective
}
