import Foundation
import OptoCore
import Testing
@testable import OptoTraffic

/// Seeded mutations of job specifications and traces: an error or a value, never a crash.
@Suite("Fuzzing the traffic readers")
struct TrafficFuzzTests {
    static let spec = """
    {"generate": "stagger", "step": "1ms", "links": [{"name": "agg", "capacity": "100Gbps"}],
     "jobs": [{"name": "v", "model": "vgg16", "nodes": [0, 1], "ranksPerNode": 8, "rate": "50Gbps", "links": ["agg"]},
              {"name": "p", "pattern": "pipeline", "activation": "16MB", "microbatches": 4, "iteration": "300ms",
               "nodes": [2, 3, 4], "ranksPerNode": 2, "rate": "25Gbps", "links": ["agg"]}]}
    """

    static func mutate(_ text: String, _ rng: inout SplitMix) -> [UInt8] {
        var b = Array(text.utf8)
        let alphabet = Array("0123456789-.e,[]{}\":abcsGMB ".utf8)
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !b.isEmpty else { break }
            let k = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: b[k] = alphabet.randomElement(using: &rng)!
            case 1: b.remove(at: k)
            case 2: b.insert(alphabet.randomElement(using: &rng)!, at: k)
            default: b.insert(contentsOf: b[k..<min(b.count, k + 8)], at: k)
            }
        }
        return b
    }

    @Test("job specifications")
    func specs() {
        var rng = SplitMix(state: 2026)
        var accepted = 0
        for _ in 0..<2000 {
            let bytes = Self.mutate(Self.spec, &rng)
            do {
                let (spec, _) = try JobSpec.read(data: Data(bytes), file: "s.json")
                accepted += 1
                let instance = spec.instance()
                // What the generator makes writes and reads back (or is rejected with a message, e.g. a hyper-period too long).
                let check = InstanceReader.check(json: InstanceWriter.json(instance), file: "g.json", baseDirectory: nil)
                #expect(check.instance != nil || !check.errors.isEmpty)
            } catch {
                #expect(error.file == "s.json" && !error.message.isEmpty)
            }
        }
        #expect(accepted > 20)
    }

    @Test("long CSV traces")
    func traces() {
        var rng = SplitMix(state: 7)
        let trace = "t,src,dst,demand\n0,0,1,5\n0,1,0,2.5\n1,0,1,7\n1,1,0,9\n2,0,1,1\n"
        var accepted = 0
        for _ in 0..<3000 {
            switch TrafficSeries.readLongCSV(Self.mutate(trace, &rng), file: "t.csv") {
            case .success(let s):
                accepted += 1
                #expect(s.snapshots.allSatisfy { m in m.values.allSatisfy { $0.isFinite && $0 >= 0 } })
                if s.snapshots.count >= 3 { _ = Backtest.run(s, holdout: 0.2) }
            case .failure(let e):
                #expect(!e.message.isEmpty)
            }
        }
        #expect(accepted > 20)
    }

    @Test("iteration instead of compute")
    func iteration() throws {
        let (spec, _) = try JobSpec.read(data: Data(Self.spec.utf8), file: "s.json")
        let p = spec.jobs[1]
        // Pipeline over 3 stages: the middle node sends 2·4·16 MB = 128 MB = 1.024 Gb at 25 Gbps: 40.96 ms.
        #expect(abs(p.communicationTime - 0.04096) < 1e-12)
        #expect(abs(p.computeTime - (0.3 - 0.04096)) < 1e-12 && abs(p.iterationTime - 0.3) < 1e-12)
        let short = Self.spec.replacingOccurrences(of: "300ms", with: "30ms")
        #expect(throws: InputError.self) { try JobSpec.read(data: Data(short.utf8), file: "s.json") }
        let both = Self.spec.replacingOccurrences(of: #""iteration": "300ms""#, with: #""iteration": "300ms", "compute": "1ms""#)
        #expect(throws: InputError.self) { try JobSpec.read(data: Data(both.utf8), file: "s.json") }
    }
}
