/* The system root's programs as files: C:\WINNT\regedit.exe and C:\WINNT\system32\winver.exe
 * are found by OpenFile(OF_EXIST) and SearchPath through the search path, seen by
 * GetFileAttributes and FindFirstFile, and read by CreateFile; regedit /s imports a REGEDIT4
 * file this program writes (read back with RegQueryValueEx: strings with escapes, the
 * default value, dword, binary with a continued line, hex(2), a subkey, a value and a key
 * deleted), regedit /e exports the key (the file's lines printed), an import of a missing
 * file and of a file that is no registry script fails. The builtin KERNEL32 is a file in the
 * system folder: a PE image with its exports and version, mapped with SEC_IMAGE, and
 * LoadLibrary of its path gives the running KERNEL32. Needs a writable C: with C:\TEMP. */
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

/* The builtin DLL KERNEL32 as a file: its attributes, a PE image mapped with SEC_IMAGE
 * (headers and export directory naming KERNEL32.dll), its version resource, and LoadLibrary
 * of its path giving the module the process runs. */
static void system_dll(void)
{
    typedef DWORD (WINAPI *size_fn)(LPCSTR, LPDWORD);
    typedef BOOL (WINAPI *info_fn)(LPCSTR, DWORD, DWORD, LPVOID);
    typedef BOOL (WINAPI *query_fn)(LPCVOID, LPCSTR, LPVOID *, PUINT);
    char path[MAX_PATH];
    static BYTE info[8192];
    HANDLE f, m;
    BYTE *view;
    DWORD attr, handle = 0, size;
    HMODULE version;
    cat(path, sysdir, "kernel32.dll");
    attr = GetFileAttributesA(path);
    check_u("kernel32.dll GetFileAttributes a file",
            attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY));
    f = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    check_u("kernel32.dll CreateFile", f != INVALID_HANDLE_VALUE);
    m = CreateFileMappingA(f, NULL, PAGE_READONLY | SEC_IMAGE, 0, 0, NULL);
    check_u("kernel32.dll CreateFileMapping SEC_IMAGE", m != NULL);
    view = m ? MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0) : NULL;
    check_u("kernel32.dll MapViewOfFile", view != NULL);
    if (view) {
        IMAGE_NT_HEADERS *nt = (IMAGE_NT_HEADERS *)(view + ((IMAGE_DOS_HEADER *)view)->e_lfanew);
        IMAGE_DATA_DIRECTORY *dir = &nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_EXPORT];
        check_u("kernel32.dll image is a DLL", (nt->FileHeader.Characteristics & IMAGE_FILE_DLL) != 0);
        check_u("kernel32.dll has an export directory", dir->VirtualAddress != 0 && dir->Size != 0);
        if (dir->VirtualAddress) {
            IMAGE_EXPORT_DIRECTORY *e = (IMAGE_EXPORT_DIRECTORY *)(view + dir->VirtualAddress);
            check_u("kernel32.dll export directory names KERNEL32.dll",
                    lstrcmpiA((char *)(view + e->Name), "KERNEL32.dll") == 0);
            check_u("kernel32.dll exports more than 400 names", e->NumberOfNames > 400);
        }
        UnmapViewOfFile(view);
    }
    if (m) CloseHandle(m);
    if (f != INVALID_HANDLE_VALUE) CloseHandle(f);

    version = LoadLibraryA("version.dll");
    if (version) {
        size_fn get_size = (size_fn)GetProcAddress(version, "GetFileVersionInfoSizeA");
        info_fn get_info = (info_fn)GetProcAddress(version, "GetFileVersionInfoA");
        query_fn query_value = (query_fn)GetProcAddress(version, "VerQueryValueA");
        VS_FIXEDFILEINFO *fixed = NULL;
        UINT len = 0;
        size = get_size(path, &handle);
        check_u("kernel32.dll GetFileVersionInfoSize nonzero", size != 0);
        if (size && size <= sizeof(info) && get_info(path, 0, sizeof(info), info)
            && query_value(info, "\\", (void **)&fixed, &len) && fixed) {
            check_u("kernel32.dll version signature", fixed->dwSignature == 0xfeef04bd);
            check_x("kernel32.dll file version major.minor", fixed->dwFileVersionMS);
        } else {
            check_u("kernel32.dll version info read", 0);
        }
    }
    check_u("kernel32.dll LoadLibrary of its path is the running KERNEL32",
            LoadLibraryA(path) == GetModuleHandleA("kernel32.dll"));
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
    system_dll();

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
