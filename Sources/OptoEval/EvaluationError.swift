/// Why a plan could not be evaluated. Every case carries a message for a
/// human that says what was wrong and where.
public enum EvaluationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The plan and the traffic are for different problems or modes (a
    /// window plan on an epochs instance, a stagger plan on a schedule instance).
    case mismatch(String)
    /// The plan cannot run on the fabric (a node out of range, a circuit
    /// from a node to itself, more circuits at a node than it has ports, a
    /// negative duration, a job without an offset, …).
    case invalidPlan(String)
    /// The traffic cannot be simulated (a different node count than the
    /// plan's instance, a job naming an undefined link, a negative demand, …).
    case invalidTraffic(String)
    /// An evaluation option is out of range (`iterations < 1`).
    case invalidOption(String)
    /// The run cannot progress: a job phase whose links have no capacity
    /// never finishes, so its job never completes an iteration.
    case noProgress(String)

    /// The message, prefixed with the kind of problem.
    public var description: String {
        switch self {
        case .mismatch(let m): "plan and traffic do not match: \(m)"
        case .invalidPlan(let m): "invalid plan: \(m)"
        case .invalidTraffic(let m): "invalid traffic: \(m)"
        case .invalidOption(let m): "invalid option: \(m)"
        case .noProgress(let m): "the run cannot progress: \(m)"
        }
    }
}
