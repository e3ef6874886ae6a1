extension InstanceReader {
    // MARK: Collective (PROBLEMS.md §4, FORMATS.md "Collectives")

    /// Reads a collective instance. Checks, each at its JSON path:
    /// `fabric` as for schedules plus `maxHops` (a whole number in `1...N-1`,
    /// default 1); `current` circuits in range, within the port limits;
    /// `reconfigure` a boolean, and `false` only with `current`; a non-empty
    /// list of jobs with unique names, each a non-empty list of collectives
    /// with names unique in the job, `type` `allreduce` or `alltoall`, a
    /// `group` of at least two nodes in range with no node twice and no node
    /// in another job's group, and `bytes` a positive volume.
    static func readCollective(_ json: JSONValue, _ ctx: InputContext) -> CollectiveInstance? {
        guard let top = ctx.object(json, "", what: "an instance",
                                   known: ["problem", "fabric", "current", "reconfigure", "jobs"]) else { return nil }
        var fabric: Fabric?
        var nodes: Int?
        var maxHops: Int? = 1
        if let f = ctx.required(top, "fabric", "", what: "the fabric") {
            fabric = readScheduleFabric(f, ctx, alsoKnown: ["maxHops"])
            nodes = fabric?.nodes ?? nodesOnly(f, ctx)
            if case .object(let m) = f, let h = ctx.optional(m, "maxHops") {
                let upper = max((nodes ?? maximumNodes) - 1, 1)
                maxHops = ctx.integer(h, "fabric.maxHops", what: "the most circuits a transfer may cross (1 to N−1 for collectives)", in: 1...upper)
            }
        }
        var current: [Circuit]?
        var currentOK = true
        if let c = ctx.optional(top, "current") {
            current = circuitList(c, "current", nodes: nodes, ctx)
            currentOK = current != nil
            if let current, let fabric { checkPorts(current, fabric, "current", ctx) }
        }
        var reconfigure: Bool? = true
        if let r = ctx.optional(top, "reconfigure") {
            if case .bool(let b) = r { reconfigure = b } else {
                ctx.fail("reconfigure", "expected true or false, found \(r.kindDescription) \(r.brief)")
                reconfigure = nil
            }
        }
        if reconfigure == false && current == nil && currentOK {
            ctx.fail("reconfigure", "\"reconfigure\": false keeps the current circuits, but no \"current\" circuits are given")
        }
        var jobs: [CollectiveJob] = []
        var jobsOK = false
        if let jv = ctx.required(top, "jobs", "", what: "the jobs"), let list = ctx.array(jv, "jobs", what: "a list of jobs") {
            jobsOK = !list.isEmpty
            if list.isEmpty { ctx.fail("jobs", "the list of jobs is empty") }
            var names = Set<String>()
            var owner: [Int: String] = [:]   // node → "job" whose group holds it
            for (k, item) in list.enumerated() {
                let p = InputContext.join("jobs", k)
                guard let job = readCollectiveJob(item, p, nodes: nodes, ctx) else { jobsOK = false; continue }
                if job.name.isEmpty { ctx.fail(InputContext.join(p, "name"), "a job name may not be empty"); jobsOK = false }
                else if !names.insert(job.name).inserted { ctx.fail(InputContext.join(p, "name"), "duplicate job name \"\(job.name)\""); jobsOK = false }
                for (c, coll) in job.collectives.enumerated() {
                    for (r, u) in coll.group.enumerated() {
                        if let other = owner[u], other != job.name {
                            ctx.fail(InputContext.join(InputContext.join(InputContext.join(p, "collectives"), c) + ".group", r),
                                     "node \(u) is also in a group of job \"\(other)\"; groups of different jobs are disjoint")
                            jobsOK = false
                        } else { owner[u] = job.name }
                    }
                }
                jobs.append(job)
            }
        }
        guard let fabric, let maxHops, let reconfigure, currentOK, jobsOK, !ctx.hasErrors else { return nil }
        return CollectiveInstance(fabric: fabric, maxHops: maxHops, current: current, reconfigure: reconfigure, jobs: jobs)
    }

    static func readCollectiveJob(_ json: JSONValue, _ p: String, nodes: Int?, _ ctx: InputContext) -> CollectiveJob? {
        guard let m = ctx.object(json, p, what: "a job", known: ["name", "collectives"]) else { return nil }
        let name = ctx.required(m, "name", p, what: "the job's name").flatMap { ctx.string($0, InputContext.join(p, "name"), what: "a name") }
        var collectives: [Collective] = []
        var ok = false
        let cp = InputContext.join(p, "collectives")
        if let cv = ctx.required(m, "collectives", p, what: "the job's collectives"), let list = ctx.array(cv, cp, what: "a list of collectives") {
            ok = !list.isEmpty
            if list.isEmpty { ctx.fail(cp, "the list of collectives is empty") }
            var names = Set<String>()
            for (k, item) in list.enumerated() {
                let q = InputContext.join(cp, k)
                guard let c = readCollectiveOp(item, q, nodes: nodes, ctx) else { ok = false; continue }
                if c.name.isEmpty { ctx.fail(InputContext.join(q, "name"), "a collective name may not be empty"); ok = false }
                else if c.name.contains("/") { ctx.fail(InputContext.join(q, "name"), "a collective name may not contain \"/\" (plans key rings by job/collective)"); ok = false }
                else if !names.insert(c.name).inserted { ctx.fail(InputContext.join(q, "name"), "duplicate collective name \"\(c.name)\" in this job"); ok = false }
                collectives.append(c)
            }
        }
        if let name, name.contains("/") {
            ctx.fail(InputContext.join(p, "name"), "a job name may not contain \"/\" (plans key rings by job/collective)")
            return nil
        }
        guard let name, ok else { return nil }
        return CollectiveJob(name: name, collectives: collectives)
    }

    static func readCollectiveOp(_ json: JSONValue, _ q: String, nodes: Int?, _ ctx: InputContext) -> Collective? {
        guard let m = ctx.object(json, q, what: "a collective", known: ["name", "type", "group", "bytes"]) else { return nil }
        let name = ctx.required(m, "name", q, what: "the collective's name").flatMap { ctx.string($0, InputContext.join(q, "name"), what: "a name") }
        var kind: Collective.Kind?
        if let t = ctx.required(m, "type", q, what: "allreduce or alltoall"),
           let s = ctx.string(t, InputContext.join(q, "type"), what: "the collective's type") {
            kind = Collective.Kind(rawValue: s)
            if kind == nil { ctx.fail(InputContext.join(q, "type"), "unknown collective type \"\(s)\"; expected allreduce or alltoall") }
        }
        let gp = InputContext.join(q, "group")
        var group: [Int]?
        if let g = ctx.required(m, "group", q, what: "the nodes of the ranks, in rank order"),
           let list = ctx.array(g, gp, what: "a list of node numbers") {
            var out: [Int] = []
            var seen: [Int: Int] = [:]
            var ok = true
            let upper = max((nodes ?? maximumNodes) - 1, 0)
            for (r, v) in list.enumerated() {
                guard let u = ctx.integer(v, InputContext.join(gp, r), what: "a node number", in: 0...upper) else { ok = false; continue }
                if let first = seen[u] {
                    ctx.fail(InputContext.join(gp, r), "node \(u) is already rank \(first) of this group; one rank per node")
                    ok = false
                }
                seen[u] = r
                out.append(u)
            }
            if ok && out.count < 2 { ctx.fail(gp, "a group needs at least two nodes, found \(out.count)"); ok = false }
            group = ok ? out : nil
        }
        let bytes = ctx.required(m, "bytes", q, what: "the bytes S").flatMap { ctx.quantity($0, InputContext.join(q, "bytes"), .volume, positive: true) }
        guard let name, let kind, let group, let bytes else { return nil }
        return Collective(name: name, kind: kind, group: group, bytes: bytes)
    }

    /// Circuits within each node's `k_i` transmitters and receivers.
    static func checkPorts(_ circuits: [Circuit], _ fabric: Fabric, _ path: String, _ ctx: InputContext) {
        var out = Array(repeating: 0, count: fabric.nodes)
        var inn = Array(repeating: 0, count: fabric.nodes)
        for c in circuits { out[c.from] += 1; inn[c.to] += 1 }
        for i in 0..<fabric.nodes {
            if out[i] > fabric.ocsPortsPerNode[i] {
                ctx.fail(path, "node \(i) sends on \(out[i]) circuits but has \(fabric.ocsPortsPerNode[i]) optical transmitters")
            }
            if inn[i] > fabric.ocsPortsPerNode[i] {
                ctx.fail(path, "node \(i) receives on \(inn[i]) circuits but has \(fabric.ocsPortsPerNode[i]) optical receivers")
            }
        }
    }
}
