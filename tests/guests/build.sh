#!/usr/bin/env bash
# Rebuilds the x86 guest programs in tests/guests/x86/ from tests/guests/src/ with mingw-w64
# (../shared/tools/install-cross-tools.sh installs it). The flags make the output
# deterministic: no timestamp, no unwind tables, stripped. Run from anywhere.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cc=i686-w64-mingw32-gcc
command -v "$cc" >/dev/null || { echo "build.sh: $cc is not installed (run ../shared/tools/install-cross-tools.sh)" >&2; exit 1; }
flags=(-O1 -s -nostdlib -nostartfiles -e _start@0 -fno-asynchronous-unwind-tables
       -fno-ident -Wl,--no-insert-timestamp -Wl,--subsystem,console:4.0 -Wl,--build-id=none)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
i686-w64-mingw32-dlltool -k -d "$here/src/missing.def" -l "$tmp/libmissing.a"
i686-w64-mingw32-dlltool -k -d "$here/src/regwait.def" -l "$tmp/libregwait.a"
for src in hello handles threads kb246691 compute calls missing av divzero leak handlebench threadbench files console seh runtime readline cwd ctrl procaddr doc race fsprobe bomb openbench heapbench heapapi procstart keys k32more startup ctrlc pipes sock toolhelp apcs npipes pipebench alerts conapi pipeaccess actctx mapping mailslot debugapi regwait thrstart detached lazyinit redirect k32misc dirwatch codepages sysprocs fsctl pipeexit rdchanges bursts msgbench textbench; do
    extra=()
    [ "$src" = missing ] && extra=("$tmp/libmissing.a")
    [ "$src" = sock ] && extra=(-lwsock32)
    [ "$src" = npipes ] && extra=(-lntdll)
    [ "$src" = alerts ] && extra=(-lntdll)
    [ "$src" = mapping ] && extra=(-lntdll)
    [ "$src" = k32misc ] && extra=(-lntdll -ladvapi32)
    [ "$src" = regwait ] && extra=("$tmp/libregwait.a" -lntdll)
    [ "$src" = pipeexit ] && extra=(-luser32)
    [ "$src" = msgbench ] && extra=(-luser32)
    [ "$src" = textbench ] && extra=(-lgdi32 -luser32)
    "$cc" "${flags[@]}" -o "$here/x86/$src.exe" "$here/src/$src.c" "${extra[@]}" -lkernel32
    echo "built x86/$src.exe"
done
# The mixed-architecture test's x86 parent lives beside its Alpha child (build-alpha.sh).
"$cc" "${flags[@]}" -o "$here/mixed/cross.exe" "$here/src/cross.c" -lkernel32
echo "built mixed/cross.exe"
# The x86 debugger of an Alpha program (alpha/seh.exe, copied beside it by tests/debugapi.rs).
"$cc" "${flags[@]}" -o "$here/mixed/dbgalpha.exe" "$here/src/dbgalpha.c" -lkernel32
echo "built mixed/dbgalpha.exe"
# The C runtime test links mingw-w64's normal start-up and msvcrt.dll; printf is msvcrt's
# own (not mingw's replacement).
for src in printf crtfile crtlib crtinput conio args crtfs crtchild crtspawn crtwide crtseh crtpipe crtinherit; do
    extra=()
    # crtlib calls string.h and friends for real: nothing inlined.
    [ "$src" = crtlib ] && extra=(-fno-builtin)
    "$cc" -D__USE_MINGW_ANSI_STDIO=0 "${extra[@]}" -O1 -s -fno-asynchronous-unwind-tables -fno-ident \
        -Wl,--no-insert-timestamp -Wl,--subsystem,console:4.0 -Wl,--build-id=none \
        -o "$here/x86/$src.exe" "$here/src/$src.c"
    echo "built x86/$src.exe"
done
# Programs of ADVAPI32 and NTDLL (and KERNEL32).
for src in reg regwrite regbench fileapi sysroot; do
    "$cc" "${flags[@]}" -o "$here/x86/$src.exe" "$here/src/$src.c" -ladvapi32 -lntdll -lkernel32
    echo "built x86/$src.exe"
done
# Programs of USER32 (and KERNEL32).
for src in clip msgbox resfile wndmsg wsprintf; do
    "$cc" "${flags[@]}" -o "$here/x86/$src.exe" "$here/src/$src.c" -luser32 -lkernel32
    echo "built x86/$src.exe"
