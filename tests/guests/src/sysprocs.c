/* sysprocs.exe: the system's own processes as a program sees them. NT 4.0 lists the Idle
 * process, System, smss, csrss, winlogon, services and lsass in SystemProcessInformation;
 * a program without SeDebugPrivilege cannot open them (ERROR_ACCESS_DENIED), and id 0 is no
 * process to open (ERROR_INVALID_PARAMETER). The program finds services.exe and csrss.exe
 * there and in a Tool Help snapshot (the same ids), follows csrss.exe's parent to smss.exe,
 * finds itself, and tries to open services.exe and process 0.
 * tests/sysprocs.rs compares the output with sysprocs.expected. */
#include "guest.h"
#include <tlhelp32.h>

typedef struct {
    ULONG next;
    ULONG threads;
    LARGE_INTEGER reserved[3];
    LARGE_INTEGER create, user, kernel;
    USHORT name_length, name_max;
    WCHAR *name;
    LONG base_priority;
    ULONG pid;
    ULONG parent;
} PROCESS_ENTRY;

typedef LONG (WINAPI *QUERY)(ULONG, void *, ULONG, ULONG *);

static int name_is(const WCHAR *name, USHORT bytes, const char *want)
{
    USHORT i, n = bytes / 2;
    for (i = 0; i < n; i++) {
        WCHAR a = name[i], b = (unsigned char)want[i];
        if (!b) return 0;
        if (a >= 'A' && a <= 'Z') a += 32;
        if (b >= 'A' && b <= 'Z') b += 32;
        if (a != b) return 0;
    }
    return want[n] == 0;
}

static int same(const char *a, const char *b)
{
    while (*a && *b) {
        char x = *a++, y = *b++;
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y) return 0;
    }
    return *a == *b;
}

static char buffer[256 * 1024];

void __stdcall start(void)
{
    QUERY query = (QUERY)GetProcAddress(GetModuleHandleA("ntdll.dll"), "NtQuerySystemInformation");
    ULONG size = 0, offset = 0, services = 0, csrss = 0, csrss_parent = 0, smss = 0, me = 0;
    ULONG me_id = GetCurrentProcessId(), snap_services = 0, snap_csrss = 0, idle_first = 0;
    LONG status;
    PROCESS_ENTRY *p;
    HANDLE h, snap;
    PROCESSENTRY32 pe;
    BOOL ok;

    status = query(5, buffer, sizeof buffer, &size);
    check_x("NtQuerySystemInformation(SystemProcessInformation)", (DWORD)status);
    p = (PROCESS_ENTRY *)buffer;
    idle_first = p->pid == 0 && p->name_length == 0;
    for (;;) {
        p = (PROCESS_ENTRY *)(buffer + offset);
        if (p->name && name_is(p->name, p->name_length, "services.exe")) services = p->pid;
        if (p->name && name_is(p->name, p->name_length, "csrss.exe")) {
            csrss = p->pid;
            csrss_parent = p->parent;
        }
        if (p->name && name_is(p->name, p->name_length, "smss.exe")) smss = p->pid;
        if (p->pid == me_id) me = 1;
        if (!p->next) break;
        offset += p->next;
    }
    check_u("first entry is the Idle process (id 0, no name)", idle_first);
    check_u("services.exe listed", services != 0);
    check_u("csrss.exe listed", csrss != 0);
    check_u("smss.exe listed", smss != 0);
    check_u("csrss.exe's parent is smss.exe", csrss_parent == smss);
    check_u("the caller listed", me);

    SetLastError(0xdeadbeef);
    h = OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, services);
    check_u("OpenProcess(services.exe) opened", h != NULL);
    check_u("OpenProcess(services.exe) error", h ? 0 : GetLastError());
    if (h) CloseHandle(h);
    SetLastError(0xdeadbeef);
    h = OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, 0);
    check_u("OpenProcess(0) opened", h != NULL);
    check_u("OpenProcess(0) error", h ? 0 : GetLastError());
    if (h) CloseHandle(h);

    snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    pe.dwSize = sizeof pe;
    for (ok = Process32First(snap, &pe); ok; ok = Process32Next(snap, &pe)) {
        if (same(pe.szExeFile, "services.exe")) snap_services = pe.th32ProcessID;
        if (same(pe.szExeFile, "csrss.exe")) snap_csrss = pe.th32ProcessID;
    }
    CloseHandle(snap);
    check_u("snapshot lists services.exe with the same id", snap_services == services);
    check_u("snapshot lists csrss.exe with the same id", snap_csrss == csrss);
    ExitProcess(0);
}
