#!/usr/bin/env bash
# Runs the whole OptoPlan test suite: installs missing system packages,
# builds every target and test target (debug), runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
