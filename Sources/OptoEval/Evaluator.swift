import OptoCore

/// The flow-level evaluator (PROBLEMS.md "The evaluator"): scores a plan
/// against the traffic it was made for, or against another traffic input of
/// the same shape (what actually happened).
///
/// - Schedules run as an event-driven fluid simulation (`PortFluidSimulator`):
///   one flow per ordered pair with demand; circuits give their pair
///   `r_c` × multiplicity while live; every flow with data left shares the
///   packet fabric max-min fair under each node's send and receive limit
///   `p_i` (only packet rates count in the sharing).
/// - Link pools are scored in their steady state: each pair offers its
///   demand rate; circuits carry what they can; the rest shares the packet
///   fabric max-min fair, each flow capped by its residual demand.
/// - Transit (`maxHops: 2` plans): a link-pool entry is a share of its
///   pair's traffic on a sub-flow over two circuits; an epochs plan with
///   transit entries runs on `TransitFluidSimulator` (the general path on
///   the max-min core), its entries moving shares of the pairs' bytes into
///   sub-flows at each epoch's start. Circuits are filled first, max-min
///   over all their users, then the packet fabric.
/// - Stagger plans run the jobs dynamically, each on its own clock (see
///   `evaluate(_:on:actual:iterations:)` for stagger plans).
///
/// The fabric and the timing (window, epoch durations) always come from the
/// instance the plan was made for; only the traffic comes from `actual`.
public enum Evaluator {
    /// Evaluates any plan on its instance (and optionally another traffic
    /// input of the same problem).
    ///
    /// - Throws: `EvaluationError` when the plan, instance and traffic do not
    ///   fit together.
    public static func evaluate(_ plan: Plan, on instance: Instance, actual: Instance? = nil,
                                iterations: Int = 20) throws -> EvaluationMetrics {
        switch (plan, instance) {
        case (.schedule(let p), .schedule(let i)):
            var a: ScheduleInstance?
            if let actual {
                guard case .schedule(let x) = actual else { throw mismatch(actual.problem, expected: .schedule) }
                a = x
            }
            return try evaluate(p, on: i, actual: a)
        case (.linkpool(let p), .linkpool(let i)):
            var a: LinkPoolInstance?
            if let actual {
                guard case .linkpool(let x) = actual else { throw mismatch(actual.problem, expected: .linkpool) }
                a = x
            }
            return try evaluate(p, on: i, actual: a)
        case (.stagger(let p), .stagger(let i)):
            var a: StaggerInstance?
            if let actual {
                guard case .stagger(let x) = actual else { throw mismatch(actual.problem, expected: .stagger) }
                a = x
            }
            return try evaluate(p, on: i, actual: a, iterations: iterations)
        case (.collective(let p), .collective(let i)):
            if let actual {
                guard case .collective(let x) = actual else { throw mismatch(actual.problem, expected: .collective) }
                // The fabric and the configuration are the plan's instance's; the collectives' sizes are the actual ones.
                return try evaluate(p, on: CollectiveInstance(fabric: i.fabric, maxHops: i.maxHops, current: i.current,
                                                              reconfigure: i.reconfigure, jobs: x.jobs))
            }
            return try evaluate(p, on: i)
        default:
            throw EvaluationError.mismatch("the plan is for \(plan.problem.rawValue) but the instance is \(instance.problem.rawValue)")
        }
    }

    private static func mismatch(_ got: ProblemKind, expected: ProblemKind) -> EvaluationError {
        .mismatch("the actual traffic is a \(got.rawValue) instance, the plan is for \(expected.rawValue)")
    }
}

/// Nearest-rank percentile: the smallest value with at least `percent` %
/// of the values at or below it, i.e. the `⌈percent·n/100⌉`-th smallest
/// (integer arithmetic, so 99 % of 100 values is the 99th). `nil` for no values.
func nearestRankPercentile(_ values: [Double], percent: Int) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let rank = (percent * sorted.count + 99) / 100
    return sorted[min(max(rank, 1), sorted.count) - 1]
}
