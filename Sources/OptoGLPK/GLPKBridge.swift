// The one file of OptoGLPK that talks to C: every glp_* call, every C
// constant and the 0→1 index shift live here. Nothing in this file is public.
//
// GLPK aborts the process (via its xerror path) on argument errors; this
// file is written so that none of them can be reached from a
// `ValidatedModel` (see Sources/OptoGLPK/README.md, "Fatal paths"):
//   - indices: rows/columns are added in one call each, only when the count
//     is > 0, and indices come from the validated model (0 ≤ j < n, shifted);
//   - glp_load_matrix: (row, column) pairs are distinct because validation
//     merges duplicate terms;
//   - bound types come from `boundType`, which only ever returns the five
//     valid codes, with lb < ub for GLP_DB;
//   - names: only set for export, after `sanitise` (≤ 255 bytes, no control
//     characters), and made unique (the LP and MPS readers key on names);
//   - glp_ios_node_bound is only called with the node glp_ios_best_node
//     returned when that is nonzero; glp_ios_heur_sol only on GLP_IHEUR;
//   - a problem is created and deleted in one synchronous call on one thread.
internal import CGLPK
import Foundation
import OptoModel

// MARK: - Return codes

/// A GLPK solver return code (the `GLP_E…` values of glpk.h).
struct GLPKReturnCode: RawRepresentable, Hashable, Error, CustomStringConvertible {
    let rawValue: Int32
    init(rawValue: Int32) { self.rawValue = rawValue }

    /// 0: the solver finished.
    static let ok = GLPKReturnCode(rawValue: 0)
    /// GLP_EBADB: invalid initial basis.
    static let badBasis = GLPKReturnCode(rawValue: GLP_EBADB)
    /// GLP_ESING: singular basis matrix.
    static let singular = GLPKReturnCode(rawValue: GLP_ESING)
    /// GLP_ECOND: ill-conditioned basis matrix.
    static let illConditioned = GLPKReturnCode(rawValue: GLP_ECOND)
    /// GLP_EBOUND: invalid bounds (a double-bounded variable with lb ≥ ub, fractional integer bounds).
    static let invalidBounds = GLPKReturnCode(rawValue: GLP_EBOUND)
    /// GLP_EFAIL: solver failure (e.g. an empty problem).
    static let failed = GLPKReturnCode(rawValue: GLP_EFAIL)
    /// GLP_EITLIM: iteration limit.
    static let iterationLimit = GLPKReturnCode(rawValue: GLP_EITLIM)
    /// GLP_ETMLIM: time limit.
    static let timeLimit = GLPKReturnCode(rawValue: GLP_ETMLIM)
    /// GLP_ENOPFS: presolver found no primal feasible solution.
    static let noPrimalFeasible = GLPKReturnCode(rawValue: GLP_ENOPFS)
    /// GLP_ENODFS: presolver found no dual feasible solution.
    static let noDualFeasible = GLPKReturnCode(rawValue: GLP_ENODFS)
    /// GLP_EROOT: glp_intopt called without an optimal root LP.
    static let noRootOptimum = GLPKReturnCode(rawValue: GLP_EROOT)
    /// GLP_ESTOP: the callback called glp_ios_terminate.
    static let stopped = GLPKReturnCode(rawValue: GLP_ESTOP)
    /// GLP_EMIPGAP: the relative gap tolerance was reached.
    static let gapReached = GLPKReturnCode(rawValue: GLP_EMIPGAP)
    /// GLP_EINSTAB: numerical instability.
    static let unstable = GLPKReturnCode(rawValue: GLP_EINSTAB)

    private static let table: [Int32: String] = [
        0: "ok", GLP_EBADB: "GLP_EBADB invalid basis", GLP_ESING: "GLP_ESING singular matrix",
        GLP_ECOND: "GLP_ECOND ill-conditioned matrix", GLP_EBOUND: "GLP_EBOUND invalid bounds",
        GLP_EFAIL: "GLP_EFAIL solver failed", GLP_EOBJLL: "GLP_EOBJLL objective lower limit reached",
        GLP_EOBJUL: "GLP_EOBJUL objective upper limit reached", GLP_EITLIM: "GLP_EITLIM iteration limit exceeded",
        GLP_ETMLIM: "GLP_ETMLIM time limit exceeded", GLP_ENOPFS: "GLP_ENOPFS no primal feasible solution",
        GLP_ENODFS: "GLP_ENODFS no dual feasible solution", GLP_EROOT: "GLP_EROOT root LP optimum not provided",
        GLP_ESTOP: "GLP_ESTOP search terminated by application", GLP_EMIPGAP: "GLP_EMIPGAP relative gap tolerance reached",
        GLP_ENOFEAS: "GLP_ENOFEAS no primal/dual feasible solution", GLP_ENOCVG: "GLP_ENOCVG no convergence",
        GLP_EINSTAB: "GLP_EINSTAB numerical instability", GLP_EDATA: "GLP_EDATA invalid data",
        GLP_ERANGE: "GLP_ERANGE result out of range",
    ]

