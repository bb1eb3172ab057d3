#!/usr/bin/env bash
# Rebuilds the system programs KERNEL32 serves from C:\WINNT\system32 (winver.exe, regedit.exe) from their
# sources beside this script with mingw-w64; the images are committed. Deterministic flags as
# tests/guests/build.sh uses.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cc=i686-w64-mingw32-gcc
# regedit.exe is a console program until ntemu draws windows (see regedit.c).
for src in winver regedit; do
    subsystem=windows
    [ "$src" = regedit ] && subsystem=console
    "$cc" -O1 -s -nostdlib -nostartfiles -e _start@0 -fno-asynchronous-unwind-tables -fno-ident \
        -Wl,--no-insert-timestamp -Wl,--subsystem,$subsystem:4.0 -Wl,--build-id=none \
        -o "$here/$src.exe" "$here/$src.c" -luser32 -ladvapi32 -lkernel32
    echo "built $src.exe"
done
