/* mapping.exe: file mappings (sections). Sections of the paging file: two views of one
 * section share their pages, VirtualQuery of a view (MEM_MAPPED, its base, protections), a
 * named section opened again (ERROR_ALREADY_EXISTS), by OpenFileMapping and by a child
 * process ("mapping.exe child") that reads what the parent wrote and writes back,
 * copy-on-write views (FILE_MAP_COPY) whose writes stay private, SEC_RESERVE sections whose
 * views share what MEM_COMMIT commits, the rights a handle gives,
 * and the errors of bad sizes, protections, offsets, bases and addresses. Sections of a
 * file: an empty file cannot be mapped with size 0, a larger read-write section grows its
 * file, data written through a view is what ReadFile reads and WriteFile's data is what the
 * view shows, a mapped file cannot shrink (ERROR_USER_MAPPED_FILE), a view outlives its
 * mapping and file handles, a read-only handle cannot back a read-write section. Image
 * sections (SEC_IMAGE) of a copy of the program itself: a MEM_IMAGE view, a mapped image
 * cannot be deleted, a file that is no image is refused. VirtualLock and VirtualUnlock,
 * guard pages touched by a lock. The native services NtCreateSection, NtOpenSection,
 * NtMapViewOfSection, NtUnmapViewOfSection and NtQuerySection and their NTSTATUS results.
 * One line per check ("name: value"); NT 4.0's values in expected/mapping.expected, Wine's in
 * expected/mapping.wine. */
#include "guest.h"
#include <winternl.h>

NTSTATUS NTAPI NtCreateSection(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, PLARGE_INTEGER, ULONG, ULONG, HANDLE);
NTSTATUS NTAPI NtOpenSection(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES);
NTSTATUS NTAPI NtMapViewOfSection(HANDLE, HANDLE, PVOID *, ULONG_PTR, SIZE_T, PLARGE_INTEGER, PSIZE_T, DWORD, ULONG, ULONG);
NTSTATUS NTAPI NtUnmapViewOfSection(HANDLE, PVOID);
NTSTATUS NTAPI NtQuerySection(HANDLE, DWORD, PVOID, ULONG, PULONG);

#define CHECK_FAIL(name, expr) do { DWORD v_; SetLastError(0); v_ = (DWORD)(expr); \
    check_u(name, v_ != 0); check_u(name " last_error", GetLastError()); } while (0)

#define SHARED_NAME "ntemu-mapping-shared"

static int contains(const char *s, const char *part)
{
    int i, j;
    for (i = 0; s[i]; i++) {
        for (j = 0; part[j] && s[i + j] == part[j]; j++) {}
        if (!part[j]) return 1;
    }
    return 0;
}

static void query(const char *name, void *addr, void *base)
{
    MEMORY_BASIC_INFORMATION mbi;
    DWORD n = VirtualQuery(addr, &mbi, sizeof mbi);
    put(name); put(": size="); put_u(n);
    put(" base_is_view="); put_u(mbi.AllocationBase == base);
    put(" region="); put_x((DWORD)mbi.RegionSize);
    put(" state="); put_x(mbi.State);
    put(" protect="); put_x(mbi.Protect);
    put(" alloc_protect="); put_x(mbi.AllocationProtect);
    put(" type="); put_x(mbi.Type);
    put("\n");
}

