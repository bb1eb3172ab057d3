/* resfile.exe PATH: another image's resources, mapped with LoadLibraryExA(PATH, NULL,
 * LOAD_LIBRARY_AS_DATAFILE) (any CPU's image; tests/resources.rs gives it sokoban from the
 * corpus): its bitmaps #201-#205 with their headers and sizes, the text of level #3000
 * (RCDATA), LoadString with no string table, the names of its bitmaps, and FreeLibrary. */
#include "guest.h"

static BOOL CALLBACK count_name(HMODULE m, LPCSTR type, LPSTR name, LONG_PTR param)
{
    (void)m; (void)type; (void)name;
    ++*(int *)param;
    return TRUE;
}

/* FNV-1a of the bytes: tests/resources.rs compares it with the corpus's .bmp files. */
static DWORD fnv(const BYTE *p, DWORD n)
{
    DWORD h = 2166136261u, i;
    for (i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

void __stdcall start(void)
{
    const char *line = GetCommandLineA();
    HMODULE h;
    HRSRC r;
    char buf[16];
    int i, names = 0;

    while (*line && *line != ' ') line++;
    while (*line == ' ') line++;
    h = LoadLibraryExA(line, NULL, LOAD_LIBRARY_AS_DATAFILE);
    check_u("loaded", h != NULL);
    check_u("tagged", (ULONG_PTR)h & 1);
    for (i = 201; i <= 205; i++) {
        const BITMAPINFOHEADER *bi;
        r = FindResourceA(h, MAKEINTRESOURCEA(i), (LPCSTR)RT_BITMAP);
        bi = (const BITMAPINFOHEADER *)LockResource(LoadResource(h, r));
        put("bitmap "); put_u(i); put(": size "); put_u(SizeofResource(h, r));
        put(" header "); put_u(bi ? bi->biSize : 0);
        put(" "); put_i(bi ? bi->biWidth : 0); put("x"); put_i(bi ? bi->biHeight : 0);
        put(" bpp "); put_u(bi ? bi->biBitCount : 0);
        put(" fnv "); put_x(fnv((const BYTE *)bi, bi ? SizeofResource(h, r) : 0)); put("\n");
    }
    r = FindResourceA(h, MAKEINTRESOURCEA(3000), (LPCSTR)RT_RCDATA);
    check_u("level_size", SizeofResource(h, r));
    {
        const char *level = (const char *)LockResource(LoadResource(h, r));
        DWORD n = SizeofResource(h, r), k;
        put("level:\n");
        for (k = 0; level && k < n; k++) {
            char c[2] = { level[k], 0 };
            if (c[0] != '\r' && c[0] != 0) put(c);
        }
        put("\n");
    }
    SetLastError(0);
    check_u("string", LoadStringA(h, 1, buf, sizeof buf));
    check_u("string_error", GetLastError());
    check_u("enum_bitmaps", EnumResourceNamesA(h, (LPCSTR)RT_BITMAP, (ENUMRESNAMEPROCA)count_name, (LONG_PTR)&names));
    check_u("bitmaps", names);
    check_u("not_a_module", GetModuleHandleA("sokoban-x86") == NULL);
    check_u("free", FreeLibrary(h));
    SetLastError(0);
    check_u("freed", FindResourceA(h, MAKEINTRESOURCEA(201), (LPCSTR)RT_BITMAP) != NULL);
    check_u("freed_error", GetLastError());
    ExitProcess(0);
}
