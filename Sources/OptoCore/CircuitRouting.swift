/// The routing rule of PROBLEMS.md §4 over a fixed configuration: a
/// transfer `u→v` rides the circuits `u→v` when there are any, else the
/// shortest circuit path of at most `maxHops` circuits (fewest hops, ties
/// to the lexicographically smallest node sequence); with no such path it
/// has no circuit route (the packet fabric alone carries it).
///
/// The evaluator and the collective planner share this type, so a plan is
/// scored on exactly the routes it was planned with.
public struct CircuitRouting: Sendable {
    /// Number of nodes.
    public let nodes: Int
    /// The most circuits a route may cross.
    public let maxHops: Int
    /// `multiplicity[u*N+v]`: parallel circuits `u→v`.
    public let multiplicity: [Int]
    /// Out-neighbours with at least one circuit, ascending.
    let successors: [[Int]]

    /// - Complexity: O(N² + circuits).
    public init(nodes: Int, circuits: [Circuit], maxHops: Int) {
        self.nodes = nodes
        self.maxHops = max(1, maxHops)
        var m = Array(repeating: 0, count: nodes * nodes)
        for c in circuits where c.from >= 0 && c.from < nodes && c.to >= 0 && c.to < nodes && c.from != c.to {
            m[c.from * nodes + c.to] += 1
        }
        multiplicity = m
        successors = (0..<nodes).map { u in (0..<nodes).filter { m[u * nodes + $0] > 0 } }
    }

    /// Parallel circuits `u→v`.
    public func circuits(_ u: Int, _ v: Int) -> Int { multiplicity[u * nodes + v] }

    /// The node sequence `u, …, v` of the route, or nil when no path of at
    /// most `maxHops` circuits exists. `u == v` has the empty route `[u]`.
    /// Callers routing many transfers from one node use ``routes(from:)``.
    /// - Complexity: O(N·maxHops + circuits).
    public func route(_ u: Int, _ v: Int) -> [Int]? {
        if u == v { return [u] }
        if circuits(u, v) > 0 { return [u, v] }
        return routes(from: u)[v]
    }

    /// All routes from `u` at once (one search): `routes[v]` as `route(u, v)`.
    ///
    /// Breadth-first search visiting successors in ascending order: by
    /// induction on the level, the queue holds each level's nodes in the
    /// lexicographic order of their paths, so the first parent found gives
    /// the lexicographically smallest shortest path.
    /// - Complexity: O(N·maxHops + circuits).
    public func routes(from u: Int) -> [[Int]?] {
        var parent = Array(repeating: -1, count: nodes)
        var depth = Array(repeating: -1, count: nodes)
        depth[u] = 0
        var queue = [u]
        var head = 0
        while head < queue.count {
            let x = queue[head]; head += 1
            if depth[x] == maxHops { continue }
            for y in successors[x] where depth[y] < 0 {
                depth[y] = depth[x] + 1
                parent[y] = x
                queue.append(y)
            }
        }
        return (0..<nodes).map { v -> [Int]? in
            if v == u { return [u] }
            if circuits(u, v) > 0 { return [u, v] }
            guard depth[v] > 0 else { return nil }
            var path = [v]
            var z = v
            while z != u { z = parent[z]; path.append(z) }
            return path.reversed()
        }
    }
}
