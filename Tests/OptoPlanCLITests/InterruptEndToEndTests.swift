import Foundation
import OptoCore
import Testing

/// Runs the built `optoplan` executable and interrupts it with SIGINT, as
/// Ctrl-C at a terminal would.
@Suite("interrupting optoplan (end to end)", .serialized)
struct InterruptEndToEndTests {
    /// The `optoplan` executable beside the test bundle (SwiftPM builds every
    /// product of the package into the same directory as the tests).
    static func executable() throws -> URL {
        var candidates: [URL] = []
        for start in [Bundle.main.bundleURL, Bundle(for: Marker.self).bundleURL,
                      URL(fileURLWithPath: CommandLine.arguments.first ?? ".")] {
            var dir = start.standardizedFileURL
            for _ in 0..<4 {
                candidates.append(dir.appendingPathComponent("optoplan"))
                dir = dir.deletingLastPathComponent()
            }
        }
        for url in candidates where FileManager.default.isExecutableFile(atPath: url.path) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue { return url }
        }
        Issue.record("optoplan executable not found beside the test bundle (run `swift build --build-tests` first); looked at \(candidates.map(\.path))")
        throw CancellationError()
    }

    final class Marker {}

    /// A stagger instance the exact model cannot finish in seconds: 18 jobs
    /// with periods of 20, 30 and 40 ms (hyper-period 120 steps) sharing
    /// three links, each communicating about a third of its period at 40–70 %
    /// of a link, so collisions cannot all be avoided (measured: greedy's
    /// excess is 12 % above the bound GLPK proves in 8 s; debug build).
    static func hardStaggerInstance() -> String {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let periods = [20, 30, 40]
        var jobs: [String] = []
        for k in 0..<18 {
            let p = periods[next(3)]
            let duration = p / 3 + next(3)
            let start = next(p)
            let rate = 40 + 10 * next(4)
            var links = ["\"l\(next(3))\""]
            if next(3) == 0 { let other = "\"l\(next(3))\""; if other != links[0] { links.append(other) } }
            jobs.append("""
            {"name": "j\(k)", "period": "\(p)ms", "links": [\(links.joined(separator: ", "))],
             "phases": [{"start": "\(start)ms", "duration": "\(duration)ms", "rate": "\(rate)Gbps"}]}
            """)
        }
        return """
        {"problem": "stagger", "step": "1ms",
         "links": [{"name": "l0", "capacity": "100Gbps"}, {"name": "l1", "capacity": "100Gbps"}, {"name": "l2", "capacity": "100Gbps"}],
         "jobs": [\(jobs.joined(separator: ",\n"))]}
        """
    }

    /// Whether the search has an incumbent: a progress line shows one, or
    /// GLPK's log (`--verbose`) says it took the warm start.
    static func hasIncumbent(_ text: String) -> Bool {
        text.contains("Solution found by heuristic")
            || text.split(separator: "\n").contains { $0.hasPrefix("progress:") && !$0.contains("incumbent —") }
    }

    /// A makespan-mode schedule instance whose slot model GLPK cannot close
    /// in seconds: 12 nodes, one port each, about 80 % of the pairs with
    /// demand (measured: 3 search nodes and a 17.7 % gap after 8 s, debug build).
    static func hardScheduleInstance() -> String {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let n = 12
        let rows = (0..<n).map { i in
            "[" + (0..<n).map { j in i != j && next(5) > 0 ? "\((1 + next(100)) * 100)KB" : "0" }
                .map { $0 == "0" ? "0" : "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
        return """
        {"problem": "schedule",
         "fabric": {"nodes": \(n), "ocsPortsPerNode": 1, "circuitRate": "8Gbps", "packetRate": "0.8Gbps", "reconfigurationDelay": "1ms"},
         "demand": [\(rows.joined(separator: ",\n"))]}
        """
    }

    struct Run {
        var status: Int32
        var stderr: String
        var seconds: Double
    }

    /// Runs `optoplan arguments`, sends SIGINT `interrupts` times (the first
    /// once a progress line with an incumbent appears on standard error, or after `fallback`
    /// seconds, the next as soon as the first is acknowledged on standard error) and waits for it to end (at most
    /// `deadline` seconds, then SIGKILL).
    static func run(_ arguments: [String], interrupts: Int, fallback: Double = 8, deadline: Double = 18) throws -> Run {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let collected = Captured()
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { collected.append(String(decoding: data, as: UTF8.self)) }
        }
        let began = Date()
        try process.run()
        var sent = 0
        while process.isRunning && Date().timeIntervalSince(began) < deadline {
            let waited = Date().timeIntervalSince(began)
            if sent == 0 && (hasIncumbent(collected.text) || waited >= fallback) {
                kill(process.processIdentifier, SIGINT)
                sent = 1
            } else if sent > 0 && sent < interrupts && collected.text.contains("interrupted:") {
                // Once the first is acknowledged (two pending SIGINTs would
                // be merged into one by the kernel).
                kill(process.processIdentifier, SIGINT)
                sent += 1
            }
            Thread.sleep(forTimeInterval: sent == 0 ? 0.02 : 0.001)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            errors.fileHandleForReading.readabilityHandler = nil
            Issue.record("optoplan did not end within \(deadline) s of being interrupted; stderr: \(collected.text)")
            throw CancellationError()
        }
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        let rest = errors.fileHandleForReading.readDataToEndOfFile()
        if !rest.isEmpty { collected.append(String(decoding: rest, as: UTF8.self)) }
        #expect(sent >= 1, "the run ended before it could be interrupted")
        return Run(status: process.terminationStatus, stderr: collected.text, seconds: Date().timeIntervalSince(began))
    }

    func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("interrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Self.hardStaggerInstance().write(to: dir.appendingPathComponent("hard.json"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test("one Ctrl-C: a complete, valid plan marked feasible and interrupted")
    func firstInterrupt() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let instance = dir.appendingPathComponent("hard.json").path
        let output = dir.appendingPathComponent("plan.json").path
        let run = try Self.run(["stagger", instance, "--time-limit", "60", "--verbose", "--output", output], interrupts: 1)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.seconds < 18)
        #expect(run.stderr.contains("interrupted"))
        guard case .stagger(let plan) = try PlanIO.read(contentsOf: URL(fileURLWithPath: output)) else {
            Issue.record("not a stagger plan"); return
        }
        #expect(plan.status == .feasible)
        #expect(plan.method == "auto:ilp")
        #expect(plan.offsets.count == 18)
        let gap = try #require(plan.metrics.gap)
        #expect(gap > 0 && gap <= 1)
        #expect(plan.notes?.contains { $0.hasPrefix("interrupted") } == true)
        // optoplan validate accepts it, against its instance.
        let validate = Process()
        validate.executableURL = try Self.executable()
        validate.arguments = ["validate", instance, output]
        validate.standardOutput = FileHandle.nullDevice
        validate.standardError = FileHandle.nullDevice
        try validate.run()
        validate.waitUntilExit()
        #expect(validate.terminationStatus == 0)
        // Nothing left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["hard.json", "plan.json"])
    }

    @Test("one Ctrl-C on optoplan schedule: a complete, valid plan marked feasible and interrupted")
    func scheduleInterrupt() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let instance = dir.appendingPathComponent("schedule.json").path
        try Self.hardScheduleInstance().write(toFile: instance, atomically: true, encoding: .utf8)
        let output = dir.appendingPathComponent("schedule.plan.json").path
        let run = try Self.run(["schedule", instance, "--time-limit", "60", "--verbose", "--output", output], interrupts: 1)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.seconds < 18)
        guard case .schedule(let plan) = try PlanIO.read(contentsOf: URL(fileURLWithPath: output)) else {
            Issue.record("not a schedule plan"); return
        }
        #expect(plan.status == .feasible)
        #expect(plan.method == "auto:ilp")
        #expect((plan.configurations ?? []).isEmpty == false)
        let gap = try #require(plan.metrics.gap)
        #expect(gap > 0 && gap <= 1)
        #expect(plan.notes?.contains { $0.hasPrefix("interrupted") } == true)
        let validate = Process()
        validate.executableURL = try Self.executable()
        validate.arguments = ["validate", instance, output]
        validate.standardOutput = FileHandle.nullDevice
        validate.standardError = FileHandle.nullDevice
        try validate.run()
        validate.waitUntilExit()
        #expect(validate.terminationStatus == 0)
    }

    @Test("two Ctrl-Cs: exit 130 at once, no output file")
    func secondInterrupt() throws {
        // The second Ctrl-C races the end of the run the first one starts
        // (the search stops, the plan is written): a run that ends first
        // exits 0 with a complete plan, and the attempt is repeated.
        var quit = false
        for _ in 0..<3 where !quit {
            let dir = try directory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let output = dir.appendingPathComponent("plan.json").path
            let run = try Self.run(["stagger", dir.appendingPathComponent("hard.json").path, "--time-limit", "60", "--verbose",
                                    "--output", output], interrupts: 2)
            let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
            if run.status == 130 {
                quit = true
                #expect(run.stderr.contains("interrupted again"))
                #expect(left == ["hard.json"])
            } else {
                #expect(run.status == 0, "stderr: \(run.stderr)")
                #expect(left == ["hard.json", "plan.json"])
                #expect(!run.stderr.contains("interrupted again"))
            }
        }
        #expect(quit, "no run quit on the second Ctrl-C")
    }
}
