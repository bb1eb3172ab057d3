/* regedit.exe: ntemu's own version of NT 4.0's registry editor C:\WINNT\regedit.exe, for
 * its command line (built by build.sh beside this file with mingw-w64; the image is committed
 * and installed on the system drive at start-up, see src/sysroot.rs):
 *
 *   regedit [/s] FILE.reg         imports a REGEDIT4 file through ADVAPI32's Reg* calls;
 *                                 /s: silently (else a message box tells the result)
 *   regedit /e FILE.reg [KEY]     exports KEY (a full name, HKEY_LOCAL_MACHINE\...) and its
 *                                 subkeys as a REGEDIT4 file; no KEY: HKEY_LOCAL_MACHINE and
 *                                 HKEY_USERS, the whole registry
 *   /l:FILE and /r:FILE (NT's other system and user hive files) are accepted and ignored.
 *
 * NT 4.0's regedit is a GUI program that opens its window when started without a file and
 * tells the result of an import without /s, or an error, in a message box. ntemu runs no GUI
 * program yet, so its regedit is a console program (runnable as `ntemu run`): without a file
 * it prints its usage on stderr and ends with exit code 1; messages go to stdout (the import's
 * result, not with /s) and stderr (errors, not with /s). The exit code is 0 when the import
 * or export succeeded and 1 otherwise.
 *
 * A REGEDIT4 file: the first line "REGEDIT4"; then "[KEY]" lines (the key is created) or
 * "[-KEY]" (the key and its subkeys are deleted), and value lines below a key: "NAME"=DATA or
 * @=DATA (the key's default value), DATA being "STRING" (REG_SZ; \\ and \" escape),
 * dword:XXXXXXXX (REG_DWORD), hex:XX,XX,... (REG_BINARY), hex(T):XX,... (type T), or -
 * (the value is deleted). A line ending in a backslash continues on the next; lines starting
 * with ';' are comments. */
#include <windows.h>

static HANDLE heap;

static void *alloc(DWORD n) { return HeapAlloc(heap, 0, n ? n : 1); }
static void release(void *p) { if (p) HeapFree(heap, 0, p); }

/* ---- Messages ---- */

static void write_std(DWORD which, const char *text)
{
    DWORD w;
    WriteFile(GetStdHandle(which), text, lstrlenA(text), &w, NULL);
}

/* A message on stderr (an error) or stdout, unless silent. */
static void tell(BOOL silent, const char *fmt, const char *arg, BOOL error)
{
    char text[MAX_PATH + 200];
    if (silent) return;
    wsprintfA(text, fmt, arg);
    lstrcatA(text, "\r\n");
    write_std(error ? STD_ERROR_HANDLE : STD_OUTPUT_HANDLE, text);
}

/* ---- Root keys ---- */

static const struct { const char *name; HKEY key; } roots[] = {
    { "HKEY_LOCAL_MACHINE", HKEY_LOCAL_MACHINE },
    { "HKEY_CURRENT_USER", HKEY_CURRENT_USER },
    { "HKEY_CLASSES_ROOT", HKEY_CLASSES_ROOT },
    { "HKEY_USERS", HKEY_USERS },
    { "HKEY_CURRENT_CONFIG", HKEY_CURRENT_CONFIG },
};

/* Splits a full key name into its root key and the path below it (*sub; "" for the root).
 * Returns NULL when the name does not start with a root key's name. */
static HKEY split_key(char *path, char **sub)
{
    int i;
    for (i = 0; i < (int)(sizeof(roots) / sizeof(roots[0])); i++) {
        int n = lstrlenA(roots[i].name);
        char saved = path[n];
        if (lstrlenA(path) < n) continue;
        if (saved != 0 && saved != '\\') continue;
        path[n] = 0;
        if (lstrcmpiA(path, roots[i].name) == 0) {
            path[n] = saved;
            *sub = saved ? path + n + 1 : path + n;
            return roots[i].key;
        }
        path[n] = saved;
    }
    return NULL;
}

/* Deletes key `sub` of `parent` with its subkeys (NT 4.0's RegDeleteKey deletes only a key
 * without subkeys). */
