import Foundation
import Testing
@testable import OptoCore

/// SplitMix64: a small seeded generator, so that fuzz runs repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Mutates valid instances and plans thousands of times: the readers must
/// return an error or a valid value, never crash or hang, and every value
/// they accept must satisfy the invariants the planners rely on.
@Suite("Fuzzing the readers")
struct FuzzTests {
    static let seeds = [Fixtures.scheduleWindow, Fixtures.scheduleEpochs, Fixtures.linkpool, Fixtures.linkpoolFull, Fixtures.stagger, Fixtures.collective]

    static let replacements: [JSONValue] = [
        .null, .bool(true), .number(0), .number(-1), .number(1), .number(2), .number(3), .number(0.5), .number(1e308), .number(-1e-300),
        .number(4096), .number(4097), .number(9.2e18), .string(""), .string("1ms"), .string("400Gbps"), .string("1.5GB"),
        .string("-3MB"), .string("1e400Gbps"), .string("nan"), .string("agg-1"), .string("gpt-a"), .string("µs"),
        .array([]), .array([.number(0), .number(1)]), .array([.array([.number(0)])]), .object([]),
        .object([("csv", .string("missing.csv")), ("unit", .string("MB"))]),
    ]

    /// Every path to a value in the document.
    static func paths(_ v: JSONValue, _ prefix: [Any] = []) -> [[Any]] {
        var out: [[Any]] = [prefix]
        switch v {
        case .object(let m): for e in m { out += paths(e.value, prefix + [e.key]) }
        case .array(let a): for (i, e) in a.enumerated() { out += paths(e, prefix + [i]) }
        default: break
        }
        return out
    }

