import Testing
import OptoCore
import OptoGLPK
@testable import OptoPlanners

@Suite("Stagger attainable levels")
struct StaggerLevelsTests {
    @Test("approximate gcd of rates: exact multiples, none for incommensurable ones")
    func gcd() throws {
        #expect(StaggerLevels.approximateGCD([100e9, 200e9]) == 100e9)
        let g = try #require(StaggerLevels.approximateGCD([40e9, 100e9, 60e9, 200e9]))
        #expect(abs(g - 20e9) <= 1e-3)
        #expect(StaggerLevels.approximateGCD([100e9, 100e9 * 2.0.squareRoot()]) == nil)
        #expect(StaggerLevels.approximateGCD([]) == nil)
    }

    /// Jobs `a` (100, or 50 then 100 Gb/s) and `b` (100 Gb/s) on one 200 Gb/s link.
    static func twoJobs(twoRates: Bool) -> StaggerInstance {
        let a: [StaggerInstance.Phase] = twoRates
            ? [.init(start: 0, duration: 1, rate: 50e9), .init(start: 1, duration: 1, rate: 100e9)]
            : [.init(start: 0, duration: 2, rate: 100e9)]
        return StaggerInstance(step: 1, links: [.init(name: "l", capacity: 200e9)], jobs: [
            .init(name: "a", period: 4, links: ["l"], phases: a),
            .init(name: "b", period: 4, links: ["l"], phases: [.init(start: 0, duration: 1, rate: 100e9)]),
        ])
    }

    @Test("peak levels are the sums of one profile value per job, over capacity")
    func peakLevels() throws {
        let grid = try StaggerGrid(Self.twoJobs(twoRates: false))
        let levels = StaggerLevels(grid: grid, component: try #require(StaggerStructure(grid: grid).components.first))
        #expect(levels.peakLevels == [0, 0.5, 1])
        #expect(levels.roundUpPeak(0.3) == 0.5)
        #expect(levels.roundUpPeak(0.5) == 0.5)
        #expect(levels.roundUpPeak(1.2) == 1.2, "above every level the bound stays")
        #expect(levels.peakSpacing(from: 0.3, to: 1) == 0.2)
        #expect(levels.excessQuantum == 0.5, "rates and capacity are multiples of 100 Gb/s; max C is 200")

        let mixed = try StaggerGrid(Self.twoJobs(twoRates: true))
        let more = StaggerLevels(grid: mixed, component: try #require(StaggerStructure(grid: mixed).components.first))
        #expect(more.peakLevels == [0, 0.25, 0.5, 0.75, 1])
        #expect(more.excessQuantum == 0.25)
    }

    @Test("the proving gap never stops a search before incumbent − bound < spacing")
    func provingGap() throws {
        let gap = try #require(StaggerLevels.provingGap(spacing: 0.5, start: 105))
        // The incumbent only falls, so the absolute gap it allows only shrinks.
        for incumbent in [105.0, 100, 10, 0.6] { #expect(gap * incumbent < 0.5) }
        #expect(StaggerLevels.provingGap(spacing: nil, start: 1) == nil)
        #expect(StaggerLevels.provingGap(spacing: 0.5, start: 0) == nil)
    }

    @Test("ILP equals brute force on instances with a common rate (rounded bounds and proving gaps)",
          arguments: 61...72 as ClosedRange<UInt64>)
    func againstBruteForce(seed: UInt64) throws {
        // Jobs at 50 or 100 Gb/s on 200 Gb/s links: peaks are multiples of
        // 0.25 and excesses multiples of the quantum, so both stages may stop
        // early or be skipped.
        var rng = StaggerRNG(seed: seed)
        let links = (0..<(1 + Int(seed % 2))).map { StaggerInstance.Link(name: "l\($0)", capacity: 200e9) }
        let jobs = (0..<5).map { k -> StaggerInstance.Job in
            let p = [4, 6, 8].randomElement(using: &rng)!
            let duration = Int.random(in: p / 4...p / 2 + 1, using: &rng)
            let rate = [50e9, 100e9, 100e9].randomElement(using: &rng)!
            var used = [links.randomElement(using: &rng)!.name]
            if links.count > 1, Int.random(in: 0..<3, using: &rng) == 0 { used = links.map(\.name) }
            return .init(name: "j\(k)", period: Double(p), links: used,
                         phases: [.init(start: Double(Int.random(in: 0..<p, using: &rng)), duration: Double(duration), rate: rate)])
        }
        let inst = StaggerInstance(step: 1, links: links, jobs: jobs)
        let grid = try StaggerGrid(inst)
        let brute = try StaggerPlanner.bruteForceOffsets(grid)
        let ilp = try StaggerPlanner.plan(inst, method: .ilp, options: PlanningOptions(timeLimit: 20, solver: GLPKSolver()))
        #expect(ilp.status == .optimal)
        #expect(abs((ilp.metrics.excess ?? -1) - brute.score.excess) <= 1e-6 * max(1, brute.score.excess), "seed \(seed)")
        #expect(abs((ilp.metrics.peak ?? -1) - brute.score.peak) <= 1e-9, "seed \(seed): peak")
        // The exact model alone, started from the aligned plan rather than
        // greedy's, so that both stages have work to do.
        let alone = try StaggerPlanner.solveILP(grid, start: StaggerPlanner.alignedOffsets(grid), solver: GLPKSolver(),
                                                options: PlanningOptions(timeLimit: 20), clock: .now)
        #expect(alone.excessProven && alone.peakProven)
        let score = grid.score(offsets: alone.offsets)
        #expect(abs(score.excess - brute.score.excess) <= 1e-6 * max(1, brute.score.excess), "seed \(seed)")
        #expect(abs(score.peak - brute.score.peak) <= 1e-9, "seed \(seed): peak from the aligned start")
    }
}
