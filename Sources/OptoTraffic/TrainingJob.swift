import OptoCore

/// A training job as a capacity planner describes it: where its ranks run,
/// its collective, how long it computes per iteration, and the rate at
/// which it communicates. `JobSpec` files hold a list of them.
public struct TrainingJob: Equatable, Sendable {
    /// The communication pattern of one iteration.
    public enum Pattern: Equatable, Sendable {
        /// Data parallelism: ring all-reduce of the gradients.
        case ringAllReduce(gradientBytes: Double)
        /// Expert parallelism: all-to-all, `rounds` per iteration.
        case allToAll(bytesPerRank: Double, rounds: Int)
        /// Pipeline parallelism over the job's nodes in order (one stage per node).
        case pipeline(activationBytes: Double, microbatches: Int)
    }

    /// Unique name (the stagger job's name).
    public var name: String
    /// Fabric nodes hosting the job, in ring or stage order.
    public var nodes: [Int]
    /// Ranks (GPUs) on each node.
    public var ranksPerNode: Int
    /// The collective.
    public var pattern: Pattern
    /// Compute time of one iteration, seconds (the communication follows it).
    public var computeTime: Double
    /// The rate at which the job communicates (its NIC or share of the
    /// link), bits per second.
    public var rate: Double
    /// Links the job loads (stagger instances).
    public var links: [String]

    /// A job.
    public init(name: String, nodes: [Int], ranksPerNode: Int, pattern: Pattern, computeTime: Double, rate: Double, links: [String] = []) {
        self.name = name
        self.nodes = nodes
        self.ranksPerNode = ranksPerNode
        self.pattern = pattern
        self.computeTime = computeTime
        self.rate = rate
        self.links = links
    }

    /// Bytes per iteration between nodes (`fabricSize × fabricSize`).
    public func trafficMatrix(fabricSize n: Int) -> Matrix {
        switch pattern {
        case .ringAllReduce(let g): Collectives.ringAllReduce(gradientBytes: g, nodes: nodes, ranksPerNode: ranksPerNode, fabricSize: n)
        case .allToAll(let b, let r): Collectives.allToAll(bytesPerRank: b, rounds: r, nodes: nodes, ranksPerNode: ranksPerNode, fabricSize: n)
        case .pipeline(let a, let m): Collectives.pipeline(activationBytes: a, microbatches: m, stages: nodes, fabricSize: n)
        }
    }

    /// The traffic among the job's own nodes only: row and column `k` are
    /// `nodes[k]` (cheap when the job names high node numbers).
    public var compactTrafficMatrix: Matrix {
        var relabelled = self
        relabelled.nodes = Array(nodes.indices)
        return relabelled.trafficMatrix(fabricSize: nodes.count)
    }

    /// Bytes per iteration that cross the fabric.
    public var fabricBytes: Double { compactTrafficMatrix.total }

    /// The bytes the busiest node sends per iteration: what paces the
    /// communication phase at `rate`.
    public var bottleneckBytes: Double { compactTrafficMatrix.rowSums.max() ?? 0 }

    /// Seconds of communication per iteration at `rate`: the busiest node's
    /// bytes over the rate.
    public var communicationTime: Double { rate > 0 ? bottleneckBytes * 8 / rate : 0 }

    /// Compute plus communication: the isolated iteration time.
    public var iterationTime: Double { computeTime + communicationTime }

    /// The job as a stagger job on a grid of `step`: compute first, then one
    /// communication phase at `rate`; compute and communication times are
    /// rounded up to whole steps (a phase of at least one step).
    public func staggerJob(step: Double) -> StaggerInstance.Job {
        func steps(_ t: Double) -> Double { (t / step - 1e-9).rounded(.up) }
        let compute = max(0, steps(computeTime))
        let comm = max(1, steps(communicationTime))
        return StaggerInstance.Job(name: name, period: (compute + comm) * step, links: links,
                                   phases: [.init(start: compute * step, duration: comm * step, rate: rate)])
    }
}
