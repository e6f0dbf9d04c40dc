#!/usr/bin/env bash
# Prepares the issue-22 check for a lent device machine (16 cores, no Rust toolchain, no network):
# builds the release CLI here, and puts it, stripped and compressed, into `.device/` (ignored by
# git through .git/info/exclude) with Office_A x10 tiled, compressed too. Everything there is
# about 20 MB, inside what a device call may carry (64 MiB). Then prints the one command to run
# there; its table comes back in the call's output and in $OUT/core_scaling.tsv.
#
#   benches/device_prep.sh [OFFICE_A_X10.ifc]
#
# The tiled model defaults to the peers' copy ($PEERS_HOME/samples, made by
# ../shared/peers/setup.sh). The models of ../shared do not travel with the working tree, and
# their licences keep them out of the repository, so the copy lives in `.device/` only.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
office=${1:-${PEERS_HOME:-/tmp/plumbline-peers}/samples/Office_A_x10_tiled.ifc}
[ -s "$office" ] || { echo "device_prep: no Office_A x10 at $office (run ../shared/peers/setup.sh)" >&2; exit 2; }
grep -qx '/.device/' .git/info/exclude 2>/dev/null || { mkdir -p .git/info && echo '/.device/' >>.git/info/exclude; }
cargo build --quiet --release -p plumbline-cli
mkdir -p .device
cp "$CARGO_TARGET_DIR/release/plumbline" .device/plumbline
strip .device/plumbline
gzip -f .device/plumbline
gzip -c "$office" >.device/Office_A_x10_tiled.ifc.gz
du -sh .device
cat <<'EOF'
On the device (run, carry [".device"], timeout_s 500; about 3 minutes of work on 16 cores):
  gunzip -kf .device/plumbline.gz .device/Office_A_x10_tiled.ifc.gz && chmod +x .device/plumbline && PLUMBLINE_BIN=.device/plumbline WORK=/tmp/core-scaling RUNS=5 bash benches/core_scaling.sh .device/Office_A_x10_tiled.ifc
EOF
