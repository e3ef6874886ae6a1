#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension InputContext {
    /// Reads a demand matrix of `n × n` quantities of `kind`: inline nested
    /// arrays, or `{"csv": "relative/path.csv", "unit": "MB"}`. A non-zero
    /// diagonal is zeroed with a note.
    public func demandMatrix(_ value: JSONValue, _ path: String, nodes n: Int?, _ kind: QuantityKind) -> Matrix? {
        let matrix: Matrix?
        switch value {
        case .array(let rows): matrix = inlineMatrix(rows, path, nodes: n, kind)
        case .object:
            guard let members = object(value, path, what: "a CSV reference", known: ["csv", "unit"]),
                  let csvValue = required(members, "csv", path, what: "the CSV file's path, relative to this file"),
                  let csvPath = string(csvValue, InputContext.join(path, "csv"), what: "a path") else { return nil }
            var factor = 1.0
            if let unitValue = optional(members, "unit") {
                let unitPath = InputContext.join(path, "unit")
                guard let unit = string(unitValue, unitPath, what: "a unit") else { return nil }
                if let f = kind.factor(of: unit) {
                    factor = f
                } else if let other = QuantityKind.kind(ofUnit: unit) {
                    fail(unitPath, "\"\(unit)\" is a unit of \(other.rawValue), \(kind.withArticle) unit was expected")
                    return nil
                } else {
                    fail(unitPath, "unknown unit \"\(unit)\"; \(kind.withArticle) takes \(kind.units.map(\.name).filter { $0 != "\u{03BC}s" }.joined(separator: ", "))")
                    return nil
                }
            }
            guard let n else { return nil }
            matrix = csvMatrix(csvPath, path, nodes: n, factor: factor)
        default:
            fail(path, "expected an N×N matrix (an array of rows) or {\"csv\": …, \"unit\": …}, found \(value.kindDescription)")
            return nil
        }
        guard var m = matrix else { return nil }
        var count = 0
        var total = 0.0
        for i in 0..<m.rows where m[i, i] != 0 {
            count += 1
            total += m[i, i]
            m[i, i] = 0
        }
        if count > 0 {
            let amount = Quantity.format(total, as: kind)
            note(path, "\(count) non-zero diagonal entr\(count == 1 ? "y" : "ies") (\(amount) in all) ignored: traffic inside a node never crosses the fabric")
        }
        return m
    }

    private func inlineMatrix(_ rows: [JSONValue], _ path: String, nodes n: Int?, _ kind: QuantityKind) -> Matrix? {
        guard let n else { return nil }
        if rows.count != n {
            fail(path, "the matrix has \(rows.count) rows but there are \(n) nodes; it must be \(n)×\(n)")
            return nil
        }
        var m = Matrix(size: n)
        var ok = true
        for (i, row) in rows.enumerated() {
            let rowPath = InputContext.join(path, i)
            guard let cells = array(row, rowPath, what: "a matrix row") else { ok = false; continue }
            if cells.count != n {
                fail(rowPath, "the row has \(cells.count) values but there are \(n) nodes; the matrix must be \(n)×\(n)")
                ok = false
                continue
            }
            for (j, cell) in cells.enumerated() {
                if let x = quantity(cell, InputContext.join(rowPath, j), kind) { m[i, j] = x } else { ok = false }
            }
        }
        return ok ? m : nil
    }

    /// The name under which a file next to this one is shown in messages.
    func displayName(ofRelative relative: String) -> String {
        if relative.hasPrefix("/") { return relative }
        guard let slash = file.lastIndex(of: "/") else { return relative }
        return String(file[...slash]) + relative
    }

    private func csvMatrix(_ relative: String, _ path: String, nodes n: Int, factor: Double) -> Matrix? {
        let csvPath = InputContext.join(path, "csv")
        let shown = displayName(ofRelative: relative)
        guard !relative.isEmpty else { fail(csvPath, "the CSV path is empty"); return nil }
        let url: URL
        if relative.hasPrefix("/") {
            url = URL(fileURLWithPath: relative)
        } else if let base = baseDirectory {
            url = base.appendingPathComponent(relative)
        } else {
            fail(csvPath, "a CSV path relative to the instance needs the instance to be read from a file")
            return nil
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            fail(csvPath, "cannot read the CSV file \(shown): \(TextFile.reason(error))")
            return nil
        }
        switch CSVMatrix.parse([UInt8](data), file: shown, size: n, factor: factor) {
        case .success(let m): return m
        case .failure(let e):
            add(InputError(file: e.file, place: e.place, message: e.message + " (the demand at \(path) in \(file))"))
            return nil
        }
    }
}

