import OptoCore

extension Evaluator {
    /// Epochs-mode evaluation one epoch at a time, for a loop that decides
    /// each epoch's configuration after scoring the one before (the replay
    /// of PROBLEMS.md §5). Scoring the kept prefix again at every epoch
    /// costs the square of the epochs; the chain keeps what the fluid run
    /// carries across an epoch boundary and runs each epoch once.
    ///
    /// What crosses a boundary: every pair's bytes not yet served (the
    /// backlog; the packet shares depend only on which flows have data,
    /// and are filled afresh when an epoch starts), and every circuit's
    /// up-time (a kept circuit keeps it, a new one is dark for `δ` from the
    /// boundary, the first epoch's circuits are up at once), by the same
    /// ``CircuitUpTimes`` with which `evaluate` builds an epochs scenario. So the bytes each epoch serves
    /// are the growth of `evaluate`'s served total over the prefix, up to
    /// rounding (`EpochChainTests` compares them to 1e-9).
    public struct EpochChain: Sendable {
        public let fabric: Fabric
        /// Bytes not yet served, row-major `N × N`.
        public private(set) var backlog: [Double]
        /// Per pair, when its circuits come up, relative to the next epoch's start.
        private var upTimes = CircuitUpTimes()
        /// Epochs served so far.
        public private(set) var epochs = 0

        public init(fabric: Fabric) throws {
            try Evaluator.validate(fabric)
            self.fabric = fabric
            backlog = Array(repeating: 0, count: fabric.nodes * fabric.nodes)
        }

        /// Serves one epoch of `duration` with `circuits` on the arriving
        /// `demand` plus the backlog; returns the bytes it serves.
        ///
        /// `transit` entries (with the plan's `served` bytes per pair, as an
        /// epochs plan lists them) move their shares of each pair's bytes
        /// over two circuits at the epoch's start and give back what is
        /// undelivered at its end, as `evaluate` runs a plan with transit
        /// (`TransitFluidSimulator`); without them the epoch runs on
        /// `PortFluidSimulator`, the same model.
        ///
        /// - Throws: `EvaluationError` for traffic or circuits that do not
        ///   fit the fabric, and for a transit entry that is malformed or
        ///   crosses a circuit the epoch does not have.
        public mutating func serve(circuits: [Circuit], transit: [TransitRoute] = [], served: [PairBytes]? = nil,
                                   demand: Matrix, duration: Double) throws -> Double {
            let n = fabric.nodes
            guard duration.isFinite && duration >= 0 else {
                throw EvaluationError.invalidTraffic("epoch \(epochs) has duration \(duration)")
            }
            try Evaluator.validate(demand, nodes: n, label: "epoch \(epochs) demand")
            try Evaluator.validate(circuits, fabric: fabric, label: "epoch \(epochs)")
            var servedByPair: [Int: Double]?
            if !transit.isEmpty {
                let present = Set(circuits.map { $0.from * n + $0.to })
                for (k, r) in transit.enumerated() {
                    try Evaluator.checkTransitEntry(r, label: "epoch \(epochs) transit[\(k)] \(r)", nodes: n,
                                                    badAmount: "has bytes that are negative or not finite",
                                                    circuitsName: "epoch \(epochs)") { present.contains($0 * n + $1) }
                }
                servedByPair = try served.map { try Evaluator.servedMap($0, label: "epoch \(epochs) served", nodes: n) }
            }
            _ = upTimes.change(to: circuits, nodes: n, upAt: epochs == 0 ? 0 : fabric.reconfigurationDelay)
            var intervals: [CircuitInterval] = []
            for (pair, ups) in upTimes.ups {
                for u in ups where max(0, u) < duration {
                    intervals.append(CircuitInterval(from: pair / n, to: pair % n, start: max(0, u), end: duration))
                }
            }
            intervals.sort { ($0.start, $0.from, $0.to) < ($1.start, $1.from, $1.to) }
            let arriving = demand.withoutDiagonal.values
            var offered = backlog
            for k in 0..<(n * n) { offered[k] += arriving[k] }
            let before = offered.reduce(0, +)
            let scenario = FluidScenario(nodes: n, packetRate: fabric.packetRate, circuitRate: fabric.circuitRate,
                                         arrivals: [(0, offered)], circuits: intervals, end: duration)
            let outcome = transit.isEmpty
                ? PortFluidSimulator.run(scenario)
                : TransitFluidSimulator.run(scenario, epochs: [EpochTransit(start: 0, end: duration, routes: transit, served: servedByPair)]).outcome
            backlog = Array(repeating: 0, count: n * n)
            for (f, pair) in outcome.pairs.enumerated() { backlog[pair] = outcome.remaining[f] }
            upTimes.shift(by: duration)
            epochs += 1
            return before - backlog.reduce(0, +)
        }
    }
}
