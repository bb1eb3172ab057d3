/* regwrite.exe NAME COUNT [ROUNDS [noflush]]: writes the keys
 * HKCU\Software\ntemu-regwrite\NAME\K0 .. K<COUNT-1>, each with a DWORD "round" and a string
 * "text" ("round N of NAME"), ROUNDS times over (0: for ever), flushing the hive with
 * RegFlushKey after each round (unless "noflush": then the registry's own deferred writes
 * must save them); prints "done" at the end. The crash test kills it mid-write; the
 * concurrency test runs two at once with different NAMEs. */
#include "guest.h"

static const char *skip_word(const char *p)
{
    while (*p == ' ') p++;
    if (*p == '"') { p++; while (*p && *p != '"') p++; if (*p) p++; }
    else while (*p && *p != ' ') p++;
    while (*p == ' ') p++;
    return p;
}

static const char *word(const char *p, char *out, int max)
{
    int n = 0;
    while (*p && *p != ' ' && n < max - 1) out[n++] = *p++;
    out[n] = 0;
    while (*p == ' ') p++;
    return p;
}

static DWORD number(const char *s)
{
    DWORD n = 0;
    while (*s >= '0' && *s <= '9') n = n * 10 + (DWORD)(*s++ - '0');
    return n;
}

static char *append(char *p, const char *s)
{
    while (*s) *p++ = *s++;
    *p = 0;
    return p;
}

static char *append_u(char *p, DWORD v)
{
    char digits[12];
    int i = 11;
    digits[i] = 0;
    do { digits[--i] = (char)('0' + v % 10); v /= 10; } while (v);
    return append(p, digits + i);
}

void __stdcall start(void)
{
    const char *args = skip_word(GetCommandLineA());
    char name[64], count_s[16], rounds_s[16], flush_s[16], path[160], text[128];
    DWORD count, rounds, round, i;
    HKEY root, k;

    args = word(args, name, sizeof name);
    args = word(args, count_s, sizeof count_s);
    args = word(args, rounds_s, sizeof rounds_s);
    word(args, flush_s, sizeof flush_s);
    count = number(count_s);
    rounds = number(rounds_s);
    if (!name[0] || !count) {
        put("usage: regwrite NAME COUNT [ROUNDS]\n");
        ExitProcess(2);
    }
    append(append(path, "Software\\ntemu-regwrite\\"), name);
    if (RegCreateKeyExA(HKEY_CURRENT_USER, path, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &root, NULL)) {
        put("cannot create the key\n");
        ExitProcess(1);
    }
    for (round = 1; rounds == 0 || round <= rounds; round++) {
        for (i = 0; i < count; i++) {
            char kname[16];
            append_u(append(kname, "K"), i);
            RegCreateKeyExA(root, kname, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &k, NULL);
            RegSetValueExA(k, "round", 0, REG_DWORD, (BYTE *)&round, 4);
            append(append_u(append(text, "round "), round), " of ");
            append(text + lstrlenA(text), name);
            RegSetValueExA(k, "text", 0, REG_SZ, (BYTE *)text, lstrlenA(text) + 1);
            RegCloseKey(k);
        }
        if (flush_s[0] != 'n') RegFlushKey(root);
    }
    RegCloseKey(root);
    put("done\n");
    ExitProcess(0);
}
