#!/usr/bin/env bash
# Runs Plumbline's fuzz targets one after another, SECONDS_PER_TARGET each (default 1800), and
# keeps going after a crash, timeout or out-of-memory (each is saved under artifacts/TARGET/).
# Usage: fuzz/run.sh [TARGET...]     (default: every target)
# Needs cargo-fuzz (`cargo install cargo-fuzz`); works on stable Rust with `-s none`.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${SECONDS_PER_TARGET:-1800}
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(ifc_load rules_toml schedule_read bcf_import)
# Debug assertions (-a) make integer overflow and failed debug_asserts visible as crashes.
cargo fuzz build -s none -a -O
mkdir -p logs
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    echo "== $t for ${seconds}s ($(date -u +%FT%TZ))"
    # One thread inside the loaders: the other core stays free, and runs are repeatable.
    RAYON_NUM_THREADS=1 RUST_BACKTRACE=1 cargo fuzz run -s none -a -O "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -timeout=60 -rss_limit_mb=4096 -malloc_limit_mb=4096 \
        -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        >"logs/$t.log" 2>&1 || true
    tail -n 3 "logs/$t.log"
    echo "   artifacts: $(ls "artifacts/$t" | wc -l)"
done
