import OptoCore

extension Evaluator {
    /// Evaluates a stagger plan (PROBLEMS.md §3) by running its jobs
    /// dynamically on the shared links.
    ///
    /// Each job has its own clock, starting at `−o_k` and running at wall
    /// speed. A phase (start `s`, duration `d`, rate `r`) of iteration `i` is
    /// released when the clock reaches `i·P_k + s`, as a flow of `r·d/8`
    /// bytes on every link of the job, never faster than `r`. The links are
    /// shared max-min fair among the flows in flight, higher priority first
    /// when the plan lists priorities (unlisted jobs come last, equal among
    /// themselves). If a phase still has data at its nominal end
    /// `i·P_k + s + d`, the job's clock stops there until it finishes, so
    /// contention stretches the iteration and shifts later phases.
    ///
    /// Iteration `i` lasts the wall time between the clock readings `i·P_k`
    /// and `(i+1)·P_k`; a reading is taken when the clock leaves the value
    /// (after any stop on it, so a late phase ending at the period boundary
    /// stretches its own iteration). Every job keeps running until each has
    /// completed `iterations` iterations; the first `iterations` of each are
    /// measured. The isolated iteration time is the mean of the job run
    /// alone for as many iterations; `slowdown` is the mean over it.
    ///
    /// - Parameters:
    ///   - plan: offsets (and optional priorities) by job name.
    ///   - instance: the instance the plan was made for.
    ///   - actual: other jobs and links to run the plan on (every job needs
    ///     an offset in the plan); `nil`: the instance's.
    ///   - iterations: iterations measured per job, at least 1 (default 20).
    /// - Throws: `EvaluationError` on a missing offset, a job naming an
    ///   unknown link, a phase that can never finish, or `iterations < 1`.
    /// - Complexity: O(E · (F + L) log(F + L)) for `E` events, `F` phases in
    ///   flight and `L` links; `E` grows with jobs × phases × iterations.
    public static func evaluate(_ plan: StaggerPlan, on instance: StaggerInstance, actual: StaggerInstance? = nil,
                                iterations: Int = 20) throws -> EvaluationMetrics {
        guard iterations >= 1 else { throw EvaluationError.invalidOption("iterations must be at least 1, got \(iterations)") }
        let traffic = actual ?? instance
        var notes: [String] = []
        let model = try JobModel(traffic)
        var offsets: [Double] = []
        for job in traffic.jobs {
            guard let o = plan.offsets[job.name] else {
                throw EvaluationError.invalidPlan("no offset for job \"\(job.name)\"")
            }
            guard o.isFinite && o >= 0 else { throw EvaluationError.invalidPlan("offset \(o) of job \"\(job.name)\"") }
            offsets.append(o)
        }
        let known = Set(traffic.jobs.map(\.name))
        for name in plan.offsets.keys.sorted() where !known.contains(name) {
            notes.append("offset for unknown job \"\(name)\" ignored")
        }
        var classes = Array(repeating: 0, count: traffic.jobs.count)
        if let priorities = plan.priorities {
            for name in priorities where !known.contains(name) {
                notes.append("priority for unknown job \"\(name)\" ignored")
            }
            let rank = Dictionary(priorities.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            for (k, job) in traffic.jobs.enumerated() { classes[k] = rank[job.name] ?? priorities.count }
        }
        let run = try JobRun(model: model, jobs: Array(traffic.jobs.indices), offsets: offsets, classes: classes,
                             iterations: iterations).simulate()
        var m = EvaluationMetrics(problem: .stagger, mode: "jobs")
        var jobs: [String: EvaluationMetrics.JobMetrics] = [:]
        for (k, job) in traffic.jobs.enumerated() {
            let alone = try JobRun(model: model, jobs: [k], offsets: [0], classes: [0], iterations: iterations).simulate()
            let isolated = alone.iterationTimes[k].reduce(0, +) / Double(iterations)
            let times = run.iterationTimes[k]
            let mean = times.reduce(0, +) / Double(iterations)
            jobs[job.name] = .init(meanIteration: mean, p99Iteration: nearestRankPercentile(times, percent: 99) ?? mean,
                                   slowdown: isolated > 0 ? mean / isolated : 1, isolatedIteration: isolated,
                                   period: job.period, iterationTimes: times)
        }
        m.jobs = jobs
        m.servedBytes = run.servedBytes
        m.makespan = run.end
        m.runEnd = run.end
        m.events = run.events
        if !notes.isEmpty { m.notes = notes }
        return m
    }
}

/// The jobs of a stagger instance with link names resolved to indices.
struct JobModel {
    struct Job {
        var period: Double
        var links: [Int]
        /// Phases sorted by start.
        var phases: [StaggerInstance.Phase]
    }
    var capacities: [Double]
    var jobs: [Job]
    var step: Double