static void page_file(void)
{
    HANDLE m;
    DWORD *a, *b, old;

    SetLastError(0xdead);
    m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x11000, NULL);
    check_u("CreateFileMapping(page file) valid", m != NULL);
    check_u("CreateFileMapping(page file) last_error", GetLastError());
    a = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    b = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0x1000);
    check_u("two views", a != NULL && b != NULL && a != b);
    check_u("view 64K aligned", ((DWORD)a & 0xFFFF) == 0);
    check_x("fresh view reads", a[0]);
    a[0] = 0x1a2b3c4d;
    a[0x10000 / 4] = 0x55;
    check_x("other view sees the write", b[0]);
    query("VirtualQuery(rw view)", a, a);
    query("VirtualQuery(rw view +0x10000)", (char *)a + 0x10000, a);
    query("VirtualQuery(ro view)", (char *)b + 0x10, b);
    CHECK_FAIL("VirtualProtect(ro view, READWRITE)", VirtualProtect(b, 0x1000, PAGE_READWRITE, &old));
    CHECK_FAIL("VirtualProtect(rw view, READONLY)", VirtualProtect(a, 0x1000, PAGE_READONLY, &old));
    check_x("VirtualProtect old", old);
    VirtualProtect(a, 0x1000, PAGE_READWRITE, &old);
    CHECK_FAIL("VirtualFree(view, MEM_RELEASE)", VirtualFree(a, 0, MEM_RELEASE));
    CHECK_FAIL("VirtualFree(view, MEM_DECOMMIT)", VirtualFree(a, 0x1000, MEM_DECOMMIT));
    CHECK_FAIL("FlushViewOfFile(view)", FlushViewOfFile(a, 0));
    CHECK_FAIL("UnmapViewOfFile(inside view)", UnmapViewOfFile((char *)b + 0x10));
    CHECK_FAIL("UnmapViewOfFile(again)", UnmapViewOfFile(b));
    CloseHandle(m);
    check_x("view outlives its handle", a[0]);
    CHECK_FAIL("UnmapViewOfFile(last view)", UnmapViewOfFile(a));
    {
        MEMORY_BASIC_INFORMATION mbi;
        VirtualQuery(a, &mbi, sizeof mbi);
        check_x("VirtualQuery(unmapped) state", mbi.State);
        check_x("VirtualQuery(unmapped) type", mbi.Type);
    }
}

static void copy_on_write(void)
{
    HANDLE m;
    DWORD *shared, *copy, old;
    MEMORY_BASIC_INFORMATION mbi;

    m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x2000, NULL);
    shared = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    shared[0] = 1;
    shared[0x400] = 2;
    copy = MapViewOfFile(m, FILE_MAP_COPY, 0, 0, 0);
    check_u("FILE_MAP_COPY view", copy != NULL);
    query("VirtualQuery(copy view)", copy, copy);
    check_u("copy view reads", copy[0]);
    copy[0] = 100;
    check_u("copy view after its write", copy[0]);
    check_u("shared view after the copy's write", shared[0]);
    query("VirtualQuery(copy view, written page)", copy, copy);
    query("VirtualQuery(copy view, other page)", copy + 0x400, copy);
    shared[0x400] = 3;
    check_u("copy view sees an unwritten page change", copy[0x400]);
    /* A shared page made copy-on-write goes private at its first write. */
    check_u("VirtualProtect(shared view, WRITECOPY)", VirtualProtect(shared + 0x400, 0x1000, PAGE_WRITECOPY, &old));
    check_x("VirtualProtect old", old);
    shared[0x400] = 4;
    check_u("copy view after a private write of the shared view", copy[0x400]);
    VirtualQuery(shared + 0x400, &mbi, sizeof mbi);
    check_x("shared view page after its write", mbi.Protect);
    check_u("VirtualProtect(written page, WRITECOPY)", VirtualProtect(shared + 0x400, 0x1000, PAGE_WRITECOPY, &old));
    VirtualQuery(shared + 0x400, &mbi, sizeof mbi);
    check_x("written page asked WRITECOPY is", mbi.Protect);
    UnmapViewOfFile(copy);
    UnmapViewOfFile(shared);
    CloseHandle(m);
}

static void reserve(void)
{
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 0, 0x20000, NULL);
    DWORD *a = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    DWORD *b = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    query("VirtualQuery(SEC_RESERVE view)", a, a);
    check_u("VirtualAlloc(MEM_COMMIT in a view)", VirtualAlloc(a, 0x1000, MEM_COMMIT, PAGE_READONLY) == a);
    query("VirtualQuery(committed page)", a, a);
    query("VirtualQuery(other view of the page)", b, b);
    b[0] = 42;
    check_u("the other view's write", a[0]);
    CHECK_FAIL("VirtualFree(SEC_RESERVE view, MEM_DECOMMIT)", VirtualFree(a, 0x1000, MEM_DECOMMIT));
    UnmapViewOfFile(a);
    UnmapViewOfFile(b);
    CloseHandle(m);
}

