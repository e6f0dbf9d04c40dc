#!/usr/bin/env bash
# The branch programme end to end (issue 20's goal: 500 generated sites on 2 cores in under
# 5 minutes, peak memory under 2 GB): generate the portfolio, then `plumbline batch` over it
# twice into a new history (the first run records every clash as new, the second finds them
# again, as a weekly rerun does), each under /usr/bin/time for the wall time and the peak
# resident memory of the whole process. Figures go in the README ("plumbline batch").
#
#   benches/batch_programme.sh [SITES] [JOBS]        (defaults 500 and the number of cores)
#
# PLUMBLINE_BIN names the binary to measure; by default the `dist` build is made first.
set -euo pipefail
cd "$(dirname "$0")/.."
sites="${1:-500}"
jobs="${2:-$(nproc)}"
bin="${PLUMBLINE_BIN:-}"
if [ -z "$bin" ]; then
    cargo build --quiet --profile dist -p plumbline-cli
    bin="${CARGO_TARGET_DIR:-target}/dist/plumbline"
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/plumbline-programme.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export PLUMBLINE_NO_CACHE=1
"$bin" -q gen portfolio --sites "$sites" --seed 1 --out "$work/programme"
echo "portfolio: $sites sites, $(du -sh "$work/programme/sites" | cut -f1) of models; $jobs jobs on $(nproc) cores"
for run in 1 2; do
    # Exit codes 4 and 5 (incomplete or failed sites) are results here, not failures of the script.
    /usr/bin/time -f "run $run: %e s wall, %M KB peak RSS, %P CPU" \
        "$bin" -q batch "$work/programme/portfolio.toml" --out "$work/out" --db "$work/history.db" \
        --jobs "$jobs" || { rc=$?; [ "$rc" -eq 4 ] || [ "$rc" -eq 5 ]; }
done
python3 - "$work/out/portfolio.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
t = p["totals"]
print(f"portfolio: {t['sites']} sites, {t['ok']} ok, {t['failed']} failed, {t['open']} open clashes, {t['needed_soon']} needed soon")
PY