done
# A GUI program (subsystem windows) with one window: screenshots and scripted input.
"$cc" "${flags[@]/console:4.0/windows:4.0}" -o "$here/x86/ntwin.exe" "$here/src/ntwin.c" -luser32 -lkernel32
echo "built x86/ntwin.exe"
# The console's window and attachment (USER32, NTDLL and KERNEL32).
"$cc" "${flags[@]}" -o "$here/x86/conwin.exe" "$here/src/conwin.c" -luser32 -lntdll -lkernel32
echo "built x86/conwin.exe"
# Resources of its own image (res.rc compiled by windres; res.bmp is a 4x2 24-bit bitmap).
i686-w64-mingw32-windres -i "$here/src/res.rc" -o "$tmp/res.o"
"$cc" "${flags[@]}" -o "$here/x86/res.exe" "$here/src/res.c" "$tmp/res.o" -luser32 -lkernel32
echo "built x86/res.exe"
# The dialog manager and its controls (dialogs.rc: DIALOG and DIALOGEX templates).
i686-w64-mingw32-windres -i "$here/src/dialogs.rc" -o "$tmp/dialogs.o"
"$cc" "${flags[@]}" -o "$here/x86/dialogs.exe" "$here/src/dialogs.c" "$tmp/dialogs.o" -luser32 -lgdi32 -lkernel32
"$cc" "${flags[@]/console:4.0/windows:4.0}" -o "$here/x86/dlgshot.exe" "$here/src/dlgshot.c" "$tmp/dialogs.o" -luser32 -lkernel32
echo "built x86/dialogs.exe x86/dlgshot.exe"
# USER32's standard controls (Edit, ListBox, ComboBox, ScrollBar) and scroll bars.
"$cc" "${flags[@]}" -o "$here/x86/controls.exe" "$here/src/controls.c" -luser32 -lgdi32 -lkernel32
echo "built x86/controls.exe"
"$cc" "${flags[@]/console:4.0/windows:4.0}" -o "$here/x86/ctlwin.exe" "$here/src/ctlwin.c" -luser32 -lgdi32 -lkernel32
echo "built x86/ctlwin.exe"
# GDI32 and USER32's painting path (with res.rc's bitmap for LoadBitmap).
"$cc" "${flags[@]}" -o "$here/x86/gdidraw.exe" "$here/src/gdidraw.c" "$tmp/res.o" -luser32 -lgdi32 -lkernel32
echo "built x86/gdidraw.exe"
# GDI32's MaskBlt.
"$cc" "${flags[@]}" -o "$here/x86/maskblt.exe" "$here/src/maskblt.c" -lgdi32 -luser32 -lkernel32
echo "built x86/maskblt.exe"
# USER32's menus and accelerators (menus.rc): queried (console), and tracked in a window.
i686-w64-mingw32-windres -i "$here/src/menus.rc" -o "$tmp/menus.o"
"$cc" "${flags[@]}" -o "$here/x86/menus.exe" "$here/src/menus.c" "$tmp/menus.o" -luser32 -lkernel32
"$cc" "${flags[@]/console:4.0/windows:4.0}" -o "$here/x86/menuwin.exe" "$here/src/menuwin.c" "$tmp/menus.o" -luser32 -lkernel32
echo "built x86/menus.exe x86/menuwin.exe"
# USER32's system colours and their brushes (GDI32's GetObject).
"$cc" "${flags[@]}" -o "$here/x86/syscolor.exe" "$here/src/syscolor.c" -luser32 -lgdi32 -lkernel32
echo "built x86/syscolor.exe"
# USER32's character functions (CharUpper/Lower, CharNext/Prev, IsChar*).
"$cc" "${flags[@]}" -o "$here/x86/chars.exe" "$here/src/chars.c" -luser32 -lkernel32
echo "built x86/chars.exe"
# Messages between two processes (xprocmsg.exe starts itself).
"$cc" "${flags[@]}" -o "$here/x86/xprocmsg.exe" "$here/src/xprocmsg.c" -luser32 -lkernel32
echo "built x86/xprocmsg.exe"
# VERSION.dll: version information of the program itself (vers.rc) and of versdll.dll
# (versdll.rc), read as data.
i686-w64-mingw32-windres -i "$here/src/vers.rc" -o "$tmp/vers.o"
i686-w64-mingw32-windres -i "$here/src/versdll.rc" -o "$tmp/versdll.o"
"$cc" -O1 -s -nostdlib -shared -e _DllMain@12 -fno-asynchronous-unwind-tables -fno-ident \
    -Wl,--no-insert-timestamp -Wl,--build-id=none -Wl,--image-base,0x10A00000 \
    -o "$here/x86/versdll.dll" "$here/src/versdll.c" "$tmp/versdll.o" -lkernel32
