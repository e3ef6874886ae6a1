// The one file of OptoCBC that talks to C: the library is opened with
// dlopen, every Cbc_* entry point is looked up by name into a table of
// hand-declared C function types, and every call goes through it. Nothing
// in this file is public.
//
// Why dlopen and not a system-library module: OptoPlan must build on a
// machine without CBC (GLPK is the only required solver). SwiftPM cannot
// compile a target only when a header exists, and a package trait would
// make "is CBC in this binary" a build-time choice CI and users must repeat
// on every command. With dlopen the package always builds, no CBC header is
// needed, and the same binary uses CBC wherever libCbcSolver is installed.
//
// The declarations below follow CBC 2.10's Cbc_C_Interface.h
// (coinor-libcbc-dev 2.10.8): every argument is an int, a double, a char
// or a pointer; CoinBigIndex is int (COIN_BIG_INDEX 0 in CoinTypes.hpp).
// `CBCLibrary.load` checks the version string starts with "2.10" before
// using the table, since a different major version may change signatures.
//
// What CBC 2.10's C interface cannot do (see CBCSolver's documentation):
// it has no call to stop a running search and no progress callback (only a
// message callback for log lines, which are not produced at log level 0).
import Foundation
import OptoModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An opaque `Cbc_Model *`.
typealias CbcModelPointer = OpaquePointer

/// The entry points of libCbcSolver used by the backend, resolved once.
struct CBCFunctions: @unchecked Sendable {
    /// The library's version string ("2.10.8").
    var version = ""
    let getVersion: @convention(c) () -> UnsafePointer<CChar>?
    let newModel: @convention(c) () -> CbcModelPointer?
    let deleteModel: @convention(c) (CbcModelPointer?) -> Void
    // (model, numcols, numrows, start, index, value, collb, colub, obj, rowlb, rowub); column-major.
    let loadProblem: @convention(c) (CbcModelPointer?, Int32, Int32, UnsafePointer<Int32>?, UnsafePointer<Int32>?,
                                     UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafePointer<Double>?,
                                     UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafePointer<Double>?) -> Void
    let setInteger: @convention(c) (CbcModelPointer?, Int32) -> Void
    let setObjSense: @convention(c) (CbcModelPointer?, Double) -> Void
    let setLogLevel: @convention(c) (CbcModelPointer?, Int32) -> Void
    let setMaximumSeconds: @convention(c) (CbcModelPointer?, Double) -> Void
    let setAllowableFractionGap: @convention(c) (CbcModelPointer?, Double) -> Void
    let setParameter: @convention(c) (CbcModelPointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void
    let setMIPStartI: @convention(c) (CbcModelPointer?, Int32, UnsafePointer<Int32>?, UnsafePointer<Double>?) -> Void
    let solve: @convention(c) (CbcModelPointer?) -> Int32
    let status: @convention(c) (CbcModelPointer?) -> Int32
    let secondaryStatus: @convention(c) (CbcModelPointer?) -> Int32
    let isProvenOptimal: @convention(c) (CbcModelPointer?) -> Int32
    let isProvenInfeasible: @convention(c) (CbcModelPointer?) -> Int32
    let isContinuousUnbounded: @convention(c) (CbcModelPointer?) -> Int32
    let isAbandoned: @convention(c) (CbcModelPointer?) -> Int32
    let isSecondsLimitReached: @convention(c) (CbcModelPointer?) -> Int32
    let getNumCols: @convention(c) (CbcModelPointer?) -> Int32
    let getObjValue: @convention(c) (CbcModelPointer?) -> Double
    let getBestPossibleObjValue: @convention(c) (CbcModelPointer?) -> Double
    let getColSolution: @convention(c) (CbcModelPointer?) -> UnsafePointer<Double>?
    let bestSolution: @convention(c) (CbcModelPointer?) -> UnsafeMutablePointer<Double>?
    let getNodeCount: @convention(c) (CbcModelPointer?) -> Int32
}

/// The shared library, opened at most once per process.
enum CBCLibrary {
    /// The names tried, in order: the Debian runtime package's soname, then
    /// the development link. The environment variable `OPTOPLAN_CBC_LIBRARY`
    /// replaces the list with one path (a CBC installed elsewhere; a
    /// missing path makes CBC unavailable, which tests use).
    static var candidates: [String] {
        if let path = ProcessInfo.processInfo.environment["OPTOPLAN_CBC_LIBRARY"], !path.isEmpty { return [path] }
        return ["libCbcSolver.so.3", "libCbcSolver.so", "libCbcSolver.dylib", "libCbcSolver.3.dylib"]
    }

