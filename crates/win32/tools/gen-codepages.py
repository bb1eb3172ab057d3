#!/usr/bin/env python3
"""Prints the CP1252_HIGH and CP437_HIGH tables of crates/win32/src/codepage.rs from Python's
cp1252 and cp437 codecs (bytes 0x80-0xFF as UTF-16 code units; bytes cp1252 leaves undefined
map to the C1 control of the same value, as NT maps them)."""


def table(cp):
    out = []
    for b in range(128, 256):
        try:
            out.append(ord(bytes([b]).decode(cp)))
        except UnicodeDecodeError:
            out.append(b)
    return out


for name, cp in (("CP1252_HIGH", "cp1252"), ("CP437_HIGH", "cp437")):
    t = table(cp)
    print(f"pub(crate) const {name}: [u16; 128] = [")
    for i in range(0, 128, 8):
        print("    " + ", ".join(f"0x{v:04X}" for v in t[i:i + 8]) + ",")
    print("];")
