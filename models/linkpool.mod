/* OptoPlan: asymmetric link-pool allocation (PROBLEMS.md section 2).

   Solve with:  glpsol -m models/linkpool.mod -d INSTANCE.dat

   Every node i has a pool of q[i] optical ports, each set to transmit or to
   receive; n[i,j] circuits i->j carry rc each, one way. An electrical packet
   fabric carries e[i,j] beside them, limited to p[i] out of and p[i] into
   each node. Rates may be in any one unit (the planner's export uses Gb/s).

   The planner solves this model lexicographically: stage 1 maximises the
   objective; stage 2 (param stage = 2, param target = stage 1's value minus
   a tolerance) keeps the objective at least target and minimises the number
   of circuits. The same formulation is written out beside the code in
   Sources/OptoPlanners/LinkPool/LinkPoolPlanner+Formulation.swift. */

set V;                                   /* nodes */
set P := {i in V, j in V: i != j};       /* ordered pairs */

param q{V} integer, >= 0;                /* pooled optical ports */
param tx{i in V} integer, >= 0, default q[i];   /* transmit cap */
param rx{i in V} integer, >= 0, default q[i];   /* receive cap */
param rc > 0;                            /* rate of one circuit */
param p{V} >= 0;                         /* packet send and receive limit */
param R{(i, j) in P} >= 0, default 0;    /* directional demand */
param cur{(i, j) in P} integer, >= 0, default 0;   /* current circuits */
param maxChanges integer, default -1;    /* change budget; -1: none */
param concurrent binary, default 1;      /* 1: maximise lambda; 0: throughput */
param symmetric binary, default 0;       /* 1: force n[i,j] = n[j,i] */
param stage integer, in {1, 2}, default 1;
param target, default 0;                 /* stage 2: objective floor */

/* A pair counts when it has demand or a current circuit (either direction
   in the symmetric model); elsewhere a circuit would carry nothing. */
param counts{(i, j) in P} binary :=
    if R[i,j] > 0 or cur[i,j] > 0 or (symmetric = 1 and (R[j,i] > 0 or cur[j,i] > 0)) then 1 else 0;
param U{(i, j) in P} := if counts[i,j] = 0 then 0
    else if R[i,j] = 0 and (symmetric = 0 or R[j,i] = 0) then min(if symmetric = 1 then max(cur[i,j], cur[j,i]) else cur[i,j], q[i], q[j], tx[i], rx[j])
    else min(q[i], q[j], tx[i], rx[j]);

var n{(i, j) in P} integer, >= 0, <= U[i,j];
var e{(i, j) in P} >= 0, <= if R[i,j] > 0 then min(p[i], p[j]) else 0;
var a{(i, j) in P} >= 0;
var lambda >= 0;
var add{(i, j) in P} >= 0;
var rem{(i, j) in P} >= 0, <= cur[i,j];

s.t. pool{i in V}: sum{j in V: j != i} n[i,j] + sum{j in V: j != i} n[j,i] <= q[i];
s.t. txcap{i in V}: sum{j in V: j != i} n[i,j] <= tx[i];
s.t. rxcap{i in V}: sum{j in V: j != i} n[j,i] <= rx[i];
s.t. send{i in V}: sum{j in V: j != i} e[i,j] <= p[i];
s.t. recv{i in V}: sum{j in V: j != i} e[j,i] <= p[i];
s.t. carry{(i, j) in P}: a[i,j] <= rc * n[i,j] + e[i,j];
s.t. grow{(i, j) in P: concurrent = 1}: a[i,j] = lambda * R[i,j];
s.t. demand{(i, j) in P: concurrent = 0}: a[i,j] <= R[i,j];
s.t. balance{(i, j) in P: maxChanges >= 0}: n[i,j] - add[i,j] + rem[i,j] = cur[i,j];
s.t. budget{t in 1..1: maxChanges >= 0}: sum{(i, j) in P} (add[i,j] + rem[i,j]) <= maxChanges;
s.t. paired{(i, j) in P: symmetric = 1 and i < j}: n[i,j] = n[j,i];
s.t. floor{t in 1..1: stage = 2}:
    (if concurrent = 1 then lambda else sum{(i, j) in P} a[i,j]) >= target;

/* Stage 1: the objective; stage 2: the fewest circuits (as -circuits). */
maximize goal:
    if stage = 1 then (if concurrent = 1 then lambda else sum{(i, j) in P} a[i,j])
    else -sum{(i, j) in P} n[i,j];

solve;

printf "OBJECTIVE %.12g\n", if concurrent = 1 then lambda else sum{(i, j) in P} a[i,j];
printf "CIRCUITS %d\n", sum{(i, j) in P} n[i,j];
printf{(i, j) in P: n[i,j] > 0.5} "CIRCUIT %s %s %d\n", i, j, n[i,j];

end;