    /// The resolved table, or why there is none.
    static let loaded: Result<CBCFunctions, CBCUnavailable> = load()

    /// Serialises every CBC call: CBC 2.10's `Cbc_solve` runs its
    /// command-line driver (CbcMain1), which keeps process-wide state.
    static let lock = NSLock()

    private static func load() -> Result<CBCFunctions, CBCUnavailable> {
        var handle: UnsafeMutableRawPointer?
        var errors: [String] = []
        for name in candidates {
            if let h = dlopen(name, RTLD_NOW | RTLD_LOCAL) { handle = h; break }
            if let e = dlerror() { errors.append(String(cString: e)) }
        }
        guard let handle else {
            return .failure(CBCUnavailable(reason: "libCbcSolver was not found (\(errors.first ?? "dlopen failed")); "
                + "install CBC, e.g. `apt-get install coinor-libcbc3` (Debian/Ubuntu) or `brew install cbc` (macOS)"))
        }
        var missing: [String] = []
        func sym<T>(_ name: String, _: T.Type) -> T? {
            guard let p = dlsym(handle, name) else { missing.append(name); return nil }
            return unsafeBitCast(p, to: T.self)
        }
        typealias M = CbcModelPointer?
        let f = (
            sym("Cbc_getVersion", (@convention(c) () -> UnsafePointer<CChar>?).self),
            sym("Cbc_newModel", (@convention(c) () -> CbcModelPointer?).self),
            sym("Cbc_deleteModel", (@convention(c) (M) -> Void).self),
            sym("Cbc_loadProblem", (@convention(c) (M, Int32, Int32, UnsafePointer<Int32>?, UnsafePointer<Int32>?,
                                                    UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafePointer<Double>?,
                                                    UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafePointer<Double>?) -> Void).self),
            sym("Cbc_setInteger", (@convention(c) (M, Int32) -> Void).self),
            sym("Cbc_setObjSense", (@convention(c) (M, Double) -> Void).self),
            sym("Cbc_setLogLevel", (@convention(c) (M, Int32) -> Void).self),
            sym("Cbc_setMaximumSeconds", (@convention(c) (M, Double) -> Void).self),
            sym("Cbc_setAllowableFractionGap", (@convention(c) (M, Double) -> Void).self),
            sym("Cbc_setParameter", (@convention(c) (M, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void).self),
            sym("Cbc_setMIPStartI", (@convention(c) (M, Int32, UnsafePointer<Int32>?, UnsafePointer<Double>?) -> Void).self)
        )
        let g = (
            sym("Cbc_solve", (@convention(c) (M) -> Int32).self),
            sym("Cbc_status", (@convention(c) (M) -> Int32).self),
            sym("Cbc_secondaryStatus", (@convention(c) (M) -> Int32).self),
            sym("Cbc_isProvenOptimal", (@convention(c) (M) -> Int32).self),
            sym("Cbc_isProvenInfeasible", (@convention(c) (M) -> Int32).self),
            sym("Cbc_isContinuousUnbounded", (@convention(c) (M) -> Int32).self),
            sym("Cbc_isAbandoned", (@convention(c) (M) -> Int32).self),
            sym("Cbc_isSecondsLimitReached", (@convention(c) (M) -> Int32).self),
            sym("Cbc_getNumCols", (@convention(c) (M) -> Int32).self),
            sym("Cbc_getObjValue", (@convention(c) (M) -> Double).self),
            sym("Cbc_getBestPossibleObjValue", (@convention(c) (M) -> Double).self),
            sym("Cbc_getColSolution", (@convention(c) (M) -> UnsafePointer<Double>?).self),
            sym("Cbc_bestSolution", (@convention(c) (M) -> UnsafeMutablePointer<Double>?).self),
            sym("Cbc_getNodeCount", (@convention(c) (M) -> Int32).self)
        )
        guard missing.isEmpty,
              let getVersion = f.0, let newModel = f.1, let deleteModel = f.2, let loadProblem = f.3, let setInteger = f.4,
              let setObjSense = f.5, let setLogLevel = f.6, let setMaximumSeconds = f.7, let setGap = f.8,
              let setParameter = f.9, let setMIPStartI = f.10,
              let solve = g.0, let status = g.1, let secondary = g.2, let optimal = g.3, let infeasible = g.4,
              let unbounded = g.5, let abandoned = g.6, let seconds = g.7, let numCols = g.8, let objValue = g.9,
              let bestPossible = g.10, let colSolution = g.11, let bestSolution = g.12, let nodeCount = g.13
        else {
            dlclose(handle)
            return .failure(CBCUnavailable(reason: "libCbcSolver lacks \(missing.joined(separator: ", ")) (CBC 2.10 is required)"))
        }
        let version = getVersion().map { String(cString: $0) } ?? "?"
        guard version.hasPrefix("2.10") else {
            dlclose(handle)
            return .failure(CBCUnavailable(reason: "libCbcSolver \(version) found; this backend is declared against CBC 2.10's C interface"))
        }
        var table = CBCFunctions(
            getVersion: getVersion, newModel: newModel, deleteModel: deleteModel, loadProblem: loadProblem,
            setInteger: setInteger, setObjSense: setObjSense, setLogLevel: setLogLevel,
            setMaximumSeconds: setMaximumSeconds, setAllowableFractionGap: setGap, setParameter: setParameter,
            setMIPStartI: setMIPStartI, solve: solve, status: status, secondaryStatus: secondary,
            isProvenOptimal: optimal, isProvenInfeasible: infeasible, isContinuousUnbounded: unbounded,
            isAbandoned: abandoned, isSecondsLimitReached: seconds, getNumCols: numCols, getObjValue: objValue,
            getBestPossibleObjValue: bestPossible, getColSolution: colSolution, bestSolution: bestSolution,
            getNodeCount: nodeCount)
        table.version = version
        return .success(table)
    }
}

/// CBC's infinity (COIN_DBL_MAX): what it reads as "no bound".
let cbcInfinity = Double.greatestFiniteMagnitude

/// A `Cbc_Model` loaded with a validated model; freed in `deinit`.
/// Used only while `CBCLibrary.lock` is held.
final class CBCProblem {
    let f: CBCFunctions
    let model: CbcModelPointer
    let columns: Int

