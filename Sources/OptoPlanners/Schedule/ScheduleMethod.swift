import OptoCore

/// The circuit-scheduling methods of PROBLEMS.md §1, by their command-line names.
public enum ScheduleMethod: String, Sendable, CaseIterable, Codable {
    /// The default: best heuristic, then the exact model warm-started from it, with a size rule and fallbacks (`SchedulePlanner+Auto.swift`).
    case auto
    /// Exact, through the modeling layer: slot model for window/makespan, epoch model for 1b.
    case ilp
    /// Birkhoff–von Neumann decomposition of the stuffed demand.
    case bvn
    /// Solstice (Liu et al., CoNEXT 2015): stuff, then slice by descending thresholds.
    case solstice
    /// Bottleneck slicing: packet fabric first for the small entries, then stuffed perfect matchings held while the busiest lines have data.
    case bottleneck
    /// Eclipse (Bojja Venkatakrishnan et al., SIGMETRICS 2016): greedy served-bytes-per-time.
    case eclipse
    /// Repeated maximum-weight matching.
    case greedy
    /// One maximum-weight b-matching for the whole window.
    case `static`
    /// Demand-oblivious round robin (RotorNet, Mellette et al., SIGCOMM 2017).
    case rotor

    /// The heuristics, cheapest first.
    public static let heuristics: [ScheduleMethod] = [.rotor, .static, .solstice, .bottleneck, .bvn, .greedy, .eclipse]
}

/// Why a schedule instance or plan is unusable (bad data, not a planner
/// failure: those are ``PlanningError``s).
public enum ScheduleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The instance is malformed (names what is wrong).
    case invalidInstance(String)
    /// A plan does not fit its instance (names what is wrong).
    case invalidPlan(String)

    public var description: String {
        switch self {
        case .invalidInstance(let s): "invalid schedule instance: \(s)"
        case .invalidPlan(let s): "invalid schedule plan: \(s)"
        }
    }
}

/// The fabric in the units the planners compute in: bytes and bytes per second.
///
/// Built once per instance by ``ScheduleFabric/init(_:)``, which validates the
/// fabric and throws ``ScheduleError/invalidInstance(_:)`` on bad data.
struct ScheduleFabric: Sendable {
    /// Number of nodes.
    let n: Int
    /// `k_i`, OCS transmitters (and receivers) per node.
    let ports: [Int]
    /// `r_c / 8`: bytes per second of one circuit.
    let circuitBps: Double
    /// `p_i / 8`: packet-fabric bytes per second of each node, each way.
    let packetBps: [Double]
    /// `δ`, seconds.
    let delta: Double

    init(_ f: Fabric) throws {
        guard f.nodes >= 1 else { throw ScheduleError.invalidInstance("the fabric needs at least one node") }
        guard f.ocsPortsPerNode.count == f.nodes else {
            throw ScheduleError.invalidInstance("ocsPortsPerNode has \(f.ocsPortsPerNode.count) entries for \(f.nodes) nodes")
        }
        guard f.packetRate.count == f.nodes else {
            throw ScheduleError.invalidInstance("packetRate has \(f.packetRate.count) entries for \(f.nodes) nodes")
        }
        guard f.ocsPortsPerNode.allSatisfy({ $0 >= 0 }) else { throw ScheduleError.invalidInstance("negative ocsPortsPerNode") }
        guard f.circuitRate.isFinite, f.circuitRate >= 0 else { throw ScheduleError.invalidInstance("circuitRate must be finite and non-negative") }
        guard f.packetRate.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw ScheduleError.invalidInstance("packetRate must be finite and non-negative")
        }
        guard f.reconfigurationDelay.isFinite, f.reconfigurationDelay >= 0 else {
            throw ScheduleError.invalidInstance("reconfigurationDelay must be finite and non-negative")
        }
        n = f.nodes
        ports = f.ocsPortsPerNode
        circuitBps = f.circuitRate / 8
        packetBps = f.packetRate.map { $0 / 8 }
        delta = f.reconfigurationDelay
    }

    /// Most parallel circuits `i → j`: `min(k_i, k_j)`, zero on the diagonal.
    @inline(__always) func pairCap(_ i: Int, _ j: Int) -> Int { i == j ? 0 : min(ports[i], ports[j]) }
}

/// Checks a demand matrix against a fabric: square, `N × N`, finite, non-negative.
/// Returns the matrix with its diagonal zeroed.
func validatedDemand(_ d: Matrix, nodes: Int, label: String = "demand") throws -> Matrix {
    guard d.rows == nodes, d.columns == nodes else {
        throw ScheduleError.invalidInstance("\(label) is \(d.rows)×\(d.columns), the fabric has \(nodes) nodes")
    }
    for v in d.values where !(v.isFinite && v >= 0) {
        throw ScheduleError.invalidInstance("\(label) has a negative or non-finite entry (\(v))")
    }
    return d.withoutDiagonal
}
