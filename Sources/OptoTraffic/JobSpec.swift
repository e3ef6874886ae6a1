#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OptoCore

/// A job specification file for `optoplan gen`: a list of training jobs and
/// what to generate from them.
///
/// ```json
/// {
///   "generate": "schedule",
///   "fabric": { "nodes": 4, "ocsPortsPerNode": 1, "circuitRate": "100Gbps", "packetRate": "10Gbps" },
///   "iterations": 1,
///   "jobs": [
///     { "name": "vgg", "model": "vgg16", "nodes": [0, 1, 2], "ranksPerNode": 8, "rate": "50Gbps" },
///     { "name": "moe", "pattern": "alltoall", "bytesPerRank": "64MB", "rounds": 4, "compute": "200ms",
///       "nodes": [1, 2, 3], "ranksPerNode": 8, "rate": "100Gbps" }
///   ]
/// }
/// ```
///
/// - `generate`: `schedule` (window mode: bytes of `iterations` iterations,
///   optional `window`), `linkpool` (each job's average rate: its bytes over
///   its isolated iteration time; optional `objective`) or `stagger`
///   (`step` and `links`; one job per training job, compute then one
///   communication phase) or `collective` (the fabric with `maxHops`; each
///   job's data, expert, tensor and pipeline groups: see
///   `JobSpec+Collective.swift`).
/// - a job: `name`; `nodes` (fabric nodes, ring or stage order);
///   `ranksPerNode` (default 1); `pattern` `allreduce` (needs `gradient`),
///   `alltoall` (`bytesPerRank`, `rounds`, default 1) or `pipeline`
///   (`activation`, `microbatches`, default 1); `compute` (time), or
///   `iteration` (the whole isolated iteration: compute is what is left
///   after the communication at `rate`); `rate`;
///   `links` (stagger). `model` (see `ModelCatalog`) fills `pattern`
///   `allreduce`, `gradient` and `compute` unless given.
public struct JobSpec: Equatable, Sendable {
    /// What to generate.
    public enum Output: Equatable, Sendable {
        case schedule(Fabric, window: Double?, iterations: Int)
        case linkpool(LinkPoolFabric, objective: LinkPoolObjective)
        case stagger(step: Double, links: [StaggerInstance.Link])
        /// Free circuits; the jobs' layouts (``JobSpec/jobs`` is empty).
        case collective(Fabric, maxHops: Int, jobs: [CollectiveLayoutSpec])
    }

    /// What to generate.
    public var output: Output
    /// The jobs.
    public var jobs: [TrainingJob]

    /// A specification.
    public init(output: Output, jobs: [TrainingJob]) {
        self.output = output
        self.jobs = jobs
    }

    /// The instance the jobs make.
    public func instance() -> Instance {
        switch output {
        case .schedule(let fabric, let window, let iterations):
            var demand = Matrix(size: fabric.nodes)
            for job in jobs {
                let m = job.trafficMatrix(fabricSize: fabric.nodes)
                for k in demand.values.indices { demand.values[k] += m.values[k] * Double(iterations) }
            }
            return .schedule(ScheduleInstance(fabric: fabric, demand: demand, window: window))
        case .linkpool(let fabric, let objective):
            var demand = Matrix(size: fabric.nodes)
            for job in jobs where job.iterationTime > 0 {
                let m = job.trafficMatrix(fabricSize: fabric.nodes)
                for k in demand.values.indices { demand.values[k] += m.values[k] * 8 / job.iterationTime }
            }
            return .linkpool(LinkPoolInstance(fabric: fabric, demand: demand, objective: objective))
        case .stagger(let step, let links):
            return .stagger(StaggerInstance(step: step, links: links, jobs: jobs.map { $0.staggerJob(step: step) }))
        case .collective(let fabric, let maxHops, let layouts):
            return .collective(CollectiveInstance(fabric: fabric, maxHops: maxHops,
                                                  jobs: layouts.map { CollectiveJob(name: $0.name, collectives: $0.collectives()) }))
        }
    }

    /// Reads a specification file; throws the first error (file, JSON path, message).
    public static func read(contentsOf url: URL) throws(InputError) -> (spec: JobSpec, notes: [String]) {
        let name = url.relativePath
        return try read(data: TextFile.contents(of: url, file: name), file: name)
    }

    /// Reads a specification held in memory.
    public static func read(data: Data, file: String) throws(InputError) -> (spec: JobSpec, notes: [String]) {
        let json: JSONValue
        switch JSONValue.parse([UInt8](data)) {
        case .failure(let e): throw InputError(file: file, place: .text(line: e.line, column: e.column), message: e.message)
        case .success(let j): json = j
        }
        let ctx = InputContext(file: file, baseDirectory: nil)
        let spec = read(json, ctx)
        if let first = ctx.errors.first { throw first }
        guard let spec else { throw InputError(file: file, place: .file, message: "not a job specification") }
        return (spec, ctx.notes)
    }

