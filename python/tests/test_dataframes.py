"""The DataFrame functions (skipped with a note when pandas is missing)."""
import math

import pytest

pd = pytest.importorskip("pandas", reason="pandas is not installed: the DataFrame functions are not tested")

import optoplan
from test_client import TINY


def test_sweep_dataframe_exact_never_worse_with_more_ports():
    df = optoplan.sweep(TINY, {"fabric.ocsPortsPerNode": [1, 2, 3]}, methods=["ilp", "greedy"], time_limit=20)
    assert list(df.columns[:3]) == ["fabric.ocsPortsPerNode", "method", "planMethod"]
    assert len(df) == 6
    exact = df[df.method == "ilp"].set_index("fabric.ocsPortsPerNode")["objective"]
    assert (df[df.method == "ilp"].status == "optimal").all()
    # More ports never serve less (relative tolerance 1e-6); no heuristic beats the optimum.
    assert all(b >= a * (1 - 1e-6) for a, b in zip(exact, exact[1:]))
    greedy = df[df.method == "greedy"].set_index("fabric.ocsPortsPerNode")["objective"]
    assert all(greedy <= exact * (1 + 1e-6))
    assert "ev.servedBytes" in df.columns
    assert df.attrs["objective"] == "served bytes"


def test_demand_matrix_from_a_dataframe_round_trips_through_a_plan():
    frame = pd.DataFrame([[0, 4e6, 0], [1e6, 0, 2e6], [3e6, 0, 0]], index=list("abc"), columns=list("abc"))
    inst = dict(TINY, fabric=dict(TINY["fabric"], nodes=3), demand=optoplan.demand_matrix(frame))
    plan = optoplan.plan(inst, method="greedy")
    conf = optoplan.configurations(plan, inst)
    assert list(conf.columns) == ["configuration", "start", "end", "duration", "src", "dst", "circuits"]
    # Every configuration starts after δ = 20 µs of reconfiguration (absolute tolerance 1e-12 s).
    starts = conf.groupby("configuration")["start"].first()
    ends = conf.groupby("configuration")["end"].first()
    previous = 0.0
    for k in starts.index:
        assert math.isclose(starts[k], previous + 20e-6, abs_tol=1e-12)
        previous = ends[k]
    assert (conf.src != conf.dst).all()


def test_compare_and_linkpool_circuits(datasets):
    df = optoplan.compare(datasets / "linkpool" / "two-racks-8to1.json", methods=["ilp", "symmetric"])
    lam = df.set_index("method")["objective"]
    # PROBLEMS.md §2 reference case: λ 1 against 0.625 (tolerance 1e-6).
    assert math.isclose(lam["ilp"], 1.0, rel_tol=1e-6)
    assert math.isclose(lam["symmetric"], 0.625, rel_tol=1e-6)
    plan = optoplan.plan(datasets / "linkpool" / "two-racks-8to1.json", method="ilp")
    c = optoplan.configurations(plan)
    assert c.circuits.sum() == 2 and len(c) == 1
