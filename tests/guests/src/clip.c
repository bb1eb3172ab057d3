/* The clipboard as a console program uses it (elvis's "* register): OpenClipboard with no
 * window, EmptyClipboard, SetClipboardData of a moveable global block, GetClipboardData,
 * IsClipboardFormatAvailable with the formats NT synthesizes from CF_TEXT, the errors of
 * a clipboard that is not open, and registered formats. Also GetActiveWindow (none for a
 * console program) and MessageBeep. Expected output: tests/guests/expected/clip.wine. */
#include "guest.h"

static unsigned long text_len(const char *s)
{
    unsigned long n = 0;
    while (s[n]) n++;
    return n;
}

static int same(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

static HGLOBAL text_block(const char *s)
{
    unsigned long n = text_len(s) + 1, i;
    HGLOBAL h = GlobalAlloc(GMEM_MOVEABLE | GMEM_DDESHARE, n);
    char *p = GlobalLock(h);
    for (i = 0; i < n; i++) p[i] = s[i];
    GlobalUnlock(h);
    return h;
}

static void show_text(const char *name, HANDLE h)
{
    const char *p;
    put(name); put(": ");
    if (!h) { put("(null)\n"); return; }
    p = GlobalLock(h);
    put(p ? p : "(unlocked null)");
    put("\n");
    GlobalUnlock(h);
}

void __stdcall start(void)
{
    HANDLE h;
    UINT fmt, fmt2, f;
    char name[64];
    int n;

    check_x("active_window", (unsigned long)GetActiveWindow());
    check_u("message_beep", MessageBeep(MB_OK));

    /* Nothing open yet. */
    SetLastError(0xdead);
    check_u("close_unopened", CloseClipboard());
    check_u("close_unopened_error", GetLastError());
    SetLastError(0xdead);
    check_u("empty_unopened", EmptyClipboard());
    check_u("empty_unopened_error", GetLastError());
    SetLastError(0xdead);
    check_x("get_unopened", (unsigned long)GetClipboardData(CF_TEXT));
    check_u("get_unopened_error", GetLastError());

    check_u("open", OpenClipboard(NULL));
    check_u("open_again", OpenClipboard(NULL));
    check_u("empty", EmptyClipboard());
    check_u("count_empty", CountClipboardFormats());
    check_u("text_available_empty", IsClipboardFormatAvailable(CF_TEXT));
    h = text_block("clipboard text from ntemu");
    check_u("set_same_handle", SetClipboardData(CF_TEXT, h) == h);
    check_u("close", CloseClipboard());

    check_u("text_available", IsClipboardFormatAvailable(CF_TEXT));
    check_u("oemtext_available", IsClipboardFormatAvailable(CF_OEMTEXT));
    check_u("unicodetext_available", IsClipboardFormatAvailable(CF_UNICODETEXT));
    check_u("bitmap_available", IsClipboardFormatAvailable(CF_BITMAP));

    check_u("open_to_read", OpenClipboard(NULL));
    show_text("text", GetClipboardData(CF_TEXT));
    show_text("oemtext", GetClipboardData(CF_OEMTEXT));
    h = GetClipboardData(CF_UNICODETEXT);
    if (h) {
        const WCHAR *w = GlobalLock(h);
        put("unicode_first: "); put_u(w[0]); put("\n");
        check_u("unicode_length", lstrlenW(w));
        GlobalUnlock(h);
    } else {
        put("unicode: (null)\n");
    }
    SetLastError(0xdead);
    check_x("bitmap", (unsigned long)GetClipboardData(CF_BITMAP));
    /* Formats in the order EnumClipboardFormats gives them. */
    put("formats:");
    for (f = EnumClipboardFormats(0); f; f = EnumClipboardFormats(f)) {
        put(" "); put_u(f);
    }
    put("\n");
    check_u("close_after_read", CloseClipboard());

    /* Registered formats: the same name gives the same number, case-insensitively. */
    fmt = RegisterClipboardFormatA("ntemu private format");
    fmt2 = RegisterClipboardFormatA("NTEMU Private Format");
    check_u("registered_in_range", fmt >= 0xC000 && fmt <= 0xFFFF);
    check_u("registered_same", fmt == fmt2);
    n = GetClipboardFormatNameA(fmt, name, sizeof name);
    check_u("format_name_length", n);
    check_u("format_name_same", same(name, "ntemu private format"));
    SetLastError(0xdead);
    check_u("standard_format_name", GetClipboardFormatNameA(CF_TEXT, name, sizeof name));

    /* A registered format carries data too, beside the text. */
    check_u("open_private", OpenClipboard(NULL));
    check_x("set_private_keeps_text", SetClipboardData(fmt, text_block("private")) != NULL);
    check_u("close_private", CloseClipboard());
    check_u("private_available", IsClipboardFormatAvailable(fmt));
    check_u("text_still_available", IsClipboardFormatAvailable(CF_TEXT));
    check_u("open_empty", OpenClipboard(NULL));
    check_u("empty_again", EmptyClipboard());
    check_u("close_empty", CloseClipboard());
    check_u("text_after_empty", IsClipboardFormatAvailable(CF_TEXT));
    check_u("count_after_empty", CountClipboardFormats());
    ExitProcess(0);
}
