/* procaddr.exe: module handles and GetProcAddress against NT 4.0's export catalogues.
 * Builtin DLLs are found by name with or without ".dll", in any case, or by a path ending
 * in one; GetProcAddress finds what NT 4.0's DLL exports (a function ntemu lacks gets a
 * thunk that stops the process naming it when called) and nothing else. The last call is
 * such a catalogued, unimplemented function: the process ends there with
 * STATUS_ENTRYPOINT_NOT_FOUND. */
#include "guest.h"

typedef BOOL (WINAPI *close_handle_fn)(HANDLE);
typedef void (WINAPI *notification_fn)(BOOL);

void __stdcall start(void)
{
    HMODULE k32 = GetModuleHandleA("kernel32");
    HMODULE adv = LoadLibraryA("advapi32.dll");
    HMODULE adv2 = LoadLibraryA("ADVAPI32");
    HMODULE user_before, user;
    HMODULE by_path = GetModuleHandleA("C:\\WINNT\\system32\\KERNEL32.DLL");
    FARPROC f;
    HANDLE event;

    check_u("kernel32_found", k32 != 0);
    check_u("advapi32_loaded", adv != 0);
    check_u("advapi32_without_.dll_is_the_same_module", adv == adv2);
    check_u("FreeLibrary(advapi32)", FreeLibrary(adv));
    check_u("advapi32_still_loaded_once_more", GetModuleHandleA("advapi32") == adv);
    check_u("FreeLibrary(advapi32)_again", FreeLibrary(adv));
    check_u("advapi32_unloaded", (DWORD)GetModuleHandleA("advapi32"));

    user_before = GetModuleHandleA("USER32");
    user = LoadLibraryA("user32.dll");
    check_u("user32_before_loading", (DWORD)user_before);
    check_u("user32_loaded", user != 0);
    check_u("user32_found_once_loaded", GetModuleHandleA("USER32") == user);
    check_u("a_path_ending_in_kernel32.dll_names_kernel32", by_path == k32);
    SetLastError(0);
    check_u("LoadLibraryA(nosuch.dll)", (DWORD)LoadLibraryA("nosuch.dll"));
    check_u("last_error", GetLastError());

    SetLastError(0);
    f = GetProcAddress(k32, "NoSuchFunction");
    check_u("GetProcAddress(NoSuchFunction)", (DWORD)f);
    check_u("last_error", GetLastError());
    SetLastError(0);
    f = GetProcAddress(k32, (LPCSTR)0xFFE0);
    check_u("GetProcAddress(ordinal_0xffe0)", (DWORD)f);
    check_u("last_error", GetLastError());
    SetLastError(0);
    f = GetProcAddress(k32, "closehandle");
    check_u("names_are_case-sensitive", (DWORD)f);

    f = GetProcAddress(k32, "CloseHandle");
    event = CreateEventA(NULL, FALSE, FALSE, NULL);
    check_u("CloseHandle_through_GetProcAddress", ((close_handle_fn)f)(event));

    f = GetProcAddress(k32, "CmdBatNotification");
    check_u("a_catalogued_function_ntemu_lacks_has_an_address", f != 0);
    put("calling it\n");
    ((notification_fn)f)(TRUE);
    put("not reached\n");
    ExitProcess(0);
}
