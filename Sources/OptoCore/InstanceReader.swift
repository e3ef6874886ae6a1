#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads instance files (FORMATS.md "Instances") of all three problems and
/// checks everything the spec implies.
///
/// Checks, each reported with the file and the JSON path (or CSV line and
/// column) of the value:
/// - every quantity has the right kind of unit, is finite and not negative;
///   rates of circuits, windows, durations, steps, periods and capacities
///   are more than 0;
/// - `nodes` is a whole number in `1...maximumNodes`; port counts are whole
///   numbers in `0...maximumPorts`; per-node lists have `nodes` entries;
/// - matrices are `nodes × nodes` (inline or CSV); a non-zero diagonal is
///   zeroed with a note;
/// - schedule: exactly one of `demand` (window mode, optional `window`) and
///   `epochs` (a non-empty list);
/// - linkpool: `objective` is `concurrent` or `throughput`; `current`
///   circuits name nodes in range, join two different nodes and fit the
///   port pools (and `tx`/`rx` caps); `maxChanges` is a whole number ≥ 0;
/// - stagger: link and job names are unique and not empty; every job's
///   links name defined links, without repeats; periods, phase starts and
///   durations are multiples of `step` (relative tolerance
///   `gridTolerance`; they are then snapped to the grid); a phase starts in
///   `[0, period)` and lasts at most the period; the hyper-period (LCM of
///   the periods) is at most `maximumHyperperiodSlots` steps.
///
/// Unknown fields are ignored with a note (files may carry more fields than
/// OptoPlan knows).
public enum InstanceReader {
    /// The most nodes an instance may have: a dense `N×N` matrix of doubles
    /// at this size takes 128 MiB.
    public static let maximumNodes = 4096
    /// The most optical ports a node may have.
    public static let maximumPorts = 1 << 20
    /// The most steps `H/Δ` a stagger hyper-period may have: a link's load
    /// is planned per step, so a planner holds `links × H/Δ` values.
    public static let maximumHyperperiodSlots = 1_000_000
    /// How far (relative to the step) a time may be from the step grid and
    /// still count as on it: absorbs decimal rounding such as `0.3/0.1`.
    public static let gridTolerance = 1e-6

    /// Reads and checks an instance file; throws the first error found.
    /// Notes (ignored diagonal, unknown fields) are returned for standard error.
    public static func read(contentsOf url: URL) throws(InputError) -> (instance: Instance, notes: [String]) {
        let result = check(contentsOf: url)
        if let first = result.errors.first { throw first }
        guard let instance = result.instance else {
            throw InputError(file: displayName(url), place: .file, message: "not a valid instance")
        }
        return (instance, result.notes)
    }

    /// Reads an instance file expecting one problem kind: a file of another
    /// kind is an error at `problem`.
    public static func read(contentsOf url: URL, expecting kind: ProblemKind) throws(InputError) -> (instance: Instance, notes: [String]) {
        let r = try read(contentsOf: url)
        if r.instance.problem != kind {
            throw InputError(file: displayName(url), path: "problem",
                             message: "this is a \(r.instance.problem.rawValue) instance; a \(kind.rawValue) instance was expected")
        }
        return r
    }

    /// Reads instance JSON held in memory. `file` names it in messages;
    /// CSV paths are resolved against `baseDirectory`.
    public static func read(data: Data, file: String = "instance.json", baseDirectory: URL? = nil) throws(InputError) -> (instance: Instance, notes: [String]) {
        let result = check(data: data, file: file, baseDirectory: baseDirectory)
        if let first = result.errors.first { throw first }
        guard let instance = result.instance else { throw InputError(file: file, place: .file, message: "not a valid instance") }
        return (instance, result.notes)
    }

