/* Resources of its own image: LoadStringA/W, FindResource(Ex)A/W, LoadResource,
 * LockResource, SizeofResource and EnumResourceTypes/Names/Languages with NT 4.0's error
 * codes (resources in res.rc; expected output: tests/guests/expected/res.expected). */
#include "guest.h"

static void put_id(LPCSTR id)
{
    if (IS_INTRESOURCE(id)) { put("#"); put_u((ULONG_PTR)id); } else put(id);
}

static BOOL CALLBACK on_type(HMODULE m, LPSTR type, LONG_PTR param)
{
    (void)m;
    put("type "); put_id(type); put("\n");
    ++*(int *)param;
    return TRUE;
}

static BOOL CALLBACK on_name(HMODULE m, LPCSTR type, LPSTR name, LONG_PTR param)
{
    (void)m; (void)type;
    put("rcdata "); put_id(name); put("\n");
    return --*(int *)param > 0;
}

static BOOL CALLBACK on_name_w(HMODULE m, LPCWSTR type, LPWSTR name, LONG_PTR param)
{
    (void)m; (void)type;
    if (!IS_INTRESOURCE(name)) {
        put("wide name len "); put_u(lstrlenW(name)); put(" first "); put_u(name[0]); put("\n");
    }
    ++*(int *)param;
    return TRUE;
}

static BOOL CALLBACK on_lang(HMODULE m, LPCSTR type, LPCSTR name, WORD lang, LONG_PTR param)
{
    (void)m; (void)type; (void)name;
    put("language "); put_x(lang); put("\n");
    ++*(int *)param;
    return TRUE;
}

/* Nested: names of each type enumerated from inside the type callback. */
static BOOL CALLBACK count_names(HMODULE m, LPSTR type, LPSTR name, LONG_PTR param)
{
    (void)m; (void)type; (void)name;
    ++*(int *)param;
    return TRUE;
}

static BOOL CALLBACK nested_type(HMODULE m, LPSTR type, LONG_PTR param)
{
    int names = 0;
    check_u("nested_ok", EnumResourceNamesA(m, type, (ENUMRESNAMEPROCA)count_names, (LONG_PTR)&names));
    *(int *)param += names;
    return TRUE;
}

static void show_data(const char *name, HRSRC r)
{
    HGLOBAL h = LoadResource(NULL, r);
    const char *p = (const char *)LockResource(h);
    put(name); put(": "); put(p ? p : "(null)"); put(" size "); put_u(SizeofResource(NULL, r)); put("\n");
}

