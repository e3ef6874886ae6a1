"""Plans, evaluations, comparisons and sweeps through the optoplan executable."""

import contextlib
import json
import os
import pathlib
import tempfile

from ._run import OptoPlanError, run, run_json

_UNITS = {
    "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
    "KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3, "TiB": 1024 ** 4,
    "bps": 1, "Kbps": 1e3, "Mbps": 1e6, "Gbps": 1e9, "Tbps": 1e12,
    "s": 1, "ms": 1e-3, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "ns": 1e-9,
}


def _base(value):
    """A quantity (number in base units, or "20us", "400Gbps", …) in base units."""
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    i = len(text)
    while i > 0 and not (text[i - 1].isdigit() or text[i - 1] == "."):
        i -= 1
    unit = text[i:].strip()
    if unit and unit not in _UNITS:
        raise ValueError(f"unknown unit in {value!r}")
    return float(text[:i]) * _UNITS.get(unit, 1)


def load_instance(path):
    """Reads an instance file into a dict; CSV demand paths become absolute."""
    path = pathlib.Path(path)
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    base = path.resolve().parent

    def fix(demand):
        if isinstance(demand, dict) and "csv" in demand and not os.path.isabs(demand["csv"]):
            demand = dict(demand, csv=str(base / demand["csv"]))
        return demand

    if "demand" in doc:
        doc["demand"] = fix(doc["demand"])
    for epoch in doc.get("epochs", []) or []:
        if "demand" in epoch:
            epoch["demand"] = fix(epoch["demand"])
    return doc


@contextlib.contextmanager
def _file(obj, name):
    """A path for an instance or plan given as a path or as a dict."""
    if isinstance(obj, (str, os.PathLike)):
        yield os.fspath(obj)
        return
    with tempfile.TemporaryDirectory(prefix="optoplan-") as d:
        p = os.path.join(d, name)
        with open(p, "w", encoding="utf-8") as f:
            json.dump(obj, f)
        yield p


def _problem(instance):
    if isinstance(instance, dict):
        return instance.get("problem")
    with open(instance, encoding="utf-8") as f:
        return json.load(f).get("problem")


def plan(instance, method="auto", time_limit=None, extra=()):
    """Plans an instance (path or dict) with a method; returns the plan dict."""
    problem = _problem(instance)
    if problem not in ("schedule", "linkpool", "stagger", "collective"):
        raise OptoPlanError(f"not an instance with a known problem: {problem!r}", 65, [])
    args = [problem, None, "--method", method, "--quiet"]
    if time_limit is not None:
        args += ["--time-limit", time_limit]
    with _file(instance, "instance.json") as p:
        args[1] = p
        return run_json(args + list(extra))


def evaluate(instance, plan_, actual=None, iterations=None):
    """Scores a plan (dict or path) on an instance; returns the metrics dict."""
    with _file(instance, "instance.json") as ip, _file(plan_, "plan.json") as pp:
        args = ["evaluate", ip, pp]
        if iterations is not None:
            args += ["--iterations", iterations]
        if actual is not None:
            with _file(actual, "actual.json") as ap:
                return run_json(args + ["--actual", ap])
        return run_json(args)


def _pandas():
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("this function returns a pandas DataFrame: pip install pandas") from e
    return pandas


def compare(instance, methods=None, time_limit=None):
    """``optoplan compare`` as a DataFrame, one row per method (pandas)."""
    args = ["compare", None, "--format", "json"]
    if methods:
        args += ["--methods", ",".join(methods)]
    if time_limit is not None:
        args += ["--time-limit", time_limit]
    with _file(instance, "instance.json") as p:
        args[1] = p
        doc = run_json(args)
    df = _pandas().DataFrame(doc["rows"])
    df.attrs.update({k: doc.get(k) for k in ("problem", "objective", "direction", "bestBound", "bestObjective")})
    return df


def _value_text(v):
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(_value_text(x) for x in v) + "]"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def sweep_rows(instance, settings, methods=None, jobs=1, time_limit=None, plot=None):
    """``optoplan sweep`` as its JSON document (a dict with ``rows``).

    ``settings`` maps JSON paths to value lists, e.g.
    ``{"fabric.ocsPortsPerNode": [1, 2, 4], "fabric.reconfigurationDelay": ["10us", "1ms"]}``;
    a value may be a number (base units), a quantity string or a list (per-node fields).
    """
    if not settings:
        raise ValueError("settings needs at least one path and its values")
    args = ["sweep", None, "--format", "json", "--quiet", "--jobs", jobs]
    for path, values in settings.items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            values = [values]
        args += ["--set", f"{path}=" + ",".join(_value_text(v) for v in values)]
    if methods:
        args += ["--methods", ",".join(methods)]
    if time_limit is not None:
        args += ["--time-limit", time_limit]
    if plot is not None:
        args += ["--plot", os.fspath(plot)]
    with _file(instance, "instance.json") as p:
        args[1] = p
        return run_json(args)


def sweep(instance, settings, methods=None, jobs=1, time_limit=None, plot=None):
    """``optoplan sweep`` as a DataFrame (pandas): one row per combination and
    method; a column per swept path (base units; lists as tuples), then
    method, planMethod, status, objective, gap, seconds, bound, note, and the
    evaluator's scalar figures as ``ev.<name>``."""
    doc = sweep_rows(instance, settings, methods=methods, jobs=jobs, time_limit=time_limit, plot=plot)
    records = []
    for r in doc["rows"]:
        rec = {}
        for path in doc["paths"]:
            v = r["set"][path]
            rec[path] = tuple(v) if isinstance(v, list) else v
        for key in ("method", "planMethod", "status", "objective", "gap", "seconds", "bound", "note"):
            rec[key] = r.get(key)
        for key, v in (r.get("evaluation") or {}).items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                rec["ev." + key] = v
        records.append(rec)
    df = _pandas().DataFrame.from_records(records)
    df.attrs.update({k: doc.get(k) for k in ("problem", "objective", "direction", "paths", "interrupted")})
    return df


