#!/usr/bin/env bash
# Rebuilds the programs of `ntemu bench` (emulator/src/bench/) from benches/guests/src/:
#   x86/wbench.exe         the NT guest (mingw-w64, as tests/guests/build.sh builds guests)
#   linux/linux-i386.elf   the CPU-bound workloads as a static freestanding i386 Linux ELF
#                          (for qemu-i386; gcc -m32)
#   linux/linux-alpha.elf  the same for Alpha Linux (for qemu-alpha; alpha-linux-gnu-gcc)
#   linux/linux-x86_64.elf the same for the host (x86-64), run natively
# The built files are committed, so `ntemu bench` and `cargo test` need none of these
# compilers. The output is deterministic (no timestamps, no build ids).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cc=i686-w64-mingw32-gcc
command -v "$cc" >/dev/null || { echo "build.sh: $cc is not installed" >&2; exit 1; }
"$cc" -O1 -s -nostdlib -nostartfiles -e _start@0 -fno-asynchronous-unwind-tables -fno-ident \
    -Wl,--no-insert-timestamp -Wl,--subsystem,console:4.0 -Wl,--build-id=none \
    -o "$here/x86/wbench.exe" "$here/src/wbench.c" -lkernel32
echo "built x86/wbench.exe"
elf=(-O1 -static -nostdlib -fno-pie -no-pie -ffreestanding -fno-stack-protector
     -fno-asynchronous-unwind-tables -fno-ident -fno-builtin -s -Wl,--build-id=none)
gcc -m32 "${elf[@]}" -o "$here/linux/linux-i386.elf" "$here/src/linux.c"
echo "built linux/linux-i386.elf"
gcc "${elf[@]}" -o "$here/linux/linux-x86_64.elf" "$here/src/linux.c"
echo "built linux/linux-x86_64.elf"
if command -v alpha-linux-gnu-gcc >/dev/null; then
    alpha-linux-gnu-gcc "${elf[@]}" -o "$here/linux/linux-alpha.elf" "$here/src/linux.c" -lgcc -lc -lgcc
    echo "built linux/linux-alpha.elf"
else
    echo "build.sh: alpha-linux-gnu-gcc is not installed: linux/linux-alpha.elf not rebuilt" >&2
fi
# tests/guests' compute.exe work (benches/compute_linux.c) as an i386 ELF: the qemu-i386 and
# native cells of the whole-run compute-exe row (its Alpha twin is tests/guests/alpha/
# compute-linux.elf, built by tests/guests/build-alpha.sh).
gcc -m32 "${elf[@]}" -o "$here/linux/compute-i386.elf" "$here/../compute_linux.c"
echo "built linux/compute-i386.elf"
# The NT for Alpha build of the CPU-bound workloads (alpha/wbench.exe: compute, copy, fib):
# wbench_alpha.c compiled to assembly by alpha-linux-gnu-gcc, rewritten for NT by
# src/nt-alpha.sed, with src/divlu.s (the division routine gcc calls) appended, assembled by
# GNU as and made an image by tools/alpha-pe, as tests/guests/build-alpha.sh does.
if command -v alpha-linux-gnu-gcc >/dev/null; then
    root="$(cd "$here/../.." && pwd)"
    tools_target="${CARGO_TARGET_DIR:-$root/target}/tools"
    cargo build -q --release --manifest-path "$root/tools/alpha-pe/Cargo.toml" --target-dir "$tools_target"
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    alpha-linux-gnu-gcc -O1 -S -ffreestanding -fno-builtin -fno-pic -fno-common \
        -fno-asynchronous-unwind-tables -fno-ident -mexplicit-relocs -mlarge-data \
        -o "$tmp/wbench.s" "$here/src/wbench_alpha.c"
    sed -E -f "$here/src/nt-alpha.sed" "$tmp/wbench.s" > "$tmp/wbench-nt.s"
    cat "$here/src/divlu.s" >> "$tmp/wbench-nt.s"
    alpha-linux-gnu-as -o "$tmp/wbench.o" "$tmp/wbench-nt.s"
    "$tools_target/release/alpha-pe" "$tmp/wbench.o" "$here/alpha/wbench.exe"
    echo "built alpha/wbench.exe"
fi
