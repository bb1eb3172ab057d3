#!/usr/bin/env bash
# Runs x86 guest programs under Wine (the oracle for observable Win32 behaviour) and writes
# what each printed to its stdout as tests/guests/expected/NAME.wine, the first line a header
# naming Wine's version and the command. Wine: ../shared/tools/install-cross-tools.sh --wine.
# Usage: tests/guests/run-wine.sh NAME [NAME...]   (NAME: a program in tests/guests/x86/)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command -v wine >/dev/null || { echo "run-wine.sh: wine is not installed" >&2; exit 1; }
# Guests call SetSystemTime, which Wine passes to settimeofday(2): never let Wine hold
# CAP_SYS_TIME (root has it), so those calls fail with ERROR_PRIVILEGE_NOT_HELD as an
# ordinary NT user's do and the host's clock is left alone.
if [ "$(id -u)" = 0 ] && [ -z "${RUN_WINE_NO_SYS_TIME:-}" ]; then
    command -v capsh >/dev/null || { echo "run-wine.sh: as root, capsh is needed to drop CAP_SYS_TIME" >&2; exit 1; }
    exec env RUN_WINE_NO_SYS_TIME=1 capsh --drop=cap_sys_time -- "$0" "$@"
fi
export WINEPREFIX="${WINEPREFIX:-${TMPDIR:-/tmp}/ntemu-wineprefix}" WINEDEBUG=-all
for name in "$@"; do
    out="$here/expected/$name.wine"
    {
        echo "# stdout of \`wine tests/guests/x86/$name.exe\` under $(wine --version), written by tests/guests/run-wine.sh"
        (cd "$here/x86" && wine "./$name.exe" 2>/dev/null) || true
    } > "$out"
    echo "wrote ${out#$here/}"
done
