import Testing
@testable import OptoEval

/// The evaluator's max-min core (`MaxMinProblem`) over circuit and packet
/// resources, against `naiveMaxMin` (raise every unfrozen flow in small
/// exact steps) applied stage by stage as PROBLEMS.md states the rule.
@Suite struct ResourceFillingTests {
    /// The two-stage rule written out with the naive filling: circuits over
    /// every flow crossing one, capped by its cap; then packet resources
    /// over every flow crossing one (or no circuit), capped by what is left.
    func reference(_ p: MaxMinProblem) -> (circuit: [Double], packet: [Double]) {
        let isCircuit = { (r: Int) in p.stages[r] == .circuit }
        func stage(_ members: [Int], _ sets: [[Int]], _ caps: [Double]) -> [Double] {
            var out = Array(repeating: 0.0, count: p.flowResources.count)
            guard !members.isEmpty else { return out }
            let rates = naiveMaxMin(capacities: p.capacities, flows: members.map { sets[$0] }, caps: members.map { caps[$0] },
                                    classes: p.classes.isEmpty ? nil : members.map { p.classes[$0] })
            for (k, f) in members.enumerated() { out[f] = rates[k] }
            return out
        }
        let circuitSets = p.flowResources.map { $0.filter(isCircuit) }
        let packetSets = p.flowResources.map { $0.filter { !isCircuit($0) } }
        let circuit = stage(p.flowResources.indices.filter { !circuitSets[$0].isEmpty }, circuitSets, p.caps)
        let packetCaps = p.flowResources.indices.map { circuitSets[$0].isEmpty ? p.caps[$0] : max(0, p.caps[$0] - circuit[$0]) }
        let packet = stage(p.flowResources.indices.filter { !packetSets[$0].isEmpty && packetCaps[$0] > 0 }, packetSets, packetCaps)
        return (circuit, packet)
    }

    /// Seeded random sets: circuits shared by pair flows, transit-like
    /// sub-flows on two circuits and relayed transfers on circuit paths
    /// plus ports; capacities from a few values (ties) including 0; caps
    /// from a few values, some infinite; two priority classes.
    @Test func twoStageFillingMatchesTheNaiveReference() {
        var rng = SplitMix(seed: 14)
        for trial in 0..<300 {
            let circuits = 1 + rng.int(6)
            let ports = 2 + rng.int(6)
            var capacities: [Double] = []
            var stages: [ResourceStage] = []
            let values: [Double] = [0, 10, 10, 20, 40, 100]
            for _ in 0..<circuits { capacities.append(values[rng.int(values.count)]); stages.append(.circuit) }
            for _ in 0..<ports { capacities.append(values[1 + rng.int(values.count - 1)]); stages.append(.packet) }
            var flowResources: [[Int]] = []
            var caps: [Double] = []
            var classes: [Int] = []
            for _ in 0..<(1 + rng.int(12)) {
                var set = Set<Int>()
                switch rng.int(4) {
                case 0: set = [circuits + rng.int(ports), circuits + rng.int(ports)]           // packet only
                case 1: set = [rng.int(circuits), circuits + rng.int(ports), circuits + rng.int(ports)] // pair on a circuit
                case 2: set = [rng.int(circuits), rng.int(circuits)]                       // transit sub-flow
                default: for _ in 0..<(1 + rng.int(3)) { set.insert(rng.int(circuits + ports)) } // relayed transfer
                }
                flowResources.append(set.sorted())
                let c: [Double] = [.infinity, .infinity, 5, 10, 30]
                caps.append(c[rng.int(c.count)])
                classes.append(trial % 3 == 0 ? rng.int(2) : 0)
            }
            let problem = MaxMinProblem(capacities: capacities, flowResources: flowResources, caps: caps,
                                        classes: classes, stages: stages)
            let fast = problem.solveByStage()
            let slow = reference(problem)
            for f in flowResources.indices {
                #expect(abs(fast.circuit[f] - slow.circuit[f]) <= 1e-6 * max(1, slow.circuit[f]), "trial \(trial) flow \(f) circuit")
                #expect(abs(fast.packet[f] - slow.packet[f]) <= 1e-6 * max(1, slow.packet[f]), "trial \(trial) flow \(f) packet")
            }
            // Feasible: no resource over its capacity.
            var used = Array(repeating: 0.0, count: capacities.count)
            for f in flowResources.indices {
                for r in flowResources[f] { used[r] += stages[r] == .circuit ? fast.circuit[f] : fast.packet[f] }
                #expect(fast.circuit[f] + fast.packet[f] <= caps[f] * (1 + 1e-9))
            }
            for r in capacities.indices { #expect(used[r] <= capacities[r] * (1 + 1e-9) + 1e-9) }
        }
    }

    /// A circuit of 100 shared by a pair's own flow (data-driven) and a
    /// sub-flow capped at 30: 30 and 70 on the circuit; the pair's flow
    /// still gets its full packet share (10, one flow on 10-wide ports).
    @Test func aSharedCircuitByHand() {
        let p = MaxMinProblem(capacities: [100, 10, 10], flowResources: [[0, 1, 2], [0]], caps: [.infinity, 30],
                              stages: [.circuit, .packet, .packet])
        let (c, k) = p.solveByStage()
        #expect(c == [70, 30])
        #expect(k == [10, 0])
    }
}

extension SplitMix {
    mutating func int(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
