import Foundation
import Testing
@testable import OptoCore

@Suite("Instance reader: valid files")
struct InstanceReaderTests {
    @Test("schedule window mode, units converted")
    func scheduleWindow() throws {
        let (instance, notes) = try Fixtures.read(Fixtures.scheduleWindow)
        #expect(notes.isEmpty)
        guard case .schedule(let s) = instance, case .window(let d, let w) = s.mode else { Issue.record("not a window instance"); return }
        #expect(s.fabric.nodes == 4)
        #expect(s.fabric.ocsPortsPerNode == [1, 1, 1, 1])
        #expect(abs(s.fabric.circuitRate - 1e11) < 1e-3)
        #expect(s.fabric.packetRate.allSatisfy { abs($0 - 1e10) < 1e-3 })
        #expect(abs(s.fabric.reconfigurationDelay - 2e-5) < 1e-15)
        #expect(abs((w ?? 0) - 1e-3) < 1e-15)
        #expect(abs(d[0, 1] - 2e6) < 1e-6 && abs(d[0, 3] - 64e3) < 1e-6 && abs(d[3, 1] - 5e5) < 1e-6)
    }

    @Test("schedule epochs mode with per-node lists")
    func scheduleEpochs() throws {
        let (instance, notes) = try Fixtures.read(Fixtures.scheduleEpochs)
        guard case .schedule(let s) = instance, case .epochs(let epochs) = s.mode else { Issue.record("not an epochs instance"); return }
        #expect(s.fabric.ocsPortsPerNode == [1, 2, 1])
        #expect(abs(s.fabric.packetRate[1] - 2e10) < 1e-3 && s.fabric.packetRate[2] == 0)
        #expect(epochs.count == 2)
        #expect(abs(epochs[0].demand[1, 2] - 1_048_576) < 1e-9)
        #expect(abs(epochs[0].duration - 0.01) < 1e-15)
        #expect(notes.isEmpty)
    }

    @Test("diagonal demand is zeroed with a note")
    func diagonal() throws {
        let text = try Fixtures.replacing(Fixtures.scheduleWindow, at: ["demand", 2, 2], with: .string("7MB"))
        let (instance, notes) = try Fixtures.read(text)
        guard case .schedule(let s) = instance, case .window(let d, _) = s.mode else { Issue.record("wrong kind"); return }
        #expect(d[2, 2] == 0)
        #expect(notes.count == 1)
        #expect(notes.first?.contains("instance.json: demand: 1 non-zero diagonal entry (7MB in all) ignored") == true)
    }

    @Test("link pool with caps, current circuits and change limit")
    func linkpool() throws {
        let (instance, _) = try Fixtures.read(Fixtures.linkpoolFull)
        guard case .linkpool(let l) = instance else { Issue.record("wrong kind"); return }
        #expect(l.fabric.opticalPorts == [4, 4, 2] && l.fabric.tx == [3, 3, 1] && l.fabric.rx == [3, 2, 1])
        #expect(l.objective == .throughput)
        #expect(l.current == [Circuit(0, 1), Circuit(0, 1), Circuit(1, 2)])
        #expect(l.maxChanges == 2)
        #expect(abs(l.demand[0, 1] - 8e9) < 1e-3)
        let (simple, _) = try Fixtures.read(Fixtures.linkpool)
        guard case .linkpool(let s) = simple else { Issue.record("wrong kind"); return }
        #expect(s.objective == .concurrent && s.current == nil && s.maxChanges == nil)
    }

    @Test("stagger: times snapped to the step grid")
    func stagger() throws {
        let (instance, _) = try Fixtures.read(Fixtures.stagger)
        guard case .stagger(let s) = instance else { Issue.record("wrong kind"); return }
        #expect(s.links.map(\.name) == ["agg-1", "agg-2"])
        #expect(s.jobs.map(\.name) == ["gpt-a", "bert-b"])
        #expect(abs(s.jobs[0].period - 0.3) < 1e-12 && abs(s.jobs[0].phases[0].start - 0.2) < 1e-12)
        #expect(abs(s.jobs[1].phases[0].rate - 3e10) < 1e-3)
        // 0.3 s on a 0.1 s step is 2.9999999999999996 steps in binary: on the grid.
        let decimal = #"{"problem":"stagger","step":0.1,"links":[{"name":"l","capacity":1}],"jobs":[{"name":"j","period":0.3,"links":["l"],"phases":[{"start":0.7000000000000001,"duration":0.1,"rate":1}]}]}"#
        #expect(throws: InputError.self) { try Fixtures.read(decimal) } // start 0.7 ≥ period 0.3
        let ok = #"{"problem":"stagger","step":0.1,"links":[{"name":"l","capacity":1}],"jobs":[{"name":"j","period":0.30000000000000004,"links":["l"],"phases":[{"start":0.2,"duration":0.1,"rate":1}]}]}"#
        let (snapped, _) = try Fixtures.read(ok)
        guard case .stagger(let t) = snapped else { return }
        #expect(abs(t.jobs[0].period / t.step - 3) < 1e-12)
    }