    /// Loads `m` (which has at least one variable) in one `Cbc_loadProblem`
    /// call: the validated rows (CSR) are transposed to CBC's column-major form.
    /// With `feasibilityOnly` the objective is zero (used to tell an
    /// infeasible LP from an unbounded one, which CBC reports alike).
    ///
    /// - Complexity: O(variables + constraints + nonzeros).
    init?(_ f: CBCFunctions, _ m: ValidatedModel, feasibilityOnly: Bool = false) {
        guard let p = f.newModel() else { return nil }
        self.f = f
        self.model = p
        self.columns = m.variableCount
        let n = m.variableCount, rows = m.constraintCount, nnz = m.nonzeroCount
        var start = [Int32](repeating: 0, count: n + 1)
        for j in m.columns { start[Int(j) + 1] += 1 }
        for j in 0..<n { start[j + 1] += start[j] }
        var next = start
        var index = [Int32](repeating: 0, count: max(nnz, 1))
        var value = [Double](repeating: 0, count: max(nnz, 1))
        for r in 0..<rows {
            for k in m.rowStart[r]..<m.rowStart[r + 1] {
                let j = Int(m.columns[k])
                let at = Int(next[j])
                index[at] = Int32(r)
                value[at] = m.coefficients[k]
                next[j] += 1
            }
        }
        func clamp(_ x: Double) -> Double { x.isInfinite ? (x > 0 ? cbcInfinity : -cbcInfinity) : x }
        let collb = m.lowerBounds.map(clamp), colub = m.upperBounds.map(clamp)
        let rowlb = m.rowLower.map(clamp), rowub = m.rowUpper.map(clamp)
        let objective = feasibilityOnly ? [Double](repeating: 0, count: n) : m.objectiveCoefficients
        f.loadProblem(p, Int32(n), Int32(rows), start, index, value, collb, colub, objective,
                      rows > 0 ? rowlb : nil, rows > 0 ? rowub : nil)
        for j in 0..<n where m.kinds[j].isInteger { f.setInteger(p, Int32(j)) }
        f.setObjSense(p, m.sense == .maximize ? -1 : 1)
    }

