#!/usr/bin/env bash
# CI step for the viewer, kept apart from .ci/run: the viewer links Bevy (a cold debug build
# takes ~30 min on 2 cores) and is not a default member, so `cargo test` never builds it.
#
# What it does: formatting, clippy with -D warnings, the viewer's headless tests, then
# screenshots under Xvfb with Mesa's software Vulkan (lavapipe) of a generated data hall —
# the model view, a focused clash, a 4D date, the Chinese UI, colour by system (also drawn in
# merged batches, which must give the same picture), a search, a
# measure (its distance checked against `plumbline clash --mode clearance`) and a walk in the
# cold aisle at eye height (and in the real Office_A model when ../shared has it), a saved
# viewpoint with redlines (also on Office_A with its MEP model) and every saved view exported as
# BCF (redlines drawn into the snapshots, XML checked against the BCF 2.1 schemas) — each checked
# not to be blank. Screenshots and timings land in $VIEWER_CI_OUT (default: target dir/viewer-ci).
#
# Runtime packages (Debian/Ubuntu), installed here when missing:
#   xvfb mesa-vulkan-drivers libvulkan1
# Build: only the Rust toolchain (no audio or gamepad features, so no libasound2-dev or
# libudev-dev; X11 and Vulkan libraries are loaded at run time).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/plumbline-ci-target}
export CARGO_TERM_COLOR=never
out=${VIEWER_CI_OUT:-$CARGO_TARGET_DIR/viewer-ci}
# Mesa's on-disk shader cache (~/.cache/mesa_shader_cache, written by any earlier viewer run on
# the machine) was seen to leave the first frames blank; compiling afresh each run keeps the
# six-frame shots reliable.
export MESA_SHADER_CACHE_DISABLE=true
mkdir -p "$out"
started=$(date +%s)

if ! command -v xvfb-run >/dev/null || ! ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq xvfb mesa-vulkan-drivers libvulkan1
fi

echo "== cargo fmt --check (viewer)"
cargo fmt -p plumbline-viewer --check

# The viewer alone (--no-deps): the other crates are linted by .ci/run's workspace clippy.
echo "== cargo clippy -p plumbline-viewer --no-deps --all-targets -- -D warnings"
cargo clippy -p plumbline-viewer --no-deps --all-targets -- -D warnings

echo "== cargo test -p plumbline-viewer"
cargo test -p plumbline-viewer

echo "== build (dev profile, the one the tests used)"
# Both binaries are built with the features the tests' builds resolved, so they reuse those
# builds instead of compiling most of Bevy and the core a second time (14.5 min of a cold run).
# Cargo unifies the features of the packages a command builds, dev-dependencies included when
# it builds tests: the viewer's `tempfile` turns on rustix's default features under Bevy's
# windowing crates, so a plain `cargo build -p plumbline-viewer` resolves differently from its
# tests; and `cargo test --no-run` is the README's test command, already built by .ci/run, whose
# CLI integration tests need target/debug/plumbline.
build_started=$(date +%s)
cargo build -p plumbline-viewer --bins --tests
cargo test --no-run
echo "build took $(( $(date +%s) - build_started )) s"
viewer="$CARGO_TARGET_DIR/debug/plumbline-viewer"

# Regression: `--exit-after-frames` without `--screenshot` was accepted and ignored, so a script
# waiting for the viewer to exit waited for ever. It is refused before any window opens (the
# binary has no test harness of its own: each one would link Bevy).
if refused=$("$viewer" sample_models/datacenter-hall.ifc --exit-after-frames 3 2>&1); then
  echo "--exit-after-frames without --screenshot was accepted"; exit 1
fi
grep -q -- "--screenshot" <<<"$refused" \
  || { echo "--exit-after-frames without --screenshot: the refusal does not name --screenshot:"; echo "$refused"; exit 1; }

echo "== generated sample: data hall, its clash report"
"$CARGO_TARGET_DIR/debug/plumbline" gen datacenter --out "$out/hall.ifc" --rows 4 --racks-per-row 8
"$CARGO_TARGET_DIR/debug/plumbline" clash "$out/hall.ifc" --config assets/rules/datacenter.toml --no-db \
  --json "$out/clashes.json" >/dev/null

# Xvfb occasionally fails to start (XOpenDisplayFailed), and on a busy machine Bevy may not have
# compiled its render pipelines by the sixth frame (the picture is then the clear colour alone,
# seen with two builds running beside it): one retry, which waits 30 frames.
shot() {
  local name=$1; shift
  for frames in 6 30; do
    rm -f "$out/$name.png"
    if xvfb-run -a -s "-screen 0 1600x1000x24" \
        "$viewer" "$@" --screenshot "$out/$name.png" --exit-after-frames "$frames" >"$out/$name.log" 2>&1 \
        && [ -s "$out/$name.png" ]; then
      grep -h "plumbline-viewer timings" "$out/$name.log" || true
      # SHOT_CHECK: a further check of the picture (a command given the PNG), e.g. its redlines.
      if python3 crates/viewer/check_png.py "$out/$name.png" \
          && { [ -z "${SHOT_CHECK:-}" ] || $SHOT_CHECK "$out/$name.png"; }; then
        return 0
      fi
    fi
    echo "$name: the attempt with $frames frames failed:"; tail -20 "$out/$name.log"
  done
  return 1
}

