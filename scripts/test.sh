#!/usr/bin/env bash
# Runs the whole OptoPlan test suite (debug build, all test targets).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build --parallel --num-workers 2
