import Foundation
import OptoModel

/// A file format a model can be written in.
public enum ModelFileFormat: String, Sendable, CaseIterable {
    /// CPLEX LP format (keeps the objective sense).
    case cplexLP = "lp"
    /// Free MPS format. MPS has no objective sense in GLPK's dialect, so a
    /// maximisation is written as the minimisation of the negated objective,
    /// and the file's first line is a comment that says so.
    case freeMPS = "mps"
}

/// Why a model could not be written.
public enum ModelExportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// GLPK's writer failed (the path is not writable, the disk is full…).
    case writeFailed(path: String, code: Int32)
    /// The file was written but could not be reopened to add the sense comment.
    case postProcessFailed(path: String, reason: String)

    /// A short human-readable form.
    public var description: String {
        switch self {
        case .writeFailed(let p, let c): return "could not write \(p) (GLPK writer returned \(c))"
        case .postProcessFailed(let p, let r): return "could not finish \(p): \(r)"
        }
    }
}

extension GLPKSolver {
    /// The comment line that opens a free-MPS file written from a maximisation.
    public static let negatedObjectiveComment = "* OptoPlan: maximisation written as minimisation of the negated objective"

    /// Writes `model` to `path` with GLPK's writers, so that another solver
    /// (or `glpsol --lp FILE` / `glpsol --freemps FILE`) can solve it.
    ///
    /// Names are debug labels in the model; in the file they are made
    /// acceptable to LP and MPS readers (`[A-Za-z0-9_.]`, at most 240 bytes,
    /// not starting with a digit or a period) and unique (an empty name
    /// becomes `x<index>` / `c<index>`, a repeated one gets `_<index>`).
    /// When the objective has a constant term (or the model has no rows), the
    /// file carries it as a column `objective_constant` fixed at 1 by a row
    /// `objective_constant_is_1`: GLPK's LP writer would drop the constant,
    /// and MPS readers disagree on the sign of an objective right-hand side.
    ///
    /// - Throws: ``ModelExportError``.
    /// - Complexity: O(variables + constraints + nonzeros).
    public static func write(_ model: ValidatedModel, as format: ModelFileFormat, to path: String) throws(ModelExportError) {
        let negate = format == .freeMPS && model.sense == .maximize
        let code: Int32 = withGLPK {
            GLPKLibrary.silence(verbose: false)
            let problem = GLPKProblem(model, forExport: true, negateObjective: negate)
            switch format {
            case .cplexLP: return problem.writeLP(to: path)
            case .freeMPS: return problem.writeFreeMPS(to: path)
            }
        }
        guard code == 0 else { throw .writeFailed(path: path, code: code) }
        if negate {
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                try (negatedObjectiveComment + "\n" + text).write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw .postProcessFailed(path: path, reason: "\(error)")
            }
        }
    }

    /// Seconds taken to load `model` into a GLPK problem object (columns,
    /// rows, one `glp_load_matrix`), without solving (freeing it is not timed).
    /// For benchmarks.
    ///
    /// - Complexity: O(variables + constraints + nonzeros).
    public static func loadSeconds(_ model: ValidatedModel) -> Double {
        withGLPK {
            let start = monotonicSeconds()
            let problem = GLPKProblem(model)
            _ = problem.rows
            return monotonicSeconds() - start
        }
    }
}

/// Runs `body` under the serialising lock when GLPK has no per-thread environment.
func withGLPK<T>(_ body: () -> T) -> T {
    if GLPKLibrary.threadLocalEnvironment { return body() }
    serialLock.lock()
    defer { serialLock.unlock() }
    return body()
}