    static func read(_ json: JSONValue, _ ctx: InputContext) -> JobSpec? {
        guard let top = ctx.object(json, "", what: "a job specification",
                                   known: ["generate", "fabric", "window", "iterations", "objective", "step", "links", "jobs"]) else { return nil }
        guard let g = ctx.required(top, "generate", "", what: "schedule, linkpool, stagger or collective"),
              let kind = ctx.string(g, "generate", what: "what to generate") else { return nil }
        if kind == "collective" {
            for key in ["window", "iterations", "objective", "step", "links"] where ctx.optional(top, key) != nil {
                ctx.fail(key, "\"\(key)\" is not used when generating a collective instance")
            }
            guard let (fabric, maxHops, layouts) = readCollectiveSpec(top, ctx), !ctx.hasErrors else { return nil }
            return JobSpec(output: .collective(fabric, maxHops: maxHops, jobs: layouts), jobs: [])
        }
        var output: Output?
        var nodes: Int?
        var linkNames: Set<String>?
        switch kind {
        case "schedule":
            let fabric = ctx.required(top, "fabric", "", what: "the fabric").flatMap { InstanceReader.readScheduleFabric($0, ctx) }
            let window = ctx.optional(top, "window").map { ctx.quantity($0, "window", .time, positive: true) }
            let iterations = ctx.optional(top, "iterations").map { ctx.integer($0, "iterations", what: "a number of iterations", in: 1...1_000_000) } ?? 1
            nodes = fabric?.nodes
            if let fabric, let iterations, window != .some(nil) { output = .schedule(fabric, window: window ?? nil, iterations: iterations) }
        case "linkpool":
            let fabric = ctx.required(top, "fabric", "", what: "the fabric").flatMap { InstanceReader.readLinkPoolFabric($0, ctx) }
            var objective: LinkPoolObjective? = .concurrent
            if let o = ctx.optional(top, "objective") {
                objective = ctx.string(o, "objective", what: "the objective").flatMap(LinkPoolObjective.init(rawValue:))
                if objective == nil { ctx.fail("objective", "expected concurrent or throughput") }
            }
            nodes = fabric?.nodes
            if let fabric, let objective { output = .linkpool(fabric, objective: objective) }
        case "stagger":
            let step = ctx.required(top, "step", "", what: "the time step").flatMap { ctx.quantity($0, "step", .time, positive: true) }
            let links = ctx.required(top, "links", "", what: "the shared links").flatMap { InstanceReader.readLinks($0, ctx) }
            linkNames = links.map { Set($0.map(\.name)) }
            if let step, let links { output = .stagger(step: step, links: links) }
        default:
            ctx.fail("generate", "unknown output \"\(kind)\"; expected schedule, linkpool, stagger or collective")
        }
        var jobs: [TrainingJob] = []
        var names = Set<String>()
        if let jv = ctx.required(top, "jobs", "", what: "the training jobs"), let list = ctx.array(jv, "jobs", what: "a list of jobs") {
            if list.isEmpty { ctx.fail("jobs", "the list of jobs is empty") }
            for (k, item) in list.enumerated() {
                let p = InputContext.join("jobs", k)
                guard let job = readJob(item, p, nodes: nodes, linkNames: linkNames, stagger: kind == "stagger", ctx) else { continue }
                if !names.insert(job.name).inserted { ctx.fail(InputContext.join(p, "name"), "duplicate job name \"\(job.name)\"") }
                jobs.append(job)
            }
        }
        guard let output, !ctx.hasErrors else { return nil }
        return JobSpec(output: output, jobs: jobs)
    }

