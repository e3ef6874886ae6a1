/* OptoPlan: circuit scheduling without a window: minimise the makespan
   (PROBLEMS.md §1a), the strengthened slot model of
   Sources/OptoPlanners/Schedule/SchedulePlanner+ILP.swift.

   Solve:  glpsol -m schedule-makespan.mod -d instance.dat
   Tbar is an upper bound on the makespan (e.g. a heuristic plan's); LB the
   §1a lower bound max_i max(rowsum_i, colsum_i) / (k_i·c + p_i). */

param N integer > 0;
set V := 0..N-1;
param k{V} integer >= 0;
param D{i in V, j in V} >= 0;
param c > 0;
param p{V} >= 0;
param delta >= 0;
param M integer > 0;
param Tbar > 0;
param LB := max{v in V} max(sum{j in V: j != v} D[v,j], sum{i in V: i != v} D[i,v]) / (k[v] * c + p[v]);

set S := 1..M;
set P := {i in V, j in V: i != j and D[i,j] > 0};
set U{(i,j) in P} := 1..min(k[i], k[j]);

var o{S} binary;
/* slots ordered by duration: slot m holds at most Tbar/m - delta */
param sbar{m in S} := max(0, Tbar / m - delta);
var t{m in S} >= 0, <= sbar[m];
var z{m in S, (i,j) in P, l in U[i,j]} binary;
var y{m in S, (i,j) in P, l in U[i,j]} >= 0, <= D[i,j];
var e{(i,j) in P} >= 0, <= D[i,j];
var T >= LB, <= Tbar;

minimize makespan: T;

s.t. tx{m in S, v in V}: sum{(v,j) in P, l in U[v,j]} z[m,v,j,l] <= k[v];
s.t. rx{m in S, v in V}: sum{(i,v) in P, l in U[i,v]} z[m,i,v,l] <= k[v];
s.t. rate{m in S, (i,j) in P, l in U[i,j]}: y[m,i,j,l] <= c * t[m];
s.t. present{m in S, (i,j) in P, l in U[i,j]}: y[m,i,j,l] <= min(D[i,j], c * sbar[m]) * z[m,i,j,l];
s.t. used{m in S}: t[m] <= sbar[m] * o[m];
s.t. demand{(i,j) in P}: sum{m in S, l in U[i,j]} y[m,i,j,l] + e[i,j] = D[i,j];
s.t. send{v in V}: sum{(v,j) in P} e[v,j] <= p[v] * T;
s.t. recv{v in V}: sum{(i,v) in P} e[i,v] <= p[v] * T;
s.t. span: sum{m in S} (delta * o[m] + t[m]) <= T;
s.t. oorder{m in S: m < M}: o[m] >= o[m+1];
s.t. torder{m in S: m < M}: t[m] >= t[m+1];
s.t. zorder{m in S, (i,j) in P, l in U[i,j]: l < min(k[i], k[j])}: z[m,i,j,l] >= z[m,i,j,l+1];
s.t. txtime{m in S, v in V}: sum{(v,j) in P, l in U[v,j]} y[m,v,j,l] <= k[v] * c * t[m];
s.t. rxtime{m in S, v in V}: sum{(i,v) in P, l in U[i,v]} y[m,i,v,l] <= k[v] * c * t[m];

solve;
printf "makespan %.9g\n", T;
end;
