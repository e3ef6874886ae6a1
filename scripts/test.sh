#!/usr/bin/env bash
# Runs the whole OptoPlan test suite: installs missing system packages,
# builds every target and test target (debug), runs every test.
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

if [ "${CI:-}" = true ] && [ "$(id -u)" -eq 0 ] && [ -z "${OPTOPLAN_NO_SLURM:-}" ]; then
  OPTOPLAN=.build/debug/optoplan scripts/slurm-check.sh
else
  echo "test: skipped scripts/slurm-check.sh (the Slurm job-array check runs under CI=true as root; OPTOPLAN_NO_SLURM=1 skips it)" >&2
fi
