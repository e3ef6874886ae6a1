import OptoCore

/// What the evaluator measured (PROBLEMS.md "The evaluator"; FORMATS.md
/// `evaluate`). Field names are stable. A field that does not apply to the
/// plan's problem is absent from the JSON.
public struct EvaluationMetrics: Codable, Equatable, Sendable {
    /// Which problem the evaluated plan belongs to.
    public var problem: ProblemKind
    /// How the run was driven: `window`, `makespan`, `epochs` (schedules),
    /// `steady-state` (link pools) or `jobs` (stagger).
    public var mode: String

    /// Bytes served by the end of the run (schedules and jobs).
    public var servedBytes: Double?
    /// Bytes of demand still unserved at the end of the run (schedules).
    public var unservedBytes: Double?
    /// When the last byte served by the run was served, seconds. When every
    /// flow finished, the largest completion time.
    public var makespan: Double?
    /// Completion time of each flow that finished, keyed `"i->j"` (seconds).
    /// In epochs mode, the last time the pair's backlog reached zero.
    public var completionTimes: [String: Double]?
    /// Circuit time that carried data over circuit time that was live
    /// (inside the run; dark reconfiguration time is not live). Absent when
    /// no circuit was ever live.
    public var circuitBusyFraction: Double?
    /// Mean utilisation of each node's packet ports over the run, `0…1`.
    public var packetPortUtilisation: [PortUtilisation]?

    /// Link pools: the smallest fraction of any pair's demand that the
    /// steady state carries (`min a[i][j] / R[i][j]`, at most 1).
    public var lambda: Double?
    /// Link pools: total carried rate `Σ a[i][j]`, bits per second.
    public var carried: Double?
    /// Link pools: the largest `λ` such that `λ·R` fits the plan's circuits
    /// plus the packet fabric used at its best (compare with the planner's
    /// `lambda`, which may exceed 1).
    public var lambdaCapacity: Double?
    /// Link pools: the steady-state carried rate of each pair, bits per second.
    public var rates: [[Double]]?
    /// Link pools with transit: the rate the transit sub-flows carry, bits
    /// per second (each counted once, though it crosses two circuits).
    public var transitCarried: Double?
    /// Epochs plans with transit: the bytes the transit sub-flows delivered.
    public var transitServedBytes: Double?

    /// Stagger plans: per job name, its iteration statistics.
    public var jobs: [String: JobMetrics]?
    /// Collective plans: per job name, its communication time (written as
    /// `jobs` in the JSON, as FORMATS.md gives it; a plan has one or the other).
    public var collectiveJobs: [String: CollectiveJobMetrics]?

    /// When the run ended, seconds (`W`, the end of the last epoch, the last
    /// completion, or when every job completed its iterations).
    public var runEnd: Double?
    /// Events the simulation processed (rate changes).
    public var events: Int?
    /// Remarks: what the evaluation assumed or cut.
    public var notes: [String]?

    /// Utilisation of one node's packet ports.
    public struct PortUtilisation: Codable, Equatable, Sendable {
        /// Mean sent rate over `p_i`.
        public var send: Double
        /// Mean received rate over `p_i`.
        public var receive: Double
        /// A node's figures.
        public init(send: Double, receive: Double) {
            self.send = send
            self.receive = receive
        }
    }

    /// A job's iteration statistics.
    public struct JobMetrics: Codable, Equatable, Sendable {
        /// Mean wall time of the measured iterations, seconds.
        public var meanIteration: Double
        /// 99th percentile (nearest rank) of the iteration times, seconds.
        public var p99Iteration: Double
        /// `meanIteration` over `isolatedIteration`.
        public var slowdown: Double
        /// Mean iteration time of the job run alone on the same links.
        public var isolatedIteration: Double
        /// The job's nominal period `P_k`.
        public var period: Double
        /// Each measured iteration's wall time, in order.
        public var iterationTimes: [Double]
        /// A job's figures.
        public init(meanIteration: Double, p99Iteration: Double, slowdown: Double, isolatedIteration: Double,
                    period: Double, iterationTimes: [Double]) {
            self.meanIteration = meanIteration
            self.p99Iteration = p99Iteration
            self.slowdown = slowdown
            self.isolatedIteration = isolatedIteration
            self.period = period
            self.iterationTimes = iterationTimes
        }
    }