static LONG delete_tree(HKEY parent, const char *sub)
{
    HKEY key;
    char name[MAX_PATH];
    LONG r = RegOpenKeyExA(parent, sub, 0, KEY_ALL_ACCESS, &key);
    if (r != ERROR_SUCCESS) return r;
    for (;;) {
        DWORD len = sizeof(name);
        if (RegEnumKeyExA(key, 0, name, &len, NULL, NULL, NULL, NULL) != ERROR_SUCCESS) break;
        if (delete_tree(key, name) != ERROR_SUCCESS) break;
    }
    RegCloseKey(key);
    return RegDeleteKeyA(parent, sub);
}

/* ---- Import ---- */

static int hexdigit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads a quoted string at *p (after its opening quote) into out, undoing \\ and \" ;
 * leaves *p after the closing quote. Returns the length, or -1 without a closing quote. */
static int unquote(char **p, char *out)
{
    char *s = *p;
    int n = 0;
    while (*s && *s != '"') {
        if (*s == '\\' && (s[1] == '\\' || s[1] == '"')) s++;
        out[n++] = *s++;
    }
    if (*s != '"') return -1;
    out[n] = 0;
    *p = s + 1;
    return n;
}

/* Imports one value line below `key`. Returns FALSE when the line is not a value line. */
static BOOL import_value(HKEY key, char *line)
{
    char *p = line, *name, *data;
    DWORD type, size = 0, n;
    BYTE *bytes;
    LONG r;
    int len = lstrlenA(line);
    name = alloc(len + 1);
    data = alloc(len + 1);
    if (*p == '@') {
        name[0] = 0;
        p++;
    } else if (*p == '"') {
        p++;
        if (unquote(&p, name) < 0) goto bad;
    } else goto bad;
    while (*p == ' ' || *p == '\t') p++;
    if (*p++ != '=') goto bad;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '-') {
        RegDeleteValueA(key, name[0] ? name : NULL);
        goto done;
    }
    if (*p == '"') {
        p++;
        n = unquote(&p, data);
        if ((int)n < 0) goto bad;
        r = RegSetValueExA(key, name, 0, REG_SZ, (BYTE *)data, n + 1);
        goto set;
    }
    if (CompareStringA(LOCALE_SYSTEM_DEFAULT, NORM_IGNORECASE, p, 6, "dword:", 6) == CSTR_EQUAL) {
        DWORD v = 0;
        int d, count = 0;
        p += 6;
        while ((d = hexdigit(*p)) >= 0 && count < 8) { v = v * 16 + d; p++; count++; }
        if (count == 0) goto bad;
        r = RegSetValueExA(key, name, 0, REG_DWORD, (BYTE *)&v, 4);
        goto set;
    }
    if (CompareStringA(LOCALE_SYSTEM_DEFAULT, NORM_IGNORECASE, p, 3, "hex", 3) != CSTR_EQUAL) goto bad;
    p += 3;
    type = REG_BINARY;
    if (*p == '(') {
        int d;
        type = 0;
        p++;
        while ((d = hexdigit(*p)) >= 0) { type = type * 16 + d; p++; }
        if (*p++ != ')') goto bad;
    }
    if (*p++ != ':') goto bad;
    bytes = (BYTE *)data;
    for (;;) {
        int hi, lo;
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        hi = hexdigit(p[0]);
        lo = hi >= 0 ? hexdigit(p[1]) : -1;
        if (lo < 0) goto bad;
        bytes[size++] = (BYTE)(hi * 16 + lo);
        p += 2;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == ',') p++;
        else if (*p) goto bad;
    }
    r = RegSetValueExA(key, name, 0, type, bytes, size);
set:
    (void)r;
done:
    release(name);
    release(data);
    return TRUE;
bad:
    release(name);
    release(data);
    return FALSE;
}

static char *read_whole(const char *path, DWORD *size)
{
    HANDLE f = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    char *text;
    DWORD got = 0;
    if (f == INVALID_HANDLE_VALUE) return NULL;
    *size = GetFileSize(f, NULL);
    if (*size == INVALID_FILE_SIZE) { CloseHandle(f); return NULL; }
    text = alloc(*size + 1);
    if (!text || !ReadFile(f, text, *size, &got, NULL)) { CloseHandle(f); return NULL; }
    CloseHandle(f);
    text[got] = 0;
    *size = got;
    return text;
}