    /// Reads an instance file and reports every error found (up to 100),
    /// for `optoplan validate`. `instance` is set only when there are no errors.
    public static func check(contentsOf url: URL) -> (instance: Instance?, notes: [String], errors: [InputError]) {
        let name = displayName(url)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            return (nil, [], [InputError(file: name, place: .file, message: "cannot read the file: \(TextFile.reason(error))")])
        }
        return check(data: data, file: name, baseDirectory: url.deletingLastPathComponent())
    }

    /// Checks instance JSON held in memory; see `check(contentsOf:)`.
    public static func check(data: Data, file: String, baseDirectory: URL?) -> (instance: Instance?, notes: [String], errors: [InputError]) {
        switch JSONValue.parse([UInt8](data)) {
        case .failure(let e):
            return (nil, [], [InputError(file: file, place: .text(line: e.line, column: e.column), message: e.message)])
        case .success(let json):
            return check(json: json, file: file, baseDirectory: baseDirectory)
        }
    }

    /// Checks a parsed instance document.
    public static func check(json: JSONValue, file: String, baseDirectory: URL?) -> (instance: Instance?, notes: [String], errors: [InputError]) {
        let ctx = InputContext(file: file, baseDirectory: baseDirectory)
        let instance = readInstance(json, ctx)
        let errors = ctx.reportedErrors
        return (errors.isEmpty ? instance : nil, ctx.notes, errors)
    }

    /// The name a file is shown under: its path as given.
    static func displayName(_ url: URL) -> String {
        url.isFileURL ? url.relativePath : url.absoluteString
    }

    // MARK: Dispatch

    static func readInstance(_ json: JSONValue, _ ctx: InputContext) -> Instance? {
        guard case .object(let members) = json else {
            ctx.fail("", "expected an instance (a JSON object), found \(json.kindDescription)")
            return nil
        }
        guard let problemValue = ctx.required(members, "problem", "", what: "schedule, linkpool, stagger or collective"),
              let problem = ctx.string(problemValue, "problem", what: "the problem kind") else { return nil }
        switch ProblemKind(rawValue: problem) {
        case .schedule: return readSchedule(json, ctx).map(Instance.schedule)
        case .linkpool: return readLinkPool(json, ctx).map(Instance.linkpool)
        case .stagger: return readStagger(json, ctx).map(Instance.stagger)
        case .collective: return readCollective(json, ctx).map(Instance.collective)
        case nil:
            ctx.fail("problem", "unknown problem \"\(problem)\"; expected schedule, linkpool, stagger or collective")
            return nil
        }
    }

    // MARK: Schedule

    static func readSchedule(_ json: JSONValue, _ ctx: InputContext) -> ScheduleInstance? {
        guard let top = ctx.object(json, "", what: "an instance", known: ["problem", "fabric", "window", "demand", "epochs"]) else { return nil }
        var fabric: Fabric?
        var nodes: Int?
        var maxHops: Int? = 1
        if let f = ctx.required(top, "fabric", "", what: "the fabric") {
            fabric = readScheduleFabric(f, ctx, alsoKnown: ["maxHops"])
            nodes = fabric?.nodes ?? nodesOnly(f, ctx)
            maxHops = readTransitHops(f, ctx)
        }
        let demandValue = ctx.optional(top, "demand")
        let epochsValue = ctx.optional(top, "epochs")
        let windowValue = ctx.optional(top, "window")
        var mode: ScheduleInstance.Mode?
        switch (demandValue, epochsValue) {
        case (nil, nil):
            ctx.fail("", "missing \"demand\" (window mode) or \"epochs\" (epochs mode)")
        case (.some, .some):
            ctx.fail("epochs", "give either \"demand\" (window mode) or \"epochs\" (epochs mode), not both")
        case (.some(let d), nil):
            let demand = ctx.demandMatrix(d, "demand", nodes: nodes, .volume)
            var window: Double?
            var windowOK = true
            if let w = windowValue {
                window = ctx.quantity(w, "window", .time, positive: true)
                windowOK = window != nil
            }
            if let demand, windowOK { mode = .window(demand: demand, window: window) }
            if let h = maxHops, h > 1 {
                ctx.fail("fabric.maxHops", "window mode has no transit (PROBLEMS.md §1a): maxHops 2 is for epochs mode and link pools; use 1 or leave it out")
            }
        case (nil, .some(let e)):
            if windowValue != nil {
                ctx.fail("window", "epochs mode has no window: each epoch has its own duration")
            }
            if let list = ctx.array(e, "epochs", what: "a list of epochs") {
                if list.isEmpty { ctx.fail("epochs", "the list of epochs is empty") }
                var epochs: [ScheduleInstance.Epoch] = []
                var ok = !list.isEmpty
                for (k, item) in list.enumerated() {
                    let path = InputContext.join("epochs", k)
                    guard let m = ctx.object(item, path, what: "an epoch", known: ["duration", "demand"]) else { ok = false; continue }
                    let duration = ctx.required(m, "duration", path, what: "the epoch's length").flatMap {
                        ctx.quantity($0, InputContext.join(path, "duration"), .time, positive: true)
                    }
                    let demand = ctx.required(m, "demand", path, what: "the epoch's demand matrix").flatMap {
                        ctx.demandMatrix($0, InputContext.join(path, "demand"), nodes: nodes, .volume)
                    }
                    if let duration, let demand { epochs.append(.init(duration: duration, demand: demand)) } else { ok = false }
                }
                if ok { mode = .epochs(epochs) }
            }
        }
        guard let fabric, let mode, let maxHops, !ctx.hasErrors else { return nil }
        return ScheduleInstance(fabric: fabric, mode: mode, maxHops: maxHops)
    }

    /// `fabric.maxHops` of a link-pool or schedule instance: 1 (the default)
    /// or 2 (transit over one intermediate node, PROBLEMS.md "Common fabric").
    static func readTransitHops(_ f: JSONValue, _ ctx: InputContext) -> Int? {
        guard case .object(let m) = f, let h = ctx.optional(m, "maxHops") else { return 1 }
        return ctx.integer(h, "fabric.maxHops",
                           what: "the most circuits a byte may cross (1, or 2 for transit through a third node; link pools and epochs mode take no more)",
                           in: 1...2)
    }

    /// `nodes` alone, so that matrices can be checked when another fabric field is bad.
    static func nodesOnly(_ f: JSONValue, _ ctx: InputContext) -> Int? {
        guard case .number(let x) = f["nodes"] ?? .null, x == x.rounded(), x >= 1, x <= Double(maximumNodes) else { return nil }
        return Int(x)
    }

    static func readNodes(_ members: [(key: String, value: JSONValue)], _ ctx: InputContext) -> Int? {
        ctx.required(members, "nodes", "fabric", what: "the number of nodes").flatMap {
            ctx.integer($0, "fabric.nodes", what: "the number of nodes", in: 1...maximumNodes)
        }
    }

    /// Reads the `fabric` object of a schedule instance (at path `fabric`).
    public static func readScheduleFabric(_ json: JSONValue, _ ctx: InputContext, alsoKnown: Set<String> = []) -> Fabric? {
        guard let m = ctx.object(json, "fabric", what: "the fabric",
                                 known: alsoKnown.union(["nodes", "ocsPortsPerNode", "circuitRate", "packetRate", "reconfigurationDelay"])) else { return nil }
        let nodes = readNodes(m, ctx)
        let ports = ctx.required(m, "ocsPortsPerNode", "fabric", what: "optical ports per node").flatMap {
            ctx.perNodeIntegers($0, "fabric.ocsPortsPerNode", nodes: nodes, what: "a port count", in: 0...maximumPorts)
        }
        let circuitRate = ctx.required(m, "circuitRate", "fabric", what: "the rate of one circuit").flatMap {
            ctx.quantity($0, "fabric.circuitRate", .rate, positive: true)
        }
        let packetRate = ctx.required(m, "packetRate", "fabric", what: "each node's packet-fabric rate").flatMap {
            ctx.perNodeQuantities($0, "fabric.packetRate", nodes: nodes, .rate)
        }
        var delay: Double? = 0
        if let d = ctx.optional(m, "reconfigurationDelay") {
            delay = ctx.quantity(d, "fabric.reconfigurationDelay", .time)
        }
        guard let nodes, let ports, let circuitRate, let packetRate, let delay else { return nil }
        return Fabric(nodes: nodes, ocsPortsPerNode: ports, circuitRate: circuitRate, packetRate: packetRate, reconfigurationDelay: delay)
    }

    /// Reads the `fabric` object of an epochs-mode schedule instance with
    /// its `maxHops` (1, the default, or 2), for tools that take a fabric
    /// alone (`optoplan replay --fabric`).
    public static func readScheduleFabricWithHops(_ json: JSONValue, _ ctx: InputContext) -> (fabric: Fabric, maxHops: Int)? {
        let fabric = readScheduleFabric(json, ctx, alsoKnown: ["maxHops"])
        let hops = readTransitHops(json, ctx)
        guard let fabric, let hops else { return nil }
        return (fabric, hops)
    }

    // MARK: Link pool

    static func readLinkPool(_ json: JSONValue, _ ctx: InputContext) -> LinkPoolInstance? {
        guard let top = ctx.object(json, "", what: "an instance", known: ["problem", "fabric", "demand", "objective", "current", "maxChanges"]) else { return nil }
        var fabric: LinkPoolFabric?
        var nodes: Int?
        var maxHops: Int? = 1
        if let f = ctx.required(top, "fabric", "", what: "the fabric") {
            fabric = readLinkPoolFabric(f, ctx)
            nodes = fabric?.nodes ?? nodesOnly(f, ctx)
            maxHops = readTransitHops(f, ctx)
        }
        let demand = ctx.required(top, "demand", "", what: "the rate demand matrix").flatMap {
            ctx.demandMatrix($0, "demand", nodes: nodes, .rate)
        }
        var objective: LinkPoolObjective? = .concurrent
        if let o = ctx.optional(top, "objective") {
            if let s = ctx.string(o, "objective", what: "the objective") {
                objective = LinkPoolObjective(rawValue: s)
                if objective == nil { ctx.fail("objective", "unknown objective \"\(s)\"; expected concurrent or throughput") }
            } else { objective = nil }
        }
        var current: [Circuit]?
        var currentOK = true
        if let c = ctx.optional(top, "current") {
            current = circuitList(c, "current", nodes: nodes, ctx)
            currentOK = current != nil
            if let current, let fabric { checkPools(current, fabric, ctx) }
        }
        var maxChanges: Int?
        var changesOK = true
        if let c = ctx.optional(top, "maxChanges") {
            maxChanges = ctx.integer(c, "maxChanges", what: "the number of circuit changes", in: 0...Int(Int32.max))
            changesOK = maxChanges != nil
            if current == nil && currentOK && maxChanges != nil {
                ctx.note("maxChanges", "no \"current\" circuits are given, so every circuit counts as a change")
            }
        }
        guard let fabric, let demand, let objective, currentOK, changesOK, let maxHops, !ctx.hasErrors else { return nil }
        return LinkPoolInstance(fabric: fabric, demand: demand, objective: objective, current: current, maxChanges: maxChanges,
                                maxHops: maxHops)
    }

    /// Reads the `fabric` object of a link-pool instance (at path `fabric`).
    public static func readLinkPoolFabric(_ json: JSONValue, _ ctx: InputContext) -> LinkPoolFabric? {
        guard let m = ctx.object(json, "fabric", what: "the fabric",
                                 known: ["nodes", "opticalPorts", "circuitRate", "packetRate", "tx", "rx", "maxHops"]) else { return nil }
        let nodes = readNodes(m, ctx)
        let ports = ctx.required(m, "opticalPorts", "fabric", what: "pooled optical ports per node").flatMap {
            ctx.perNodeIntegers($0, "fabric.opticalPorts", nodes: nodes, what: "a port count", in: 0...maximumPorts)
        }
        let circuitRate = ctx.required(m, "circuitRate", "fabric", what: "the rate of one circuit").flatMap {
            ctx.quantity($0, "fabric.circuitRate", .rate, positive: true)
        }
        let packetRate = ctx.required(m, "packetRate", "fabric", what: "each node's packet-fabric rate").flatMap {
            ctx.perNodeQuantities($0, "fabric.packetRate", nodes: nodes, .rate)
        }
        var caps: [String: [Int]] = [:]
        var capsOK = true
        for key in ["tx", "rx"] {
            guard let v = ctx.optional(m, key) else { continue }
            if let list = ctx.perNodeIntegers(v, "fabric.\(key)", nodes: nodes, what: "a port cap", in: 0...maximumPorts) {
                caps[key] = list
            } else { capsOK = false }
        }
        guard let nodes, let ports, let circuitRate, let packetRate, capsOK else { return nil }
        return LinkPoolFabric(nodes: nodes, opticalPorts: ports, circuitRate: circuitRate, packetRate: packetRate, tx: caps["tx"], rx: caps["rx"])
    }

    /// A list of `[from, to]` circuits naming distinct nodes in range.
    static func circuitList(_ value: JSONValue, _ path: String, nodes: Int?, _ ctx: InputContext) -> [Circuit]? {
        guard let list = ctx.array(value, path, what: "a list of circuits [from, to]") else { return nil }
        var out: [Circuit] = []
        var ok = true
        let upper = (nodes ?? maximumNodes) - 1
        for (k, item) in list.enumerated() {
            let p = InputContext.join(path, k)
            guard case .array(let pair) = item, pair.count == 2 else {
                ctx.fail(p, "expected a circuit [from, to] (two node numbers), found \(item.brief)")
                ok = false
                continue
            }
            let from = ctx.integer(pair[0], InputContext.join(p, 0), what: "a node number", in: 0...max(upper, 0))
            let to = ctx.integer(pair[1], InputContext.join(p, 1), what: "a node number", in: 0...max(upper, 0))
            guard let from, let to else { ok = false; continue }
            if from == to {
                ctx.fail(p, "a circuit joins two different nodes; [\(from), \(to)] joins node \(from) to itself")
                ok = false
                continue
            }
            out.append(Circuit(from, to))
        }
        return ok ? out : nil
    }

    /// `current` must fit each node's pool and direction caps.
    static func checkPools(_ circuits: [Circuit], _ fabric: LinkPoolFabric, _ ctx: InputContext) {
        var out = Array(repeating: 0, count: fabric.nodes)
        var inn = Array(repeating: 0, count: fabric.nodes)
        for c in circuits { out[c.from] += 1; inn[c.to] += 1 }
        for i in 0..<fabric.nodes {
            if out[i] + inn[i] > fabric.opticalPorts[i] {
                ctx.fail("current", "node \(i) uses \(out[i] + inn[i]) ports (\(out[i]) sending, \(inn[i]) receiving) but has \(fabric.opticalPorts[i])")
            }
            if let tx = fabric.tx, out[i] > tx[i] {
                ctx.fail("current", "node \(i) sends on \(out[i]) circuits but fabric.tx allows \(tx[i])")
            }
            if let rx = fabric.rx, inn[i] > rx[i] {
                ctx.fail("current", "node \(i) receives on \(inn[i]) circuits but fabric.rx allows \(rx[i])")
            }
        }
    }

    // MARK: Stagger

    /// A time on the step grid: the number of steps, when within the tolerance.
    static func steps(_ value: Double, step: Double) -> Int? {
        let ratio = value / step
        guard ratio.isFinite, ratio < 1e15 else { return nil }
        let r = ratio.rounded()
        return abs(ratio - r) <= gridTolerance * max(1, r) ? Int(r) : nil
    }

    static func readStagger(_ json: JSONValue, _ ctx: InputContext) -> StaggerInstance? {
        guard let top = ctx.object(json, "", what: "an instance", known: ["problem", "step", "links", "jobs"]) else { return nil }
        let step = ctx.required(top, "step", "", what: "the time step").flatMap { ctx.quantity($0, "step", .time, positive: true) }
        var links: [StaggerInstance.Link] = []
        var linkNames = Set<String>()
        var linksOK = false
        if let lv = ctx.required(top, "links", "", what: "the shared links"), let read = readLinks(lv, ctx) {
            links = read
            linkNames = Set(read.map(\.name))
            linksOK = true
        }
        var jobs: [StaggerInstance.Job] = []
        var jobNames = Set<String>()
        var jobsOK = false
        var periodSteps: [(Int, String)] = []
        if let jv = ctx.required(top, "jobs", "", what: "the jobs"), let list = ctx.array(jv, "jobs", what: "a list of jobs") {
            jobsOK = true
            if list.isEmpty { ctx.fail("jobs", "the list of jobs is empty"); jobsOK = false }
            for (k, item) in list.enumerated() {
                let p = InputContext.join("jobs", k)
                guard let job = readJob(item, p, step: step, linkNames: linksOK ? linkNames : nil, ctx) else { jobsOK = false; continue }
                if job.name.isEmpty { ctx.fail(InputContext.join(p, "name"), "a job name may not be empty"); jobsOK = false }
                else if !jobNames.insert(job.name).inserted { ctx.fail(InputContext.join(p, "name"), "duplicate job name \"\(job.name)\""); jobsOK = false }
                jobs.append(job)
                if let step, let s = steps(job.period, step: step) { periodSteps.append((s, InputContext.join(p, "period"))) }
            }
        }
        // The hyper-period, stopping as soon as it passes the limit.
        if jobsOK, !periodSteps.isEmpty {
            var h = 1
            for (s, path) in periodSteps {
                let g = gcd(h, s)
                let (q, overflow) = (h / g).multipliedReportingOverflow(by: s)
                if overflow || q > maximumHyperperiodSlots {
                    ctx.fail(path, "the hyper-period (least common multiple of the periods) reaches more than \(maximumHyperperiodSlots) steps of \(Quantity.format(step ?? 0, as: .time)) at this job; use a coarser step or rounder periods")
                    break
                }
                h = q
            }
        }
        guard let step, linksOK, jobsOK, !ctx.hasErrors else { return nil }
        return StaggerInstance(step: step, links: links, jobs: jobs)
    }

    /// Reads a stagger instance's `links` list (at path `links`): unique,
    /// non-empty names and positive capacities.
    public static func readLinks(_ value: JSONValue, _ ctx: InputContext) -> [StaggerInstance.Link]? {
        guard let list = ctx.array(value, "links", what: "a list of links") else { return nil }
        var links: [StaggerInstance.Link] = []
        var names = Set<String>()
        var ok = true
        if list.isEmpty { ctx.fail("links", "the list of links is empty"); ok = false }
        for (k, item) in list.enumerated() {
            let p = InputContext.join("links", k)
            guard let m = ctx.object(item, p, what: "a link", known: ["name", "capacity"]) else { ok = false; continue }
            let name = ctx.required(m, "name", p, what: "the link's name").flatMap { ctx.string($0, InputContext.join(p, "name"), what: "a name") }
            let capacity = ctx.required(m, "capacity", p, what: "the link's capacity").flatMap {
                ctx.quantity($0, InputContext.join(p, "capacity"), .rate, positive: true)
            }
            if let name {
                if name.isEmpty { ctx.fail(InputContext.join(p, "name"), "a link name may not be empty"); ok = false }
                else if !names.insert(name).inserted { ctx.fail(InputContext.join(p, "name"), "duplicate link name \"\(name)\""); ok = false }
            }
            if let name, let capacity { links.append(.init(name: name, capacity: capacity)) } else { ok = false }
        }
        return ok ? links : nil
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    /// A time checked against the step grid and snapped to it.
    static func onGrid(_ value: Double, _ path: String, step: Double?, _ ctx: InputContext) -> Double? {
        guard let step else { return value }
        guard let n = steps(value, step: step) else {
            ctx.fail(path, "\(Quantity.format(value, as: .time)) is not a multiple of the step \(Quantity.format(step, as: .time))")
            return nil
        }
        if n > maximumHyperperiodSlots {
            ctx.fail(path, "\(Quantity.format(value, as: .time)) is more than \(maximumHyperperiodSlots) steps of \(Quantity.format(step, as: .time)); use a coarser step")
            return nil
        }
        return Double(n) * step
    }

    static func readJob(_ json: JSONValue, _ p: String, step: Double?, linkNames: Set<String>?, _ ctx: InputContext) -> StaggerInstance.Job? {
        guard let m = ctx.object(json, p, what: "a job", known: ["name", "period", "links", "phases"]) else { return nil }
        let name = ctx.required(m, "name", p, what: "the job's name").flatMap { ctx.string($0, InputContext.join(p, "name"), what: "a name") }
        let periodPath = InputContext.join(p, "period")
        let period = ctx.required(m, "period", p, what: "the iteration period").flatMap {
            ctx.quantity($0, periodPath, .time, positive: true)
        }.flatMap { onGrid($0, periodPath, step: step, ctx) }
        var links: [String]?
        if let lv = ctx.required(m, "links", p, what: "the names of the links the job loads"),
           let list = ctx.array(lv, InputContext.join(p, "links"), what: "a list of link names") {
            var names: [String] = []
            var ok = true
            for (k, item) in list.enumerated() {
                let lp = InputContext.join(InputContext.join(p, "links"), k)
                guard let s = ctx.string(item, lp, what: "a link name") else { ok = false; continue }
                if let known = linkNames, !known.contains(s) {
                    ctx.fail(lp, "unknown link \"\(s)\"; the links are \(known.sorted().map { "\"\($0)\"" }.joined(separator: ", "))")
                    ok = false
                } else if names.contains(s) {
                    ctx.fail(lp, "the link \"\(s)\" is listed twice")
                    ok = false
                }
                names.append(s)
            }
            if list.isEmpty { ctx.note(InputContext.join(p, "links"), "the job loads no link, so it cannot collide") }
            if ok { links = names }
        }
        var phases: [StaggerInstance.Phase]?
        if let pv = ctx.required(m, "phases", p, what: "the communication phases"),
           let list = ctx.array(pv, InputContext.join(p, "phases"), what: "a list of phases") {
            var out: [StaggerInstance.Phase] = []
            var ok = true
            if list.isEmpty { ctx.fail(InputContext.join(p, "phases"), "a job needs at least one communication phase"); ok = false }
            for (k, item) in list.enumerated() {
                let pp = InputContext.join(InputContext.join(p, "phases"), k)
                guard let ph = ctx.object(item, pp, what: "a phase", known: ["start", "duration", "rate"]) else { ok = false; continue }
                let startPath = InputContext.join(pp, "start"), durationPath = InputContext.join(pp, "duration")
                let start = ctx.required(ph, "start", pp, what: "the phase's start within the iteration").flatMap {
                    ctx.quantity($0, startPath, .time)
                }.flatMap { onGrid($0, startPath, step: step, ctx) }
                let duration = ctx.required(ph, "duration", pp, what: "the phase's length").flatMap {
                    ctx.quantity($0, durationPath, .time, positive: true)
                }.flatMap { onGrid($0, durationPath, step: step, ctx) }
                let rate = ctx.required(ph, "rate", pp, what: "the phase's rate").flatMap {
                    ctx.quantity($0, InputContext.join(pp, "rate"), .rate)
                }
                guard let start, let duration, let rate else { ok = false; continue }
                if let period, let step {
                    if start > period - step / 2 {
                        ctx.fail(startPath, "the phase starts at \(Quantity.format(start, as: .time)), not within the period \(Quantity.format(period, as: .time))")
                        ok = false
                    }
                    if duration > period + step / 2 {
                        ctx.fail(durationPath, "the phase lasts \(Quantity.format(duration, as: .time)), longer than the period \(Quantity.format(period, as: .time))")
                        ok = false
                    }
                }
                out.append(.init(start: start, duration: duration, rate: rate))
            }
            if ok { phases = out }
        }
        guard let name, let period, let links, let phases else { return nil }
        return StaggerInstance.Job(name: name, period: period, links: links, phases: phases)
    }
}
