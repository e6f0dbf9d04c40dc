#!/usr/bin/env python3
"""Times Plumbline and its peers on the same models in the same sitting; prints a Markdown table.

  python3 benches/compare_peers.py [--runs 5] [--plumbline target/release/plumbline]

Peers are installed by `bash ../shared/peers/setup.sh` (PEERS_HOME, default /tmp/plumbline-peers).
Each tool runs as a separate process per run; the table gives medians of
  * wall: the whole process, start to exit (what a user waits for), and
  * inner: the tool's own load+tessellate time as it reports it (Plumbline: load_secs of
    `plumbline info --json`; ifc-lite: wall_s of its native call; web-ifc: parse_s + geometry_s),
so interpreter start-up does not count against the Python and Node peers.
Ratios are peer / Plumbline: above 1 means Plumbline is faster.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(ROOT, "..", "shared")
PEERS_HOME = os.environ.get("PEERS_HOME", "/tmp/plumbline-peers")
CORPUS = os.environ.get("PLUMBLINE_CORPUS", os.path.join(SHARED, "ifc"))

MODELS = [
    ("Office_A (4.1 MB)", os.path.join(CORPUS, "web-ifc/Office_A_20110811.ifc")),
    ("Office_A x10 tiled (44 MB)", os.path.join(PEERS_HOME, "samples/Office_A_x10_tiled.ifc")),
]


def run(cmd, inner_of):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    cmd = [c.replace("{out}", out) for c in cmd]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited {p.returncode}")
    text = open(out).read() if os.path.getsize(out) else p.stdout.decode()
    os.unlink(out)
    return wall, inner_of(json.loads(text))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--plumbline", default=os.path.join(ROOT, "target/release/plumbline"))
    args = ap.parse_args()
    py312 = os.path.join(PEERS_HOME, "venv312/bin/python")
    tools = [
        # Cold: the model cache would make a second run a cache read, which no peer has.
        ("plumbline", [args.plumbline, "info", "--no-cache", "--json", "{out}", "{model}"],
         lambda j: j["files"][0]["load_secs"]),
        ("ifc-lite-py", [py312, os.path.join(SHARED, "peers/ifclite_run.py"), "{model}", "--out", "{out}"],
         lambda j: j["wall_s"]),
        ("ifc-lite-py +props", [py312, os.path.join(SHARED, "peers/ifclite_run.py"), "{model}", "--with-properties",
                                "--out", "{out}"], lambda j: j["wall_s"]),
        ("web-ifc", ["node", os.path.join(PEERS_HOME, "webifc/load_all.mjs"), "{model}", "--out", "{out}"],
         lambda j: j["parse_s"] + j["geometry_s"]),
    ]
    print(f"| model | tool | wall s (median of {args.runs}) | inner s | wall ratio vs plumbline | inner ratio |")
    print("|---|---|---|---|---|---|")
    for label, model in MODELS:
        if not os.path.isfile(model):
            print(f"NOTICE: {model} not found; run ../shared/peers/setup.sh", file=sys.stderr)
            continue
        results = {}
        # Interleave the tools run by run, in a shuffled order each round (seeded, so a sitting
        # can be repeated), so machine noise hits them alike: this machine has slow and fast
        # periods of many seconds, and a fixed order hands one tool more of one kind.
        for round_no in range(args.runs):
            for name, cmd, inner in random.Random(round_no).sample(tools, len(tools)):
                try:
                    w, i = run([c.replace("{model}", model) for c in cmd], inner)
                except (RuntimeError, FileNotFoundError, KeyError, json.JSONDecodeError) as e:
                    print(f"NOTICE: {name} on {label}: {e}", file=sys.stderr)
                    continue
                results.setdefault(name, ([], []))
                results[name][0].append(w)
                results[name][1].append(i)
        if "plumbline" not in results:
            continue
        pw = statistics.median(results["plumbline"][0])
        pi = statistics.median(results["plumbline"][1])
        # In the tools' own order, whatever order the rounds ran them in.
        for name in (name for name, _, _ in tools if name in results):
            ws, is_ = results[name]
            w, i = statistics.median(ws), statistics.median(is_)
            print(f"| {label} | {name} | {w:.3f} | {i:.3f} | {w / pw:.2f} | {i / pi:.2f} |")


if __name__ == "__main__":
    main()