    /// A collective job's communication figures.
    public struct CollectiveJobMetrics: Codable, Equatable, Sendable {
        /// Seconds from 0 (a starting `δ` included) to the end of its last collective.
        public var time: Double
        /// PROBLEMS.md §4's lower bound, seconds.
        public var lowerBound: Double
        /// `time / lowerBound`.
        public var ratio: Double
        /// Per collective name.
        public var collectives: [String: CollectiveMetrics]
        public init(time: Double, lowerBound: Double, ratio: Double, collectives: [String: CollectiveMetrics]) {
            self.time = time
            self.lowerBound = lowerBound
            self.ratio = ratio
            self.collectives = collectives
        }
    }

    /// One collective's figures.
    public struct CollectiveMetrics: Codable, Equatable, Sendable {
        /// When it ended, seconds from 0.
        public var time: Double
        /// `8·S / time`, bits per second.
        public var algorithmicBandwidth: Double
        public init(time: Double, algorithmicBandwidth: Double) {
            self.time = time
            self.algorithmicBandwidth = algorithmicBandwidth
        }
    }

    /// Empty metrics for a problem and mode; the evaluator fills them.
    public init(problem: ProblemKind, mode: String) {
        self.problem = problem
        self.mode = mode
    }
}

extension EvaluationMetrics {
    enum CodingKeys: String, CodingKey {
        case problem, mode, servedBytes, unservedBytes, makespan, completionTimes, circuitBusyFraction, packetPortUtilisation
        case lambda, carried, lambdaCapacity, rates, transitCarried, transitServedBytes, jobs, runEnd, events, notes
    }

    /// Decodes the stable names; `jobs` is read as collective figures for a
    /// collective evaluation, as stagger figures otherwise.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        problem = try c.decode(ProblemKind.self, forKey: .problem)
        mode = try c.decode(String.self, forKey: .mode)
        servedBytes = try c.decodeIfPresent(Double.self, forKey: .servedBytes)
        unservedBytes = try c.decodeIfPresent(Double.self, forKey: .unservedBytes)
        makespan = try c.decodeIfPresent(Double.self, forKey: .makespan)
        completionTimes = try c.decodeIfPresent([String: Double].self, forKey: .completionTimes)
        circuitBusyFraction = try c.decodeIfPresent(Double.self, forKey: .circuitBusyFraction)
        packetPortUtilisation = try c.decodeIfPresent([PortUtilisation].self, forKey: .packetPortUtilisation)
        lambda = try c.decodeIfPresent(Double.self, forKey: .lambda)
        carried = try c.decodeIfPresent(Double.self, forKey: .carried)
        lambdaCapacity = try c.decodeIfPresent(Double.self, forKey: .lambdaCapacity)
        rates = try c.decodeIfPresent([[Double]].self, forKey: .rates)
        transitCarried = try c.decodeIfPresent(Double.self, forKey: .transitCarried)
        transitServedBytes = try c.decodeIfPresent(Double.self, forKey: .transitServedBytes)
        if problem == .collective {
            collectiveJobs = try c.decodeIfPresent([String: CollectiveJobMetrics].self, forKey: .jobs)
        } else {
            jobs = try c.decodeIfPresent([String: JobMetrics].self, forKey: .jobs)
        }
        runEnd = try c.decodeIfPresent(Double.self, forKey: .runEnd)
        events = try c.decodeIfPresent(Int.self, forKey: .events)
        notes = try c.decodeIfPresent([String].self, forKey: .notes)
    }

    /// Encodes the stable names, absent fields left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(problem, forKey: .problem)
        try c.encode(mode, forKey: .mode)
        try c.encodeIfPresent(servedBytes, forKey: .servedBytes)
        try c.encodeIfPresent(unservedBytes, forKey: .unservedBytes)
        try c.encodeIfPresent(makespan, forKey: .makespan)
        try c.encodeIfPresent(completionTimes, forKey: .completionTimes)
        try c.encodeIfPresent(circuitBusyFraction, forKey: .circuitBusyFraction)
        try c.encodeIfPresent(packetPortUtilisation, forKey: .packetPortUtilisation)
        try c.encodeIfPresent(lambda, forKey: .lambda)
        try c.encodeIfPresent(carried, forKey: .carried)
        try c.encodeIfPresent(lambdaCapacity, forKey: .lambdaCapacity)
        try c.encodeIfPresent(rates, forKey: .rates)
        try c.encodeIfPresent(transitCarried, forKey: .transitCarried)
        try c.encodeIfPresent(transitServedBytes, forKey: .transitServedBytes)
        if let collectiveJobs { try c.encode(collectiveJobs, forKey: .jobs) } else { try c.encodeIfPresent(jobs, forKey: .jobs) }
        try c.encodeIfPresent(runEnd, forKey: .runEnd)
        try c.encodeIfPresent(events, forKey: .events)
        try c.encodeIfPresent(notes, forKey: .notes)
    }
}
