import OptoCore
@testable import OptoPlanners

/// A seeded generator (SplitMix64) so random schedule tests are reproducible.
struct ScheduleRNG: RandomNumberGenerator {
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

enum ScheduleFixtures {
    /// A random sparse-ish demand matrix in bytes (zero diagonal).
    static func demand(nodes n: Int, density: Double = 0.6, scale: Double = 1e6, rng: inout ScheduleRNG) -> Matrix {
        var m = Matrix(size: n)
        for i in 0..<n {
            for j in 0..<n where i != j && Double.random(in: 0..<1, using: &rng) < density {
                m[i, j] = scale * Double.random(in: 0.05...1, using: &rng)
            }
        }
        return m
    }

    /// 1 GB/s circuits (8 Gb/s), `packet` bytes per second of packet rate, δ in seconds.
    static func fabric(nodes: Int, ports: Int = 1, packetBytesPerSecond: Double = 1e8, delta: Double = 1e-3) -> Fabric {
        Fabric(nodes: nodes, ports: ports, circuitRate: 8e9, packetRate: packetBytesPerSecond * 8, reconfigurationDelay: delta)
    }
}
