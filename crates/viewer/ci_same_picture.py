#!/usr/bin/env python3
"""Fails unless two screenshots show the same picture: at most MAX_PERMILLE per mille of the
pixels differ by more than 24 (the sum over R, G and B), which leaves room for the tool bar's
load time and nothing else.

Usage: ci_same_picture.py A.png B.png [MAX_PERMILLE]
Used by ci.sh to hold the merged batches (`--batches merged`) against instanced drawing.
"""
import sys

from check_png import read_png


def main():
    a_path, b_path = sys.argv[1], sys.argv[2]
    max_permille = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5
    wa, ha, ca, a = read_png(a_path)
    wb, hb, cb, b = read_png(b_path)
    if (wa, ha) != (wb, hb):
        print(f"{a_path} is {wa}x{ha}, {b_path} is {wb}x{hb}", file=sys.stderr)
        sys.exit(1)
    differ = 0
    for ra, rb in zip(a, b):
        for x in range(wa):
            pa, pb = ra[x * ca:x * ca + 3], rb[x * cb:x * cb + 3]
            if sum(abs(p - q) for p, q in zip(pa, pb)) > 24:
                differ += 1
    permille = 1000.0 * differ / (wa * ha)
    print(f"{a_path} vs {b_path}: {differ} pixels differ ({permille:.3f} per mille)")
    if permille > max_permille:
        print(f"the pictures differ (more than {max_permille} per mille)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
