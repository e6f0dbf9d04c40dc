#!/usr/bin/env bash
# Load scaling with cores (issue 22): the CLI's cold load (`plumbline info --no-cache -q`, the
# whole process) of each model on 1, 2, 4, ... cores, pinned with `taskset` to the first N of the
# cores this shell may use (rayon sizes its pool from the affinity mask), runs shuffled so that a
# slow spell of the machine does not fall on one core count. Prints a markdown table for the
# README: the median and range of each core count, and its median divided by the 1-core median
# (the issue's goals: at most 0.55 on 2 cores, 0.15 on 16).
#
#   benches/core_scaling.sh [MODEL.ifc...]
#
# Environment: PLUMBLINE_BIN (the CLI to measure; by default the release build is made first),
# CORES (core counts, default 1 2 4 8 16 cut to this machine's), RUNS (runs of each model and
# count, default 5), HALLS (element counts of generated data halls measured after the models,
# default 100000; empty for none), WORK (where the halls are kept, default
# $CARGO_TARGET_DIR/core-scaling), OUT (when set, the raw runs are copied to
# $OUT/core_scaling.tsv).
#
# On a lent device machine (16 cores, no Rust toolchain) the binary travels instead of being
# built there; `benches/device_prep.sh` makes the folder to carry and prints the command.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cli=${PLUMBLINE_BIN:-}
if [ -z "$cli" ]; then
  cargo build --quiet --release -p plumbline-cli
  cli=$CARGO_TARGET_DIR/release/plumbline
fi
runs=${RUNS:-5}
work=${WORK:-$CARGO_TARGET_DIR/core-scaling}
# The cores this shell may run on (a container may be lent some of a larger machine's).
read -r -a usable <<<"$(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0)))')"
cores=()
for c in ${CORES:-1 2 4 8 16}; do
  [ "$c" -le "${#usable[@]}" ] && cores+=("$c")
done
[ "${cores[0]:-}" = 1 ] || { echo "core_scaling: the 1-core run is the baseline and must come first in CORES" >&2; exit 2; }
models=("$@")
for n in ${HALLS-100000}; do
  mkdir -p "$work"
  hall="$work/hall-$n.ifc"
  [ -s "$hall" ] || "$cli" -q gen datacenter --elements "$n" --out "$hall"
  models+=("$hall")
done
[ ${#models[@]} -gt 0 ] || { echo "core_scaling: no model to measure" >&2; exit 2; }
for m in "${models[@]}"; do
  [ -s "$m" ] || { echo "core_scaling: no model at $m" >&2; exit 2; }
done
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
# One warm-up run per model, so that the first measured run does not also read the file from disk.
for m in "${models[@]}"; do "$cli" info --no-cache -q "$m" >/dev/null; done
# Every (model, cores) pair RUNS times, in a shuffled order.
plan=$(for m in "${models[@]}"; do for c in "${cores[@]}"; do for _ in $(seq "$runs"); do echo "$c $m"; done; done; done | shuf)
while read -r c m; do
  start=$(date +%s%N)
  list=$(IFS=,; echo "${usable[*]:0:$c}")
  taskset -c "$list" "$cli" info --no-cache -q "$m" >/dev/null
  end=$(date +%s%N)
  printf '%s\t%s\t%s\n' "$(basename "$m")" "$c" "$((end - start))" >>"$raw"
done <<<"$plan"
[ -z "${OUT:-}" ] || cp "$raw" "$OUT/core_scaling.tsv"
echo "$(date -u +%Y-%m-%d), ${#usable[@]} usable cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), runs: $runs, $("$cli" --version)"
python3 - "$raw" <<'EOF'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    model, cores, nanos = line.split("\t")
    runs[(model, int(cores))].append(int(nanos) / 1e9)
print("| model | cores | median s | range s | ÷ 1 core |")
print("|---|---|---|---|---|")
for model in sorted({m for m, _ in runs}):
    base = statistics.median(runs[(model, 1)])
    for cores in sorted(c for m, c in runs if m == model):
        t = runs[(model, cores)]
        print(f"| {model} | {cores} | {statistics.median(t):.3f} | {min(t):.3f}–{max(t):.3f} "
              f"| {statistics.median(t) / base:.3f} |")
EOF
