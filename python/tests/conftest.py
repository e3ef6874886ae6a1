"""Shared fixtures: the built optoplan binary and the repository's datasets."""
import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _binary():
    env = os.environ.get("OPTOPLAN_BIN")
    if env:
        return env
    if shutil.which("swift"):
        try:
            out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, timeout=120)
            candidate = pathlib.Path(out.stdout.strip()) / "optoplan"
            if candidate.is_file():
                return str(candidate)
        except (OSError, subprocess.SubprocessError):
            pass
    return shutil.which("optoplan")


@pytest.fixture(scope="session", autouse=True)
def optoplan_bin():
    b = _binary()
    if not b:
        pytest.skip("no optoplan binary (run swift build, or set OPTOPLAN_BIN)")
    os.environ["OPTOPLAN_BIN"] = b
    return b


@pytest.fixture
def datasets():
    return ROOT / "datasets"
