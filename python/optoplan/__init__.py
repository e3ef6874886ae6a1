"""Python client for the OptoPlan command line.

Every function runs the ``optoplan`` executable (``OPTOPLAN_BIN``, else the
first ``optoplan`` on ``PATH``) and returns plain data (dicts and lists as
the tool's JSON has them), numpy arrays or pandas DataFrames. A command that
fails raises :class:`OptoPlanError` carrying the tool's message and exit
status. Instances may be given as a path or as a dict (written to a
temporary file for the call); :func:`load_instance` reads a file into a dict
with CSV demand references made absolute, so the dict can be changed and
planned from anywhere.
"""

from ._run import OptoPlanError, binary, run, run_json
from .api import (
    collective,
    compare,
    configurations,
    demand_matrix,
    evaluate,
    load_instance,
    plan,
    sweep,
    sweep_rows,
)
from .traces import epoch_figures, epochs_instance, predict, read_trace, replay, replay_document, split_point

__all__ = [
    "OptoPlanError",
    "binary",
    "run",
    "run_json",
    "collective",
    "compare",
    "configurations",
    "demand_matrix",
    "evaluate",
    "load_instance",
    "plan",
    "sweep",
    "sweep_rows",
    "epoch_figures",
    "epochs_instance",
    "predict",
    "read_trace",
    "replay",
    "replay_document",
    "split_point",
]
