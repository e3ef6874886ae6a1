import ArgumentParser
import Dispatch
import Foundation
import OptoCore
import OptoModel
import OptoPlanners

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The `--quiet` and `--verbose` flags every planner subcommand shares.
public struct SolveDisplayOptions: ParsableArguments {
    /// No progress display on standard error (the summary and notes still print).
    @Flag(name: .shortAndLong, help: "Show no progress of the exact search on standard error.")
    public var quiet = false

    /// Progress as log lines (and the solver's own log) instead of one line updated in place.
    @Flag(help: "Print the exact search's progress as log lines, with the solver's log, on standard error.")
    public var verbose = false

    /// The defaults: in-place progress when standard error is a terminal.
    public init() {}
}

/// What a planner subcommand wraps around one planning call: a progress
/// display of the exact search on standard error, and Ctrl-C handling.
///
/// Progress:
/// - standard error is a terminal (and neither flag is given): one line,
///   redrawn in place about five times a second, showing the elapsed time,
///   the incumbent, the bound, the gap and the nodes explored;
/// - `--verbose`: a log line about once a second instead (whether or not
///   standard error is a terminal), plus the solver's own log;
/// - otherwise, or with `--quiet`: nothing.
///
/// Interrupts (SIGINT, from a `DispatchSourceSignal`, so nothing runs in
/// signal context): the first sets the stop flag that
/// ``PlanningOptions/shouldStop`` polls; the exact search stops and the
/// planner returns the best plan found so far (`feasible` with its gap, or
/// the heuristic plan when the search had nothing better), which
/// ``annotate(_:)`` marks as interrupted. A second SIGINT exits at once with
/// status 130; no output file is touched by then except, at worst, the
/// hidden temporary file of an atomic write in progress, which is removed.
///
/// ```swift
/// let session = ExactSolveSession(display, output: output)
/// let plan = try session.run(options) { try StaggerPlanner.plan(instance, method: method, options: $0) }
/// ```
public final class ExactSolveSession: @unchecked Sendable {
    /// How progress is shown.
    public enum Display: Sendable, Equatable {
        /// Nothing.
        case silent
        /// One status line redrawn in place (a terminal).
        case inPlace
        /// Log lines.
        case log
    }

    /// The display chosen from the flags and the terminal.
    public let display: Display
    /// The output file, whose temporary sibling a hard exit removes.
    let output: String?
    /// Where progress text goes (standard error by default).
    let write: @Sendable (String) -> Void

    private let lock = NSLock()
    private var stopFlag = false
    private var interruptCount = 0
    private var lastDraw = -Double.infinity
    private var lineShown = false
    private var signalSource: DispatchSourceSignal?
    private let began = ContinuousClock.now

    /// Seconds between redraws in place, and between log lines.
    static let drawInterval = 0.2
    static let logInterval = 1.0

    /// What the first Ctrl-C prints.
    let stopMessage: String

    /// The first Ctrl-C's message for a planner command.
    public static let planStopMessage = "interrupted: stopping the exact search; the best plan found so far follows (Ctrl-C again to quit)"

    /// A session for `flags`; `isTerminal` says whether standard error is a
    /// terminal (tests pass it), `output` is the output file, if any,
    /// `stopMessage` what the first Ctrl-C prints.
    public init(_ flags: SolveDisplayOptions, output: String? = nil,
                isTerminal: Bool = isatty(STDERR_FILENO) != 0,
                stopMessage: String = ExactSolveSession.planStopMessage,
                write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.stopMessage = stopMessage
        if flags.quiet {
            display = .silent
        } else if flags.verbose {
            display = .log
        } else {
            display = isTerminal ? .inPlace : .silent
        }
        self.output = output
        self.write = write
        self.verbose = flags.verbose && !flags.quiet
    }

    /// Whether the solver's own log is wanted.
    let verbose: Bool

    /// Whether a stop was requested (the first Ctrl-C).
    public var stopRequested: Bool {
        lock.lock(); defer { lock.unlock() }
        return stopFlag
    }

    /// Asks the exact search to stop, as the first Ctrl-C does.
    public func requestStop() {
        lock.lock(); stopFlag = true; lock.unlock()
    }

    /// `base` with this session's progress, stop flag and verbosity.
    public func options(_ base: PlanningOptions) -> PlanningOptions {
        var o = base
        o.verbose = verbose
        o.shouldStop = { [self] in stopRequested }
        if display != .silent { o.progress = { [self] in report($0) } }
        return o
    }