echo "== screenshots (Xvfb + lavapipe)"
shot model "$out/hall.ifc" --lang en
# The rule matrix runs inside the viewer here (--config); the JSON report path is shot in zh and BCF.
shot clash "$out/hall.ifc" --config assets/rules/datacenter.toml --focus-clash 0 --lang en
shot 4d "$out/hall.ifc" --date "$(python3 - "$out/hall.ifc" <<'PY'
import re, sys
# A date in the middle of the model's own work schedule (IfcTaskTime start dates).
dates = sorted(set(re.findall(r"'(\d{4}-\d{2}-\d{2})T", open(sys.argv[1]).read())))
print(dates[len(dates) // 2] if dates else "2025-01-01")
PY
)" --lang en --select-task "Structure, hall 1" --hide-class IfcSlab,IfcWall
shot top "$out/hall.ifc" --view top --hide-class IfcSlab --lang en
shot section "$out/hall.ifc" --section-box=-1e6,-1e6,-1e6,1e6,1e6,2.5 --lang en
shot zh "$out/hall.ifc" --clashes "$out/clashes.json" --lang zh
# Colour by system (walls and slabs hidden to see the services) and a search in Chinese.
shot system "$out/hall.ifc" --colour-by system --hide-class IfcWall,IfcSlab --lang en
# The same view drawn in merged batches (what a million elements on lavapipe get): the same picture.
shot system-merged "$out/hall.ifc" --colour-by system --hide-class IfcWall,IfcSlab --lang en --batches merged
python3 crates/viewer/ci_same_picture.py "$out/system.png" "$out/system-merged.png"
shot search "$out/hall.ifc" --search rack --lang zh

echo "== walk: at eye height in the cold aisle (--walk), and inside a real model when present"
# Cold aisle 1 lies between rack rows 1 and 2 (y 3.2..4.4 m) over the raised floor (top 0.6 m):
# gravity sets the eye 1.7 m above it, looking east along the aisle.
shot walk "$out/hall.ifc" --walk 3.4,3.8,2.6,90 --lang en
grep -q "walk: eye at 3.400, 3.800, 2.300 (on a floor: true)" "$out/walk.log" \
  || { echo "walk: the eye is not 1.7 m above the raised floor:"; grep "walk:" "$out/walk.log"; exit 1; }
# Office_A (web-ifc's test model) has no floor slabs: the eye stays at 1.7 m in a corridor.
office=${PLUMBLINE_OFFICE_A:-../shared/ifc/web-ifc/Office_A_20110811.ifc}
if [ -f "$office" ]; then
  shot walk-office "$office" --walk 4,-13.35,1.7,90 --lang en
else
  echo "walk-office: $office not found, skipped"
fi

echo "== measure: the viewer's --measure gives the number 'plumbline clash --mode clearance' gives"
"$CARGO_TARGET_DIR/debug/plumbline" clash "$out/hall.ifc" --a IfcFurniture --mode clearance --clearance-mm 100000 \
  --json "$out/clearance.json" >/dev/null
read -r ga gb expected < <(python3 - "$out/clearance.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
# The pair furthest apart that is not touching: a real gap to measure.
c = max((c for t in r["tests"] for c in t["clashes"] if c["distance_m"] > 0), key=lambda c: c["distance_m"])
print(c["a"]["global_id"], c["b"]["global_id"], c["distance_m"])
PY
)
shot measure "$out/hall.ifc" --measure "$ga,$gb" --lang en
got=$(sed -n 's/.*plumbline-viewer measure: distance_m=\([^ ]*\).*/\1/p' "$out/measure.log")
python3 -c "import sys; e, g = float(sys.argv[1]), float(sys.argv[2]); assert abs(e - g) < 1e-6, (e, g); print(f'measure ok: {g} m, clash engine {e} m')" "$expected" "$got"

echo "== BCF export of a clash group with the view as its snapshot (--bcf-out)"
rm -f "$out/group.bcf"
xvfb-run -a -s "-screen 0 1600x1000x24" "$viewer" "$out/hall.ifc" --clashes "$out/clashes.json" \
  --focus-clash 0 --lang en --bcf-out "$out/group.bcf" >"$out/bcf.log" 2>&1 || { tail -20 "$out/bcf.log"; exit 1; }
python3 - "$out/group.bcf" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
markups = [n for n in z.namelist() if n.endswith("markup.bcf")]
pngs = [n for n in z.namelist() if n.endswith(".png")]
assert len(markups) == 1, f"one topic expected, got {markups}"
assert pngs and z.read(pngs[0]).startswith(b"\x89PNG") and len(z.read(pngs[0])) > 10_000, "a real snapshot"
print(f"BCF ok: 1 topic, snapshot {len(z.read(pngs[0]))} bytes")
PY

echo "== saved viewpoint with redlines (--viewpoint), every saved view as BCF (--export-views)"
# One saved view of the first clash with a circle, an arrow and a note, in the views file beside
# the model (written here as the Views tab writes one). Batch runs never restore or record the
# last view, so the shots above do not depend on it.
python3 crates/viewer/ci_saved_view.py "$out/clashes.json" "$out/hall.ifc.plumbline-views.json" \
  "Tray clash" IfcCovering,IfcSlab,IfcWall plain 7 "Move the tray up 200 mm"
SHOT_CHECK="python3 crates/viewer/ci_redline_pixels.py 1000" shot viewpoint "$out/hall.ifc" --viewpoint "Tray clash" \
  --lang en
# A BCF export whose snapshot must show the redlines; one retry, as for the shots (the first
# frames may be blank on a busy machine).
redlined_bcf() {
  local name=$1; shift
  for attempt in 1 2; do
    rm -f "$out/$name.bcf" "$out/$name-snapshot.png"
    if xvfb-run -a -s "-screen 0 1600x1000x24" "$viewer" "$@" >"$out/$name.log" 2>&1 && python3 - "$out/$name.bcf" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
markups = [n for n in z.namelist() if n.endswith("markup.bcf")]
pngs = [n for n in z.namelist() if n.endswith("snapshot.png")]
assert len(markups) == 1 and len(pngs) == 1, f"one topic with its snapshot: {z.namelist()}"
open(sys.argv[1].replace(".bcf", "-snapshot.png"), "wb").write(z.read(pngs[0]))
PY
    then
      if python3 crates/viewer/ci_redline_pixels.py "$out/$name-snapshot.png" 1000; then
        return 0
      fi
    fi
    echo "$name: attempt $attempt failed:"; tail -20 "$out/$name.log"
  done
  return 1
}
redlined_bcf views "$out/hall.ifc" --lang en --export-views "$out/views.bcf"
# The redlines are drawn into the clash group's snapshot too when its view has them.
redlined_bcf group-redlined "$out/hall.ifc" --clashes "$out/clashes.json" --focus-clash 0 \
  --viewpoint "Tray clash" --lang en --bcf-out "$out/group-redlined.bcf"
python3 - "$out" <<'PY'
import os, shutil, subprocess, sys, zipfile
out = sys.argv[1]
schemas = os.path.join(os.environ.get("PLUMBLINE_BCF_CORPUS", "../shared/bcf"), "2_1", "schemas")
if not os.path.isdir(schemas) or shutil.which("xmllint") is None:
    print("BCF schemas or xmllint not found: schema validation skipped")
    sys.exit(0)
for name in ["views.bcf", "group-redlined.bcf"]:
    z = zipfile.ZipFile(os.path.join(out, name))
    for n in z.namelist():
        xsd = "version.xsd" if n == "bcf.version" else "markup.xsd" if n.endswith("markup.bcf") \
            else "visinfo.xsd" if n.endswith(".bcfv") else None
        if xsd:
            path = os.path.join(out, "xsd-check.xml")
            open(path, "wb").write(z.read(n))
            r = subprocess.run(["xmllint", "--noout", "--schema", os.path.join(schemas, xsd), path],
                               capture_output=True, text=True)
            assert r.returncode == 0, f"{name} {n}: {r.stderr}"
    print(f"{name}: valid against the BCF 2.1 schemas")
PY
# The real federation: Office_A with its MEP model, a saved view of their first clash.
office=${PLUMBLINE_OFFICE_A:-../shared/ifc/web-ifc/Office_A_20110811.ifc}
office_mep=${PLUMBLINE_OFFICE_MEP:-../shared/reference/ifcclash/models/synthetic_MEP_for_Office_A.ifc}
if [ -f "$office" ] && [ -f "$office_mep" ]; then
  # Copied: the views file goes beside the first model, never into ../shared.
  mkdir -p "$out/office"
  cp "$office" "$office_mep" "$out/office/"
  o="$out/office/$(basename "$office")"; m="$out/office/$(basename "$office_mep")"
  "$CARGO_TARGET_DIR/debug/plumbline" clash "$o" "$m" --no-db --json "$out/office/clashes.json" >/dev/null
  python3 crates/viewer/ci_saved_view.py "$out/office/clashes.json" "$o.plumbline-views.json" \
    "Duct through wall" IfcSlab,IfcRoof,IfcCovering xray 12 "Sleeve needed: duct through the wall"
  SHOT_CHECK="python3 crates/viewer/ci_redline_pixels.py 1000" shot viewpoint-office "$o" "$m" \
    --viewpoint "Duct through wall" --lang en
else
  echo "viewpoint-office: $office or $office_mep not found, skipped"
fi

echo "== viewer CI finished in $(( $(date +%s) - started )) s; screenshots in $out"
