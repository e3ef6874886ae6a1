/* OptoPlan: circuit scheduling over a series of epochs (PROBLEMS.md §1b),
   the model of Sources/OptoPlanners/Schedule/SchedulePlanner+ILP.swift.

   Solve:  glpsol -m schedule-epochs.mod -d series.dat
   New circuits are dark for delta (not-all-stop); backlog carries over. */

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

set P := {i in V, j in V: i != j and sum{e in EP} D[e,i,j] > 0};

var x{EP, (i,j) in P} integer >= 0, <= min(k[i], k[j]);   /* circuits */
var a{EP, P} >= 0;                   /* new circuits */
var s{EP, P} >= 0;                   /* circuit volume */
var q{EP, P} >= 0;                   /* packet volume */
var B{EP, P} >= 0;                   /* backlog after the epoch */

maximize served: sum{e in EP, (i,j) in P} (s[e,i,j] + q[e,i,j]);

s.t. fresh{e in EP, (i,j) in P: e > 1}: a[e,i,j] >= x[e,i,j] - x[e-1,i,j];
s.t. first{(i,j) in P}: a[1,i,j] = 0;
s.t. circuit{e in EP, (i,j) in P}: s[e,i,j] <= c * (L[e] * x[e,i,j] - min(delta, L[e]) * a[e,i,j]);
s.t. balance{e in EP, (i,j) in P}:
    B[e,i,j] = (if e > 1 then B[e-1,i,j] else 0) + D[e,i,j] - s[e,i,j] - q[e,i,j];
s.t. tx{e in EP, v in V}: sum{(v,j) in P} x[e,v,j] <= k[v];
s.t. rx{e in EP, v in V}: sum{(i,v) in P} x[e,i,v] <= k[v];
s.t. send{e in EP, v in V}: sum{(v,j) in P} q[e,v,j] <= p[v] * L[e];
s.t. recv{e in EP, v in V}: sum{(i,v) in P} q[e,i,v] <= p[v] * L[e];

solve;
printf "served %.9g\n", served;
end;