def demand_matrix(data, unit=None):
    """A demand matrix for an instance from a DataFrame, numpy array or nested lists.

    Returns nested lists of numbers (base units), or of strings with ``unit``
    appended (e.g. ``unit="MB"``). Raises ValueError unless the matrix is
    square, finite and not negative.
    """
    import numpy as np

    values = data.to_numpy() if hasattr(data, "to_numpy") else data
    m = np.asarray(values, dtype=float)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"a demand matrix must be square, got shape {m.shape}")
    if not np.all(np.isfinite(m)) or np.any(m < 0):
        raise ValueError("a demand matrix must be finite and not negative")
    if unit is None:
        return [[float(x) for x in row] for row in m]
    if unit not in _UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    return [[f"{x:.17g}{unit}" if x else 0 for x in row] for row in m]


def configurations(plan_, instance=None):
    """A plan's circuits as a DataFrame (pandas), one row per circuit pair.

    - schedule, window mode: configuration, start, end, duration, src, dst,
      circuits (multiplicity); ``start`` counts the reconfiguration delay
      before every configuration when ``instance`` (dict or path) is given;
    - schedule, epochs mode: epoch, src, dst, circuits;
    - link pool: src, dst, circuits.
    """
    pd = _pandas()
    delay = 0.0
    if instance is not None:
        inst = instance if isinstance(instance, dict) else load_instance(instance)
        delay = _base(inst.get("fabric", {}).get("reconfigurationDelay", 0))

    def count(circuits):
        c = {}
        for i, j in circuits:
            c[(i, j)] = c.get((i, j), 0) + 1
        return c

    rows = []
    if plan_.get("configurations") is not None:
        t = 0.0
        for k, conf in enumerate(plan_["configurations"]):
            t += delay
            d = float(conf["duration"])
            for (i, j), n in count(conf["circuits"]).items():
                rows.append({"configuration": k, "start": t, "end": t + d, "duration": d, "src": i, "dst": j, "circuits": n})
            t += d
        columns = ["configuration", "start", "end", "duration", "src", "dst", "circuits"]
    elif plan_.get("epochs") is not None:
        for e, epoch in enumerate(plan_["epochs"]):
            for (i, j), n in count(epoch["circuits"]).items():
                rows.append({"epoch": e, "src": i, "dst": j, "circuits": n})
        columns = ["epoch", "src", "dst", "circuits"]
    elif plan_.get("circuits") is not None:
        for (i, j), n in count(plan_["circuits"]).items():
            rows.append({"src": i, "dst": j, "circuits": n})
        columns = ["src", "dst", "circuits"]
    else:
        raise ValueError(f"a {plan_.get('problem')} plan has no circuits")
    return pd.DataFrame(rows, columns=columns)


def collective(instance, methods=("fixed", "matched", "auto"), time_limit=None, keep_errors=False):
    """Plans a collective instance (path or dict) with each method and scores
    every plan with the evaluator; a DataFrame (pandas), one row per method
    and job: method, planMethod, status, job, time (the evaluator's, s),
    lowerBound (PROBLEMS.md §4, s), ratio (time / lowerBound; inf when some
    transfer has no path), planTime (the planner's own figure for the plan's
    largest job time), circuits, rings (the allreduces' ring count),
    seconds (solve time) and error. With ``keep_errors`` a method whose
    plan or evaluation fails gives rows with NaN figures and the tool's
    message in ``error`` instead of raising :class:`OptoPlanError`."""
    if isinstance(instance, dict):
        inst = instance
    else:
        with open(instance, encoding="utf-8") as f:
            inst = json.load(f)
    if inst.get("problem") != "collective":
        raise OptoPlanError(f"not a collective instance: {inst.get('problem')!r}", 65, [])
    rows = []
    with _file(instance, "instance.json") as p:
        for m in methods:
            try:
                plan_ = plan(p, method=m, time_limit=time_limit)
                metrics = evaluate(p, plan_)
            except OptoPlanError as e:
                if not keep_errors:
                    raise
                for job in inst.get("jobs", []):
                    rows.append({"method": m, "job": job.get("name"), "time": float("nan"), "lowerBound": float("nan"),
                                 "ratio": float("nan"), "error": e.message})
                continue
            for job, fig in (metrics.get("jobs") or {}).items():
                t, lb = _number(fig.get("time")), _number(fig.get("lowerBound"))
                rows.append({"method": m, "planMethod": plan_.get("method"), "status": plan_.get("status"),
                             "job": job, "time": t, "lowerBound": lb,
                             "ratio": t / lb if lb and lb > 0 else float("nan"),
                             "planTime": _number(plan_.get("metrics", {}).get("time")),
                             "circuits": len(plan_.get("circuits") or []),
                             "rings": sum(len(r) for r in (plan_.get("rings") or {}).values()),
                             "seconds": _number(plan_.get("metrics", {}).get("solveSeconds")), "error": None})
    columns = ["method", "planMethod", "status", "job", "time", "lowerBound", "ratio", "planTime", "circuits", "rings",
               "seconds", "error"]
    return _pandas().DataFrame(rows, columns=columns)


def _number(v):
    """A JSON figure as a float (null, "inf" and absent as inf or nan)."""
    if v is None:
        return float("nan")
    if isinstance(v, str):
        return float(v) if v.lower() in ("inf", "+inf", "infinity", "-inf", "nan") else _base(v)
    return float(v)
