#!/bin/sh
# Regenerates crates/cpu-x86/tests/data/x86-vectors.bin (integer) and x87-vectors.txt (x87)
# from the host CPU.
# Needs gcc able to compile -m32 (no 32-bit libc needed: the generator is freestanding)
# and a Linux x86-64 kernel with IA-32 emulation, which runs the 32-bit generator natively.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../tests/data/x86-vectors.bin"
out87="$here/../tests/data/x87-vectors.txt"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -m32 -static -nostdlib -fno-pic -no-pie -O1 -fno-stack-protector -ffreestanding -Wall \
    "$here/gen-vectors.c" -o "$tmp/gen-vectors"
gcc -m32 -static -nostdlib -fno-pic -no-pie -O1 -fno-stack-protector -ffreestanding -Wall \
    "$here/gen-x87.c" -o "$tmp/gen-x87"
model=$(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //')
fms=$(awk -F': ' '/^cpu family/{f=$2} /^model\t/{m=$2} /^stepping/{s=$2} /^microcode/{u=$2} END{printf "family %s model %s stepping %s microcode %s", f, m, s, u}' /proc/cpuinfo)
{
    echo "# cpu-x86 golden vectors v1"
    echo "# oracle: host CPU executing each form natively in 32-bit compatibility mode: $model ($fms), Linux $(uname -r)"
    echo "# regenerate: crates/cpu-x86/tools/gen-vectors.sh (builds and runs crates/cpu-x86/tools/gen-vectors.c with $(gcc --version | head -1))"
    echo "# record layout: see the comment at the top of gen-vectors.c"
    "$tmp/gen-vectors"
} > "$out"
{
    echo "# cpu-x86 x87 golden vectors v1"
    echo "# oracle: host CPU executing each form natively in 32-bit compatibility mode: $model ($fms), Linux $(uname -r)"
    echo "# regenerate: crates/cpu-x86/tools/gen-vectors.sh (builds and runs crates/cpu-x86/tools/gen-x87.c with $(gcc --version | head -1))"
    echo "# line layout: see the comment at the top of gen-x87.c; control words use precision control = double (NT's default)"
    "$tmp/gen-x87"
} > "$out87"
echo "wrote $out ($(wc -c < "$out") bytes) and $out87 ($(wc -c < "$out87") bytes)"
