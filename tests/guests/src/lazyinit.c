/* lazyinit.exe: what a parent sees of a child it created suspended, and Vista's
 * process-thread attribute lists.
 *
 * 1. NT's loader binds a new process's imports and makes its process heap in the process,
 *    when its first thread first runs (LdrpInitialize): a CREATE_SUSPENDED child's first
 *    import address table entry still holds what the file has (the same as the import lookup
 *    table's) and its PEB.ProcessHeap is 0; once a thread of it has run (here one
 *    CreateRemoteThread starts at ExitThread), the entry is bound and the heap made.
 * 2. InitializeProcThreadAttributeList / UpdateProcThreadAttribute /
 *    DeleteProcThreadAttributeList (found with GetProcAddress: later Windows): sizes,
 *    ERROR_INSUFFICIENT_BUFFER, the checks of UpdateProcThreadAttribute, and CreateProcess
 *    with EXTENDED_STARTUPINFO_PRESENT: PROC_THREAD_ATTRIBUTE_HANDLE_LIST (only the listed
 *    inheritable handle is inherited) and PROC_THREAD_ATTRIBUTE_PARENT_PROCESS (a bad handle
 *    is ERROR_INVALID_HANDLE; the child's InheritedFromUniqueProcessId is the named parent).
 * Children report through their exit codes. tests/lazyinit.rs compares the output with
 * lazyinit.expected. */
#include "guest.h"

typedef LONG (__stdcall *query_fn)(HANDLE, ULONG, void *, ULONG, ULONG *);
typedef BOOL (__stdcall *init_fn)(void *, DWORD, DWORD, SIZE_T *);
typedef BOOL (__stdcall *update_fn)(void *, DWORD, DWORD_PTR, void *, SIZE_T, void *, SIZE_T *);
typedef void (__stdcall *delete_fn)(void *);

#define ATTR_PARENT_PROCESS 0x00020000
#define ATTR_HANDLE_LIST 0x00020002
#define EXTENDED_STARTUP 0x00080000

typedef struct {
    STARTUPINFOA si;
    void *list;
} startup_ex;

static char self[MAX_PATH];
static query_fn query;

static void memset_guest(void *p, int v, unsigned n)
{
    volatile unsigned char *b = p;
    while (n--) *b++ = (unsigned char)v;
}

static unsigned long parse_x(const char *s)
{
    unsigned long v = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') v = v * 16 + (unsigned long)(*s - '0');
        else if (*s >= 'a' && *s <= 'f') v = v * 16 + (unsigned long)(*s - 'a' + 10);
        else break;
    }
    return v;
}

static void append(char *dst, const char *src)
{
    while (*dst) dst++;
    while ((*dst++ = *src++)) {}
}

static void append_x(char *dst, unsigned long v)
{
    static const char digits[] = "0123456789abcdef";
    char buf[9];
    int i;
    for (i = 0; i < 8; i++) buf[i] = digits[(v >> (28 - 4 * i)) & 0xf];
    buf[8] = 0;
    append(dst, buf);
}

/* The command line's words after the program: mode and up to two hex numbers. */
static const char *word(const char *line, int index)
{
    int quoted = 0;
    while (index-- > 0) {
        while (*line && (quoted || *line != ' ')) { if (*line == '"') quoted = !quoted; line++; }
        while (*line == ' ') line++;
    }
    return line;
}

static DWORD child_main(const char *mode)
{
    if (mode[0] == 'h') {
        /* handles: bit 0 the listed handle is there, bit 1 the unlisted one is. */
        DWORD flags, result = 0;
        HANDLE listed = (HANDLE)parse_x(word(GetCommandLineA(), 2));
        HANDLE other = (HANDLE)parse_x(word(GetCommandLineA(), 3));
        if (GetHandleInformation(listed, &flags) && flags == HANDLE_FLAG_INHERIT) result |= 1;
        if (GetHandleInformation(other, &flags)) result |= 2;
        return result;
    }
    if (mode[0] == 'p') {
        /* parent: the parent id NT keeps for the process. */
        ULONG info[6];
        if (query(GetCurrentProcess(), 0, info, sizeof(info), NULL)) return 0xffffffff;
        return info[5];
    }
    return 0;
}

static DWORD run_child(const char *mode, DWORD flags, startup_ex *si, BOOL inherit, DWORD *error)
{
    char line[MAX_PATH + 64];
    PROCESS_INFORMATION pi;
    DWORD code = 0xdead;
    line[0] = 0;
    append(line, "\""); append(line, self); append(line, "\" ");
    append(line, mode);
    *error = 0;
    if (!CreateProcessA(NULL, line, NULL, NULL, inherit, flags, NULL, NULL, &si->si, &pi)) {
        *error = GetLastError();
        return code;
    }
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return code;
}

