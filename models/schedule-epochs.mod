/* OptoPlan: circuit scheduling over a series of epochs (PROBLEMS.md §1b),
   the model of Sources/OptoPlanners/Schedule/SchedulePlanner+ILP.swift and,
   with maxHops = 2, of SchedulePlanner+TransitILP.swift (transit).

   Solve:  glpsol -m schedule-epochs.mod -d series.dat
   New circuits are dark for delta (not-all-stop); backlog carries over.
   With maxHops = 2 pair s->t may also send g[e,s,v,t] over s->v->t, and a
   circuit's bytes in an epoch are shared by its own pair and every
   transit path that crosses it. */

param N integer > 0;
set V := 0..N-1;
param E integer > 0;                 /* epochs */
set EP := 1..E;
param L{EP} > 0;                     /* epoch lengths */
param k{V} integer >= 0;
param D{EP, V, V} >= 0;
param c > 0;
param p{V} >= 0;
param delta >= 0;
param maxHops integer >= 1, <= 2, default 1;

/* pairs with demand */
set P := {i in V, j in V: i != j and sum{e in EP} D[e,i,j] > 0};
/* pairs that may hold circuits: those with demand (1 hop), or every pair
   a circuit can join as well (transit: a circuit without demand of its own
   can carry transit) */
set C := if maxHops = 1 then P else P union {i in V, j in V: i != j and min(k[i], k[j]) > 0};
/* two-circuit paths s->v->t of pairs with demand */
set T := {s in V, v in V, t in V: maxHops >= 2 and (s,t) in P and v != s and v != t
          and (s,v) in C and (v,t) in C and min(k[s], k[v]) > 0 and min(k[v], k[t]) > 0};

var x{EP, (i,j) in C} integer >= 0, <= min(k[i], k[j]);   /* circuits */
var a{EP, C} >= 0;                   /* new circuits */
var s{EP, P} >= 0;                   /* direct circuit volume */
var q{EP, P} >= 0;                   /* packet volume */
var g{EP, T} >= 0;                   /* transit volume */
var B{EP, P} >= 0;                   /* backlog after the epoch */

maximize served: sum{e in EP, (i,j) in P} (s[e,i,j] + q[e,i,j]) + sum{e in EP, (i,v,j) in T} g[e,i,v,j];

s.t. fresh{e in EP, (i,j) in C: e > 1}: a[e,i,j] >= x[e,i,j] - x[e-1,i,j];
s.t. first{(i,j) in C}: a[1,i,j] = 0;
s.t. circuit{e in EP, (i,j) in C}:
    (if (i,j) in P then s[e,i,j] else 0)
    + sum{t in V: (i,j,t) in T} g[e,i,j,t] + sum{h in V: (h,i,j) in T} g[e,h,i,j]
    <= c * (L[e] * x[e,i,j] - min(delta, L[e]) * a[e,i,j]);
s.t. balance{e in EP, (i,j) in P}:
    B[e,i,j] = (if e > 1 then B[e-1,i,j] else 0) + D[e,i,j] - s[e,i,j] - q[e,i,j]
               - sum{v in V: (i,v,j) in T} g[e,i,v,j];
s.t. tx{e in EP, v in V}: sum{(v,j) in C} x[e,v,j] <= k[v];
s.t. rx{e in EP, v in V}: sum{(i,v) in C} x[e,i,v] <= k[v];
s.t. send{e in EP, v in V}: sum{(v,j) in P} q[e,v,j] <= p[v] * L[e];
s.t. recv{e in EP, v in V}: sum{(i,v) in P} q[e,i,v] <= p[v] * L[e];

solve;
printf "served %.9g\n", served;
end;
