#!/usr/bin/env python3
"""Picks short straight-line instruction sequences from the code sections of the real Alpha
programs in ../shared/corpus, for the differential test of cpu-alpha against qemu-alpha
(see gen-corpus-vectors.sh, which feeds this script's output to gen-corpus-vectors.c).

A sequence is at most MAX_LEN consecutive instructions of a code section that run straight
through: integer and floating-point operates, LDA/LDAH, loads and stores, and the barriers,
optionally ended by the branch or jump that follows them (taken or not: the generator
catches where it goes). CALL_PAL, load-locked/store-conditional, RPCC, AMASK, IMPLVER, VAX
floating point and words that are no instruction end a sequence. So does a load or store
whose base register does not point into the scratch data window: the base must be a
register the sequence has not written yet (an input, which the generator points into the
window) or one derived from such an input by LDA/LDAH, MOV or ADDQ/SUBQ of a literal;
the access must be aligned and the accesses through one input must span at most
MAX_SPAN bytes.

Which sequences are kept: for every instruction kind (opcode, function and qualifiers,
literal or register operand) up to PER_KIND sequences holding it, rarest kinds first,
then random others up to TOTAL, never two that overlap in an image. The choice is
deterministic (fixed seed, images in sorted order). Only a small share of each image's
instructions is kept, as short sequences in no particular order: the images themselves
are not reproduced.

Output, one line per sequence:
  S <image> <n> <word>*n <int-inputs> <fp-inputs> <uses-fpcr> <jump> <nbases> (<reg> <lo> <hi>)*
with words in hex, the input sets as bit masks of registers the sequence reads before it
writes them, the input register a final jump goes through (-1 for none), and for each
base register the byte range [lo, hi) it is accessed at relative to its initial value. A header of "I <index> <name>" lines names the images.
"""

import os
import random
import struct
import sys

MAX_LEN = 8
MAX_SPAN = 0x1800
PER_KIND = 12
TOTAL = 3000
SEED = 0x5EED_A1FA
# Where gen-corpus-vectors.c keeps its prologue, in bytes from the sequence's start: a
# branch into it would run the prologue's code, so such branches are left out (as are
# branches back into the sequence itself).
PROLOGUE = range(0x300000, 0x310000)

# Opcodes of loads and stores: (size, is_store, is_fp).
MEMORY = {
    0x0A: (1, False, False),  # LDBU
    0x0B: (8, False, False),  # LDQ_U
    0x0C: (2, False, False),  # LDWU
    0x0D: (2, True, False),  # STW
    0x0E: (1, True, False),  # STB
    0x0F: (8, True, False),  # STQ_U
    0x22: (4, False, True),  # LDS
    0x23: (8, False, True),  # LDT
    0x26: (4, True, True),  # STS
    0x27: (8, True, True),  # STT
    0x28: (4, False, False),  # LDL
    0x29: (8, False, False),  # LDQ
    0x2C: (4, True, False),  # STL
    0x2D: (8, True, False),  # STQ
}

INT_OPERATE = {
    0x10: {0x00, 0x02, 0x09, 0x0B, 0x0F, 0x12, 0x1B, 0x1D, 0x20, 0x22, 0x29, 0x2B, 0x2D,
           0x32, 0x3B, 0x3D, 0x40, 0x49, 0x4D, 0x60, 0x69, 0x6D},
    # AMASK (0x61) and IMPLVER (0x6c) name the CPU: qemu is an EV67, ntemu an EV56.
    0x11: {0x00, 0x08, 0x14, 0x16, 0x20, 0x24, 0x26, 0x28, 0x40, 0x44, 0x46, 0x48, 0x64,
           0x66},
    0x12: {0x02, 0x06, 0x0B, 0x12, 0x16, 0x1B, 0x22, 0x26, 0x2B, 0x30, 0x31, 0x32, 0x34,
           0x36, 0x39, 0x3B, 0x3C, 0x52, 0x57, 0x5A, 0x62, 0x67, 0x6A, 0x72, 0x77, 0x7A},
    0x13: {0x00, 0x20, 0x30, 0x40, 0x60},
    0x1C: {0x00, 0x01} | set(range(0x30, 0x40)),
}
CMOV = {0x14, 0x16, 0x24, 0x26, 0x44, 0x46, 0x64, 0x66}
# 0x1c functions reading only Rb.
ONLY_B = {0x00, 0x01, 0x30, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37}
IEEE_LOW = {0x00, 0x01, 0x02, 0x03, 0x20, 0x21, 0x22, 0x23, 0x2C, 0x2F, 0x3C, 0x3E}
FP_MISC = {0x010, 0x020, 0x021, 0x022, 0x024, 0x025, 0x02A, 0x02B, 0x02C, 0x02D, 0x02E,
           0x02F, 0x030, 0x130, 0x530}