    init(_ instance: StaggerInstance) throws {
        guard instance.step.isFinite && instance.step > 0 else {
            throw EvaluationError.invalidTraffic("step \(instance.step) must be positive")
        }
        step = instance.step
        var index: [String: Int] = [:]
        capacities = []
        for link in instance.links {
            guard index[link.name] == nil else { throw EvaluationError.invalidTraffic("link \"\(link.name)\" is defined twice") }
            guard link.capacity.isFinite && link.capacity >= 0 else {
                throw EvaluationError.invalidTraffic("link \"\(link.name)\" has capacity \(link.capacity)")
            }
            index[link.name] = capacities.count
            capacities.append(link.capacity)
        }
        var names = Set<String>()
        jobs = []
        for job in instance.jobs {
            guard names.insert(job.name).inserted else { throw EvaluationError.invalidTraffic("job \"\(job.name)\" is defined twice") }
            guard job.period.isFinite && job.period > 0 else {
                throw EvaluationError.invalidTraffic("job \"\(job.name)\" has period \(job.period)")
            }
            var links: [Int] = []
            for name in job.links {
                guard let l = index[name] else {
                    throw EvaluationError.invalidTraffic("job \"\(job.name)\" names undefined link \"\(name)\"")
                }
                if !links.contains(l) { links.append(l) }
            }
            for (p, phase) in job.phases.enumerated() {
                guard phase.start.isFinite && phase.start >= 0 && phase.duration.isFinite && phase.duration >= 0
                        && phase.rate.isFinite && phase.rate >= 0 else {
                    throw EvaluationError.invalidTraffic("job \"\(job.name)\" phase \(p) has a negative or non-finite start, duration or rate")
                }
                if phase.duration > 0 && phase.rate > 0, let l = links.first(where: { capacities[$0] == 0 }) {
                    throw EvaluationError.noProgress("job \"\(job.name)\" sends on link \"\(instance.links[l].name)\" whose capacity is 0")
                }
            }
            jobs.append(Job(period: job.period, links: links, phases: job.phases.sorted { $0.start < $1.start }))
        }
    }
}

/// One dynamic run of some of a model's jobs.
struct JobRun {
    let model: JobModel
    /// Model indices of the jobs that run.
    let jobs: [Int]
    let offsets: [Double]
    let classes: [Int]
    let iterations: Int

    struct Outcome {
        /// Per model job index (empty for jobs not run): the measured iteration times.
        var iterationTimes: [[Double]]
        var servedBytes: Double
        var end: Double
        var events: Int
    }

    private struct Flow {
        var job: Int          // position in `jobs`
        var nominalEnd: Double // job clock value
        var remaining: Double  // bytes
        var bytes: Double
        var cap: Double
    }

    private struct State {
        var clock: Double
        var nextIteration = 0
        var nextPhase = 0
        var readings: [Double] = []
        var inFlight: [Int] = []
    }

    init(model: JobModel, jobs: [Int], offsets: [Double], classes: [Int], iterations: Int) throws {
        self.model = model
        self.jobs = jobs
        self.offsets = offsets
        self.classes = classes
        self.iterations = iterations
    }

