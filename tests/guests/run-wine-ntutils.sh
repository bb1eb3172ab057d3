#!/usr/bin/env bash
# Runs the x86 programs of ../shared/corpus/ntutils under Wine (the oracle) on the inputs in
# tests/guests/ntutils/ and writes what they produced, byte for byte, to
# tests/guests/expected/ntutils/: NAME.out for each run below, and made-by.txt naming Wine's
# version. tests/ntutils.rs (in emulator/tests) runs the same commands under ntemu and
# compares. Wine: ../shared/tools/install-cross-tools.sh --wine.
# Usage: tests/guests/run-wine-ntutils.sh [CORPUS]   (CORPUS defaults to ../shared/corpus)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
corpus="$(cd "${1:-$here/../../../shared/corpus}" && pwd)"
command -v wine >/dev/null || { echo "run-wine-ntutils.sh: wine is not installed" >&2; exit 1; }
export WINEPREFIX="${WINEPREFIX:-${TMPDIR:-/tmp}/ntemu-wineprefix}" WINEDEBUG=-all
out="$here/expected/ntutils"
mkdir -p "$out"
elvis="$corpus/ntutils/elvis"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The folder every run works in: the inputs and an empty sub-folder.
cp "$here/ntutils/para.txt" "$here/ntutils/sample.c" "$work/"
mkdir "$work/sub"
cd "$work"
wine "$elvis/ls.exe" > "$out/ls.out"
wine "$elvis/ls.exe" '*.c' sub > "$out/ls-args.out"
wine "$elvis/fmt.exe" para.txt > "$out/fmt-file.out"
wine "$elvis/fmt.exe" < para.txt > "$out/fmt-stdin.out"
wine "$elvis/ctags.exe" sample.c
cp tags "$out/ctags-tags.out"
wine "$elvis/ref.exe" scale > "$out/ref.out"
# figlet finds its fonts folder beside itself.
(cd "$corpus/ntutils/figlet" && wine ./figlet-x86.exe -d fonts ntemu) > "$out/figlet.out"
{
    echo "Made by tests/guests/run-wine-ntutils.sh under $(wine --version) (32-bit prefix),"
    echo "from the programs in ../shared/corpus/ntutils and the inputs in tests/guests/ntutils/."
} > "$out/made-by.txt"
echo "wrote ${out#$here/}"
