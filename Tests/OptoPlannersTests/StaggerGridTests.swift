import Testing
import OptoCore
@testable import OptoPlanners

@Suite("Stagger grid and scoring")
struct StaggerGridTests {
    @Test("aligned three-thirds: excess and peak by hand")
    func alignedByHand() throws {
        let grid = try StaggerGrid(StaggerFixtures.threeThirds())
        #expect(grid.hyperSlots == 30)
        let s = grid.score(offsets: [0, 0, 0])
        // All three send 100 Gb/s for the same 10 ms of every 30 ms on a
        // 100 Gb/s link: 200 Gb/s over capacity for 10 ms = 2e9 bits.
        #expect(abs(s.excess - 2e9) <= 1e-6 * 2e9)
        #expect(abs(s.peak - 3) <= 1e-12)
        // mean excess rate 200e9·10/30, over C = 2/3, so compatibility 1/3.
        #expect(abs(s.compatibility - 1.0 / 3.0) <= 1e-12)
        #expect(s.collidingJobs == [0, 1, 2])
        let staggered = grid.score(offsets: [0, 10, 20])
        #expect(staggered.excess == 0)
        #expect(abs(staggered.peak - 1) <= 1e-12)
        #expect(abs(staggered.compatibility - 1) <= 1e-12)
        #expect(staggered.collidingJobs.isEmpty)
    }

    @Test("a phase wrapping past the period's end loads the first slots")
    func wrap() throws {
        let inst = StaggerInstance(step: 1, links: [.init(name: "l", capacity: 10)],
                                   jobs: [.init(name: "a", period: 5, links: ["l"],
                                                phases: [.init(start: 3, duration: 3, rate: 4)])])
        let grid = try StaggerGrid(inst)
        #expect(grid.jobs[0].profile == [4, 0, 0, 4, 4])
        // Offset 2 shifts the pattern two slots later: slot τ carries profile[(τ − 2) mod 5].
        #expect(grid.loads(offsets: [2])[0] == [4, 4, 4, 0, 0])
    }

    @Test("hyper-period is the lcm of the periods, and loads repeat within it")
    func hyperPeriod() throws {
        let inst = StaggerInstance(step: 0.5, links: [.init(name: "l", capacity: 10)], jobs: [
            .init(name: "a", period: 2, links: ["l"], phases: [.init(start: 0, duration: 0.5, rate: 6)]),
            .init(name: "b", period: 3, links: ["l"], phases: [.init(start: 0, duration: 0.5, rate: 6)]),
        ])
        let grid = try StaggerGrid(inst)
        #expect(grid.hyperSlots == 12)
        let loads = grid.loads(offsets: [0, 0])[0]
        #expect(loads == [12, 0, 0, 0, 6, 0, 6, 0, 6, 0, 0, 0])
        // One slot of 2 over capacity, 0.5 s: 1 bit.
        #expect(abs(grid.score(offsets: [0, 0]).excess - 1) <= 1e-12)
        #expect(grid.score(offsets: [1, 0]).excess == 0)
    }

    @Test("bad instances are typed errors, never traps")
    func badInput() {
        let link = StaggerInstance.Link(name: "l", capacity: 10)
        func job(period: Double = 1, start: Double = 0, duration: Double = 0.5, links: [String] = ["l"]) -> StaggerInstance.Job {
            .init(name: "a", period: period, links: links, phases: [.init(start: start, duration: duration, rate: 1)])
        }
        #expect(throws: StaggerError.self) { try StaggerGrid(StaggerInstance(step: 0, links: [link], jobs: [job()])) }
        #expect(throws: StaggerError.self) { try StaggerGrid(StaggerInstance(step: 0.3, links: [link], jobs: [job()])) }
        #expect(throws: StaggerError.self) { try StaggerGrid(StaggerInstance(step: 0.5, links: [link], jobs: [job(duration: 1.5)])) }
        #expect(throws: StaggerError.self) { try StaggerGrid(StaggerInstance(step: 0.5, links: [link], jobs: [job(links: ["x"])])) }
        #expect(throws: StaggerError.self) { try StaggerGrid(StaggerInstance(step: 0.5, links: [link], jobs: [job(period: .nan)])) }
        #expect(throws: StaggerError.self) {
            try StaggerGrid(StaggerInstance(step: 0.5, links: [.init(name: "l", capacity: 0)], jobs: [job()]))
        }
        // Coprime periods whose lcm exceeds the limit.
        let big = StaggerInstance(step: 1, links: [link], jobs: [1009, 1013, 1019].map {
            .init(name: "p\($0)", period: Double($0), links: ["l"], phases: [.init(start: 0, duration: 1, rate: 1)])
        })
        #expect(throws: StaggerError.hyperPeriodTooLarge(slots: 1009 * 1013, limit: StaggerGrid.defaultMaxHyperSlots)) {
            try StaggerGrid(big)
        }
    }

    @Test("offsets round-trip through seconds and are checked")
    func offsets() throws {
        let grid = try StaggerGrid(StaggerFixtures.threeThirds())
        let seconds = grid.offsetSeconds([0, 10, 29])
        #expect(try grid.offsetSlots(seconds) == [0, 10, 29])
        #expect(throws: StaggerError.self) { try grid.offsetSlots(["a": 0, "b": 0.0105, "c": 0]) }
        #expect(throws: StaggerError.self) { try grid.offsetSlots(["a": 0, "b": 0.030, "c": 0]) }
        #expect(throws: StaggerError.self) { try grid.offsetSlots(["a": 0, "b": 0]) }
    }

    @Test("lower bounds hold for every offset combination of small instances")
    func bounds() throws {
        for seed in 1...20 as ClosedRange<UInt64> {
            let grid = try StaggerGrid(StaggerFixtures.random(seed: seed, jobs: 3, links: 2, periods: [4, 6]))
            let best = try StaggerPlanner.bruteForceOffsets(grid)
            #expect(grid.excessLowerBound() <= best.score.excess + 1e-6)
            #expect(grid.peakLowerBound() <= best.score.peak + 1e-9)
        }
    }

    @Test("canonical offsets keep excess and peak and meet the model's restrictions")
    func canonical() throws {
        var rng = StaggerRNG(seed: 7)
        for seed in 1...30 as ClosedRange<UInt64> {
            var inst = StaggerFixtures.random(seed: seed, jobs: 5, links: 2, periods: [4, 6, 8])
            // Make two jobs identical so the ordering restriction applies.
            inst.jobs[1].period = inst.jobs[0].period
            inst.jobs[1].phases = inst.jobs[0].phases
            inst.jobs[1].links = inst.jobs[0].links
            let grid = try StaggerGrid(inst)
            let structure = StaggerStructure(grid: grid)
            let offsets = grid.jobs.map { Int.random(in: 0..<$0.period, using: &rng) }
            let canon = structure.canonicalise(offsets)
            let a = grid.score(offsets: offsets), b = grid.score(offsets: canon)
            #expect(abs(a.excess - b.excess) <= 1e-6 * max(1, a.excess))
            #expect(abs(a.peak - b.peak) <= 1e-9)
            for c in structure.components {
                for k in c.jobs { #expect(c.allowed[k]!.contains(canon[k]), "seed \(seed) job \(k)") }
                for cls in c.classes { #expect(cls.map { canon[$0] } == cls.map { canon[$0] }.sorted()) }
            }
        }
    }
}
