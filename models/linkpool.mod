/* OptoPlan: asymmetric link-pool allocation (PROBLEMS.md section 2).

   Solve with:  glpsol -m models/linkpool.mod -d INSTANCE.dat

   Every node i has a pool of q[i] optical ports, each set to transmit or to
   receive; n[i,j] circuits i->j carry rc each, one way. An electrical packet
   fabric carries e[i,j] beside them, limited to p[i] out of and p[i] into
   each node. Rates may be in any one unit (the planner's export uses Gb/s).

   Stage 1 (param stage = 1, the default) maximises the objective with lambda
   a variable: the model `optoplan export` writes. The planner solves the
   throughput objective this way, then stage 2 (param stage = 2, param
   target = stage 1's value minus a tolerance) keeps the objective at least
   target and minimises the number of circuits.

   For the concurrent objective the planner searches on lambda instead
   (Sources/OptoPlanners/LinkPool/LinkPoolPlanner+Search.swift): stage 2
   with concurrent = 1 is the fixed-lambda model at lambda = target, with
   the need[i,j] = target * R[i,j] / rc of every pair known, per-pair
   lower bounds on n, the mixed-integer-rounding rows and the per-node
   circuit-count rows below (all valid, so the optimum is unchanged). With
   param test = 1 its objective is 0: "is lambda = target reachable?", the
   question the search asks; with test = 0 it minimises the circuits at
   that lambda (the planner's second stage). The same formulations are
   written out beside the code in LinkPoolPlanner+Formulation.swift and
   LinkPoolPlanner+FixedLambda.swift.

   Transit (param maxHops = 2; PROBLEMS.md section 2 "With transit"): pair
   (s, t) may also send f[s,k,t] over the two circuits s->k and k->t. Each
   circuit's rate rc * n[i,j] is then shared by its pair's direct rate
   d[i,j] and every route crossing it, and a pair carries
   a[s,t] <= d[s,t] + sum_k f[s,k,t] + e[s,t]. A circuit may then be useful
   on a pair without demand (as a first or second hop). The 1-hop
   fixed-lambda strengthenings (Uf, L, mir, the piecewise circuit counts)
   do not hold with transit and are left out; stage 2 at a fixed lambda is
   then the plain model with lambda = target. With maxHops = 1 (the
   default) the model is the one above. LinkPoolPlanner+TransitModel.swift
   has the same formulation. */

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
param target, default 0;                 /* stage 2: objective floor (concurrent: the fixed lambda) */
param test binary, default 0;            /* stage 2, concurrent: feasibility only (objective 0) */
param maxHops integer, in {1, 2}, default 1;   /* 2: transit over one intermediate node */

/* With transit a circuit i->j can carry i's traffic to a third node t over
   i->j->t, or a third node's traffic to j over s->i->j. */
param useful{(i, j) in P} binary := if maxHops = 2 and ((exists{t in V: t != i and t != j} R[i,t] > 0)
    or (exists{s in V: s != i and s != j} R[s,j] > 0)) then 1 else 0;
set T := {s in V, k in V, t in V: maxHops = 2 and s != t and k != s and k != t and R[s,t] > 0};

/* A pair counts when it has demand or a current circuit (either direction
   in the symmetric model); elsewhere a circuit would carry nothing. */
param counts{(i, j) in P} binary :=
    if R[i,j] > 0 or cur[i,j] > 0 or useful[i,j] = 1
       or (symmetric = 1 and (R[j,i] > 0 or cur[j,i] > 0 or useful[j,i] = 1)) then 1 else 0;
param U{(i, j) in P} := if counts[i,j] = 0 then 0
    else if R[i,j] = 0 and useful[i,j] = 0 and (symmetric = 0 or (R[j,i] = 0 and useful[j,i] = 0)) then min(if symmetric = 1 then max(cur[i,j], cur[j,i]) else cur[i,j], q[i], q[j], tx[i], rx[j])
    else min(q[i], q[j], tx[i], rx[j]);