void __stdcall start(void)
{
    char buf[64];
    WCHAR wbuf[64];
    LPCWSTR ro = NULL;
    HMODULE self = GetModuleHandleA(NULL);
    HRSRC r;
    int n;

    check_u("string1_len", LoadStringA(NULL, 1, buf, sizeof buf));
    put("string1: "); put(buf); put("\n");
    check_u("string17_len", LoadStringA(self, 17, buf, sizeof buf));
    put("string17: "); put(buf); put("\n");
    check_u("truncated_len", LoadStringA(self, 1, buf, 6));
    put("truncated: "); put(buf); put("\n");
    check_u("wide_len", LoadStringW(self, 2, wbuf, 64));
    check_u("wide_first", wbuf[0]);
    check_u("wide_nul", wbuf[6]);
    check_u("readonly_len", LoadStringW(self, 1, (LPWSTR)&ro, 0));
    check_u("readonly_in_image", (ULONG_PTR)ro > (ULONG_PTR)self);
    check_u("readonly_char", ro ? ro[0] : 0);
    SetLastError(0);
    check_u("empty_in_block", LoadStringA(self, 3, buf, sizeof buf));
    check_u("empty_in_block_nul", buf[0]);
    SetLastError(0);
    check_u("no_block", LoadStringA(self, 99, buf, sizeof buf));
    check_u("no_block_error", GetLastError());

    r = FindResourceA(NULL, MAKEINTRESOURCEA(101), (LPCSTR)RT_BITMAP);
    check_u("bitmap_found", r != NULL);
    check_u("bitmap_size", SizeofResource(self, r));
    {
        const BITMAPINFOHEADER *bi = (const BITMAPINFOHEADER *)LockResource(LoadResource(self, r));
        check_u("bitmap_header", bi->biSize);
        check_u("bitmap_width", bi->biWidth);
        check_u("bitmap_height", bi->biHeight);
        check_u("bitmap_bits", bi->biBitCount);
        check_u("bitmap_pixel_5", ((const BYTE *)(bi + 1))[5]);
    }
    check_u("same_by_hash", FindResourceA(self, "#101", (LPCSTR)RT_BITMAP) == r);
    check_u("same_wide", FindResourceW(self, MAKEINTRESOURCEW(101), (LPCWSTR)RT_BITMAP) == r);
    show_data("wall_by_name", FindResourceA(self, "wall", (LPCSTR)RT_RCDATA));
    show_data("wall_wide", FindResourceW(self, L"WALL", (LPCWSTR)RT_RCDATA));
    show_data("custom", FindResourceA(self, MAKEINTRESOURCEA(300), "custom"));
    show_data("seven_neutral", FindResourceA(self, MAKEINTRESOURCEA(7), (LPCSTR)RT_RCDATA));
    show_data("seven_de", FindResourceExA(self, (LPCSTR)RT_RCDATA, MAKEINTRESOURCEA(7),
                                          MAKELANGID(LANG_GERMAN, SUBLANG_GERMAN)));
    SetLastError(0);
    check_u("lang_missing", FindResourceExA(self, (LPCSTR)RT_RCDATA, MAKEINTRESOURCEA(7),
                                            MAKELANGID(LANG_FRENCH, SUBLANG_FRENCH)) != NULL);
    check_u("lang_missing_error", GetLastError());
    SetLastError(0);
    check_u("type_missing", FindResourceA(self, MAKEINTRESOURCEA(1), (LPCSTR)RT_DIALOG) != NULL);
    check_u("type_missing_error", GetLastError());
    SetLastError(0);
    check_u("name_missing", FindResourceA(self, "NOPE", (LPCSTR)RT_RCDATA) != NULL);
    check_u("name_missing_error", GetLastError());
    SetLastError(0);
    check_u("builtin_module", FindResourceA(GetModuleHandleA("kernel32"), MAKEINTRESOURCEA(1), (LPCSTR)RT_RCDATA) != NULL);
    check_u("builtin_module_error", GetLastError());
    check_u("free_resource", FreeResource(LoadResource(self, r)));

    n = 0;
    check_u("enum_types", EnumResourceTypesA(self, (ENUMRESTYPEPROCA)on_type, (LONG_PTR)&n));
    check_u("types", n);
    n = 2;
    check_u("enum_names_stopped", EnumResourceNamesA(NULL, (LPCSTR)RT_RCDATA, (ENUMRESNAMEPROCA)on_name, (LONG_PTR)&n));
    check_u("names_left", n);
    n = 0;
    check_u("enum_names_w", EnumResourceNamesW(self, (LPCWSTR)RT_RCDATA, (ENUMRESNAMEPROCW)on_name_w, (LONG_PTR)&n));
    check_u("names_w", n);
    n = 0;
    check_u("enum_langs", EnumResourceLanguagesA(self, (LPCSTR)RT_RCDATA, MAKEINTRESOURCEA(7), (ENUMRESLANGPROCA)on_lang, (LONG_PTR)&n));
    check_u("langs", n);
    n = 0;
    check_u("enum_nested", EnumResourceTypesA(self, (ENUMRESTYPEPROCA)nested_type, (LONG_PTR)&n));
    check_u("nested_names", n);
    SetLastError(0);
    check_u("enum_names_no_type", EnumResourceNamesA(self, (LPCSTR)RT_DIALOG, (ENUMRESNAMEPROCA)on_name, 0));
    check_u("enum_names_no_type_error", GetLastError());
    ExitProcess(0);
}
