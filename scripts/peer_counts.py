#!/usr/bin/env python3
"""Opens the generated sample models in IfcOpenShell and web-ifc (the peers of ../shared/peers,
installed by `bash ../shared/peers/setup.sh`) and compares their element counts with Plumbline's.

  python3 scripts/peer_counts.py [MODEL.ifc ...]      (default: sample_models/*.ifc)

Prints a Markdown table and exits 1 when a peer disagrees with Plumbline; prints a notice and
exits 0 when the peers are not installed.
"""
from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = os.path.join(ROOT, "..", "shared", "peers")
PEERS_HOME = os.environ.get("PEERS_HOME", "/tmp/plumbline-peers")
VENV = os.path.join(PEERS_HOME, "venv", "bin", "python")
WEBIFC = os.path.join(PEERS_HOME, "webifc", "load_all.mjs")


def tool_json(cmd):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    subprocess.run(cmd + ["--out", out], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        data = json.load(f)
    os.unlink(out)
    return data


def main():
    models = sys.argv[1:] or sorted(glob.glob(os.path.join(ROOT, "sample_models", "*.ifc")))
    if not (os.path.exists(VENV) and os.path.exists(WEBIFC)):
        print(f"NOTICE: peers not installed in {PEERS_HOME} (run bash ../shared/peers/setup.sh); skipped")
        return 0
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "plumbline-cli"], check=True, cwd=ROOT)
    plumbline = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "plumbline")
    print("| model | plumbline elements / meshed | IfcOpenShell elements / meshed | web-ifc meshed | agree |")
    print("|---|---|---|---|---|")
    ok = True
    for m in models:
        ours = json.loads(subprocess.run([plumbline, "info", "--json", m], check=True, capture_output=True).stdout)
        ours = ours["files"][0]
        ios = tool_json([VENV, os.path.join(PEERS, "ifcos_geom_time.py"), m])
        web = tool_json(["node", WEBIFC, m])
        agree = (ours["element_count"] == ios["n_elements"] and ours["meshed"] == ios["n_shapes"]
                 and ours["meshed"] == web["n_elements_with_mesh"])
        ok &= agree
        print(f"| {os.path.basename(m)} | {ours['element_count']} / {ours['meshed']} | "
              f"{ios['n_elements']} / {ios['n_shapes']} | {web['n_elements_with_mesh']} | {'yes' if agree else 'NO'} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
