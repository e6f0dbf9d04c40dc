#!/usr/bin/env python3
"""Counts the pixels of a PNG in the redline red (sRGB 230, 30, 40, give or take what
antialiasing and the text box's blending leave), to check that redlines are drawn into a
screenshot or a BCF snapshot, and checks that the model was drawn under them: on a busy machine
the first frames may show the panels and the redlines over a black 3D view.

usage: ci_redline_pixels.py [AT_LEAST] FILE.png   (either order)
Exits 1 when fewer than AT_LEAST pixels are redline red, or when most of the middle of the
picture (inside the 3D view, whether the picture is the window or the view) is black.
Standard library only: it reads the PNG with check_png.py's reader.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_png import read_png  # noqa: E402

RED = (230, 30, 40)
TOLERANCE = 18


def count(path):
    """(redline pixels, share of the middle third that is black)."""
    width, height, channels, rows = read_png(path)
    n, middle, black = 0, 0, 0
    for y, row in enumerate(rows):
        inside_y = height // 3 <= y < 2 * height // 3
        for i, x in enumerate(range(0, width * channels, channels)):
            r, g, b = row[x], row[x + 1], row[x + 2]
            if abs(r - RED[0]) <= TOLERANCE and abs(g - RED[1]) <= TOLERANCE and abs(b - RED[2]) <= TOLERANCE:
                n += 1
            if inside_y and width // 3 <= i < 2 * width // 3:
                middle += 1
                black += max(r, g, b) < 8
    return n, black / max(middle, 1)


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    path = next(a for a in sys.argv[1:] if not a.isdigit())
    at_least = int(numbers[0]) if numbers else 0
    n, black = count(path)
    print(f"{path}: {n} redline pixels, middle {100 * black:.0f} % black")
    if n < at_least:
        print(f"{path}: fewer than {at_least} redline pixels", file=sys.stderr)
        sys.exit(1)
    if at_least and black > 0.5:
        print(f"{path}: the 3D view is black (the model was not drawn yet)", file=sys.stderr)
        sys.exit(1)
