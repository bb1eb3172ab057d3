# ldralphafault.exe for NT on Alpha: the loader's transaction on Alpha, as ldrfault.c proves
# it on x86: 1,000 LoadLibraryA + FreeLibrary of ldralpha.dll while the emulator has a fault
# armed at one loader step; the handle count, the committed memory (a VirtualQuery walk of
# the user address space, as ldrfault.c measures it) and the module list must not change.
# Prints handle_delta, commit_delta, modules, failures and the last error, a line each.
        .include "common.inc"

        .include "loadloop.inc"

        .data
s_dll:          .asciz "ldralpha"