BARRIERS = {0x0000, 0x0400, 0x4000, 0x4400}


def fields(w):
    return (w >> 26, (w >> 21) & 31, (w >> 16) & 31, w & 31, (w >> 5) & 0x7F,
            (w >> 5) & 0x7FF, bool(w & 0x1000), (w >> 13) & 0xFF)


def sext16(v):
    return v - 0x10000 if v & 0x8000 else v


def classify(w):
    """Returns (kind, int_reads, int_writes, fp_reads, fp_writes, uses_fpcr, memory) or
    None for an instruction that ends a sequence. memory is (base, disp, size, is_store)
    or None."""
    op, ra, rb, rc, fn7, fn11, lit, litv = fields(w)
    ir, iw, fr, fw = [], [], [], []
    fpcr = False
    mem = None
    if op in (0x08, 0x09):
        kind = (op,)
        ir, iw = [rb], [ra]
    elif op in MEMORY:
        size, store, fp = MEMORY[op]
        kind = (op,)
        disp = sext16(w & 0xFFFF)
        ir = [rb]
        if store:
            (fr if fp else ir).append(ra)
        else:
            (fw if fp else iw).append(ra)
        mem = (rb, disp, size, store, op in (0x0B, 0x0F))
    elif op in INT_OPERATE:
        if op == 0x1C and fn7 in (0x70, 0x78):
            if lit:
                return None
            kind = (op, fn7)
            fr, iw = [ra], [rc]
        else:
            if fn7 not in INT_OPERATE[op]:
                return None
            if op == 0x1C and lit and 0x30 <= fn7 <= 0x37:
                return None
            kind = (op, fn7, lit)
            if not (op == 0x1C and fn7 in ONLY_B):
                ir.append(ra)
            if not lit:
                ir.append(rb)
            if op == 0x11 and fn7 in CMOV:
                ir.append(rc)
            iw = [rc]
    elif op == 0x14:
        if fn11 in (0x004, 0x024):
            kind = (op, fn11)
            ir, fw = [ra], [rc]
        elif fn11 & 0x3F in (0x0B, 0x2B):
            kind = (op, fn11)
            fr, fw, fpcr = [rb], [rc], True
        else:
            return None
    elif op == 0x16:
        low = fn11 & 0x3F
        compare = fn11 in range(0x0A4, 0x0A8) or fn11 in range(0x5A4, 0x5A8)
        if low not in IEEE_LOW and not compare:
            return None
        kind = (op, fn11)
        fr = [rb] if low in (0x2C, 0x2F, 0x3C, 0x3E) else [ra, rb]
        fw, fpcr = [rc], True
    elif op == 0x17:
        if fn11 not in FP_MISC:
            return None
        kind = (op, fn11)
        if fn11 == 0x024:  # MT_FPCR
            fr, fpcr = [ra], True
        elif fn11 == 0x025:  # MF_FPCR
            fw, fpcr = [ra], True
        elif fn11 in (0x010, 0x030, 0x130, 0x530):
            fr, fw = [rb], [rc]
            fpcr = fn11 != 0x010
        else:
            fr, fw = [ra, rb], [rc]
            if fn11 >= 0x02A:
                fr.append(rc)
    elif op == 0x18:
        if w & 0xFFFF not in BARRIERS:
            return None
        kind = (op, w & 0xFFFF)
    else:
        return None
    return kind, ir, iw, fr, fw, fpcr, mem


