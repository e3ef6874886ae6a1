/// Why a stagger instance or plan cannot be planned or scored.
///
/// Every case names the job, link or phase at fault so the message can be
/// shown to a user as is. Planners throw these instead of trapping on bad
/// input (an instance built in code skips the file reader's checks).
public enum StaggerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The step `Δ` is not a positive finite number of seconds.
    case invalidStep(Double)
    /// A value (period, phase start or duration) is not a whole number of steps.
    case offGrid(job: String, field: String, value: Double, step: Double)
    /// A value is negative, zero where it must be positive, NaN or infinite.
    case invalidValue(job: String, field: String, value: Double)
    /// A phase lasts longer than its job's period (it would overlap itself).
    case phaseLongerThanPeriod(job: String, phase: Int)
    /// A link has a capacity that is not positive and finite.
    case invalidCapacity(link: String, capacity: Double)
    /// A job names a link the instance does not define.
    case unknownLink(job: String, link: String)
    /// Two links or two jobs share a name.
    case duplicateName(String)
    /// `H/Δ` exceeds what the planner will build (`limit` slots).
    case hyperPeriodTooLarge(slots: Int?, limit: Int)
    /// A plan names no offset for a job, or an offset off the grid or outside `0..<P_k`.
    case invalidOffset(job: String, offset: Double?)
    /// Brute force was asked to enumerate more combinations than its limit.
    case tooManyCombinations(limit: Int)
    /// Selection by evaluation was given no plan to start from.
    case noCandidates

    public var description: String {
        switch self {
        case .invalidStep(let s):
            "step must be a positive, finite number of seconds (got \(s))"
        case let .offGrid(job, field, value, step):
            "job \(job): \(field) \(value) s is not a multiple of the step \(step) s"
        case let .invalidValue(job, field, value):
            "job \(job): \(field) \(value) is not a valid value"
        case let .phaseLongerThanPeriod(job, phase):
            "job \(job): phase \(phase) lasts longer than the job's period"
        case let .invalidCapacity(link, capacity):
            "link \(link): capacity \(capacity) must be positive and finite"
        case let .unknownLink(job, link):
            "job \(job) names link \(link), which the instance does not define"
        case .duplicateName(let n):
            "name \(n) is used twice"
        case let .hyperPeriodTooLarge(slots, limit):
            "the hyper-period (lcm of the periods) is \(slots.map { "\($0)" } ?? "more than \(Int.max)") steps, more than the \(limit) the planner builds; choose a coarser step or rounder periods"
        case let .invalidOffset(job, offset):
            "job \(job): offset \(offset.map { "\($0) s" } ?? "missing") is not on the step grid within 0..<period"
        case .tooManyCombinations(let limit):
            "brute force would enumerate more than \(limit) offset combinations"
        case .noCandidates:
            "selection by evaluation needs at least one plan"
        }
    }
}
