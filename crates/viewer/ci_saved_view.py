#!/usr/bin/env python3
"""Writes a views file (MODEL.plumbline-views.json) holding one saved view of the first clash
of a clash report, with redlines (a circle round the clash, an arrow and a note), as the
viewer's Views tab saves one: for the CI shots of --viewpoint and --export-views.

usage: ci_saved_view.py REPORT.json VIEWS.json NAME HIDDEN_CLASSES(comma-separated) xray|plain
       DISTANCE_M NOTE
"""
import json
import math
import sys
import uuid

report, out, name, hidden, look, distance_m, note = sys.argv[1:8]
distance_m = float(distance_m)
r = json.load(open(report))
c = next(c for t in r["tests"] for c in t["clashes"])
box = c["overlap_aabb"]
target = [(box["min"][i] + box["max"][i]) / 2 for i in range(3)]


def unit(v):
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v]


# From the south-west, looking down at about 40 degrees, as the review cameras do.
direction = unit([1.0, 1.0, -0.8])
position = [target[i] - direction[i] * distance_m for i in range(3)]
up = unit([-direction[2] * direction[0], -direction[2] * direction[1], 1 - direction[2] ** 2])
red = [230, 30, 40]
# Normalised view coordinates: y from 0 (top) to 1 (bottom), x from the centre line in view
# heights (aspect 1): the clash is at the centre of the view.
circle = [[0.5 + 0.09 * math.cos(k * math.pi / 12), 0.5 + 0.09 * math.sin(k * math.pi / 12)] for k in range(25)]
view = {
    "name": name,
    "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, "plumbline-ci-view/" + name)),
    "created": "2026-12-05T09:30:00Z",
    "camera": {
        "position_m": position,
        "direction": direction,
        "up": up,
        "field_of_view_deg": 45.0,
        "orbit_distance_m": distance_m,
    },
    "section_box": None,
    "hidden_classes": sorted(h for h in hidden.split(",") if h),
    "xray": look == "xray",
    "selected": sorted([c["a"]["global_id"], c["b"]["global_id"]]),
    "redlines": {
        "aspect": 1.0,
        "items": [
            {"kind": "freehand", "points": circle, "colour": red},
            {"kind": "arrow", "from": [0.78, 0.22], "to": [0.585, 0.43], "colour": red},
            {"kind": "text", "at": [0.6, 0.12], "text": note, "colour": red},
        ],
    },
}
json.dump({"schema_version": 1, "views": [view]}, open(out, "w"), indent=2)
print(f"{out}: view '{name}' of clash {c['id']} ({c['a']['class']} x {c['b']['class']})")
