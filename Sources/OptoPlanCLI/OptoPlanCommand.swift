import ArgumentParser

/// The `optoplan` command: one subcommand per planner, plus evaluation,
/// validation, comparison, batch runs and model export.
public struct OptoPlanCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "optoplan",
        abstract: "Plan optical circuit switches beside electrical packet fabrics.",
        version: OptoPlanVersion.string,
        subcommands: [
            ScheduleCommand.self,
            LinkPoolCommand.self,
            EvaluateCommand.self,
            StaggerCommand.self,
            ValidateCommand.self,
            GenCommand.self,
            PredictCommand.self,
            CompareCommand.self,
            BatchCommand.self,
            ExportCommand.self,
            ReportCommand.self,
        ]
    )

    public init() {}
}

/// The version printed by `optoplan --version`.
public enum OptoPlanVersion {
    public static let string = "0.1.0"
}