    @Test("CSV demand relative to the instance file")
    func csvDemand() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("m"), withIntermediateDirectories: true)
        try "# a comment\n0, 1.5, 2\r\n3,0,4\n\n5,6,7\n".write(to: dir.appendingPathComponent("m/d.csv"), atomically: true, encoding: .utf8)
        let text = """
        {"problem": "schedule", "fabric": {"nodes": 3, "ocsPortsPerNode": 1, "circuitRate": "10Gbps", "packetRate": "1Gbps"},
         "demand": {"csv": "m/d.csv", "unit": "MB"}}
        """
        let file = dir.appendingPathComponent("i.json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let (instance, notes) = try InstanceReader.read(contentsOf: file)
        guard case .schedule(let s) = instance, case .window(let d, nil) = s.mode else { Issue.record("wrong kind"); return }
        #expect(abs(d[0, 1] - 1.5e6) < 1e-6 && abs(d[2, 1] - 6e6) < 1e-6 && d[2, 2] == 0)
        #expect(notes.count == 1) // the 7 on the diagonal
        #expect(s.fabric.reconfigurationDelay == 0)
    }

    @Test("transit: fabric.maxHops is 1 by default and 2 where given, for link pools and epochs mode")
    func transitHops() throws {
        let (plain, _) = try Fixtures.read(Fixtures.linkpoolFull)
        guard case .linkpool(let l1) = plain else { Issue.record("wrong kind"); return }
        #expect(l1.maxHops == 1)
        let (two, notes) = try Fixtures.read(try Fixtures.replacing(Fixtures.linkpoolFull, at: ["fabric", "maxHops"], with: .number(2)))
        guard case .linkpool(let l2) = two else { Issue.record("wrong kind"); return }
        #expect(l2.maxHops == 2 && notes.isEmpty)
        let (epochs, _) = try Fixtures.read(try Fixtures.replacing(Fixtures.scheduleEpochs, at: ["fabric", "maxHops"], with: .number(2)))
        guard case .schedule(let e) = epochs else { Issue.record("wrong kind"); return }
        #expect(e.maxHops == 2)
        // Written back only when it is not the default.
        #expect(InstanceWriter.text(two).contains("\"maxHops\""))
        #expect(!InstanceWriter.text(plain).contains("\"maxHops\""))
    }

    @Test("round trip of every instance kind through the writer")
    func roundTrip() throws {
        let transitLinkPool = try Fixtures.replacing(Fixtures.linkpoolFull, at: ["fabric", "maxHops"], with: .number(2))
        let transitEpochs = try Fixtures.replacing(Fixtures.scheduleEpochs, at: ["fabric", "maxHops"], with: .number(2))
        for text in [Fixtures.scheduleWindow, Fixtures.scheduleEpochs, Fixtures.linkpool, Fixtures.linkpoolFull, Fixtures.stagger,
                     transitLinkPool, transitEpochs] {
            let (instance, _) = try Fixtures.read(text)
            let written = InstanceWriter.text(instance)
            let (again, notes) = try Fixtures.read(written)
            #expect(again == instance)
            #expect(notes.isEmpty)
        }
        // Through a file, atomically.
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (instance, _) = try Fixtures.read(Fixtures.stagger)
        let url = dir.appendingPathComponent("s.json")
        try InstanceWriter.write(instance, to: url)
        #expect(try InstanceReader.read(contentsOf: url).instance == instance)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["s.json"])
    }

    @Test("expecting a kind")
    func expecting() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("l.json")
        try Fixtures.linkpool.write(to: url, atomically: true, encoding: .utf8)
        #expect(try InstanceReader.read(contentsOf: url, expecting: .linkpool).instance.problem == .linkpool)
        do {
            _ = try InstanceReader.read(contentsOf: url, expecting: .schedule)
            Issue.record("accepted a linkpool instance as schedule")
        } catch {
            #expect(error.place == .json("problem"))
            #expect(error.message.contains("linkpool instance; a schedule instance was expected"))
        }
    }
}
