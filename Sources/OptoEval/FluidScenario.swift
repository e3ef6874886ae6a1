/// One live circuit `from → to` over `[start, end)`. Node indices are
/// stored in 32 bits: a long plan has millions of intervals.
struct CircuitInterval: Equatable {
    private var fromIndex: Int32
    private var toIndex: Int32
    var start: Double
    var end: Double

    init(from: Int, to: Int, start: Double, end: Double) {
        fromIndex = Int32(truncatingIfNeeded: from)
        toIndex = Int32(truncatingIfNeeded: to)
        self.start = start
        self.end = end
    }

    var from: Int { Int(fromIndex) }
    var to: Int { Int(toIndex) }
}

/// A schedule run reduced to what the fluid simulation needs: the packet
/// fabric's port limits, circuit intervals, demand arrivals and when the
/// run ends. Built from a plan and its traffic by `Evaluator`.
struct FluidScenario {
    /// `N`.
    var nodes: Int
    /// `p_i`, bits per second (send and receive limit alike).
    var packetRate: [Double]
    /// `r_c`, bits per second.
    var circuitRate: Double
    /// Demand added at a time: one arrival at 0 in window mode, one per epoch start in epochs mode.
    /// Bytes, row-major `N × N`, diagonal zero.
    var arrivals: [(time: Double, demand: [Double])]
    /// Every circuit's live interval.
    var circuits: [CircuitInterval]
    /// When the run ends; `nil`: when every flow is done (makespan mode).
    var end: Double?
}

/// What a fluid run measured, per flow and per port; turned into
/// `EvaluationMetrics` by `Evaluator`.
struct FluidOutcome {
    /// Ordered pair of each flow (`from * N + to`).
    var pairs: [Int]
    /// Total demand that arrived for each flow, bytes.
    var demand: [Double]
    /// Bytes still unserved at the end, per flow.
    var remaining: [Double]
    /// When each flow's data was last all served; `nil` while data is left.
    var completion: [Double?]
    /// `∫` packet send rate of each node, bits (divide by `p_i·T`).
    var sendIntegral: [Double]
    /// `∫` packet receive rate of each node, bits.
    var receiveIntegral: [Double]
    /// Circuit-seconds live inside the run.
    var circuitLive: Double
    /// Circuit-seconds that carried data.
    var circuitBusy: Double
    /// When the last byte was served.
    var lastService: Double
    /// When the run ended.
    var end: Double
    /// Events processed.
    var events: Int
}
