#!/usr/bin/env bash
# The viewer at scale (issue 23 item 8): generated data halls of 10k, 100k and 1M elements opened
# cold (--no-cache) by the release viewer at 1600x1000 under Xvfb with Mesa's software Vulkan
# (lavapipe), beside the CLI's cold load of the same file. Prints a markdown table for the README:
# elements drawn, IFC size, the CLI's load (`plumbline info --no-cache`, the whole process), the
# viewer's load (from the start of the load, which `main` starts before Bevy, to the scene
# installed), its first frame (from the start of the process to the first frame that draws the
# model), its median frame (over the frames after the first, real clock) and the viewer's peak
# resident memory; then the viewer's load split into its stages (models: `load_set`; meshes:
# render meshes; schedule: the 4D schedule read and linked beside them; install: assets and
# entities on the main thread).
#
#   benches/viewer_scale.sh [ELEMENTS...]        (default: 10000 100000 1000000)
#
# Environment: FRAMES (frames rendered before the screenshot, default 12: the median is over
# FRAMES-2 of them), RUNS (runs of each size, default 1; ranges are printed when more), WORK
# (where the halls are generated once and kept, default $CARGO_TARGET_DIR/viewer-scale),
# PLUMBLINE_BIN and PLUMBLINE_VIEWER (binaries to measure; by default the release builds are
# made first). Needs xvfb-run, Mesa's lavapipe (mesa-vulkan-drivers, libvulkan1), python3 and
# GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
frames=${FRAMES:-12}
runs=${RUNS:-1}
work=${WORK:-$CARGO_TARGET_DIR/viewer-scale}
cli=${PLUMBLINE_BIN:-}
viewer=${PLUMBLINE_VIEWER:-}
if [ -z "$cli" ] || [ -z "$viewer" ]; then
  cargo build --quiet --release -p plumbline-cli -p plumbline-viewer
  cli=${cli:-$CARGO_TARGET_DIR/release/plumbline}
  viewer=${viewer:-$CARGO_TARGET_DIR/release/plumbline-viewer}
fi
# A shader cache left by an earlier run would make the first frame cheaper than a user's first.
export MESA_SHADER_CACHE_DISABLE=true
mkdir -p "$work"
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
results="$work/results.tsv"
: >"$results"

for n in "${sizes[@]}"; do
  hall="$work/hall-$n.ifc"
  [ -s "$hall" ] || "$cli" -q gen datacenter --elements "$n" --out "$hall"
  for run in $(seq 1 "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/cli-$n.time" "$cli" -q info --no-cache "$hall" >/dev/null
    log="$work/viewer-$n-$run.log"
    rm -f "$work/shot-$n.png"
    # Xvfb occasionally fails to start (XOpenDisplayFailed): one retry.
    for attempt in 1 2; do
      if xvfb-run -a -s "-screen 0 1600x1000x24" /usr/bin/time -f "peak_rss_kb=%M" \
          "$viewer" "$hall" --no-cache --lang en --size 1600x1000 \
          --screenshot "$work/shot-$n.png" --exit-after-frames "$frames" >"$log" 2>&1 \
          && grep -q "plumbline-viewer timings" "$log"; then
        break
      fi
      # A size that cannot open (out of memory, say) is reported and its row left empty.
      [ "$attempt" -eq 2 ] && { echo "viewer failed on $hall (log: $log):" >&2; tail -5 "$log" >&2; }
    done
    printf '%s\t%s\t%s\t%s\n' "$n" "$(stat -L -c %s "$hall")" "$(cat "$work/cli-$n.time")" "$log" >>"$results"
  done
done

python3 - "$results" <<'PY'
import re, sys
from collections import defaultdict

def field(text, name):
    m = re.search(rf"\b{name}=([0-9.]+)", text)
    return float(m.group(1)) if m else float("nan")

rows = defaultdict(list)
for line in open(sys.argv[1]):
    n, size, cli, log = line.rstrip("\n").split("\t")
    cli_secs, cli_kb = (float(x) for x in cli.split())
    # Bevy colours its log lines: the escapes go before the fields are read.
    text = re.sub(r"\x1b\[[0-9;]*m", "", open(log, errors="replace").read())
    rows[int(n)].append({
        "size_mb": int(size) / 1e6,
        "elements": int(field(text, "elements")),
        "cli": cli_secs,
        "cli_mb": cli_kb / 1024,
        "load": field(text, "load_secs"),
        "first": field(text, "first_frame_secs"),
        "median": field(text, "median_frame_ms") / 1000,
        "rss_mb": field(text, "peak_rss_kb") / 1024,
        "models": field(text, "models_secs"),
        "meshes": field(text, "meshes_secs"),
        "schedule": field(text, "schedule_secs"),
        "install": field(text, "install_secs"),
    })

def span(runs, key, fmt):
    lo, hi = min(r[key] for r in runs), max(r[key] for r in runs)
    return fmt.format(lo) if fmt.format(lo) == fmt.format(hi) else fmt.format(lo) + "–" + fmt.format(hi)

print("| elements | IFC MB | CLI load s | viewer load s | first frame s | median frame s | viewer peak RSS MB | CLI peak RSS MB |")
print("|---|---|---|---|---|---|---|---|")
for n in sorted(rows):
    r = rows[n]
    print(f"| {r[0]['elements']:,} | {r[0]['size_mb']:.0f} | {span(r, 'cli', '{:.2f}')} | {span(r, 'load', '{:.2f}')} "
          f"| {span(r, 'first', '{:.2f}')} | {span(r, 'median', '{:.2f}')} | {span(r, 'rss_mb', '{:,.0f}')} "
          f"| {span(r, 'cli_mb', '{:,.0f}')} |")
print()
print("| elements | models s | meshes s | schedule s (beside the meshes) | install s |")
print("|---|---|---|---|---|")
for n in sorted(rows):
    r = rows[n]
    print(f"| {r[0]['elements']:,} | {span(r, 'models', '{:.2f}')} | {span(r, 'meshes', '{:.2f}')} "
          f"| {span(r, 'schedule', '{:.2f}')} | {span(r, 'install', '{:.2f}')} |")
PY
echo
echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); load average at start $load_at_start, at the end $(cut -d' ' -f1-3 /proc/loadavg); frames: $frames, runs: $runs"
