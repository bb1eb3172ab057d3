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
    ap.add_argument("dlls", nargs="*", default=sorted(CATALOGUES))
    args = ap.parse_args()

    bad = 0
    if args.mirror and (args.check or args.update_extract):
        for dll in args.dlls:
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
        dllname, outpath, loaded, table = build(dll, args.mirror)
        text = render(dll, dllname, loaded, table, bool(args.mirror))
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
    if bad:
        print("extract/ differs from the mirror's HTML in %d page(s)" % bad)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
