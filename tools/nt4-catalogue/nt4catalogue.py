#!/usr/bin/env python3
"""Build the NT 4.0 SP6 (build 1381, x86) export catalogues for ntemu.

Source of the facts: Geoff Chappell's export-history tables, as kept in the
public GitHub mirror geoffchappellmirror/geoffchappellmirror.github.io.  For
each DLL, one page lists every name exported by the earliest NT version he
inspected (3.51) with its later history, and one page lists the names first
exported in version 4.0 (Windows 95 and NT 4.0 builds up to SP6) with remarks
such as "NT-only in 4.0", "Windows only", "begins in SP3", "discontinued in
SP4" and "forwarded to NTDLL function X in 4.0 and higher".  This script turns
those remarks into the set of names present in NT 4.0 SP6.

Two inputs are supported and give the same result:

  * extract/<dll>.<page>.tsv (committed beside this script): one line per table
    row, "name<TAB>remarks", where remarks keeps only the export-history clauses
    of the page (documentation remarks are dropped).
  * --mirror PATH: a checkout of the mirror repository; the HTML tables are
    parsed directly.  With --check the parse is compared with extract/ and any
    difference is reported (and the run fails).

Ordinals are derived, not read from a binary: see ORDINAL_NOTE.

USER32, GDI32, MSVCRT, CRTDLL and WSOCK32 come from other sources (Chappell has no
export history for them); see OTHER, the build_* functions below and README.md:

  * MSVCRT: Keith Marshall's msvcrt-xref (msvcrt.def.in), column "NT4"
    (NT 4.0 SP6a's MSVCRT.DLL 4.20.0.6201), transcribed verbatim in extract/.
  * CRTDLL: strontic's dump of CRTDLL.DLL 4.00 (real ordinals), checked
    against Wine's 1996 crtdll.spec; DATA from MinGW's crtdll.def and Wine.
  * USER32, GDI32: names both in Wine's 1996 NT 3.5x-era export lists and in
    mingw-w64's dumps of the current DLLs (a subset of NT 4.0's exports).
  * WSOCK32: the Winsock 1.1 specification's ordinals, and a dump of a later WSOCK32.DLL
    for the private exports, checked against Wine's wsock32.spec.

Only the Python standard library is used.  Output is deterministic.
"""

import argparse
import html.parser
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXTRACT = os.path.join(HERE, "extract")

MIRROR_REPO = "https://github.com/geoffchappellmirror/geoffchappellmirror.github.io"
MIRROR_COMMIT = "cf37877296a10cae31b69cdec2f2bdb45f19cf0e"

TARGET = (4, 0, 6)  # version 4.0, service pack 6

# dll key -> (DLL name, output path relative to repository root, pages)
# pages: (tag, path in mirror, version the page is about, expected row count or None)
CATALOGUES = {
    "kernel32": (
        "KERNEL32.dll",
        "crates/dlls/kernel32/nt4-exports.txt",
        [
            ("names351", "studies/windows/win32/kernel32/history/names351.htm", (3, 51), None),
            ("names40", "studies/windows/win32/kernel32/history/names40.htm", (4, 0), None),
        ],
    ),
    "ntdll": (
        "NTDLL.dll",
        "crates/dlls/ntdll/nt4-exports.txt",
        [
            ("names351", "studies/windows/win32/ntdll/history/names351.htm", (3, 51), 950),
            ("names40", "studies/windows/win32/ntdll/history/names40.htm", (4, 0), 115),
        ],
    ),
    "advapi32": (
        "ADVAPI32.dll",
        "crates/dlls/advapi32/nt4-exports.txt",
        [
            ("names351", "studies/windows/win32/advapi32/history/names351.htm", (3, 51), None),
            ("names40", "studies/windows/win32/advapi32/history/names40.htm", (4, 0), None),
        ],
    ),
}

# Pages read only to cross-check the ones above (NTDLL 3.10 and 3.50 tables).
CROSSCHECK = {
    "ntdll": [
        ("names310", "studies/windows/win32/ntdll/history/names310.htm", (3, 10), 812),
        ("names350", "studies/windows/win32/ntdll/history/names350.htm", (3, 50), 136),
    ],
}

# NT 4.0 SP6 builds that Chappell lists as inspected (history/index.htm of each DLL).
SP6_BUILD = {
    "kernel32": ("4.0.1381.300", "3794F60F"),
    "ntdll": ("4.0.1381.298", "3786600B"),
    "advapi32": ("4.0.1381.281", "37584510"),
}

NOTES = {
    "ntdll": [
        "Checks: the 3.51 table has 950 rows and the 4.0 table 115, as the pages state;",
        "  the 3.10 (812) and 3.50 (136) tables agree with them.  The 212 Nt* names are",
        "  exactly the 211 NT 4.0 SP6 system services listed by j00ru/windows-syscalls",
        "  x86/csv/nt.csv (commit 0c48cd8f365899157f5d08ca04eb569e5c47d5b1), plus",
        "  NtCurrentTeb; every Nt* has its Zw* twin except NtCurrentTeb.",
    ],
    "kernel32": [
        "Checks: no ordinal-only exports in any NT build (Chappell, ords40.htm); names",
        "  first exported in Windows 98 (e.g. GetLongPathNameA) or 2000 are absent.",
    ],
    "advapi32": [
        "Note: 24 names that NT 4.0 RTM-SP3 exported are absent here because the 4.0",
        "  table marks them 'discontinued in SP4' (e.g. BuildAccessRequestA).",
    ],
}

