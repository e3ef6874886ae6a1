import OptoCore

/// A stagger instance on its step grid: every time as a whole number of
/// slots of length `Δ`, every job as a rate profile over its own period.
///
/// All time arithmetic after construction is on integers (slot indices
/// modulo periods and the hyper-period); only rates are floating point.
/// Building the grid is where an instance built in code gets the checks the
/// file reader makes: values on the step grid, phases no longer than their
/// period, links defined, capacities positive, and a hyper-period small
/// enough to plan.
public struct StaggerGrid: Sendable {
    /// The default largest hyper-period, in slots, the grid accepts.
    public static let defaultMaxHyperSlots = InstanceReader.maximumHyperperiodSlots

    /// One job on the grid.
    public struct JobProfile: Sendable, Equatable {
        /// The job's name.
        public var name: String
        /// `P_k/Δ`.
        public var period: Int
        /// Indices of the links every phase of the job loads (no duplicates).
        public var links: [Int]
        /// Rate (bits per second) the job sends at each slot of its own
        /// period when its offset is 0; the sum over its phases, wrapped.
        public var profile: [Double]
        /// The slots of `profile` with a positive rate, ascending.
        public var activeSlots: [Int]
        /// Total phase duration per iteration, in slots (a phase counted once
        /// however it overlaps another).
        public var communicationSlots: Int
        /// Bits the job sends per hyper-period on each of its links.
        public var bitsPerHyperPeriod: Double
        /// The largest rate of `profile`.
        public var maxRate: Double
        /// Whether the job loads any link at all.
        public var isLoaded: Bool { !links.isEmpty && !activeSlots.isEmpty }
    }

    /// `Δ`, seconds.
    public let step: Double
    /// `H/Δ`: the hyper-period in slots, the lcm of the periods in slots.
    public let hyperSlots: Int
    /// `C_l` per link, bits per second.
    public let capacities: [Double]
    /// Link names, in instance order.
    public let linkNames: [String]
    /// Jobs, in instance order.
    public let jobs: [JobProfile]
    /// For each link, the indices of the jobs on it.
    public let jobsOnLink: [[Int]]

    /// Relative tolerance under which a load above capacity is not excess
    /// (rates summed in floating point may overshoot by an ulp).
    public static let excessTolerance = 1e-9

