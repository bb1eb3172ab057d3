/* DLLs from disk: LoadLibrary in NT 4.0's search order (the program's folder first),
 * GetProcAddress by name and by ordinal, reference counts, FreeLibrary with DllMain's
 * PROCESS_DETACH, a DLL that imports another, relocation when two DLLs share a base, and a
 * DllMain that fails. Expected output: tests/guests/expected/ldr.expected. */
#include "guest.h"

typedef int (__stdcall *binary_fn)(int, int);
typedef int (__stdcall *unary_fn)(int);
typedef int (__stdcall *count_fn)(void);
typedef const char *(__stdcall *name_fn)(int);

static int ends_with(const char *s, const char *tail)
{
    int n = lstrlenA(s), m = lstrlenA(tail);
    return n >= m && lstrcmpiA(s + n - m, tail) == 0;
}

void __stdcall start(void)
{
    HMODULE h, again, h2, dep, fail;
    char path[MAX_PATH];

    h = LoadLibraryA("ldrdll");
    check_x("ldrdll_base", (ULONG_PTR)h);
    check_u("add", ((binary_fn)GetProcAddress(h, "ldr_add@8"))(2, 3));
    check_u("mul_by_ordinal", ((binary_fn)GetProcAddress(h, MAKEINTRESOURCEA(5)))(6, 7));
    check_u("add_by_ordinal", GetProcAddress(h, MAKEINTRESOURCEA(1)) == GetProcAddress(h, "ldr_add@8"));
    SetLastError(0);
    check_u("missing_name", GetProcAddress(h, "ldr_mul@8") != NULL);
    check_u("missing_name_error", GetLastError());
    SetLastError(0);
    check_u("missing_ordinal", GetProcAddress(h, MAKEINTRESOURCEA(9)) != NULL);
    check_u("missing_ordinal_error", GetLastError());
    put("name: "); put(((name_fn)GetProcAddress(h, "ldr_name@4"))(1)); put("\n");

    again = LoadLibraryA("LDRDLL.DLL");
    check_u("same_module", again == h);
    check_u("attaches", ((count_fn)GetProcAddress(h, "ldr_attaches@0"))());
    check_u("module_handle", GetModuleHandleA("ldrdll") == h);
    check_u("file_name_len", GetModuleFileNameA(h, path, sizeof path) > 10);
    check_u("file_name_tail", ends_with(path, "\\ldrdll.dll"));

    h2 = LoadLibraryA("ldrdll2.dll");
    check_u("shared_base_relocated", h2 != NULL && h2 != h);
    put("relocated name: "); put(((name_fn)GetProcAddress(h2, "ldr2_name@4"))(1)); put("\n");

    dep = LoadLibraryA("ldrdep");
    check_u("dep_loaded", dep != NULL);
    check_u("twice", ((unary_fn)GetProcAddress(dep, "ldrdep_twice@4"))(21));
    check_u("free_1", FreeLibrary(h));
    check_u("free_2", FreeLibrary(again));
    check_u("held_by_dep", GetModuleHandleA("ldrdll") == h);
    check_u("free_dep", FreeLibrary(dep));
    check_u("ldrdll_gone", GetModuleHandleA("ldrdll") != NULL);
    check_u("ldrdep_gone", GetModuleHandleA("ldrdep") != NULL);

    SetLastError(0);
    fail = LoadLibraryA("ldrfail");
    check_u("init_failed", fail != NULL);
    check_u("init_failed_error", GetLastError());
    check_u("ldrfail_gone", GetModuleHandleA("ldrfail") != NULL);

    SetLastError(0);
    check_u("not_found", LoadLibraryA("ldrnosuch") != NULL);
    check_u("not_found_error", GetLastError());

    /* Now ldrdll loads at its base again. */
    h = LoadLibraryA("ldrdll");
    check_u("reloaded_attaches", ((count_fn)GetProcAddress(h, "ldr_attaches@0"))());
    check_u("free_reloaded", FreeLibrary(h));
    check_u("free_ldrdll2", FreeLibrary(h2));
    SetLastError(0);
    check_u("free_again", FreeLibrary(h2));
    check_u("free_again_error", GetLastError());
    ExitProcess(0);
}
