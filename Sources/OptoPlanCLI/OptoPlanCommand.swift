import ArgumentParser

/// The `optoplan` command: one subcommand per planner, plus evaluation,
/// validation, comparison, batch runs and model export.
public struct OptoPlanCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "optoplan",
        abstract: "Plan optical circuit switches beside electrical packet fabrics.",
        discussion: """
        Every subcommand has --help with an example. Exit status: 0 success; \
        1 the problem has no feasible plan; 64 bad arguments; 65 bad input \
        data (the message names the file and the place in it); 130 a second \
        Ctrl-C during an exact search. No partial output file is left behind.

        Example:
          optoplan linkpool datasets/linkpool/two-racks-8to1.json -o pool.plan.json
          optoplan evaluate datasets/linkpool/two-racks-8to1.json pool.plan.json
        """,
        version: OptoPlanVersion.string,
        subcommands: [
            ScheduleCommand.self,
            LinkPoolCommand.self,
            EvaluateCommand.self,
            StaggerCommand.self,
            CollectiveCommand.self,
            ValidateCommand.self,
            GenCommand.self,
            PredictCommand.self,
            ReplayCommand.self,
            CompareCommand.self,
            SweepCommand.self,
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
