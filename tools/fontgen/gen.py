#!/usr/bin/env python3
"""Regenerates crates/win32k/src/font/strikes.bin, the glyphs of ntemu's stock fonts.

Usage:
    tools/fontgen/gen.py FONTDIR            # writes crates/win32k/src/font/strikes.bin
    tools/fontgen/gen.py --widths SFDDIR    # rewrites tools/fontgen/widths.txt (see below)

FONTDIR is the fonts/X11 folder of Debian's xfonts-base, xfonts-75dpi and xfonts-100dpi
packages, unpacked:
    apt-get download xfonts-base xfonts-75dpi xfonts-100dpi
    for f in xfonts-*.deb; do dpkg-deb -x $f ex; done
    tools/fontgen/gen.py ex/usr/share/fonts/X11

Glyph shapes come from those X11 bitmap fonts (misc-fixed: public domain; Adobe Helvetica
and Courier 75 and 100 dpi: Adobe's permissive licence; both in crates/win32k/src/font/FONT-LICENCES.txt).
Each glyph is placed, unscaled, in a cell of the NT 4.0 font it stands for: the cell height
and ascent of that font, and its advance width for the character. widths.txt has the
per-character widths of NT's System and MS Sans Serif 13/16/20 raster fonts, as numbers, taken
with --widths from the fonts/*.sfd of Wine's source (fonts Wine made with Windows' metrics);
MS Sans Serif 24/29/37, which those files have no strike of, keep the X11 glyph's advance held
to NT's maximum; the fixed fonts have one width. CAP_HEIGHT makes capitals a row taller where
NT's are (see fit_cap). The output is deterministic: the same inputs give the same bytes.

strikes.bin: for each strike, in the order of STRIKES below (the order of font::FACES):
    u8 cell height, u8 first char, u8 last char,
    then for each char first..=last: u8 advance, then `height` rows of (advance + 7) / 8
    bytes, the leftmost pixel in the top bit of the first byte.
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import pcf  # noqa: E402

# name, X11 font, cell height, ascent, widths (a widths.txt key, a fixed width, or
# ("own", max): the X11 glyph's own advance held to NT's tmMaxCharWidth, for the sizes
# Wine's .sfd has no strike of), code page of the 256 codes, first, last
STRIKES = [
    ("System16", "75dpi/helvB12.pcf.gz", 16, 13, "System16", "cp1252", 0x20, 0xFF),
    ("MSSansSerif13", "100dpi/helvR08.pcf.gz", 13, 11, "MSSansSerif13", "cp1252", 0x20, 0xFF),
    ("MSSansSerif16", "100dpi/helvR10.pcf.gz", 16, 13, "MSSansSerif16", "cp1252", 0x20, 0xFF),
    ("MSSansSerif20", "100dpi/helvR12.pcf.gz", 20, 16, "MSSansSerif20", "cp1252", 0x20, 0xFF),
    ("MSSansSerif24", "100dpi/helvR14.pcf.gz", 24, 19, ("own", 19), "cp1252", 0x20, 0xFF),
    ("MSSansSerif29", "100dpi/helvR18.pcf.gz", 29, 23, ("own", 24), "cp1252", 0x20, 0xFF),
    ("MSSansSerif37", "100dpi/helvR24.pcf.gz", 37, 29, ("own", 32), "cp1252", 0x20, 0xFF),
    ("Courier13", "75dpi/courR12.pcf.gz", 13, 11, 8, "cp1252", 0x20, 0xFF),
    ("Courier16", "75dpi/courR14.pcf.gz", 16, 13, 9, "cp1252", 0x20, 0xFF),
    ("Courier20", "75dpi/courR18.pcf.gz", 20, 16, 12, "cp1252", 0x20, 0xFF),
    ("Fixedsys15", "misc/8x13B.pcf.gz", 15, 12, 8, "cp1252", 0x20, 0xFF),
    ("Terminal12", "misc/8x13.pcf.gz", 12, 10, 8, "cp437", 0x00, 0xFF),
]

# NT's capital height where the X11 font's differs by a row (measured on NT 4.0 screenshots:
# System's capitals are 10 rows over a 7 row x-height, MS Sans Serif 8 pt's 9 over 6):
# glyphs taller than the x-height get the row just above it doubled, so capitals, digits and
# ascenders grow and the x-height stays.
CAP_HEIGHT = {"System16": 10, "MSSansSerif13": 9}

# Windows' tmMaxCharWidth of a face where Wine's .sfd has a wider character: System's
# per-mille sign (0x89) is 15 there, but Windows gives System (FS_LATIN1) a maximum of 14.
MAX_WIDTH = {"System16": 14}

# Code page 437's pictures for 0x00-0x1F and 0x7F (Python's cp437 codec gives control codes).
CP437_LOW = (
    "\u0000\u263a\u263b\u2665\u2666\u2663\u2660\u2022\u25d8\u25cb\u25d9\u2642\u2640\u266a"
    "\u266b\u263c\u25ba\u25c4\u2195\u203c\u00b6\u00a7\u25ac\u21a8\u2191\u2193\u2192\u2190"
    "\u221f\u2194\u25b2\u25bc"
)

# The strike sizes of each face in the Wine .sfd files whose widths are NT's.
SFD_STRIKES = [
    ("System16", "system.sfd", 16),
    ("MSSansSerif13", "ms_sans_serif.sfd", 13),
    ("MSSansSerif16", "ms_sans_serif.sfd", 16),
    ("MSSansSerif20", "ms_sans_serif.sfd", 20),
]


def unicode_of(code, codepage):
    if codepage == "cp437":
        if code < 0x20:
            return ord(CP437_LOW[code])
        if code == 0x7F:
            return 0x2302
    try:
        return ord(bytes([code]).decode(codepage))
    except UnicodeDecodeError:
        return None


def extract_widths(sfd_dir):
    """widths.txt: one line per strike, `NAME w20 w21 ... wFF` (cp1252 codes 0x20-0xFF;
    codes cp1252 leaves undefined get the width of the face's default char box, 0)."""
    lines = []
    for name, sfd, size in SFD_STRIKES:
        widths, cur = {}, None
        for line in open(os.path.join(sfd_dir, sfd), encoding="latin-1"):
            m = re.match(r"BitmapFont: (\d+) ", line)
            if m:
                cur = int(m.group(1)) == size
                continue
            m = re.match(r"BDFChar: \d+ (-?\d+) (\d+) ", line)
            if m and cur:
                widths[int(m.group(1))] = int(m.group(2))
        row = []
        for code in range(0x20, 0x100):
            u = unicode_of(code, "cp1252")
            row.append(str(widths.get(u, 0) if u is not None else 0))
        lines.append(name + " " + " ".join(row))
    with open(os.path.join(HERE, "widths.txt"), "w") as f:
        f.write("# Advance widths (pixels) of cp1252 codes 0x20..0xFF; 0 = NT's default-char box.\n")
        f.write("# From Wine 8.0's metric-compatible fonts/*.sfd (see font/mod.rs for why).\n")
        f.write("\n".join(lines) + "\n")


def load_widths():
    out = {}
    for line in open(os.path.join(HERE, "widths.txt")):
        if line.startswith("#") or not line.strip():
            continue
        name, *ws = line.split()
        out[name] = [int(w) for w in ws]
    return out


def box(height, ascent, advance):
    """The default char of a proportional face: an open box a pixel inside its cell."""
    rows = [[0] * advance for _ in range(height)]
    top, bottom, left, right = ascent - ascent * 8 // 11, ascent - 1, 1, advance - 2
    for y in range(top, bottom + 1):
        for x in range(left, right + 1):
            if y in (top, bottom) or x in (left, right):
                rows[y][x] = 1
    return rows


def cell(glyph, height, ascent, advance, fixed):
    rows = [[0] * advance for _ in range(height)]
    if glyph is None:
        return rows
    w = glyph.rsb - glyph.lsb
    if fixed:
        x0 = (advance - glyph.width) // 2 + glyph.lsb
    else:
        x0 = glyph.lsb
        if x0 + w > advance - 1 and advance > 1:
            # keep a pixel of right spacing where the ink fits, as NT's faces do
            x0 = max(0, advance - 1 - w)
    y0 = ascent - glyph.ascent
    if y0 + len(glyph.rows) > height:
        # ink under the cell (an underscore of a font with a deeper descent) moves up into it
        y0 = max(0, min(y0, height - len(glyph.rows)))
    for gy, row in enumerate(glyph.rows):
        y = y0 + gy
        if not 0 <= y < height:
            continue
        for gx, bit in enumerate(row):
            x = x0 + gx
            if bit and 0 <= x < advance:
                rows[y][x] = 1
    return rows


def fit_cap(font, cap):
    """Doubles (or drops) the row just above the x-height of every glyph taller than it,
    until the font's 'H' is `cap` rows high."""
    xh = font.glyph(ord("x")).ascent
    delta = cap - font.glyph(ord("H")).ascent
    for g in font.glyphs:
        for _ in range(abs(delta)):
            if g.ascent <= xh + (1 if delta < 0 else 0):
                break
            at = g.ascent - (xh + 1)
            if at >= len(g.rows):
                # the glyph sits wholly above that row (an accent, a quote): it moves
                g.ascent += 1 if delta > 0 else -1
            elif delta > 0:
                g.rows.insert(at, list(g.rows[at]))
                g.ascent += 1
            else:
                del g.rows[at]
                g.ascent -= 1


def generate(font_dir):
    widths = load_widths()
    out = bytearray()
    for name, path, height, ascent, wsrc, codepage, first, last in STRIKES:
        font = pcf.Font(os.path.join(font_dir, path))
        if name in CAP_HEIGHT:
            fit_cap(font, CAP_HEIGHT[name])
        out += bytes([height, first, last])
        for code in range(first, last + 1):
            fixed = isinstance(wsrc, int)
            u = unicode_of(code, codepage)
            if fixed:
                advance = wsrc
                g = font.glyph(u) if u else None
                if g is None and u not in (0, 0x20):
                    # a code the X11 font has no glyph for (DEL, 1252's holes): NT's box
                    rows = box(height, ascent, advance)
                else:
                    rows = cell(g, height, ascent, advance, True)
            elif isinstance(wsrc, tuple):
                g = font.glyph(u) if u else None
                advance = min(g.width, wsrc[1]) if g else 0
            else:
                advance = min(widths[wsrc][code - 0x20], MAX_WIDTH.get(wsrc, 255))
            if not fixed:
                if u is None or advance == 0 or font.glyph(u) is None:
                    advance = advance or max(5, height // 3)
                    rows = box(height, ascent, advance) if u != 0x20 else cell(None, height, ascent, advance, False)
                else:
                    rows = cell(font.glyph(u), height, ascent, advance, False)
            out.append(advance)
            for row in rows:
                for b in range(0, advance, 8):
                    byte = 0
                    for i, bit in enumerate(row[b : b + 8]):
                        byte |= bit << (7 - i)
                    out.append(byte)
        print(name, "done", file=sys.stderr)
    dest = os.path.join(ROOT, "crates", "win32k", "src", "font", "strikes.bin")
    with open(dest, "wb") as f:
        f.write(out)
    print("wrote", dest, len(out), "bytes", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--widths":
        extract_widths(sys.argv[2])
    elif len(sys.argv) == 2:
        generate(sys.argv[1])
    else:
        sys.exit(__doc__)
