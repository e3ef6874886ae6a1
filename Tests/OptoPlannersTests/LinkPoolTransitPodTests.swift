import Foundation
import Testing
import OptoCore
import OptoGLPK
import OptoTraffic
@testable import OptoPlanners

/// ATRO's setting (Mao et al., INFOCOM 2025) on a few snapshots of the
/// 4-pod Facebook series: 10 duplex ports per pod (20 pooled), no packet
/// fabric, 3000 per circuit, values as bits per second.
@Suite("LinkPool transit on the pod series")
struct LinkPoolTransitPodTests {
    let options = PlanningOptions(timeLimit: 20, solver: GLPKSolver())

    static func snapshots() throws -> [Matrix] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("datasets/traces/fb_pod_a_4x4_series.csv")
        return try TrafficSeries.read(contentsOf: url, factor: 1).series.snapshots
    }

    /// ATRO's published 1-hop optimum of the first snapshot (MLU 0.48293).
    @Test func oneHopSymmetricMatchesATRO() throws {
        let demand = try #require(try Self.snapshots().first)
        let fabric = LinkPoolFabric(nodes: 4, ports: 20, circuitRate: 3000, packetRate: 0)
        let plan = try LinkPoolPlanner.plan(LinkPoolInstance(fabric: fabric, demand: demand), method: .symmetric, options: options)
        #expect(abs(1 / plan.metrics.objective - 0.48293) <= 5e-6)
    }

    /// Directions chosen per circuit (tx = rx = 10) can always do what
    /// paired links do, so with transit the asymmetric optimum is never
    /// worse than the symmetric one, and transit never worse than one hop.
    /// Snapshot 163 is the one an earlier, too tolerant test got wrong.
    @Test func asymmetricTransitNeverLosesToSymmetricTransit() throws {
        let all = try Self.snapshots()
        let fabric = LinkPoolFabric(nodes: 4, ports: 20, circuitRate: 3000, packetRate: 0)
        var capped = fabric
        capped.tx = [10, 10, 10, 10]
        capped.rx = [10, 10, 10, 10]
        for index in [0, 1, 2, 163, 164, 500] {
            let demand = all[index]
            let symmetric = try LinkPoolPlanner.plan(LinkPoolInstance(fabric: fabric, demand: demand, maxHops: 2), method: .symmetric, options: options)
            let asymmetric = try LinkPoolPlanner.plan(LinkPoolInstance(fabric: capped, demand: demand, maxHops: 2), method: .ilp, options: options)
            let oneHop = try LinkPoolPlanner.plan(LinkPoolInstance(fabric: fabric, demand: demand), method: .symmetric, options: options)
            #expect(symmetric.status == .optimal && asymmetric.status == .optimal, "snapshot \(index)")
            #expect(asymmetric.metrics.objective >= symmetric.metrics.objective * (1 - 1e-6), "snapshot \(index)")
            #expect(symmetric.metrics.objective >= oneHop.metrics.objective * (1 - 1e-6), "snapshot \(index)")
            #expect(LinkPoolPlanner.routingViolation(asymmetric, LinkPoolInstance(fabric: capped, demand: demand, maxHops: 2)) == nil)
            #expect(LinkPoolPlanner.routingViolation(symmetric, LinkPoolInstance(fabric: fabric, demand: demand, maxHops: 2)) == nil)
        }
    }
}
