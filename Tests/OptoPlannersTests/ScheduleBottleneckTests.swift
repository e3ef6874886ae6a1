import Testing
import OptoCore
import OptoGLPK
@testable import OptoPlanners

@Suite("Schedule: bottleneck slicing")
struct ScheduleBottleneckTests {
    /// Node 0 sends 0.3, 0.5 and 0.6 GB to nodes 1, 2, 3; a 0.1 GB ring 1 → 2 → 3 → 1
    /// beside it; no packet fabric; 1 GB/s circuits, δ = 1 ms.
    static let busyNode = ScheduleInstance(
        fabric: ScheduleFixtures.fabric(nodes: 4, packetBytesPerSecond: 0, delta: 1e-3),
        demand: Matrix([[0, 3e8, 5e8, 6e8], [0, 0, 1e8, 0], [0, 0, 0, 1e8], [0, 1e8, 0, 0]]))

    @Test("one busy node, by hand: each of its entries in one configuration, 3δ + 1.4 s, as the ILP; Solstice splits them")
    func busyNodeByHand() throws {
        let plan = try SchedulePlanner.plan(Self.busyNode, method: .bottleneck)
        #expect(ScheduleScoring.violations(of: plan, for: Self.busyNode).isEmpty)
        // Node 0 needs three partners, hence three configurations, and 1.4 s of circuit time.
        #expect(plan.configurations?.count == 3)
        #expect(abs(try #require(plan.metrics.makespan) - (3e-3 + 1.4)) < 1e-6)
        let ilp = try SchedulePlanner.plan(Self.busyNode, method: .ilp,
                                           options: PlanningOptions(timeLimit: 20, solver: GLPKSolver(), slots: 4))
        #expect(ilp.status == .optimal)
        #expect(abs(ilp.metrics.objective - plan.metrics.objective) <= 1e-6 * ilp.metrics.objective)
        // Slices by powers of two split 0.3, 0.5 and 0.6 GB over more configurations.
        let solstice = try SchedulePlanner.plan(Self.busyNode, method: .solstice)
        #expect(solstice.configurations?.count ?? 0 > 3)
        #expect(solstice.metrics.objective > plan.metrics.objective)
    }

