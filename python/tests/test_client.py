"""The Python client against the real optoplan binary."""
import json
import math

import pytest

import optoplan

TINY = {
    "problem": "schedule",
    "fabric": {"nodes": 4, "ocsPortsPerNode": 1, "circuitRate": "100Gbps", "packetRate": "10Gbps",
               "reconfigurationDelay": "20us"},
    "window": "500us",
    "demand": [[0, "2MB", "1MB", "64KB"], ["1MB", 0, "2MB", 0], [0, "3MB", 0, "3MB"], ["2MB", "500KB", 0, 0]],
}


def test_plan_and_evaluate_from_a_dict():
    plan = optoplan.plan(TINY, method="greedy")
    assert plan["problem"] == "schedule" and plan["method"] == "greedy"
    metrics = optoplan.evaluate(TINY, plan)
    # The evaluator never serves more than the planner claimed (relative tolerance 1e-6).
    assert metrics["servedBytes"] <= plan["metrics"]["objective"] * (1 + 1e-6)
    assert metrics["servedBytes"] > 0


def test_errors_carry_the_message_and_status(tmp_path):
    bad = dict(TINY, fabric=dict(TINY["fabric"], circuitRate="10us"))
    with pytest.raises(optoplan.OptoPlanError) as e:
        optoplan.plan(bad, method="greedy")
    assert e.value.status == 65
    assert "fabric.circuitRate" in e.value.message and "a rate was expected" in e.value.message
    with pytest.raises(optoplan.OptoPlanError) as e:
        optoplan.sweep_rows(TINY, {"fabric.ocsPortPerNode": [1, 2]})
    assert e.value.status == 64
    assert "fabric.ocsPortPerNode is not a field" in e.value.message


def test_missing_binary_is_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("OPTOPLAN_BIN", str(tmp_path / "nothing"))
    with pytest.raises(optoplan.OptoPlanError) as e:
        optoplan.plan(TINY)
    assert "OPTOPLAN_BIN" in str(e.value)


def test_load_instance_keeps_csv_demand_readable(datasets, tmp_path):
    inst = optoplan.load_instance(datasets / "schedule" / "synthetic-n8-window.json")
    assert inst["demand"]["csv"].startswith("/")
    inst["fabric"]["ocsPortsPerNode"] = 2
    plan = optoplan.plan(inst, method="greedy")  # planned from a temporary directory
    assert plan["status"] == "heuristic"


def test_sweep_rows_shape_and_quantities():
    doc = optoplan.sweep_rows(TINY, {"fabric.ocsPortsPerNode": [1, 2], "fabric.reconfigurationDelay": ["10us", "1ms"]},
                              methods=["greedy", "static"], jobs=2)
    assert len(doc["rows"]) == 8
    first = doc["rows"][0]
    assert first["set"]["fabric.ocsPortsPerNode"] == 1
    assert math.isclose(first["set"]["fabric.reconfigurationDelay"], 1e-5, rel_tol=1e-12)
    assert [r["method"] for r in doc["rows"][:2]] == ["greedy", "static"]


def test_demand_matrix_checks_shape_and_sign():
    np = pytest.importorskip("numpy", reason="numpy is not installed")
    m = optoplan.demand_matrix(np.array([[0, 1.5], [2, 0]]), unit="MB")
    assert m == [[0, "1.5MB"], ["2MB", 0]]
    with pytest.raises(ValueError):
        optoplan.demand_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError):
        optoplan.demand_matrix([[0, -1], [1, 0]])
