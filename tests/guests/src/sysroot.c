/* The system root's programs as files: C:\WINNT\regedit.exe and C:\WINNT\system32\winver.exe
 * are found by OpenFile(OF_EXIST) and SearchPath through the search path, seen by
 * GetFileAttributes and FindFirstFile, and read by CreateFile; regedit /s imports a REGEDIT4
 * file this program writes (read back with RegQueryValueEx: strings with escapes, the
 * default value, dword, binary with a continued line, hex(2), a subkey, a value and a key
 * deleted), regedit /e exports the key (the file's lines printed), an import of a missing
 * file and of a file that is no registry script fails. Needs a writable C: with C:\TEMP. */
#include "guest.h"

static char windir[MAX_PATH], sysdir[MAX_PATH], temp[MAX_PATH];

static void cat(char *dst, const char *a, const char *b)
{
    lstrcpyA(dst, a);
    if (dst[0] && dst[lstrlenA(dst) - 1] != '\\') lstrcatA(dst, "\\");
    lstrcatA(dst, b);
}

static void put_line(const char *name, const char *value)
{
    put(name); put(": "); put(value); put("\n");
}

static void write_file(const char *path, const char *text)
{
    DWORD w;
    HANDLE f = CreateFileA(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    WriteFile(f, text, lstrlenA(text), &w, NULL);
    CloseHandle(f);
}

/* Runs `regedit ARGS` (found through the search path) to its end; its exit code. */
static DWORD regedit(const char *args)
{
    char cmd[3 * MAX_PATH];
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    DWORD code = 0xffffffff;
    int i;
    for (i = 0; i < (int)sizeof(si); i++) ((char *)&si)[i] = 0;
    si.cb = sizeof(si);
    lstrcpyA(cmd, "regedit ");
    lstrcatA(cmd, args);
    if (!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
        check_u("CreateProcess regedit error", GetLastError());
        return code;
    }
    WaitForSingleObject(pi.hProcess, 30000);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return code;
}

static void visible(const char *name, const char *dir)
{
    char expect[MAX_PATH], found[MAX_PATH], line[64];
    char *part = NULL;
    OFSTRUCT ofs;
    WIN32_FIND_DATAA fd;
    HANDLE h;
    DWORD n, attr;
    BYTE head[2] = { 0, 0 };
    cat(expect, dir, name);

    SetLastError(0xfaceabee);
    lstrcpyA(line, name); lstrcatA(line, " OpenFile OF_EXIST");
    check_u(line, (DWORD)OpenFile(name, &ofs, OF_EXIST));
    lstrcpyA(line, name); lstrcatA(line, " OpenFile nErrCode");
    check_u(line, ofs.nErrCode);
    lstrcpyA(line, name); lstrcatA(line, " OpenFile path in its folder");
    check_u(line, lstrcmpiA(ofs.szPathName, expect) == 0);

    n = SearchPathA(NULL, name, NULL, sizeof(found), found, &part);
    lstrcpyA(line, name); lstrcatA(line, " SearchPath found");
    check_u(line, n == (DWORD)lstrlenA(expect) && lstrcmpiA(found, expect) == 0);

    attr = GetFileAttributesA(expect);
    lstrcpyA(line, name); lstrcatA(line, " GetFileAttributes a file");
    check_u(line, attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY));

    h = FindFirstFileA(expect, &fd);
    lstrcpyA(line, name); lstrcatA(line, " FindFirstFile");
    check_u(line, h != INVALID_HANDLE_VALUE && lstrcmpiA(fd.cFileName, name) == 0);
    if (h != INVALID_HANDLE_VALUE) FindClose(h);

    h = CreateFileA(expect, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (h != INVALID_HANDLE_VALUE) {
        ReadFile(h, head, 2, &n, NULL);
        CloseHandle(h);
    }
    lstrcpyA(line, name); lstrcatA(line, " CreateFile reads MZ");
    check_u(line, head[0] == 'M' && head[1] == 'Z');
}

static void query(HKEY key, const char *name)
{
    BYTE data[64];
    char hex[3 * 64 + 1], label[80];
    DWORD type = 0, size = sizeof(data), i;
    LONG r = RegQueryValueExA(key, name, NULL, &type, data, &size);
    lstrcpyA(label, "value ");
    lstrcatA(label, name[0] ? name : "@");
    if (r != ERROR_SUCCESS) {
        lstrcatA(label, " error");
        check_u(label, r);
        return;
    }
    put(label); put(": type "); put_u(type); put(" size "); put_u(size); put(" ");
    if (type == REG_SZ) {
        put("\""); put((char *)data); put("\"\n");
        return;
    }
    for (i = 0; i < size; i++) {
        static const char digits[] = "0123456789abcdef";
        hex[3 * i] = digits[data[i] >> 4];
        hex[3 * i + 1] = digits[data[i] & 15];
        hex[3 * i + 2] = ' ';
    }
    hex[3 * size] = 0;
    put(hex); put("\n");
}

#define KEY "Software\\ntemu-sysroot-test"

void __stdcall start(void)
{
    char reg[MAX_PATH], exported[MAX_PATH], bad[MAX_PATH], args[3 * MAX_PATH];
    HKEY key;
    LONG r;
    HANDLE f;
    static char text[4096];
    DWORD n = 0, i, number = 0, unicode = 0;

    GetWindowsDirectoryA(windir, sizeof(windir));
    GetSystemDirectoryA(sysdir, sizeof(sysdir));
    GetTempPathA(sizeof(temp), temp);
    visible("regedit.exe", windir);
    visible("winver.exe", sysdir);

    /* A leftover of an earlier run goes first. */
    RegDeleteKeyA(HKEY_CURRENT_USER, KEY "\\Sub");
    RegDeleteKeyA(HKEY_CURRENT_USER, KEY "\\Gone");
    RegDeleteKeyA(HKEY_CURRENT_USER, KEY);

    cat(reg, temp, "sysroot.reg");
    write_file(reg,
               "REGEDIT4\r\n"
               "\r\n"
               "; a comment\r\n"
               "[HKEY_CURRENT_USER\\" KEY "]\r\n"
               "\"Str\"=\"a \\\"quoted\\\" \\\\ string\"\r\n"
               "@=\"the default\"\r\n"
               "\"Num\"=dword:0000002a\r\n"
               "\"Bin\"=hex:01,02,\\\r\n"
               "  ff,80\r\n"
               "\"Exp\"=hex(2):25,41,25,00\r\n"
               "\"Doomed\"=\"x\"\r\n"
               "\"Doomed\"=-\r\n"
               "\r\n"
               "[HKEY_CURRENT_USER\\" KEY "\\Sub]\r\n"
               "\"x\"=\"y\"\r\n"
               "\r\n"
               "[HKEY_CURRENT_USER\\" KEY "\\Gone]\r\n"
               "\r\n"
               "[-HKEY_CURRENT_USER\\" KEY "\\Gone]\r\n");
    lstrcpyA(args, "/s \"");
    lstrcatA(args, reg);
    lstrcatA(args, "\"");
    check_u("regedit /s exit code", regedit(args));

    r = RegOpenKeyExA(HKEY_CURRENT_USER, KEY, 0, KEY_READ, &key);
    check_u("imported key opened", r);
    if (r == ERROR_SUCCESS) {
        query(key, "Str");
        query(key, "");
        query(key, "Num");
        query(key, "Bin");
        query(key, "Exp");
        query(key, "Doomed");
        RegCloseKey(key);
    }
    r = RegOpenKeyExA(HKEY_CURRENT_USER, KEY "\\Sub", 0, KEY_READ, &key);
    check_u("imported subkey opened", r);
    if (r == ERROR_SUCCESS) {
        query(key, "x");
        RegCloseKey(key);
    }
    r = RegOpenKeyExA(HKEY_CURRENT_USER, KEY "\\Gone", 0, KEY_READ, &key);
    check_u("deleted key opened", r);
    if (r == ERROR_SUCCESS) RegCloseKey(key);

    /* Export of the key: the file's lines. */
    cat(exported, temp, "sysroot-export.reg");
    lstrcpyA(args, "/e \"");
    lstrcatA(args, exported);
    lstrcatA(args, "\" \"HKEY_CURRENT_USER\\" KEY "\"");
    check_u("regedit /e exit code", regedit(args));
    f = CreateFileA(exported, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (f != INVALID_HANDLE_VALUE) {
        ReadFile(f, text, sizeof(text) - 1, &n, NULL);
        CloseHandle(f);
    }
    if (n >= 2 && (BYTE)text[0] == 0xff && (BYTE)text[1] == 0xfe) {
        /* A Unicode file: its text in ANSI. */
        static char ansi[4096];
        int len = WideCharToMultiByte(CP_ACP, 0, (WCHAR *)(text + 2), (n - 2) / 2, ansi,
                                      sizeof(ansi) - 1, NULL, NULL);
        unicode = 1;
        for (i = 0; i < (DWORD)len; i++) text[i] = ansi[i];
        n = len;
    }
    text[n] = 0;
    check_u("export is Unicode", unicode);
    {
        char *line = text;
        for (i = 0; i <= n; i++) {
            if (text[i] == '\n' || text[i] == 0) {
                BOOL cr = i > 0 && text[i - 1] == '\r';
                if (cr) text[i - 1] = 0;
                text[i] = 0;
                if (line < text + n) {
                    put("export line "); put_u(number++); put(": ");
                    put(line); put(cr ? "\n" : " (no CR)\n");
                }
                line = text + i + 1;
            }
        }
    }

    /* The imported key is deleted by a file, then imports that fail. */
    write_file(reg, "REGEDIT4\r\n\r\n[-HKEY_CURRENT_USER\\" KEY "]\r\n");
    lstrcpyA(args, "/s \"");
    lstrcatA(args, reg);
    lstrcatA(args, "\"");
    check_u("regedit /s delete exit code", regedit(args));
    r = RegOpenKeyExA(HKEY_CURRENT_USER, KEY, 0, KEY_READ, &key);
    check_u("key after delete opened", r);
    if (r == ERROR_SUCCESS) RegCloseKey(key);

    cat(bad, temp, "sysroot-missing.reg");
    lstrcpyA(args, "/s \"");
    lstrcatA(args, bad);
    lstrcatA(args, "\"");
    check_u("regedit /s of a missing file exit code", regedit(args));
    write_file(reg, "not a registry script\r\n[HKEY_CURRENT_USER\\" KEY "]\r\n");
    lstrcpyA(args, "/s \"");
    lstrcatA(args, reg);
    lstrcatA(args, "\"");
    check_u("regedit /s of no script exit code", regedit(args));
    r = RegOpenKeyExA(HKEY_CURRENT_USER, KEY, 0, KEY_READ, &key);
    check_u("key after no script opened", r);
    if (r == ERROR_SUCCESS) RegCloseKey(key);
    DeleteFileA(reg);
    DeleteFileA(exported);
    ExitProcess(0);
}
