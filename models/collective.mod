/* OptoPlan: collective-aware circuit planning, the steady-rate model
   (PROBLEMS.md section 4; the `ilp` method of `optoplan collective`).

   Solve with:  glpsol -m models/collective.mod -d INSTANCE.dat
   (`optoplan export INSTANCE.json --as mathprog` writes the data section.)

   The whole iteration is one horizon T; every transfer streams at a
   constant rate over it. The model maximises theta = T0 / T, with T0 the
   per-node lower bound of section 4 (without the starting delay), and
   prints HORIZON T in seconds (the plan's time is T plus delta unless it
   keeps the current circuits). The same formulation is written out beside
   the code in Sources/OptoPlanners/Collective/CollectivePlanner+ILP.swift;
   docs/collective.md says where it differs from the evaluator.

   Data, in bytes and bits per second:
     V           nodes
     rc          rate of one circuit
     p[u]        packet send and receive limit of node u
     k[u]        optical ports of node u (transmitters and receivers)
     free        1: circuits are chosen (direct only); 0: the given circuits
     A, G[a]     the allreduces and their groups; first[a] the group's first node
     S[a]        bytes per rank of allreduce a
     a2a[u,v]    bytes u sends v in the iteration's alltoalls
     ncur[a,b]   given circuits a->b (free = 0)
     ROUTE       (u, v, a, b): circuit a->b lies on the route of u->v
                 (direct, else the fewest-hop path of at most maxHops
                 circuits, as Sources/OptoCore/CircuitRouting.swift picks it) */

set V;
set P := {u in V, v in V: u != v};
param rc > 0;
param p{V} >= 0, default 0;
param k{V} integer, >= 0;
param free binary;
set A;
set G{A} within V;
param first{a in A} in G[a];
param S{A} > 0;
param a2a{P} >= 0, default 0;
param ncur{P} integer, >= 0, default 0;
set ROUTE dimen 4;

param m{a in A} := card(G[a]);
/* Rings per allreduce: the smallest port count in its group (at least 1). */
param R{a in A} := max(1, min{u in G[a]} k[u]);
param steps{a in A} := 2 * (m[a] - 1);

/* Section 4's bound: the busiest node's bytes over its circuit and packet rate. */
param vol{u in V} := sum{a in A: u in G[a]} 2 * (m[a] - 1) / m[a] * S[a] + sum{v in V: v != u} a2a[u,v];
param T0 := max{u in V: vol[u] > 0} 8 * vol[u] / (k[u] * rc + p[u]);

set XA{a in A} := {u in G[a], v in G[a]: u != v};
/* Pairs that may carry traffic. */
set DP := (setof{a in A, (u, v) in XA[a]} (u, v)) union {(u, v) in P: a2a[u,v] > 0};
set RP := setof{(u, v, c, d) in ROUTE} (u, v);
set ARCS := setof{(u, v, c, d) in ROUTE} (c, d);

/* A pair's demand per unit of theta, in circuit rates. */
param coef{a in A} := 8 * steps[a] * S[a] / (R[a] * m[a]) / (T0 * rc);

var theta >= 0, <= 1;
var x{a in A, r in 1..R[a], (u, v) in XA[a]} binary;          /* ring r of a goes u -> v */
var o{a in A, r in 1..R[a], u in G[a]: u != first[a]} >= 1, <= m[a] - 1;
var w{a in A, r in 1..R[a], (u, v) in XA[a]} >= 0, <= 1;       /* x * theta */
var e{(u, v) in DP} >= 0, <= min(p[u], p[v]) / rc;            /* packet part */
var z{(u, v) in DP} >= 0;                                     /* circuit part */
var n{(u, v) in DP} integer, >= 0, <= (if free = 1 then min(k[u], k[v]) else 0);

maximize speed: theta;

s.t. successor{a in A, r in 1..R[a], u in G[a]}: sum{v in G[a]: v != u} x[a,r,u,v] = 1;
s.t. predecessor{a in A, r in 1..R[a], v in G[a]}: sum{u in G[a]: u != v} x[a,r,u,v] = 1;
s.t. subtour{a in A, r in 1..R[a], (u, v) in XA[a]: m[a] > 2 and u != first[a] and v != first[a]}:
    o[a,r,u] - o[a,r,v] + (m[a] - 1) * x[a,r,u,v] <= m[a] - 2;
s.t. w_theta{a in A, r in 1..R[a], (u, v) in XA[a]}: w[a,r,u,v] <= theta;
s.t. w_x{a in A, r in 1..R[a], (u, v) in XA[a]}: w[a,r,u,v] <= x[a,r,u,v];
s.t. w_both{a in A, r in 1..R[a], (u, v) in XA[a]}: w[a,r,u,v] >= theta + x[a,r,u,v] - 1;

s.t. supply{(u, v) in DP}:
    z[u,v] + e[u,v] >= sum{a in A, r in 1..R[a]: u in G[a] and v in G[a]} coef[a] * w[a,r,u,v]
                       + 8 * a2a[u,v] / (T0 * rc) * theta;
s.t. packet_out{u in V: p[u] > 0}: sum{(u2, v) in DP: u2 = u} e[u2,v] <= p[u] / rc;
s.t. packet_in{v in V: p[v] > 0}: sum{(u, v2) in DP: v2 = v} e[u,v2] <= p[v] / rc;

/* Free circuits: direct only, n circuits carry n circuit rates. */
s.t. direct{(u, v) in DP: free = 1}: z[u,v] <= n[u,v];
s.t. ports_out{u in V: free = 1}: sum{(u2, v) in DP: u2 = u} n[u2,v] <= k[u];
s.t. ports_in{v in V: free = 1}: sum{(u, v2) in DP: v2 = v} n[u,v2] <= k[v];
/* Given circuits: a pair's circuit part rides its route. */
s.t. no_route{(u, v) in DP: free = 0 and (u, v) not in RP}: z[u,v] = 0;
s.t. circuit{(c, d) in ARCS: free = 0}: sum{(u, v, c2, d2) in ROUTE: c2 = c and d2 = d} z[u,v] <= ncur[c,d];

solve;

printf "THETA %.12g\n", theta;
printf "HORIZON %.12g\n", if theta > 1e-12 then T0 / theta else 1e308;
for {a in A, r in 1..R[a]} {
    printf "RING %s %d:", a, r;
    printf{(u, v) in XA[a]: x[a,r,u,v] > 0.5} " %s->%s", u, v;
    printf "\n";
}
end;
