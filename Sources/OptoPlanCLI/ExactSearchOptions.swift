import ArgumentParser
import OptoPlanners

/// The options every planner subcommand shares: how long the exact search
/// may take, which solver runs it, and how its progress is shown.
public struct ExactSearchOptions: ParsableArguments {
    /// Seconds the exact model may take.
    @Option(name: .long, help: "Seconds the exact model may take; auto's heuristics stop at it too (default 30).")
    public var timeLimit: Double = 30

    /// The exact solver (`--solver glpk|cbc`).
    @OptionGroup public var solverOption: SolverOption

    /// `--quiet` and `--verbose`.
    @OptionGroup public var display: SolveDisplayOptions

    /// The defaults: 30 s, GLPK, progress in place on a terminal.
    public init() {}

    public func validate() throws {
        guard timeLimit.isFinite, timeLimit > 0 else {
            throw ValidationError("--time-limit must be a positive number of seconds")
        }
    }

    /// Planning options with the time limit and the chosen solver.
    public func planningOptions() throws -> PlanningOptions {
        var options = PlanningOptions()
        options.timeLimit = timeLimit
        options.solver = try solverOption.make()
        return options
    }
}
