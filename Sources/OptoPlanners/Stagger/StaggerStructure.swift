/// The structure of a stagger instance the exact model exploits:
/// independent components, rotation symmetry and identical jobs.
///
/// **Components.** Jobs that share no link (directly or through other
/// jobs) do not interact: excess adds up over components and the peak is
/// the largest component peak, so each component is solved on its own.
///
/// **Rotation.** Shifting every offset of a component by the same `δ`
/// (each taken modulo its own period) rotates the component's link loads
/// cyclically over the hyper-period `H`, which every period divides, so
/// excess and peak do not change. Hence one job `a` of each component can
/// be fixed to offset 0. What is left of the symmetry is the shifts by
/// multiples of `P_a`; under them a second job `b` moves through its
/// offsets in steps of `g = gcd(P_a, P_b)`, so `b` can be restricted to
/// `0..<g`. When all periods are equal `g = P_b` and only the first fix
/// applies — the care needed when periods differ is to use `gcd`, not
/// `P_b`, and to pick `b` with a period other than `P_a`.
///
/// **Identical jobs** (same period, profile and links) can swap offsets
/// without changing anything, so within each class offsets are ordered:
/// `o_{c1} ≤ o_{c2} ≤ …`. Combined with the two fixes above this stays
/// valid when `a` and `b` are the first of their classes: after rotating
/// and shifting, sorting each class gives its first member the class's
/// smallest offset, which is 0 for `a` (a's class-mates have period `P_a`,
/// so the shift leaves them alone) and below `g` for `b`.
/// ``canonicalise(_:)`` performs exactly these steps, which is how a
/// heuristic plan becomes a feasible warm start.
struct StaggerStructure {
    /// One component of jobs linked through shared links.
    struct Component {
        /// Jobs, ascending.
        var jobs: [Int]
        /// Links those jobs use, ascending.
        var links: [Int]
        /// Classes of identical jobs, each in instance order (singletons omitted).
        var classes: [[Int]]
        /// The job fixed to offset 0.
        var anchor: Int
        /// The job restricted to `0..<gcd`, with that bound, when it helps.
        var second: (job: Int, bound: Int)?
        /// Allowed offsets per job of the component.
        var allowed: [Int: [Int]]
    }

    let grid: StaggerGrid
    let components: [Component]

    init(grid: StaggerGrid) {
        self.grid = grid
        let n = grid.jobs.count
        var parent = Array(0..<n)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        for jobsOnLink in grid.jobsOnLink where jobsOnLink.count > 1 {
            let r = find(jobsOnLink[0])
            for k in jobsOnLink.dropFirst() { parent[find(k)] = r }
        }
        var byRoot: [Int: [Int]] = [:]
        for k in 0..<n where grid.jobs[k].isLoaded { byRoot[find(k), default: []].append(k) }
        var components: [Component] = []
        for root in byRoot.keys.sorted() {
            let jobs = byRoot[root]!.sorted()
            components.append(Self.component(grid: grid, jobs: jobs))
        }
        self.components = components.sorted { $0.jobs[0] < $1.jobs[0] }
    }

    private static func component(grid: StaggerGrid, jobs: [Int]) -> Component {
        let links = Array(Set(jobs.flatMap { grid.jobs[$0].links })).sorted()
        // Identical-job classes, keyed by period, links and profile.
        var classOf: [Int: Int] = [:]
        var classes: [[Int]] = []
        for k in jobs {
            let jk = grid.jobs[k]
            if let c = classes.firstIndex(where: { cls in
                let j0 = grid.jobs[cls[0]]
                return j0.period == jk.period && Set(j0.links) == Set(jk.links) && j0.profile == jk.profile
            }) {
                classes[c].append(k)
                classOf[k] = c
            } else {
                classOf[k] = classes.count
                classes.append([k])
            }
        }
        let leaders = classes.map { $0[0] }
        // Anchor: the leader with the longest period (ties: largest volume,
        // then first), so that the gcd with other periods is most useful.
        let anchor = leaders.max { a, b in
            let ja = grid.jobs[a], jb = grid.jobs[b]
            if ja.period != jb.period { return ja.period < jb.period }
            if ja.bitsPerHyperPeriod != jb.bitsPerHyperPeriod { return ja.bitsPerHyperPeriod < jb.bitsPerHyperPeriod }
            return a > b
        }!
        var second: (job: Int, bound: Int)?
        var bestRatio = 1.0
        for b in leaders where b != anchor {
            let pb = grid.jobs[b].period
            let g = gcd(grid.jobs[anchor].period, pb)
            let ratio = Double(g) / Double(pb)
            if g < pb, ratio < bestRatio { bestRatio = ratio; second = (b, g) }
        }
        var allowed: [Int: [Int]] = [:]
        for k in jobs { allowed[k] = Array(0..<grid.jobs[k].period) }
        allowed[anchor] = [0]
        if let s = second { allowed[s.job] = Array(0..<s.bound) }
        return Component(jobs: jobs, links: links, classes: classes.filter { $0.count > 1 },
                         anchor: anchor, second: second, allowed: allowed)
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var x = a, y = b
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }

    /// Offsets with the same excess and peak as `offsets` that satisfy
    /// every restriction of every component (anchor at 0, second job below
    /// its gcd, identical jobs ordered). Jobs outside components keep theirs.
    ///
    /// - Complexity: O(jobs × max period).
    func canonicalise(_ offsets: [Int]) -> [Int] {
        var o = offsets
        for c in components {
            let pa = grid.jobs[c.anchor].period
            let shift = o[c.anchor]
            for k in c.jobs {
                let p = grid.jobs[k].period
                o[k] = ((o[k] - shift) % p + p) % p
            }
            if let s = c.second {
                let pb = grid.jobs[s.job].period
                let members = c.classes.first { $0[0] == s.job } ?? [s.job]
                // A multiple of P_a that brings some member of b's class below g.
                var m = 0
                search: while m < pb {
                    for k in members where (o[k] + m * pa) % pb < s.bound { break search }
                    m += 1
                }
                for k in c.jobs {
                    let p = grid.jobs[k].period
                    o[k] = (o[k] + (m % p) * (pa % p)) % p
                }
            }
            for cls in c.classes {
                let sorted = cls.map { o[$0] }.sorted()
                for (i, k) in cls.enumerated() { o[k] = sorted[i] }
            }
        }
        return o
    }
}