class Window:
    """Symbolic state of a sequence under construction."""

    def __init__(self):
        self.iwritten = set()
        self.fwritten = set()
        self.ilive = 0
        self.flive = 0
        self.fpcr = False
        self.ptr = {}  # register -> (input root, offset)
        self.ranges = {}  # input root -> [lo, hi)
        self.jump = -1  # input register a final jump goes through

    def add_control(self, ir, iw, fr, jump):
        """Adds the branch or jump that ends the sequence. A jump's target register, when
        it is an input, is noted (the generator points it at the code page now and then)."""
        for r in ir:
            if r != 31 and r not in self.iwritten:
                self.ilive |= 1 << r
        for r in fr:
            if r != 31 and r not in self.fwritten:
                self.flive |= 1 << r
        if jump is not None and jump != 31 and jump not in self.iwritten:
            self.jump = jump
        for r in iw:
            if r != 31:
                self.iwritten.add(r)

    def pointer(self, reg):
        if reg == 31:
            return None
        if reg not in self.iwritten:
            return (reg, 0)
        return self.ptr.get(reg)

    def add(self, w, c):
        """Adds instruction w (classified as c) if the sequence can hold it."""
        kind, ir, iw, fr, fw, fpcr, mem = c
        op, ra, rb, rc, fn7, fn11, lit, litv = fields(w)
        new_range = None
        if mem is not None:
            base, disp, size, store, unaligned_ok = mem
            p = self.pointer(base)
            if p is None:
                return False
            root, off = p
            at = off + disp
            if unaligned_ok:
                at &= ~7
            elif at % size:
                return False
            lo, hi = self.ranges.get(root, (at, at + size))
            lo, hi = min(lo, at), max(hi, at + size)
            if hi - lo > MAX_SPAN:
                return False
            new_range = (root, lo, hi)
        # Pointers derived from inputs.
        derived = None
        if op in (0x08, 0x09):
            p = self.pointer(rb)
            if p is not None:
                d = sext16(w & 0xFFFF) << (16 if op == 0x09 else 0)
                derived = (p[0], p[1] + d)
        elif op == 0x11 and fn7 == 0x20 and not lit and (ra == 31 or ra == rb):
            derived = self.pointer(rb)
        elif op == 0x10 and fn7 in (0x20, 0x29) and lit:
            p = self.pointer(ra)
            if p is not None:
                derived = (p[0], p[1] + (litv if fn7 == 0x20 else -litv))
        for r in ir:
            if r != 31 and r not in self.iwritten:
                self.ilive |= 1 << r
        for r in fr:
            if r != 31 and r not in self.fwritten:
                self.flive |= 1 << r
        for r in iw:
            if r != 31:
                self.iwritten.add(r)
                self.ptr.pop(r, None)
                if derived is not None:
                    self.ptr[r] = derived
        for r in fw:
            if r != 31:
                self.fwritten.add(r)
        if new_range:
            root, lo, hi = new_range
            self.ranges[root] = (lo, hi)
        self.fpcr |= fpcr
        return True


def sections(path):
    d = open(path, "rb").read()
    pe = struct.unpack_from("<I", d, 0x3C)[0]
    if d[pe:pe + 4] != b"PE\0\0" or struct.unpack_from("<H", d, pe + 4)[0] != 0x184:
        return []
    nsec = struct.unpack_from("<H", d, pe + 6)[0]
    optsz = struct.unpack_from("<H", d, pe + 20)[0]
    off = pe + 24 + optsz
    out = []
    for i in range(nsec):
        name, vsize, va, rsize, rptr, _, _, _, _, ch = struct.unpack_from(
            "<8sIIIIIIHHI", d, off + 40 * i)
        # IMAGE_SCN_CNT_CODE or IMAGE_SCN_MEM_EXECUTE
        if ch & 0x20 or ch & 0x20000000:
            size = min(rsize, vsize) if vsize else rsize
            raw = d[rptr:rptr + size]
            out.append((name.rstrip(b"\0").decode(), va, raw))
    return out


def branch_target(w, k):
    """Where the branch at index k of a sequence goes, in bytes from the sequence's start
    (None for a jump)."""
    op = w >> 26
    if op < 0x30:
        return None
    disp = w & 0x1FFFFF
    if disp & 0x100000:
        disp -= 0x200000
    return 4 * (k + 1 + disp)


def control(w):
    """A branch or jump that may end a sequence: (kind, int_reads, int_writes, fp_reads,
    jump_register) or None."""
    op, ra, rb = w >> 26, (w >> 21) & 31, (w >> 16) & 31
    if op in (0x30, 0x34):  # BR, BSR
        return (op,), [], [ra], [], None
    if op in (0x31, 0x32, 0x33, 0x35, 0x36, 0x37):  # FBxx
        return (op,), [], [], [ra], None
    if op >= 0x38:  # BLBC .. BGT
        return (op,), [ra], [], [], None
    if op == 0x1A:  # JMP, JSR, RET, JSR_COROUTINE
        return (op, (w >> 14) & 3), [rb], [ra], [], rb
    return None


