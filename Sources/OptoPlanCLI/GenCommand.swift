import ArgumentParser
import Foundation
import OptoCore
import OptoTraffic

/// `optoplan gen SPEC`: turns training jobs into an instance.
public struct GenCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "gen",
        abstract: "Generate an instance (schedule, linkpool, stagger or collective) from a description of training jobs.",
        discussion: """
        SPEC is a JSON file: {"generate": "schedule"|"linkpool"|"stagger", the fabric (schedule, linkpool) \
        or "step" and "links" (stagger), and "jobs": [{"name", "nodes", "ranksPerNode", "pattern": \
        "allreduce"|"alltoall"|"pipeline", "gradient" | "bytesPerRank"+"rounds" | "activation"+"microbatches", \
        "compute", "rate", "links"}]}. "model": "vgg16"|"resnet50"|"bert-large"|"gpt2" fills an all-reduce \
        with published gradient sizes and compute times (datasets/README.md). "generate": "collective" \
        takes the fabric with "maxHops" and jobs {"name", "nodes" (one rank per node), "tensor", \
        "pipeline", "gradient" | "model", "expert"+"bytesPerRank"+"rounds", "tensorBytes", \
        "activation"+"microbatches"} and writes data-parallel allreduces, expert-parallel alltoalls, \
        tensor-parallel allreduces and pipeline neighbours' alltoalls (docs/collective.md). A per-job \
        summary goes to standard error.

        Example:
          optoplan gen datasets/stagger/specs/vgg16-x3.json --output vgg16-x3.json
        """
    )

    @Argument(help: "The job specification (JSON).")
    public var spec: String

    @Option(name: .shortAndLong, help: "Write the instance here (atomically) instead of standard output.")
    public var output: String?

    public init() {}

    public func run() throws {
        let spec: JobSpec
        do {
            let (s, notes) = try JobSpec.read(contentsOf: CLIFiles.userURL(self.spec))
            notes.forEach { StandardError.print("note: \($0)") }
            spec = s
        } catch {
            StandardError.print("error: \(error)")
            throw ExitStatus.badInput
        }
        for job in spec.jobs {
            let share = job.iterationTime > 0 ? job.communicationTime / job.iterationTime : 0
            StandardError.print("\(job.name): \(Quantity.format(job.fabricBytes, as: .volume)) per iteration across the fabric, "
                + "compute \(Quantity.format(job.computeTime, as: .time)), communication \(Quantity.format(job.communicationTime, as: .time)) "
                + "at \(Quantity.format(job.rate, as: .rate)) (\(Int((share * 100).rounded())) % of the iteration)")
        }
        if case .collective(_, _, let layouts) = spec.output {
            for job in layouts {
                let cs = job.collectives()
                let sent = cs.reduce(0.0) { $0 + $1.bytesSentPerRank * Double($1.group.count) }
                StandardError.print("\(job.name): data \(job.data) × tensor \(job.tensor) × pipeline \(job.pipeline), "
                    + "\(cs.filter { $0.kind == .allreduce }.count) allreduces and \(cs.filter { $0.kind == .alltoall }.count) alltoalls, "
                    + "\(Quantity.format(sent, as: .volume)) per iteration across the fabric")
            }
        }
        let instance = spec.instance()
        // What is generated must itself be a valid instance (for instance a
        // stagger hyper-period within the limit).
        let check = InstanceReader.check(json: InstanceWriter.json(instance), file: output ?? "generated instance", baseDirectory: nil)
        if !check.errors.isEmpty {
            check.errors.forEach { StandardError.print("error: the generated instance is not valid: \($0)") }
            throw ExitStatus.badInput
        }
        try CLIFiles.saveInstance(instance, to: output)
    }
}