    /// Seconds since the session began.
    var elapsed: Double {
        let d = ContinuousClock.now - began
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// One progress line (no newline), e.g.
    /// `exact search 3.2 s  incumbent 1.25e+09  bound 1.1e+09  gap 12.0%  nodes 418`.
    static func line(_ p: SolveProgress, elapsed: Double) -> String {
        func number(_ v: Double?) -> String { v.map { String(format: "%.6g", $0) } ?? "—" }
        var s = String(format: "exact search %.1f s", elapsed)
        s += "  incumbent \(number(p.incumbent))  bound \(number(p.bestBound))"
        s += "  gap " + (p.relativeGap.map { String(format: "%.2f%%", 100 * $0) } ?? "—")
        s += "  nodes \(p.nodeCount)"
        return s
    }

    /// Shows one progress snapshot (called from the solving thread).
    public func report(_ p: SolveProgress) {
        let now = elapsed
        lock.lock()
        let interval = display == .log ? Self.logInterval : Self.drawInterval
        guard display != .silent, now - lastDraw >= interval, interruptCount < 2 else { lock.unlock(); return }
        lastDraw = now
        if display == .inPlace { lineShown = true }
        lock.unlock()
        switch display {
        case .inPlace: write("\r\u{1B}[K" + Self.line(p, elapsed: now))
        case .log: write("progress: " + Self.line(p, elapsed: now) + "\n")
        case .silent: break
        }
    }

    /// Clears the in-place line, if one is shown.
    public func clearLine() {
        lock.lock()
        let shown = lineShown
        lineShown = false
        lock.unlock()
        if shown { write("\r\u{1B}[K") }
    }

    /// Handles one SIGINT: the first asks the search to stop, the second
    /// exits with status 130 (through `exit`, which tests replace).
    func interrupt(exit hardExit: () -> Void) {
        lock.lock()
        interruptCount += 1
        let count = interruptCount
        stopFlag = true
        let shown = lineShown
        lineShown = false
        lock.unlock()
        let prefix = shown ? "\r\u{1B}[K" : ""
        if count == 1 {
            write(prefix + stopMessage + "\n")
        } else {
            write(prefix + "interrupted again: quitting without a plan\n")
            removeTemporaryOutput()
            hardExit()
        }
    }

    /// Removes the hidden temporary files an interrupted atomic write of
    /// ``output`` may leave (`.NAME.tmp-XXXXXX`, see `AtomicFile`).
    func removeTemporaryOutput() {
        guard let output, output != "-" else { return }
        let url = URL(fileURLWithPath: output)
        let directory = url.deletingLastPathComponent()
        let prefix = "." + url.lastPathComponent + ".tmp-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasPrefix(prefix) && name.count == prefix.count + 6 {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    /// Routes SIGINT to this session until ``uninstallSignalHandler()``.
    public func installSignalHandler() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue.global(qos: .userInteractive))
        source.setEventHandler { [weak self, source] in
            // Signals arriving together are coalesced into one event.
            for _ in 0..<max(1, min(Int(source.data), 2)) { self?.interrupt(exit: { _exit(130) }) }
        }
        source.resume()
        lock.lock(); signalSource = source; lock.unlock()
    }

    /// Gives SIGINT back its default action.
    public func uninstallSignalHandler() {
        lock.lock()
        let source = signalSource
        signalSource = nil
        lock.unlock()
        source?.cancel()
        signal(SIGINT, SIG_DFL)
    }

    /// Runs one planning call with this session's options, the SIGINT
    /// handler installed and the progress line cleared afterwards.
    public func run<T>(_ base: PlanningOptions, _ body: (PlanningOptions) throws -> T) rethrows -> T {
        installSignalHandler()
        defer { clearLine() }
        return try body(options(base))
    }

    /// Ends the session: the in-place line cleared and SIGINT back to its
    /// default. Call after the plan is saved (a Ctrl-C while saving still
    /// exits cleanly through the handler).
    public func finish() {
        clearLine()
        uninstallSignalHandler()
    }

    /// The note an interrupted plan carries.
    public static let interruptNote = "interrupted (SIGINT): the exact search was stopped and the best plan found so far is returned"

    /// `plan` with the interrupt note when a stop was requested while it was
    /// planned. A plan still marked `optimal` was proven before the stop
    /// took effect and keeps its status.
    public func annotate<P: PlanWithNotes>(_ plan: P) -> P {
        var p = plan
        if stopRequested { p.notes = (p.notes ?? []) + [Self.interruptNote] }
        return p
    }
}
