import Foundation
import OptoCore
import OptoEval
@testable import OptoPlanCLI
@testable import OptoPlanners
import Testing

@Suite("Collective report page")
struct CollectiveReportTests {
    func instance() -> CollectiveInstance {
        CollectiveInstance(fabric: Fabric(nodes: 5, ports: 1, circuitRate: 400e9, packetRate: 0, reconfigurationDelay: 10e-6),
                           maxHops: 4, current: [Circuit(0, 2), Circuit(2, 4), Circuit(4, 1), Circuit(1, 3), Circuit(3, 0)], reconfigure: false,
                           jobs: [CollectiveJob(name: "llm-a", collectives: [Collective(name: "dp", kind: .allreduce, group: [0, 1, 2, 3, 4], bytes: 1e9)])])
    }

    @Test("the reference case drawn: fixed's five ring hops are dashed (relayed), matched's none; 8 steps of 4 ms for matched")
    func referenceDrawing() throws {
        let i = instance()
        let fixed = try CollectivePlanner.plan(i, method: .fixed), matched = try CollectivePlanner.plan(i, method: .matched)
        func dashed(_ svg: String) -> Int { svg.components(separatedBy: "stroke-dasharray=\"5,3\"").count - 1 }
        #expect(dashed(ReportBuilder.ringSVG(i, fixed, title: "f")) == 5)
        #expect(dashed(ReportBuilder.ringSVG(i, matched, title: "m")) == 0)
        let e = try Evaluator.evaluate(matched, on: i)
        let timeline = ReportBuilder.stepTimelineSVG(i, e, start: 0, title: "t", end: try #require(e.makespan))
        let steps = timeline.components(separatedBy: "llm-a/dp step ").count - 1
        #expect(steps == 8)
        #expect(timeline.contains("llm-a/dp step 8 of 8: 28–32 ms"))
    }
}
