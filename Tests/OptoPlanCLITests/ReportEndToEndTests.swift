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
        let pages = ["index", "schedule-gantt", "exact-vs-heuristic", "linkpool-reference", "stagger-load"]
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

    @Test("every subcommand's help has an example that names the subcommand")
    func helpExamples() throws {
        for sub in OptoPlanCommand.configuration.subcommands {
            let name = sub.configuration.commandName ?? ""
            let help = OptoPlanCommand.helpMessage(for: sub)
            #expect(help.contains("Example"), "\(name) --help has no example")
            #expect(help.contains("optoplan \(name) "), "\(name) --help example does not run \(name)")
        }
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
