import Foundation
import Testing

/// Runs the built `optoplan` executable, for end-to-end tests.
enum OptoplanBinary {
    /// The package root, from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The executable: `$OPTOPLAN_BINARY`, else `optoplan` next to the test
    /// bundle (the build directory SwiftPM used), else `.build/debug/optoplan`.
    static let url: URL? = {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["OPTOPLAN_BINARY"] { candidates.append(URL(fileURLWithPath: env)) }
        var dirs: [URL] = []
        if let exe = Bundle.main.executableURL { dirs.append(exe.deletingLastPathComponent()) }
        dirs.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for b in Bundle.allBundles { dirs.append(b.bundleURL.deletingLastPathComponent()) }
        for d in dirs {
            // Inside an .xctest bundle on macOS the binaries are a few levels up.
            var dir = d
            for _ in 0..<4 {
                candidates.append(dir.appendingPathComponent("optoplan"))
                dir = dir.deletingLastPathComponent()
            }
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/optoplan"))
        return candidates.first { url in
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: url.path, isDirectory: &isDir) && !isDir.boolValue && fm.isExecutableFile(atPath: url.path)
        }
    }()

    /// The result of one run.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A started process with its output collected to files.
    final class Running {
        let process: Process
        let out: URL
        let err: URL
        init(process: Process, out: URL, err: URL) { self.process = process; self.out = out; self.err = err }

        func wait() -> Result {
            process.waitUntilExit()
            let o = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            let e = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
            return Result(status: process.terminationStatus, stdout: o, stderr: e)
        }
    }

    /// Starts `optoplan arguments…` in `directory`.
    static func start(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Running {
        let binary = try #require(url, "the optoplan executable is built (swift build --build-tests builds it)")
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        for key in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "JOB_COMPLETION_INDEX", "OPTOPLAN_SHARD_COUNT"] {
            env[key] = nil
        }
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let tmp = FileManager.default.temporaryDirectory
        let out = tmp.appendingPathComponent("optoplan-out-\(UUID().uuidString)")
        let err = tmp.appendingPathComponent("optoplan-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        return Running(process: p, out: out, err: err)
    }

    /// Runs `optoplan arguments…` to completion.
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Result {
        try start(arguments, in: directory, environment: environment).wait()
    }

    /// A fresh temporary directory holding `files` (relative path → text).
    static func directory(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("optoplan-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    /// The glpsol executable, if installed.
    static let glpsol: String? = ["/usr/bin/glpsol", "/usr/local/bin/glpsol"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs glpsol with `arguments`; returns its status and output.
    static func glpsol(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let path = try #require(glpsol, "glpsol (glpk-utils) is installed")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Small seeded instances for the end-to-end tests.
enum E2EInstances {
    /// A deterministic generator (SplitMix64).
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// A link-pool instance with `n` nodes and seeded demand in Gb/s.
    static func linkpool(seed: UInt64, n: Int = 4, ports: Int = 3, objective: String = "concurrent") -> String {
        var rng = Rng(state: seed)
        var rows: [String] = []
        for i in 0..<n {
            var cells: [String] = []
            for j in 0..<n { cells.append(i == j ? "0" : "\"\(1 + rng.int(400))Gbps\"") }
            rows.append("[" + cells.joined(separator: ", ") + "]")
        }
        return """
        { "problem": "linkpool",
          "fabric": { "nodes": \(n), "opticalPorts": \(ports), "circuitRate": "400Gbps", "packetRate": "100Gbps" },
          "demand": [\(rows.joined(separator: ", "))], "objective": "\(objective)" }
        """
    }

    /// A stagger instance with `jobs` jobs on `links` links, periods from `periods` (ms, step 1 ms).
    static func stagger(seed: UInt64, jobs: Int = 3, links: Int = 1, periods: [Int] = [6, 12]) -> String {
        var rng = Rng(state: seed)
        let linkList = (0..<links).map { "{ \"name\": \"l\($0)\", \"capacity\": \"100Gbps\" }" }.joined(separator: ", ")
        var jobList: [String] = []
        for k in 0..<jobs {
            let p = periods[rng.int(periods.count)]
            let d = 1 + rng.int(max(1, p / 2))
            let s = rng.int(p)
            let r = 30 + rng.int(70)
            let l = rng.int(links)
            jobList.append("{ \"name\": \"job-\(k)\", \"period\": \"\(p)ms\", \"links\": [\"l\(l)\"], \"phases\": [ { \"start\": \"\(s)ms\", \"duration\": \"\(d)ms\", \"rate\": \"\(r)Gbps\" } ] }")
        }
        return """
        { "problem": "stagger", "step": "1ms", "links": [\(linkList)],
          "jobs": [\(jobList.joined(separator: ",\n  "))] }
        """
    }
}
