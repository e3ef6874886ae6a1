import OptoCore

/// The evaluator's mean job slowdown of stagger plans on one instance, for
/// callers that score many plans (selecting a plan by its evaluated
/// iteration time): each job's isolated iteration time is measured once,
/// so a score costs one shared run instead of `1 + jobs` runs.
///
/// `meanSlowdown(plan)` equals the mean over jobs of the `slowdown` that
/// ``Evaluator/evaluate(_:on:actual:iterations:)`` reports for the same
/// plan and iteration count.
public struct StaggerSlowdownScorer: Sendable {
    let model: JobModel
    let isolated: [Double]
    let names: [String]
    /// Iterations measured per job.
    public let iterations: Int

    /// Measures every job of `instance` alone.
    ///
    /// - Throws: `EvaluationError` as ``Evaluator/evaluate(_:on:actual:iterations:)``.
    /// - Complexity: `jobs` single-job runs.
    public init(_ instance: StaggerInstance, iterations: Int = 20) throws {
        guard iterations >= 1 else { throw EvaluationError.invalidOption("iterations must be at least 1, got \(iterations)") }
        let model = try JobModel(instance)
        self.model = model
        self.iterations = iterations
        self.names = instance.jobs.map(\.name)
        self.isolated = try instance.jobs.indices.map { k in
            let alone = try JobRun(model: model, jobs: [k], offsets: [0], classes: [0], iterations: iterations).simulate()
            return alone.iterationTimes[k].reduce(0, +) / Double(iterations)
        }
    }

    /// The mean over jobs of mean iteration time / isolated iteration time
    /// under `plan` (offsets and priorities as the evaluator applies them).
    ///
    /// - Throws: `EvaluationError` on a missing or invalid offset, or a run
    ///   that cannot complete.
    /// - Complexity: one dynamic run of every job (see ``Evaluator``).
    public func meanSlowdown(_ plan: StaggerPlan) throws -> Double {
        var offsets: [Double] = []
        for name in names {
            guard let o = plan.offsets[name] else { throw EvaluationError.invalidPlan("no offset for job \"\(name)\"") }
            guard o.isFinite && o >= 0 else { throw EvaluationError.invalidPlan("offset \(o) of job \"\(name)\"") }
            offsets.append(o)
        }
        var classes = Array(repeating: 0, count: names.count)
        if let priorities = plan.priorities {
            let rank = Dictionary(priorities.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            for (k, name) in names.enumerated() { classes[k] = rank[name] ?? priorities.count }
        }
        let run = try JobRun(model: model, jobs: Array(names.indices), offsets: offsets, classes: classes,
                             iterations: iterations).simulate()
        guard !names.isEmpty else { return 1 }
        var total = 0.0
        for k in names.indices {
            let mean = run.iterationTimes[k].reduce(0, +) / Double(iterations)
            total += isolated[k] > 0 ? mean / isolated[k] : 1
        }
        return total / Double(names.count)
    }
}