    var description: String { Self.table[rawValue] ?? "GLPK return code \(rawValue)" }

    /// Whether the code means the numerics failed.
    var isNumerical: Bool { [.singular, .illConditioned, .unstable, .badBasis].contains(self) }
}

/// A GLPK solution status (glp_get_status / glp_mip_status).
enum GLPKStatus: Equatable {
    case undefined, feasible, infeasible, noFeasible, optimal, unbounded, other(Int32)
    init(_ raw: Int32) {
        switch raw {
        case GLP_UNDEF: self = .undefined
        case GLP_FEAS: self = .feasible
        case GLP_INFEAS: self = .infeasible
        case GLP_NOFEAS: self = .noFeasible
        case GLP_OPT: self = .optimal
        case GLP_UNBND: self = .unbounded
        default: self = .other(raw)
        }
    }
}

// MARK: - Library-wide facts

enum GLPKLibrary {
    /// GLPK's version string ("5.0").
    static var version: String { String(cString: glp_version()) }

    /// Whether this GLPK keeps one environment per thread (`glp_config("TLS")`).
    /// When it does, problems on different threads are independent.
    static let threadLocalEnvironment: Bool = {
        guard let s = glp_config("TLS") else { return false }
        return String(cString: s) != ""
    }()

    /// Routes this thread's terminal output to `verbose ? stderr : nowhere`,
    /// keeping the last lines for the fatal-error hook. `glp_term_out`,
    /// `glp_term_hook` and `glp_error_hook` are per-thread settings.
    static func silence(verbose: Bool) {
        glp_term_out(GLP_ON)
        glp_term_hook(verbose ? forwardHook : swallowHook, nil)
        glp_error_hook(fatalHook, nil)
    }
}

/// The last lines GLPK printed (all threads), so that a fatal error, which
/// GLPK prints through the terminal hook and then aborts, is not lost.
private final class RecentOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    func append(_ s: String) {
        lock.lock(); defer { lock.unlock() }
        text += s
        if text.utf8.count > 4096 { text = String(text.suffix(2048)) }
    }
    var contents: String { lock.lock(); defer { lock.unlock() }; return text }
}
private let recentOutput = RecentOutput()

private let swallowHook: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> Int32 = { _, s in
    if let s { recentOutput.append(String(cString: s)) }
    return 1
}
private let forwardHook: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> Int32 = { _, s in
    if let s { FileHandle.standardError.write(Data(String(cString: s).utf8)) }
    return 1
}
/// Called by GLPK just before it aborts the process: say why on stderr.
/// (Returning is allowed; GLPK then calls abort().)
private let fatalHook: @convention(c) (UnsafeMutableRawPointer?) -> Void = { _ in
    let lines = recentOutput.contents.split(separator: "\n").suffix(4).joined(separator: "\n")
    FileHandle.standardError.write(Data("OptoGLPK: GLPK is aborting the process. This input should have been rejected by validation; please report it.\n\(lines)\n".utf8))
}

// MARK: - Search callback state

/// State shared with the branch-and-bound callback. Lives on the stack of
/// one solve, on one thread.
final class SearchState {
    let start: Double
    let maximize: Bool
    let progress: (@Sendable (SolveProgress) -> Void)?
    let shouldStop: (@Sendable () -> Bool)?
    /// 1-based heuristic solution for glp_ios_heur_sol (index 0 unused), or nil.
    var heuristic: [Double]?
    var heuristicOutcome: Bool?     // nil: hook never reached; true: accepted
    var bound: Double?
    var nodes = 0
    var lastReport = -1.0
    var stopRequested = false

    init(start: Double, maximize: Bool, progress: (@Sendable (SolveProgress) -> Void)?, shouldStop: (@Sendable () -> Bool)?) {
        self.start = start
        self.maximize = maximize
        self.progress = progress
        self.shouldStop = shouldStop
    }