static int import_file(const char *path, BOOL silent)
{
    DWORD size, i = 0;
    char *text = read_whole(path, &size), *line;
    HKEY key = NULL;
    BOOL first = TRUE;
    if (!text) {
        tell(silent, "Cannot import %s: Error opening the file. There may be a disk or file system error.", path, TRUE);
        return 1;
    }
    line = alloc(size + 1);
    while (i < size) {
        /* One logical line: physical lines joined where one ends in a backslash, the next's
         * leading blanks dropped. */
        int n = 0;
        for (;;) {
            int start = n;
            while (i < size && text[i] != '\r' && text[i] != '\n') line[n++] = text[i++];
            if (i < size && text[i] == '\r') i++;
            if (i < size && text[i] == '\n') i++;
            while (n > start && (line[n - 1] == ' ' || line[n - 1] == '\t')) n--;
            if (n > 0 && line[n - 1] == '\\' && i < size) {
                n--;
                while (i < size && (text[i] == ' ' || text[i] == '\t')) i++;
                continue;
            }
            break;
        }
        line[n] = 0;
        if (first) {
            first = FALSE;
            if (lstrcmpA(line, "REGEDIT4") != 0) {
                tell(silent, "Cannot import %s: The specified file is not a registry script. You can only import binary registry files from within the registry editor.", path, TRUE);
                release(line);
                release(text);
                return 1;
            }
            continue;
        }
        {
            char *p = line;
            while (*p == ' ' || *p == '\t') p++;
            if (!*p || *p == ';') continue;
            if (*p == '[') {
                char *end = p + lstrlenA(p) - 1, *sub;
                HKEY root;
                BOOL remove = p[1] == '-';
                if (key) { RegCloseKey(key); key = NULL; }
                if (*end != ']') continue;
                *end = 0;
                p += remove ? 2 : 1;
                root = split_key(p, &sub);
                if (!root) continue;
                if (remove) {
                    if (*sub) delete_tree(root, sub);
                } else if (RegCreateKeyExA(root, sub, 0, NULL, REG_OPTION_NON_VOLATILE,
                                           KEY_ALL_ACCESS, NULL, &key, NULL) != ERROR_SUCCESS) {
                    key = NULL;
                }
                continue;
            }
            if (key) import_value(key, p);
        }
    }
    if (key) RegCloseKey(key);
    release(line);
    release(text);
    tell(silent, "Information in %s has been successfully entered into the registry.", path, FALSE);
    return 0;
}

/* ---- Export ---- */

static HANDLE out;
static char obuf[4096];
static int olen;

static void flush(void)
{
    DWORD w;
    if (olen) WriteFile(out, obuf, olen, &w, NULL);
    olen = 0;
}

static void put(const char *s, int n)
{
    while (n-- > 0) {
        if (olen == sizeof(obuf)) flush();
        obuf[olen++] = *s++;
    }
}

static void puts_(const char *s) { put(s, lstrlenA(s)); }

static void put_quoted(const char *s, DWORD n)
{
    DWORD i;
    put("\"", 1);
    for (i = 0; i < n && s[i]; i++) {
        if (s[i] == '\\' || s[i] == '"') put("\\", 1);
        put(s + i, 1);
    }
    put("\"", 1);
}

static void export_value(const char *name, DWORD type, const BYTE *data, DWORD size)
{
    char tmp[32];
    int col;
    DWORD i;
    if (name[0]) put_quoted(name, lstrlenA(name));
    else put("@", 1);
    put("=", 1);
    col = (name[0] ? lstrlenA(name) + 2 : 1) + 1;
    if (type == REG_SZ) {
        DWORD n = size;
        if (n && data[n - 1] == 0) n--;
        put_quoted((const char *)data, n);
        puts_("\r\n");
        return;
    }
    if (type == REG_DWORD && size == 4) {
        wsprintfA(tmp, "dword:%08lx\r\n", *(const DWORD *)data);
        puts_(tmp);
        return;
    }
    if (type == REG_BINARY) lstrcpyA(tmp, "hex:");
    else wsprintfA(tmp, "hex(%lx):", type);
    puts_(tmp);
    col += lstrlenA(tmp);
    for (i = 0; i < size; i++) {
        wsprintfA(tmp, "%02x", data[i]);
        put(tmp, 2);
        col += 2;
        if (i + 1 < size) {
            put(",", 1);
            col++;
            if (col >= 76) {
                puts_("\\\r\n  ");
                col = 2;
            }
        }
    }
    puts_("\r\n");
}

