import Testing
@testable import OptoCore

@Suite("JSON reader")
struct JSONValueTests {
    @Test("parses and re-serialises")
    func roundTrip() throws {
        let text = #"{"a": [1, 2.5, -3e2, "x\"\u00e9\ud83d\ude00"], "b": {"c": null, "d": true, "e": false}}"#
        let v = try JSONValue.parse(text).get()
        #expect(v["a"] == .array([.number(1), .number(2.5), .number(-300), .string("x\"é😀")]))
        let again = try JSONValue.parse(v.serialized(pretty: true)).get()
        #expect(again == v)
        let compact = try JSONValue.parse(v.serialized(pretty: false)).get()
        #expect(compact == v)
    }

    @Test("syntax errors carry line and column")
    func syntaxErrors() {
        let cases: [(String, Int, Int, String)] = [
            ("{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7, "expected ':'"),
            ("[1, 2", 1, 6, "expected ',' or ']'"),
            ("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate key"),
            ("[01]", 1, 2, "leading zero"),
            ("[1e999]", 1, 2, "too large"),
            ("\"abc", 1, 1, "unterminated"),
            ("[NaN]", 1, 2, "expected a value"),
            ("{} x", 1, 4, "after the JSON value"),
        ]
        for (text, line, column, fragment) in cases {
            guard case .failure(let e) = JSONValue.parse(text) else { Issue.record("accepted \(text)"); continue }
            #expect(e.line == line && e.column == column, "\(text): \(e)")
            #expect(e.message.contains(fragment), "\(text): \(e.message)")
        }
    }

    @Test("deep nesting is an error, not a stack overflow")
    func depth() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        guard case .failure(let e) = JSONValue.parse(deep) else { Issue.record("accepted"); return }
        #expect(e.message.contains("nesting"))
    }
}
