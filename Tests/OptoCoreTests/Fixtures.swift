import Foundation
@testable import OptoCore

/// Small instances and helpers shared by the OptoCore tests.
enum Fixtures {
    static let scheduleWindow = """
    {
      "problem": "schedule",
      "fabric": { "nodes": 4, "ocsPortsPerNode": 1, "circuitRate": "100Gbps", "packetRate": "10Gbps", "reconfigurationDelay": "20us" },
      "window": "1ms",
      "demand": [[0, "2MB", 0, "64KB"], ["1MB", 0, 0, 0], [0, 0, 0, "3MB"], [0, "500KB", 0, 0]]
    }
    """

    static let scheduleEpochs = """
    {
      "problem": "schedule",
      "fabric": { "nodes": 3, "ocsPortsPerNode": [1, 2, 1], "circuitRate": 1e11, "packetRate": ["10Gbps", "20Gbps", 0], "reconfigurationDelay": 2e-5 },
      "epochs": [
        { "duration": "10ms", "demand": [[0, 1e6, 0], [0, 0, "1MiB"], [5, 0, 0]] },
        { "duration": 0.01, "demand": [[0, 0, 0], [1, 0, 2], [3, 4, 0]] }
      ]
    }
    """

    static let linkpool = """
    {
      "problem": "linkpool",
      "fabric": { "nodes": 2, "opticalPorts": 2, "circuitRate": "400Gbps", "packetRate": "100Gbps" },
      "demand": [[0, "8Gbps"], ["1Gbps", 0]],
      "objective": "concurrent"
    }
    """

    static let linkpoolFull = """
    {
      "problem": "linkpool",
      "fabric": { "nodes": 3, "opticalPorts": [4, 4, 2], "circuitRate": "400Gbps", "packetRate": ["100Gbps", "100Gbps", "50Gbps"],
                  "tx": [3, 3, 1], "rx": [3, 2, 1] },
      "demand": [[0, "8Gbps", 1e9], ["1Gbps", 0, 0], [0, "2Gbps", 0]],
      "objective": "throughput",
      "current": [[0, 1], [0, 1], [1, 2]],
      "maxChanges": 2
    }
    """

    static let collective = """
    {
      "problem": "collective",
      "fabric": { "nodes": 7, "ocsPortsPerNode": [1, 1, 1, 2, 1, 1, 1], "circuitRate": "400Gbps",
                  "packetRate": "10Gbps", "reconfigurationDelay": "10us", "maxHops": 3 },
      "current": [[0, 2], [2, 4], [4, 1], [1, 3], [3, 0]],
      "jobs": [
        { "name": "llm-a", "collectives": [
            { "name": "dp", "type": "allreduce", "group": [0, 1, 2, 3, 4], "bytes": "1GB" },
            { "name": "ep", "type": "alltoall", "group": [0, 1], "bytes": "2MB" } ] },
        { "name": "small", "collectives": [ { "name": "ar", "type": "allreduce", "group": [5, 6], "bytes": 1e6 } ] }
      ]
    }
    """

    static let stagger = """
    {
      "problem": "stagger",
      "step": "1ms",
      "links": [ { "name": "agg-1", "capacity": "100Gbps" }, { "name": "agg-2", "capacity": 4e10 } ],
      "jobs": [
        { "name": "gpt-a", "period": "300ms", "links": ["agg-1"],
          "phases": [ { "start": "200ms", "duration": "100ms", "rate": "80Gbps" } ] },
        { "name": "bert-b", "period": 0.2, "links": ["agg-1", "agg-2"],
          "phases": [ { "start": 0.15, "duration": 0.1, "rate": "30Gbps" }, { "start": 0, "duration": 0.01, "rate": 1e9 } ] }
      ]
    }
    """

    static func read(_ text: String, file: String = "instance.json", base: URL? = nil) throws(InputError) -> (instance: Instance, notes: [String]) {
        try InstanceReader.read(data: Data(text.utf8), file: file, baseDirectory: base)
    }

    /// The errors of a document, as `check` reports them.
    static func errors(_ text: String, base: URL? = nil) -> [InputError] {
        InstanceReader.check(data: Data(text.utf8), file: "instance.json", baseDirectory: base).errors
    }

    /// A fresh empty directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("optocore-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A JSON document with one value replaced (`path` of object keys and indices).
    static func replacing(_ text: String, at path: [Any], with value: JSONValue?) throws -> String {
        let json = try JSONValue.parse(text).get()
        return edit(json, path[...], value)?.serialized(pretty: false) ?? ""
    }

    private static func edit(_ json: JSONValue, _ path: ArraySlice<Any>, _ value: JSONValue?) -> JSONValue? {
        guard let head = path.first else { return value }
        switch (json, head) {
        case (.object(var members), let key as String):
            if let k = members.firstIndex(where: { $0.key == key }) {
                if let v = edit(members[k].value, path.dropFirst(), value) { members[k].value = v } else { members.remove(at: k) }
            } else if let value, path.count == 1 {
                members.append((key, value))
            }
            return .object(members)
        case (.array(var elements), let index as Int):
            if let v = edit(elements[index], path.dropFirst(), value) { elements[index] = v } else { elements.remove(at: index) }
            return .array(elements)
        default:
            return json
        }
    }
}
