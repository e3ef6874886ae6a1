import ArgumentParser
import Foundation
import Testing
@testable import OptoPlanCLI

/// `optoplan report` and every subcommand's help.
@Suite("End to end: report and help")
struct ReportEndToEndTests {
    @Test("report regenerates self-contained HTML with SVG plots")
    func report() throws {
        // The repository's datasets, with the two largest stagger instances
        // swapped for a small one so the test stays quick.
        let root = OptoplanBinary.packageRoot.appendingPathComponent("datasets")
        var files: [String: String] = [:]
        for f in ["schedule/formats-example.json", "schedule/synthetic-n8-window.json", "linkpool/two-racks-8to1.json",
                  "stagger/vgg16-x3.json", "stagger/moe-pipeline-mix.json", "csv/synthetic_n8_skewed_MB.csv"] {
            files[f] = try String(contentsOf: root.appendingPathComponent(f), encoding: .utf8)
        }
        files["stagger/four-models.json"] = files["stagger/vgg16-x3.json"]
        files["stagger/two-links-six-jobs.json"] = E2EInstances.stagger(seed: 4, jobs: 4, links: 2, periods: [4, 6])
        let dir = try OptoplanBinary.directory(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try OptoplanBinary.run(["report", "--output", "out", "--datasets", dir.path, "--time-limit", "1"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let pages = ["index", "schedule-gantt", "linkpool-reference", "stagger-load"]
        for page in pages {
            let html = try String(contentsOf: dir.appendingPathComponent("out/\(page).html"), encoding: .utf8)
            #expect(html.hasPrefix("<!DOCTYPE html>"))
            #expect(!html.contains("<script"), "\(page) has a script")
            #expect(!html.contains("http://") || html.components(separatedBy: "http://").dropFirst().allSatisfy { $0.hasPrefix("www.w3.org/2000/svg") },
                    "\(page) refers to the network")
            #expect(!html.contains("https://"), "\(page) refers to the network")
            if page != "index" {
                #expect(html.components(separatedBy: "<svg").count - 1 >= 1, "\(page) has no plot")
                #expect(!html.contains("nan") && !html.contains("inf\""), "\(page) has a non-finite coordinate")
            }
        }
        // The link-pool page shows the reference figures: λ 0.625 symmetric, 1 asymmetric.
        let pool = try String(contentsOf: dir.appendingPathComponent("out/linkpool-reference.html"), encoding: .utf8)
        #expect(pool.contains("<td>0.625</td>"))
        #expect(pool.contains("factor of 1.60"))
    }

    @Test("report: a --datasets that is not a directory is a bad argument (64), and nothing is written")
    func reportMissingDatasets() throws {
        let dir = try OptoplanBinary.directory([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try OptoplanBinary.run(["report", "--output", "out", "--datasets", "no-such-dir"], in: dir)
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains("no-such-dir"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    @Test("every subcommand's help has an example that names the subcommand")
    func helpExamples() throws {
        for sub in OptoPlanCommand.configuration.subcommands {
            let name = sub.configuration.commandName ?? ""
            let help = OptoPlanCommand.helpMessage(for: sub)
            #expect(help.contains("Example"), "\(name) --help has no example")
            #expect(help.contains("optoplan \(name) "), "\(name) --help example does not run \(name)")
        }
    }

    /// Each command line of FORMATS.md "Command line" with its options.
    static let formatsOptions: [String: [String]] = [
        "schedule": ["--method", "--time-limit", "--slots", "--output"],
        "linkpool": ["--method", "--time-limit", "--output"],
        "stagger": ["--method", "--time-limit", "--output"],
        "evaluate": ["--actual", "--iterations"],
        "validate": [],
        "compare": ["--methods", "--format"],
        "batch": ["--output", "--shard", "--jobs"],
        "export": ["--as", "--output"],
    ]

    @Test("every command of FORMATS.md exists with its options; the top-level help gives the exit statuses and an example")
    func helpMatchesFormats() throws {
        let names = OptoPlanCommand.configuration.subcommands.map { $0.configuration.commandName ?? "" }
        for (name, options) in Self.formatsOptions {
            let sub = try #require(OptoPlanCommand.configuration.subcommands.first { $0.configuration.commandName == name }, "\(name) missing from \(names)")
            let help = OptoPlanCommand.helpMessage(for: sub)
            for option in options { #expect(help.contains(option + " "), "\(name) --help does not list \(option)") }
        }
        let top = try OptoplanBinary.run(["--help"])
        #expect(top.status == 0)
        // The help is wrapped at 80 columns: compare with single spaces.
        let text = top.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        for status in ["0 success", "1 the problem has no feasible plan", "64 bad arguments", "65 bad input"] {
            #expect(text.contains(status), "optoplan --help does not say \(status)")
        }
        #expect(top.stdout.contains("Example"))
        // --help on each subcommand exits 0 when run as a process.
        for name in names { #expect(try OptoplanBinary.run([name, "--help"]).status == 0, "\(name) --help") }
    }

    @Test("SVG helpers: round ticks and escaped text")
    func svgHelpers() {
        let unit = SVGChart.ticks(0, 1, count: 5)
        #expect(unit.count == 6)
        for (a, b) in zip(unit, [0, 0.2, 0.4, 0.6, 0.8, 1.0]) { #expect(abs(a - b) < 1e-12) }
        let t = SVGChart.ticks(0, 0.15, count: 5)
        #expect(t.first == 0)
        #expect(abs((t.last ?? 0) - 0.15) < 1e-12)
        #expect(SVGChart.escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;")
        #expect(SVGChart.label(4e11) == "400G")
    }
}
