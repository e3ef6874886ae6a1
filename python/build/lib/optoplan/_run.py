"""Finding and running the optoplan executable."""

import json
import os
import shutil
import subprocess


class OptoPlanError(Exception):
    """A failed ``optoplan`` command.

    Attributes: ``message`` (the tool's error lines from standard error),
    ``status`` (its exit status: 1 no feasible plan, 64 bad arguments,
    65 bad input data), ``command`` (the argument list) and ``stderr``.
    """

    def __init__(self, message, status, command, stderr=""):
        super().__init__(f"{message} (exit status {status})")
        self.message = message
        self.status = status
        self.command = command
        self.stderr = stderr


def binary():
    """The optoplan executable: ``OPTOPLAN_BIN``, else ``optoplan`` on PATH.

    Raises :class:`OptoPlanError` (status None) when neither is found.
    """
    env = os.environ.get("OPTOPLAN_BIN")
    if env:
        if os.path.isfile(env) and os.access(env, os.X_OK):
            return env
        raise OptoPlanError(f"OPTOPLAN_BIN={env} is not an executable file", None, [])
    found = shutil.which("optoplan")
    if found:
        return found
    raise OptoPlanError(
        "optoplan not found: put it on PATH or set OPTOPLAN_BIN "
        "(e.g. OPTOPLAN_BIN=$(swift build --show-bin-path)/optoplan)", None, [])


def _message(stderr):
    lines = [l for l in stderr.splitlines() if l.startswith("error:") or l.startswith("Error:")]
    text = "\n".join(lines) if lines else stderr.strip()
    return text or "optoplan failed"


def run(args, cwd=None):
    """Runs ``optoplan args…``; returns (stdout, stderr) on exit status 0.

    Raises :class:`OptoPlanError` with the tool's message and status otherwise.
    """
    command = [binary()] + [str(a) for a in args]
    p = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        raise OptoPlanError(_message(p.stderr), p.returncode, command, p.stderr)
    return p.stdout, p.stderr


def run_json(args, cwd=None):
    """Runs ``optoplan args…`` and parses its standard output as JSON."""
    out, _ = run(args, cwd=cwd)
    return json.loads(out)
