#!/bin/sh
# Regenerates crates/cpu-alpha/tests/data/alpha-vectors.bin from the oracle, qemu-alpha
# (user mode); an optional argument names another output file. The output is deterministic
# (fixed seed). Needs alpha-linux-gnu-gcc (Debian: gcc-alpha-linux-gnu) and qemu-alpha
# (Debian: qemu-user) with the Alpha libc at /usr/alpha-linux-gnu (libc6-alpha-cross).
# The generator is linked dynamically: qemu-alpha 7.2 crashes on static Alpha glibc binaries.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="${1:-$here/../tests/data/alpha-vectors.bin}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
alpha-linux-gnu-gcc -O1 -Wall -Wl,-z,noexecstack -o "$tmp/gen-vectors" \
    "$here/gen-vectors.c" "$here/tramp.S"
{
    echo "# cpu-alpha golden vectors v1"
    echo "# oracle: $(qemu-alpha --version | head -1) (user mode), running an Alpha Linux ELF"
    echo "# regenerate: crates/cpu-alpha/tools/gen-vectors.sh (builds crates/cpu-alpha/tools/gen-vectors.c + tramp.S with $(alpha-linux-gnu-gcc --version | head -1))"
    echo "# record layout: see the comment at the top of gen-vectors.c"
    qemu-alpha -L /usr/alpha-linux-gnu "$tmp/gen-vectors"
} > "$out"
echo "wrote $out ($(wc -c < "$out") bytes)"
