#!/usr/bin/env bash
# Rebuilds NotoSansSC-Regular-subset.otf (the viewer's CJK font) from Debian's fonts-noto-cjk.
# Needs: apt-get install fonts-noto-cjk; pip install fonttools.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 - <<'PY' > /tmp/plumbline-cjk-chars.txt
import glob, re, sys
chars = set()
# GB2312: every hanzi and symbol of the mainland standard (6,763 hanzi).
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
# Every non-ASCII character of the repository's own Chinese texts (UI, explanations, samples).
for p in glob.glob("crates/**/*.rs", recursive=True) + glob.glob("sample_models/*-zh.ifc"):
    chars.update(c for c in open(p, encoding="utf-8", errors="ignore").read() if ord(c) > 0x2000)
for p in glob.glob("sample_models/*.ifc"):
    for m in re.findall(r"\\X2\\([0-9A-F]+)\\X0\\", open(p, errors="ignore").read()):
        chars.update(chr(int(m[i:i + 4], 16)) for i in range(0, len(m), 4))
chars.update(chr(c) for c in range(0x3000, 0x3040))  # CJK punctuation
chars.update(chr(c) for c in range(0xFF00, 0xFFF0))  # full-width forms
sys.stdout.write("".join(sorted(chars)))
PY
pyftsubset /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc --font-number=2 \
    --text-file=/tmp/plumbline-cjk-chars.txt --output-file=assets/fonts/NotoSansSC-Regular-subset.otf \
    --layout-features='*' --no-hinting
