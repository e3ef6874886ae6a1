import Foundation

/// One share of a batch: shard `index` of `count` (0-based).
///
/// An instance belongs to shard `fnv1a64(relative path) mod count`, so
/// every copy of a job array computes the same split from the file names
/// alone, without talking to the others, and the shards together cover
/// every file exactly once.
public struct BatchShard: Equatable, Sendable, CustomStringConvertible {
    /// 0-based shard index, below `count`.
    public var index: Int
    /// Number of shards, at least 1.
    public var count: Int

    /// A shard; nil unless `0 ≤ index < count`.
    public init?(index: Int, count: Int) {
        guard count >= 1, index >= 0, index < count else { return nil }
        self.index = index
        self.count = count
    }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }

    /// Whether the instance at `relativePath` (inside the input directory,
    /// `/`-separated) is this shard's.
    ///
    /// - Complexity: O(length of the path).
    public func owns(_ relativePath: String) -> Bool {
        Int(Self.fnv1a64(relativePath) % UInt64(count)) == index
    }

    /// 64-bit FNV-1a of the UTF-8 bytes: stable across runs, machines and
    /// Swift versions (unlike `Hasher`, which is seeded per process).
    public static func fnv1a64(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    /// Parses `I/N`.
    public static func parse(_ text: String) -> BatchShard? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { return nil }
        return BatchShard(index: i, count: n)
    }

    /// The shard to take: `--shard` when given, else a job array's
    /// environment, else nil (the whole input).
    ///
    /// - Slurm (`sbatch --array=A-B`): index `SLURM_ARRAY_TASK_ID −
    ///   SLURM_ARRAY_TASK_MIN`, count `SLURM_ARRAY_TASK_COUNT`.
    /// - Kubernetes Indexed Job: index `JOB_COMPLETION_INDEX`, count
    ///   `OPTOPLAN_SHARD_COUNT` (set it to the Job's `completions`;
    ///   Kubernetes does not export that number).
    ///
    /// - Throws: a message when the option or the environment is malformed
    ///   or incomplete (bad arguments).
    public static func resolve(option: String?, environment: [String: String]) throws(BatchShardError) -> BatchShard? {
        if let option {
            guard let shard = parse(option) else { throw BatchShardError("--shard must be I/N with 0 ≤ I < N, got '\(option)'") }
            return shard
        }
        func int(_ key: String) throws(BatchShardError) -> Int? {
            guard let raw = environment[key] else { return nil }
            guard let v = Int(raw.trimmingCharacters(in: .whitespaces)) else { throw BatchShardError("\(key)=\(raw) is not an integer") }
            return v
        }
        if let task = try int("SLURM_ARRAY_TASK_ID") {
            guard let count = try int("SLURM_ARRAY_TASK_COUNT") else {
                throw BatchShardError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not")
            }
            let index = task - (try int("SLURM_ARRAY_TASK_MIN") ?? 0)
            guard let shard = BatchShard(index: index, count: count) else {
                throw BatchShardError("Slurm array task \(task) (min \(task - index)) is not one of \(count) shards: use a contiguous --array range")
            }
            return shard
        }
        if let index = try int("JOB_COMPLETION_INDEX") {
            guard let count = try int("OPTOPLAN_SHARD_COUNT") else {
                throw BatchShardError("JOB_COMPLETION_INDEX is set but OPTOPLAN_SHARD_COUNT is not (set it to the Job's completions)")
            }
            guard let shard = BatchShard(index: index, count: count) else {
                throw BatchShardError("JOB_COMPLETION_INDEX=\(index) is not below OPTOPLAN_SHARD_COUNT=\(count)")
            }
            return shard
        }
        return nil
    }
}

/// A malformed `--shard` or job-array environment.
public struct BatchShardError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var description: String
    init(_ description: String) { self.description = description }
}
