/* VERSION.dll: GetFileVersionInfoSize/GetFileVersionInfo of the program itself and of a DLL
 * beside it (read as data, not loaded), VerQueryValueA and W on the root, the translation
 * table and string values (keys without regard to case), the A form's ANSI answers from a
 * block the W function read, missing values, files without version information or without
 * resources, a missing file, and VerLanguageName. Expected: tests/guests/expected/vers.*. */
#include "guest.h"

static char dir[MAX_PATH];

static void path_of(char *out, const char *name)
{
    int i = 0, j = 0;
    while (dir[i]) { out[i] = dir[i]; i++; }
    while (name[j]) out[i++] = name[j++];
    out[i] = 0;
}

static void wide_of(WCHAR *out, const char *s)
{
    while ((*out++ = (unsigned char)*s++)) {}
}

static void put_w(const WCHAR *s, UINT n)
{
    char buf[256];
    UINT i;
    for (i = 0; i < n && i < 255 && s[i]; i++) buf[i] = s[i] < 0x80 ? (char)s[i] : '?';
    buf[i] = 0;
    put(buf);
}

static BYTE info[4096];

static void query_a(const char *sub)
{
    LPVOID p = (LPVOID)1;
    UINT len = 99;
    BOOL ok = VerQueryValueA(info, (LPSTR)sub, &p, &len);
    put("A "); put(sub); put(": "); put_u(ok);
    if (ok) {
        put(" len="); put_u(len);
        put(" in_buffer="); put_u((BYTE *)p >= info && (BYTE *)p < info + sizeof info);
        if (sub[1] == 'S') { put(" \""); put((const char *)p); put("\""); }
    } else {
        put(" len="); put_u(len);
    }
    put("\n");
}

static void query_w(const char *sub)
{
    WCHAR wsub[128];
    LPVOID p = NULL;
    UINT len = 99;
    BOOL ok;
    wide_of(wsub, sub);
    ok = VerQueryValueW(info, wsub, &p, &len);
    put("W "); put(sub); put(": "); put_u(ok);
    put(" len="); put_u(len);
    if (ok && sub[1] == 'S') { put(" \""); put_w((const WCHAR *)p, len); put("\""); }
    put("\n");
}

static void fixed(void)
{
    VS_FIXEDFILEINFO *f = NULL;
    UINT len = 0;
    BOOL ok = VerQueryValueA(info, "\\", (LPVOID *)&f, &len);
    check_u("root", ok);
    if (!ok) return;
    check_u("root len", len);
    check_x("signature", f->dwSignature);
    check_x("struc version", f->dwStrucVersion);
    check_x("file version ms", f->dwFileVersionMS);
    check_x("file version ls", f->dwFileVersionLS);
    check_x("product version ms", f->dwProductVersionMS);
    check_x("product version ls", f->dwProductVersionLS);
    check_x("flags mask", f->dwFileFlagsMask);
    check_x("flags", f->dwFileFlags);
    check_x("os", f->dwFileOS);
    check_x("type", f->dwFileType);
}

static void translations(void)
{
    WORD *t = NULL;
    UINT len = 0, i;
    BOOL ok = VerQueryValueA(info, "\\VarFileInfo\\Translation", (LPVOID *)&t, &len);
    put("translations: "); put_u(ok); put(" len="); put_u(len);
    for (i = 0; ok && i < len / 4; i++) { put(" "); put_x(t[2 * i]); put("/"); put_u(t[2 * i + 1]); }
    put("\n");
}

static void missing(const char *what, const char *name)
{
    char path[MAX_PATH];
    DWORD handle = 77, size;
    BOOL ok;
    path_of(path, name);
    SetLastError(0);
    size = GetFileVersionInfoSizeA(path, &handle);
    put(what); put(": size="); put_u(size); put(" handle="); put_u(handle);
    put(" error="); put_u(GetLastError());
    SetLastError(0);
    ok = GetFileVersionInfoA(path, 0, sizeof info, info);
    put(" info="); put_u(ok); put(" error="); put_u(GetLastError()); put("\n");
}

static void language(WORD id)
{
    char name[64];
    WCHAR wname[64];
    DWORD n = VerLanguageNameA(id, name, sizeof name);
    put("language "); put_x(id); put(": "); put_u(n); put(" \""); put(name); put("\"");
    n = VerLanguageNameW(id, wname, 64);
    put(" W "); put_u(n); put(" \""); put_w(wname, n); put("\"\n");
}

void __stdcall start(void)
{
    char path[MAX_PATH];
    WCHAR wpath[MAX_PATH];
    DWORD handle = 77, size, i;
    char small[8];

    GetModuleFileNameA(NULL, dir, sizeof dir);
    for (i = 0; dir[i]; i++) {}
    while (i > 0 && dir[i - 1] != '\\') i--;
    dir[i] = 0;

    /* The program's own version information, through the A functions. */
    path_of(path, "vers.exe");
    size = GetFileVersionInfoSizeA(path, &handle);
    check_u("exe size nonzero", size > 0);
    check_u("exe handle", handle);
    check_u("exe info", GetFileVersionInfoA(path, 0, size, info));
    check_u("block length", *(WORD *)info);
    check_u("size holds block twice", size >= 2u * *(WORD *)info);
    fixed();
    translations();
    query_a("\\StringFileInfo\\040904B0\\FileVersion");
    query_a("\\StringFileInfo\\040904B0\\CompanyName");
    query_a("\\stringfileinfo\\040904b0\\productname");
    query_a("StringFileInfo\\040904B0\\ProductVersion");
    query_a("\\StringFileInfo\\040904B0\\Comments");
    query_a("\\StringFileInfo\\040704B0\\FileVersion");
    query_a("\\Nothing");
    query_w("\\StringFileInfo\\040904B0\\FileDescription");

    /* The DLL's, through the W functions, then VerQueryValueA on the same block. */
    path_of(path, "versdll.dll");
    wide_of(wpath, path);
    size = GetFileVersionInfoSizeW(wpath, NULL);
    check_u("dll size nonzero", size > 0);
    for (i = 0; i < sizeof info; i++) info[i] = 0xCC;
    check_u("dll info", GetFileVersionInfoW(wpath, 0, size, info));
    fixed();
    translations();
    query_w("\\StringFileInfo\\040704E4\\FileDescription");
    query_w("\\StringFileInfo\\040904E4\\FileDescription");
    query_w("\\StringFileInfo\\040904e4\\InternalName");
    query_w("\\StringFileInfo\\040904E4\\LegalCopyright");
    query_a("\\StringFileInfo\\040704E4\\FileDescription");
    query_a("\\StringFileInfo\\040904E4\\FileVersion");

    /* A bare name: found as LoadLibrary finds a DLL, the program's folder first. */
    check_u("bare name size", GetFileVersionInfoSizeA("versdll.dll", NULL) == size);
    check_u("bare name without extension", GetFileVersionInfoSizeA("versdll", NULL) == size);

    /* Files without version information, without resources, and no file at all. */
    missing("no version", "res.exe");
    missing("no resources", "hello.exe");
    missing("no file", "nosuch.dll");

    language(0x0409);
    language(0x0809);
    language(0x0407);
    language(0x0000);
    check_u("language null buffer", VerLanguageNameA(0x0409, NULL, 0));
    check_u("language short buffer", VerLanguageNameA(0x0409, small, sizeof small));
    put("short: \""); put(small); put("\"\n");

    ExitProcess(0);
}
