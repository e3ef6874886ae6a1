"""The helpers the notebooks use: collectives, traces, predict, replay, per-epoch figures."""
import math

import pytest

pd = pytest.importorskip("pandas", reason="pandas is not installed: the DataFrame functions are not tested")
np = pytest.importorskip("numpy", reason="numpy is not installed")

import optoplan


def ring_instance(order, max_hops):
    """One AllReduce of 1 GB over all nodes in rank order, circuits along `order`, no packet fabric."""
    n = len(order)
    return {"problem": "collective",
            "fabric": {"nodes": n, "ocsPortsPerNode": 1, "circuitRate": "400Gbps", "packetRate": 0,
                       "reconfigurationDelay": "10us", "maxHops": max_hops},
            "current": [[order[i], order[(i + 1) % n]] for i in range(n)], "reconfigure": False,
            "jobs": [{"name": "j", "collectives": [{"name": "dp", "type": "allreduce",
                                                      "group": list(range(n)), "bytes": "1GB"}]}]}


def test_collective_reference_case(datasets):
    df = optoplan.collective(datasets / "collective" / "five-servers-ring.json", methods=["fixed", "matched"])
    r = df.set_index("method")
    # §4 bound: a rank sends 2(m−1)/m · S = 1.6 GB at 400 Gb/s: 32 ms.
    assert math.isclose(r.loc["fixed", "lowerBound"], 8 * 1.6e9 / 400e9, rel_tol=1e-9)
    # Every circuit carries three relayed transfers: a third of the rate (tolerance 1e-6).
    assert math.isclose(r.loc["fixed", "ratio"], 3.0, rel_tol=1e-6)
    assert math.isclose(r.loc["matched", "ratio"], 1.0, rel_tol=1e-6)
    assert (r.rings == 1).all() and (r.circuits == 5).all()


def test_collective_rank_order_on_a_four_node_ring():
    # Circuits 0→2→1→3→0: 0→1 rides 0→2→1, 1→2 rides 1→3→0→2, 2→3 rides 2→1→3, 3→0 is direct;
    # every circuit carries exactly two of those transfers, so rank order runs at half the rate.
    df = optoplan.collective(ring_instance([0, 2, 1, 3], max_hops=3), methods=["fixed", "matched"]).set_index("method")
    assert math.isclose(df.loc["fixed", "ratio"], 2.0, rel_tol=1e-6)
    assert math.isclose(df.loc["matched", "ratio"], 1.0, rel_tol=1e-6)
    # With at most 2 circuits per transfer, 1→2 has no path and no packet fabric: no finite time
    # (an infinite ratio, or a failed plan kept as a row with the tool's message).
    capped = optoplan.collective(ring_instance([0, 2, 1, 3], max_hops=2), methods=["fixed"], keep_errors=True)
    assert len(capped) == 1 and not math.isfinite(capped.ratio.iloc[0])
    assert math.isinf(capped.ratio.iloc[0]) or capped.error.iloc[0]
    with pytest.raises(optoplan.OptoPlanError):
        optoplan.collective({"problem": "linkpool"}, methods=["fixed"])


def write_trace(path, series):
    with open(path, "w") as f:
        f.write("t,src,dst,demand\n")
        for t, m in enumerate(series):
            for i in range(len(m)):
                for j in range(len(m)):
                    if m[i][j]:
                        f.write(f"{t},{i},{j},{m[i][j]}\n")


def test_read_trace_units_diagonal_and_missing_rows(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("t,src,dst,demand\n0,0,1,2.5\n0,1,1,9\n2,2,0,1\n")
    s = optoplan.read_trace(p, unit="MB")
    assert s.shape == (3, 3, 3)
    assert s[0, 0, 1] == 2.5e6 and s[0, 1, 1] == 0 and s[2, 2, 0] == 1e6
    assert s[1].sum() == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("time,a,b,c\n")
    with pytest.raises(ValueError):
        optoplan.read_trace(bad)


def test_predict_last_value_error_by_hand(tmp_path):
    # Pair 0→1 alternates 1, 3, 1, 3, … over 10 snapshots; the last 20 % (snapshots 8, 9) are 1 and 3,
    # last value forecasts 3 and 1: NMAE (2 + 2) / 4 = 1.
    series = [[[0, 1 if t % 2 == 0 else 3], [0, 0]] for t in range(10)]
    write_trace(tmp_path / "alt.csv", series)
    df = optoplan.predict(tmp_path / "alt.csv", holdout=0.2)
    assert df.attrs["split"] == 8 == optoplan.split_point(10, 0.2)
    assert df.attrs["snapshots"] == 10 and df.attrs["nodes"] == 2
    assert set(df.kind) == {"last", "ewma", "seasonal", "shape"}
    assert math.isclose(df.set_index("kind").loc["last", "nmaeHeldBack"], 1.0, abs_tol=1e-4)
    # A period-2 series: the seasonal predictor forecasts it exactly.
    assert df.set_index("kind").loc["seasonal", "nmaeHeldBack"] < 1e-3


FABRIC = {"fabric": {"nodes": 3, "ocsPortsPerNode": 1, "circuitRate": "8Gbps", "packetRate": "1Gbps",
                     "reconfigurationDelay": "10ms"}}


def test_replay_rows_totals_and_static_reconstruction(tmp_path):
    rng = np.random.default_rng(7)
    series = [[[0 if i == j else float(rng.integers(0, 800)) for j in range(3)] for i in range(3)] for _ in range(16)]
    trace = tmp_path / "tr.csv"
    write_trace(trace, series)
    df = optoplan.replay(trace, FABRIC, horizon=2, unit="MB", holdout=0.25, predictor="last", step_limit=1, time_limit=5)
    split = optoplan.split_point(16, 0.25)
    assert df.attrs["firstEpoch"] == split and list(df.epoch) == list(range(split, 16))
    totals = df.attrs["totals"]
    assert math.isclose(df.servedBytes.sum(), totals["replay"]["servedBytes"], rel_tol=1e-9)
    actual = optoplan.read_trace(trace, unit="MB")[split:]
    # Served so far plus the backlog is what has arrived (relative tolerance 1e-6).
    assert math.isclose(df.servedBytes.sum() + df.backlogBytes.iloc[-1], actual.sum(), rel_tol=1e-6)
    assert totals["static"]["circuitsChanged"] == 0

    # The static reference rebuilt from the client: planned on the training part, its configuration
    # held over the replayed epochs, scored epoch by epoch; the same total as replay's.
    full = optoplan.read_trace(trace, unit="MB")
    training = optoplan.epochs_instance(full[:split], FABRIC["fabric"])
    static = optoplan.plan(training, method="static")
    held = optoplan.epochs_instance(actual, FABRIC["fabric"])
    plan = dict(static, epochs=[static["epochs"][0]] * len(actual))
    per_epoch = optoplan.epoch_figures(held, plan)
    assert len(per_epoch) == len(actual) and (per_epoch.circuitsChanged == 0).all()
    assert math.isclose(per_epoch.servedBytes.sum(), optoplan.evaluate(held, plan)["servedBytes"], rel_tol=1e-9)
    assert math.isclose(per_epoch.servedBytes.sum(), totals["static"]["servedBytes"], rel_tol=1e-6)