static void named(void)
{
    HANDLE m, m2, m3, ev;
    DWORD *a, *r, *w;
    char cmd[] = "mapping.exe child";
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    DWORD code = 99, i;

    m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x1000, SHARED_NAME);
    check_u("CreateFileMapping(named) valid", m != NULL);
    a = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    a[0] = 0x1a2b3c4d;
    SetLastError(0);
    m2 = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READONLY, 0, 0x5000, SHARED_NAME);
    check_u("CreateFileMapping(existing name) valid", m2 != NULL && m2 != m);
    check_u("CreateFileMapping(existing name) last_error", GetLastError());
    w = MapViewOfFile(m2, FILE_MAP_WRITE, 0, 0, 0);
    check_u("FILE_MAP_WRITE view through a READONLY re-create", w != NULL);
    if (w) { check_x("existing section's data", w[0]); UnmapViewOfFile(w); }
    CloseHandle(m2);

    m3 = OpenFileMappingA(FILE_MAP_READ, FALSE, SHARED_NAME);
    check_u("OpenFileMapping(FILE_MAP_READ) valid", m3 != NULL);
    r = MapViewOfFile(m3, FILE_MAP_READ, 0, 0, 0);
    check_x("view of the opened section", r ? r[0] : 0);
    UnmapViewOfFile(r);
    CHECK_FAIL("MapViewOfFile(read handle, FILE_MAP_WRITE)", MapViewOfFile(m3, FILE_MAP_WRITE, 0, 0, 0));
    CloseHandle(m3);
    CHECK_FAIL("OpenFileMapping(missing)", OpenFileMappingA(FILE_MAP_READ, FALSE, "ntemu-mapping-none"));
    CHECK_FAIL("OpenFileMapping(NULL)", OpenFileMappingA(FILE_MAP_READ, FALSE, NULL));
    ev = CreateEventA(NULL, TRUE, FALSE, "ntemu-mapping-event");
    CHECK_FAIL("CreateFileMapping(an event's name)",
               CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x1000, "ntemu-mapping-event"));
    CHECK_FAIL("OpenFileMapping(an event's name)", OpenFileMappingA(FILE_MAP_READ, FALSE, "ntemu-mapping-event"));
    CloseHandle(ev);

    {
        char *p = (char *)&si;
        for (i = 0; i < sizeof si; i++) p[i] = 0;
    }
    si.cb = sizeof si;
    check_u("CreateProcess(child)", CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    check_u("child exit code", code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    check_x("what the child wrote", a[1]);
    UnmapViewOfFile(a);
    CloseHandle(m);
    CHECK_FAIL("OpenFileMapping(after the last handle)", OpenFileMappingA(FILE_MAP_READ, FALSE, SHARED_NAME));
}

/* The child: opens the parent's section by name, checks the parent's value, writes back. */
static void child(void)
{
    HANDLE m = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, SHARED_NAME);
    DWORD *a;
    if (!m) ExitProcess(1);
    a = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    if (!a) ExitProcess(2);
    if (a[0] != 0x1a2b3c4d) ExitProcess(3);
    a[1] = 0xfeedf00d;
    ExitProcess(0);
}