    static func readJob(_ json: JSONValue, _ p: String, nodes fabricNodes: Int?, linkNames: Set<String>?, stagger: Bool, _ ctx: InputContext) -> TrainingJob? {
        let known: Set<String> = ["name", "model", "nodes", "ranksPerNode", "pattern", "gradient", "bytesPerRank", "rounds",
                                  "activation", "microbatches", "compute", "iteration", "rate", "links"]
        guard let m = ctx.object(json, p, what: "a job", known: known) else { return nil }
        func path(_ key: String) -> String { InputContext.join(p, key) }
        let name = ctx.required(m, "name", p, what: "the job's name").flatMap { ctx.string($0, path("name"), what: "a name") }
        var profile: ModelProfile?
        if let mv = ctx.optional(m, "model"), let model = ctx.string(mv, path("model"), what: "a model name") {
            profile = ModelCatalog.profiles[model]
            if profile == nil {
                ctx.fail(path("model"), "unknown model \"\(model)\"; known: \(ModelCatalog.all.map(\.name).joined(separator: ", "))")
            }
        }
        var nodes: [Int]?
        if let nv = ctx.required(m, "nodes", p, what: "the fabric nodes the job runs on"),
           let list = ctx.array(nv, path("nodes"), what: "a list of node numbers") {
            let upper = max(0, (fabricNodes ?? InstanceReader.maximumNodes) - 1)
            let read = list.enumerated().map { ctx.integer($1, InputContext.join(path("nodes"), $0), what: "a node number", in: 0...upper) }
            if list.isEmpty { ctx.fail(path("nodes"), "a job runs on at least one node") }
            if read.allSatisfy({ $0 != nil }) {
                let ns = read.compactMap { $0 }
                if Set(ns).count != ns.count { ctx.fail(path("nodes"), "a node is listed twice") } else if !ns.isEmpty { nodes = ns }
            }
        }
        let ranks = ctx.optional(m, "ranksPerNode").map { ctx.integer($0, path("ranksPerNode"), what: "ranks per node", in: 1...1_000_000) } ?? 1
        let patternName: String? = ctx.optional(m, "pattern").map { ctx.string($0, path("pattern"), what: "a pattern") } ?? (profile != nil ? "allreduce" : nil)
        var pattern: TrainingJob.Pattern?
        switch patternName {
        case "allreduce":
            let g: Double? = ctx.optional(m, "gradient").map { ctx.quantity($0, path("gradient"), .volume) } ?? profile?.gradientBytes
            if g == nil && ctx.optional(m, "gradient") == nil { ctx.fail(p, "missing \"gradient\" (bytes all-reduced per iteration) or \"model\"") }
            if let g { pattern = .ringAllReduce(gradientBytes: g) }
        case "alltoall":
            let b = ctx.required(m, "bytesPerRank", p, what: "bytes each rank sends per round").flatMap { ctx.quantity($0, path("bytesPerRank"), .volume) }
            let r = ctx.optional(m, "rounds").map { ctx.integer($0, path("rounds"), what: "rounds per iteration", in: 1...1_000_000) } ?? 1
            if let b, let r { pattern = .allToAll(bytesPerRank: b, rounds: r) }
        case "pipeline":
            let a = ctx.required(m, "activation", p, what: "activation bytes per microbatch").flatMap { ctx.quantity($0, path("activation"), .volume) }
            let mb = ctx.optional(m, "microbatches").map { ctx.integer($0, path("microbatches"), what: "microbatches per iteration", in: 1...1_000_000) } ?? 1
            if let a, let mb { pattern = .pipeline(activationBytes: a, microbatches: mb) }
        case nil:
            if ctx.optional(m, "pattern") == nil { ctx.fail(p, "missing \"pattern\" (allreduce, alltoall or pipeline) or \"model\"") }
        case .some(let other):
            ctx.fail(path("pattern"), "unknown pattern \"\(other)\"; expected allreduce, alltoall or pipeline")
        }
        let iteration = ctx.optional(m, "iteration").map { ctx.quantity($0, path("iteration"), .time, positive: true) }
        var compute: Double? = ctx.optional(m, "compute").map { ctx.quantity($0, path("compute"), .time) } ?? profile?.computeTime
        if ctx.optional(m, "compute") != nil && iteration != nil {
            ctx.fail(p, "give \"compute\" or \"iteration\", not both")
        } else if iteration != nil {
            compute = 0  // replaced below, once the communication time is known
        } else if compute == nil && ctx.optional(m, "compute") == nil {
            ctx.fail(p, "missing \"compute\" or \"iteration\" (time per iteration) or \"model\"")
        }
        let rate = ctx.required(m, "rate", p, what: "the rate the job communicates at").flatMap { ctx.quantity($0, path("rate"), .rate, positive: true) }
        var links: [String] = []
        if let lv = ctx.optional(m, "links"), let list = ctx.array(lv, path("links"), what: "a list of link names") {
            for (k, item) in list.enumerated() {
                let lp = InputContext.join(path("links"), k)
                guard let s = ctx.string(item, lp, what: "a link name") else { continue }
                if let known = linkNames, !known.contains(s) { ctx.fail(lp, "unknown link \"\(s)\"") }
                else if links.contains(s) { ctx.fail(lp, "the link \"\(s)\" is listed twice") }
                links.append(s)
            }
        } else if stagger {
            ctx.fail(p, "missing \"links\" (the links the job loads)")
        }
        guard let name, let nodes, let ranks, let pattern, let compute, let rate else { return nil }
        var job = TrainingJob(name: name, nodes: nodes, ranksPerNode: ranks, pattern: pattern, computeTime: compute, rate: rate, links: links)
        if let iteration = iteration.flatMap({ $0 }) {
            let comm = job.communicationTime
            guard iteration >= comm else {
                ctx.fail(path("iteration"), "the iteration, \(Quantity.format(iteration, as: .time)), is shorter than the job's communication at \(Quantity.format(rate, as: .rate)), \(Quantity.format(comm, as: .time))")
                return nil
            }
            job.computeTime = iteration - comm
        }
        return job
    }
}