"$cc" "${flags[@]}" -o "$here/x86/vers.exe" "$here/src/vers.c" "$tmp/vers.o" -lversion -lkernel32
echo "built x86/vers.exe x86/versdll.dll"
# WINMM.dll: the multimedia timer and a machine without sound devices.
"$cc" "${flags[@]}" -o "$here/x86/winmm.exe" "$here/src/winmm.c" -lwinmm -lkernel32
echo "built x86/winmm.exe"
# FormatMessage from its own message table (msgtab.mc compiled by windmc).
i686-w64-mingw32-windmc -r "$tmp" -h "$tmp" "$here/src/msgtab.mc"
(cd "$tmp" && i686-w64-mingw32-windres -i msgtab.rc -o msgtab.o)
"$cc" "${flags[@]}" -o "$here/x86/msgtab.exe" "$here/src/msgtab.c" "$tmp/msgtab.o" -lkernel32
echo "built x86/msgtab.exe"
# DLLs from disk and the programs that load them (ldr.c, ldrfault.c). ldrdll and ldrdll2
# share a base, as do ldrqa and ldrqb, so one of each pair is relocated.
dll=(-O1 -s -nostdlib -shared -e _DllMain@12 -fno-asynchronous-unwind-tables -fno-ident
     -Wl,--no-insert-timestamp -Wl,--build-id=none)
"$cc" "${dll[@]}" -Wl,--image-base,0x10000000 -o "$here/x86/ldrdll.dll" "$here/src/ldrdll.c" "$here/src/ldrdll.def" -lkernel32
"$cc" "${dll[@]}" -Wl,--image-base,0x10000000 -o "$here/x86/ldrdll2.dll" "$here/src/ldrdll2.c" -lkernel32
"$cc" "${dll[@]}" -Wl,--image-base,0x10400000 -o "$here/x86/ldrdep.dll" "$here/src/ldrdep.c" "$here/x86/ldrdll.dll" -lkernel32
"$cc" "${dll[@]}" -Wl,--image-base,0x10500000 -o "$here/x86/ldrfail.dll" "$here/src/ldrfail.c" -lkernel32
"$cc" "${dll[@]}" -Wl,--image-base,0x10600000 -o "$here/x86/ldrqb.dll" "$here/src/ldrqb.c" -lkernel32
"$cc" "${dll[@]}" -Wl,--image-base,0x10600000 -o "$here/x86/ldrqa.dll" "$here/src/ldrqa.c" "$here/x86/ldrqb.dll" -lkernel32
"$cc" "${dll[@]}" -Wl,--image-base,0x10700000 -o "$here/x86/ldrqfail.dll" "$here/src/ldrqfail.c" "$here/x86/ldrqb.dll" -lkernel32
for src in ldr ldrfault ldrbench ldrany; do
    "$cc" "${flags[@]}" -o "$here/x86/$src.exe" "$here/src/$src.c" -lkernel32
    echo "built x86/$src.exe"
