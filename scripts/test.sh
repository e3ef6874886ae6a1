#!/usr/bin/env bash
# Runs the whole OptoPlan test suite: installs missing system packages,
# builds every target and test target (debug), runs every test, then the
# Python client's tests (python/tests, pytest) against the debug binary
# when python3 and pytest are present (skipped with a note otherwise; tests
# that need pandas skip themselves with a note when it is missing).
#
# Under CI (CI=true) as root it then runs scripts/slurm-check.sh with the
# debug optoplan just built: a one-node Slurm cluster on this machine runs
# deploy/slurm/optoplan-batch.sbatch (about 80 s including apt; see
# docs/batch.md). Elsewhere, or with OPTOPLAN_NO_SLURM=1, it says so and
# skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build

python_tests() {
  if ! command -v python3 >/dev/null 2>&1; then
    echo "test: python3 not found; the Python client's tests are skipped" >&2
    return 0
  fi
  if ! python3 -c "import pytest" >/dev/null 2>&1; then
    echo "test: pytest not installed (pip install pytest); the Python client's tests are skipped" >&2
    return 0
  fi
  OPTOPLAN_BIN="$(swift build --show-bin-path)/optoplan"
  export OPTOPLAN_BIN
  local status=0
  PYTHONPATH="$PWD/python${PYTHONPATH:+:$PYTHONPATH}" python3 -m pytest -q -rs python/tests || status=$?
  # 5: no tests collected; not a failure.
  if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then return "$status"; fi
  return 0
}
python_tests

if [ "${CI:-}" = true ] && [ "$(id -u)" -eq 0 ] && [ -z "${OPTOPLAN_NO_SLURM:-}" ]; then
  OPTOPLAN=.build/debug/optoplan scripts/slurm-check.sh
else
  echo "test: skipped scripts/slurm-check.sh (the Slurm job-array check runs under CI=true as root; OPTOPLAN_NO_SLURM=1 skips it)" >&2
fi
