/// Where in an input file something is wrong.
public enum InputPlace: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The file as a whole (it cannot be read, it is empty, …).
    case file
    /// A value inside a JSON document, by its path: `fabric.circuitRate`,
    /// `jobs[2].phases[0].start`, `demand[1][3]`. The empty path is the
    /// document's top level.
    case json(String)
    /// A line and column of a text file, both 1-based. In a CSV file the
    /// column is the field number; in a JSON syntax error it is the character.
    case text(line: Int, column: Int)

    public var description: String {
        switch self {
        case .file: ""
        case .json(let path): path.isEmpty ? "top level" : path
        case .text(let line, let column): "line \(line), column \(column)"
        }
    }
}

/// An error in a user's input file: it names the file, the place in it and
/// what was wrong, so that the user can act on it. The command line prints
/// `description` on standard error and exits with status 65.
///
/// `description` reads like
/// `instance.json: fabric.circuitRate: "20us" is a time, a rate was expected`.
public struct InputError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The file as the user named it (a path, or a name for in-memory data).
    public var file: String
    /// Where in the file.
    public var place: InputPlace
    /// What was wrong.
    public var message: String

    /// An input error.
    public init(file: String, place: InputPlace, message: String) {
        self.file = file
        self.place = place
        self.message = message
    }

    /// An error at a JSON path.
    public init(file: String, path: String, message: String) {
        self.init(file: file, place: .json(path), message: message)
    }

    public var description: String {
        switch place {
        case .file: "\(file): \(message)"
        default: "\(file): \(place): \(message)"
        }
    }
}

/// Several input errors found in one pass (`optoplan validate` prints them all).
public struct InputErrors: Error, Equatable, Sendable, CustomStringConvertible {
    /// The errors in the order they were found; never empty.
    public var errors: [InputError]
    /// A list of errors.
    public init(_ errors: [InputError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