    /// Keeps the tightest bound seen (bounds only improve during a search).
    func record(bound b: Double) {
        guard b.isFinite else { return }
        if let old = bound { bound = maximize ? min(old, b) : max(old, b) } else { bound = b }
    }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

private let searchCallback: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void = { tree, info in
    guard let tree, let info else { return }
    let state = Unmanaged<SearchState>.fromOpaque(info).takeUnretainedValue()
    let reason = glp_ios_reason(tree)

    let best = glp_ios_best_node(tree)
    if best != 0 { state.record(bound: glp_ios_node_bound(tree, best)) }
    var active: Int32 = 0, current: Int32 = 0, total: Int32 = 0
    glp_ios_tree_size(tree, &active, &current, &total)
    state.nodes = Int(total)

    if reason == GLP_IHEUR, var x = state.heuristic {
        state.heuristic = nil
        let rc = x.withUnsafeMutableBufferPointer { glp_ios_heur_sol(tree, $0.baseAddress) }
        state.heuristicOutcome = rc == 0
    }

    if !state.stopRequested, let stop = state.shouldStop, stop() {
        state.stopRequested = true
        glp_ios_terminate(tree)
    }

    if let progress = state.progress {
        let now = monotonicSeconds() - state.start
        if now - state.lastReport >= 0.2 {
            state.lastReport = now
            let p = glp_ios_get_prob(tree)
            var incumbent: Double?
            if GLPKStatus(glp_mip_status(p)) == .feasible || GLPKStatus(glp_mip_status(p)) == .optimal {
                incumbent = glp_mip_obj_val(p)
            }
            var gap: Double?
            if let i = incumbent, let b = state.bound { gap = SolveResult.gap(objective: i, bound: b) }
            progress(SolveProgress(elapsedSeconds: now, incumbent: incumbent, bestBound: state.bound,
                                   relativeGap: gap, nodeCount: state.nodes))
        }
    }
}

// MARK: - The problem object

/// Owns one `glp_prob`, freed in `deinit`. Must be created, used and
/// released on one thread with no suspension in between (GLPK's
/// environment is per thread; deleting on another thread aborts).
final class GLPKProblem {
    private let prob: OpaquePointer
    let rows: Int
    let columns: Int

    /// Builds the GLPK problem for `model` in one shot: columns, rows, one
    /// glp_load_matrix.
    ///
    /// For export (`forExport`), names are set, and when the objective has a
    /// constant or the model has no rows, one column fixed at 1 carrying the
    /// constant and one row fixing it are appended: GLPK's LP writer drops
    /// the objective constant (it only writes a comment) and writes nothing
    /// for a problem without rows, and MPS readers disagree on the sign of an
    /// objective right-hand side.
    ///
    /// - Complexity: O(variables + constraints + nonzeros).
    init(_ model: ValidatedModel, forExport: Bool = false, negateObjective: Bool = false) {
        prob = glp_create_prob()
        let n = model.variableCount, m = model.constraintCount
        let constantColumn = forExport && (model.objectiveConstant != 0 || m == 0)
        rows = m + (constantColumn ? 1 : 0)
        columns = n + (constantColumn ? 1 : 0)
        let maximize = model.sense == .maximize && !negateObjective
        glp_set_obj_dir(prob, maximize ? GLP_MAX : GLP_MIN)
        let sign: Double = negateObjective ? -1 : 1
        if forExport {
            glp_set_prob_name(prob, model.name.isEmpty ? "optoplan" : sanitise(model.name))
            glp_set_obj_name(prob, "objective")
        }

        if columns > 0 {
            glp_add_cols(prob, Int32(columns))
            for j in 0..<n {
                let c = column(j)
                let (type, lb, ub) = boundType(model.lowerBounds[j], model.upperBounds[j])
                glp_set_col_bnds(prob, c, type, lb, ub)
                if model.kinds[j].isInteger { glp_set_col_kind(prob, c, GLP_IV) }
                let cost = model.objectiveCoefficients[j]
                if cost != 0 { glp_set_obj_coef(prob, c, sign * cost) }
            }
        }
        if rows > 0 {
            glp_add_rows(prob, Int32(rows))
            for r in 0..<m {
                let (type, lb, ub) = boundType(model.rowLower[r], model.rowUpper[r])
                glp_set_row_bnds(prob, row(r), type, lb, ub)
            }
        }
        if constantColumn {
            glp_set_col_bnds(prob, column(n), GLP_FX, 1, 1)
            glp_set_obj_coef(prob, column(n), sign * model.objectiveConstant)
            glp_set_row_bnds(prob, row(m), GLP_FX, 1, 1)
        } else if model.objectiveConstant != 0 {
            glp_set_obj_coef(prob, 0, sign * model.objectiveConstant)
        }
        if forExport {
            let colNames = uniqueNames(model.variableNames + (constantColumn ? ["objective_constant"] : []), prefix: "x")
            for j in 0..<columns { glp_set_col_name(prob, column(j), colNames[j]) }
            let rowNames = uniqueNames(model.constraintNames + (constantColumn ? ["objective_constant_is_1"] : []), prefix: "c")
            for r in 0..<rows { glp_set_row_name(prob, row(r), rowNames[r]) }
        }

        let ne = model.nonzeroCount + (constantColumn ? 1 : 0)
        if ne > 0 {
            // 1-based triplets; slot 0 is ignored by GLPK.
            var ia = [Int32](repeating: 0, count: ne + 1)
            var ja = [Int32](repeating: 0, count: ne + 1)
            var ar = [Double](repeating: 0, count: ne + 1)
            for r in 0..<m {
                let ri = row(r)
                for k in model.rowStart[r]..<model.rowStart[r + 1] {
                    ia[k + 1] = ri
                    ja[k + 1] = column(Int(model.columns[k]))
                    ar[k + 1] = model.coefficients[k]
                }
            }
            if constantColumn { ia[ne] = row(m); ja[ne] = column(n); ar[ne] = 1 }
            ia.withUnsafeBufferPointer { pia in
                ja.withUnsafeBufferPointer { pja in
                    ar.withUnsafeBufferPointer { par in
                        glp_load_matrix(prob, Int32(ne), pia.baseAddress, pja.baseAddress, par.baseAddress)
                    }
                }
            }
        }
    }

