#!/usr/bin/env bash
# Fresh machine → running planner: installs what is missing, builds in
# release mode and runs the main job on a bundled dataset.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release
bin="$(swift build -c release --show-bin-path)"
"$bin/optoplan" --version