    /// Puts `instance` on its step grid.
    ///
    /// - Parameter maxHyperSlots: the largest `H/Δ` accepted.
    /// - Throws: ``StaggerError`` for any value off the grid or invalid.
    /// - Complexity: O(Σ_k P_k/Δ + phases) plus the lcm.
    public init(_ instance: StaggerInstance, maxHyperSlots: Int = StaggerGrid.defaultMaxHyperSlots) throws {
        let step = instance.step
        guard step.isFinite, step > 0 else { throw StaggerError.invalidStep(step) }
        var linkIndex: [String: Int] = [:]
        for (i, link) in instance.links.enumerated() {
            guard linkIndex[link.name] == nil else { throw StaggerError.duplicateName(link.name) }
            guard link.capacity.isFinite, link.capacity > 0 else {
                throw StaggerError.invalidCapacity(link: link.name, capacity: link.capacity)
            }
            linkIndex[link.name] = i
        }
        var seenJobs = Set<String>()
        var profiles: [JobProfile] = []
        var hyper = 1
        for job in instance.jobs {
            guard seenJobs.insert(job.name).inserted else { throw StaggerError.duplicateName(job.name) }
            let period = try Self.slots(job.period, step: step, job: job.name, field: "period", positive: true)
            var links: [Int] = []
            for name in job.links {
                guard let l = linkIndex[name] else { throw StaggerError.unknownLink(job: job.name, link: name) }
                if !links.contains(l) { links.append(l) }
            }
            var profile = [Double](repeating: 0, count: period)
            var busy = [Bool](repeating: false, count: period)
            for (p, phase) in job.phases.enumerated() {
                let start = try Self.slots(phase.start, step: step, job: job.name, field: "phase \(p) start", positive: false)
                let duration = try Self.slots(phase.duration, step: step, job: job.name, field: "phase \(p) duration", positive: false)
                guard phase.rate.isFinite, phase.rate >= 0 else {
                    throw StaggerError.invalidValue(job: job.name, field: "phase \(p) rate", value: phase.rate)
                }
                guard duration <= period else { throw StaggerError.phaseLongerThanPeriod(job: job.name, phase: p) }
                for d in 0..<duration {
                    let t = (start + d) % period
                    profile[t] += phase.rate
                    if phase.rate > 0 { busy[t] = true }
                }
            }
            let active = (0..<period).filter { profile[$0] > 0 }
            profiles.append(JobProfile(name: job.name, period: period, links: links, profile: profile,
                                       activeSlots: active, communicationSlots: busy.filter { $0 }.count,
                                       bitsPerHyperPeriod: 0 /* set once H is known */, maxRate: profile.max() ?? 0))
            hyper = try Self.lcm(hyper, period, limit: maxHyperSlots)
        }
        for k in profiles.indices {
            let perIteration = profiles[k].profile.reduce(0, +) * step
            profiles[k].bitsPerHyperPeriod = perIteration * Double(hyper / profiles[k].period)
        }
        var onLink = [[Int]](repeating: [], count: instance.links.count)
        for (k, job) in profiles.enumerated() where job.isLoaded {
            for l in job.links { onLink[l].append(k) }
        }
        self.step = step
        self.hyperSlots = hyper
        self.capacities = instance.links.map(\.capacity)
        self.linkNames = instance.links.map(\.name)
        self.jobs = profiles
        self.jobsOnLink = onLink
    }

    /// A grid with all fields given (for ``coarsened(by:)``).
    init(step: Double, hyperSlots: Int, capacities: [Double], linkNames: [String], jobs: [JobProfile], jobsOnLink: [[Int]]) {
        self.step = step
        self.hyperSlots = hyperSlots
        self.capacities = capacities
        self.linkNames = linkNames
        self.jobs = jobs
        self.jobsOnLink = jobsOnLink
    }

    /// The coarsest grid the instance lives on, in steps: the gcd of every
    /// period and of every slot at which a job's rate profile changes.
    ///
    /// A plan on the coarse grid loses nothing. Excess is piecewise linear
    /// and the peak piecewise constant in continuous offsets, with pieces
    /// bounded by offsets at which two jobs' profile edges coincide; a best
    /// plan (excess, then peak) can therefore be slid, a group of jobs at a
    /// time, to a vertex where every job is tied to the others by such
    /// coincidences, and there all offset differences are multiples of the
    /// gcd. Rotating so that one job sits at 0 puts every offset on the
    /// coarse grid, and the fine grid's optimum can be no better than the
    /// continuous one.
    ///
    /// - Complexity: O(Σ_k P_k).
    public var coarseness: Int {
        var g = 0
        func gcd(_ a: Int, _ b: Int) -> Int { var (x, y) = (a, b); while y != 0 { (x, y) = (y, x % y) }; return x }
        for job in jobs {
            g = gcd(g, job.period)
            let p = job.period
            for t in 0..<p where job.profile[t] != job.profile[(t + p - 1) % p] { g = gcd(g, t) }
            if g == 1 { return 1 }
        }
        return max(g, 1)
    }

    /// The same instance on a grid `factor` times coarser (`factor` must
    /// divide ``coarseness``). Offsets on it are multiplied by `factor` to
    /// map back.
    ///
    /// - Complexity: O(Σ_k P_k + links × jobs).
    public func coarsened(by factor: Int) -> StaggerGrid {
        precondition(factor >= 1 && coarseness % factor == 0, "the factor must divide the grid's coarseness")
        if factor == 1 { return self }
        let coarse = jobs.map { job -> JobProfile in
            var j = job
            j.period = job.period / factor
            j.profile = (0..<j.period).map { job.profile[$0 * factor] }
            j.activeSlots = (0..<j.period).filter { j.profile[$0] > 0 }
            j.communicationSlots = job.communicationSlots / factor
            return j
        }
        return StaggerGrid(step: step * Double(factor), hyperSlots: hyperSlots / factor, capacities: capacities,
                           linkNames: linkNames, jobs: coarse, jobsOnLink: jobsOnLink)
    }