static void errors(void)
{
    HANDLE m;
    void *v, *at;

    CHECK_FAIL("CreateFileMapping(page file, size 0)",
               CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0, NULL));
    CHECK_FAIL("CreateFileMapping(PAGE_NOACCESS)",
               CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_NOACCESS, 0, 0x1000, NULL));
    CHECK_FAIL("CreateFileMapping(READONLY|READWRITE)",
               CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READONLY | PAGE_READWRITE, 0, 0x1000, NULL));
    CHECK_FAIL("CreateFileMapping(bad handle)",
               CreateFileMappingA((HANDLE)0x1230, NULL, PAGE_READONLY, 0, 0x1000, NULL));
    CHECK_FAIL("CreateFileMapping(SEC_COMMIT|SEC_RESERVE)",
               CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_COMMIT | SEC_RESERVE, 0, 0x1000, NULL));
    m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READONLY, 0, 0x20000, NULL);
    CHECK_FAIL("MapViewOfFile(READONLY section, FILE_MAP_WRITE)", MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0));
    CHECK_FAIL("MapViewOfFile(offset 0x1000)", MapViewOfFile(m, FILE_MAP_READ, 0, 0x1000, 0));
    CHECK_FAIL("MapViewOfFile(past the end)", MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0x21000));
    CHECK_FAIL("MapViewOfFile(offset at the end)", MapViewOfFile(m, FILE_MAP_READ, 0, 0x20000, 0));
    v = MapViewOfFile(m, FILE_MAP_READ, 0, 0x10000, 0);
    check_u("MapViewOfFile(offset 0x10000)", v != NULL);
    query("VirtualQuery(offset view)", v, v);
    UnmapViewOfFile(v);
    at = VirtualAlloc(NULL, 0x20000, MEM_RESERVE, PAGE_NOACCESS);
    CHECK_FAIL("MapViewOfFileEx(reserved base)", MapViewOfFileEx(m, FILE_MAP_READ, 0, 0, 0, at));
    VirtualFree(at, 0, MEM_RELEASE);
    CHECK_FAIL("MapViewOfFileEx(unaligned base)", MapViewOfFileEx(m, FILE_MAP_READ, 0, 0, 0, (char *)at + 0x1000));
    v = MapViewOfFileEx(m, FILE_MAP_READ, 0, 0, 0, at);
    check_u("MapViewOfFileEx(free base) at the base", v == at);
    UnmapViewOfFile(v);
    CHECK_FAIL("MapViewOfFile(NULL handle)", MapViewOfFile(NULL, FILE_MAP_READ, 0, 0, 0));
    CloseHandle(m);
    at = VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    CHECK_FAIL("UnmapViewOfFile(private memory)", UnmapViewOfFile(at));
    CHECK_FAIL("UnmapViewOfFile(free address)", UnmapViewOfFile((void *)0x7ff00000));
    CHECK_FAIL("FlushViewOfFile(private memory)", FlushViewOfFile(at, 0));
    VirtualFree(at, 0, MEM_RELEASE);
}

static void file_backed(void)
{
    HANDLE f, m, ro;
    char *v, buf[8];
    DWORD n, high;

    f = CreateFileA("mapping.tmp", GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    check_u("CreateFile(mapping.tmp)", f != INVALID_HANDLE_VALUE);
    CHECK_FAIL("CreateFileMapping(empty file, size 0)", CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, NULL));
    CHECK_FAIL("CreateFileMapping(empty file, READONLY, 0x1000)",
               CreateFileMappingA(f, NULL, PAGE_READONLY, 0, 0x1000, NULL));
    m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0x2000, NULL);
    check_u("CreateFileMapping(file, READWRITE, 0x2000)", m != NULL);
    check_x("file size after", GetFileSize(f, &high));
    v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    check_u("MapViewOfFile(file)", v != NULL);
    query("VirtualQuery(file view)", v, v);
    v[0] = 'h'; v[1] = 'i'; v[0x1fff] = 'z';
    SetFilePointer(f, 0, NULL, FILE_BEGIN);
    buf[0] = buf[1] = 0;
    ReadFile(f, buf, 2, &n, NULL);
    check_u("ReadFile sees the view's write", buf[0] == 'h' && buf[1] == 'i' && n == 2);
    SetFilePointer(f, 0x100, NULL, FILE_BEGIN);
    WriteFile(f, "XYZ", 3, &n, NULL);
    check_u("the view sees WriteFile's data", v[0x100] == 'X' && v[0x102] == 'Z');
    SetFilePointer(f, 0x1000, NULL, FILE_BEGIN);
    CHECK_FAIL("SetEndOfFile(shrink a mapped file)", SetEndOfFile(f));
    SetFilePointer(f, 0x3000, NULL, FILE_BEGIN);
    CHECK_FAIL("SetEndOfFile(grow a mapped file)", SetEndOfFile(f));
    CHECK_FAIL("FlushViewOfFile(file view)", FlushViewOfFile(v, 0x10));
    CloseHandle(m);
    CloseHandle(f);
    check_u("view outlives the file handle", v[0] == 'h' && v[0x1fff] == 'z');
    v[2] = '!';
    CHECK_FAIL("UnmapViewOfFile(file view)", UnmapViewOfFile(v));

    ro = CreateFileA("mapping.tmp", GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    SetFilePointer(ro, 0, NULL, FILE_BEGIN);
    ReadFile(ro, buf, 3, &n, NULL);
    check_u("the last write reached the file", buf[2] == '!');
    CHECK_FAIL("CreateFileMapping(read-only file, READWRITE)", CreateFileMappingA(ro, NULL, PAGE_READWRITE, 0, 0, NULL));
    CHECK_FAIL("CreateFileMapping(read-only file, READONLY, past the end)",
               CreateFileMappingA(ro, NULL, PAGE_READONLY, 0, 0x10000, NULL));
    m = CreateFileMappingA(ro, NULL, PAGE_WRITECOPY, 0, 0, NULL);
    check_u("CreateFileMapping(read-only file, WRITECOPY)", m != NULL);
    v = MapViewOfFile(m, FILE_MAP_COPY, 0, 0, 0);
    check_u("copy view of a read-only file", v != NULL && v[0] == 'h');
    query("VirtualQuery(copy view of a file)", v, v);
    v[0] = 'H';
    check_u("copy view's own write", v[0] == 'H');
    UnmapViewOfFile(v);
    CloseHandle(m);
    SetFilePointer(ro, 0, NULL, FILE_BEGIN);
    ReadFile(ro, buf, 1, &n, NULL);
    check_u("the file is unchanged by the copy view", buf[0] == 'h');
    CloseHandle(ro);
    check_u("DeleteFile(mapping.tmp)", DeleteFileA("mapping.tmp"));
}

