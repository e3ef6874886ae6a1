import Foundation
import OptoCore
import OptoModel
import OptoPlanners
import Testing
@testable import OptoPlanCLI

/// Collects what a session writes.
final class Captured: @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [String] = []
    func append(_ s: String) { lock.lock(); parts.append(s); lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return parts.joined() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return parts.count }
}

@Suite("exact solve session")
struct ExactSolveSessionTests {
    func flags(quiet: Bool = false, verbose: Bool = false) throws -> SolveDisplayOptions {
        var args: [String] = []
        if quiet { args.append("--quiet") }
        if verbose { args.append("--verbose") }
        return try SolveDisplayOptions.parse(args)
    }

    static let snapshot = SolveProgress(elapsedSeconds: 1.5, incumbent: 120, bestBound: 100, relativeGap: 1.0 / 6, nodeCount: 42)

    @Test("the display follows the flags and the terminal")
    func displayChoice() throws {
        #expect(ExactSolveSession(try flags(), isTerminal: true, write: { _ in }).display == .inPlace)
        #expect(ExactSolveSession(try flags(), isTerminal: false, write: { _ in }).display == .silent)
        #expect(ExactSolveSession(try flags(quiet: true), isTerminal: true, write: { _ in }).display == .silent)
        #expect(ExactSolveSession(try flags(verbose: true), isTerminal: false, write: { _ in }).display == .log)
        #expect(ExactSolveSession(try flags(quiet: true, verbose: true), isTerminal: true, write: { _ in }).display == .silent)
        // The solver's own log only with --verbose.
        let base = PlanningOptions()
        #expect(ExactSolveSession(try flags(verbose: true), isTerminal: false, write: { _ in }).options(base).verbose)
        #expect(!ExactSolveSession(try flags(), isTerminal: true, write: { _ in }).options(base).verbose)
        // No progress callback when nothing would be shown.
        #expect(ExactSolveSession(try flags(), isTerminal: false, write: { _ in }).options(base).progress == nil)
    }

    @Test("in place: one line redrawn, throttled, with every figure")
    func inPlace() throws {
        let out = Captured()
        let session = ExactSolveSession(try flags(), isTerminal: true, write: { out.append($0) })
        let options = session.options(PlanningOptions())
        let report = try #require(options.progress)
        for _ in 0..<50 { report(Self.snapshot) }
        #expect(out.count == 1) // 50 reports within a few milliseconds draw once
        let text = out.text
        #expect(text.hasPrefix("\r\u{1B}[K"))
        #expect(!text.contains("\n"))
        for figure in ["incumbent 120", "bound 100", "gap 16.67%", "nodes 42", "exact search"] { #expect(text.contains(figure)) }
        session.clearLine()
        #expect(out.text.hasSuffix("\r\u{1B}[K"))
        session.clearLine() // nothing shown: nothing written
        #expect(out.count == 2)
    }

    @Test("verbose: log lines")
    func logLines() throws {
        let out = Captured()
        let session = ExactSolveSession(try flags(verbose: true), isTerminal: true, write: { out.append($0) })
        session.report(SolveProgress(elapsedSeconds: 0, incumbent: nil, bestBound: nil, relativeGap: nil, nodeCount: 0))
        #expect(out.text.hasPrefix("progress: exact search"))
        #expect(out.text.hasSuffix("\n"))
        #expect(out.text.contains("incumbent —"))
        #expect(!out.text.contains("\r"))
    }

    @Test("quiet: nothing")
    func quiet() throws {
        let out = Captured()
        let session = ExactSolveSession(try flags(quiet: true), isTerminal: true, write: { out.append($0) })
        session.report(Self.snapshot)
        #expect(out.count == 0)
    }

    @Test("the first interrupt stops the search, the second exits")
    func interrupts() throws {
        let out = Captured()
        let session = ExactSolveSession(try flags(), isTerminal: true, write: { out.append($0) })
        let options = session.options(PlanningOptions())
        let stop = try #require(options.shouldStop)
        #expect(!stop())
        let plan = StaggerPlan(method: "auto:ilp", status: .feasible, metrics: PlanMetrics(objective: 1), offsets: [:])
        #expect(session.annotate(plan).notes == nil)
        let exits = Captured()
        session.interrupt(exit: { exits.append("exit") })
        #expect(stop())
        #expect(exits.count == 0)
        #expect(out.text.contains("interrupted"))
        #expect(session.annotate(plan).notes == [ExactSolveSession.interruptNote])
        #expect(session.annotate(plan).status == .feasible)
        session.interrupt(exit: { exits.append("exit") })
        #expect(exits.count == 1)
    }

    @Test("a hard exit removes the temporary file of an atomic write, nothing else")
    func temporaryCleanup() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("session-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("plan.json").path
        for name in [".plan.json.tmp-a1B2c3", "plan.json.old", ".other.json.tmp-a1B2c3"] {
            try Data("x".utf8).write(to: dir.appendingPathComponent(name))
        }
        ExactSolveSession(try flags(), output: output, isTerminal: false, write: { _ in }).removeTemporaryOutput()
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
        #expect(left == ["plan.json.old", ".other.json.tmp-a1B2c3"])
    }
}
