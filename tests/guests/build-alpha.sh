#!/usr/bin/env bash
# Rebuilds the Alpha guest programs in tests/guests/alpha/ from tests/guests/src/alpha/*.s:
# GNU as for Alpha (../shared/tools/install-cross-tools.sh installs alpha-linux-gnu-as)
# assembles each source, and the project's own image builder (tools/alpha-pe) wraps the
# object into an NT-for-Alpha PE image. Deterministic: no timestamps.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
as=alpha-linux-gnu-as
command -v "$as" >/dev/null || { echo "build-alpha.sh: $as is not installed (run ../shared/tools/install-cross-tools.sh)" >&2; exit 1; }
tools_target="${CARGO_TARGET_DIR:-$root/target}/tools"
cargo build -q --release --manifest-path "$root/tools/alpha-pe/Cargo.toml" --target-dir "$tools_target"
builder="$tools_target/release/alpha-pe"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for src in "$here"/src/alpha/*.s; do
    case "$src" in *.inc) continue;; esac
    name="$(basename "$src" .s)"
    "$as" -I "$here/src/alpha" -o "$tmp/$name.o" "$src"
    out="$here/alpha/$name.exe"
    # The mixed-architecture test's Alpha child lives beside its x86 parent.
    [ "$name" = alphachild ] && out="$here/mixed/$name.exe"
    "$builder" "$tmp/$name.o" "$out"
    echo "built ${out#$here/}"
done
# Alpha DLLs (tests/guests/src/alphadll/): DllMain is the entry point, globals are exported,
# base relocations are included. All prefer 0x10000000, so a process that loads two of them
# relocates the second.
for src in "$here"/src/alphadll/*.s; do
    name="$(basename "$src" .s)"
    "$as" -I "$here/src/alpha" -o "$tmp/$name-dll.o" "$src"
    "$builder" --dll 10000000 "$tmp/$name-dll.o" "$here/alpha/$name.dll"
    echo "built alpha/$name.dll"
done
# The same compute work as a static Alpha Linux ELF, for the qemu-alpha comparison in
# benches/cpu_alpha.rs (needs alpha-linux-gnu-ld).
"$as" -I "$here/src/alpha" --defsym LINUX=1 -o "$tmp/compute-linux.o" "$here/src/alpha/compute.s"
alpha-linux-gnu-ld -static -e _start -o "$here/alpha/compute-linux.elf" "$tmp/compute-linux.o"
echo "built alpha/compute-linux.elf"
