import OptoCore

/// `"generate": "collective"`: a collective instance (PROBLEMS.md §4) from
/// each job's parallel layout.
///
/// ```json
/// {
///   "generate": "collective",
///   "fabric": { "nodes": 16, "ocsPortsPerNode": 4, "circuitRate": "100Gbps", "packetRate": "10Gbps",
///               "reconfigurationDelay": "10us", "maxHops": 4 },
///   "jobs": [
///     { "name": "moe", "nodes": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
///       "tensor": 2, "pipeline": 2, "gradient": "2GB",
///       "expert": 2, "bytesPerRank": "64MB", "rounds": 2,
///       "tensorBytes": "256MB", "activation": "16MB", "microbatches": 8 }
///   ]
/// }
/// ```
///
/// One rank per node. The job's `nodes` are its ranks in order; rank `i`
/// has tensor coordinate `i mod t`, data coordinate `(i / t) mod d` and
/// pipeline stage `i / (t·d)` (tensor fastest, as Megatron-LM orders
/// them), with `t = tensor` (default 1), `pp = pipeline` (default 1) and
/// `d = nodes / (t·pp)` (`data`, if given, must equal it). Collectives, in
/// this order:
///
/// - `dp[s,j]`: an allreduce over the data-parallel group of stage `s` and
///   tensor coordinate `j` (`d > 1`), `S = gradient/(t·pp)` (each rank
///   holds its share of the model); `model` fills `gradient`.
/// - `ep[s,j,g]`: with `expert` = `e` (dividing `d`, `e > 1`) and
///   `bytesPerRank`, an alltoall over each run of `e` consecutive data
///   coordinates, `S = rounds·bytesPerRank/(e−1)` per ordered pair (a rank
///   spreads its tokens evenly over the others, as `alltoall` jobs do).
/// - `tp[s,i]`: with `tensorBytes` and `t > 1`, an allreduce over the
///   tensor group, `S = tensorBytes`.
/// - `pp[s,i,j]`: with `activation` and `pp > 1`, an alltoall over the
///   ranks of stages `s` and `s+1` at data coordinate `i` and tensor
///   coordinate `j`, `S = activation·microbatches` each way (activations
///   forward, gradients back).
///
/// Circuits are free (`reconfigure` true, no `current`): the instance asks
/// for a configuration and rings.
extension JobSpec {
    /// A job's parallel layout and volumes, for collective instances.
    public struct CollectiveLayoutSpec: Equatable, Sendable {
        public var name: String
        public var nodes: [Int]
        public var tensor: Int
        public var pipeline: Int
        public var gradient: Double?
        public var expert: Int?
        public var bytesPerRank: Double?
        public var rounds: Int
        public var tensorBytes: Double?
        public var activation: Double?
        public var microbatches: Int

        public init(name: String, nodes: [Int], tensor: Int = 1, pipeline: Int = 1, gradient: Double? = nil, expert: Int? = nil,
                    bytesPerRank: Double? = nil, rounds: Int = 1, tensorBytes: Double? = nil, activation: Double? = nil, microbatches: Int = 1) {
            self.name = name
            self.nodes = nodes
            self.tensor = tensor
            self.pipeline = pipeline
            self.gradient = gradient
            self.expert = expert
            self.bytesPerRank = bytesPerRank
            self.rounds = rounds
            self.tensorBytes = tensorBytes
            self.activation = activation
            self.microbatches = microbatches
        }

        /// Data-parallel degree: ranks over `tensor·pipeline`.
        public var data: Int { nodes.count / max(1, tensor * pipeline) }