/* The child's first IAT entry and its import lookup table entry; 0 when they are unreadable. */
static int first_import(HANDLE process, ULONG base, ULONG *iat, ULONG *lookup)
{
    IMAGE_DOS_HEADER dos;
    IMAGE_NT_HEADERS nt;
    IMAGE_IMPORT_DESCRIPTOR desc;
    char *b = (char *)base;
    if (!ReadProcessMemory(process, b, &dos, sizeof(dos), NULL)) return 0;
    if (!ReadProcessMemory(process, b + dos.e_lfanew, &nt, sizeof(nt), NULL)) return 0;
    if (!ReadProcessMemory(process,
            b + nt.OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_IMPORT].VirtualAddress,
            &desc, sizeof(desc), NULL)) return 0;
    if (!ReadProcessMemory(process, b + desc.FirstThunk, iat, 4, NULL)) return 0;
    if (!ReadProcessMemory(process, b + desc.OriginalFirstThunk, lookup, 4, NULL)) return 0;
    return 1;
}

static void lazy_initialization(void)
{
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    ULONG basic[6], base = 0, heap = 1, iat = 0, lookup = 0;
    char line[MAX_PATH + 16];
    HANDLE thread;
    DWORD code = 0;
    FARPROC exit_thread = GetProcAddress(GetModuleHandleA("kernel32.dll"), "ExitThread");

    memset_guest(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    line[0] = 0;
    append(line, "\""); append(line, self); append(line, "\" idle");
    check_u("suspended child created",
            CreateProcessA(NULL, line, NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &si, &pi) != 0);
    query(pi.hProcess, 0, basic, sizeof(basic), NULL);
    ReadProcessMemory(pi.hProcess, (char *)basic[1] + 8, &base, 4, NULL);
    ReadProcessMemory(pi.hProcess, (char *)basic[1] + 0x18, &heap, 4, NULL);
    check_u("image base read", base != 0);
    check_u("suspended: imports read", first_import(pi.hProcess, base, &iat, &lookup));
    check_u("suspended: first IAT entry is the file's", iat == lookup);
    check_u("suspended: PEB.ProcessHeap", heap);

    thread = CreateRemoteThread(pi.hProcess, NULL, 0, (LPTHREAD_START_ROUTINE)exit_thread,
                                (void *)7, CREATE_SUSPENDED, NULL);
    first_import(pi.hProcess, base, &iat, &lookup);
    check_u("remote thread not run: first IAT entry is the file's", iat == lookup);
    ResumeThread(thread);
    WaitForSingleObject(thread, INFINITE);
    GetExitCodeThread(thread, &code);
    check_u("remote thread exit code", code);
    first_import(pi.hProcess, base, &iat, &lookup);
    ReadProcessMemory(pi.hProcess, (char *)basic[1] + 0x18, &heap, 4, NULL);
    check_u("after a thread ran: first IAT entry bound", iat != lookup);
    check_u("after a thread ran: process heap made", heap != 0);
    TerminateProcess(pi.hProcess, 3);
    WaitForSingleObject(pi.hProcess, INFINITE);
    CloseHandle(thread);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
}

static void attribute_lists(void)
{
    HMODULE k32 = GetModuleHandleA("kernel32.dll");
    init_fn init = (init_fn)GetProcAddress(k32, "InitializeProcThreadAttributeList");
    update_fn update = (update_fn)GetProcAddress(k32, "UpdateProcThreadAttribute");
    delete_fn del = (delete_fn)GetProcAddress(k32, "DeleteProcThreadAttributeList");
    DWORD words[16];
    SIZE_T size = 0;
    HANDLE handles[2], bad = (HANDLE)0xdeadbee0, parent;
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
    startup_ex si;
    char mode[64];
    DWORD error, code;
    int i;

    check_u("attribute list functions found", init && update && del);
    if (!init || !update || !del) return;

    SetLastError(0);
    check_u("size of none: result", init(NULL, 0, 0, &size));
    check_u("size of none: error", GetLastError());
    check_u("size of none", size);
    SetLastError(0);
    check_u("size of two: result", init(NULL, 2, 0, &size));
    check_u("size of two: error", GetLastError());
    check_u("size of two", size);
    size = 8;
    SetLastError(0);
    check_u("buffer too small: result", init(words, 2, 0, &size));
    check_u("buffer too small: error", GetLastError());
    check_u("buffer too small: size", size);
    SetLastError(0);
    check_u("flags: result", init(words, 2, 1, &size));
    check_u("flags: error", GetLastError());
    for (i = 0; i < 16; i++) words[i] = 0xcccccccc;
    check_u("initialized", init(words, 2, 0, &size));
    check_x("mask", words[0]);
    check_x("capacity", words[1]);
    check_x("count", words[2]);
    check_x("reserved dword left", words[3]);
    check_x("reserved pointer", words[4]);

    handles[0] = handles[1] = 0;
    SetLastError(0);
    check_u("unknown attribute: result", update(words, 0, 0xcafe, handles, 4, NULL, NULL));
    check_u("unknown attribute: error", GetLastError());
    SetLastError(0);
    check_u("parent of 8 bytes: result", update(words, 0, ATTR_PARENT_PROCESS, handles, 8, NULL, NULL));
    check_u("parent of 8 bytes: error", GetLastError());
    SetLastError(0);
    check_u("handle list of 7 bytes: result", update(words, 0, ATTR_HANDLE_LIST, handles, 7, NULL, NULL));
    check_u("handle list of 7 bytes: error", GetLastError());
    check_u("parent added", update(words, 0, ATTR_PARENT_PROCESS, handles, 4, NULL, NULL));
    SetLastError(0);
    check_u("parent again: result", update(words, 0, ATTR_PARENT_PROCESS, handles, 4, NULL, NULL));
    check_u("parent again: error", GetLastError());
    check_u("handle list added", update(words, 0, ATTR_HANDLE_LIST, handles, 8, NULL, NULL));
    SetLastError(0);
    check_u("flags given: result", update(words, 1, ATTR_PARENT_PROCESS, handles, 4, NULL, NULL));
    check_u("flags given: error", GetLastError());
    check_x("mask after two", words[0]);
    check_x("count after two", words[2]);
    check_x("first entry attribute", words[5]);
    check_x("first entry size", words[6]);
    check_u("first entry value", words[7] == (DWORD)handles);
    check_x("second entry attribute", words[8]);
    check_x("second entry size", words[9]);
    del(words);

    /* HANDLE_LIST: of two inheritable events only the listed one is inherited. */
    handles[0] = CreateEventA(&sa, FALSE, FALSE, NULL);
    handles[1] = CreateEventA(&sa, FALSE, FALSE, NULL);
    memset_guest(&si, 0, sizeof(si));
    si.si.cb = sizeof(si);
    si.list = words;
    size = sizeof(words);
    init(words, 1, 0, &size);
    update(words, 0, ATTR_HANDLE_LIST, &handles[0], sizeof(HANDLE), NULL, NULL);
    mode[0] = 0;
    append(mode, "handles ");
    append_x(mode, (unsigned long)handles[0]);
    append(mode, " ");
    append_x(mode, (unsigned long)handles[1]);
    code = run_child(mode, EXTENDED_STARTUP, &si, TRUE, &error);
    check_u("handle list: create error", error);
    check_u("handle list: child found (1 listed, 2 unlisted)", code);
    del(words);
    /* Without the list both are inherited. */
    code = run_child(mode, 0, &si, TRUE, &error);
    check_u("no list: child found", code);

    /* PARENT_PROCESS: a bad handle fails the creation. */
    size = sizeof(words);
    init(words, 1, 0, &size);
    update(words, 0, ATTR_PARENT_PROCESS, &bad, sizeof(HANDLE), NULL, NULL);
    code = run_child("parent", EXTENDED_STARTUP, &si, FALSE, &error);
    check_u("bad parent: create error", error);
    del(words);
    /* A handle to a process without PROCESS_CREATE_PROCESS: the same. */
    parent = OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, GetCurrentProcessId());
    size = sizeof(words);
    init(words, 1, 0, &size);
    update(words, 0, ATTR_PARENT_PROCESS, &parent, sizeof(HANDLE), NULL, NULL);
    code = run_child("parent", EXTENDED_STARTUP, &si, FALSE, &error);
    check_u("parent without PROCESS_CREATE_PROCESS: create error", error);
    del(words);
    CloseHandle(parent);
    /* The current process as the parent. */
    parent = OpenProcess(PROCESS_CREATE_PROCESS, FALSE, GetCurrentProcessId());
    size = sizeof(words);
    init(words, 1, 0, &size);
    update(words, 0, ATTR_PARENT_PROCESS, &parent, sizeof(HANDLE), NULL, NULL);
    code = run_child("parent", EXTENDED_STARTUP, &si, FALSE, &error);
    check_u("parent given: create error", error);
    check_u("parent given: child's parent is this process", code == GetCurrentProcessId());
    del(words);
    CloseHandle(parent);
    CloseHandle(handles[0]);
    CloseHandle(handles[1]);
}

void __stdcall start(void)
{
    const char *mode = word(GetCommandLineA(), 1);
    query = (query_fn)GetProcAddress(GetModuleHandleA("ntdll.dll"), "NtQueryInformationProcess");
    if (*mode) ExitProcess(child_main(mode));
    GetModuleFileNameA(NULL, self, sizeof(self));
    lazy_initialization();
    attribute_lists();
    ExitProcess(0);
}
