"""Traces, predictors and replay (PROBLEMS.md §5) through the optoplan executable."""

import os
import re

from ._run import OptoPlanError, run, run_json
from .api import _UNITS, _base, _file, _pandas, evaluate


def read_trace(path, unit="B"):
    """A ``t,src,dst,demand`` CSV as a numpy array of shape (snapshots, N, N).

    Read as ``optoplan`` reads it: values times ``unit`` (a volume unit such
    as ``"MB"``), missing rows 0, the diagonal dropped, N one more than the
    largest node named. Raises ValueError on a malformed file.
    """
    import numpy as np

    if unit not in _UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    rows = []
    with open(path, encoding="utf-8") as f:
        header = None
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if header is None:
                header = [x.strip().lower() for x in line.split(",")]
                if header != ["t", "src", "dst", "demand"]:
                    raise ValueError(f"{path}:{number}: expected the header t,src,dst,demand")
                continue
            fields = line.split(",")
            if len(fields) != 4:
                raise ValueError(f"{path}:{number}: expected 4 fields, found {len(fields)}")
            t, i, j = (int(x) for x in fields[:3])
            v = float(fields[3])
            if min(t, i, j) < 0 or v < 0:
                raise ValueError(f"{path}:{number}: negative value")
            rows.append((t, i, j, v))
    if not rows:
        raise ValueError(f"{path}: the trace has no rows")
    data = np.array(rows)
    snapshots = int(data[:, 0].max()) + 1
    n = int(data[:, 1:3].max()) + 1
    series = np.zeros((snapshots, n, n))
    np.add.at(series, (data[:, 0].astype(int), data[:, 1].astype(int), data[:, 2].astype(int)), data[:, 3])
    for k in range(n):
        series[:, k, k] = 0
    return series * _UNITS[unit]


def split_point(snapshots, holdout):
    """The first held-back snapshot, as ``predict`` and ``replay`` split a trace."""
    def round_half_away(x):  # Swift's rounded(): half away from zero
        return int(x + 0.5) if x >= 0 else -int(-x + 0.5)
    return min(snapshots - 1, max(2, round_half_away(snapshots * (1 - holdout))))


def _notes(stderr):
    return [l[len("note: "):] for l in stderr.splitlines() if l.startswith("note: ")]


def predict(trace, unit="B", holdout=0.2):
    """``optoplan predict``'s table as a DataFrame (pandas): one row per
    predictor (its description, e.g. ``"ewma (α 0.02)"``, and ``kind``), with
    ``nmaeHeldBack`` and ``nmaeTraining`` (Σ|F − D| / Σ D, one step ahead).
    ``attrs`` holds ``split`` (first held-back snapshot), ``snapshots``,
    ``nodes`` and the tool's ``notes`` (auto's choice among them)."""
    out, err = run(["predict", os.fspath(trace), "--unit", unit, "--holdout", holdout])
    lines = out.splitlines()
    head = re.search(r"(\d+) snapshots of (\d+)×\d+; fitted on the first (\d+)", lines[0] if lines else "")
    if not head or len(lines) < 2 or not lines[1].startswith("predictor"):
        raise OptoPlanError(f"unexpected predict output: {out[:200]!r}", None, ["predict"])
    rows = []
    for line in lines[2:]:
        m = re.match(r"^(.*?)\s{2,}(\S+)\s+(\S+)\s*$", line)
        if not m or line.startswith("seasonal period"):
            continue
        name = m.group(1).strip()
        rows.append({"predictor": name, "kind": name.split()[0].lower(),
                     "nmaeHeldBack": float(m.group(2)), "nmaeTraining": float(m.group(3))})
    df = _pandas().DataFrame(rows, columns=["predictor", "kind", "nmaeHeldBack", "nmaeTraining"])
    df.attrs.update({"snapshots": int(head.group(1)), "nodes": int(head.group(2)), "split": int(head.group(3)),
                     "notes": _notes(err) + [l for l in lines if l.startswith("seasonal period")]})
    return df