def windows(words):
    """Every candidate sequence: for each start, the longest one (up to MAX_LEN), which
    may end with a branch or jump."""
    classes = [classify(w) for w in words]
    for start in range(len(words)):
        win = Window()
        end = start
        while end < len(words) and end - start < MAX_LEN:
            c = classes[end]
            if c is None or not win.add(words[end], c):
                break
            end += 1
        kinds = [classes[k][0] for k in range(start, end)]
        if end < len(words) and end - start < MAX_LEN and classes[end] is None:
            t = control(words[end])
            target = branch_target(words[end], end - start)
            # A branch back into the sequence (a loop) or into the prologue is left out.
            if t is not None and target is not None and (
                    target in PROLOGUE or 0 <= target <= 4 * (end - start)):
                t = None
            if t is not None:
                kind, ir, iw, fr, jump = t
                win.add_control(ir, iw, fr, jump)
                kinds.append(kind)
                end += 1
        if end > start:
            yield start, end, win, kinds


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    # --all: every distinct sequence, overlapping or not (for a long local campaign; the
    # committed data uses the default selection).
    everything = "--all" in sys.argv
    corpus = args[0] if args else os.path.join(
        os.path.dirname(__file__), "../../../../shared/corpus")
    images = []
    for sub in ("alpha", "ntutils", "ntgames"):
        root = os.path.join(corpus, sub)
        for dirpath, _, files in sorted(os.walk(root)):
            for f in sorted(files):
                if f.endswith(".exe") and (sub == "alpha" or f.endswith("-axp.exe")):
                    images.append(os.path.relpath(os.path.join(dirpath, f), corpus))
    images.sort()
    candidates = []  # (image, section, start, end, words, window, kinds)
    total_words = 0
    for index, rel in enumerate(images):
        for name, va, raw in sections(os.path.join(corpus, rel)):
            words = list(struct.unpack_from("<%dI" % (len(raw) // 4), raw))
            total_words += len(words)
            for start, end, win, kinds in windows(words):
                candidates.append((index, va, start, end, words[start:end], win, kinds))
    # One candidate per distinct word sequence (the first found).
    seen = set()
    unique = []
    for c in candidates:
        key = tuple(c[4])
        if key not in seen:
            seen.add(key)
            unique.append(c)
    rng = random.Random(SEED)
    if everything:
        for index, rel in enumerate(images):
            print(f"I {index} {rel}")
        for c in unique:
            emit(c)
        return
    by_kind = {}
    for i, c in enumerate(unique):
        for k in set(c[6]):
            by_kind.setdefault(k, []).append(i)
    taken = set()  # (image, va, word index) of every instruction kept
    chosen = []

    def free(c):
        return all((c[0], c[1], k) not in taken for k in range(c[2], c[3]))

    def take(i):
        c = unique[i]
        for k in range(c[2], c[3]):
            taken.add((c[0], c[1], k))
        chosen.append(c)

    for kind in sorted(by_kind, key=lambda k: (len(by_kind[k]), k)):
        have = sum(1 for c in chosen if kind in c[6])
        pool = by_kind[kind][:]
        rng.shuffle(pool)
        for i in pool:
            if have >= PER_KIND:
                break
            if free(unique[i]):
                take(i)
                have += 1
    rest = [i for i in range(len(unique))]
    rng.shuffle(rest)
    for i in rest:
        if len(chosen) >= TOTAL:
            break
        if free(unique[i]):
            take(i)
    rng.shuffle(chosen)
    kept = sum(len(c[4]) for c in chosen)
    print(f"# {len(images)} images, {total_words} code words, {len(candidates)} candidate "
          f"sequences ({len(unique)} distinct), {len(by_kind)} instruction kinds; kept "
          f"{len(chosen)} sequences, {kept} words", file=sys.stderr)
    for index, rel in enumerate(images):
        print(f"I {index} {rel}")
    for c in chosen:
        emit(c)


def emit(candidate):
    image, va, start, end, words, win, kinds = candidate
    bases = sorted(win.ranges.items())
    parts = ["S", str(image), str(len(words))] + ["%08x" % w for w in words]
    parts += ["%x" % win.ilive, "%x" % win.flive, "1" if win.fpcr else "0", str(win.jump),
              str(len(bases))]
    for reg, (lo, hi) in bases:
        parts += [str(reg), str(lo), str(hi)]
    print(" ".join(parts))


if __name__ == "__main__":
    main()
