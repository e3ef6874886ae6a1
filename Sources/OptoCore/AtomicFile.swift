#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why an output file could not be written.
public struct OutputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file as named by the user.
    public var file: String
    /// What went wrong.
    public var message: String
    /// An output error.
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
    public var description: String { "\(file): \(message)" }
}

/// Atomic file output: the data goes to a temporary file in the same
/// directory, is flushed to disk, then renamed over the target. A reader
/// sees the old file or the new one, never a partial one; on any failure
/// the temporary file is removed and the target is untouched.
public enum AtomicFile {
    /// Writes `data` to `url` atomically.
    public static func write(_ data: Data, to url: URL) throws(OutputError) {
        let path = url.path
        let shown = url.relativePath
        let directory = url.deletingLastPathComponent().path
        let base = url.lastPathComponent
        var template = Array("\(directory.isEmpty ? "." : directory)/.\(base).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw OutputError(file: shown, message: "cannot create a temporary file beside it: \(String(cString: strerror(errno)))")
        }
        let tempPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var failure: String?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "cannot write: \(String(cString: strerror(errno)))"
                    return
                }
                offset += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "cannot flush: \(String(cString: strerror(errno)))" }
        // Files are created 0600 by mkstemp; give them the usual 0644 less the umask.
        let mask = umask(0)
        umask(mask)
        fchmod(fd, 0o644 & ~mask)
        if close(fd) != 0, failure == nil { failure = "cannot close: \(String(cString: strerror(errno)))" }
        if failure == nil, rename(tempPath, path) != 0 { failure = "cannot rename into place: \(String(cString: strerror(errno)))" }
        if let failure {
            unlink(tempPath)
            throw OutputError(file: shown, message: failure)
        }
    }

    /// Writes text as UTF-8 atomically.
    public static func write(_ text: String, to url: URL) throws(OutputError) {
        try write(Data(text.utf8), to: url)
    }
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #elseif canImport(Musl)
    Musl.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}