    deinit { glp_delete_prob(prob) }

    /// The 0→1 index shift, columns.
    @inline(__always) private func column(_ j: Int) -> Int32 { Int32(j + 1) }
    /// The 0→1 index shift, rows.
    @inline(__always) private func row(_ r: Int) -> Int32 { Int32(r + 1) }

    // MARK: Solving

    /// Runs the simplex method (primal, or with `dual` the dual simplex,
    /// falling back to the primal if it fails). `timeLimit` in seconds (nil: none).
    func simplex(presolve: Bool, timeLimit: Double?, verbose: Bool, dual: Bool = false) -> GLPKReturnCode {
        var parm = glp_smcp()
        glp_init_smcp(&parm)
        parm.msg_lev = verbose ? GLP_MSG_ALL : GLP_MSG_OFF
        if dual { parm.meth = GLP_DUALP }
        parm.presolve = presolve ? GLP_ON : GLP_OFF
        if let t = timeLimit { parm.tm_lim = milliseconds(t) }
        return GLPKReturnCode(rawValue: glp_simplex(prob, &parm))
    }

    /// Runs branch and bound from an optimal LP relaxation. With `presolve`
    /// GLPK's MIP presolver transforms the problem first and the callback
    /// sees the transformed columns (so no heuristic solution may be handed
    /// over then); without it, the callback sees the original columns.
    func branchAndBound(timeLimit: Double?, relativeGap: Double?, cuts: CutOptions, nodeSelection: NodeSelection = .bestLocalBound,
                        presolve: Bool = false, verbose: Bool, state: SearchState) -> GLPKReturnCode {
        var parm = glp_iocp()
        glp_init_iocp(&parm)
        parm.msg_lev = verbose ? GLP_MSG_ALL : GLP_MSG_OFF
        parm.presolve = presolve ? GLP_ON : GLP_OFF
        if let t = timeLimit { parm.tm_lim = milliseconds(t) }
        if let g = relativeGap, g.isFinite, g > 0 { parm.mip_gap = g }
        parm.gmi_cuts = cuts.gomory ? GLP_ON : GLP_OFF
        parm.mir_cuts = cuts.mixedIntegerRounding ? GLP_ON : GLP_OFF
        parm.cov_cuts = cuts.cover ? GLP_ON : GLP_OFF
        parm.clq_cuts = cuts.clique ? GLP_ON : GLP_OFF
        switch nodeSelection {
        case .depthFirst: parm.bt_tech = GLP_BT_DFS
        case .breadthFirst: parm.bt_tech = GLP_BT_BFS
        case .bestLocalBound: parm.bt_tech = GLP_BT_BLB
        case .bestProjection: parm.bt_tech = GLP_BT_BPH
        }
        parm.cb_func = searchCallback
        let unmanaged = Unmanaged.passRetained(state)
        defer { unmanaged.release() }
        parm.cb_info = unmanaged.toOpaque()
        return GLPKReturnCode(rawValue: glp_intopt(prob, &parm))
    }

    private func milliseconds(_ seconds: Double) -> Int32 {
        guard seconds.isFinite, seconds > 0.001 else { return 1 }
        return Int32(min(seconds * 1000, Double(Int32.max)).rounded(.up))
    }

