import OptoCore
@testable import OptoPlanners

/// SplitMix64: a small seeded generator so link-pool sweeps are reproducible.
struct LinkPoolRNG: RandomNumberGenerator {
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

/// The seed white paper's link-layer example (PROBLEMS.md §2): two racks,
/// two pooled ports each, 400 Gb/s circuits, 100 Gb/s electrical, push to
/// pull 8:1.
func referenceInstance(objective: LinkPoolObjective = .concurrent) -> LinkPoolInstance {
    LinkPoolInstance(fabric: LinkPoolFabric(nodes: 2, ports: 2, circuitRate: 400e9, packetRate: 100e9),
                     demand: Matrix([[0, 8e9], [1e9, 0]]), objective: objective)
}

/// A small random instance: `nodes` nodes with 1–`maxPorts` pooled ports,
/// sparse asymmetric demand in whole Gb/s, and optionally tx/rx caps or a
/// current allocation with a change budget.
func smallInstance(seed: UInt64, nodes: Int, maxPorts: Int, objective: LinkPoolObjective,
                   caps: Bool = false, current: Bool = false) -> LinkPoolInstance {
    var rng = LinkPoolRNG(seed: seed)
    let ports = (0..<nodes).map { _ in Int.random(in: 1...maxPorts, using: &rng) }
    let packet = (0..<nodes).map { _ in Double(Int.random(in: 0...2, using: &rng)) * 50e9 }
    var demand = Matrix(size: nodes)
    for i in 0..<nodes {
        for j in 0..<nodes where i != j && Int.random(in: 0..<3, using: &rng) > 0 {
            demand[i, j] = Double(Int.random(in: 1...1200, using: &rng)) * 1e9
        }
    }
    if demand.total == 0 { demand[0, 1] = 100e9 }
    var fabric = LinkPoolFabric(nodes: nodes, opticalPorts: ports, circuitRate: 400e9, packetRate: packet)
    if caps {
        fabric.tx = ports.map { Int.random(in: 0...$0, using: &rng) }
        fabric.rx = ports.map { Int.random(in: 0...$0, using: &rng) }
    }
    var instance = LinkPoolInstance(fabric: fabric, demand: demand, objective: objective)
    if current {
        var circuits: [Circuit] = []
        for _ in 0..<Int.random(in: 0...nodes, using: &rng) {
            let i = Int.random(in: 0..<nodes, using: &rng)
            var j = Int.random(in: 0..<(nodes - 1), using: &rng)
            if j >= i { j += 1 }
            circuits.append(Circuit(i, j))
        }
        instance.current = circuits
        instance.maxChanges = Int.random(in: 0...3, using: &rng)
    }
    return instance
}

/// The circuit matrix of a plan, flat.
func counts(_ plan: LinkPoolPlan, nodes: Int) -> [Int] {
    plan.circuits.countMatrix(nodes: nodes).values.map { Int($0) }
}

/// Whether `a` is within a relative (and tiny absolute) tolerance of `b`.
func close(_ a: Double, _ b: Double, relative: Double = 1e-6) -> Bool {
    abs(a - b) <= relative * max(abs(a), abs(b)) + 1e-9
}
