#!/usr/bin/env python3
"""Fails unless a PNG screenshot shows something: enough distinct colours and contrast.

Usage: check_png.py FILE.png [MIN_COLOURS]
Standard library only (zlib): CI needs no Pillow. Handles 8-bit greyscale, RGB and RGBA,
non-interlaced, as Bevy's screenshot API writes them.
"""
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    channels = {0: 1, 2: 3, 6: 4, 4: 2}.get(colour)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"{path}: unsupported PNG (depth {depth}, colour type {colour}, interlace {interlace})")
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def main():
    path = sys.argv[1]
    min_colours = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    width, height, channels, rows = read_png(path)
    colours, n, total, total_sq = set(), 0, 0, 0
    for row in rows[::2]:
        for x in range(0, width * channels, channels * 2):
            px = row[x:x + min(channels, 3)]
            colours.add(px)
            lum = sum(px) / len(px)
            n, total, total_sq = n + 1, total + lum, total_sq + lum * lum
    mean = total / n
    std = max(total_sq / n - mean * mean, 0.0) ** 0.5
    print(f"{path}: {width}x{height}, {len(colours)} distinct colours, luminance mean {mean:.1f} std {std:.1f}")
    if len(colours) < min_colours or std < 8.0:
        print(f"{path}: looks blank (needs {min_colours} colours and std >= 8)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