    func simulate() throws -> Outcome {
        var states = offsets.map { State(clock: -$0) }
        var flows: [Flow] = []
        var active: [Int] = []            // indices into flows
        var rates: [Double] = []          // aligned with `active`
        var dirty = true
        var served = 0.0
        var t = 0.0
        var events = 0
        let clockTolerance = 1e-9 * model.step
        let longest = jobs.map { model.jobs[$0].period }.max() ?? 1
        let horizon = 1000 * Double(iterations + 1) * longest + (offsets.max() ?? 0)

        func isStalled(_ k: Int) -> Bool {
            states[k].inFlight.contains { flows[$0].nominalEnd <= states[k].clock + clockTolerance }
        }
        func releaseClock(_ k: Int) -> Double? {
            let job = model.jobs[jobs[k]]
            guard !job.phases.isEmpty else { return nil }
            return Double(states[k].nextIteration) * job.period + job.phases[states[k].nextPhase].start
        }
        func boundaryClock(_ k: Int) -> Double {
            Double(states[k].readings.count) * model.jobs[jobs[k]].period
        }
        func target(_ k: Int) -> Double {
            var v = boundaryClock(k)
            if let r = releaseClock(k) { v = min(v, r) }
            for f in states[k].inFlight where flows[f].nominalEnd > states[k].clock + clockTolerance {
                v = min(v, flows[f].nominalEnd)
            }
            return v
        }
        /// Releases, stops and readings at the job's current clock value.
        /// A stopped clock releases nothing: a job's communication is
        /// serialised, so a phase starting at the value where a late phase
        /// stopped the clock waits until that phase has finished.
        func settle(_ k: Int) {
            let job = model.jobs[jobs[k]]
            if isStalled(k) { return }
            while let r = releaseClock(k), r <= states[k].clock + clockTolerance {
                let phase = job.phases[states[k].nextPhase]
                let bytes = phase.rate * phase.duration / 8
                if bytes > 0 {
                    flows.append(Flow(job: k, nominalEnd: r + phase.duration, remaining: bytes, bytes: bytes, cap: phase.rate))
                    states[k].inFlight.append(flows.count - 1)
                    active.append(flows.count - 1)
                    dirty = true
                }
                states[k].nextPhase += 1
                if states[k].nextPhase == job.phases.count {
                    states[k].nextPhase = 0
                    states[k].nextIteration += 1
                }
            }
            // Released phases end after the clock's value, so it moves on from here.
            while boundaryClock(k) <= states[k].clock + clockTolerance {
                states[k].readings.append(t)
            }
        }

        for k in jobs.indices { settle(k) }
        while !states.allSatisfy({ $0.readings.count > iterations }) {
            if dirty {
                let problem = MaxMinProblem(capacities: model.capacities,
                                            flowResources: active.map { model.jobs[jobs[flows[$0].job]].links },
                                            caps: active.map { flows[$0].cap },
                                            classes: active.map { classes[flows[$0].job] })
                rates = problem.solve()
                dirty = false
            }
            var t1 = Double.infinity
            var dueFlow = -1
            var dueJob = -1
            for (a, f) in active.enumerated() where rates[a] > 0 {
                let tf = t + flows[f].remaining * 8 / rates[a]
                if tf < t1 { t1 = tf; dueFlow = a; dueJob = -1 }
            }
            var targets = Array(repeating: Double.nan, count: states.count)
            for k in states.indices where !isStalled(k) {
                targets[k] = target(k)
                let tj = t + (targets[k] - states[k].clock)
                if tj < t1 { t1 = tj; dueJob = k; dueFlow = -1 }
            }
            guard t1.isFinite, t1 <= horizon else {
                throw EvaluationError.noProgress("after \(events) events at t = \(t) s some job cannot complete its iterations (starved or stalled)")
            }
            let dt = max(0, t1 - t)
            for (a, f) in active.enumerated() {
                let d = rates[a] * dt / 8
                flows[f].remaining -= d
                served += d
            }
            for k in states.indices where !targets[k].isNaN {
                states[k].clock += dt
                if k == dueJob || states[k].clock >= targets[k] - clockTolerance { states[k].clock = targets[k] }
            }
            t = t1
            events += 1
            // Completions.
            var finished: [Int] = []
            for (a, f) in active.enumerated() {
                if a == dueFlow || flows[f].remaining <= 1e-9 * flows[f].bytes { finished.append(f) }
            }
            if !finished.isEmpty {
                let done = Set(finished)
                for f in finished {
                    served += max(0, flows[f].remaining)
                    flows[f].remaining = 0
                    states[flows[f].job].inFlight.removeAll { $0 == f }
                }
                active.removeAll { done.contains($0) }
                dirty = true
            }
            for k in states.indices { settle(k) }
        }
        var times = Array(repeating: [Double](), count: model.jobs.count)
        for (k, j) in jobs.enumerated() {
            let r = states[k].readings
            times[j] = (0..<iterations).map { r[$0 + 1] - r[$0] }
        }
        return Outcome(iterationTimes: times, servedBytes: served, end: t, events: events)
    }
}
