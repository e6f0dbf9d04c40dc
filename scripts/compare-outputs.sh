#!/usr/bin/env bash
# Writes every clash report (JSON, CSV, XLSX, HTML, BCF) of one `plumbline` binary on the four
# shipped samples with the shipped rule files and on the ten IfcClash reference cases (each as
# an ad-hoc --a/--b run and as a one-test rule file), with SOURCE_DATE_EPOCH set, so that two
# builds can be compared file by file (scripts/compare-outputs.py).
#
#   scripts/compare-outputs.sh BINARY OUT_DIR
#
# The reference cases need ../shared beside the repository (PLUMBLINE_SHARED overrides); without
# it only the samples run.
set -euo pipefail
bin=$(realpath "$1"); out=$2
cd "$(dirname "$0")/.."
shared=${PLUMBLINE_SHARED:-$(realpath ../shared 2>/dev/null || echo ../shared)}
mkdir -p "$out"
export SOURCE_DATE_EPOCH=1700000000 USER=reviewer PLUMBLINE_CACHE_DIR="$out/.cache"

run() { # name, then the clash arguments
  local name=$1; shift
  "$bin" clash "$@" --no-db --json "$out/$name.json" --csv "$out/$name.csv" --xlsx "$out/$name.xlsx" \
    --html "$out/$name.html" --bcf "$out/$name.bcf" >"$out/$name.stdout" 2>"$out/$name.stderr" \
    || echo "exit $?" >>"$out/$name.stderr"
}

for model in bank-branch bank-branch-zh datacenter-hall datacenter-hall-zh; do
  rules=assets/rules/${model%-zh}.toml
  [ "${model%-zh}" = datacenter-hall ] && rules=assets/rules/datacenter.toml
  run "sample-$model" "sample_models/$model.ifc" --config "$rules"
done

cases=$shared/reference/ifcclash/cases.tsv
[ -f "$cases" ] || { echo "no $cases: reference cases skipped"; exit 0; }
tail -n +2 "$cases" | tr '\t' '|' | while IFS='|' read -r name mode params a_files a_classes b_files b_classes _; do
  files=(); for f in $a_files $b_files; do files+=("$shared/$f"); done
  # One model per distinct file, in order.
  mapfile -t models < <(printf '%s\n' "${files[@]}" | awk '!seen[$0]++')
  glob() { local names=(); for f in $1; do names+=("$(basename "$f")"); done
           local IFS=,; if [ ${#names[@]} -gt 1 ]; then echo "{${names[*]}}"; else echo "${names[*]}"; fi; }
  classes() { echo "${1// /}"; }
  a="$(glob "$a_files"):$(classes "$a_classes")"
  b=(); [ -n "$b_files" ] && b=(--b "$(glob "$b_files"):$(classes "$b_classes")")
  case $mode in
    intersection) flags=(--mode hard --tolerance-mm 2) ; toml='mode = "hard"
tolerance_mm = 2' ;;
    collision) flags=(--mode hard --tolerance-mm 0) ; toml='mode = "hard"
tolerance_mm = 0' ;;
    clearance) flags=(--mode clearance --clearance-mm 50) ; toml='mode = "clearance"
clearance_mm = 50' ;;
  esac
  run "case-$name-adhoc" "${models[@]}" --a "$a" "${b[@]}" "${flags[@]}" --max-snapshots 12
  sel() { # file glob, classes -> a TOML inline table
    local c; c=$(classes "$2"); if [ "$c" = "*" ]; then echo "{ file = \"$1\" }"
    else echo "{ file = \"$1\", class = [\"${c//,/\", \"}\"] }"; fi; }
  { echo "[[test]]"; echo "name = \"$name\""; echo "$toml"
    echo "a = $(sel "$(glob "$a_files")" "$a_classes")"
    [ -n "$b_files" ] && echo "b = $(sel "$(glob "$b_files")" "$b_classes")"; } >"$out/case-$name.toml"
  run "case-$name-rules" "${models[@]}" --config "$out/case-$name.toml" --max-snapshots 12
done
echo "outputs in $out"