        /// The job's collectives (see ``JobSpec`` "collective").
        /// - Complexity: O(ranks).
        public func collectives() -> [Collective] {
            let t = tensor, d = data, pp = pipeline
            func node(stage s: Int, data i: Int, tensor j: Int) -> Int { nodes[s * t * d + i * t + j] }
            var out: [Collective] = []
            if let g = gradient, d > 1 {
                for s in 0..<pp { for j in 0..<t {
                    out.append(Collective(name: "dp[\(s),\(j)]", kind: .allreduce, group: (0..<d).map { node(stage: s, data: $0, tensor: j) },
                                          bytes: g / Double(t * pp)))
                } }
            }
            if let e = expert, e > 1, let b = bytesPerRank {
                for s in 0..<pp { for j in 0..<t { for g in 0..<(d / e) {
                    out.append(Collective(name: "ep[\(s),\(j),\(g)]", kind: .alltoall,
                                          group: (0..<e).map { node(stage: s, data: g * e + $0, tensor: j) },
                                          bytes: Double(rounds) * b / Double(e - 1)))
                } } }
            }
            if let tb = tensorBytes, t > 1 {
                for s in 0..<pp { for i in 0..<d {
                    out.append(Collective(name: "tp[\(s),\(i)]", kind: .allreduce, group: (0..<t).map { node(stage: s, data: i, tensor: $0) }, bytes: tb))
                } }
            }
            if let a = activation, pp > 1 {
                for s in 0..<(pp - 1) { for i in 0..<d { for j in 0..<t {
                    out.append(Collective(name: "pp[\(s),\(i),\(j)]", kind: .alltoall,
                                          group: [node(stage: s, data: i, tensor: j), node(stage: s + 1, data: i, tensor: j)],
                                          bytes: a * Double(microbatches)))
                } } }
            }
            return out
        }
    }

    static func readCollectiveSpec(_ top: [(key: String, value: JSONValue)], _ ctx: InputContext) -> (Fabric, Int, [CollectiveLayoutSpec])? {
        var fabric: Fabric?
        var maxHops: Int? = 1
        if let f = ctx.required(top, "fabric", "", what: "the fabric") {
            fabric = InstanceReader.readScheduleFabric(f, ctx, alsoKnown: ["maxHops"])
            if case .object(let m) = f, let h = ctx.optional(m, "maxHops") {
                let upper = max((fabric?.nodes ?? InstanceReader.maximumNodes) - 1, 1)
                maxHops = ctx.integer(h, "fabric.maxHops", what: "the most circuits a transfer may cross (1 to N−1 for collectives)", in: 1...upper)
            }
        }
        var jobs: [CollectiveLayoutSpec] = []
        var names = Set<String>()
        var owner: [Int: String] = [:]
        if let jv = ctx.required(top, "jobs", "", what: "the training jobs"), let list = ctx.array(jv, "jobs", what: "a list of jobs") {
            if list.isEmpty { ctx.fail("jobs", "the list of jobs is empty") }
            for (k, item) in list.enumerated() {
                let p = InputContext.join("jobs", k)
                guard let job = readCollectiveLayout(item, p, nodes: fabric?.nodes, ctx) else { continue }
                if !names.insert(job.name).inserted { ctx.fail(InputContext.join(p, "name"), "duplicate job name \"\(job.name)\"") }
                for (i, u) in job.nodes.enumerated() {
                    if let other = owner[u] {
                        ctx.fail(InputContext.join(InputContext.join(p, "nodes"), i), "node \(u) is already in job \"\(other)\": jobs' groups must be disjoint")
                    } else { owner[u] = job.name }
                }
                jobs.append(job)
            }
        }
        guard let fabric, let maxHops, !ctx.hasErrors else { return nil }
        return (fabric, maxHops, jobs)
    }