    deinit { f.deleteModel(model) }

    /// Sets a command-line parameter of CBC's driver (e.g. "timeMode", "elapsed").
    func parameter(_ name: String, _ value: String) { f.setParameter(model, name, value) }

    /// Log level 0 prints nothing; 1 prints CBC's usual log on standard output.
    func logLevel(_ level: Int) { f.setLogLevel(model, Int32(level)) }

    /// A wall-clock limit (CBC counts CPU time unless told "timeMode elapsed").
    func timeLimit(_ seconds: Double) {
        parameter("timeMode", "elapsed")
        f.setMaximumSeconds(model, seconds)
    }

    /// Stop once |incumbent − bound| / |incumbent| ≤ gap.
    func relativeGap(_ gap: Double) { f.setAllowableFractionGap(model, gap) }

    /// Hands a full assignment to CBC as its MIP start.
    func mipStart(_ values: [Double]) {
        let idx = (0..<values.count).map { Int32($0) }
        f.setMIPStartI(model, Int32(values.count), idx, values)
    }

    /// Runs `Cbc_solve`; returns its code.
    func solve() -> Int32 { f.solve(model) }

    /// `Cbc_status`: -1 not run, 0 finished, 1 stopped on a limit, 2 abandoned (numerics), 5 user event.
    var status: Int32 { f.status(model) }
    /// `Cbc_secondaryStatus`: 0 completed with a solution, 1 relaxation infeasible, 2 gap, 3 nodes,
    /// 4 time, 5 user event, 6 solutions, 7 relaxation unbounded, 8 iterations.
    var secondaryStatus: Int32 { f.secondaryStatus(model) }
    var provenOptimal: Bool { f.isProvenOptimal(model) != 0 }
    var provenInfeasible: Bool { f.isProvenInfeasible(model) != 0 }
    var continuousUnbounded: Bool { f.isContinuousUnbounded(model) != 0 }
    var abandoned: Bool { f.isAbandoned(model) != 0 }
    var secondsLimitReached: Bool { f.isSecondsLimitReached(model) != 0 }
    /// The objective of the best solution, in the model's sense (without the constant).
    var objective: Double { f.getObjValue(model) }
    /// CBC's best possible objective, in the model's sense (without the constant).
    var bestPossible: Double { f.getBestPossibleObjValue(model) }
    var nodes: Int { Int(f.getNodeCount(model)) }

    /// The best integer solution of a MIP (nil when CBC found none).
    var bestSolution: [Double]? {
        guard let p = f.bestSolution(model) else { return nil }
        return Array(UnsafeBufferPointer(start: p, count: columns))
    }

    /// The column solution (an LP's primal point).
    var columnSolution: [Double]? {
        guard Int(f.getNumCols(model)) == columns, let p = f.getColSolution(model) else { return nil }
        return Array(UnsafeBufferPointer(start: p, count: columns))
    }
}

/// Monotonic wall-clock seconds.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
