import Foundation
import Testing
import OptoModel
import OptoGLPK

/// Runs `body` with file descriptors 1 and 2 redirected to a file; returns what was written.
func capturingStandardStreams(_ body: () throws -> Void) rethrows -> String {
    let path = temporaryPath("streams.txt")
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: path) }
    fflush(nil)
    let saved1 = dup(1), saved2 = dup(2)
    let fd = open(path, O_WRONLY)
    dup2(fd, 1); dup2(fd, 2)
    defer {
        fflush(nil)
        dup2(saved1, 1); dup2(saved2, 2)
        close(fd); close(saved1); close(saved2)
    }
    try body()
    fflush(nil)
    return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
}

/// Redirecting the process-wide descriptors also swallows the test runner's own
/// lines for those few milliseconds; the window is kept to a few solves.
@Suite("GLPK prints nothing", .serialized)
struct SilenceTests {
    /// Phrases from GLPK's own log (the test runner's lines never contain them).
    static let glpkPhrases = ["GLPK Simplex Optimizer", "GLPK Integer Optimizer", "OPTIMAL LP SOLUTION FOUND",
                              "INTEGER OPTIMAL SOLUTION FOUND", "Writing problem data"]

    @Test("solves and exports print nothing; verbose forwards GLPK's log (so the capture works)")
    func silence() throws {
        let m = ConformanceCase.milpKnapsack.makeModel().0
        let quiet = try capturingStandardStreams {
            _ = try GLPKSolver().solve(m, options: SolverOptions(presolve: true))
            _ = try GLPKSolver().solve(m, options: SolverOptions(presolve: false))
            let path = temporaryPath("quiet.lp")
            try GLPKSolver.write(try m.validated(), as: .cplexLP, to: path)
            try? FileManager.default.removeItem(atPath: path)
        }
        for phrase in Self.glpkPhrases { #expect(!quiet.contains(phrase), "GLPK printed: \(quiet)") }
        let loud = try capturingStandardStreams {
            _ = try GLPKSolver().solve(m, options: SolverOptions(presolve: false, verbose: true))
        }
        #expect(loud.contains("GLPK Simplex Optimizer") || loud.contains("GLPK Integer Optimizer"), "verbose output missing: \(loud)")
    }
}