    static func readCollectiveLayout(_ json: JSONValue, _ p: String, nodes fabricNodes: Int?, _ ctx: InputContext) -> CollectiveLayoutSpec? {
        let known: Set<String> = ["name", "model", "nodes", "ranksPerNode", "tensor", "pipeline", "data", "gradient", "expert",
                                  "bytesPerRank", "rounds", "tensorBytes", "activation", "microbatches"]
        guard let m = ctx.object(json, p, what: "a job", known: known) else { return nil }
        func path(_ key: String) -> String { InputContext.join(p, key) }
        let name = ctx.required(m, "name", p, what: "the job's name").flatMap { ctx.string($0, path("name"), what: "a name") }
        var gradient: Double? = ctx.optional(m, "gradient").flatMap { ctx.quantity($0, path("gradient"), .volume, positive: true) }
        if let mv = ctx.optional(m, "model"), let model = ctx.string(mv, path("model"), what: "a model name") {
            if let profile = ModelCatalog.profiles[model] {
                if ctx.optional(m, "gradient") == nil { gradient = profile.gradientBytes }
            } else {
                ctx.fail(path("model"), "unknown model \"\(model)\"; known: \(ModelCatalog.all.map(\.name).joined(separator: ", "))")
            }
        }
        if let r = ctx.optional(m, "ranksPerNode"), let k = ctx.integer(r, path("ranksPerNode"), what: "ranks per node", in: 1...1_000_000), k != 1 {
            ctx.fail(path("ranksPerNode"), "collective instances place one rank per node (a group member is a node); expected 1")
        }
        var nodes: [Int]?
        if let nv = ctx.required(m, "nodes", p, what: "the fabric nodes of the job's ranks"),
           let list = ctx.array(nv, path("nodes"), what: "a list of node numbers") {
            let upper = max(0, (fabricNodes ?? InstanceReader.maximumNodes) - 1)
            let read = list.enumerated().map { ctx.integer($1, InputContext.join(path("nodes"), $0), what: "a node number", in: 0...upper) }
            if list.count < 2 { ctx.fail(path("nodes"), "a job's collectives need at least two nodes") }
            if read.allSatisfy({ $0 != nil }) {
                let ns = read.compactMap { $0 }
                if Set(ns).count != ns.count { ctx.fail(path("nodes"), "a node is listed twice") } else if ns.count >= 2 { nodes = ns }
            }
        }
        func count(_ key: String, _ what: String) -> Int? {
            ctx.optional(m, key).flatMap { ctx.integer($0, path(key), what: what, in: 1...InstanceReader.maximumNodes) }
        }
        let tensor = count("tensor", "the tensor-parallel degree") ?? 1
        let pipeline = count("pipeline", "the number of pipeline stages") ?? 1
        let expert = count("expert", "the expert-parallel degree")
        let rounds = count("rounds", "alltoall rounds per iteration") ?? 1
        let microbatches = count("microbatches", "microbatches per iteration") ?? 1
        let bytesPerRank = ctx.optional(m, "bytesPerRank").flatMap { ctx.quantity($0, path("bytesPerRank"), .volume, positive: true) }
        let tensorBytes = ctx.optional(m, "tensorBytes").flatMap { ctx.quantity($0, path("tensorBytes"), .volume, positive: true) }
        let activation = ctx.optional(m, "activation").flatMap { ctx.quantity($0, path("activation"), .volume, positive: true) }
        guard let name, let nodes, !ctx.hasErrors else { return nil }
        let job = CollectiveLayoutSpec(name: name, nodes: nodes, tensor: tensor, pipeline: pipeline, gradient: gradient, expert: expert,
                                       bytesPerRank: bytesPerRank, rounds: rounds, tensorBytes: tensorBytes, activation: activation,
                                       microbatches: microbatches)
        if nodes.count % (tensor * pipeline) != 0 {
            ctx.fail(path("nodes"), "\(nodes.count) nodes do not split into tensor × pipeline = \(tensor) × \(pipeline) groups")
            return nil
        }
        if let d = count("data", "the data-parallel degree"), d != job.data {
            ctx.fail(path("data"), "\(nodes.count) nodes with tensor \(tensor) and pipeline \(pipeline) make a data-parallel degree of \(job.data), not \(d)")
        }
        if let e = expert {
            if bytesPerRank == nil { ctx.fail(p, "missing \"bytesPerRank\" (bytes each rank sends per alltoall round) for \"expert\"") }
            if job.data % e != 0 { ctx.fail(path("expert"), "the expert-parallel degree \(e) does not divide the data-parallel degree \(job.data)") }
        } else if bytesPerRank != nil {
            ctx.fail(path("bytesPerRank"), "\"bytesPerRank\" needs \"expert\" (the alltoall group size)")
        }
        if tensorBytes != nil && tensor == 1 { ctx.fail(path("tensorBytes"), "\"tensorBytes\" needs \"tensor\" above 1") }
        if activation != nil && pipeline == 1 { ctx.fail(path("activation"), "\"activation\" needs \"pipeline\" above 1") }
        if !ctx.hasErrors && job.collectives().isEmpty {
            ctx.fail(p, "the job makes no collective: give \"gradient\" (or \"model\") with a data-parallel degree above 1, \"expert\" with \"bytesPerRank\", \"tensorBytes\" or \"activation\"")
        }
        return ctx.hasErrors ? nil : job
    }
}
