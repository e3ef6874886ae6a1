import OptoCore
@testable import OptoPlanners

/// Small seeded generator (SplitMix64) so sweeps are reproducible.
struct StaggerRNG: RandomNumberGenerator {
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

enum StaggerFixtures {
    /// Three identical jobs on one 100 Gb/s link, period 30 ms, each
    /// communicating 10 ms (a third) at 100 Gb/s; step 1 ms.
    static func threeThirds() -> StaggerInstance {
        StaggerInstance(
            step: 0.001,
            links: [.init(name: "agg", capacity: 100e9)],
            jobs: ["a", "b", "c"].map {
                .init(name: $0, period: 0.030, links: ["agg"],
                      phases: [.init(start: 0.020, duration: 0.010, rate: 100e9)])
            })
    }

    /// A random small instance: `jobs` jobs with periods drawn from
    /// `periods` (in steps of 1 ms), one or two phases each, on `links` links.
    static func random(seed: UInt64, jobs: Int, links: Int, periods: [Int]) -> StaggerInstance {
        var rng = StaggerRNG(seed: seed)
        let linkList = (0..<links).map { StaggerInstance.Link(name: "l\($0)", capacity: 100e9) }
        var jobList: [StaggerInstance.Job] = []
        for k in 0..<jobs {
            let p = periods.randomElement(using: &rng)!
            var used = [linkList.randomElement(using: &rng)!.name]
            if links > 1, Bool.random(using: &rng), Bool.random(using: &rng) {
                let other = linkList.randomElement(using: &rng)!.name
                if other != used[0] { used.append(other) }
            }
            var phases: [StaggerInstance.Phase] = []
            for _ in 0..<Int.random(in: 1...2, using: &rng) {
                let start = Int.random(in: 0..<p, using: &rng)
                let duration = Int.random(in: 1...max(1, p / 2), using: &rng)
                let rate = Double([40, 50, 60, 80, 100].randomElement(using: &rng)!) * 1e9
                phases.append(.init(start: Double(start) * 0.001, duration: Double(duration) * 0.001, rate: rate))
            }
            jobList.append(.init(name: "j\(k)", period: Double(p) * 0.001, links: used, phases: phases))
        }
        return StaggerInstance(step: 0.001, links: linkList, jobs: jobList)
    }
}