/// Reading of matrices from CSV text (FORMATS.md: `N` rows of `N` numbers,
/// no header). Blank lines and lines starting with `#` are skipped; fields
/// are separated by commas and may be padded with spaces.
public enum CSVMatrix {
    /// Parses `size × size` non-negative numbers, each multiplied by
    /// `factor`. An error names `file` with the line and column (field).
    /// - Complexity: O(length of the text)
    public static func parse(_ bytes: [UInt8], file: String, size n: Int, factor: Double = 1) -> Result<Matrix, InputError> {
        var m = Matrix(size: n)
        var row = 0
        var line = 0
        var lineStart = 0
        func err(_ l: Int, _ c: Int, _ message: String) -> Result<Matrix, InputError> {
            .failure(InputError(file: file, place: .text(line: l, column: c), message: message))
        }
        while lineStart <= bytes.count {
            line += 1
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            var content = bytes[lineStart..<lineEnd]
            if content.last == UInt8(ascii: "\r") { content = content.dropLast() }
            let trimmed = content.drop { $0 == 0x20 || $0 == 0x09 }
            defer { lineStart = lineEnd + 1 }
            if trimmed.isEmpty || trimmed.first == UInt8(ascii: "#") {
                if lineEnd >= bytes.count { break }
                continue
            }
            if row >= n {
                return err(line, 1, "more than \(n) rows; the matrix must be \(n)×\(n)")
            }
            var column = 0
            var fieldStart = content.startIndex
            while true {
                var fieldEnd = fieldStart
                while fieldEnd < content.endIndex, content[fieldEnd] != UInt8(ascii: ",") { fieldEnd += 1 }
                column += 1
                if column > n { return err(line, column, "more than \(n) values in row \(row + 1); the matrix must be \(n)×\(n)") }
                var a = fieldStart, b = fieldEnd
                while a < b, bytes[a] == 0x20 || bytes[a] == 0x09 { a += 1 }
                while b > a, bytes[b - 1] == 0x20 || bytes[b - 1] == 0x09 { b -= 1 }
                guard a < b else { return err(line, column, "empty field; expected a number") }
                let x: Double
                switch CSVMatrix.number(bytes, a, b) {
                case .some(let v): x = v
                case .none:
                    let text = String(decoding: bytes[a..<b], as: UTF8.self)
                    let hint = line == 1 ? " (the file must have no header)" : ""
                    return err(line, column, "\"\(text.prefix(40))\" is not a number\(hint)")
                }
                let text = { String(decoding: bytes[a..<b], as: UTF8.self) }
                if !x.isFinite { return err(line, column, "\(text()) is not finite") }
                if x < 0 { return err(line, column, "\(text()) is negative; demand must be 0 or more") }
                let v = x * factor
                if !v.isFinite { return err(line, column, "\(text()) is too large") }
                m.values[row * n + column - 1] = v
                if fieldEnd >= content.endIndex { break }
                fieldStart = fieldEnd + 1
            }
            if column < n { return err(line, column, "only \(column) values in row \(row + 1); the matrix must be \(n)×\(n)") }
            row += 1
            if lineEnd >= bytes.count { break }
        }
        if row < n {
            return .failure(InputError(file: file, place: .text(line: line, column: 1), message: "only \(row) rows; the matrix must be \(n)×\(n)"))
        }
        return .success(m)
    }
}

extension CSVMatrix {
    /// A decimal number in `bytes[a..<b]`: digits, one point, an exponent;
    /// no hex, `inf` or `nan`. Nil when it is not one.
    static func number(_ bytes: [UInt8], _ a: Int, _ b: Int) -> Double? {
        guard b - a <= 64 else { return nil }
        var digits = 0
        for k in a..<b {
            switch bytes[k] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"): break
            default: return nil
            }
        }
        guard digits > 0 else { return nil }
        return Double(Substring(decoding: bytes[a..<b], as: UTF8.self))
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}

/// File reading and atomic writing shared by the readers and writers.
public enum TextFile {
    /// A short reason for a file-system error.
    public static func reason(_ error: any Error) -> String {
        if let e = error as? CocoaError {
            switch e.code {
            case .fileReadNoSuchFile, .fileNoSuchFile: return "no such file"
            case .fileReadNoPermission: return "permission denied"
            default: break
            }
        }
        let text = "\(error)"
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    /// The bytes of `url`, or an input error naming `file` and saying why
    /// the file cannot be read.
    public static func contents(of url: URL, file: String) throws(InputError) -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw InputError(file: file, place: .file, message: "cannot read the file: \(reason(error))")
        }
    }
}
