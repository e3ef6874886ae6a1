#!/usr/bin/env bash
# Fresh machine → running planner: installs what is missing (apt packages
# included), builds in release mode and runs the main job on bundled
# datasets: a circuit schedule planned with `auto` and scored by the
# evaluator, and the link-pool reference case. Plans go to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product optoplan
bin="$(swift build -c release --show-bin-path)"
mkdir -p out
echo "== circuit schedule (auto) on datasets/schedule/synthetic-n8-window.json" >&2
"$bin/optoplan" schedule datasets/schedule/synthetic-n8-window.json --time-limit 10 --output out/synthetic-n8.plan.json
echo "== evaluator on that plan" >&2
"$bin/optoplan" evaluate datasets/schedule/synthetic-n8-window.json out/synthetic-n8.plan.json > out/synthetic-n8.metrics.json
head -c 400 out/synthetic-n8.metrics.json; echo
echo "== link-pool reference case: symmetric versus asymmetric" >&2
"$bin/optoplan" compare datasets/linkpool/two-racks-8to1.json --methods symmetric,ilp,greedy
