#!/usr/bin/env bash
# Runs the whole OptoPlan test suite: installs missing system packages,
# builds every target and test target (debug), runs every test, then the
# Python client's tests (python/tests, pytest) against the debug binary
# when python3 and pytest are present (skipped with a note otherwise; tests
# that need pandas skip themselves with a note when it is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build

if ! command -v python3 >/dev/null 2>&1; then
    echo "test: python3 not found; the Python client's tests are skipped" >&2
    exit 0
fi
if ! python3 -c "import pytest" >/dev/null 2>&1; then
    echo "test: pytest not installed (pip install pytest); the Python client's tests are skipped" >&2
    exit 0
fi
OPTOPLAN_BIN="$(swift build --show-bin-path)/optoplan"
export OPTOPLAN_BIN
status=0
PYTHONPATH="$PWD/python${PYTHONPATH:+:$PYTHONPATH}" python3 -m pytest -q -rs python/tests || status=$?
# 5: no tests collected; not a failure.
if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then exit "$status"; fi
exit 0
