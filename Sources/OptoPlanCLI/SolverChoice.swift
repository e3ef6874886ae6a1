import ArgumentParser
import OptoCBC
import OptoGLPK
import OptoModel

/// The exact-solver backends a planner command can use (`--solver`).
public enum SolverChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// GLPK: always available (a required dependency).
    case glpk
    /// CBC: used when libCbcSolver (CBC 2.10) is installed; see README "Getting CBC".
    case cbc

    /// The backend, or a clear message (exit status 64) when it is not installed.
    ///
    /// - Throws: ``ExitStatus/badArguments`` after printing why CBC is unavailable.
    public func makeSolver() throws(ExitCode) -> any Solver {
        switch self {
        case .glpk:
            return GLPKSolver()
        case .cbc:
            if let why = CBCSolver.unavailableReason {
                StandardError.print("error: --solver cbc: \(why)")
                throw ExitStatus.badArguments
            }
            return CBCSolver()
        }
    }
}

/// `--solver glpk|cbc`, shared by every planner command through `@OptionGroup`.
public struct SolverOption: ParsableArguments {
    /// The chosen backend (default GLPK).
    @Option(name: .long, help: "Exact solver: glpk (default) or cbc (needs CBC 2.10's libCbcSolver installed).")
    public var solver: SolverChoice = .glpk

    /// GLPK.
    public init() {}

    /// The chosen backend (see ``SolverChoice/makeSolver()``).
    public func make() throws(ExitCode) -> any Solver { try solver.makeSolver() }
}