ORDINAL_NOTE = [
    "Ordinals: DERIVED, not verified.  The source gives names only, and no NT 4.0 SP6",
    "binary, import library or dump of its export table was available.  Rule used:",
    "ordinal = 1 + rank of the name in byte-wise (strcmp) order, i.e. ordinal base 1",
    "and ordinal = hint + 1.  That is what LINK produces from a .def file that gives",
    "no explicit ordinals (the export name table must be sorted that way), and it is",
    "what dumps of later NT-family system DLLs show apart from names appended with",
    "fixed ordinals by later releases.  If NT 4.0's .def files pinned any ordinals,",
    "these numbers are wrong from that point on.  Ordinals also shift with every",
    "service pack that adds a name, so they are only meaningful for this name set.",
]

# ---------------------------------------------------------------------------
# HTML parsing (mirror mode)


class _TableParser(html.parser.HTMLParser):
    """Collects every <table> as a list of rows; a row is a list of cells.

    A cell is (kind, text, classes) where kind is 'th' or 'td', text has <br>
    turned into ';' and classes is the set of CSS classes of spans in the cell.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables = []
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = [tag, [], set()]
        elif self._cell is not None:
            if tag == "br":
                self._cell[1].append(";")
            if tag == "span":
                for k, v in attrs:
                    if k == "class" and v:
                        self._cell[2].update(v.split())

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            kind, parts, classes = self._cell
            self._row.append((kind, "".join(parts), classes))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row and self.tables:
                self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1].append(data)


def _norm(s):
    return re.sub(r"\s+", " ", s.replace("\xa0", " ")).strip()


# Clauses of an "Export History"/"Remarks" cell that bear on whether, and how,
# a name is exported.  Everything else (documentation and declaration history,
# "implemented as jump to ..." and the like) is dropped.
_KEEP = re.compile(
    r"^(NT[- ]only|Windows[- ]only|x86 only|x64 only|begins|discontinued|"
    r"restored|partly restored|forwarded to|forwared to)"
)


def clauses_of(text):
    out = []
    for part in re.split(r"[;:]", text):
        c = _norm(part)
        if c and _KEEP.match(c):
            out.append(c)
    return out


def parse_page(path):
    """Return [(name, [clauses])] from the function tables of one page."""
    p = _TableParser()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    rows = []
    for table in p.tables:
        header = None
        for row in table:
            if all(kind == "th" for kind, _, _ in row):
                header = [_norm(t) for _, t, _ in row]
                continue
            if header is None or not header or header[0] != "Function":
                continue
            cells = [c for c in row if c[0] == "td"]
            if len(cells) != len(header):
                raise SystemExit("%s: row width %d != header %r" % (path, len(cells), header))
            name_text, classes = cells[0][1], cells[0][2]
            name = _norm(name_text)
            data = False
            if name.endswith("(data)"):
                name = _norm(name[: -len("(data)")])
                data = True
            if "variable" in classes:
                data = True
            if not re.match(r"^[?@A-Za-z0-9_]+$", name):
                raise SystemExit("%s: unexpected function name %r" % (path, name))
            if "Export History" in header:
                col = header.index("Export History")
            elif "Remarks" in header:
                col = header.index("Remarks")
            else:
                col = None
            cl = clauses_of(cells[col][1]) if col is not None else []
            if data:
                cl = ["data"] + cl
            rows.append((name, cl))
    return rows


def page_stated_count(path):
    """The number of exports a page says it lists, when it says so."""
    with open(path, encoding="utf-8") as f:
        text = _norm(re.sub(r"<[^>]+>", " ", f.read()))
    for pat in (r"lists the ([0-9,]+) exports", r"([0-9,]+) date from as far back",
                r"([0-9,]+) are original"):
        m = re.search(pat, text)
        if m:
            return int(m.group(1).replace(",", ""))
    return None


# ---------------------------------------------------------------------------
# Extract files (default mode)


def read_extract(dll, tag):
    path = os.path.join(EXTRACT, "%s.%s.tsv" % (dll, tag))
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            name, _, rem = line.partition("\t")
            cl = [_norm(c) for c in rem.split(";") if _norm(c)]
            rows.append((name, cl))
    return rows


def write_extract(dll, tag, rows):
    path = os.path.join(EXTRACT, "%s.%s.tsv" % (dll, tag))
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for name, cl in rows:
            f.write("%s\t%s\n" % (name, "; ".join(cl)))


# ---------------------------------------------------------------------------
# Interpretation of the remarks


def _ver(s):
    a, b = s.split(".")
    return (int(a), int(b))


_PRODUCT_SP = re.compile(r"from Windows .*?SP(\d+)$")


def _point(rest, page_ver):
    """Parse 'X' of 'discontinued in X' / 'begins in X' into (major, minor, sp)."""
    rest = rest.strip()
    m = re.match(r"^SP(\d+)[a]?$", rest)
    if m:
        return page_ver + (int(m.group(1)),)
    m = re.match(r"^(\d+\.\d+)(?: SP(\d+))?(?: from (.*))?$", rest)
    if m:
        v = _ver(m.group(1))
        sp = int(m.group(2)) if m.group(2) else 0
        if m.group(3):
            m2 = _PRODUCT_SP.search(m.group(3))
            sp = int(m2.group(1)) if m2 else 0
        return v + (sp,)
    m = re.match(r"^(?:from )?Windows NT (\d+\.\d+) SP(\d+)$", rest)
    if m:
        return _ver(m.group(1)) + (int(m.group(2)),)
    if rest == "OSR2":  # Windows 95 OSR2 (4.0.0.1111) precedes every NT 4.0 build
        return (4, 0, 0)
    raise ValueError("cannot parse version point %r" % rest)


def _in_range(qual, page_ver):
    """Does a 'forwarded to ...' time qualifier cover NT 4.0 SP6?"""
    q = qual.strip()
    if not q:
        return True
    m = re.match(r"^in (\d+\.\d+) and higher$", q)
    if m:
        return _ver(m.group(1)) <= TARGET[:2]
    m = re.match(r"^in (\d+\.\d+) only$", q)
    if m:
        return _ver(m.group(1)) == TARGET[:2]
    m = re.match(r"^in (\d+\.\d+) (?:and|to) (\d+\.\d+)$", q)
    if m:
        return _ver(m.group(1)) <= TARGET[:2] <= _ver(m.group(2))
    m = re.match(r"^before (\d+\.\d+)$", q)
    if m:
        return TARGET[:2] < _ver(m.group(1))
    raise ValueError("cannot parse forward qualifier %r" % q)


_FWD = re.compile(
    r"^forwar(?:d)?ed to (?P<dll>[A-Za-z0-9-]+)(?: function (?P<fn>[A-Za-z0-9_]+))?"
    r"(?P<qual>(?: (?:in|before) [0-9. ]+(?:and higher|only|(?:and|to) [0-9.]+)?)?)"
    r"(?: \((?P<arch>[^)]*)\))?$"
)


def classify(name, clauses, page_ver):
    """Return (present, data, forward) for NT 4.0 SP6 x86."""
    present = True
    data = False
    forward = None
    events = []  # (point, present-after)
    for c in clauses:
        if c == "data":
            data = True
        elif c in ("Windows only",) or c.startswith("Windows-only in 4.0"):
            present = False
        elif c.startswith("Windows-only before "):
            if TARGET[:2] < _ver(c[len("Windows-only before "):]):
                present = False
        elif c.startswith("NT only") or c.startswith("NT-only"):
            pass
        elif c == "x86 only":
            pass
        elif c == "x64 only":
            present = False
        elif c.startswith("begins "):
            rest = re.sub(r"^begins (?:in|from) ", "", c)
            pt = _point(rest, page_ver)
            if pt > TARGET:
                present = False
        elif c.startswith("discontinued in "):
            events.append((_point(c[len("discontinued in "):], page_ver), False))
        elif c.startswith("partly restored in ") or c.startswith("restored in "):
            rest = re.sub(r"^(?:partly )?restored in ", "", c)
            events.append((_point(rest, page_ver), True))
        elif c.startswith("forwarded to ") or c.startswith("forwared to "):
            m = _FWD.match(c)
            if not m:
                raise ValueError("%s: cannot parse %r" % (name, c))
            arch = (m.group("arch") or "").strip()
            if "x64" in arch:
                continue
            if _in_range(m.group("qual"), page_ver):
                if m.group("dll") != "NTDLL":
                    raise ValueError("%s: unexpected NT 4.0 forward %r" % (name, c))
                forward = "NTDLL." + (m.group("fn") or name)
        else:
            raise ValueError("%s: unhandled clause %r" % (name, c))
    # Discontinuations and restorations apply in time order up to the target.
    state = True
    for pt, st in sorted(events):
        if pt <= TARGET:
            state = st
    present = present and state
    return present, data, forward


# ---------------------------------------------------------------------------


def load_pages(dll, pages, mirror):
    out = []
    for tag, path, ver, expected in pages:
        if mirror:
            full = os.path.join(mirror, path)
            rows = parse_page(full)
            stated = page_stated_count(full)
            if stated is not None and stated != len(rows):
                raise SystemExit("%s: page states %d exports but has %d rows" % (path, stated, len(rows)))
        else:
            rows = read_extract(dll, tag)
        if expected is not None and expected != len(rows):
            raise SystemExit("%s %s: expected %d rows, got %d" % (dll, tag, expected, len(rows)))
        names = [n for n, _ in rows]
        if len(set(names)) != len(names):
            raise SystemExit("%s %s: duplicate names" % (dll, tag))
        out.append((tag, path, ver, rows))
    return out


def build(dll, mirror):
    dllname, outpath, pages = CATALOGUES[dll]
    loaded = load_pages(dll, pages, mirror)
    entries = {}
    for tag, path, ver, rows in loaded:
        for name, cl in rows:
            present, data, fwd = classify(name, cl, ver)
            if name in entries:
                raise SystemExit("%s: %s listed on two pages" % (dll, name))
            if present:
                entries[name] = (data, fwd)
    # NTDLL: the 3.51 page is the old-style table; the 3.10 and 3.50 pages mark
    # some variables as data that the 3.51 page does not.  Use them too.
    for tag, path, ver, expected in CROSSCHECK.get(dll, []):
        rows = parse_page(os.path.join(mirror, path)) if mirror else read_extract(dll, tag)
        if expected is not None and expected != len(rows):
            raise SystemExit("%s %s: expected %d rows, got %d" % (dll, tag, expected, len(rows)))
        for name, cl in rows:
            if "data" in cl and name in entries:
                entries[name] = (True, entries[name][1])
    names = sorted(entries, key=lambda s: s.encode("ascii"))
    return dllname, outpath, loaded, [(i + 1, n) + entries[n] for i, n in enumerate(names)]


def render(dll, dllname, loaded, table, mirror_used):
    lines = []
    lines.append("# %s -- Windows NT 4.0 Service Pack 6 (build 1381), x86: exported names" % dllname)
    lines.append("#")
    lines.append("# Source: Geoff Chappell, export-history tables for %s, as mirrored in" % dllname.split(".")[0])
    lines.append("#   %s" % MIRROR_REPO)
    lines.append("#   commit %s" % MIRROR_COMMIT)
    for tag, path, ver, rows in loaded:
        lines.append("#   %s (%d rows)" % (path, len(rows)))
    ver, stamp = SP6_BUILD[dll]
    lines.append("#   (original site https://www.geoffchappell.com/; the tables come from Chappell's")
    lines.append("#   inspection of the released DLLs, among them the NT 4.0 SP6 build, file")
    lines.append("#   version %s, file header date stamp %s, per history/index.htm)" % (ver, stamp))
    lines.append("# Method: every name of the 3.51 table that is not discontinued by 4.0 SP6, plus")
    lines.append("#   every name of the 4.0 table that is in the NT builds (not 'Windows only' or")
    lines.append("#   'Windows-only in 4.0'), honouring 'begins in SPn' and 'discontinued in SPn'.")
    lines.append("#   DATA = exported variable; '-> DLL.name' = forwarded export (still exported")
    lines.append("#   by name), from remarks 'forwarded to NTDLL ...' that cover version 4.0.")
    for l in NOTES.get(dll, []):
        lines.append("# " + l)
    for l in ORDINAL_NOTE:
        lines.append("# " + l)
    lines.append("# Count: %d names, ordinals 1-%d, no ordinal-only exports." % (len(table), len(table)))
    lines.append("# Regenerate: tools/nt4-catalogue/regenerate.sh   (offline, from the committed")
    lines.append("#   extract in tools/nt4-catalogue/extract/; with --mirror PATH or --fetch the")
    lines.append("#   mirror's HTML is parsed and checked against that extract).")
    lines.append("#")
    for ordinal, name, data, fwd in table:
        s = "%d %s" % (ordinal, name)
        if data:
            s += " DATA"
        if fwd:
            s += " -> " + fwd
        lines.append(s)
    return "\n".join(lines) + "\n"


def check_syscalls(csv_path, mirror):
    """Compare NTDLL's Nt* names with j00ru's table of NT 4.0 SP6 system calls."""
    import csv
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    col = rows[0].index("Windows NT (SP6)")
    services = {r[0] for r in rows[1:] if len(r) > col and r[col].strip()}
    _, _, _, table = build("ntdll", mirror)
    nt = {n for _, n, _, _ in table if n.startswith("Nt")}
    extra = sorted(nt - services - {"NtCurrentTeb"})
    missing = sorted(services - nt)
    print("j00ru NT 4.0 SP6 system services: %d; NTDLL Nt* exports: %d" % (len(services), len(nt)))
    for n in missing:
        print("  service not exported: %s" % n)
    for n in extra:
        print("  Nt export that is not a service: %s" % n)
    return 1 if (missing or extra) else 0


# ---------------------------------------------------------------------------
# USER32, GDI32, MSVCRT and CRTDLL: sources other than Chappell's tables.
# Each has its own builder; see README.md ("Sources") for why each source was chosen and
# what is uncertain.  All read only extract/.

XREF_REPO = "https://github.com/mirror/mingw-org-wsl"
XREF_COMMIT = "12980325f7a5b47df65ae258d489ec56ffb06cce"
XREF_PATH = "mingwrt/msvcrt-xref/msvcrt.def.in"
XREF_EXTRACT = "msvcrt-xref.msvcrt.def.in"
XREF_SIZE = 76348        # characters of the file at XREF_COMMIT (the transcription must match)
XREF_NT4 = 0x0400        # the "NT4" column: Windows NT4 SP-6a, MSVCRT.DLL 4.20.0.6201
# The def file marks these DATA only for MinGW's own import library; it says so in comments
# ("pexports doesn't report it as such, but libmsvcrt.a needs ... to be qualified as DATA").
XREF_NOT_DATA = ("_onexit", "atexit")

STRONTIC_REPO = "https://github.com/strontic/strontic.github.io"
STRONTIC_COMMIT = "31654621d09d4a16d7ef6375b970f770db962774"
STRONTIC_CRTDLL = "xcyclopedia/library/crtdll.dll-D17A0D5E0B6F95BB133C6DD761EE78FD.md"

WINE_REPO = "https://github.com/wine-mirror/wine"
WINE_1996_COMMIT = "02e90087ff40c1f2ea0636d043cc5610980b5268"
MINGW_W64 = "mingw-w64 v10.0.0 (Debian source package mingw-w64 10.0.0-3)"

# dll key -> (DLL name, output path, builder name)
OTHER = {
    "user32": ("USER32.dll", "crates/dlls/user32/nt4-exports.txt", "continuity"),
    "gdi32": ("GDI32.dll", "crates/dlls/gdi32/nt4-exports.txt", "continuity"),
    "msvcrt": ("MSVCRT.dll", "crates/dlls/msvcrt/nt4-exports.txt", "msvcrt"),
    "crtdll": ("CRTDLL.dll", "crates/dlls/msvcrt/crtdll-nt4-exports.txt", "crtdll"),
    "wsock32": ("WSOCK32.dll", "crates/dlls/wsock32/nt4-exports.txt", "wsock32"),
}

DERIVED_ORDINALS = [
    "# Ordinals: DERIVED, not verified: ordinal = 1 + rank of the name in byte-wise (strcmp)",
    "#   order among the names listed here (what LINK does for a .def without ordinals).",
]


def read_rows(name):
    """Tab-separated rows of extract/NAME, without '#' comment lines and blank lines."""
    rows = []
    with open(os.path.join(EXTRACT, name), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            rows.append(line.split("\t"))
    return rows


def _strcmp_key(s):
    return s.encode("ascii")


def _derive(names_data):
    """[(name, data)] -> [(ordinal, name, data, None)], ordinals by strcmp rank."""
    names = sorted(names_data, key=_strcmp_key)
    return [(i + 1, n, names_data[n], None) for i, n in enumerate(names)]


# -- MSVCRT: Keith Marshall's msvcrt-xref (msvcrt.def.in) evaluated for NT4 ------------------

_DIRECTIVE = re.compile(r"^#\s*(if|elif|else|endif|define|undef)\b(.*)$")


def _xref_condition(expr, version):
    """Evaluate an #if expression of msvcrt.def.in: comparisons of __MSVCRT_VERSION__ with
    integer constants, joined by && and ||, or __MSVCRT_VERSION__ alone."""
    expr = re.sub(r"/\*.*?\*/", " ", expr).strip()

    def term(t):
        t = t.strip()
        if t == "__MSVCRT_VERSION__":
            return version != 0
        m = re.match(r"^__MSVCRT_VERSION__\s*(==|!=|>=|<=|<|>)\s*(0x[0-9A-Fa-f]+|[0-9]+)UL$", t)
        if not m:
            raise ValueError("msvcrt.def.in: cannot evaluate %r" % t)
        v = int(m.group(2), 0)
        return {"==": version == v, "!=": version != v, ">=": version >= v,
                "<=": version <= v, "<": version < v, ">": version > v}[m.group(1)]

    return any(all(term(a) for a in o.split("&&")) for o in expr.split("||"))


def xref_exports(text, version):
    """The (name, DATA?) lines msvcrt.def.in yields for __MSVCRT_VERSION__ = version, as
    `gcc -xc-header -E -P -D__DLLNAME__=msvcrt -D__MSVCRT_VERSION__=<version>UL` gives them."""
    # Block comments go (their newlines stay, so line structure is kept).
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    stack = []  # (this branch active, some branch of this #if already taken)
    out = []
    for raw in text.split("\n"):
        line = raw.strip()
        active = all(a for a, _ in stack)
        m = _DIRECTIVE.match(line)
        if m:
            kw, rest = m.group(1), m.group(2)
            if kw == "if":
                c = active and _xref_condition(rest, version)
                stack.append((c, c))
            elif kw == "elif":
                _, taken = stack.pop()
                outer = all(a for a, _ in stack)
                c = outer and not taken and _xref_condition(rest, version)
                stack.append((c, taken or c))
            elif kw == "else":
                _, taken = stack.pop()
                outer = all(a for a, _ in stack)
                stack.append((outer and not taken, True))
            elif kw == "endif":
                stack.pop()
            # define/undef only concern __MINGW_DLSYM and the no-version case (not used here)
            continue
        if not active or not line or line.startswith(";"):
            continue
        if line.startswith("LIBRARY") or line == "EXPORTS":
            continue
        line = re.sub(r"__MINGW_DLSYM\((\w+)\)", r"\1", line)
        words = line.split()
        if len(words) == 1:
            out.append((words[0], False))
        elif len(words) == 2 and words[1] == "DATA":
            out.append((words[0], True))
        else:
            raise ValueError("msvcrt.def.in: unexpected line %r" % raw)
    if stack:
        raise ValueError("msvcrt.def.in: unbalanced #if")
    return out


def build_msvcrt():
    with open(os.path.join(EXTRACT, XREF_EXTRACT), encoding="utf-8") as f:
        text = f.read()
    if len(text) != XREF_SIZE:
        raise SystemExit("%s: %d characters, expected %d" % (XREF_EXTRACT, len(text), XREF_SIZE))
    rows = xref_exports(text, XREF_NT4)
    entries = {}
    for name, data in rows:
        if name in entries:
            raise SystemExit("msvcrt.def.in: %s twice for NT4" % name)
        entries[name] = data and name not in XREF_NOT_DATA
    for n in XREF_NOT_DATA:
        if n not in entries:
            raise SystemExit("msvcrt.def.in: %s expected" % n)
    table = _derive(entries)
    ndata = sum(1 for e in table if e[2])
    header = [
        "# Source: Keith Marshall's cross-reference of the symbols exported by each version of",
        "#   MSVCRT.DLL (MinGW.org mingwrt, \"msvcrt-xref\"), as mirrored in",
        "#   %s" % XREF_REPO,
        "#   commit %s," % XREF_COMMIT,
        "#   %s (%d characters, transcribed verbatim as" % (XREF_PATH, XREF_SIZE),
        "#   tools/nt4-catalogue/extract/%s)." % XREF_EXTRACT,
        "#   Its column \"NT4\" (__MSVCRT_VERSION__ 0x0400) is, per the same project's",
        "#   msvcrt-xref.ms, the MSVCRT.DLL of \"Windows-NT4 SP-6a (4.0.1381)\": file version",
        "#   4.20.0.6201 of 1996-10-14; the symbols were listed by running pexports on original",
        "#   copies of the DLLs.",
        "# Method: the conditional lines of msvcrt.def.in evaluated for __MSVCRT_VERSION__ = 0x0400,",
        "#   as `gcc -xc-header -E -P -D__MSVCRT_VERSION__=0x0400UL` does (the script's evaluator",
        "#   gave gcc's output for all 14 versions the file knows when the extract was made).",
        "#   DATA = the file's DATA qualifier, except _onexit and atexit: the file says it marks",
        "#   them DATA only because MinGW's libmsvcrt.a needs it (\"pexports doesn't report it as",
        "#   such\"); they are functions.  $I10_OUTPUT is exported by every version, per the source.",
        "# NOT LISTED (uncertain): the C++ exports.  The source leaves out names with C++ mangling",
        "#   (operator new ??2@YAPAXI@Z, operator delete ??3@YAXPAX@Z, the exception, bad_cast,",
        "#   bad_typeid, __non_rtti_object and type_info members, _set_new_handler, ...).  MSVCRT",
        "#   4.20 exports such names, but no public list of which ones was found, so none is here.",
        "#   Data exports: %d." % ndata,
    ] + DERIVED_ORDINALS + [
        "#   In the real DLL the C++ names sort between $I10_OUTPUT and _CIacos ('?' is 0x3F), so",
        "#   every real ordinal after the first is higher than the one here by their number.",
        "#   Do not rely on these ordinals.",
    ]
    return table, header


# -- CRTDLL: strontic's dump of the frozen CRTDLL.DLL (real ordinals) -------------------------

def build_crtdll():
    rows = read_rows("crtdll.strontic.tsv")
    by_ord = {}
    for r in rows:
        name, ordinal = r[0], int(r[1])
        if ordinal in by_ord or name in by_ord.values():
            raise SystemExit("crtdll.strontic.tsv: %s/%d twice" % (name, ordinal))
        by_ord[ordinal] = name
    n = len(by_ord)
    if sorted(by_ord) != list(range(1, n + 1)):
        raise SystemExit("crtdll.strontic.tsv: ordinals are not 1-%d" % n)
    ranked = sorted(by_ord.values(), key=_strcmp_key)
    for o, name in by_ord.items():
        if ranked[o - 1] != name:
            raise SystemExit("crtdll.strontic.tsv: %s has ordinal %d, strcmp rank %d" % (name, o, ranked.index(name) + 1))
    wine = [r[0] for r in read_rows("crtdll.wine-1996.txt")]
    if wine != [by_ord[o] for o in range(1, n + 1)]:
        raise SystemExit("crtdll.strontic.tsv differs from crtdll.wine-1996.txt")
    data = {}
    for r in read_rows("crtdll.data.tsv"):
        if r[0] not in by_ord.values():
            raise SystemExit("crtdll.data.tsv: %s is not exported" % r[0])
        data[r[0]] = r[1]
    table = [(o, by_ord[o], by_ord[o] in data, None) for o in range(1, n + 1)]
    header = [
        "# Sources:",
        "#   names and ordinals: the export table of CRTDLL.DLL as published by strontic's",
        "#     xcyclopedia, %s" % STRONTIC_REPO,
        "#     commit %s," % STRONTIC_COMMIT,
        "#     %s:" % STRONTIC_CRTDLL,
        "#     the copy in a current Windows (SysWOW64), file version 4.00, product \"Microsoft",
        "#     Windows NT(TM) Operating System\", \"Copyright Microsoft Corp. 1981-1995\".",
        "#   cross-check: Wine's relay32/crtdll.spec of 1996 (%s" % WINE_REPO,
        "#     commit %s): the same %d names, entry for entry." % (WINE_1996_COMMIT, n),
        "#   DATA: MinGW's crtdll.def rev 1.5 (2000; mirror/cygwin commit",
        "#     5f786f4783590b903a78b2d6af85bd8271d387d5, winsup/mingw/crtdll.def) and Wine 8.0's",
        "#     dlls/crtdll/crtdll.spec `extern` entries; a name either marks is DATA (see",
        "#     tools/nt4-catalogue/extract/crtdll.data.tsv: _ctype and _mbctype only from Wine).",
        "# Why this is taken as NT 4.0's CRTDLL (an inference: no dump said to be of NT 4.0 SP6's",
        "#   own file was found): the dumped file is version 4.00 with a 1995 copyright, i.e. of",
        "#   the NT 4.0 line (CRTDLL was superseded by MSVCRT and kept only for compatibility),",
        "#   and an NT CRTDLL dumped by Wine's developers in 1996 has the identical table.",
        "#   Windows 95's CRTDLL differs (no _itow, _ltow, _ultow: MinGW's crtdll.def, made",
        "#   \"from Windows 95\").",
        "# Ordinals: REAL (from the source, base 1); they equal 1 + strcmp rank of the name.",
        "# No forwarders (every entry is an exported function or variable of CRTDLL itself).",
    ]
    return table, header


# -- USER32 and GDI32: names in both a 1996 NT 3.5x-era dump and a current dump ---------------

def build_continuity(dll):
    early = read_rows("%s.wine-1996.tsv" % dll)
    numbers = [int(r[0]) for r in early]
    names = [r[1] for r in early]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        raise SystemExit("%s.wine-1996.tsv: entries not numbered consecutively" % dll)
    if names != sorted(names, key=_strcmp_key) or len(set(names)) != len(names):
        raise SystemExit("%s.wine-1996.tsv: not a strictly strcmp-sorted export list" % dll)
    current = set(r[0] for r in read_rows("%s.mingw-w64.txt" % dll))
    keep = {n: False for n in names if n in current}
    dropped = [n for n in names if n not in current]
    table = _derive(keep)
    dllname = OTHER[dll][0]
    path = "relay32/%s.spec" % dll
    header = [
        "# Sources (no list of NT 4.0's own %s exports was found; see" % dllname,
        "#   tools/nt4-catalogue/README.md):",
        "#   1. Wine's %s at %s" % (path, WINE_REPO),
        "#      commit %s (1996):" % WINE_1996_COMMIT,
        "#      the %d entries before \"#late additions\"," % len(names),
        "#      numbered consecutively and in strict strcmp order, with NT-only internals -- the",
        "#      export table of an NT 3.5x-era %s (transcribed: extract/%s.wine-1996.tsv)." % (dllname, dll),
        "#   2. %s," % MINGW_W64,
        "#      mingw-w64-crt/lib32/%s.def: a gendef dump of a current (Windows 10 era)" % dll,
        "#      %s (names: extract/%s.mingw-w64.txt)." % (dllname, dll),
        "# Method: every name in both.  A name exported before NT 4.0 and still exported today is",
        "#   taken to be exported by NT 4.0 too.  This is a SUBSET of NT 4.0 SP6's exports: names",
        "#   first exported by NT 4.0 or its service packs are missing (list 1 predates them), and",
        "#   so are NT 3.5x names dropped after NT 4.0.  %d names of 1 are not in 2, left out:" % len(dropped),
    ]
    line = "#    "
    for n in dropped:
        if len(line) + len(n) + 1 > 92:
            header.append(line)
            line = "#    "
        line += " " + n
    header.append(line)
    header += DERIVED_ORDINALS + [
        "#   NT 4.0's %s has more names than this, so its real ordinals differ; do not rely" % dllname,
        "#   on these.  No data exports, no forwarders (none known for these names).",
    ]
    return table, header


# -- WSOCK32: the Winsock 1.1 ordinals, and an export dump for the private ones --------------

XBMC_REPO = "https://github.com/xbmc/xbmc"
XBMC_COMMIT = "4a71de9a9a27c032a2631c71f6e58a3327d51629"
XBMC_PATH = "XBMC/xbmc/cores/DllLoader/exports/exports_socket.cpp"
WINE_WSOCK32_COMMIT = "029a74e56e6d570e3a7e64b99bac886b41c51a09"

# Names of the dump left out of NT 4.0's catalogue, with the reason.
WSOCK32_LATER = {
    # Below 1000 but not a Winsock 1.1 ordinal, which the specification reserves for
    # itself: added after the 1.1-era DLL (it migrates Windows 9x Winsock settings during an
    # upgrade to Windows 2000); not in Wine's wsock32.spec either.
    "MigrateWinsockConfiguration",
}


def build_wsock32():
    spec = {int(r[0]): r[1] for r in read_rows("wsock32.winsock11.tsv")}
    dump = {}
    for r in read_rows("wsock32.dump.tsv"):
        ordinal, name = int(r[0]), r[1]
        if ordinal in dump or name in dump.values():
            raise SystemExit("wsock32.dump.tsv: %s/%d twice" % (name, ordinal))
        dump[ordinal] = name
    for ordinal, name in spec.items():
        if dump.get(ordinal) != name:
            raise SystemExit("wsock32.dump.tsv: %d is %r, Winsock 1.1 says %r" % (ordinal, dump.get(ordinal), name))
    wine = {int(r[0]): r[1] for r in read_rows("wsock32.wine.tsv")}
    for ordinal, name in dump.items():
        if name in WSOCK32_LATER:
            continue
        if wine.get(ordinal) != name:
            raise SystemExit("wsock32.dump.tsv: %d %s differs from Wine's %r" % (ordinal, name, wine.get(ordinal)))
    for name in WSOCK32_LATER:
        if name not in dump.values():
            raise SystemExit("wsock32: %s is not in the dump" % name)
    table = [(o, dump[o], False, None) for o in sorted(dump) if dump[o] not in WSOCK32_LATER]
    only_wine = sorted(n for o, n in wine.items() if o not in dump)
    header = [
        "# Sources:",
        "#   1. Windows Sockets 1.1 (20 January 1993), appendix B.7 \"DLL Ordinal Numbers\": the",
        "#      winsock.def every Windows Sockets DLL exports, ordinals 1-23, 51-57, 101-116, 151",
        "#      and 500; ordinals from 1000 are the implementor's private exports (as published",
        "#      in the MSDN Library of 1998; transcribed: extract/wsock32.winsock11.tsv).",
        "#   2. A dump of a WSOCK32.DLL export table (ordinal, hint, RVA, name) kept as a comment",
        "#      in %s" % XBMC_REPO,
        "#      commit %s," % XBMC_COMMIT,
        "#      %s: a Windows XP-era DLL whose" % XBMC_PATH,
        "#      exports mostly forward to WS2_32 and MSWSOCK (transcribed: extract/wsock32.dump.tsv).",
        "#   Cross-check: Wine's dlls/wsock32/wsock32.spec (wine-mirror/wine commit",
        "#     %s) has every name of 2 but" % WINE_WSOCK32_COMMIT,
        "#     %s at the same ordinal (extract/wsock32.wine.tsv);" % " ".join(sorted(WSOCK32_LATER)),
        "#     the script checks that, and that 1 is a part of 2.",
        "# Method: every export of 2 except %s, which is not a" % " ".join(sorted(WSOCK32_LATER)),
        "#   Winsock 1.1 name yet has an ordinal below 1000 (the specification reserves those), and",
        "#   which migrates Windows 9x settings on an upgrade to Windows 2000: a later addition.",
        "#   That NT 4.0's WSOCK32.DLL exports the private names (1000 and up: WSApSetPostRoutine,",
        "#   the BSD extras inet_network ... s_perror, the name-service calls GetAddressByName ...",
        "#   GetService, NPLoadNameSpaces, TransmitFile, AcceptEx, GetAcceptExSockaddrs, all NT 3.51",
        "#   or 4.0 era) is INFERRED: no dump of NT 4.0's own DLL was found.  Left out too: %s," % " ".join(only_wine),
        "#   which Wine has but the dump does not (a Windows 95 export).",
        "# Ordinals: REAL for 1-500 (fixed by the specification); from the dump for 1000 and up,",
        "#   where they agree with Wine's.  No data exports; forwarders are not marked (NT 4.0's",
        "#   own forwarding is not known).",
    ]
    return table, header


def build_other(dll):
    kind = OTHER[dll][2]
    if kind == "wsock32":
        return build_wsock32()
    if kind == "msvcrt":
        return build_msvcrt()
    if kind == "crtdll":
        return build_crtdll()
    return build_continuity(dll)


def render_other(dll, table, header):
    dllname = OTHER[dll][0]
    sp = "Service Pack 6a" if dll == "msvcrt" else "Service Pack 6"
    lines = ["# %s -- Windows NT 4.0 %s (build 1381), x86: exported names" % (dllname, sp), "#"]
    lines += header
    ndata = sum(1 for e in table if e[2])
    lines.append("# Count: %d names (%d data), ordinals 1-%d, no ordinal-only exports known." % (
        len(table), ndata, table[-1][0]))
    lines.append("# Regenerate: tools/nt4-catalogue/regenerate.sh   (offline, from the committed")
    lines.append("#   extract in tools/nt4-catalogue/extract/).")
    lines.append("#")
    for ordinal, name, data, fwd in table:
        s = "%d %s" % (ordinal, name)
        if data:
            s += " DATA"
        if fwd:
            s += " -> " + fwd
        lines.append(s)
    return "\n".join(lines) + "\n"


def check_xref_mirror(path):
    """Compare extract/'s msvcrt.def.in with the one in a checkout of mingw-org-wsl."""
    with open(os.path.join(path, XREF_PATH), encoding="utf-8") as f:
        theirs = f.read()
    with open(os.path.join(EXTRACT, XREF_EXTRACT), encoding="utf-8") as f:
        ours = f.read()
    if theirs == ours:
        print("%s: identical to the checkout" % XREF_EXTRACT)
        return 0
    print("%s: DIFFERS from %s in the checkout" % (XREF_EXTRACT, XREF_PATH))
    return 1