    /// A time in seconds as a whole number of slots, or a typed error.
    static func slots(_ value: Double, step: Double, job: String, field: String, positive: Bool) throws -> Int {
        guard value.isFinite, value >= 0, !(positive && value == 0) else {
            throw StaggerError.invalidValue(job: job, field: field, value: value)
        }
        let ratio = value / step
        guard ratio < 1e15 else { throw StaggerError.invalidValue(job: job, field: field, value: value) }
        let n = ratio.rounded()
        guard abs(ratio - n) <= 1e-6 * max(1, n) else {
            throw StaggerError.offGrid(job: job, field: field, value: value, step: step)
        }
        return Int(n)
    }

    /// `lcm(a, b)`, or `hyperPeriodTooLarge` when it exceeds `limit`.
    static func lcm(_ a: Int, _ b: Int, limit: Int) throws -> Int {
        var x = a, y = b
        while y != 0 { (x, y) = (y, x % y) }
        let (product, overflow) = (a / x).multipliedReportingOverflow(by: b)
        if overflow { throw StaggerError.hyperPeriodTooLarge(slots: nil, limit: limit) }
        if product > limit { throw StaggerError.hyperPeriodTooLarge(slots: product, limit: limit) }
        return product
    }

    /// The number of links.
    public var linkCount: Int { capacities.count }

    /// Offsets in slots for every job, read from a plan's offsets in seconds.
    ///
    /// - Throws: ``StaggerError/invalidOffset(job:offset:)`` when a job has no
    ///   offset or one off the grid or outside `0..<P_k`.
    /// - Complexity: O(jobs).
    public func offsetSlots(_ offsets: [String: Double]) throws -> [Int] {
        try jobs.map { job in
            guard let seconds = offsets[job.name], seconds.isFinite, seconds >= 0 else {
                throw StaggerError.invalidOffset(job: job.name, offset: offsets[job.name])
            }
            let ratio = seconds / step
            let n = ratio.rounded()
            guard abs(ratio - n) <= 1e-6 * max(1, n), Int(n) < job.period else {
                throw StaggerError.invalidOffset(job: job.name, offset: seconds)
            }
            return Int(n)
        }
    }

    /// Offsets in slots as a plan's offsets in seconds.
    ///
    /// - Complexity: O(jobs).
    public func offsetSeconds(_ slots: [Int]) -> [String: Double] {
        var result: [String: Double] = [:]
        for (k, job) in jobs.enumerated() { result[job.name] = Double(slots[k]) * step }
        return result
    }

    /// The hyper-period slots at which job `k` at offset `o` sends, with the
    /// rate: slot `τ` carries `profile[(τ − o) mod P_k]`.
    ///
    /// - Complexity: O(active slots × H/P_k).
    @inlinable
    public func forEachActiveSlot(job k: Int, offset o: Int, _ body: (_ slot: Int, _ rate: Double) -> Void) {
        let job = jobs[k]
        let p = job.period
        let shift = ((o % p) + p) % p
        for t in job.activeSlots {
            var tau = t + shift
            if tau >= p { tau -= p }
            let r = job.profile[t]
            while tau < hyperSlots {
                body(tau, r)
                tau += p
            }
        }
    }

    /// The excess rate of a load on a link of capacity `capacity`
    /// (`max(0, load − C)`, zero within the relative tolerance).
    @inlinable
    public static func over(_ load: Double, _ capacity: Double) -> Double {
        let d = load - capacity
        return d > capacity * excessTolerance ? d : 0
    }
}
