/* OptoPlan: circuit scheduling, window mode (PROBLEMS.md §1a), the
   strengthened slot model of Sources/OptoPlanners/Schedule/SchedulePlanner+ILP.swift.

   Solve:  glpsol -m schedule.mod -d instance.dat
   Units are the data's own (e.g. MB and ms); c, p[i] are volume per time.
   Set W to the window. For the makespan objective see schedule-makespan.mod. */

param N integer > 0;                 /* nodes */
set V := 0..N-1;
param k{V} integer >= 0;             /* OCS ports per node */
param D{i in V, j in V} >= 0;        /* demand (diagonal ignored) */
param c > 0;                         /* one circuit's rate */
param p{V} >= 0;                     /* packet rate per node, each way */
param delta >= 0;                    /* reconfiguration (all-stop) */
param W > delta;                     /* window */
param M integer > 0;                 /* configuration slots */

set S := 1..M;
set P := {i in V, j in V: i != j and D[i,j] > 0};
set U{(i,j) in P} := 1..min(k[i], k[j]);       /* parallel circuits of a pair */
/* slots ordered by duration: slot m holds at most W/m - delta */
param sbar{m in S} := max(0, W / m - delta);
param bigM{m in S, (i,j) in P} := min(D[i,j], c * sbar[m]);  /* tight big-M */

var o{S} binary;                     /* slot used */
var t{m in S} >= 0, <= sbar[m];      /* hold time */
var z{m in S, (i,j) in P, l in U[i,j]} binary;   /* circuit l of i->j up in slot m */
var y{m in S, (i,j) in P, l in U[i,j]} >= 0, <= D[i,j];  /* volume it serves */
var e{(i,j) in P} >= 0, <= D[i,j];   /* packet-fabric volume */

maximize served: sum{m in S, (i,j) in P, l in U[i,j]} y[m,i,j,l] + sum{(i,j) in P} e[i,j];

s.t. tx{m in S, v in V}: sum{(v,j) in P, l in U[v,j]} z[m,v,j,l] <= k[v];
s.t. rx{m in S, v in V}: sum{(i,v) in P, l in U[i,v]} z[m,i,v,l] <= k[v];
s.t. rate{m in S, (i,j) in P, l in U[i,j]}: y[m,i,j,l] <= c * t[m];
s.t. present{m in S, (i,j) in P, l in U[i,j]}: y[m,i,j,l] <= bigM[m,i,j] * z[m,i,j,l];
s.t. used{m in S}: t[m] <= sbar[m] * o[m];
s.t. demand{(i,j) in P}: sum{m in S, l in U[i,j]} y[m,i,j,l] + e[i,j] <= D[i,j];
s.t. send{v in V}: sum{(v,j) in P} e[v,j] <= p[v] * W;
s.t. recv{v in V}: sum{(i,v) in P} e[i,v] <= p[v] * W;
s.t. window: sum{m in S} (delta * o[m] + t[m]) <= W;
/* strengthening */
s.t. oorder{m in S: m < M}: o[m] >= o[m+1];
s.t. torder{m in S: m < M}: t[m] >= t[m+1];
s.t. zorder{m in S, (i,j) in P, l in U[i,j]: l < min(k[i], k[j])}: z[m,i,j,l] >= z[m,i,j,l+1];
s.t. txtime{m in S, v in V}: sum{(v,j) in P, l in U[v,j]} y[m,v,j,l] <= k[v] * c * t[m];
s.t. rxtime{m in S, v in V}: sum{(i,v) in P, l in U[i,v]} y[m,i,v,l] <= k[v] * c * t[m];

solve;
printf "served %.9g\n", served;
for {m in S: o[m] > 0.5} {
  printf "slot %d: hold %.9g, circuits", m, t[m];
  printf {(i,j) in P, l in U[i,j]: z[m,i,j,l] > 0.5} " %d->%d", i, j;
  printf "\n";
}
end;