static void image_and_locks(void)
{
    HANDLE f, m;
    char *v;
    DWORD *p, old;
    MEMORY_BASIC_INFORMATION mbi;

    check_u("CopyFile(mapping.exe, mapimg.tmp)", CopyFileA("mapping.exe", "mapimg.tmp", FALSE));
    f = CreateFileA("mapimg.tmp", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL, OPEN_EXISTING, 0, NULL);
    m = CreateFileMappingA(f, NULL, PAGE_READWRITE | SEC_IMAGE, 0, 0, NULL);
    check_u("CreateFileMapping(image, SEC_IMAGE|PAGE_READWRITE) valid", m != NULL);
    if (m) CloseHandle(m);
    m = CreateFileMappingA(f, NULL, PAGE_READONLY | SEC_IMAGE, 0, 0, NULL);
    check_u("CreateFileMapping(image, SEC_IMAGE)", m != NULL);
    v = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    check_u("image view starts with MZ", v != NULL && v[0] == 'M' && v[1] == 'Z');
    VirtualQuery(v, &mbi, sizeof mbi);
    check_x("image view type", mbi.Type);
    check_x("image view headers protect", mbi.Protect);
    check_x("image view alloc_protect", mbi.AllocationProtect);
    CHECK_FAIL("DeleteFile(mapped image)", DeleteFileA("mapimg.tmp"));
    CHECK_FAIL("UnmapViewOfFile(image view)", UnmapViewOfFile(v));
    CloseHandle(m);
    CloseHandle(f);
    check_u("DeleteFile(unmapped image)", DeleteFileA("mapimg.tmp"));
    f = CreateFileA("mapimg.tmp", GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    WriteFile(f, "not an image", 12, &old, NULL);
    CHECK_FAIL("CreateFileMapping(text, SEC_IMAGE)", CreateFileMappingA(f, NULL, PAGE_READONLY | SEC_IMAGE, 0, 0, NULL));
    CloseHandle(f);
    DeleteFileA("mapimg.tmp");
    CHECK_FAIL("CreateFileMapping(page file, SEC_IMAGE)",
               CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READONLY | SEC_IMAGE, 0, 0x1000, NULL));

    p = VirtualAlloc(NULL, 0x2000, MEM_COMMIT, PAGE_READWRITE);
    p[0] = 1;
    VirtualProtect(p, 0x2000, PAGE_READWRITE | PAGE_GUARD, &old);
    CHECK_FAIL("VirtualLock(guard pages)", VirtualLock(p, 0x2000));
    VirtualQuery(p, &mbi, sizeof mbi);
    check_x("first page after the lock's touch", mbi.Protect);
    CHECK_FAIL("VirtualUnlock(not locked)", VirtualUnlock(p, 0x1000));
    CHECK_FAIL("VirtualLock(again)", VirtualLock(p, 0x2000));
    CHECK_FAIL("VirtualLock(third time)", VirtualLock(p, 0x2000));
    CHECK_FAIL("VirtualUnlock(locked)", VirtualUnlock(p, 0x2000));
    VirtualFree(p, 0, MEM_RELEASE);
}

