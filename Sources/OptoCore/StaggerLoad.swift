/// Link loads of a stagger plan over the hyper-period, computed directly
/// from PROBLEMS.md §3 (independently of the planners, so that
/// `optoplan validate` can check what a plan claims).
public enum StaggerLoad {
    /// Excess (bits over capacity per hyper-period) and peak (max load over
    /// capacity) of the offsets, given in steps, one per job in instance
    /// order. Nil when the hyper-period is longer than
    /// `InstanceReader.maximumHyperperiodSlots`.
    ///
    /// A phase of job `k` with offset `o` is active at slot `τ` when
    /// `(τ − o − start) mod P` is below its duration (all in steps); the
    /// load of link `l` at `τ` is the sum of the rates of the active phases
    /// of the jobs on `l`; excess is `Σ_l Σ_τ max(0, load − C_l)·Δ`.
    /// - Complexity: O(links × H + Σ_jobs phases × H), H the hyper-period in steps.
    public static func score(_ s: StaggerInstance, offsetSteps: [Int]) -> (excess: Double, peak: Double)? {
        guard offsetSteps.count == s.jobs.count else { return nil }
        var periods: [Int] = []
        for job in s.jobs {
            guard let p = InstanceReader.steps(job.period, step: s.step), p > 0 else { return nil }
            periods.append(p)
        }
        var h = 1
        for p in periods {
            let (q, overflow) = (h / InstanceReader.gcd(h, p)).multipliedReportingOverflow(by: p)
            guard !overflow, q <= InstanceReader.maximumHyperperiodSlots else { return nil }
            h = q
        }
        let linkIndex = Dictionary(s.links.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        var load = Array(repeating: Array(repeating: 0.0, count: h), count: s.links.count)
        for (k, job) in s.jobs.enumerated() {
            let p = periods[k]
            let links = job.links.compactMap { linkIndex[$0] }
            for phase in job.phases {
                guard let start = InstanceReader.steps(phase.start, step: s.step),
                      let duration = InstanceReader.steps(phase.duration, step: s.step) else { return nil }
                for repeatStart in stride(from: 0, to: h, by: p) {
                    for d in 0..<min(duration, p) {
                        let tau = repeatStart + ((offsetSteps[k] + start + d) % p + p) % p
                        for l in links { load[l][tau] += phase.rate }
                    }
                }
            }
        }
        var excess = 0.0, peak = 0.0
        for (l, link) in s.links.enumerated() {
            for x in load[l] {
                excess += max(0, x - link.capacity) * s.step
                peak = max(peak, x / link.capacity)
            }
        }
        return (excess, peak)
    }
}