def replay_document(trace, fabric, horizon, unit="B", holdout=0.2, predictor="auto", hedge=None,
                    scenarios=None, seed=None, method=None, step_limit=None, time_limit=None,
                    epoch=None, output=None):
    """``optoplan replay … --format json`` as its document (a dict with
    ``epochs`` and ``totals``). ``fabric`` is a path or a dict
    (``{"fabric": {…}}`` or a schedule instance)."""
    args = ["replay", os.fspath(trace), "--horizon", horizon, "--fabric", None, "--unit", unit,
            "--holdout", holdout, "--predictor", predictor, "--format", "json"]
    for flag, value in (("--hedge", hedge), ("--scenarios", scenarios), ("--seed", seed), ("--method", method),
                        ("--step-limit", step_limit), ("--time-limit", time_limit), ("--epoch", epoch)):
        if value is not None:
            args += [flag, value]
    if output is not None:
        args += ["--output", os.fspath(output)]
    with _file(fabric, "fabric.json") as p:
        args[args.index(None)] = p
        out, err = run(args)
    import json
    doc = json.loads(out)
    doc["stderrNotes"] = _notes(err)
    return doc


def replay(trace, fabric, horizon, **options):
    """``optoplan replay`` as a DataFrame (pandas): one row per replayed
    epoch (epoch, servedBytes, backlogBytes, circuitsChanged, forecastError,
    method, cpuSeconds); ``attrs["totals"]`` holds the totals of replay,
    perfect foresight and static (servedBytes, backlogBytes,
    circuitsChanged, cpuSeconds), ``attrs`` also ``predictor``,
    ``firstEpoch``, ``interrupted`` and ``notes``. Options as
    :func:`replay_document` (unit, holdout, predictor, hedge, scenarios,
    seed, method, step_limit, time_limit, epoch, output)."""
    doc = replay_document(trace, fabric, horizon, **options)
    df = _pandas().DataFrame(doc["epochs"], columns=["epoch", "servedBytes", "backlogBytes", "circuitsChanged",
                                                     "forecastError", "method", "cpuSeconds"])
    df.attrs.update({"totals": doc["totals"], "predictor": doc.get("predictor"), "firstEpoch": doc.get("firstEpoch"),
                     "interrupted": doc.get("interrupted"), "notes": doc.get("notes", []) + doc["stderrNotes"]})
    return df


def epochs_instance(matrices, fabric, epoch=1.0):
    """An epochs-mode schedule instance (a dict) of demand matrices (bytes)
    with ``fabric`` (the fabric object) and every epoch ``epoch`` long."""
    return {"problem": "schedule", "fabric": dict(fabric),
            "epochs": [{"duration": epoch, "demand": [[float(x) for x in row] for row in m]} for m in matrices]}


def epoch_figures(instance, plan_):
    """The evaluator's figures per epoch of an epochs-mode plan (pandas):
    epoch (0-based), servedBytes, backlogBytes and circuitsChanged (circuits
    added since the epoch before). Each epoch's served bytes are the growth
    of the evaluator's served total over the plan's prefixes (the backlog
    flowing from epoch to epoch, as ``optoplan replay`` scores its kept
    configurations); one ``evaluate`` per epoch."""
    from .api import load_instance

    inst = instance if isinstance(instance, dict) else load_instance(instance)
    epochs = inst["epochs"]
    if len(plan_.get("epochs") or []) != len(epochs):
        raise ValueError("the plan and the instance need the same number of epochs")
    rows, served_before, arrived, previous = [], 0.0, 0.0, {}
    for e in range(len(epochs)):
        prefix = dict(inst, epochs=epochs[:e + 1])
        cut = dict(plan_, epochs=plan_["epochs"][:e + 1])
        served = evaluate(prefix, cut)["servedBytes"]
        demand = epochs[e]["demand"]
        if not isinstance(demand, list):
            raise ValueError("epoch_figures needs every epoch's demand as a matrix in the instance")
        arrived += sum(_base(x) for row in demand for x in row)
        counts = {}
        for i, j in plan_["epochs"][e]["circuits"]:
            counts[(i, j)] = counts.get((i, j), 0) + 1
        changed = sum(max(0, n - previous.get(p, 0)) for p, n in counts.items()) if e > 0 else 0
        previous = counts
        rows.append({"epoch": e, "servedBytes": served - served_before, "backlogBytes": max(0.0, arrived - served),
                     "circuitsChanged": changed})
        served_before = served
    return _pandas().DataFrame(rows, columns=["epoch", "servedBytes", "backlogBytes", "circuitsChanged"])
