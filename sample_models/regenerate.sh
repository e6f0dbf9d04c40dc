#!/usr/bin/env bash
# Regenerates the shipped sample models and their truth files. The output is byte-identical for
# the same seed, and a test (crates/cli/tests/samples.rs) fails if these files fall out of date.
set -euo pipefail
cd "$(dirname "$0")/.."
gen() { cargo run --quiet --release -p plumbline-cli -- gen "$@"; }
gen datacenter --seed 1 --out sample_models/datacenter-hall.ifc --truth sample_models/datacenter-hall.truth.json
gen datacenter --seed 1 --lang zh --out sample_models/datacenter-hall-zh.ifc --truth sample_models/datacenter-hall-zh.truth.json
gen branch --seed 1 --out sample_models/bank-branch.ifc --truth sample_models/bank-branch.truth.json
gen branch --seed 1 --lang zh --out sample_models/bank-branch-zh.ifc --truth sample_models/bank-branch-zh.truth.json