    /// Adds the row `Σ_j c_j·x_j ≥ lower` (or `≤ upper`) over the nonzero
    /// entries of the dense `coefficients`, and makes `objective` (dense,
    /// by column) the objective, in direction `maximize`. The basis stays
    /// valid (the new row's auxiliary variable is basic), so the next
    /// `simplex` without presolve starts from the last one's optimum.
    ///
    /// - Complexity: O(columns).
    func restrictAndReplaceObjective(row coefficients: [Double], lower: Double?, upper: Double?,
                                     objective: [Double], maximize: Bool) {
        var index: [Int32] = [0], value: [Double] = [0]
        for (j, c) in coefficients.enumerated() where c != 0 {
            index.append(column(j))
            value.append(c)
        }
        let r = glp_add_rows(prob, 1)
        if let lower { glp_set_row_bnds(prob, r, GLP_LO, lower, 0) } else if let upper { glp_set_row_bnds(prob, r, GLP_UP, 0, upper) }
        index.withUnsafeBufferPointer { pi in
            value.withUnsafeBufferPointer { pv in
                glp_set_mat_row(prob, r, Int32(index.count - 1), pi.baseAddress, pv.baseAddress)
            }
        }
        glp_set_obj_dir(prob, maximize ? GLP_MAX : GLP_MIN)
        glp_set_obj_coef(prob, 0, 0)
        for j in 0..<columns { glp_set_obj_coef(prob, column(j), j < objective.count ? objective[j] : 0) }
    }

    /// The simplex solution status.
    var lpStatus: GLPKStatus { GLPKStatus(glp_get_status(prob)) }
    /// The simplex primal status.
    var lpPrimalStatus: GLPKStatus { GLPKStatus(glp_get_prim_stat(prob)) }
    /// The simplex objective value.
    var lpObjective: Double { glp_get_obj_val(prob) }
    /// The simplex column values.
    var lpValues: [Double] { (0..<columns).map { glp_get_col_prim(prob, column($0)) } }

    /// The MIP solution status.
    var mipStatus: GLPKStatus { GLPKStatus(glp_mip_status(prob)) }
    /// The MIP objective value.
    var mipObjective: Double { glp_mip_obj_val(prob) }
    /// The MIP column values.
    var mipValues: [Double] { (0..<columns).map { glp_mip_col_val(prob, column($0)) } }

    // MARK: Export

    /// Writes CPLEX LP format. Returns GLPK's code (0 on success).
    func writeLP(to path: String) -> Int32 { glp_write_lp(prob, nil, path) }
    /// Writes free MPS format. Returns GLPK's code (0 on success).
    func writeFreeMPS(to path: String) -> Int32 { glp_write_mps(prob, GLP_MPS_FILE, nil, path) }
}

/// GLPK's bound type for [lower, upper] (validated: no NaN, lower ≤ upper,
/// lower < +∞, upper > −∞). Never returns GLP_DB with lower ≥ upper.
private func boundType(_ lower: Double, _ upper: Double) -> (Int32, Double, Double) {
    switch (lower.isFinite, upper.isFinite) {
    case (false, false): return (GLP_FR, 0, 0)
    case (true, false): return (GLP_LO, lower, 0)
    case (false, true): return (GLP_UP, 0, upper)
    case (true, true): return lower == upper ? (GLP_FX, lower, upper) : (GLP_DB, lower, upper)
    }
}

/// A name GLPK accepts and both LP and MPS readers parse back: at most 240
/// bytes of `[A-Za-z0-9_.]` (anything else becomes `_`), not starting with a
/// digit or a period.
func sanitise(_ name: String) -> String {
    var out = ""
    for u in name.utf8.prefix(240) {
        let c = Character(Unicode.Scalar(u))
        if (u >= 48 && u <= 57) || (u >= 65 && u <= 90) || (u >= 97 && u <= 122) || u == 95 || u == 46 {
            out.append(c)
        } else {
            out.append("_")
        }
    }
    if let f = out.utf8.first, (f >= 48 && f <= 57) || f == 46 { out = "_" + out }
    return out
}

/// Sanitised names made unique: empty ones become `prefix<index>`;
/// a repeated one gets `_<index>` appended.
func uniqueNames(_ names: [String], prefix: String) -> [String] {
    var seen = Set<String>()
    seen.reserveCapacity(names.count)
    var out = [String]()
    out.reserveCapacity(names.count)
    for (i, raw) in names.enumerated() {
        var n = raw.isEmpty ? "\(prefix)\(i)" : sanitise(raw)
        if seen.contains(n) { n = "\(n)_\(i)" }
        while seen.contains(n) { n += "_" }
        seen.insert(n)
        out.append(n)
    }
    return out
}