done
# Static imports: of two DLLs from disk, of a DLL that is nowhere, of a function a DLL lacks.
"$cc" "${flags[@]}" -o "$here/x86/ldrstatic.exe" "$here/src/ldrstatic.c" "$here/x86/ldrdll.dll" "$here/x86/ldrdep.dll" -lkernel32
i686-w64-mingw32-dlltool -k -d "$here/src/ldrnone.def" -l "$tmp/libldrnone.a"
i686-w64-mingw32-dlltool -k -d "$here/src/ldrnoentry.def" -l "$tmp/libldrnoentry.a"
"$cc" "${flags[@]}" -o "$here/x86/ldrmissing.exe" "$here/src/ldrmissing.c" "$tmp/libldrnone.a" -lkernel32
"$cc" "${flags[@]}" -o "$here/x86/ldrnoentry.exe" "$here/src/ldrnoentry.c" "$tmp/libldrnoentry.a" -lkernel32
echo "built x86/ldrstatic.exe x86/ldrmissing.exe x86/ldrnoentry.exe"
# Forwarders: ldrfwd.dll forwards to KERNEL32 and to ldrdll.dll; ldrfwdmain.exe imports one.
"$cc" "${dll[@]}" -Wl,--image-base,0x10800000 -o "$here/x86/ldrfwd.dll" "$here/src/ldrfwd.c" "$here/src/ldrfwd.def" -lkernel32
i686-w64-mingw32-dlltool -k -d "$here/src/ldrfwdimp.def" -l "$tmp/libldrfwd.a"
"$cc" "${flags[@]}" -o "$here/x86/ldrfwdmain.exe" "$here/src/ldrfwdmain.c" "$tmp/libldrfwd.a" -lkernel32
# LoadLibrary of the other CPU's image (tests/loader.rs gives it an Alpha program).
"$cc" "${flags[@]}" -o "$here/x86/ldrcpu.exe" "$here/src/ldrcpu.c" -lkernel32
# DllMain with threads (ldrthr.dll, ldrthread.exe); a static import whose DllMain fails.
"$cc" "${dll[@]}" -Wl,--image-base,0x10900000 -o "$here/x86/ldrthr.dll" "$here/src/ldrthr.c" -lkernel32
"$cc" "${flags[@]}" -o "$here/x86/ldrthread.exe" "$here/src/ldrthread.c" -lkernel32
"$cc" "${flags[@]}" -o "$here/x86/ldrinitfail.exe" "$here/src/ldrinitfail.c" "$here/x86/ldrfail.dll" -lkernel32
# A static import of a builtin's name that tests/loader.rs serves from disk (--dll wsock32=n).
i686-w64-mingw32-dlltool -d "$here/src/ldrnative.def" -l "$tmp/libldrnative.a"
"$cc" "${flags[@]}" -o "$here/x86/ldrnative.exe" "$here/src/ldrnative.c" "$tmp/libldrnative.a" -lkernel32
# The loader lock: a thread a DllMain creates waits for the load to finish.
"$cc" "${dll[@]}" -Wl,--image-base,0x10a00000 -o "$here/x86/ldrlock.dll" "$here/src/ldrlock.c" -lkernel32
"$cc" "${flags[@]}" -o "$here/x86/ldrlockmain.exe" "$here/src/ldrlockmain.c" -lkernel32
echo "built x86/ldrfwdmain.exe x86/ldrcpu.exe x86/ldrthread.exe x86/ldrinitfail.exe x86/ldrnative.exe x86/ldrlock.dll x86/ldrlockmain.exe"
# Static TLS and a TLS callback in a DLL (tlsdll.c), imported by tlsmain.exe; the same DLL
# as tlsdyn.dll, which tlsmain.exe loads with LoadLibrary.
"$cc" "${dll[@]}" -Wl,--image-base,0x10B00000 -o "$here/x86/tlsdll.dll" "$here/src/tlsdll.c" -lkernel32
"$cc" "${dll[@]}" -DDYNAMIC -Wl,--image-base,0x10C00000 -o "$here/x86/tlsdyn.dll" "$here/src/tlsdll.c" -lkernel32
"$cc" "${flags[@]}" -o "$here/x86/tlsmain.exe" "$here/src/tlsmain.c" "$here/x86/tlsdll.dll" -lkernel32
echo "built x86/tlsdll.dll x86/tlsdyn.dll x86/tlsmain.exe"
# An old-style CRTDLL.dll program: its own entry point, CRTDLL's start-up and data exports.
"$cc" -O1 -s -nostdlib -nostartfiles -e _start -fno-builtin -fno-asynchronous-unwind-tables -fno-ident \
    -Wl,--no-insert-timestamp -Wl,--subsystem,console:4.0 -Wl,--build-id=none \
    -o "$here/x86/crtdll.exe" "$here/src/crtdll.c" -lcrtdll
echo "built x86/crtdll.exe"
# CRTDLL's data exports written before its first call.
"$cc" -O1 -s -nostdlib -nostartfiles -e _start -fno-builtin -fno-asynchronous-unwind-tables -fno-ident \
    -Wl,--no-insert-timestamp -Wl,--subsystem,console:4.0 -Wl,--build-id=none \
    -o "$here/x86/crtdata.exe" "$here/src/crtdata.c" -lcrtdll
echo "built x86/crtdata.exe"