    static func mutateStructure(_ text: String, _ rng: inout SeededGenerator) throws -> String {
        var current = text
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let json = try JSONValue.parse(current).get()
            let all = paths(json)
            let path = all[Int.random(in: 0..<all.count, using: &rng)]
            let value: JSONValue? = Int.random(in: 0..<8, using: &rng) == 0 ? nil : replacements.randomElement(using: &rng)!
            current = try Fixtures.replacing(current, at: path, with: value)
            if current.isEmpty { return "{}" }
        }
        return current
    }

    static func mutateBytes(_ text: String, _ rng: inout SeededGenerator) -> [UInt8] {
        var b = Array(text.utf8)
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !b.isEmpty else { break }
            let k = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: b[k] = UInt8.random(in: 0...255, using: &rng)
            case 1: b.remove(at: k)
            case 2: b.insert(Array("{}[],:\"0-e.\\u".utf8).randomElement(using: &rng)!, at: k)
            case 3: b.removeSubrange(k..<b.count)
            default:
                let len = min(b.count - k, Int.random(in: 1...20, using: &rng))
                b.insert(contentsOf: b[k..<(k + len)], at: k)
            }
        }
        return b
    }

    /// What the planners rely on in an accepted instance.
    static func invariants(_ instance: Instance) -> Bool {
        func matrixOK(_ m: Matrix, _ n: Int) -> Bool {
            m.rows == n && m.columns == n && m.values.allSatisfy { $0.isFinite && $0 >= 0 } && (0..<n).allSatisfy { m[$0, $0] == 0 }
        }
        switch instance {
        case .schedule(let s):
            let f = s.fabric
            guard f.nodes >= 1, f.ocsPortsPerNode.count == f.nodes, f.packetRate.count == f.nodes,
                  f.circuitRate > 0, f.circuitRate.isFinite, f.reconfigurationDelay >= 0, f.reconfigurationDelay.isFinite,
                  f.ocsPortsPerNode.allSatisfy({ $0 >= 0 }), f.packetRate.allSatisfy({ $0 >= 0 && $0.isFinite }) else { return false }
            switch s.mode {
            case .window(let d, let w): return matrixOK(d, f.nodes) && (w.map { $0 > 0 && $0.isFinite } ?? true)
            case .epochs(let e): return !e.isEmpty && e.allSatisfy { $0.duration > 0 && $0.duration.isFinite && matrixOK($0.demand, f.nodes) }
            }
        case .linkpool(let l):
            let f = l.fabric
            return f.opticalPorts.count == f.nodes && f.packetRate.count == f.nodes && matrixOK(l.demand, f.nodes)
                && (f.tx?.count ?? f.nodes) == f.nodes && (f.rx?.count ?? f.nodes) == f.nodes && f.circuitRate > 0
                && (l.current ?? []).allSatisfy { $0.from != $0.to && (0..<f.nodes).contains($0.from) && (0..<f.nodes).contains($0.to) }
        case .stagger(let s):
            let names = Set(s.links.map(\.name))
            return s.step > 0 && !s.jobs.isEmpty && Set(s.jobs.map(\.name)).count == s.jobs.count && names.count == s.links.count
                && s.jobs.allSatisfy { job in
                    job.links.allSatisfy(names.contains) && job.period > 0 && !job.phases.isEmpty
                        && job.phases.allSatisfy { $0.start >= 0 && $0.start < job.period && $0.duration > 0 && $0.duration <= job.period + s.step / 2 }
                }
        case .collective(let c):
            let f = c.fabric
            var owner: [Int: Int] = [:]
            for (j, job) in c.jobs.enumerated() { for coll in job.collectives { for u in coll.group {
                if let o = owner[u], o != j { return false }
                owner[u] = j
            } } }
            return f.ocsPortsPerNode.count == f.nodes && f.packetRate.count == f.nodes && (1...max(1, f.nodes - 1)).contains(c.maxHops)
                && (c.reconfigure || c.current != nil) && !c.jobs.isEmpty
                && c.jobs.allSatisfy { job in job.collectives.allSatisfy { coll in
                    coll.group.count >= 2 && Set(coll.group).count == coll.group.count && coll.bytes > 0 && coll.bytes.isFinite
                        && coll.group.allSatisfy { (0..<f.nodes).contains($0) }
                } }
        }
    }

    @Test("thousands of mutated instances: an error or a valid instance")
    func instances() throws {
        var rng = SeededGenerator(seed: 20_261_125)
        let start = Date()
        var accepted = 0, rejected = 0
        for k in 0..<4000 {
            let seed = Self.seeds[k % Self.seeds.count]
            let bytes: [UInt8] = k % 2 == 0 ? Array(try Self.mutateStructure(seed, &rng).utf8) : Self.mutateBytes(seed, &rng)
            let r = InstanceReader.check(data: Data(bytes), file: "fuzz.json", baseDirectory: nil)
            if let instance = r.instance {
                accepted += 1
                #expect(r.errors.isEmpty)
                #expect(Self.invariants(instance), "accepted a broken instance: \(String(decoding: bytes, as: UTF8.self))")
                // What was accepted writes and reads back to the same instance.
                #expect(try Fixtures.read(InstanceWriter.text(instance)).instance == instance)
            } else {
                rejected += 1
                #expect(!r.errors.isEmpty)
                #expect(r.errors.allSatisfy { !$0.message.isEmpty && $0.file == "fuzz.json" })
            }
        }
        // Both outcomes must occur, or the mutations are not exercising the reader.
        #expect(accepted > 100 && rejected > 1000, "accepted \(accepted), rejected \(rejected)")
        #expect(Date().timeIntervalSince(start) < 30)
    }

    @Test("thousands of mutated plans: an error or a plan")
    func plans() throws {
        var rng = SeededGenerator(seed: 7)
        let texts = try PlanIOTests.plans.map { try PlanIO.text($0) }
        let instances = try Self.seeds.map { try Fixtures.read($0).instance }
        var accepted = 0
        for k in 0..<2000 {
            let seed = texts[k % texts.count]
            let bytes: [UInt8] = k % 2 == 0 ? Array(try Self.mutateStructure(seed, &rng).utf8) : Self.mutateBytes(seed, &rng)
            do {
                let plan = try PlanIO.read(data: Data(bytes), file: "fuzz.plan.json")
                accepted += 1
                _ = PlanChecker.check(plan, file: "fuzz.plan.json")
                for instance in instances { _ = PlanChecker.check(plan, file: "fuzz.plan.json", against: instance, instanceFile: "i.json") }
            } catch {
                #expect(error.file == "fuzz.plan.json" && !error.message.isEmpty)
            }
        }
        #expect(accepted > 50)
    }

    @Test("mutated CSV files: an error or a matrix")
    func csv() {
        var rng = SeededGenerator(seed: 99)
        let seed = "0,1.5,2e3\n3,0,4\n5,6,7\n"
        var accepted = 0
        for _ in 0..<3000 {
            switch CSVMatrix.parse(Self.mutateBytes(seed, &rng), file: "d.csv", size: 3) {
            case .success(let m):
                accepted += 1
                #expect(m.values.allSatisfy { $0.isFinite && $0 >= 0 })
            case .failure(let e):
                guard case .text(let line, let column) = e.place else { Issue.record("no line: \(e)"); continue }
                #expect(line >= 1 && column >= 1)
            }
        }
        #expect(accepted > 10)
    }
}
