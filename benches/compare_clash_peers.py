#!/usr/bin/env python3
"""End-to-end clash timing (load + tessellate + clash) of Plumbline against IfcClash 0.9 on the
reference cases of ../shared/reference/ifcclash, in one sitting.

  python3 benches/compare_clash_peers.py [--runs 3] [--only REGEX] [--large] [--plumbline target/release/plumbline]

IfcClash is installed by `bash ../shared/peers/setup.sh`. Each tool runs as its own process per
run, interleaved; the table gives median wall seconds and the ratio IfcClash / Plumbline (how
many times faster Plumbline is), plus both clash counts.

Plumbline is timed twice per run: cold (`--no-cache`: every file parsed and tessellated) and
warm (the model cache, in a fresh folder for this sitting, already holds the files from an
earlier run: what a coordinator re-running tests on unchanged models sees). IfcClash has no
model cache; it is timed as it runs.

`--large` adds the peers' large case, Office_A and its synthetic MEP tiled ten times (44 + 7 MB,
made by `../shared/peers/setup.sh` in $PEERS_HOME/samples), MEP against walls, slabs and beams.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared")
PEERS_HOME = os.environ.get("PEERS_HOME", "/tmp/plumbline-peers")
VENV = os.path.join(PEERS_HOME, "venv", "bin", "python")


def cases():
    rows = open(os.path.join(SHARED, "reference/ifcclash/cases.tsv")).read().splitlines()[1:]
    for row in rows:
        f = row.split("\t")
        yield dict(name=f[0], mode=f[1], params=json.loads(f[2]), a=f[3].split(), a_classes=f[4].replace(" ", ""),
                   b=f[5].split(), b_classes=f[6].replace(" ", ""))


def large_case():
    samples = os.path.join(PEERS_HOME, "samples")
    a = os.path.join(samples, "synthetic_MEP_for_Office_A_x10_tiled.ifc")
    b = os.path.join(samples, "Office_A_x10_tiled.ifc")
    if not (os.path.exists(a) and os.path.exists(b)):
        print(f"NOTICE: the tiled Office_A models are not in {samples} (run ../shared/peers/setup.sh); skipped")
        return []
    # Absolute paths: os.path.join(SHARED, path) keeps them as they are.
    return [dict(name="office_x10_mep_intersection", mode="intersection", params={"tolerance": 0.002}, a=[a],
                 a_classes="IfcDuctSegment,IfcPipeSegment", b=[b], b_classes="IfcWall,IfcSlab,IfcBeam")]


def selector(files, classes, all_files):
    # Plumbline selects by file glob; a case side is its own files, so each is named exactly.
    names = [os.path.basename(f) for f in files]
    glob = names[0] if len(names) == 1 else "{" + ",".join(names) + "}"
    cls = classes if classes and classes != "*" else "*"
    return f"{glob}:{cls}"


def ours(c, exe, cache):
    files = list(dict.fromkeys(c["a"] + c["b"]))
    # IfcClash applies no ignore rules beyond GlobalId identity: switch off the others.
    cmd = [exe, "clash", *[os.path.join(SHARED, f) for f in files], "--a", selector(c["a"], c["a_classes"], files),
           "--no-ignore", "fillings,openings,assemblies,ports", "--no-db"]
    cmd += ["--cache-dir", cache] if cache else ["--no-cache"]
    if c["b"]:
        cmd += ["--b", selector(c["b"], c["b_classes"], files)]
    if c["mode"] == "clearance":
        cmd += ["--mode", "clearance", "--clearance-mm", str(1000 * c["params"].get("clearance", 0.05))]
    elif c["mode"] == "collision":
        cmd += ["--tolerance-mm", "0"]
    return cmd


def theirs(c, out):
    cmd = [VENV, os.path.join(SHARED, "peers/ifcclash_run.py"), "--a", *[os.path.join(SHARED, f) for f in c["a"]],
           "--mode", c["mode"], "--out", out]
    if c["a_classes"] and c["a_classes"] != "*":
        cmd += ["--a-classes", c["a_classes"]]
    if c["b"]:
        cmd += ["--b", *[os.path.join(SHARED, f) for f in c["b"]]]
        if c["b_classes"] and c["b_classes"] != "*":
            cmd += ["--b-classes", c["b_classes"]]
    if c["mode"] == "clearance":
        cmd += ["--clearance", str(c["params"].get("clearance", 0.05))]
    return cmd


def timed(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited {p.returncode}: {p.stderr[-400:]}")
    return time.perf_counter() - t0, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="")
    ap.add_argument("--large", action="store_true", help="add the Office_A x10 case (IfcClash ~35 s a run)")
    ap.add_argument("--plumbline", default=os.path.join(ROOT, "target/release/plumbline"))
    args = ap.parse_args()
    if not os.path.exists(VENV):
        print(f"NOTICE: IfcClash not installed in {PEERS_HOME} (run bash ../shared/peers/setup.sh); skipped")
        return 0
    print("| case | IfcClash s | Plumbline cold s | speed-up cold | Plumbline warm s | speed-up warm "
          "| IfcClash clashes | Plumbline clashes |")
    print("|---|---|---|---|---|---|---|---|")
    cache = tempfile.mkdtemp(prefix="plumbline-bench-cache-")
    for c in list(cases()) + (large_case() if args.large else []):
        if args.only and not re.search(args.only, c["name"]):
            continue
        # Fills the cache for the warm runs (not timed).
        timed(ours(c, args.plumbline, cache))
        tw, cold, warm, n_t, counts = [], [], [], None, set()
        for run in range(args.runs):
            # The three runs of a round in a shuffled order (seeded: a sitting can be repeated):
            # this machine has slow and fast periods of many seconds, and a fixed order hands
            # one tool more of one kind.
            steps = ["theirs", "cold", "warm"]
            random.Random(run).shuffle(steps)
            for step in steps:
                if step == "theirs":
                    with tempfile.NamedTemporaryFile(suffix=".json") as f:
                        t, _ = timed(theirs(c, f.name))
                        tw.append(t)
                        n_t = json.load(open(f.name))["n_clashes"]
                    continue
                times, cached = (cold, None) if step == "cold" else (warm, cache)
                t, out = timed(ours(c, args.plumbline, cached))
                times.append(t)
                counts.add(int(re.search(r": (\d+) clashes", out).group(1)))
        # Cold and warm runs must find the same clashes: the cache changes nothing but time.
        if len(counts) != 1:
            raise RuntimeError(f"{c['name']}: cold and warm runs disagree: {sorted(counts)} clashes")
        t, pc, pw = statistics.median(tw), statistics.median(cold), statistics.median(warm)
        print(f"| {c['name']} | {t:.2f} | {pc:.3f} | {t / pc:.0f}x | {pw:.3f} | {t / pw:.0f}x | {n_t} "
              f"| {counts.pop()} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