    @Test("packet first, by hand: pairs without circuits first, then the busiest line's smallest entries within both budgets")
    func packetFirstByHand() throws {
        var fabric = ScheduleFixtures.fabric(nodes: 4, packetBytesPerSecond: 1)
        fabric.ocsPortsPerNode = [1, 1, 1, 0]
        let f = try ScheduleFabric(fabric)
        let d: [Double] = [0, 2, 5, 0,
                           0, 0, 0.6, 0,
                           0, 1, 0, 0,
                           0, 0, 1.5, 0]
        // Budget 2 per node and direction (2 s at 1 B/s).
        let c = ScheduleHeuristics.packetFirst(f, d, target: 2)
        // 3 → 2 has no circuit: the packet fabric carries it first, leaving receiver 2 with 0.5, too
        // little for 1 → 2. Row 0 (7) is the busiest line: 0 → 1 fits both budgets, so receiver 1 has
        // nothing left for 2 → 1, the smallest entry of all.
        #expect(c == [0, 0, 5, 0,
                      0, 0, 0.6, 0,
                      0, 1, 0, 0,
                      0, 0, 0, 0])
    }

    @Test("seeded random: feasible, at most one configuration per non-zero entry, never below the bound",
          arguments: [(UInt64(91), false), (92, true), (93, false)])
    func configurationsBounded(seed: UInt64, windowed: Bool) throws {
        var rng = ScheduleRNG(seed: seed)
        let n = 9
        let d = ScheduleFixtures.demand(nodes: n, density: 0.5, rng: &rng)
        let fabric = ScheduleFixtures.fabric(nodes: n, packetBytesPerSecond: 2e7, delta: 1e-4)
        let lb = try ScheduleScoring.lowerBound(fabric: fabric, demand: d)
        let inst = ScheduleInstance(fabric: fabric, demand: d, window: windowed ? 0.7 * lb : nil)
        let plan = try SchedulePlanner.plan(inst, method: .bottleneck)
        #expect(ScheduleScoring.violations(of: plan, for: inst).isEmpty)
        let entries = d.values.filter { $0 > 0 }.count
        #expect((plan.configurations?.count ?? 0) <= entries)
        if !windowed { #expect(try #require(plan.metrics.makespan) >= lb * (1 - 1e-9)) }
    }

    @Test("a busy node with a long tail of small entries and a costly δ: fewer configurations and a shorter makespan than Solstice")
    func longTail() throws {
        var rng = ScheduleRNG(seed: 101)
        let n = 24
        // Light background; node 0 sends to everyone, with sizes spread over two orders of magnitude.
        var d = ScheduleFixtures.demand(nodes: n, density: 0.3, scale: 2e6, rng: &rng)
        for j in 1..<n { d[0, j] = 1e6 * Double.random(in: 1...100, using: &rng) }
        let inst = ScheduleInstance(fabric: ScheduleFixtures.fabric(nodes: n, packetBytesPerSecond: 1e8, delta: 2e-4), demand: d)
        let bottleneck = try SchedulePlanner.plan(inst, method: .bottleneck)
        let solstice = try SchedulePlanner.plan(inst, method: .solstice)
        #expect(ScheduleScoring.violations(of: bottleneck, for: inst).isEmpty)
        #expect((bottleneck.configurations?.count ?? 0) < (solstice.configurations?.count ?? 0))
        #expect(bottleneck.metrics.objective < solstice.metrics.objective)
    }

    @Test("wrap-around expansion: every copy an equal share of its line, pair totals kept, few cells", arguments: [UInt64(121), 122])
    func wrapAround(seed: UInt64) throws {
        var rng = ScheduleRNG(seed: seed)
        let n = 7
        var fabric = ScheduleFixtures.fabric(nodes: n)
        fabric.ocsPortsPerNode = [1, 2, 3, 4, 0, 2, 3]
        let f = try ScheduleFabric(fabric)
        let d = ScheduleFixtures.demand(nodes: n, density: 0.7, rng: &rng).values
        let ex = PortExpansion(f)
        let k = ex.size
        let e = ex.wrapAround(d, ports: f.ports)
        var pair = [Double](repeating: 0, count: n * n), row = [Double](repeating: 0, count: n), col = row
        for i in 0..<n where f.ports[i] > 0 {
            for j in 0..<n where f.ports[j] > 0 && j != i { row[i] += d[i * n + j]; col[j] += d[i * n + j] }
        }
        var cells = 0
        var copyRow = [Double](repeating: 0, count: k), copyCol = copyRow
        for a in 0..<k {
            for b in 0..<k where e[a * k + b] > 0 {
                #expect(ex.owner[a] != ex.owner[b])
                pair[ex.owner[a] * n + ex.owner[b]] += e[a * k + b]
                copyRow[a] += e[a * k + b]; copyCol[b] += e[a * k + b]
                cells += 1
            }
        }
        for i in 0..<n {
            for j in 0..<n {
                let want = f.ports[i] > 0 && f.ports[j] > 0 && i != j ? d[i * n + j] : 0
                #expect(abs(pair[i * n + j] - want) <= 1e-9 * max(1, want))
            }
        }
        for a in 0..<k {
            let i = ex.owner[a]
            #expect(abs(copyRow[a] - row[i] / Double(f.ports[i])) <= 1e-9 * row[i])
            #expect(abs(copyCol[a] - col[i] / Double(f.ports[i])) <= 1e-9 * col[i])
        }
        // Each cut adds at most one cell: nnz + (k_i − 1) per row + (k_j − 1) per column.
        let entries = (0..<(n * n)).filter { pair[$0] > 0 }.count
        #expect(cells <= entries + 2 * k)
        // The even split puts every entry on all k_i·k_j copy pairs.
        let even = ex.expand(d, ports: f.ports).filter { $0 > 0 }.count
        #expect(cells < even)
    }
}