/* The fixed-lambda data (stage 2, concurrent), in circuits: the need t of
   each pair, snapped to an integer within 1e-9, its floor, fraction and
   ceiling. */
param fixed binary := if stage = 2 and concurrent = 1 then 1 else 0;
param fixed1 binary := if fixed = 1 and maxHops = 1 then 1 else 0;   /* the 1-hop strengthenings apply */
param need0{(i, j) in P} := if fixed = 1 then target * R[i,j] / rc else 0;
param need{(i, j) in P} := if abs(need0[i,j] - round(need0[i,j])) <= 1e-9 * max(1, need0[i,j]) then round(need0[i,j]) else need0[i,j];
param fl{(i, j) in P} := floor(need[i,j]);
param fr{(i, j) in P} := need[i,j] - fl[i,j];
param ce{(i, j) in P} := fl[i,j] + (if fr[i,j] > 0 then 1 else 0);
/* At a fixed lambda more than ceil(t) circuits never help (unless they are
   current circuits kept to save changes). */
param Uf{(i, j) in P} := if fixed1 = 1 and R[i,j] > 0
    then min(U[i,j], if maxChanges >= 0 then max(ce[i,j], cur[i,j]) else ce[i,j]) else U[i,j];
/* One pair's share of the packet fabric is at most min(p_i, p_j). */
param L{(i, j) in P} := if fixed1 = 1 and R[i,j] > 0 then max(0, ceil(need[i,j] - min(p[i], p[j]) / rc - 1e-9)) else 0;
/* Circuit-count rows: node i must move D = sum_j t - p_i / rc off the
   packet fabric; a circuit moves at most 1, the ceil(t)-th of a pair only
   fr, so at least the fewest such pieces, largest first, that cover D. */
param Dout{i in V} := sum{j in V: j != i} need[i,j] - p[i] / rc;
param Din{i in V} := sum{j in V: j != i} need[j,i] - p[i] / rc;
param unitsOut{i in V} := sum{j in V: j != i} min(fl[i,j], Uf[i,j]);
param unitsIn{i in V} := sum{j in V: j != i} min(fl[j,i], Uf[j,i]);
param pieceOut{(i, j) in P} binary := if Uf[i,j] > fl[i,j] and fr[i,j] > 0 then 1 else 0;
param pieceIn{(j, i) in P} binary := if Uf[j,i] > fl[j,i] and fr[j,i] > 0 then 1 else 0;
param rankOut{(i, j) in P} := 1 + sum{l in V: l != i and l != j and pieceOut[i,l] = 1
    and (fr[i,l] > fr[i,j] or (fr[i,l] = fr[i,j] and l < j))} 1;
param rankIn{(j, i) in P} := 1 + sum{l in V: l != i and l != j and pieceIn[l,i] = 1
    and (fr[l,i] > fr[j,i] or (fr[l,i] = fr[j,i] and l < j))} 1;
param mOut{i in V} := if fixed1 = 0 or Dout[i] <= 1e-9 * max(1, p[i] / rc) then 0
    else if Dout[i] <= unitsOut[i] + 1e-9 * max(1, p[i] / rc) then ceil(Dout[i] - 1e-9 * max(1, p[i] / rc))
    else unitsOut[i] + min{k in 0..card(V)} (if k = card(V) or sum{j in V: j != i and pieceOut[i,j] = 1 and rankOut[i,j] <= k} fr[i,j]
        >= Dout[i] - unitsOut[i] - 1e-9 * max(1, p[i] / rc) then k else card(V) + 1 + q[i]);
param mIn{i in V} := if fixed1 = 0 or Din[i] <= 1e-9 * max(1, p[i] / rc) then 0
    else if Din[i] <= unitsIn[i] + 1e-9 * max(1, p[i] / rc) then ceil(Din[i] - 1e-9 * max(1, p[i] / rc))
    else unitsIn[i] + min{k in 0..card(V)} (if k = card(V) or sum{j in V: j != i and pieceIn[j,i] = 1 and rankIn[j,i] <= k} fr[j,i]
        >= Din[i] - unitsIn[i] - 1e-9 * max(1, p[i] / rc) then k else card(V) + 1 + q[i]);

