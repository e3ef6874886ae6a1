extension PlanChecker {
    /// A collective plan against its instance: circuits in range and within
    /// each node's `k_i` transmitters and receivers; exactly `current` when
    /// `reconfigure` is false; one `rings` entry per allreduce (and none for
    /// anything else), each ring a permutation of its group, ring bytes
    /// non-negative and summing to the collective's `bytes` (relative
    /// tolerance `tolerance`); a claimed time not below the lower bound.
    static func checkCollective(_ p: CollectivePlan, _ c: CollectiveInstance, _ out: inout Problems) {
        out.circuits(p.circuits, "circuits", nodes: c.fabric.nodes)
        portLimits(p.circuits, ports: c.fabric.ocsPortsPerNode, "circuits", &out)
        if !c.reconfigure, let current = c.current, current.sorted() != p.circuits.sorted() {
            out.add("circuits", "the instance has \"reconfigure\": false, so the plan must keep exactly the current circuits")
        }
        var expected = Set<String>()
        for job in c.jobs {
            for coll in job.collectives where coll.kind == .allreduce {
                let key = CollectiveInstance.key(job: job.name, collective: coll.name)
                expected.insert(key)
                guard let rings = p.rings[key] else {
                    out.add("rings", "no rings for the allreduce \"\(key)\"")
                    continue
                }
                if rings.isEmpty { out.add("rings.\(key)", "an allreduce needs at least one ring") }
                let group = coll.group.sorted()
                var total = 0.0
                for (r, ring) in rings.enumerated() {
                    if ring.order.sorted() != group {
                        out.add("rings.\(key)[\(r)].order", "the ring is not a permutation of the group \(coll.group)")
                    }
                    total += ring.bytes
                }
                if !rings.isEmpty, abs(total - coll.bytes) > tolerance * max(coll.bytes, 1) {
                    out.add("rings.\(key)", "the rings' bytes sum to \(JSONValue.numberText(total)); the collective has \(JSONValue.numberText(coll.bytes))")
                }
            }
        }
        for key in p.rings.keys.sorted() where !expected.contains(key) {
            out.add("rings.\(key)", "\"\(key)\" is not an allreduce of the instance (keys are job/collective)")
        }
        if let claimed = p.metrics.time {
            let start = c.startDelay(for: p.circuits)
            let bound = c.jobLowerBounds(startDelay: start).max() ?? 0
            if claimed < bound * (1 - tolerance) {
                out.add("metrics.time", "\(JSONValue.numberText(claimed)) s is below the lower bound \(JSONValue.numberText(bound)) s")
            }
        }
    }
}
