import Foundation

/// The identity of one ``Model``: every handle a model hands out carries it,
/// so a handle used with another model is caught by ``Model/validated()``.
///
/// Identities come from a process-wide counter (32 bits, so they repeat only
/// after four billion models).
public struct ModelIdentity: Hashable, Sendable, CustomStringConvertible {
    /// The counter value.
    public let rawValue: UInt32

    private static let lock = NSLock()
    nonisolated(unsafe) private static var next: UInt32 = 1

    /// A fresh identity, never returned before in this process (modulo 2³²).
    static func make() -> ModelIdentity {
        lock.lock()
        defer { lock.unlock() }
        let value = next
        next = next &+ 1
        if next == 0 { next = 1 }
        return ModelIdentity(rawValue: value)
    }

    init(rawValue: UInt32) { self.rawValue = rawValue }

    /// A short human-readable form.
    public var description: String { "model#\(rawValue)" }
}

/// A handle to one decision variable of one ``Model``.
///
/// Eight bytes: the owning model's identity and the variable's position.
/// Names are debug labels only; a variable is identified by its handle.
public struct VariableID: Hashable, Sendable, CustomStringConvertible {
    /// The model that created this variable.
    public let model: ModelIdentity
    let rawIndex: UInt32
    /// The variable's position in its model, counting from 0 in creation order.
    public var index: Int { Int(rawIndex) }

    init(model: ModelIdentity, index: Int) {
        self.model = model
        self.rawIndex = UInt32(truncatingIfNeeded: index)
    }

    /// A short human-readable form.
    public var description: String { "x\(index)@\(model.rawValue)" }
}

/// A handle to one linear constraint of one ``Model``.
public struct ConstraintID: Hashable, Sendable, CustomStringConvertible {
    /// The model that created this constraint.
    public let model: ModelIdentity
    let rawIndex: UInt32
    /// The constraint's position in its model, counting from 0 in creation order.
    public var index: Int { Int(rawIndex) }

    init(model: ModelIdentity, index: Int) {
        self.model = model
        self.rawIndex = UInt32(truncatingIfNeeded: index)
    }

    /// A short human-readable form.
    public var description: String { "c\(index)@\(model.rawValue)" }
}

/// The domain of a variable.
public enum VariableKind: Sendable, Hashable {
    /// Any real number within the bounds.
    case continuous
    /// Any integer within the bounds (fractional bounds are rounded inwards).
    case integer
    /// 0 or 1 (intersected with the given bounds).
    case binary

    /// Whether the variable must take an integer value.
    public var isInteger: Bool { self != .continuous }
}

/// Whether the objective is minimised or maximised.
public enum ObjectiveSense: Sendable, Hashable {
    /// Find the smallest objective value.
    case minimize
    /// Find the largest objective value.
    case maximize
}

/// The set a constraint's linear expression must lie in.
///
/// One-to-one with GLPK's row bound types (upper, lower, fixed, double).
/// An infinite side means "no bound on that side": `.lessThanOrEqual(.infinity)`
/// is a free row. A set that no finite value can satisfy by construction
/// (`.lessThanOrEqual(-.infinity)`, `.equalTo(.infinity)`, a NaN, an
/// interval whose lower end exceeds its upper end) is rejected by
/// ``Model/validated()``.
public enum ConstraintSet: Sendable, Hashable {
    /// expression ≤ value
    case lessThanOrEqual(Double)
    /// expression ≥ value
    case greaterThanOrEqual(Double)
    /// expression = value
    case equalTo(Double)
    /// lower ≤ expression ≤ upper
    case interval(Double, Double)

    /// The set as a pair of bounds (either may be infinite).
    public var bounds: (lower: Double, upper: Double) {
        switch self {
        case .lessThanOrEqual(let v): return (-.infinity, v)
        case .greaterThanOrEqual(let v): return (v, .infinity)
        case .equalTo(let v): return (v, v)
        case .interval(let l, let u): return (l, u)
        }
    }
}
