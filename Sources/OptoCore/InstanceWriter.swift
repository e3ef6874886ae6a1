#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Writes instances in the file format of FORMATS.md, quantities as plain
/// numbers in base units (exact: reading the file back gives the same
/// instance). Per-node lists whose values are all equal are written as one
/// number.
public enum InstanceWriter {
    /// The instance as a JSON document.
    public static func json(_ instance: Instance) -> JSONValue {
        switch instance {
        case .schedule(let s): json(s)
        case .linkpool(let l): json(l)
        case .stagger(let s): json(s)
        case .collective(let c): json(c)
        }
    }

    /// The instance as pretty JSON text.
    public static func text(_ instance: Instance) -> String { json(instance).serialized(pretty: true) }

    /// Writes the instance to `url` atomically.
    public static func write(_ instance: Instance, to url: URL) throws(OutputError) {
        try AtomicFile.write(text(instance), to: url)
    }

    static func number(_ x: Double) -> JSONValue { .number(x) }

    static func perNode(_ xs: [Double]) -> JSONValue {
        if let f = xs.first, xs.allSatisfy({ $0 == f }) { return .number(f) }
        return .array(xs.map(JSONValue.number))
    }

    static func perNode(_ xs: [Int]) -> JSONValue { perNode(xs.map(Double.init)) }

    /// A matrix as nested arrays.
    public static func matrix(_ m: Matrix) -> JSONValue {
        .array(m.nestedRows.map { .array($0.map(JSONValue.number)) })
    }

    static func circuits(_ cs: [Circuit]) -> JSONValue {
        .array(cs.map { .array([.number(Double($0.from)), .number(Double($0.to))]) })
    }

    /// The members of a schedule-style `fabric` object (schedules and collectives).
    static func fabricMembers(_ f: Fabric) -> [(key: String, value: JSONValue)] {
        [
            ("nodes", .number(Double(f.nodes))),
            ("ocsPortsPerNode", perNode(f.ocsPortsPerNode)),
            ("circuitRate", .number(f.circuitRate)),
            ("packetRate", perNode(f.packetRate)),
            ("reconfigurationDelay", .number(f.reconfigurationDelay)),
        ]
    }

    static func json(_ s: ScheduleInstance) -> JSONValue {
        let f = s.fabric
        var members: [(key: String, value: JSONValue)] = [
            ("problem", .string("schedule")),
            ("fabric", .object(fabricMembers(f) + (s.maxHops == 1 ? [] : [("maxHops", .number(Double(s.maxHops)))]))),
        ]
        switch s.mode {
        case .window(let demand, let window):
            if let window { members.append(("window", .number(window))) }
            members.append(("demand", matrix(demand)))
        case .epochs(let epochs):
            members.append(("epochs", .array(epochs.map {
                .object([("duration", .number($0.duration)), ("demand", matrix($0.demand))])
            })))
        }
        return .object(members)
    }

    static func json(_ l: LinkPoolInstance) -> JSONValue {
        let f = l.fabric
        var fabric: [(key: String, value: JSONValue)] = [
            ("nodes", .number(Double(f.nodes))),
            ("opticalPorts", perNode(f.opticalPorts)),
            ("circuitRate", .number(f.circuitRate)),
            ("packetRate", perNode(f.packetRate)),
        ]
        if let tx = f.tx { fabric.append(("tx", .array(tx.map { .number(Double($0)) }))) }
        if let rx = f.rx { fabric.append(("rx", .array(rx.map { .number(Double($0)) }))) }
        if l.maxHops != 1 { fabric.append(("maxHops", .number(Double(l.maxHops)))) }
        var members: [(key: String, value: JSONValue)] = [
            ("problem", .string("linkpool")),
            ("fabric", .object(fabric)),
            ("demand", matrix(l.demand)),
            ("objective", .string(l.objective.rawValue)),
        ]
        if let c = l.current { members.append(("current", circuits(c))) }
        if let m = l.maxChanges { members.append(("maxChanges", .number(Double(m)))) }
        return .object(members)
    }

    static func json(_ s: StaggerInstance) -> JSONValue {
        .object([
            ("problem", .string("stagger")),
            ("step", .number(s.step)),
            ("links", .array(s.links.map { .object([("name", .string($0.name)), ("capacity", .number($0.capacity))]) })),
            ("jobs", .array(s.jobs.map { job in
                .object([
                    ("name", .string(job.name)),
                    ("period", .number(job.period)),
                    ("links", .array(job.links.map(JSONValue.string))),
                    ("phases", .array(job.phases.map {
                        .object([("start", .number($0.start)), ("duration", .number($0.duration)), ("rate", .number($0.rate))])
                    })),
                ])
            })),
        ])
    }

    static func json(_ c: CollectiveInstance) -> JSONValue {
        let f = c.fabric
        var members: [(key: String, value: JSONValue)] = [
            ("problem", .string("collective")),
            ("fabric", .object(fabricMembers(f) + [("maxHops", .number(Double(c.maxHops)))])),
        ]
        if let current = c.current { members.append(("current", circuits(current))) }
        members.append(("reconfigure", .bool(c.reconfigure)))
        members.append(("jobs", .array(c.jobs.map { job in
            .object([
                ("name", .string(job.name)),
                ("collectives", .array(job.collectives.map {
                    .object([
                        ("name", .string($0.name)),
                        ("type", .string($0.kind.rawValue)),
                        ("group", .array($0.group.map { .number(Double($0)) })),
                        ("bytes", .number($0.bytes)),
                    ])
                })),
            ])
        })))
        return .object(members)
    }
}
