/// Max-min fair rates by progressive filling, for any set of shared
/// resources (links, ports) and flows that each cross some of them and may
/// have their own rate cap, optionally in strict priority classes.
///
/// Progressive filling raises the rate of every unfrozen flow of the class
/// being filled together; a flow freezes when one of its resources is full
/// or when it reaches its cap. Instead of raising in small steps, the next
/// freezing level is found exactly: a resource `r` with remaining capacity
/// `c_r` shared by `n_r` unfrozen flows fills at level `c_r / n_r`, a flow
/// with cap `u_f` at `u_f`; the smallest of those is next. Freezing flows
/// at level `ℓ ≤ c_r / n_r` only raises `c_r / n_r`, so a lazy heap of the
/// resources' levels stays valid (a popped entry is re-checked and pushed
/// back when it was stale). Classes are filled in order on what the higher
/// classes left.
struct MaxMinProblem {
    /// Capacity of each resource (bits per second).
    var capacities: [Double]
    /// The resources each flow crosses.
    var flowResources: [[Int]]
    /// Each flow's own rate cap; `.infinity` for none. A flow that crosses
    /// no resource must have a finite cap.
    var caps: [Double]
    /// Each flow's priority class, 0 highest. Empty: every flow in class 0.
    var classes: [Int] = []

    /// The max-min fair rate of every flow.
    ///
    /// - Complexity: O((F + R) log(F + R) + Σ_f |resources(f)|) per class
    ///   when stale heap entries are few, for `F` flows and `R` resources.
    func solve() -> [Double] {
        let flowCount = flowResources.count
        let resourceCount = capacities.count
        var rates = Array(repeating: 0.0, count: flowCount)
        guard flowCount > 0 else { return rates }
        var remaining = capacities
        // Flows of each resource.
        var users = Array(repeating: [Int](), count: resourceCount)
        for f in 0..<flowCount { for r in flowResources[f] { users[r].append(f) } }
        let classOf = classes.isEmpty ? Array(repeating: 0, count: flowCount) : classes
        let classOrder = Array(Set(classOf)).sorted()
        var frozen = Array(repeating: true, count: flowCount)
        var count = Array(repeating: 0, count: resourceCount)
        var heap = LazyMinHeap()
        for cls in classOrder {
            let members = (0..<flowCount).filter { classOf[$0] == cls }
            for r in 0..<resourceCount { count[r] = 0 }
            for f in members {
                frozen[f] = false
                for r in flowResources[f] { count[r] += 1 }
            }
            let byCap = members.filter { caps[$0] < .infinity }.sorted { caps[$0] < caps[$1] }
            var capIndex = 0
            heap.removeAll()
            for r in 0..<resourceCount where count[r] > 0 {
                heap.push(max(0, remaining[r]) / Double(count[r]), r)
            }
            var unfrozen = members.count
            var level = 0.0
            while unfrozen > 0 {
                while capIndex < byCap.count && frozen[byCap[capIndex]] { capIndex += 1 }
                let capLevel = capIndex < byCap.count ? caps[byCap[capIndex]] : .infinity
                // The resource that fills first, skipping stale entries.
                var resource = -1
                var resourceLevel = Double.infinity
                while let (stored, r) = heap.pop() {
                    if count[r] == 0 { continue }
                    let actual = max(0, remaining[r]) / Double(count[r])
                    if actual > stored * (1 + 1e-12) {
                        heap.push(actual, r)
                        continue
                    }
                    resource = r
                    resourceLevel = actual
                    break
                }
                if resource < 0 && capLevel == .infinity {
                    // Flows with no resource and no cap: unbounded. Callers
                    // never build them; give them nothing rather than infinity.
                    for f in members where !frozen[f] { frozen[f] = true }
                    break
                }
                if capLevel <= resourceLevel {
                    if resource >= 0 { heap.push(resourceLevel, resource) }
                    let f = byCap[capIndex]
                    level = max(level, capLevel)
                    rates[f] = capLevel
                    frozen[f] = true
                    unfrozen -= 1
                    for r in flowResources[f] {
                        remaining[r] -= capLevel
                        count[r] -= 1
                    }
                } else {
                    level = max(level, resourceLevel)
                    let r = resource
                    for f in users[r] where !frozen[f] {
                        rates[f] = level
                        frozen[f] = true
                        unfrozen -= 1
                        for q in flowResources[f] {
                            remaining[q] -= level
                            count[q] -= 1
                        }
                    }
                }
            }
        }
        return rates
    }
}
