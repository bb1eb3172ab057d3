# ldrafwd.dll for NT on Alpha (tools/alpha-pe --dll 0x10000000): a DLL whose exports are
# forwarders (the .forward section below): af_tick to KERNEL32.GetTickCount and af_err to
# NTDLL.RtlNtStatusToDosError (builtins), af_add to ldrathr.lt_add (an Alpha DLL from disk,
# loaded when ldrafwd.dll is bound). af_own is its own code. Imported statically by
# tests/guests/src/alpha/ldralphafwd.s.
        .include "common.inc"

        .text
        .globl DllMain
        .ent DllMain
DllMain:
        lda     $0, 1($31)
        ret     $31, ($26)
        .end DllMain

        .globl af_own
        .ent af_own
af_own:
        lda     $0, 7($31)
        ret     $31, ($26)
        .end af_own

        .section .forward, ""
        .asciz  "af_tick=KERNEL32.GetTickCount"
        .asciz  "af_err=NTDLL.RtlNtStatusToDosError"
        .asciz  "af_add=ldrathr.lt_add"
