#!/usr/bin/env python3
"""Yardstick for `optoplan-bench linkpool --exact`: HiGHS on an exported
link-pool model (free MPS written by `optoplan export --as mps`, stage 1:
maximise the objective, written as minimising its negation).

The result is the last line of standard output (HiGHS may print a banner
before it). Solves stage 1, then stage 2 the way the planner does: the objective held
at stage 1's value (minus 1e-7 relative) and the number of circuits (the
columns named n_*) minimised. Prints one JSON object:
  {"status": ..., "objective": ..., "bound": ..., "gap": ...,
   "circuits": ..., "seconds": stage 1 + stage 2 solve wall seconds,
   "stage1_seconds": ..., "stage2_seconds": ..., "cpu_seconds": ...}
Usage: highs-linkpool.py MODEL.mps TIME_LIMIT_SECONDS
Needs the highspy package (pip install highspy); exits 3 without it."""
import json
import math
import sys
import time

try:
    import highspy
except ImportError:
    print(json.dumps({"status": "unavailable", "reason": "python module highspy is not installed"}))
    sys.exit(3)


def main():
    path, limit = sys.argv[1], float(sys.argv[2])
    cpu0 = time.process_time()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", limit)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.readModel(path)
    lp = h.getLp()
    names = list(lp.col_names_)
    wall0 = time.perf_counter()
    h.run()
    stage1 = time.perf_counter() - wall0
    status1 = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    sense_negated = True  # the export minimises -objective
    objective = -info.objective_function_value if sense_negated else info.objective_function_value
    bound = -info.mip_dual_bound if sense_negated else info.mip_dual_bound
    gap = info.mip_gap
    out = {"status": "optimal" if status1 == "Optimal" else status1, "objective": objective, "bound": bound, "gap": gap,
           "stage1_seconds": stage1}
    stage2 = 0.0
    circuits = None
    if status1 == "Optimal":
        costs = list(lp.col_cost_)
        sol = list(h.getSolution().col_value)
        obj_cols = [k for k, c in enumerate(costs) if c != 0]
        value = sum(-costs[k] * sol[k] for k in obj_cols)
        floor = value - 1e-7 * max(1.0, abs(value))
        # Objective row: sum(-cost_k * x_k) >= floor.
        h.addRow(floor, highspy.kHighsInf, len(obj_cols), obj_cols, [-costs[k] for k in obj_cols])
        for k in range(len(costs)):
            h.changeColCost(k, 1.0 if names[k].startswith("n_") else 0.0)
        h.setOptionValue("time_limit", max(0.01, limit - stage1))
        wall1 = time.perf_counter()
        h.run()
        stage2 = time.perf_counter() - wall1
        if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            circuits = round(h.getInfo().objective_function_value)
        else:
            out["status"] = "stage2 " + h.modelStatusToString(h.getModelStatus())
    out.update({"stage2_seconds": stage2, "seconds": stage1 + stage2, "circuits": circuits,
                "cpu_seconds": time.process_time() - cpu0})
    # JSON has no infinities or NaN (HiGHS reports an infinite gap without an incumbent): null instead.
    print(json.dumps({k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in out.items()}))


if __name__ == "__main__":
    main()