var n{(i, j) in P} integer, >= 0, <= Uf[i,j];
var e{(i, j) in P} >= 0, <= if R[i,j] > 0 then min(p[i], p[j]) else 0;
var a{(i, j) in P} >= 0;
var lambda >= 0;
var add{(i, j) in P} >= 0;
var rem{(i, j) in P} >= 0, <= cur[i,j];
var d{(i, j) in P} >= 0;                 /* transit: direct rate on the pair's own circuits */
var f{(s, k, t) in T} >= 0;              /* transit: rate of (s, t) over s->k->t */

s.t. pool{i in V}: sum{j in V: j != i} n[i,j] + sum{j in V: j != i} n[j,i] <= q[i];
s.t. txcap{i in V}: sum{j in V: j != i} n[i,j] <= tx[i];
s.t. rxcap{i in V}: sum{j in V: j != i} n[j,i] <= rx[i];
s.t. send{i in V}: sum{j in V: j != i} e[i,j] <= p[i];
s.t. recv{i in V}: sum{j in V: j != i} e[j,i] <= p[i];
s.t. carry{(i, j) in P: maxHops = 1}: a[i,j] <= rc * n[i,j] + e[i,j];
s.t. carry2{(i, j) in P: maxHops = 2}: a[i,j] <= d[i,j] + sum{k in V: (i, k, j) in T} f[i,k,j] + e[i,j];
s.t. cap{(i, j) in P: maxHops = 2}:
    d[i,j] + sum{t in V: (i, j, t) in T} f[i,j,t] + sum{s in V: (s, i, j) in T} f[s,i,j] <= rc * n[i,j];
s.t. grow{(i, j) in P: concurrent = 1}: a[i,j] = lambda * R[i,j];
s.t. demand{(i, j) in P: concurrent = 0}: a[i,j] <= R[i,j];
s.t. balance{(i, j) in P: maxChanges >= 0}: n[i,j] - add[i,j] + rem[i,j] = cur[i,j];
s.t. budget{z in 1..1: maxChanges >= 0}: sum{(i, j) in P} (add[i,j] + rem[i,j]) <= maxChanges;
s.t. paired{(i, j) in P: symmetric = 1 and i < j}: n[i,j] = n[j,i];
s.t. floor{z in 1..1: stage = 2}:
    (if concurrent = 1 then lambda else sum{(i, j) in P} a[i,j]) >= target;
s.t. fix{z in 1..1: fixed = 1}: lambda <= target;
s.t. low{(i, j) in P: L[i,j] > 0}: n[i,j] >= L[i,j];
s.t. mir{(i, j) in P: fixed1 = 1 and R[i,j] > 0 and fr[i,j] > 1e-9 and fr[i,j] < 1 - 1e-9 and Uf[i,j] >= ce[i,j]}:
    e[i,j] / rc + fr[i,j] * n[i,j] >= fr[i,j] * ce[i,j];
s.t. outcount{i in V: mOut[i] > 0}: sum{j in V: j != i} n[i,j] >= mOut[i];
s.t. incount{i in V: mIn[i] > 0}: sum{j in V: j != i} n[j,i] >= mIn[i];

/* Stage 1: the objective; stage 2: the fewest circuits (as -circuits), or
   nothing (test = 1: feasibility at the fixed lambda). */
maximize goal:
    if stage = 1 then (if concurrent = 1 then lambda else sum{(i, j) in P} a[i,j])
    else if test = 1 and fixed = 1 then 0
    else -sum{(i, j) in P} n[i,j];

solve;

printf "OBJECTIVE %.12g\n", if concurrent = 1 then lambda else sum{(i, j) in P} a[i,j];
printf "CIRCUITS %d\n", sum{(i, j) in P} n[i,j];
printf{(i, j) in P: n[i,j] > 0.5} "CIRCUIT %s %s %d\n", i, j, n[i,j];

end;
