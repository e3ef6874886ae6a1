import OptoCore
import OptoModel
import OptoPlanners
import OptoTraffic

/// How a replay step hedges against forecast error (PROBLEMS.md §5).
public enum Hedging: Sendable, Equatable, CustomStringConvertible {
    /// Plan on the point forecast.
    case none
    /// Plan on the per-pair `q`-quantile of forecast plus training residual.
    case quantile(Double)
    /// Plan on `count` matrices per epoch drawn from the training residuals
    /// (seeded), maximising the mean served bytes.
    case scenarios(count: Int, seed: UInt64)

    public var description: String {
        switch self {
        case .none: "none"
        case .quantile(let q): "quantile \(JSONValue.numberText(q))"
        case .scenarios(let k, let seed): "\(k) scenarios (seed \(seed))"
        }
    }
}

/// What a replay is run with.
public struct ReplayConfiguration: Sendable {
    /// The fabric and `δ`.
    public var fabric: Fabric
    /// Duration of every epoch, seconds.
    public var epochDuration: Double
    /// Fraction of the trace held back and replayed (at the end).
    public var holdout: Double
    /// `H`, epochs forecast and planned at each step.
    public var horizon: Int
    /// `auto`, `last`, `ewma`, `seasonal`, `shape`.
    public var predictor: String
    /// Hedging of each step.
    public var hedging: Hedging
    /// The planner's method for each step (default `auto`).
    public var method: ScheduleMethod
    /// Wall-clock limit of one step's plan, seconds.
    public var stepTimeLimit: Double
    /// Wall-clock limit of each reference plan (perfect foresight, static), seconds.
    public var referenceTimeLimit: Double
    /// The exact solver (nil: `auto` returns its heuristic plans). With
    /// `maxHops` 2 it also routes the transit, so it is then required.
    public var solver: (any Solver)?
    /// `fabric.maxHops`: 1 (every byte crosses at most one circuit) or 2
    /// (each kept epoch also routes transit over two circuits, PROBLEMS.md
    /// §1b "With transit"; see ``ReplayRunner``).
    public var maxHops: Int
    /// A reference, not a way to operate: every step is given the actual
    /// matrices of its `H` epochs as its forecast (epochs past the trace's
    /// end: the last one repeated): what a perfect forecast gives the loop,
    /// which then loses only by planning `H` epochs at a time and keeping
    /// one, and by planning heuristically on large fabrics. A yardstick, not
    /// a bound: a wrong forecast can happen to serve more.
    public var exactForecast = false

    /// The default per-step limit: 2 s, so the 500-epoch pod replay fits in
    /// its budget even when every step's exact model runs to the limit.
    public static let defaultStepTimeLimit = 2.0

    /// A configuration; see the properties.
    public init(fabric: Fabric, epochDuration: Double = 1, holdout: Double = 0.2, horizon: Int = 4, predictor: String = "auto",
                hedging: Hedging = .none, method: ScheduleMethod = .auto, stepTimeLimit: Double = defaultStepTimeLimit,
                referenceTimeLimit: Double = 30, solver: (any Solver)? = nil, maxHops: Int = 1) {
        self.fabric = fabric
        self.epochDuration = epochDuration
        self.holdout = holdout
        self.horizon = horizon
        self.predictor = predictor
        self.hedging = hedging
        self.method = method
        self.stepTimeLimit = stepTimeLimit
        self.referenceTimeLimit = referenceTimeLimit
        self.solver = solver
        self.maxHops = maxHops
    }

    /// The settings that decide the kept plans (a resumed run must match them).
    public var fingerprint: String {
        "fabric=\(fabric) epoch=\(epochDuration) holdout=\(holdout) horizon=\(horizon) predictor=\(predictor) "
            + "hedging=\(hedging) method=\(method.rawValue) stepLimit=\(stepTimeLimit)"
            + (exactForecast ? " exactForecast" : "") + (maxHops == 1 ? "" : " maxHops=\(maxHops)")
    }
}

/// One replayed epoch, scored on the actual matrix.
public struct ReplayEpoch: Sendable, Equatable {
    /// The epoch's index in the trace.
    public var epoch: Int
    /// Bytes served in the epoch (evaluator, backlog carried).
    public var servedBytes: Double
    /// Bytes left at the end of the epoch.
    public var backlogBytes: Double
    /// New circuits set up at its start.
    public var circuitsChanged: Int
    /// NMAE of the point forecast of this epoch, `Σ|F − D| / Σ D`.
    public var forecastError: Double
    /// The step plan's method (e.g. `auto:ilp`).
    public var method: String
    /// CPU seconds of the step (forecast, plan, score).
    public var cpuSeconds: Double
    /// Whether the step's plan was read from a resumed output directory.
    public var resumed: Bool
}

/// Totals of one way of planning over the replayed epochs.
public struct ReplayTotals: Sendable, Equatable {
    public var servedBytes: Double
    public var backlogBytes: Double
    public var circuitsChanged: Int
    public var cpuSeconds: Double

    public init(servedBytes: Double, backlogBytes: Double, circuitsChanged: Int, cpuSeconds: Double) {
        self.servedBytes = servedBytes
        self.backlogBytes = backlogBytes
        self.circuitsChanged = circuitsChanged
        self.cpuSeconds = cpuSeconds
    }
}

/// A replay's result.
public struct ReplayReport: Sendable {
    /// Index of the first replayed epoch.
    public var split: Int
    /// Snapshots in the trace.
    public var snapshots: Int
    /// The predictor used (fitted on the training part).
    public var predictor: Predictor
    /// One row per epoch replayed (all of them unless stopped early).
    public var epochs: [ReplayEpoch]
    /// The kept circuit counts, one per replayed epoch.
    public var kept: [[Int]]
    /// Replay totals over `epochs`.
    public var replay: ReplayTotals
    /// Perfect foresight and static over the same epochs (nil when the run was stopped).
    public var perfectForesight: ReplayTotals?
    public var staticPlan: ReplayTotals?
    /// Whether a stop request ended the run before the last epoch.
    public var interrupted: Bool
    /// Notes (predictor choice, references skipped, …).
    public var notes: [String]
}

/// Errors of a replay that are not bad input data.
public enum ReplayError: Error, Equatable, CustomStringConvertible {
    /// The trace is too short or does not fit the fabric.
    case invalidTrace(String)
    /// An argument is out of range.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .invalidTrace(let s): s
        case .invalidArgument(let s): s
        }
    }
}
