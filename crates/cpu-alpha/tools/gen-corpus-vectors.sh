#!/bin/sh
# Regenerates crates/cpu-alpha/tests/data/alpha-corpus-vectors.bin: instruction sequences
# taken from the code sections of the real Alpha programs in ../shared/corpus
# (corpus-sequences.py picks them), each run under the oracle, qemu-alpha (user mode), from
# many initial states (gen-corpus-vectors.c). Deterministic: fixed seeds, images in sorted
# order. Arguments: the corpus folder (default: ../shared/corpus beside the repository)
# and the output file.
# Needs python3, alpha-linux-gnu-gcc (Debian: gcc-alpha-linux-gnu) and qemu-alpha (Debian:
# qemu-user) with the Alpha libc at /usr/alpha-linux-gnu (libc6-alpha-cross); see
# ../shared/tools/install-cross-tools.sh. The generator is linked dynamically: qemu-alpha 7.2
# crashes on static Alpha glibc binaries.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
corpus="${1:-$here/../../../../shared/corpus}"
out="${2:-$here/../tests/data/alpha-corpus-vectors.bin}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$here/corpus-sequences.py" "$corpus" > "$tmp/sequences.txt" 2> "$tmp/summary.txt"
alpha-linux-gnu-gcc -O1 -Wall -Wl,-z,noexecstack -o "$tmp/gen" "$here/gen-corpus-vectors.c"
{
    echo "# cpu-alpha corpus vectors v1"
    echo "# oracle: $(qemu-alpha --version | head -1) (user mode), running an Alpha Linux ELF"
    echo "# regenerate: crates/cpu-alpha/tools/gen-corpus-vectors.sh (corpus-sequences.py picks the sequences; gen-corpus-vectors.c, built with $(alpha-linux-gnu-gcc --version | head -1), runs them)"
    echo "# sequences $(sed 's/^# //' "$tmp/summary.txt")"
    echo "# record layout: see the comment at the top of gen-corpus-vectors.c"
    qemu-alpha -L /usr/alpha-linux-gnu "$tmp/gen" < "$tmp/sequences.txt"
} > "$out"
echo "wrote $out ($(wc -c < "$out") bytes)"
