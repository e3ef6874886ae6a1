/// The fabric of PROBLEMS.md "Common fabric": `N` nodes joined by an optical
/// circuit switch and by an electrical packet fabric that is non-blocking
/// inside and limited at each node's edge.
///
/// All rates are in bits per second, times in seconds.
public struct Fabric: Equatable, Sendable {
    /// Number of nodes `N` (ToRs, racks or pods), numbered `0..<N`.
    public var nodes: Int
    /// `k_i`: optical transmitters (and as many receivers) of each node, for
    /// circuit scheduling. Length `N`.
    public var ocsPortsPerNode: [Int]
    /// `r_c`: the rate of one circuit.
    public var circuitRate: Double
    /// `p_i`: what node `i` can send, and receive, through the packet fabric. Length `N`.
    public var packetRate: [Double]
    /// `δ`: dark time of a port while its circuit is reconfigured.
    public var reconfigurationDelay: Double

    /// A fabric; scalar port counts and packet rates apply to every node.
    public init(nodes: Int, ocsPortsPerNode: [Int], circuitRate: Double, packetRate: [Double], reconfigurationDelay: Double = 0) {
        self.nodes = nodes
        self.ocsPortsPerNode = ocsPortsPerNode
        self.circuitRate = circuitRate
        self.packetRate = packetRate
        self.reconfigurationDelay = reconfigurationDelay
    }

    /// A uniform fabric: every node has `ports` OCS ports and packet rate `packetRate`.
    public init(nodes: Int, ports: Int, circuitRate: Double, packetRate: Double, reconfigurationDelay: Double = 0) {
        self.init(nodes: nodes, ocsPortsPerNode: Array(repeating: ports, count: nodes), circuitRate: circuitRate,
                  packetRate: Array(repeating: packetRate, count: nodes), reconfigurationDelay: reconfigurationDelay)
    }
}

/// The fabric of the link-pool problem (PROBLEMS.md §2): each node has a
/// pool of `q_i` optical ports, each of which may be set to transmit or to
/// receive, optionally capped per direction by `tx_i` and `rx_i`.
public struct LinkPoolFabric: Equatable, Sendable {
    /// Number of nodes `N`.
    public var nodes: Int
    /// `q_i`: pooled optical ports of each node. Length `N`.
    public var opticalPorts: [Int]
    /// `r_c`: the rate of one circuit.
    public var circuitRate: Double
    /// `p_i`: packet-fabric send and receive limit of each node. Length `N`.
    public var packetRate: [Double]
    /// Optional cap on the ports of node `i` that transmit. Length `N` when present.
    public var tx: [Int]?
    /// Optional cap on the ports of node `i` that receive. Length `N` when present.
    public var rx: [Int]?

    /// A link-pool fabric.
    public init(nodes: Int, opticalPorts: [Int], circuitRate: Double, packetRate: [Double], tx: [Int]? = nil, rx: [Int]? = nil) {
        self.nodes = nodes
        self.opticalPorts = opticalPorts
        self.circuitRate = circuitRate
        self.packetRate = packetRate
        self.tx = tx
        self.rx = rx
    }

    /// A uniform link-pool fabric.
    public init(nodes: Int, ports: Int, circuitRate: Double, packetRate: Double) {
        self.init(nodes: nodes, opticalPorts: Array(repeating: ports, count: nodes), circuitRate: circuitRate,
                  packetRate: Array(repeating: packetRate, count: nodes))
    }
}
