#!/usr/bin/env python3
"""Compares the reports two `plumbline` builds wrote with scripts/compare-outputs.sh.

    scripts/compare-outputs.py BEFORE_DIR AFTER_DIR

Every file must be byte-identical except:
- run timings (the JSON `timings` block; `load … s` lines), which differ from run to run;
- whitespace between HTML tags and the two spellings the HTML template engine changes
  (`&#39;` for an apostrophe, `<rect …/>` for `<rect …></rect>`);
- XLSX and BCF archives are compared entry by entry (their zip framing may differ while every
  entry's bytes are equal).
Ad-hoc runs (`*-adhoc.*`) may also differ where the old code reported the B side first: a clash
whose A and B are swapped is reported as such, and any other difference fails.
Exits 1 on a difference it cannot explain.
"""
import io
import json
import re
import sys
import zipfile
from pathlib import Path


def normalise_html(text):
    text = re.sub(r">\s+<", "><", text).replace("<style>\n", "<style>").strip()
    text = text.replace("&#39;", "'")
    return re.sub(r"<rect([^>]*)/>", r"<rect\1></rect>", text)


def normalise_json(text):
    doc = json.loads(text)
    doc.pop("timings", None)
    return doc


def zip_entries(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in sorted(z.namelist())}


def swapped(before, after):
    """Clash ids whose A and B sides swapped between two JSON reports, if that is the only
    difference in the clashes' identities; None when something else differs."""
    ids = set()
    b_tests, a_tests = before["tests"], after["tests"]
    if len(b_tests) != len(a_tests):
        return None
    for bt, at in zip(b_tests, a_tests):
        if len(bt["clashes"]) != len(at["clashes"]):
            return None
        after_by_id = {c["id"]: c for c in at["clashes"]}
        for c in bt["clashes"]:
            n = after_by_id.get(c["id"])
            if n is None:
                return None
            if (c["a"], c["b"]) == (n["a"], n["b"]):
                continue
            if (c["a"], c["b"]) == (n["b"], n["a"]) and c["distance_m"] == n["distance_m"]:
                ids.add(c["id"])
            else:
                return None
    return ids


def main():
    before_dir, after_dir = Path(sys.argv[1]), Path(sys.argv[2])
    failures, identical, explained = [], 0, []
    names = sorted(p.name for p in before_dir.iterdir() if p.suffix in {".json", ".csv", ".html", ".xlsx", ".bcf"})
    for name in names:
        before, after = before_dir / name, after_dir / name
        if not after.exists():
            failures.append(f"{name}: missing after")
            continue
        b, a = before.read_bytes(), after.read_bytes()
        if b == a:
            identical += 1
            continue
        suffix = before.suffix
        if suffix == ".json":
            same = normalise_json(b) == normalise_json(a)
        elif suffix == ".html":
            same = normalise_html(b.decode()) == normalise_html(a.decode())
        elif suffix in (".xlsx", ".bcf"):
            same = zip_entries(b) == zip_entries(a)
        else:
            same = False
        if same:
            explained.append(f"{name}: equal after normalising ({suffix[1:]})")
            continue
        if "-adhoc." in name:
            stem = name.rsplit(".", 1)[0]
            ids = swapped(json.loads((before_dir / f"{stem}.json").read_text()),
                          json.loads((after_dir / f"{stem}.json").read_text()))
            if ids:
                explained.append(f"{name}: {len(ids)} clashes now name the --a side first (the intended fix)")
                continue
        failures.append(f"{name}: differs")
    for line in explained:
        print("explained:", line)
    for line in failures:
        print("DIFFERENT:", line)
    print(f"{identical} identical, {len(explained)} explained, {len(failures)} different, of {len(names)} files")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
