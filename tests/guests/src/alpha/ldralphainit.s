# ldralphainit.exe for NT on Alpha: a DLL whose DllMain fails (ldrafail.dll, from
# tests/guests/src/alphadll/ldrafail.s) loaded 1,000 times with LoadLibraryA: each load
# gives NULL with ERROR_DLL_INIT_FAILED (1114) after DllMain's PROCESS_ATTACH and its
# PROCESS_DETACH, and the handle count, the committed memory (a VirtualQuery walk, as
# ldralphafault.s measures it) and the module list are as they were. Prints handle_delta,
# commit_delta, modules, failures and the last error, a line each.
        .include "common.inc"

        .include "loadloop.inc"

        .data
s_dll:          .asciz "ldrafail"
