import Foundation
import Testing
import OptoModel
import OptoGLPK

/// Where glpsol is, if installed (glpk-utils).
let glpsolPath: String? = {
    var dirs = ["/usr/bin", "/usr/local/bin"]
    dirs += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
    return dirs.map { $0 + "/glpsol" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// Runs glpsol on a file and returns the objective it prints.
func glpsolObjective(_ file: String, format: ModelFileFormat) throws -> Double {
    let out = file + ".sol.txt"
    defer { try? FileManager.default.removeItem(atPath: out) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: glpsolPath!)
    p.arguments = [format == .cplexLP ? "--lp" : "--freemps", file, "-o", out]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    let text = try String(contentsOfFile: out, encoding: .utf8)
    // "Objective:  obj = 11 (MAXimum)"
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Objective:") }),
          let eq = line.split(separator: "=").last?.split(separator: " ").first,
          let value = Double(eq) else {
        throw CocoaError(.fileReadCorruptFile)
    }
    return value
}

func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("optoplan-\(UUID().uuidString)-\(name)").path
}

@Suite("Export to LP and MPS")
struct ExportTests {
    static let optimalCases = ConformanceSuite.cases.filter {
        if case .optimal = $0.expectation { return true } else { return false }
    }.map(\.name) + ["withConstantAndOddNames", "keywordNames"]

    static func model(_ name: String) -> Model {
        if let c = ConformanceSuite.cases.first(where: { $0.name == name }) { return c.makeModel().0 }
        if name == "keywordNames" {
            // Names that are LP keywords or look like exponents, and a row named like the objective.
            let m = Model(name: "keywords")
            let names = ["e1", "E", "inf", "free", "st", "bounds", "end", "int", "bin", "x_1", "objective"]
            let x = names.map { m.addVariable(.integer, lowerBound: -2, upperBound: 3, name: $0) }
            m.addConstraint(.sum(x), .lessThanOrEqual(7), name: "objective")
            m.addConstraint(x[0] - x[1] + 2 * x[2], .interval(-1, 2), name: "subject")
            m.addConstraint(.sum(x[3..<7]), .greaterThanOrEqual(1), name: "st")
            m.setObjective(.weightedSum((1...names.count).map { Double($0) }, x), .maximize)
            return m
        }
        // Objective constant, names needing sanitising, duplicate and over-long names.
        let m = Model(name: "odd names")
        let x = m.addVariable(.integer, upperBound: 4, name: "x y")
        let y = m.addVariable(name: "x y")
        let z = m.addVariable(lowerBound: -.infinity, upperBound: 3, name: String(repeating: "é", count: 300))
        m.addConstraint(x + y + z, .lessThanOrEqual(7.5), name: "1st row")
        m.addConstraint(x - y, .interval(-1, 1), name: "\n")
        m.setObjective(2 * x + y + z + 10, .maximize)
        return m
    }

    @Test("glpsol solves the exported file to the same optimum",
          .enabled(if: glpsolPath != nil, "glpsol (glpk-utils) is not installed: install glpk-utils to run the export round trip"),
          arguments: optimalCases, ModelFileFormat.allCases)
    func roundTrip(_ name: String, _ format: ModelFileFormat) throws {
        let v = try Self.model(name).validated()
        let ours = try #require(try GLPKSolver().solve(v, options: SolverOptions()).objectiveValue)
        let path = temporaryPath("\(name).\(format.rawValue)")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try GLPKSolver.write(v, as: format, to: path)
        let theirs = try glpsolObjective(path, format: format)
        let expected = format == .freeMPS && v.sense == .maximize ? -ours : ours
        #expect(abs(theirs - expected) <= 1e-6 * (1 + abs(ours)), "glpsol \(theirs), ours \(expected)")
        if format == .freeMPS && v.sense == .maximize {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.hasPrefix(GLPKSolver.negatedObjectiveComment))
        }
    }

    @Test("writing to an unwritable path is a typed error")
    func unwritable() throws {
        let v = try Self.model("lpMaximize").validated()
        #expect(throws: ModelExportError.self) {
            try GLPKSolver.write(v, as: .cplexLP, to: "/nonexistent-dir/x.lp")
        }
    }
}
