#!/usr/bin/env bash
# benches/compare.sh: ntemu beside the other ways of running the same work, as one table of
# ratios (BENCHMARKS.md holds the latest one).
#
#  1. Runs ntemu's criterion benches (handle_table, remote_thread, cpu_x86, cpu_alpha,
#     image_load) with short warm-up and measurement times; their log goes to
#     $CARGO_TARGET_DIR/compare-criterion.log. SKIP_CRITERION=1 skips this step.
#  2. Times whole program runs, process start included, the median of $RUNS runs each:
#     - x86 guest programs under `ntemu run` and, where installed, Wine: handle create/close
#       pairs (tests/guests/x86/handlebench.exe), thread create/exit/wait round trips
#       (threadbench.exe), the compute loop (compute.exe);
#     - the compute loop as a Linux ELF: i386 (benches/compute_linux.c, built here with
#       `gcc -m32` or i686-linux-gnu-gcc) under qemu-i386 and natively, Alpha
#       (tests/guests/alpha/compute-linux.elf) under qemu-alpha, against ntemu running the
#       x86 and Alpha compute.exe.
#  3. Prints the table: the ratio is ntemu's time divided by the other system's (above 1:
#     ntemu is slower).
#
# Usage: benches/compare.sh            (RUNS=15 WARMUP=1 MEASURE=3 by default)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
runs="${RUNS:-15}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
guests="$root/tests/guests"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [ -z "${SKIP_CRITERION:-}" ]; then
    echo "compare.sh: running criterion benches (log: $CARGO_TARGET_DIR/compare-criterion.log)" >&2
    mkdir -p "$CARGO_TARGET_DIR"
    cargo bench --bench handle_table --bench remote_thread --bench cpu_x86 --bench cpu_alpha \
        --bench image_load -- --warm-up-time "${WARMUP:-1}" --measurement-time "${MEASURE:-3}" \
        >"$CARGO_TARGET_DIR/compare-criterion.log" 2>&1
fi
cargo build --release -q -p ntemu-cli
ntemu="$CARGO_TARGET_DIR/release/ntemu"

# The i386 Linux ELF of the compute loop.
elf32=""
cflags=(-m32 -O1 -static -nostdlib -fno-pie -no-pie -ffreestanding -fno-stack-protector
        -fno-asynchronous-unwind-tables -o "$tmp/compute32" "$root/benches/compute_linux.c")
if gcc "${cflags[@]}" 2>/dev/null; then
    elf32="$tmp/compute32"
elif command -v i686-linux-gnu-gcc >/dev/null && i686-linux-gnu-gcc "${cflags[@]:1}" 2>/dev/null; then
    elf32="$tmp/compute32"
fi

# median_ms EXPECTED_STATUS CMD...: runs CMD $runs times (output discarded) and prints the
# median wall time in milliseconds; prints "failed" if any run's exit status differs.
median_ms() {
    local expect="$1"; shift
    local times=() i start end status
    for ((i = 0; i < runs; i++)); do
        start=$(date +%s%N)
        set +e
        "$@" >/dev/null 2>&1
        status=$?
        set -e
        end=$(date +%s%N)
        if [ "$status" != "$expect" ]; then echo failed; return; fi
        times+=($(( (end - start) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'
}

have() { command -v "$1" >/dev/null; }

rows=()
# row WORKLOAD NTEMU_MS OTHER_NAME OTHER_MS [UNITS PER RUN, UNIT NAME]
row() {
    local work="$1" ours="$2" other="$3" theirs="$4" ratio rate=""
    if [[ "$theirs" =~ ^[0-9.]+$ ]] && [[ "$ours" =~ ^[0-9.]+$ ]]; then
        ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN {printf "%.2fx", a / b}')
        theirs="$theirs ms"
    else
        ratio="-"
    fi
    if [ -n "${5:-}" ] && [[ "$ours" =~ ^[0-9.]+$ ]]; then
        rate=$(awk -v n="$5" -v ms="$ours" 'BEGIN {printf " (%.0f %s/s)", n / (ms / 1000), "'"$6"'"}')
    fi
    rows+=("| $work | $ours ms$rate | $other | $theirs | $ratio |")
}

echo "compare.sh: timing whole runs, median of $runs each" >&2
startup=$(median_ms 7 "$ntemu" run "$guests/x86/hello.exe")
handles=$(median_ms 0 "$ntemu" run "$guests/x86/handlebench.exe")
threads=$(median_ms 0 "$ntemu" run "$guests/x86/threadbench.exe")
compute_x86=$(median_ms 0 "$ntemu" run "$guests/x86/compute.exe")
compute_alpha=$(median_ms 0 "$ntemu" run "$guests/alpha/compute.exe")

if have wine; then
    w_handles=$(median_ms 0 wine "$guests/x86/handlebench.exe")
    w_threads=$(median_ms 0 wine "$guests/x86/threadbench.exe")
    w_compute=$(median_ms 0 wine "$guests/x86/compute.exe")
else
    w_handles="not installed"; w_threads="not installed"; w_compute="not installed"
fi
if [ -n "$elf32" ] && have qemu-i386; then
    q_i386=$(median_ms 218 qemu-i386 "$elf32")
elif [ -n "$elf32" ]; then
    q_i386="not installed"
else
    q_i386="not available (no i386 compiler)"
fi
if have qemu-alpha; then
    q_alpha=$(median_ms 218 qemu-alpha "$guests/alpha/compute-linux.elf")
else
    q_alpha="not installed"
fi
if [ -n "$elf32" ]; then
    native=$(median_ms 218 "$elf32")
else
    native="not available (no i386 compiler)"
fi

row "handle create/close, 100,000 pairs (x86 handlebench.exe)" "$handles" "Wine" "$w_handles" 100000 pairs
row "thread create/exit/wait, 2,000 round trips (x86 threadbench.exe)" "$threads" "Wine" "$w_threads" 2000 "round trips"
row "compute loop (x86 compute.exe)" "$compute_x86" "Wine" "$w_compute"
row "compute loop (x86 compute.exe / i386 ELF)" "$compute_x86" "qemu-i386" "$q_i386"
row "compute loop (Alpha compute.exe / Alpha ELF)" "$compute_alpha" "qemu-alpha" "$q_alpha"
row "compute loop (x86 compute.exe / i386 ELF)" "$compute_x86" "native (i386 ELF on the host)" "$native"
row "compute loop (Alpha compute.exe / i386 ELF)" "$compute_alpha" "native (i386 ELF on the host)" "$native"

echo
echo "Whole runs, process start included; median of $runs runs. ntemu start-up and exit"
echo "(x86 hello.exe): $startup ms. Ratio = ntemu's time / the other's (above 1: ntemu slower)."
echo
echo "| workload | ntemu | other | other's time | ratio |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
if [ -z "${SKIP_CRITERION:-}" ]; then
    echo
    echo "Criterion medians (the middle of each [low median high] interval):"
    echo
    echo "| bench | median |"
    echo "|---|---|"
    awk '/^[a-zA-Z_0-9]+\/[^ ]+/ {name=$1} /time: +\[/ {
            gsub(/\[|\]/, ""); for (i = 1; i <= NF; i++) if ($i == "time:") break
            if (name != "") printf "| %s | %s %s |\n", name, $(i + 3), $(i + 4); name="" }' \
        "$CARGO_TARGET_DIR/compare-criterion.log"
fi