static void export_key(HKEY key, char *path)
{
    DWORD subkeys = 0, maxsub = 0, values = 0, maxname = 0, maxdata = 0, i;
    char *name, *sub;
    BYTE *data;
    int plen = lstrlenA(path);
    puts_("[");
    puts_(path);
    puts_("]\r\n");
    if (RegQueryInfoKeyA(key, NULL, NULL, NULL, &subkeys, &maxsub, NULL, &values, &maxname,
                         &maxdata, NULL, NULL) != ERROR_SUCCESS) {
        puts_("\r\n");
        return;
    }
    name = alloc(maxname + 1);
    data = alloc(maxdata + 1);
    for (i = 0; i < values; i++) {
        DWORD nlen = maxname + 1, dlen = maxdata + 1, type;
        if (RegEnumValueA(key, i, name, &nlen, NULL, &type, data, &dlen) != ERROR_SUCCESS) break;
        export_value(name, type, data, dlen);
    }
    puts_("\r\n");
    release(name);
    release(data);
    sub = alloc(plen + maxsub + 2);
    for (i = 0; i < subkeys; i++) {
        DWORD slen = maxsub + 1;
        HKEY child;
        lstrcpyA(sub, path);
        sub[plen] = '\\';
        if (RegEnumKeyExA(key, i, sub + plen + 1, &slen, NULL, NULL, NULL, NULL) != ERROR_SUCCESS) break;
        if (RegOpenKeyExA(key, sub + plen + 1, 0, KEY_READ, &child) == ERROR_SUCCESS) {
            export_key(child, sub);
            RegCloseKey(child);
        }
    }
    release(sub);
}

static int export_file(const char *path, char *keyname)
{
    HKEY root = NULL, key;
    char *sub = NULL;
    if (keyname) {
        root = split_key(keyname, &sub);
        if (!root || RegOpenKeyExA(root, sub, 0, KEY_READ, &key) != ERROR_SUCCESS) {
            tell(FALSE, "Cannot export %s: The specified key does not exist.", keyname, TRUE);
            return 1;
        }
    }
    out = CreateFileA(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (out == INVALID_HANDLE_VALUE) {
        if (keyname) RegCloseKey(key);
        tell(FALSE, "Cannot export %s: Error creating or writing to the file. There may be a disk or file system error.", path, TRUE);
        return 1;
    }
    puts_("REGEDIT4\r\n\r\n");
    if (keyname) {
        export_key(key, keyname);
        RegCloseKey(key);
    } else {
        char lm[] = "HKEY_LOCAL_MACHINE", us[] = "HKEY_USERS";
        export_key(HKEY_LOCAL_MACHINE, lm);
        export_key(HKEY_USERS, us);
    }
    flush();
    CloseHandle(out);
    return 0;
}

/* ---- Command line ---- */

/* The next argument at *p (quotes removed) copied into a fresh buffer; NULL at the end. */
static char *next_arg(char **p)
{
    char *s = *p, *arg;
    int n = 0;
    BOOL quoted = FALSE;
    while (*s == ' ' || *s == '\t') s++;
    if (!*s) return NULL;
    arg = alloc(lstrlenA(s) + 1);
    while (*s && (quoted || (*s != ' ' && *s != '\t'))) {
        if (*s == '"') quoted = !quoted;
        else arg[n++] = *s;
        s++;
    }
    arg[n] = 0;
    *p = s;
    return arg;
}

void __stdcall start(void)
{
    char *cmd, *arg, *file = NULL, *key = NULL;
    BOOL silent = FALSE, export = FALSE;
    int code;
    heap = GetProcessHeap();
    cmd = GetCommandLineA();
    release(next_arg(&cmd)); /* the program's name */
    while ((arg = next_arg(&cmd)) != NULL) {
        if ((arg[0] == '/' || arg[0] == '-') && arg[1]) {
            char c = arg[1] | 0x20;
            if (c == 's') silent = TRUE;
            else if (c == 'e') export = TRUE;
            /* /l:FILE, /r:FILE (other hive files), /c and others: accepted, no effect. */
            release(arg);
        } else if (!file) {
            file = arg;
        } else if (!key) {
            key = arg;
        } else {
            release(arg);
        }
    }
    if (!file) {
        write_std(STD_ERROR_HANDLE,
                  "regedit: ntemu's Registry Editor has no window yet. Use\r\n"
                  "  regedit [/s] FILE.reg          to import a REGEDIT4 file\r\n"
                  "  regedit /e FILE.reg [KEY]      to export the registry or one key\r\n");
        code = 1;
    } else if (export) {
        code = export_file(file, key);
    } else {
        code = import_file(file, silent);
    }
    ExitProcess(code);
}
