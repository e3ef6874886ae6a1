import Foundation
import OptoCore
import OptoGLPK
import OptoModel
import OptoPlanners

/// Plans every instance file under a directory into one plan file each.
///
/// Candidates are the `*.json` files under the input directory
/// (recursively; hidden files, `*.plan.json` files and the output directory
/// are left out), in order of their relative path. A candidate is an
/// instance when it is a JSON object with a `problem` field (and no
/// `status` or `method`, which mark a plan); other valid JSON (job
/// specifications, plans, configuration) is not planned and is reported as
/// not an instance, while an unreadable file, malformed JSON or a malformed
/// instance is bad input (see ``DataFile/readInstance(foundAt:)``). The plan of `a/b.json` is
/// `OUTPUT/a/b.plan.json`, written atomically (a temporary file beside it,
/// then a rename), so a plan file is either complete or absent. A plan that
/// already exists is skipped: a killed batch resumes where it stopped, and
/// no instance is planned twice.
public struct BatchRunner: Sendable {
    /// One instance file.
    public struct Item: Sendable, Equatable {
        /// The file, absolute.
        public var input: URL
        /// Its path relative to the input directory, `/`-separated.
        public var relativePath: String
        /// Where its plan goes.
        public var output: URL
    }

    /// What became of one instance.
    public enum Outcome: Sendable {
        /// Planned and written.
        case planned(problem: ProblemKind, method: String, status: PlanStatus, seconds: Double)
        /// Its plan file already existed.
        case skipped
        /// Valid JSON that is not an instance (why), not planned.
        case notInstance(String)
        /// Bad input (the file or the instance), not planned.
        case badInput(String)
        /// The planner failed or the plan could not be written.
        case failed(String)
    }

    /// The input directory.
    public var inputDirectory: URL
    /// The output directory (created when missing).
    public var outputDirectory: URL
    /// The method for every instance (nil: each problem's default, `auto`).
    public var method: String?
    /// This run's share, or nil for every instance.
    public var shard: BatchShard?
    /// Instances planned at once.
    public var jobs: Int
    /// Seconds each exact search may take.
    public var timeLimit: Double
    /// The exact solver (`--solver`; GLPK by default).
    public var solver: any Solver = GLPKSolver()

    /// A runner; see the properties.
    public init(inputDirectory: URL, outputDirectory: URL, method: String?, shard: BatchShard?, jobs: Int, timeLimit: Double) {
        self.inputDirectory = inputDirectory.standardizedFileURL
        self.outputDirectory = outputDirectory.standardizedFileURL
        self.method = method
        self.shard = shard
        self.jobs = max(1, jobs)
        self.timeLimit = timeLimit
    }

    /// Every instance file of this shard, in order of relative path.
    ///
    /// - Throws: when the input directory cannot be listed.
    /// - Complexity: O(files under the input directory).
    public func items() throws -> [Item] {
        let fm = FileManager.default
        let root = inputDirectory.resolvingSymlinksInPath().path
        let outRoot = outputDirectory.resolvingSymlinksInPath().path
        guard let walker = fm.enumerator(at: inputDirectory, includingPropertiesForKeys: [.isRegularFileKey, .isDirectoryKey],
                                         options: [.skipsHiddenFiles]) else {
            throw CocoaError(.fileReadNoSuchFile)
        }
        var found: [Item] = []
        for case let url as URL in walker {
            let path = url.resolvingSymlinksInPath().path
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isDirectoryKey])
            if values?.isDirectory == true {
                if path == outRoot || path.hasPrefix(outRoot + "/") { walker.skipDescendants() }
                continue
            }
            guard values?.isRegularFile == true, url.pathExtension == "json", !url.lastPathComponent.hasSuffix(".plan.json") else { continue }
            guard path.hasPrefix(root + "/") else { continue }
            let relative = String(path.dropFirst(root.count + 1))
            if let shard, !shard.owns(relative) { continue }
            let planName = String(relative.dropLast(".json".count)) + ".plan.json"
            found.append(Item(input: url, relativePath: relative, output: outputDirectory.appendingPathComponent(planName)))
        }
        return found.sorted { $0.relativePath < $1.relativePath }
    }

    /// Plans one instance (or skips it).
    ///
    /// - Complexity: that of the planner, bounded by ``timeLimit`` for exact searches.
    public func run(_ item: Item) -> Outcome {
        let fm = FileManager.default
        if fm.fileExists(atPath: item.output.path) { return .skipped }
        let instance: Instance
        do {
            switch try DataFile.readInstance(foundAt: item.input) {
            case .instance(let i, _): instance = i
            case .notInstance(let why): return .notInstance(why)
            }
        } catch {
            return .badInput("\(error)")
        }
        let plan: Plan
        do {
            plan = try PlannerCatalog.plan(instance, method: method ?? PlannerCatalog.defaultMethod,
                                           options: PlannerCatalog.options(timeLimit: timeLimit, solver: solver))
        } catch {
            switch error {
            case .badInput(let why): return .badInput("\(item.relativePath): \(why)")
            case .notApplicable(let why), .failed(let why), .infeasible(let why): return .failed(why)
            }
        }
        do {
            try fm.createDirectory(at: item.output.deletingLastPathComponent(), withIntermediateDirectories: true)
            // Another copy of the batch may have finished it meanwhile: keep the first.
            if fm.fileExists(atPath: item.output.path) { return .skipped }
            try PlanIO.write(plan, to: item.output)
        } catch {
            return .failed("cannot write \(item.output.path): \(error)")
        }
        let s = plan.summary
        return .planned(problem: instance.problem, method: s.method, status: s.status, seconds: s.metrics.solveSeconds)
    }

    /// Runs `items` with ``jobs`` workers; `report` is called (serialised)
    /// after each, with its position in completion order.
    ///
    /// - Complexity: the sum of the plans' costs divided among ``jobs`` workers.
    public func run(_ items: [Item], report: @escaping @Sendable (_ done: Int, _ item: Item, _ outcome: Outcome) -> Void) -> [Outcome] {
        let state = BatchState<Outcome>(count: items.count)
        let workers = min(jobs, max(items.count, 1))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = state.next() {
                let outcome = run(items[i])
                state.finish(i, outcome) { done in report(done, items[i], outcome) }
            }
        }
        return state.results().map { $0 ?? .failed("not run") }
    }
}

/// The shared queue and results of parallel workers (a batch's, a sweep's).
final class BatchState<Outcome: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var cursor = 0
    private var done = 0
    private var outcomes: [Outcome?]

    init(count: Int) { outcomes = Array(repeating: nil, count: count) }

    /// The next item index, or nil when all are taken.
    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard cursor < outcomes.count else { return nil }
        cursor += 1
        return cursor - 1
    }

    /// Records an outcome and calls `report` under the lock.
    func finish(_ i: Int, _ outcome: Outcome, report: (Int) -> Void) {
        lock.lock(); defer { lock.unlock() }
        outcomes[i] = outcome
        done += 1
        report(done)
    }

    /// Every item's outcome, nil for items not run.
    func results() -> [Outcome?] {
        lock.lock(); defer { lock.unlock() }
        return outcomes
    }
}
