/* OptoPlan — staggered job-communication windows (PROBLEMS.md §3), stage 1.
 *
 * Pick an offset per job on the step grid so that communication phases
 * sharing a link interleave; minimise the total excess over capacity in
 * bits per hyper-period. Times are in slots of length step (seconds);
 * rates in bits per second. The planner (Sources/OptoPlanners/Stagger)
 * builds the same model through OptoModel, with rows only where a link can
 * exceed its capacity, one job's offset fixed per component (rotation
 * symmetry), identical jobs ordered, and a second stage that minimises the
 * peak with the excess held at its optimum.
 *
 *   glpsol -m models/stagger.mod -d instance.dat
 */

set JOBS;
set LINKS;

param step > 0;                      /* Δ, seconds */
param H integer > 0;                 /* hyper-period in slots: lcm of the periods */
param P{JOBS} integer > 0;           /* period of each job, slots; must divide H */
param C{LINKS} > 0;                  /* capacity, bits per second */
set USES within JOBS cross LINKS;    /* (k, l): every phase of job k loads link l */
/* rate of job k at slot t of its own period with offset 0 (phases summed, wrapped) */
param r{k in JOBS, t in 0..P[k]-1} >= 0, default 0;

check{k in JOBS}: H mod P[k] = 0;

var x{k in JOBS, o in 0..P[k]-1} binary;   /* job k starts at offset o */
var e{LINKS, 0..H-1} >= 0;                 /* excess, in units of the link's capacity */

s.t. one{k in JOBS}: sum{o in 0..P[k]-1} x[k, o] = 1;

/* load of link l at slot tau, as a share of its capacity: job k at offset o
   sends r[k, (tau - o) mod P[k]]. Rows are scaled by 1/C[l] so that the
   coefficients are O(1) (rates of 1e11 bits per second upset the solver's
   integrality tolerances). */
s.t. excess{l in LINKS, tau in 0..H-1}:
    e[l, tau] >= sum{(k, l) in USES, o in 0..P[k]-1}
                     (r[k, (tau - o + H) mod P[k]] / C[l]) * x[k, o] - 1;

/* total excess, bits per hyper-period */
minimize total_excess: step * sum{l in LINKS, tau in 0..H-1} C[l] * e[l, tau];

solve;

printf "total_excess %.12g\n", total_excess;
printf{k in JOBS, o in 0..P[k]-1: x[k, o] > 0.5} "offset %s %d\n", k, o;

end;
