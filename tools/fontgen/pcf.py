"""A reader of X11 PCF bitmap fonts (the .pcf.gz files of Debian's xfonts-* packages).

Only what the generator needs: the font's ascent and descent, and for each encoded character
its advance, bounding box and bitmap rows (each row a list of 0/1)."""

import gzip
import struct

PCF_PROPERTIES = 1 << 0
PCF_ACCELERATORS = 1 << 1
PCF_METRICS = 1 << 2
PCF_BITMAPS = 1 << 3
PCF_BDF_ENCODINGS = 1 << 5
PCF_BDF_ACCELERATORS = 1 << 8

PCF_COMPRESSED_METRICS = 0x100


class Glyph:
    def __init__(self, lsb, rsb, width, ascent, descent, rows):
        self.lsb, self.rsb, self.width = lsb, rsb, width
        self.ascent, self.descent = ascent, descent
        self.rows = rows  # ascent + descent rows of (rsb - lsb) pixels, top first


class Font:
    def __init__(self, path):
        data = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
        if data[:4] != b"\x01fcp":
            raise ValueError(path + ": not a PCF font")
        (count,) = struct.unpack_from("<I", data, 4)
        tables = {}
        for i in range(count):
            typ, fmt, size, off = struct.unpack_from("<IIII", data, 8 + 16 * i)
            tables[typ] = (fmt, off)
        self.data = data
        metrics = self._metrics(*tables[PCF_METRICS])
        bitmaps = self._bitmaps(*tables[PCF_BITMAPS], metrics)
        self.glyphs = [Glyph(*m, rows=b) for m, b in zip(metrics, bitmaps)]
        self.encoding = self._encodings(*tables[PCF_BDF_ENCODINGS])
        acc = tables.get(PCF_BDF_ACCELERATORS) or tables[PCF_ACCELERATORS]
        self.ascent, self.descent = self._accel(*acc)

    def _fmt(self, off):
        (fmt,) = struct.unpack_from("<I", self.data, off)
        return fmt, (">" if fmt & 4 else "<")

    def _metrics(self, fmt, off):
        fmt, e = self._fmt(off)
        out = []
        if fmt & PCF_COMPRESSED_METRICS:
            (n,) = struct.unpack_from(e + "H", self.data, off + 4)
            for i in range(n):
                b = self.data[off + 6 + 5 * i : off + 11 + 5 * i]
                out.append(tuple(x - 0x80 for x in b))
        else:
            (n,) = struct.unpack_from(e + "I", self.data, off + 4)
            for i in range(n):
                out.append(struct.unpack_from(e + "hhhhh", self.data, off + 8 + 12 * i))
        return out

    def _bitmaps(self, fmt, off, metrics):
        fmt, e = self._fmt(off)
        (n,) = struct.unpack_from(e + "I", self.data, off + 4)
        offsets = struct.unpack_from(e + "%dI" % n, self.data, off + 8)
        base = off + 8 + 4 * n + 16
        pad = 1 << (fmt & 3)
        msbit = bool(fmt & 8)
        unit = 1 << ((fmt >> 4) & 3)
        msbyte = bool(fmt & 4)
        out = []
        for (lsb, rsb, _w, asc, desc), o in zip(metrics, offsets):
            w, h = rsb - lsb, asc + desc
            stride = ((w + 7) // 8 + pad - 1) // pad * pad
            rows = []
            for y in range(h):
                raw = bytearray(self.data[base + o + y * stride : base + o + (y + 1) * stride])
                if msbit != msbyte and unit > 1:
                    for k in range(0, len(raw), unit):
                        raw[k : k + unit] = raw[k : k + unit][::-1]
                row = []
                for x in range(w):
                    byte = raw[x // 8]
                    bit = (byte >> (7 - x % 8)) & 1 if msbit else (byte >> (x % 8)) & 1
                    row.append(bit)
                rows.append(row)
            out.append(rows)
        return out

    def _encodings(self, fmt, off):
        fmt, e = self._fmt(off)
        min2, max2, min1, max1, _default = struct.unpack_from(e + "hhhhh", self.data, off + 4)
        cols = max2 - min2 + 1
        n = cols * (max1 - min1 + 1)
        idx = struct.unpack_from(e + "%dH" % n, self.data, off + 14)
        enc = {}
        for i, g in enumerate(idx):
            if g != 0xFFFF:
                enc[(min1 + i // cols) * 256 + min2 + i % cols] = g
        return enc

    def _accel(self, fmt, off):
        fmt, e = self._fmt(off)
        asc, desc = struct.unpack_from(e + "ii", self.data, off + 4 + 8)
        return asc, desc

    def glyph(self, code):
        g = self.encoding.get(code)
        return None if g is None else self.glyphs[g]
