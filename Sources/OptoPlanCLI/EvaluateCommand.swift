import ArgumentParser
import Foundation
import OptoCore
import OptoEval

/// `optoplan evaluate INSTANCE PLAN [--actual INSTANCE2] [--iterations N]`:
/// scores a plan with the flow-level evaluator and prints the metrics JSON
/// (FORMATS.md `evaluate`) on standard output.
public struct EvaluateCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a plan with the flow-level evaluator and print its metrics as JSON.",
        discussion: """
        The plan runs on the instance's fabric and timing (window, epochs). With --actual, the \
        traffic comes from that instance instead (same problem, same node count): a plan made \
        on a prediction, scored on what happened. Stagger plans run their jobs dynamically for \
        --iterations iterations each. Exit status 65 on bad input (the message names the file).

        Example:
          optoplan evaluate datasets/linkpool/two-racks-8to1.json pool.plan.json
        """
    )

    @Argument(help: "The instance the plan was made for (JSON).")
    public var instance: String

    @Argument(help: "The plan to score (JSON).")
    public var plan: String

    @Option(help: "Other traffic to score the plan on (an instance file of the same problem).")
    public var actual: String?

    @Option(help: "Iterations measured per job (stagger plans).")
    public var iterations: Int = 20

    public init() {}

    public func validate() throws {
        if iterations < 1 { throw ValidationError("--iterations must be at least 1") }
    }

    public func run() throws {
        print(try metricsText())
    }

    /// The metrics JSON `run()` prints (sorted keys, pretty-printed).
    /// - Throws: exit status 65 (with the message on standard error) on bad input.
    public func metricsText() throws -> String {
        let instanceValue = try CLIFiles.loadInstance(instance)
        let planValue = try CLIFiles.loadPlan(plan)
        guard planValue.problem == instanceValue.problem else {
            StandardError.print("error: \(plan): a \(planValue.problem.rawValue) plan cannot be scored on the \(instanceValue.problem.rawValue) instance \(instance)")
            throw ExitStatus.badInput
        }
        var actualValue: Instance?
        if let actual {
            actualValue = try CLIFiles.loadInstance(actual, expecting: instanceValue.problem)
        }
        let metrics: EvaluationMetrics
        do {
            metrics = try Evaluator.evaluate(planValue, on: instanceValue, actual: actualValue, iterations: iterations)
        } catch let error as EvaluationError {
            let file: String
            switch error {
            case .invalidPlan, .mismatch: file = plan
            case .invalidTraffic, .noProgress: file = actual ?? instance
            case .invalidOption: file = "--iterations"
            }
            StandardError.print("error: \(file): \(error)")
            throw ExitStatus.badInput
        }
        metrics.notes?.forEach { StandardError.print("note: \($0)") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(metrics)
        return String(decoding: data, as: UTF8.self)
    }
}
