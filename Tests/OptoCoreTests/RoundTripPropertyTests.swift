import Foundation
import Testing
@testable import OptoCore

/// Random instances of every kind, written and read back: the same instance,
/// to the last bit of every double.
@Suite("Round trips of random instances")
struct RoundTripPropertyTests {
    static func value(_ rng: inout SeededGenerator) -> Double {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: 0
        case 1: Double(Int.random(in: 1...1_000_000, using: &rng))
        case 2: Double.random(in: 0...1, using: &rng)
        case 3: Double.random(in: 0...1e15, using: &rng)
        default: Double.random(in: 1e-300...1e-290, using: &rng)
        }
    }

    static func matrix(_ n: Int, _ rng: inout SeededGenerator) -> Matrix {
        var m = Matrix(size: n)
        for i in 0..<n { for j in 0..<n where i != j { m[i, j] = value(&rng) } }
        return m
    }

    static func instance(_ rng: inout SeededGenerator) -> Instance {
        let n = Int.random(in: 1...6, using: &rng)
        func ints() -> [Int] { (0..<n).map { _ in Int.random(in: 0...8, using: &rng) } }
        func rates() -> [Double] { (0..<n).map { _ in value(&rng) } }
        switch Int.random(in: 0..<4, using: &rng) {
        case 0, 1:
            let fabric = Fabric(nodes: n, ocsPortsPerNode: ints(), circuitRate: 1 + value(&rng), packetRate: rates(),
                                reconfigurationDelay: value(&rng))
            if Bool.random(using: &rng) {
                return .schedule(ScheduleInstance(fabric: fabric, demand: matrix(n, &rng), window: Bool.random(using: &rng) ? 1e-3 + value(&rng) : nil))
            }
            let epochs = (0..<Int.random(in: 1...4, using: &rng)).map { _ in ScheduleInstance.Epoch(duration: 1e-6 + value(&rng), demand: matrix(n, &rng)) }
            return .schedule(ScheduleInstance(fabric: fabric, mode: .epochs(epochs)))
        case 2:
            var current: [Circuit]?
            let ports = ints().map { $0 + 4 }
            if n > 1, Bool.random(using: &rng) { current = [Circuit(0, 1), Circuit(1, 0)] }
            let fabric = LinkPoolFabric(nodes: n, opticalPorts: ports, circuitRate: 1 + value(&rng), packetRate: rates(),
                                        tx: Bool.random(using: &rng) ? ports : nil, rx: nil)
            return .linkpool(LinkPoolInstance(fabric: fabric, demand: matrix(n, &rng), objective: Bool.random(using: &rng) ? .concurrent : .throughput,
                                              current: current, maxChanges: Bool.random(using: &rng) ? Int.random(in: 0...5, using: &rng) : nil))
        default:
            let step = [1e-3, 0.01, 0.05, 1e-4, 0.1][Int.random(in: 0..<5, using: &rng)]
            let links = (0..<Int.random(in: 1...3, using: &rng)).map { StaggerInstance.Link(name: "link-\($0)", capacity: 1 + value(&rng)) }
            let jobs = (0..<Int.random(in: 1...4, using: &rng)).map { k -> StaggerInstance.Job in
                let period = Int.random(in: 1...12, using: &rng)
                let phases = (0..<Int.random(in: 1...2, using: &rng)).map { _ in
                    StaggerInstance.Phase(start: Double(Int.random(in: 0..<period, using: &rng)) * step,
                                          duration: Double(Int.random(in: 1...period, using: &rng)) * step, rate: value(&rng))
                }
                return StaggerInstance.Job(name: "job \(k) \"é\"", period: Double(period) * step, links: [links[0].name], phases: phases)
            }
            return .stagger(StaggerInstance(step: step, links: links, jobs: jobs))
        }
    }

    @Test("500 random instances")
    func roundTrips() throws {
        var rng = SeededGenerator(seed: 31)
        for _ in 0..<500 {
            let original = Self.instance(&rng)
            let text = InstanceWriter.text(original)
            let (read, _) = try Fixtures.read(text)
            #expect(read == original, "\(text)")
        }
    }
}
