import Foundation
import OptoCore
import OptoModel

extension StaggerPlanner {
    /// Stage 1 of the exact model of `instance` as one model over every job
    /// and link (the planner solves it component by component and fixes
    /// rotations; neither changes the optimum). Built on the coarsest grid
    /// the instance lives on, like the planner.
    ///
    /// The objective is in capacity-weighted slots; `objectiveScale`
    /// (largest capacity × coarse step) turns it into excess bits per
    /// hyper-period.
    ///
    /// - Throws: ``StaggerError`` for an instance that cannot be put on its
    ///   grid; `ModelError` if the model fails validation.
    /// - Complexity: O(Σ_k |links_k|·P_k·H/P_k·active_k) nonzeros.
    public static func exactModel(_ instance: StaggerInstance) throws -> ExportedModel {
        let grid = try StaggerGrid(instance)
        let coarse = grid.coarsened(by: grid.coarseness)
        var allowed: [Int: [Int]] = [:]
        for (k, job) in coarse.jobs.enumerated() { allowed[k] = Array(0..<job.period) }
        let component = StaggerStructure.Component(jobs: Array(coarse.jobs.indices), links: Array(0..<coarse.linkCount),
                                                   classes: [], anchor: 0, second: nil, allowed: allowed)
        let built = ComponentModel(grid: coarse, component: component).build(stage2Budget: nil, peakBound: coarse.peakLowerBound())
        let unit = (coarse.capacities.max() ?? 1) * coarse.step
        return ExportedModel(model: try built.model.validated(), objectiveScale: unit,
                             objectiveMeaning: "excess bits per hyper-period",
                             notes: ["stage 1 of 2: the planner then minimises the peak load at this excess"])
    }

    /// The MathProg data section of `instance` for `models/stagger.mod` on
    /// the instance's own step grid (`total_excess` in bits per
    /// hyper-period). Job and link names are written as quoted strings.
    ///
    /// - Throws: ``StaggerError`` for an instance that cannot be put on its grid.
    /// - Complexity: O(Σ_k P_k + jobs × links).
    public static func mathProgData(_ instance: StaggerInstance) throws -> String {
        let grid = try StaggerGrid(instance)
        func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
        func num(_ x: Double) -> String { String(format: "%.17g", x) }
        var s = "data;\nset JOBS :="
        for j in grid.jobs { s += " \(quoted(j.name))" }
        s += ";\nset LINKS :="
        for l in grid.linkNames { s += " \(quoted(l))" }
        s += ";\nparam step := \(num(grid.step));\nparam H := \(grid.hyperSlots);\nparam P :="
        for j in grid.jobs { s += " \(quoted(j.name)) \(j.period)" }
        s += ";\nparam C :="
        for (i, l) in grid.linkNames.enumerated() { s += " \(quoted(l)) \(num(grid.capacities[i]))" }
        s += ";\nset USES :="
        for j in grid.jobs { for l in j.links { s += " (\(quoted(j.name)),\(quoted(grid.linkNames[l])))" } }
        s += ";\nparam r :="
        for j in grid.jobs { for t in j.activeSlots { s += "\n  [\(quoted(j.name)),\(t)] \(num(j.profile[t]))" } }
        s += ";\nend;\n"
        return s
    }
}