def check_mingw_w64(path):
    """Re-extract the lib32 .def names from a mingw-w64 source tree and compare."""
    bad = 0
    for dll in ("user32", "gdi32"):
        names = []
        with open(os.path.join(path, "mingw-w64-crt", "lib32", dll + ".def"), encoding="utf-8") as f:
            for line in f:
                line = line.split(";")[0].strip()
                if not line or line.startswith("LIBRARY") or line == "EXPORTS":
                    continue
                names.append(re.sub(r"@[0-9]+$", "", line.split()[0]))
        ours = [r[0] for r in read_rows("%s.mingw-w64.txt" % dll)]
        if names != ours:
            print("%s.mingw-w64.txt: DIFFERS from the tree" % dll)
            bad += 1
        else:
            print("%s.mingw-w64.txt: identical to the tree" % dll)
    return bad



def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirror", help="checkout of %s" % MIRROR_REPO)
    ap.add_argument("--check", action="store_true",
                    help="with --mirror: compare the parsed HTML with extract/ and fail on any difference")
    ap.add_argument("--update-extract", action="store_true",
                    help="with --mirror: rewrite extract/ from the HTML")
    ap.add_argument("--root", default=os.path.normpath(os.path.join(HERE, "..", "..")),
                    help="repository root to write into")
    ap.add_argument("--stdout", action="store_true", help="print instead of writing files")
    ap.add_argument("--j00ru-csv", metavar="NT_CSV",
                    help="x86/csv/nt.csv of github.com/j00ru/windows-syscalls: check that the "
                         "NTDLL Nt* exports are exactly the NT 4.0 SP6 system services (+NtCurrentTeb)")
    ap.add_argument("--mingw-org-wsl", metavar="PATH",
                    help="checkout of %s: check extract/%s against its %s" % (XREF_REPO, XREF_EXTRACT, XREF_PATH))
    ap.add_argument("--mingw-w64", metavar="PATH",
                    help="mingw-w64 v10.0.0 source tree: check extract/*.mingw-w64.txt against its lib32 .def files")
    ap.add_argument("dlls", nargs="*", default=sorted(CATALOGUES) + sorted(OTHER))
    args = ap.parse_args()

    bad = 0
    if args.mirror and (args.check or args.update_extract):
        for dll in [d for d in args.dlls if d in CATALOGUES]:
            pages = [(t, p) for t, p, _, _ in CATALOGUES[dll][2]] + \
                    [(t, p) for t, p, _, _ in CROSSCHECK.get(dll, [])]
            for tag, path in pages:
                html_rows = parse_page(os.path.join(args.mirror, path))
                if args.update_extract:
                    write_extract(dll, tag, html_rows)
                    continue
                ext_rows = read_extract(dll, tag)
                if html_rows != ext_rows:
                    bad += 1
                    h, e = dict(html_rows), dict(ext_rows)
                    for n in sorted(set(h) | set(e)):
                        if h.get(n) != e.get(n):
                            print("DIFF %s %s %s: html=%r extract=%r" % (dll, tag, n, h.get(n), e.get(n)))
    for dll in args.dlls:
        if dll in OTHER:
            dllname, outpath, _ = OTHER[dll]
            table, header = build_other(dll)
            text = render_other(dll, table, header)
        elif dll in CATALOGUES:
            dllname, outpath, loaded, table = build(dll, args.mirror)
            text = render(dll, dllname, loaded, table, bool(args.mirror))
        else:
            raise SystemExit("unknown DLL key %r (known: %s)" % (dll, " ".join(sorted(CATALOGUES) + sorted(OTHER))))
        if args.stdout:
            sys.stdout.write(text)
        else:
            full = os.path.join(args.root, outpath)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            print("%s: %d exports -> %s" % (dllname, len(table), outpath))
    if args.j00ru_csv:
        bad += check_syscalls(args.j00ru_csv, args.mirror)
    if args.mingw_org_wsl:
        bad += check_xref_mirror(args.mingw_org_wsl)
    if args.mingw_w64:
        bad += check_mingw_w64(args.mingw_w64)
    if bad:
        print("extract/ differs from its source in %d place(s)" % bad)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
