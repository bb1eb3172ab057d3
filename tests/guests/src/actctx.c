/* Activation contexts, as a program built for Windows XP uses them: CreateActCtxW from a
 * manifest file (and its dependency beside it), reference counts, each thread's activation
 * stack, the context a new thread starts with, and the errors of bad input. */
#include "guest.h"


static const char dep_manifest[] =
    "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v1\" manifestVersion=\"1.0\">"
    "<assemblyIdentity version=\"1.0.0.0\" name=\"ntemudep\" type=\"win32\"/>"
    "<file name=\"ntemudep.dll\"/>"
    "</assembly>";

static const char main_manifest[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
    "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v1\" manifestVersion=\"1.0\">"
    "<!-- the program -->"
    "<assemblyIdentity version=\"1.2.3.4\" name=\"Ntemu.Test\" type=\"win32\"/>"
    "<dependency><dependentAssembly>"
    "<assemblyIdentity type=\"win32\" name=\"ntemudep\" version=\"1.0.0.0\"/>"
    "</dependentAssembly></dependency>"
    "</assembly>";

static const char missing_dep_manifest[] =
    "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v1\" manifestVersion=\"1.0\">"
    "<assemblyIdentity version=\"1.2.3.4\" name=\"Ntemu.Lonely\" type=\"win32\"/>"
    "<dependency><dependentAssembly>"
    "<assemblyIdentity type=\"win32\" name=\"ntemunowhere\" version=\"1.0.0.0\"/>"
    "</dependentAssembly></dependency>"
    "</assembly>";

static const char broken_manifest[] =
    "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v1\" manifestVersion=\"1.0\">"
    "<assemblyIdentity version=\"1.2.3.4\" name=\"Ntemu.Broken\" type=\"win32\"/>"
    "<dependency>"
    "</assembly>";

static void write_file(const char *name, const char *text)
{
    DWORD n = 0, written;
    HANDLE f = CreateFileA(name, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    while (text[n]) n++;
    WriteFile(f, text, n, &written, NULL);
    CloseHandle(f);
}

static HANDLE create_from(const WCHAR *source)
{
    ACTCTXW a;
    char *p = (char *)&a;
    unsigned i;
    for (i = 0; i < sizeof(a); i++) p[i] = 0;
    a.cbSize = sizeof(a);
    a.lpSource = source;
    SetLastError(0xdeadbeef);
    return CreateActCtxW(&a);
}

static HANDLE seen;

static DWORD WINAPI thread_proc(void *arg)
{
    HANDLE h = (HANDLE)0xdeadbeef;
    (void)arg;
    if (!GetCurrentActCtx(&h)) return 2;
    seen = h;
    return 0;
}

static void check_thread(const char *name, HANDLE expect)
{
    DWORD tid;
    HANDLE t;
    seen = (HANDLE)0xdeadbeef;
    t = CreateThread(NULL, 0, thread_proc, NULL, 0, &tid);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    check_u(name, seen == expect);
    if (seen && seen != (HANDLE)0xdeadbeef) ReleaseActCtx(seen);
}

void __stdcall start(void)
{
    HANDLE ctx, ctx2, cur;
    ULONG_PTR cookie, cookie2;
    BOOL b;
    ACTCTXW a;

    {
        /* Work in the temporary folder: the program's own may be read-only. */
        char tmp[MAX_PATH];
        if (GetTempPathA(MAX_PATH, tmp)) SetCurrentDirectoryA(tmp);
    }
    write_file("ntemudep.manifest", dep_manifest);
    write_file("ntemumain.manifest", main_manifest);
    write_file("ntemulonely.manifest", missing_dep_manifest);
    write_file("ntemubroken.manifest", broken_manifest);

    ctx = create_from(L"ntemumain.manifest");
    check_u("CreateActCtxW of a manifest with its dependency", ctx != INVALID_HANDLE_VALUE && ctx != NULL);
    DeleteFileA("ntemudep.manifest");
    DeleteFileA("ntemumain.manifest");

    cur = create_from(L"ntemulonely.manifest");
    check_u("missing dependency fails", cur == INVALID_HANDLE_VALUE);
    check_u("missing dependency error", GetLastError());
    cur = create_from(L"ntemubroken.manifest");
    check_u("broken manifest fails", cur == INVALID_HANDLE_VALUE);
    check_u("broken manifest error", GetLastError());
    cur = create_from(L"ntemuabsent.manifest");
    check_u("absent manifest fails", cur == INVALID_HANDLE_VALUE);
    check_u("absent manifest error", GetLastError());
    DeleteFileA("ntemulonely.manifest");
    DeleteFileA("ntemubroken.manifest");

    SetLastError(0xdeadbeef);
    cur = CreateActCtxW(NULL);
    check_u("NULL ACTCTX fails", cur == INVALID_HANDLE_VALUE);
    check_u("NULL ACTCTX error", GetLastError());
    {
        char *p = (char *)&a;
        unsigned i;
        for (i = 0; i < sizeof(a); i++) p[i] = 0;
        a.cbSize = 4;
        a.lpSource = L"x.manifest";
        SetLastError(0xdeadbeef);
        cur = CreateActCtxW(&a);
        check_u("short cbSize fails", cur == INVALID_HANDLE_VALUE);
        check_u("short cbSize error", GetLastError());
    }

    cur = (HANDLE)0xdeadbeef;
    b = GetCurrentActCtx(&cur);
    check_u("GetCurrentActCtx with none active", b && cur == NULL);
    check_thread("a thread started with none active has none", NULL);

    b = ActivateActCtx(ctx, &cookie);
    check_u("ActivateActCtx", b);
    cur = NULL;
    b = GetCurrentActCtx(&cur);
    check_u("GetCurrentActCtx gives the activated context", b && cur == ctx);
    ReleaseActCtx(cur);
    check_thread("a new thread starts with its creator's context", ctx);

    /* The process default over it, then back. */
    b = ActivateActCtx(NULL, &cookie2);
    check_u("ActivateActCtx(NULL)", b);
    check_u("cookies differ", cookie2 != cookie);
    cur = (HANDLE)0xdeadbeef;
    GetCurrentActCtx(&cur);
    check_u("NULL activation is active", cur == NULL);
    b = DeactivateActCtx(0, cookie2);
    check_u("DeactivateActCtx of the innermost", b);
    cur = NULL;
    GetCurrentActCtx(&cur);
    check_u("the outer context is active again", cur == ctx);
    ReleaseActCtx(cur);

    /* A second context over the first, then ended early by force. */
    ctx2 = create_from(L"ntemudep.manifest");
    check_u("dependency manifest deleted: create fails", ctx2 == INVALID_HANDLE_VALUE);
    write_file("ntemudep.manifest", dep_manifest);
    ctx2 = create_from(L"ntemudep.manifest");
    DeleteFileA("ntemudep.manifest");
    check_u("second context", ctx2 != INVALID_HANDLE_VALUE && ctx2 != ctx);
    AddRefActCtx(ctx2);
    ReleaseActCtx(ctx2);
    b = ActivateActCtx(ctx2, &cookie2);
    check_u("activate the second", b);
    b = DeactivateActCtx(DEACTIVATE_ACTCTX_FLAG_FORCE_EARLY_DEACTIVATION, cookie);
    check_u("forced early deactivation", b);
    cur = (HANDLE)0xdeadbeef;
    GetCurrentActCtx(&cur);
    check_u("nothing active after it", cur == NULL);


    ReleaseActCtx(ctx2);
    ReleaseActCtx(ctx);
    put("done\n");
    ExitProcess(0);
}
