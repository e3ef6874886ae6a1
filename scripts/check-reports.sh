#!/bin/sh
# Renders every page in notebooks-export/ (or the directory given) — the
# executed notebooks (scripts/export-notebooks.sh) and the `optoplan report`
# pages — in headless Chromium and writes a PNG screenshot of each beside a
# log, so a person can look at them. Notebook pages reference scripts on a
# CDN (MathJax, require.js); without a network they render all the same. Fails when Chromium is missing, when a page
# fails to render, or when a screenshot is empty.
#
#   scripts/check-reports.sh [REPORT_DIR] [SCREENSHOT_DIR]
#
# Install Chromium first on Debian: apt-get install -y chromium
# Not part of `swift test`: the test suite never needs a browser.
set -eu
DIR=${1:-notebooks-export}
OUT=${2:-${TMPDIR:-/tmp}/optoplan-report-screenshots}
BROWSER=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$BROWSER" ]; then
    echo "check-reports: no chromium found (apt-get install -y chromium)" >&2
    exit 2
fi
mkdir -p "$OUT"
status=0
for page in "$DIR"/*.html; do
    name=$(basename "$page" .html)
    png="$OUT/$name.png"
    rm -f "$png"
    # A tall window so the whole page is in the picture; no network is needed.
    if ! "$BROWSER" --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
        --window-size=900,4000 --screenshot="$png" "file://$(cd "$(dirname "$page")" && pwd)/$(basename "$page")" \
        >"$OUT/$name.log" 2>&1; then
        echo "check-reports: $page did not render (see $OUT/$name.log)" >&2
        status=1
        continue
    fi
    size=$(wc -c <"$png" 2>/dev/null || echo 0)
    if [ "$size" -lt 5000 ]; then
        echo "check-reports: $png is suspiciously small ($size bytes)" >&2
        status=1
    else
        echo "check-reports: $page -> $png ($size bytes)"
    fi
done
exit $status
