import Foundation
import Testing
@testable import OptoCore

/// One case per kind of instance error: the message must name the file, the
/// place, and say what was wrong.
@Suite("Instance reader: every error names its place")
struct InstanceErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var base: String
        var path: [String]  // object keys and, as "#n", indices
        var value: String?  // JSON text, nil removes the value
        var place: String
        var fragment: String
        var testDescription: String { "\(place): \(fragment)" }
    }

    static func c(_ base: String, _ path: [String], _ value: String?, _ place: String, _ fragment: String) -> Case {
        Case(base: base, path: path, value: value, place: place, fragment: fragment)
    }

    /// The stagger fixture on a 10 µs step.
    static let fine = Fixtures.stagger.replacingOccurrences(of: #""step": "1ms""#, with: #""step": "10us""#)
    static let w = Fixtures.scheduleWindow, e = Fixtures.scheduleEpochs, l = Fixtures.linkpoolFull, s = Fixtures.stagger

    static let cases: [Case] = [
        // Quantities.
        c(w, ["fabric", "circuitRate"], #""20us""#, "fabric.circuitRate", #""20us" is a time, a rate was expected"#),
        c(w, ["fabric", "circuitRate"], #""20 furlongs""#, "fabric.circuitRate", "unknown unit \"furlongs\""),
        c(w, ["fabric", "circuitRate"], "-5", "fabric.circuitRate", "negative"),
        c(w, ["fabric", "circuitRate"], "0", "fabric.circuitRate", "must be more than 0"),
        c(w, ["fabric", "circuitRate"], "[1]", "fabric.circuitRate", "expected a rate"),
        c(w, ["fabric", "packetRate"], #""nan""#, "fabric.packetRate", "not a rate"),
        c(w, ["window"], #""1GB""#, "window", "is a volume, a time was expected"),
        c(w, ["fabric", "reconfigurationDelay"], #""-2us""#, "fabric.reconfigurationDelay", "negative"),
        c(w, ["demand", "#1", "#0"], #""1Gbps""#, "demand[1][0]", "is a rate, a volume was expected"),
        // Shapes and counts.
        c(w, ["fabric", "nodes"], "2.5", "fabric.nodes", "not a whole number"),
        c(w, ["fabric", "nodes"], "0", "fabric.nodes", "out of range"),
        c(w, ["fabric", "nodes"], "100000", "fabric.nodes", "at most 4096"),
        c(w, ["fabric", "ocsPortsPerNode"], "1.5", "fabric.ocsPortsPerNode", "not a whole number"),
        c(w, ["fabric", "ocsPortsPerNode"], "[1, 1, 1]", "fabric.ocsPortsPerNode", "3 values but there are 4 nodes"),
        c(w, ["fabric", "ocsPortsPerNode"], "[1, 1, -1, 1]", "fabric.ocsPortsPerNode[2]", "out of range"),
        c(w, ["fabric", "packetRate"], #"["1Gbps"]"#, "fabric.packetRate", "1 values but there are 4 nodes"),
        c(w, ["demand"], "[[0, 1], [1, 0]]", "demand", "2 rows but there are 4 nodes"),
        c(w, ["demand", "#2"], "[0, 0, 0]", "demand[2]", "3 values but there are 4 nodes"),
        c(w, ["demand"], "5", "demand", "expected an N×N matrix"),
        c(w, ["fabric"], nil, "", "missing \"fabric\""),
        c(w, ["fabric", "circuitRate"], nil, "fabric", "missing \"circuitRate\""),
        c(w, ["demand"], nil, "", "missing \"demand\" (window mode) or \"epochs\""),
        c(w, ["problem"], #""routing""#, "problem", "unknown problem \"routing\""),
        c(w, ["problem"], "3", "problem", "expected the problem kind"),
        c(w, ["epochs"], "[]", "epochs", "not both"),
        c(e, ["epochs"], "[]", "epochs", "the list of epochs is empty"),
        c(e, ["epochs", "#1", "duration"], "0", "epochs[1].duration", "must be more than 0"),
        c(e, ["epochs", "#0", "demand", "#1"], "[0, 0]", "epochs[0].demand[1]", "2 values but there are 3 nodes"),
        c(e, ["window"], #""1ms""#, "window", "epochs mode has no window"),
        // Transit (PROBLEMS.md "Common fabric"): 1 or 2, and 2 not in window mode.
        c(w, ["fabric", "maxHops"], "2", "fabric.maxHops", "window mode has no transit"),
        c(e, ["fabric", "maxHops"], "3", "fabric.maxHops", "out of range"),
        c(e, ["fabric", "maxHops"], "0", "fabric.maxHops", "out of range"),
        c(l, ["fabric", "maxHops"], "1.5", "fabric.maxHops", "not a whole number"),
        c(l, ["fabric", "maxHops"], "3", "fabric.maxHops", "at most 2"),
        c(e, ["fabric", "ocsPortsPerNode"], "[1, 2]", "fabric.ocsPortsPerNode", "2 values but there are 3 nodes"),
        c(w, ["demand"], #"{"csv": 3}"#, "demand.csv", "expected a path"),
        c(w, ["demand"], #"{"csv": "x.csv", "unit": "Gbps"}"#, "demand.unit", "a unit of rate, a volume unit was expected"),
        c(w, ["demand"], #"{"csv": "x.csv", "unit": "MiBs"}"#, "demand.unit", "unknown unit \"MiBs\""),
        // Link pool.
        c(l, ["objective"], #""fastest""#, "objective", "unknown objective \"fastest\""),
        c(l, ["current", "#0", "#1"], "7", "current[0][1]", "out of range"),
        c(l, ["current", "#1"], "[1, 1]", "current[1]", "joins node 1 to itself"),
        c(l, ["current", "#1"], "[1]", "current[1]", "expected a circuit [from, to]"),
        c(l, ["current"], "[[0,1],[0,1],[0,1],[0,1]]", "current", "node 0 sends on 4 circuits but fabric.tx allows 3"),
        c(l, ["current"], "[[0,2],[1,2]]", "current", "node 2 receives on 2 circuits but fabric.rx allows 1"),
        c(l, ["current"], "[[2,0],[1,2],[0,2]]", "current", "node 2 uses 3 ports (1 sending, 2 receiving) but has 2"),
        c(l, ["maxChanges"], "-1", "maxChanges", "out of range"),
        c(l, ["fabric", "tx"], "[1, 2]", "fabric.tx", "2 values but there are 3 nodes"),
        c(l, ["fabric", "opticalPorts"], #""4""#, "fabric.opticalPorts", "expected a port count (a whole number)"),
        c(l, ["demand", "#0", "#1"], #""8GB""#, "demand[0][1]", "is a volume, a rate was expected"),
        // Stagger.
        c(s, ["step"], #""0ms""#, "step", "must be more than 0"),
        c(s, ["jobs", "#1", "name"], #""gpt-a""#, "jobs[1].name", "duplicate job name \"gpt-a\""),
        c(s, ["links", "#1", "name"], #""agg-1""#, "links[1].name", "duplicate link name \"agg-1\""),
        c(s, ["links", "#1", "name"], #""""#, "links[1].name", "may not be empty"),
        c(s, ["jobs", "#1", "links", "#1"], #""agg-9""#, "jobs[1].links[1]", "unknown link \"agg-9\""),
        c(s, ["jobs", "#1", "links", "#1"], #""agg-1""#, "jobs[1].links[1]", "listed twice"),
        c(s, ["jobs", "#0", "period"], #""300.5ms""#, "jobs[0].period", "not a multiple of the step 1ms"),
        c(s, ["jobs", "#1", "phases", "#0", "start"], #""150.2ms""#, "jobs[1].phases[0].start", "not a multiple of the step"),
        c(s, ["jobs", "#1", "phases", "#1", "duration"], "0.0105", "jobs[1].phases[1].duration", "not a multiple of the step"),
        c(s, ["jobs", "#1", "phases", "#0", "start"], #""200ms""#, "jobs[1].phases[0].start", "not within the period 200ms"),
        c(s, ["jobs", "#1", "phases", "#0", "duration"], #""201ms""#, "jobs[1].phases[0].duration", "longer than the period"),
        c(s, ["jobs", "#1", "phases"], "[]", "jobs[1].phases", "at least one communication phase"),
        c(s, ["jobs", "#1", "phases", "#0", "rate"], #""1MB""#, "jobs[1].phases[0].rate", "is a volume, a rate was expected"),
        c(fine, ["jobs", "#1", "period"], #""997ms""#, "jobs[1].period", "hyper-period"),
        c(s, ["jobs", "#0", "period"], #""2000s""#, "jobs[0].period", "more than 1000000 steps"),
        c(s, ["links", "#0", "capacity"], "0", "links[0].capacity", "must be more than 0"),
        c(s, ["jobs"], "[]", "jobs", "the list of jobs is empty"),
        c(s, ["jobs", "#0"], "7", "jobs[0]", "expected a job (a JSON object)"),
    ]

    @Test("error names file and place", arguments: cases)
    func namesPlace(_ c: Case) throws {
        let path: [Any] = c.path.map { $0.hasPrefix("#") ? Int($0.dropFirst())! as Any : $0 as Any }
        let value = try c.value.map { try JSONValue.parse($0).get() }
        let text = try Fixtures.replacing(c.base, at: path, with: value)
        let errors = Fixtures.errors(text)
        let match = errors.first { $0.place == .json(c.place) && $0.message.contains(c.fragment) }
        #expect(match != nil, "got: \(errors.map(\.description))")
        if let match {
            let place = c.place.isEmpty ? "top level" : c.place
            #expect(match.description.hasPrefix("instance.json: \(place): "))
        }
        // read() throws the first error.
        #expect(throws: InputError.self) { try Fixtures.read(text) }
    }

    @Test("the lead's example message")
    func exampleMessage() throws {
        let text = try Fixtures.replacing(Fixtures.scheduleWindow, at: ["fabric", "circuitRate"], with: .string("20us"))
        #expect(Fixtures.errors(text).map(\.description) == [#"instance.json: fabric.circuitRate: "20us" is a time, a rate was expected"#])
    }

    @Test("check reports every error, not just the first")
    func allErrors() throws {
        var text = try Fixtures.replacing(Fixtures.stagger, at: ["jobs", 1, "name"], with: .string("gpt-a"))
        text = try Fixtures.replacing(text, at: ["step"], with: .string("2 parsecs"))
        text = try Fixtures.replacing(text, at: ["links", 0, "capacity"], with: .number(-1))
        let places = Set(Fixtures.errors(text).map(\.place))
        #expect(places.isSuperset(of: [.json("step"), .json("jobs[1].name"), .json("links[0].capacity")]))
    }

    @Test("JSON syntax errors name line and column")
    func syntax() {
        let errors = Fixtures.errors("{\n \"problem\": \"schedule\",\n \"fabric\": {nodes: 3}\n}")
        #expect(errors.map(\.description) == ["instance.json: line 3, column 13: expected a quoted key, found 'n'"])
    }

    @Test("CSV errors name the CSV file, line and column")
    func csv() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let instance = #"{"problem": "schedule", "fabric": {"nodes": 3, "ocsPortsPerNode": 1, "circuitRate": "10Gbps", "packetRate": 0}, "demand": {"csv": "d.csv"}}"#
        let cases: [(String, InputPlace, String)] = [
            ("a,b,c\n0,1,2\n3,4,5\n", .text(line: 1, column: 1), "\"a\" is not a number (the file must have no header)"),
            ("0,1,2\n3,x,5\n6,7,8\n", .text(line: 2, column: 2), "\"x\" is not a number"),
            ("0,1,2\n3,4\n6,7,8\n", .text(line: 2, column: 2), "only 2 values in row 2"),
            ("0,1,2,3\n", .text(line: 1, column: 4), "more than 3 values"),
            ("0,1,2\n3,4,5\n", .text(line: 3, column: 1), "only 2 rows"),
            ("0,1,2\n3,4,5\n6,7,8\n9,9,9\n", .text(line: 4, column: 1), "more than 3 rows"),
            ("0,1,2\n3,-4,5\n6,7,8\n", .text(line: 2, column: 2), "negative"),
            ("0,1,2\n3,inf,5\n6,7,8\n", .text(line: 2, column: 2), "not a number"),
            ("0,1,2\n3,,5\n6,7,8\n", .text(line: 2, column: 2), "empty field"),
        ]
        for (csv, place, fragment) in cases {
            try csv.write(to: dir.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
            let errors = InstanceReader.check(data: Data(instance.utf8), file: "sub/i.json", baseDirectory: dir).errors
            #expect(errors.count == 1)
            let e = try #require(errors.first)
            #expect(e.file == "sub/d.csv")
            #expect(e.place == place, "\(e)")
            #expect(e.message.contains(fragment), "\(e)")
            #expect(e.message.contains("the demand at demand in sub/i.json"))
        }
        let missing = InstanceReader.check(data: Data(instance.replacingOccurrences(of: "d.csv", with: "nope.csv").utf8), file: "i.json", baseDirectory: dir).errors
        #expect(missing.first?.place == .json("demand.csv"))
        #expect(missing.first?.message.contains("cannot read the CSV file nope.csv") == true)
    }

    @Test("unknown fields are ignored with a note")
    func unknownField() throws {
        let text = try Fixtures.replacing(Fixtures.linkpool, at: ["fabric", "circutRate"], with: .number(1))
        let (_, notes) = try Fixtures.read(text)
        #expect(notes.count == 1 && notes[0].hasPrefix("instance.json: fabric.circutRate: unknown field, ignored"))
    }

    @Test("a missing file is an error naming it")
    func missingFile() {
        let r = InstanceReader.check(contentsOf: URL(fileURLWithPath: "/nonexistent/x.json"))
        #expect(r.errors.first?.description.hasPrefix("/nonexistent/x.json: cannot read the file") == true)
    }
}