static void native(void)
{
    HANDLE h = NULL, h2 = NULL;
    LARGE_INTEGER size, offset;
    void *base = NULL;
    SIZE_T view = 0;
    ULONG info[4], len = 0;
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    static WCHAR path[] = L"\\BaseNamedObjects\\ntemu-native-section";

    size.QuadPart = 0x3456;
    check_x("NtCreateSection(page file)", NtCreateSection(&h, SECTION_ALL_ACCESS, NULL, &size, PAGE_READWRITE, SEC_COMMIT, NULL));
    check_x("NtCreateSection(no size)", NtCreateSection(&h2, SECTION_ALL_ACCESS, NULL, NULL, PAGE_READWRITE, SEC_COMMIT, NULL));
    check_x("NtCreateSection(PAGE_NOACCESS)", NtCreateSection(&h2, SECTION_ALL_ACCESS, NULL, &size, PAGE_NOACCESS, SEC_COMMIT, NULL));
    check_x("NtQuerySection(basic)", NtQuerySection(h, 0, info, sizeof info, &len));
    check_x("NtQuerySection attributes", info[1]);
    check_x("NtQuerySection size", info[2]);
    check_u("NtQuerySection length", len);
    check_x("NtQuerySection(short buffer)", NtQuerySection(h, 0, info, 15, NULL));
    check_x("NtQuerySection(image information)", NtQuerySection(h, 1, info, sizeof info, NULL));
    offset.QuadPart = 0x1000;
    check_x("NtMapViewOfSection(unaligned offset)", NtMapViewOfSection(h, GetCurrentProcess(), &base, 0, 0, &offset, &view, 1, 0, PAGE_READWRITE));
    offset.QuadPart = 0;
    view = 0x5000;
    check_x("NtMapViewOfSection(too big)", NtMapViewOfSection(h, GetCurrentProcess(), &base, 0, 0, &offset, &view, 1, 0, PAGE_READWRITE));
    view = 0;
    base = NULL;
    check_x("NtMapViewOfSection", NtMapViewOfSection(h, GetCurrentProcess(), &base, 0, 0, &offset, &view, 1, 0, PAGE_READWRITE));
    check_x("NtMapViewOfSection view size", (DWORD)view);
    query("VirtualQuery(native view)", base, base);
    check_x("NtUnmapViewOfSection", NtUnmapViewOfSection(GetCurrentProcess(), base));
    check_x("NtUnmapViewOfSection(again)", NtUnmapViewOfSection(GetCurrentProcess(), base));
    CloseHandle(h);

    name.Buffer = path;
    name.Length = sizeof path - sizeof(WCHAR);
    name.MaximumLength = sizeof path;
    InitializeObjectAttributes(&oa, &name, 0, NULL, NULL);
    check_x("NtCreateSection(named)", NtCreateSection(&h, SECTION_ALL_ACCESS, &oa, &size, PAGE_READWRITE, SEC_COMMIT, NULL));
    check_x("NtCreateSection(named again)", NtCreateSection(&h2, SECTION_ALL_ACCESS, &oa, &size, PAGE_READWRITE, SEC_COMMIT, NULL));
    oa.Attributes = OBJ_OPENIF;
    check_x("NtCreateSection(named again, OBJ_OPENIF)", NtCreateSection(&h2, SECTION_ALL_ACCESS, &oa, &size, PAGE_READWRITE, SEC_COMMIT, NULL));
    CloseHandle(h2);
    check_x("NtOpenSection", NtOpenSection(&h2, SECTION_QUERY, &oa));
    check_x("NtMapViewOfSection(query-only handle)", NtMapViewOfSection(h2, GetCurrentProcess(), &base, 0, 0, NULL, &view, 1, 0, PAGE_READONLY));
    CloseHandle(h2);
    CloseHandle(h);
}

void __stdcall start(void)
{
    if (contains(GetCommandLineA(), " child")) child();
    page_file();
    copy_on_write();
    reserve();
    named();
    errors();
    file_backed();
    image_and_locks();
    native();
    put("done\n");
    ExitProcess(0);
}
