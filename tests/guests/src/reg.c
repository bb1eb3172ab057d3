/* reg.exe: ADVAPI32's registry API (A and W), NTDLL's key services, tokens and privileges,
 * SIDs, ACLs and security descriptors, account lookups, GetUserName, the event log,
 * IsTextUnicode, GetCurrentHwProfile, and KERNEL32's profile (.ini) functions, with their
 * error codes. One line per check ("name: value"); expected values in expected/reg.expected
 * (NT 4.0's), Wine's in expected/reg.wine. Run it with drive C: writable (it writes
 * C:\ntemu-reg.ini, C:\ntemu-reg.hiv and win.ini's [ntemu-reg] section, and removes them). */
#include "guest.h"

typedef LONG NTSTATUS;
typedef struct { USHORT Length, MaximumLength; PWSTR Buffer; } UNICODE_STRING_;
typedef struct {
    ULONG Length; HANDLE RootDirectory; UNICODE_STRING_ *ObjectName; ULONG Attributes;
    PVOID SecurityDescriptor, SecurityQualityOfService;
} OBJECT_ATTRIBUTES_;
__declspec(dllimport) NTSTATUS __stdcall NtOpenKey(PHANDLE, ACCESS_MASK, OBJECT_ATTRIBUTES_ *);
__declspec(dllimport) NTSTATUS __stdcall NtQueryValueKey(HANDLE, UNICODE_STRING_ *, ULONG, PVOID, ULONG, PULONG);
__declspec(dllimport) NTSTATUS __stdcall NtSetValueKey(HANDLE, UNICODE_STRING_ *, ULONG, ULONG, PVOID, ULONG);
__declspec(dllimport) NTSTATUS __stdcall NtEnumerateKey(HANDLE, ULONG, ULONG, PVOID, ULONG, PULONG);
__declspec(dllimport) NTSTATUS __stdcall NtCreateKey(PHANDLE, ACCESS_MASK, OBJECT_ATTRIBUTES_ *, ULONG, UNICODE_STRING_ *, ULONG, PULONG);
__declspec(dllimport) NTSTATUS __stdcall NtDeleteKey(HANDLE);
__declspec(dllimport) NTSTATUS __stdcall NtClose(HANDLE);
__declspec(dllimport) VOID __stdcall RtlInitUnicodeString(UNICODE_STRING_ *, PCWSTR);

#define TEST "Software\\ntemu-regtest"

static void check_i(const char *name, long value)
{
    put(name); put(": "); put_i(value); put("\n");
}

static void check_s(const char *name, const char *value)
{
    put(name); put(": \""); put(value); put("\"\n");
}

static int slen(const char *s) { int n = 0; while (s[n]) n++; return n; }
static int wlen(const WCHAR *s) { int n = 0; while (s[n]) n++; return n; }
static int seq(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}
static void fill(void *p, int c, int n) { char *b = p; while (n--) *b++ = (char)c; }
static void narrow(char *out, const WCHAR *w) { while ((*out++ = (char)*w++)) ; }

/* Deletes a key and everything below it (RegDeleteKey deletes only childless keys). */
static void delete_tree(HKEY parent, const char *name)
{
    HKEY k;
    char sub[256];
    if (RegOpenKeyExA(parent, name, 0, KEY_ALL_ACCESS, &k)) return;
    while (!RegEnumKeyA(k, 0, sub, sizeof sub)) delete_tree(k, sub);
    RegCloseKey(k);
    RegDeleteKeyA(parent, name);
}

static BOOL set_privilege(const char *name, BOOL on)
{
    HANDLE t;
    TOKEN_PRIVILEGES tp;
    BOOL ok;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES, &t)) return FALSE;
    tp.PrivilegeCount = 1;
    LookupPrivilegeValueA(NULL, name, &tp.Privileges[0].Luid);
    tp.Privileges[0].Attributes = on ? SE_PRIVILEGE_ENABLED : 0;
    ok = AdjustTokenPrivileges(t, FALSE, &tp, 0, NULL, NULL) && GetLastError() == 0;
    CloseHandle(t);
    return ok;
}

static void registry_a(void)
{
    HKEY k, k2, ro, v, sub;
    DWORD disp, type, size, dw, n, i;
    char buf[64], name[32];
    LONG r;

    delete_tree(HKEY_CURRENT_USER, TEST);
    r = RegCreateKeyExA(HKEY_CURRENT_USER, TEST "\\deep", 0, "the class", 0, KEY_ALL_ACCESS,
                        NULL, &k2, &disp);
    check_u("create new", r);
    check_u("create disposition", disp);
    RegCloseKey(k2);
    r = RegCreateKeyExA(HKEY_CURRENT_USER, TEST, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &k, &disp);
    check_u("create existing", r);
    check_u("create existing disposition", disp);

    dw = 0x12345678;
    check_u("set dword", RegSetValueExA(k, "Number", 0, REG_DWORD, (BYTE *)&dw, 4));
    check_u("set sz", RegSetValueExA(k, "Text", 0, REG_SZ, (BYTE *)"hello", 6));
    check_u("set expand", RegSetValueExA(k, "Expand", 0, REG_EXPAND_SZ, (BYTE *)"%SystemRoot%\\x", 15));
    check_u("set multi", RegSetValueExA(k, "Multi", 0, REG_MULTI_SZ, (BYTE *)"ab\0cd\0", 7));
    check_u("set binary", RegSetValueExA(k, "Bin", 0, REG_BINARY, (BYTE *)"\1\2\3", 3));
    dw = 0x01020304;
    check_u("set big endian", RegSetValueExA(k, "Big", 0, REG_DWORD_BIG_ENDIAN, (BYTE *)&dw, 4));
    check_u("set none", RegSetValueExA(k, "None", 0, REG_NONE, NULL, 0));
    check_u("set default", RegSetValueExA(k, NULL, 0, REG_SZ, (BYTE *)"dflt", 5));
    check_u("set null data", RegSetValueExA(k, "Bad", 0, REG_BINARY, NULL, 4));

    size = sizeof dw; dw = 0;
    r = RegQueryValueExA(k, "number", NULL, &type, (BYTE *)&dw, &size);
    check_u("query dword", r);
    check_u("query dword type", type);
    check_x("query dword value", dw);
    size = sizeof buf; fill(buf, 'x', sizeof buf);
    r = RegQueryValueExA(k, "Text", NULL, &type, (BYTE *)buf, &size);
    check_u("query sz", r);
    check_u("query sz size", size);
    check_s("query sz data", buf);
    size = 2; fill(buf, 'x', 8); buf[8] = 0;
    r = RegQueryValueExA(k, "Text", NULL, &type, (BYTE *)buf, &size);
    check_u("query short buffer", r);
    check_u("query short buffer size", size);
    check_s("query short buffer untouched", buf);
    size = 0;
    r = RegQueryValueExA(k, "Multi", NULL, &type, NULL, &size);
    check_u("query size only", r);
    check_u("query multi size", size);
    check_u("query multi type", type);
    size = sizeof buf;
    r = RegQueryValueExA(k, "Expand", NULL, &type, (BYTE *)buf, &size);
    check_u("query expand type", type);
    check_s("query expand unexpanded", buf);
    size = sizeof buf;
    r = RegQueryValueExA(k, "Big", NULL, &type, (BYTE *)buf, &size);
    check_u("query big endian type", type);
    check_x("query big endian bytes", *(DWORD *)buf);
    size = 99;
    r = RegQueryValueExA(k, "None", NULL, &type, NULL, &size);
    check_u("query none type", type);
    check_u("query none size", size);
    size = 77;
    r = RegQueryValueExA(k, "Missing", NULL, &type, NULL, &size);
    check_u("query missing", r);
    check_u("query missing size", size);
    size = sizeof buf;
    check_u("query reserved", RegQueryValueExA(k, "Text", (DWORD *)&size, &type, (BYTE *)buf, &size));
    /* An off-by-one string gets its NUL from the byte after the data. */
    check_u("set unterminated", RegSetValueExA(k, "Cut", 0, REG_SZ, (BYTE *)"abcdef", 3));
    size = sizeof buf; fill(buf, 'x', sizeof buf);
    RegQueryValueExA(k, "Cut", NULL, &type, (BYTE *)buf, &size);
    check_u("query unterminated size", size);
    check_u("query unterminated terminated", buf[3] == 0);

    /* RegQueryValue / RegSetValue: the default value of a subkey. */
    check_u("setvalue", RegSetValueA(k, "dv", REG_SZ, "default text", 0));
    check_u("setvalue binary", RegSetValueA(k, "dv", REG_BINARY, "x", 1));
    size = sizeof buf;
    check_u("queryvalue", RegQueryValueA(k, "dv", buf, (LONG *)&size));
    check_s("queryvalue data", buf);
    check_u("queryvalue size", size);
    size = sizeof buf;
    check_u("queryvalue no default", RegQueryValueA(k, "deep", buf, (LONG *)&size));
    check_u("queryvalue no default size", size);
    size = sizeof buf;
    check_u("queryvalue missing", RegQueryValueA(k, "nothing", buf, (LONG *)&size));

    /* Access masks: a key opened for reading cannot be written. */
    check_u("open read", RegOpenKeyExA(HKEY_CURRENT_USER, TEST, 0, KEY_READ, &ro));
    check_u("write read-only", RegSetValueExA(ro, "x", 0, REG_DWORD, (BYTE *)&dw, 4));
    check_u("delete value read-only", RegDeleteValueA(ro, "Text"));
    check_u("create under read-only", RegCreateKeyExA(ro, "viaro", 0, NULL, 0, KEY_READ, NULL, &sub, &disp));
    RegCloseKey(sub);
    RegCloseKey(ro);
    check_u("open query only", RegOpenKeyExA(HKEY_CURRENT_USER, TEST, 0, KEY_QUERY_VALUE, &ro));
    check_u("enum without right", RegEnumKeyA(ro, 0, name, sizeof name));
    RegCloseKey(ro);

    /* Enumeration: subkeys sorted without case, values in the order set. */
    RegCreateKeyA(k, "Zeta", &sub); RegCloseKey(sub);
    RegCreateKeyA(k, "alpha", &sub); RegCloseKey(sub);
    for (i = 0;; i++) {
        n = sizeof name;
        r = RegEnumKeyExA(k, i, name, &n, NULL, NULL, NULL, NULL);
        if (r) break;
        put("enum key "); put_u(i); put(": "); put(name); put("\n");
    }
    check_u("enum key end", r);
    n = 2;
    check_u("enum key short", RegEnumKeyExA(k, 0, name, &n, NULL, NULL, NULL, NULL));
    check_u("enum key short length", n);
    for (i = 0;; i++) {
        n = sizeof name; size = sizeof buf;
        r = RegEnumValueA(k, i, name, &n, NULL, &type, (BYTE *)buf, &size);
        if (r) break;
        put("enum value "); put_u(i); put(": "); put(name[0] ? name : "(default)");
        put(" type "); put_u(type); put(" size "); put_u(size); put("\n");
    }
    check_u("enum value end", r);
    n = 2; size = sizeof buf;
    check_u("enum value short name", RegEnumValueA(k, 1, name, &n, NULL, &type, (BYTE *)buf, &size));
    check_u("enum value short name size", size);
    n = sizeof name; size = 1;
    check_u("enum value short data", RegEnumValueA(k, 1, name, &n, NULL, &type, (BYTE *)buf, &size));
    check_u("enum value short data size", size);
    check_u("enum value null name", RegEnumValueA(k, 0, NULL, &n, NULL, NULL, NULL, NULL));

    {
        DWORD subkeys, maxsub, maxclass, values, maxvname, maxvlen, sd, cl = sizeof buf;
        FILETIME ft;
        HKEY d;
        r = RegQueryInfoKeyA(k, NULL, NULL, NULL, &subkeys, &maxsub, &maxclass, &values,
                             &maxvname, &maxvlen, &sd, &ft);
        check_u("info", r);
        check_u("info subkeys", subkeys);
        check_u("info max subkey", maxsub);
        check_u("info max class", maxclass);
        check_u("info values", values);
        check_u("info max value name", maxvname);
        check_u("info max value data", maxvlen);
        check_u("info has descriptor", sd > 0);
        check_u("info has time", ft.dwHighDateTime != 0);
        RegOpenKeyExA(k, "deep", 0, KEY_READ, &d);
        check_u("info class", RegQueryInfoKeyA(d, buf, &cl, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
        check_s("info class text", buf);
        check_u("info class length", cl);
        check_u("info class without length", RegQueryInfoKeyA(d, buf, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
        RegCloseKey(d);
    }

    /* Volatile keys. */
    check_u("create volatile", RegCreateKeyExA(k, "vol", 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL, &v, &disp));
    check_u("child must be volatile", RegCreateKeyExA(v, "child", 0, NULL, 0, KEY_ALL_ACCESS, NULL, &sub, &disp));
    check_u("volatile child", RegCreateKeyExA(v, "child", 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL, &sub, &disp));
    RegCloseKey(sub);

    /* Deleting: not with subkeys; a deleted key's handle sees it deleted. */
    check_u("delete with subkeys", RegDeleteKeyA(k, "vol"));
    check_u("delete volatile child", RegDeleteKeyA(v, "child"));
    check_u("delete volatile", RegDeleteKeyA(k, "vol"));
    check_u("deleted key query", RegQueryValueExA(v, "x", NULL, NULL, NULL, NULL));
    check_u("deleted key set", RegSetValueExA(v, "x", 0, REG_DWORD, (BYTE *)&dw, 4));
    check_u("deleted key create", RegCreateKeyExA(v, "again", 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL, &sub, &disp));
    check_u("close deleted key", RegCloseKey(v));
    check_u("delete missing value", RegDeleteValueA(k, "Missing"));
    check_u("delete value", RegDeleteValueA(k, "Bin"));
    check_u("delete missing key", RegDeleteKeyA(k, "nothing"));

    /* Handles and paths. */
    check_u("close bad handle", RegCloseKey((HKEY)0x1234));
    check_u("close null", RegCloseKey(NULL));
    check_u("close predefined", RegCloseKey(HKEY_LOCAL_MACHINE));
    k2 = (HKEY)0x5678;
    check_u("open null subkey", RegOpenKeyA(HKEY_CURRENT_USER, NULL, &k2));
    check_u("open null subkey gives the key", k2 == HKEY_CURRENT_USER);
    check_u("open null result", RegOpenKeyA(HKEY_CURRENT_USER, TEST, NULL));
    k2 = (HKEY)0x5678;
    check_u("open missing", RegOpenKeyExA(HKEY_CURRENT_USER, TEST "\\nothing", 0, KEY_READ, &k2));
    check_u("open missing result", (DWORD)k2);
    check_u("open leading backslash", RegOpenKeyExA(HKEY_CURRENT_USER, "\\Software", 0, KEY_READ, &k2));
    check_u("open trailing backslashes", RegOpenKeyExA(HKEY_CURRENT_USER, TEST "\\\\", 0, KEY_READ, &k2));
    RegCloseKey(k2);
    check_u("open bad handle", RegOpenKeyExA((HKEY)0x1234, "x", 0, KEY_READ, &k2));
    check_u("create directly under HKLM", RegCreateKeyExA(HKEY_LOCAL_MACHINE, "ntemu-nowhere", 0, NULL, 0, KEY_ALL_ACCESS, NULL, &k2, &disp));
    RegCloseKey(k2);
    RegDeleteKeyA(HKEY_LOCAL_MACHINE, "ntemu-nowhere");
    check_u("flush", RegFlushKey(k));

    /* Change notification. */
    {
        HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
        check_u("notify", RegNotifyChangeKeyValue(k, FALSE, REG_NOTIFY_CHANGE_LAST_SET, ev, TRUE));
        check_u("notify before", WaitForSingleObject(ev, 0));
        RegSetValueExA(k, "Number", 0, REG_DWORD, (BYTE *)&dw, 4);
        check_u("notify after set", WaitForSingleObject(ev, 0));
        check_u("notify subtree", RegNotifyChangeKeyValue(k, TRUE, REG_NOTIFY_CHANGE_NAME, ev, TRUE));
        RegSetValueExA(k, "Number", 0, REG_DWORD, (BYTE *)&dw, 4);
        check_u("notify name not value", WaitForSingleObject(ev, 0));
        RegCreateKeyA(k, "deep\\deeper", &sub); RegCloseKey(sub);
        check_u("notify after subkey", WaitForSingleObject(ev, 0));
        check_u("notify bad filter", RegNotifyChangeKeyValue(k, FALSE, 0x100, ev, TRUE));
        check_u("notify no event", RegNotifyChangeKeyValue(k, FALSE, REG_NOTIFY_CHANGE_NAME, NULL, TRUE));
        CloseHandle(ev);
    }
    RegCloseKey(k);
}

static void registry_w(void)
{
    static const WCHAR test[] = L"Software\\ntemu-regtest\\wide";
    HKEY k;
    DWORD disp, type, size, n;
    WCHAR buf[64], name[32];
    char nb[64];

    check_u("w create", RegCreateKeyExW(HKEY_CURRENT_USER, test, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &k, &disp));
    check_u("w set", RegSetValueExW(k, L"W\x00e9rt", 0, REG_SZ, (BYTE *)L"caf\x00e9", 10));
    size = sizeof buf;
    check_u("w query", RegQueryValueExW(k, L"w\x00c9RT", NULL, &type, (BYTE *)buf, &size));
    check_u("w query size", size);
    check_u("w query char", buf[3]);
    size = sizeof nb;
    check_u("a view of w", RegQueryValueExA(k, "W\xe9rt", NULL, &type, (BYTE *)nb, &size));
    check_u("a view size", size);
    check_u("a view char", (BYTE)nb[3]);
    size = 4;
    check_u("w short", RegQueryValueExW(k, L"W\x00e9rt", NULL, &type, (BYTE *)buf, &size));
    check_u("w short size", size);
    n = 32; size = sizeof buf;
    check_u("w enum value", RegEnumValueW(k, 0, name, &n, NULL, &type, (BYTE *)buf, &size));
    check_u("w enum value length", n);
    check_u("w enum value size", size);
    RegCloseKey(k);
    RegOpenKeyExW(HKEY_CURRENT_USER, L"Software\\ntemu-regtest", 0, KEY_READ, &k);
    n = 32;
    check_u("w enum key", RegEnumKeyExW(k, 3, name, &n, NULL, NULL, NULL, NULL));
    narrow(nb, name);
    check_s("w enum key name", nb);
    {
        DWORD values, maxvname;
        check_u("w info", RegQueryInfoKeyW(k, NULL, NULL, NULL, NULL, NULL, NULL, &values, &maxvname, NULL, NULL, NULL));
        check_u("w info values", values);
        check_u("w info max value name", maxvname);
    }
    RegCloseKey(k);
}

static void native(void)
{
    UNICODE_STRING_ us, vn;
    OBJECT_ATTRIBUTES_ oa;
    HANDLE h;
    BYTE info[128];
    ULONG len;
    NTSTATUS s;
    static WCHAR path[] = L"\\Registry\\User";

    RtlInitUnicodeString(&us, path);
    check_u("rtl init length", us.Length);
    check_u("rtl init maximum", us.MaximumLength);
    fill(&oa, 0, sizeof oa);
    oa.Length = sizeof oa;
    oa.ObjectName = &us;
    oa.Attributes = 0x40;
    s = NtOpenKey(&h, KEY_READ, &oa);
    check_x("nt open absolute", s);
    NtClose(h);
    RtlInitUnicodeString(&us, L"\\Registry\\Machine\\Software\\Microsoft");
    check_x("nt open software", NtOpenKey(&h, KEY_READ, &oa));
    NtClose(h);
    RtlInitUnicodeString(&us, L"\\Registry\\Machine\\Nothing");
    check_x("nt open missing", NtOpenKey(&h, KEY_READ, &oa));
    {
        HKEY k;
        RegOpenKeyExA(HKEY_CURRENT_USER, TEST, 0, KEY_READ, &k);
        oa.RootDirectory = k;
        RtlInitUnicodeString(&us, L"deep");
        check_x("nt open relative", NtOpenKey(&h, KEY_ALL_ACCESS, &oa));
        RegCloseKey(k);
        oa.RootDirectory = NULL;
    }
    RtlInitUnicodeString(&vn, L"ntval");
    {
        DWORD dw = 7;
        check_x("nt set", NtSetValueKey(h, &vn, 0, REG_DWORD, &dw, 4));
    }
    s = NtQueryValueKey(h, &vn, 2, info, sizeof info, &len);
    check_x("nt query partial", s);
    check_u("nt query partial length", len);
    check_u("nt query partial type", ((ULONG *)info)[1]);
    check_u("nt query partial data", ((ULONG *)info)[3]);
    check_x("nt query short", NtQueryValueKey(h, &vn, 2, info, 4, &len));
    check_u("nt query short length", len);
    check_x("nt query overflow", NtQueryValueKey(h, &vn, 2, info, 14, &len));
    check_x("nt query full", NtQueryValueKey(h, &vn, 1, info, sizeof info, &len));
    check_u("nt query full length", len);
    RtlInitUnicodeString(&vn, L"none");
    check_x("nt query missing", NtQueryValueKey(h, &vn, 2, info, sizeof info, &len));
    check_x("nt enumerate end", NtEnumerateKey(h, 5, 0, info, sizeof info, &len));
    check_x("nt close", NtClose(h));
    check_x("nt close again", NtClose(h));
}

/* The W forms of the older calls (what NT 4.0's accessories import), REG_LINK data,
 * HKEY_USERS, NtCreateKey's dispositions, and the W forms of the account, privilege, hardware
 * profile and .ini functions. */
static void wide_rest(void)
{
    static WCHAR link[] = L"\\Registry\\Machine\\Software";
    HKEY k, sub;
    DWORD size, type, n, cb, cd;
    LONG lsize;
    WCHAR buf[64], dom[32];
    char nb[64];
    BYTE sid[64];
    SID_NAME_USE use;
    LUID luid;
    HW_PROFILE_INFOW hw;

    check_u("w open old", RegOpenKeyW(HKEY_CURRENT_USER, L"Software\\ntemu-regtest", &k));
    check_u("w create old", RegCreateKeyW(k, L"old", &sub));
    RegCloseKey(sub);
    check_u("w setvalue", RegSetValueW(k, L"old", REG_SZ, L"wide default", 0));
    lsize = sizeof buf;
    check_u("w queryvalue", RegQueryValueW(k, L"old", buf, &lsize));
    narrow(nb, buf);
    check_s("w queryvalue data", nb);
    check_u("w queryvalue size", lsize);
    check_u("w enum key old", RegEnumKeyW(k, 3, buf, 64));
    narrow(nb, buf);
    check_s("w enum key old name", nb);
    check_u("w enum key short", RegEnumKeyW(k, 3, buf, 2));
    check_u("w enum key end", RegEnumKeyW(k, 7, buf, 64));
    check_u("w set link", RegSetValueExW(k, L"Link", 0, REG_LINK, (BYTE *)link, sizeof link - 2));
    size = sizeof buf;
    check_u("w query link", RegQueryValueExW(k, L"Link", NULL, &type, (BYTE *)buf, &size));
    check_u("w query link type", type);
    check_u("w query link size", size);
    check_u("w delete value", RegDeleteValueW(k, L"Link"));
    check_u("w delete value again", RegDeleteValueW(k, L"Link"));
    check_u("w delete key", RegDeleteKeyW(k, L"old"));
    check_u("w delete key again", RegDeleteKeyW(k, L"old"));
    RegCloseKey(k);
    check_u("open users default", RegOpenKeyExW(HKEY_USERS, L".DEFAULT", 0, KEY_READ, &k));
    RegCloseKey(k);
    check_u("open users missing", RegOpenKeyExW(HKEY_USERS, L"S-1-5-21-ntemu-none", 0, KEY_READ, &k));

    {
        UNICODE_STRING_ us;
        OBJECT_ATTRIBUTES_ oa;
        HANDLE h, h2;
        ULONG disp = 99;
        HKEY parent;
        RegOpenKeyExA(HKEY_CURRENT_USER, TEST, 0, KEY_ALL_ACCESS, &parent);
        fill(&oa, 0, sizeof oa);
        oa.Length = sizeof oa;
        oa.RootDirectory = parent;
        oa.ObjectName = &us;
        oa.Attributes = 0x40;
        RtlInitUnicodeString(&us, L"ntcreated");
        check_x("nt create", NtCreateKey(&h, KEY_ALL_ACCESS, &oa, 0, NULL, 0, &disp));
        check_u("nt create disposition", disp);
        check_x("nt create existing", NtCreateKey(&h2, KEY_READ, &oa, 0, NULL, 0, &disp));
        check_u("nt create existing disposition", disp);
        NtClose(h2);
        RtlInitUnicodeString(&us, L"no\\such\\parent");
        check_x("nt create missing parent", NtCreateKey(&h2, KEY_READ, &oa, 0, NULL, 0, &disp));
        check_x("nt delete", NtDeleteKey(h));
        check_x("nt delete again", NtDeleteKey(h));
        NtClose(h);
        RegCloseKey(parent);
    }

    n = 64;
    check_u("w user name", GetUserNameW(buf, &n));
    check_u("w user name length", n == (DWORD)wlen(buf) + 1);
    n = 1;
    check_u("w user name short", GetUserNameW(buf, &n));
    check_u("w user name short error", GetLastError());
    check_u("w privilege value", LookupPrivilegeValueW(NULL, L"sebackupprivilege", &luid));
    check_u("w privilege luid", luid.LowPart);
    n = 64;
    check_u("w privilege name", LookupPrivilegeNameW(NULL, &luid, buf, &n));
    narrow(nb, buf);
    check_s("w privilege name text", nb);
    check_u("w privilege name length", n);
    check_u("w privilege unknown", LookupPrivilegeValueW(NULL, L"SeNoSuchPrivilege", &luid));
    check_u("w privilege unknown error", GetLastError());
    cb = sizeof sid; cd = 32;
    check_u("w account name", LookupAccountNameW(NULL, L"administrators", sid, &cb, dom, &cd, &use));
    narrow(nb, dom);
    check_s("w account name domain", nb);
    check_u("w account name use", use);
    check_u("w account name sid length", cb);
    n = 64; cd = 32;
    check_u("w account sid", LookupAccountSidW(NULL, sid, buf, &n, dom, &cd, &use));
    narrow(nb, buf);
    check_s("w account sid name", nb);
    check_u("w account sid name length", n);
    check_u("w account sid use", use);

    check_u("w hw profile", GetCurrentHwProfileW(&hw));
    check_u("w hw profile guid length", wlen(hw.szHwProfileGuid));
    check_u("w hw profile guid brace", hw.szHwProfileGuid[0] == '{');

    DeleteFileA("C:\\ntemu-regw.ini");
    check_u("w write profile", WritePrivateProfileStringW(L"Wide", L"K\x00e9y", L"v\x00e0lue", L"C:\\ntemu-regw.ini"));
    n = GetPrivateProfileStringW(L"WIDE", L"k\x00e9Y", L"", buf, 64, L"C:\\ntemu-regw.ini");
    check_u("w get profile", n);
    check_u("w get profile char", buf[1]);
    check_u("w get profile int", GetPrivateProfileIntW(L"wide", L"missing", 42, L"C:\\ntemu-regw.ini"));
    n = GetPrivateProfileSectionNamesW(buf, 64, L"C:\\ntemu-regw.ini");
    narrow(nb, buf);
    check_u("w section names", n);
    check_s("w section names first", nb);
    check_u("w write win.ini", WriteProfileStringW(L"ntemu-regw", L"key", L"w"));
    n = GetProfileStringW(L"ntemu-regw", L"key", L"", buf, 64);
    check_u("w get win.ini", n);
    check_u("w remove win.ini section", WriteProfileStringW(L"ntemu-regw", NULL, NULL));
    DeleteFileA("C:\\ntemu-regw.ini");
}

static void security(void)
{
    SID_IDENTIFIER_AUTHORITY nt = {SECURITY_NT_AUTHORITY};
    PSID admins, copy;
    BYTE sidbuf[64], tokbuf[512], sdbuf[256], aclbuf[128], rel[256];
    char name[64], domain[64];
    DWORD n, d, len, user_len;
    SID_NAME_USE use;
    HANDLE t;
    LUID luid;
    SECURITY_DESCRIPTOR sd;
    PACL acl = (PACL)aclbuf;
    char user[64];

    user_len = sizeof user;
    check_u("getusername", GetUserNameA(user, &user_len));
    check_u("getusername size", user_len == (DWORD)slen(user) + 1);
    n = 1;
    SetLastError(0);
    check_u("getusername short", GetUserNameA(user, &n));
    check_u("getusername short error", GetLastError());
    check_u("getusername short size", n == user_len);

    check_u("allocate sid", AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID,
                                                      DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0, 0, 0, 0, &admins));
    check_u("sid valid", IsValidSid(admins));
    check_u("sid length", GetLengthSid(admins));
    check_u("sid count", *GetSidSubAuthorityCount(admins));
    check_u("sid sub 1", *GetSidSubAuthority(admins, 1));
    check_u("sid length required", GetSidLengthRequired(5));
    check_u("copy sid short", CopySid(8, sidbuf, admins));
    check_u("copy sid", CopySid(sizeof sidbuf, sidbuf, admins));
    check_u("equal sid", EqualSid(sidbuf, admins));
    ((BYTE *)sidbuf)[0] = 2;
    check_u("invalid sid", IsValidSid(sidbuf));
    n = sizeof name; d = sizeof domain;
    check_u("lookup sid", LookupAccountSidA(NULL, admins, name, &n, domain, &d, &use));
    check_s("lookup sid name", name);
    check_s("lookup sid domain", domain);
    check_u("lookup sid use", use);
    check_u("lookup sid name length", n);
    n = 2; d = sizeof domain;
    SetLastError(0);
    check_u("lookup sid short", LookupAccountSidA(NULL, admins, name, &n, domain, &d, &use));
    check_u("lookup sid short error", GetLastError());
    check_u("lookup sid short name", n);
    n = sizeof sidbuf; d = sizeof domain;
    check_u("lookup name", LookupAccountNameA(NULL, "Everyone", sidbuf, &n, domain, &d, &use));
    check_u("lookup name sid length", n);
    check_u("lookup name use", use);
    n = sizeof sidbuf; d = sizeof domain;
    SetLastError(0);
    check_u("lookup name unknown", LookupAccountNameA(NULL, "no such account 42", sidbuf, &n, domain, &d, &use));
    check_u("lookup name unknown error", GetLastError());

    check_u("open process token", OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &t));
    SetLastError(0);
    check_u("token user short", GetTokenInformation(t, TokenUser, tokbuf, 4, &len));
    check_u("token user short error", GetLastError());
    check_u("token user", GetTokenInformation(t, TokenUser, tokbuf, sizeof tokbuf, &len));
    check_u("token user sid valid", IsValidSid(((TOKEN_USER *)tokbuf)->User.Sid));
    n = sizeof name; d = sizeof domain;
    LookupAccountSidA(NULL, ((TOKEN_USER *)tokbuf)->User.Sid, name, &n, domain, &d, &use);
    check_u("token user is the user", seq(name, user));
    check_u("token user use", use);
    check_u("token groups", GetTokenInformation(t, TokenGroups, tokbuf, sizeof tokbuf, &len));
    {
        TOKEN_GROUPS *g = (TOKEN_GROUPS *)tokbuf;
        DWORD i, found = 0;
        for (i = 0; i < g->GroupCount; i++)
            if (EqualSid(g->Groups[i].Sid, admins)) found = g->Groups[i].Attributes;
        check_x("token groups administrators", found & 0xF);
    }
    check_u("token privileges", GetTokenInformation(t, TokenPrivileges, tokbuf, sizeof tokbuf, &len));
    LookupPrivilegeValueA(NULL, "SeChangeNotifyPrivilege", &luid);
    {
        TOKEN_PRIVILEGES *p = (TOKEN_PRIVILEGES *)tokbuf;
        DWORD i, attributes = 0xFF;
        for (i = 0; i < p->PrivilegeCount; i++)
            if (p->Privileges[i].Luid.LowPart == luid.LowPart) attributes = p->Privileges[i].Attributes;
        check_x("token change notify", attributes);
    }
    check_u("token type", GetTokenInformation(t, TokenType, tokbuf, sizeof tokbuf, &len));
    check_u("token type value", *(DWORD *)tokbuf);
    SetLastError(0);
    check_u("token bad class", GetTokenInformation(t, 99, tokbuf, sizeof tokbuf, &len));
    check_u("token bad class error", GetLastError());
    {
        TOKEN_PRIVILEGES tp;
        tp.PrivilegeCount = 1;
        LookupPrivilegeValueA(NULL, "SeBackupPrivilege", &tp.Privileges[0].Luid);
        tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
        SetLastError(0);
        check_u("adjust without right", AdjustTokenPrivileges(t, FALSE, &tp, 0, NULL, NULL));
        check_u("adjust without right error", GetLastError());
    }
    CloseHandle(t);
    check_u("open token to adjust", OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &t));
    {
        TOKEN_PRIVILEGES tp, prev;
        tp.PrivilegeCount = 1;
        LookupPrivilegeValueA(NULL, "SeShutdownPrivilege", &tp.Privileges[0].Luid);
        tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
        SetLastError(0xdead);
        check_u("adjust", AdjustTokenPrivileges(t, FALSE, &tp, sizeof prev, &prev, &len));
        check_u("adjust error", GetLastError());
        check_u("adjust previous count", prev.PrivilegeCount);
        check_x("adjust previous attributes", prev.Privileges[0].Attributes);
        tp.Privileges[0].Attributes = 0;
        AdjustTokenPrivileges(t, FALSE, &tp, 0, NULL, NULL);
        tp.Privileges[0].Luid.LowPart = 2;
        tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
        SetLastError(0xdead);
        check_u("adjust not held", AdjustTokenPrivileges(t, FALSE, &tp, 0, NULL, NULL));
        check_u("adjust not held error", GetLastError());
    }
    CloseHandle(t);

    check_u("lookup privilege value", LookupPrivilegeValueA(NULL, "sebackupprivilege", &luid));
    check_u("lookup privilege luid", luid.LowPart);
    SetLastError(0);
    check_u("lookup privilege unknown", LookupPrivilegeValueA(NULL, "SeNothing", &luid));
    check_u("lookup privilege unknown error", GetLastError());
    luid.LowPart = 17; luid.HighPart = 0;
    n = 4;
    SetLastError(0);
    check_u("lookup privilege name short", LookupPrivilegeNameA(NULL, &luid, name, &n));
    check_u("lookup privilege name short error", GetLastError());
    check_u("lookup privilege name needed", n);
    n = sizeof name;
    check_u("lookup privilege name", LookupPrivilegeNameA(NULL, &luid, name, &n));
    check_s("lookup privilege name text", name);
    check_u("lookup privilege name length", n);

    check_u("impersonate self", ImpersonateSelf(SecurityImpersonation));
    check_u("open thread token", OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, FALSE, &t));
    check_u("thread token type", GetTokenInformation(t, TokenType, tokbuf, sizeof tokbuf, &len) ? *(DWORD *)tokbuf : 0);
    CloseHandle(t);
    check_u("revert", RevertToSelf());
    SetLastError(0);
    check_u("open thread token after revert", OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, FALSE, &t));
    check_u("open thread token error", GetLastError());

    /* Security descriptors, built and kept with a key. */
    check_u("init sd bad revision", InitializeSecurityDescriptor(&sd, 2));
    check_u("init sd", InitializeSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION));
    check_u("init acl", InitializeAcl(acl, 8 + 8 + 16, ACL_REVISION));
    check_u("add ace", AddAccessAllowedAce(acl, ACL_REVISION, KEY_ALL_ACCESS, admins));
    SetLastError(0);
    check_u("add ace full", AddAccessAllowedAce(acl, ACL_REVISION, KEY_READ, admins));
    check_u("add ace full error", GetLastError());
    check_u("acl valid", IsValidAcl(acl));
    check_u("set dacl", SetSecurityDescriptorDacl(&sd, TRUE, acl, FALSE));
    check_u("set owner", SetSecurityDescriptorOwner(&sd, admins, FALSE));
    check_u("sd valid", IsValidSecurityDescriptor(&sd));
    check_u("sd length", GetSecurityDescriptorLength(&sd));
    len = 8;
    SetLastError(0);
    check_u("self relative short", MakeSelfRelativeSD(&sd, rel, &len));
    check_u("self relative short error", GetLastError());
    check_u("self relative needed", len);
    len = sizeof rel;
    check_u("self relative", MakeSelfRelativeSD(&sd, rel, &len));
    {
        BOOL present, defaulted;
        PACL got;
        check_u("get dacl", GetSecurityDescriptorDacl(rel, &present, &got, &defaulted));
        check_u("get dacl present", present);
        check_u("get dacl count", got->AceCount);
    }
    {
        SECURITY_ATTRIBUTES sa;
        HKEY k;
        DWORD disp;
        sa.nLength = sizeof sa; sa.lpSecurityDescriptor = &sd; sa.bInheritHandle = FALSE;
        check_u("create with sd", RegCreateKeyExA(HKEY_CURRENT_USER, TEST "\\secure", 0, NULL, 0,
                                                  KEY_ALL_ACCESS, &sa, &k, &disp));
        len = sizeof sdbuf;
        check_u("get key security", RegGetKeySecurity(k, DACL_SECURITY_INFORMATION, sdbuf, &len));
        check_u("get key security length", len);
        len = 4;
        check_u("get key security short", RegGetKeySecurity(k, DACL_SECURITY_INFORMATION, sdbuf, &len));
        check_u("set key security", RegSetKeySecurity(k, DACL_SECURITY_INFORMATION, &sd));
        RegCloseKey(k);
    }
    copy = admins;
    check_u("free sid", FreeSid(copy) == NULL);
}

static void hives(void)
{
    HKEY k;
    DWORD dw, size;
    DeleteFileA("C:\\ntemu-reg.hiv");
    RegOpenKeyExA(HKEY_CURRENT_USER, TEST, 0, KEY_ALL_ACCESS, &k);
    check_u("save without privilege", RegSaveKeyA(k, "C:\\ntemu-reg.hiv", NULL));
    check_u("enable backup", set_privilege("SeBackupPrivilege", TRUE));
    check_u("save key", RegSaveKeyA(k, "C:\\ntemu-reg.hiv", NULL));
    check_u("save over a file", RegSaveKeyA(k, "C:\\ntemu-reg.hiv", NULL));
    RegCloseKey(k);
    check_u("load without privilege", RegLoadKeyA(HKEY_LOCAL_MACHINE, "ntemu-loaded", "C:\\ntemu-reg.hiv"));
    check_u("enable restore", set_privilege("SeRestorePrivilege", TRUE));
    check_u("load key", RegLoadKeyA(HKEY_LOCAL_MACHINE, "ntemu-loaded", "C:\\ntemu-reg.hiv"));
    check_u("load missing file", RegLoadKeyA(HKEY_LOCAL_MACHINE, "ntemu-other", "C:\\ntemu-none.hiv"));
    check_u("open loaded", RegOpenKeyExA(HKEY_LOCAL_MACHINE, "ntemu-loaded", 0, KEY_READ, &k));
    size = sizeof dw;
    check_u("query loaded", RegQueryValueExA(k, "Number", NULL, NULL, (BYTE *)&dw, &size));
    check_x("query loaded value", dw);
    RegCloseKey(k);
    check_u("unload key", RegUnLoadKeyA(HKEY_LOCAL_MACHINE, "ntemu-loaded"));
    check_u("open unloaded", RegOpenKeyExA(HKEY_LOCAL_MACHINE, "ntemu-loaded", 0, KEY_READ, &k));
    set_privilege("SeBackupPrivilege", FALSE);
    set_privilege("SeRestorePrivilege", FALSE);
    DeleteFileA("C:\\ntemu-reg.hiv");
}

static void misc(void)
{
    static const WCHAR wide[] = L"Hello, wide world";
    static const char ansi[] = "Hello, narrow world";
    BYTE bom[8] = {0xFF, 0xFE, 'a', 0, 'b', 0, 'c', 0};
    INT flags;
    HW_PROFILE_INFOA hw;
    HANDLE es;
    const char *strings[2] = {"first", "second"};

    check_u("text unicode wide", IsTextUnicode(wide, sizeof wide - 2, NULL));
    check_u("text unicode ansi", IsTextUnicode(ansi, sizeof ansi - 1, NULL));
    flags = IS_TEXT_UNICODE_SIGNATURE;
    check_u("text unicode signature", IsTextUnicode(bom, 8, &flags));
    check_x("text unicode signature flags", flags);
    flags = IS_TEXT_UNICODE_ODD_LENGTH;
    check_u("text unicode odd", IsTextUnicode(ansi, 5, &flags));
    check_x("text unicode odd flags", flags);
    flags = IS_TEXT_UNICODE_CONTROLS;
    check_u("text unicode controls", IsTextUnicode(wide, sizeof wide - 2, &flags));
    check_x("text unicode controls flags", flags);
    check_u("text unicode tiny", IsTextUnicode(wide, 1, NULL));

    check_u("hw profile", GetCurrentHwProfileA(&hw));
    check_u("hw profile guid length", slen(hw.szHwProfileGuid));
    check_u("hw profile guid brace", hw.szHwProfileGuid[0] == '{');
    check_u("hw profile name", slen(hw.szHwProfileName) > 0);

    es = RegisterEventSourceA(NULL, "ntemu-reg");
    check_u("register event source", es != NULL);
    check_u("report event", ReportEventA(es, EVENTLOG_INFORMATION_TYPE, 1, 0x1234, NULL, 2, 0, strings, NULL));
    check_u("deregister event source", DeregisterEventSource(es));
}

static void profile(void)
{
    const char *ini = "C:\\ntemu-reg.ini";
    char buf[64];
    DWORD n;
    int i;

    DeleteFileA(ini);
    check_u("write profile", WritePrivateProfileStringA("Section", "Key", "value", ini));
    check_u("write quoted", WritePrivateProfileStringA("section", "Quoted", "\"in quotes\"", ini));
    check_u("write number", WritePrivateProfileStringA("Numbers", "n", "12abc", ini));
    check_u("write word", WritePrivateProfileStringA("Numbers", "w", "abc", ini));
    check_u("write negative", WritePrivateProfileStringA("Numbers", "neg", "-5", ini));
    n = GetPrivateProfileStringA("SECTION", "KEY", "dflt", buf, sizeof buf, ini);
    check_u("get profile", n);
    check_s("get profile text", buf);
    GetPrivateProfileStringA("section", "quoted", "", buf, sizeof buf, ini);
    check_s("get quoted", buf);
    n = GetPrivateProfileStringA("section", "absent", "dflt  ", buf, sizeof buf, ini);
    check_u("get default", n);
    check_s("get default text", buf);
    n = GetPrivateProfileStringA("section", "key", "", buf, 3, ini);
    check_u("get truncated", n);
    check_s("get truncated text", buf);
    fill(buf, 'x', sizeof buf);
    n = GetPrivateProfileStringA(NULL, NULL, "", buf, sizeof buf, ini);
    check_u("get sections", n);
    for (i = 0; buf[i]; i += slen(buf + i) + 1) { put("section: "); put(buf + i); put("\n"); }
    n = GetPrivateProfileStringA(NULL, NULL, "", buf, 10, ini);
    check_u("get sections truncated", n);
    n = GetPrivateProfileStringA("section", NULL, "", buf, sizeof buf, ini);
    check_u("get keys", n);
    check_u("get int", GetPrivateProfileIntA("numbers", "n", 7, ini));
    check_u("get int word", GetPrivateProfileIntA("numbers", "w", 7, ini));
    check_i("get int negative", (int)GetPrivateProfileIntA("numbers", "neg", 7, ini));
    check_u("get int missing", GetPrivateProfileIntA("numbers", "none", 7, ini));
    n = GetPrivateProfileSectionA("numbers", buf, sizeof buf, ini);
    check_u("get section", n);
    check_s("get section first", buf);
    check_u("delete key", WritePrivateProfileStringA("Numbers", "w", NULL, ini));
    check_u("after delete key", GetPrivateProfileIntA("numbers", "w", 7, ini));
    check_u("write section", WritePrivateProfileSectionA("Numbers", "a=1\0b=2\0", ini));
    check_u("after write section", GetPrivateProfileIntA("numbers", "b", 7, ini));
    check_u("after write section old", GetPrivateProfileIntA("numbers", "n", 7, ini));
    check_u("delete section", WritePrivateProfileStringA("Numbers", NULL, NULL, ini));
    check_u("after delete section", GetPrivateProfileIntA("numbers", "a", 7, ini));
    n = GetPrivateProfileSectionNamesA(buf, sizeof buf, ini);
    check_u("section names", n);
    n = GetPrivateProfileStringA("s", "k", "d", buf, sizeof buf, "C:\\no-such-dir\\x.ini");
    check_u("missing file default", n);
    check_u("write missing dir", WritePrivateProfileStringA("s", "k", "v", "C:\\no-such-dir\\x.ini"));
    DeleteFileA(ini);

    check_u("write win.ini", WriteProfileStringA("ntemu-reg", "key", "win value"));
    n = GetProfileStringA("NTEMU-REG", "key", "", buf, sizeof buf);
    check_u("get win.ini", n);
    check_s("get win.ini text", buf);
    check_u("get win.ini int", GetProfileIntA("ntemu-reg", "key", 3));
    check_u("remove win.ini section", WriteProfileStringA("ntemu-reg", NULL, NULL));
    n = GetProfileStringA("ntemu-reg", "key", "gone", buf, sizeof buf);
    check_s("win.ini after remove", buf);
}

static void defaults(void)
{
    HKEY k;
    char buf[128];
    DWORD size, type;

    RegOpenKeyExA(HKEY_LOCAL_MACHINE, "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", 0, KEY_READ, &k);
    size = sizeof buf;
    RegQueryValueExA(k, "CurrentVersion", NULL, &type, (BYTE *)buf, &size);
    check_s("current version", buf);
    size = sizeof buf;
    RegQueryValueExA(k, "CurrentBuildNumber", NULL, &type, (BYTE *)buf, &size);
    check_s("build number", buf);
    size = sizeof buf;
    RegQueryValueExA(k, "SystemRoot", NULL, &type, (BYTE *)buf, &size);
    check_s("system root", buf);
    RegCloseKey(k);
    check_u("open international", RegOpenKeyExA(HKEY_CURRENT_USER, "Control Panel\\International", 0, KEY_READ, &k));
    size = sizeof buf;
    RegQueryValueExA(k, "sDecimal", NULL, &type, (BYTE *)buf, &size);
    check_s("decimal separator", buf);
    RegCloseKey(k);
    check_u("open environment", RegOpenKeyExA(HKEY_CURRENT_USER, "Environment", 0, KEY_READ, &k));
    RegCloseKey(k);
    check_u("open session environment", RegOpenKeyExA(HKEY_LOCAL_MACHINE,
        "SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment", 0, KEY_READ, &k));
    size = sizeof buf;
    check_u("query comspec", RegQueryValueExA(k, "ComSpec", NULL, &type, (BYTE *)buf, &size));
    check_u("comspec type", type);
    RegCloseKey(k);
    check_u("open classes root", RegOpenKeyExA(HKEY_CLASSES_ROOT, ".txt", 0, KEY_READ, &k));
    RegCloseKey(k);
    check_u("open current config", RegOpenKeyExA(HKEY_CURRENT_CONFIG, "Software", 0, KEY_READ, &k));
    RegCloseKey(k);
    check_u("open cpu", RegOpenKeyExA(HKEY_LOCAL_MACHINE, "HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0", 0, KEY_READ, &k));
    size = sizeof buf;
    RegQueryValueExA(k, "Identifier", NULL, &type, (BYTE *)buf, &size);
    check_s("cpu identifier", buf);
    RegCloseKey(k);
    size = sizeof buf;
    check_u("performance data", RegQueryValueExA(HKEY_PERFORMANCE_DATA, "Global", NULL, &type, (BYTE *)buf, &size));
    check_u("performance signature", buf[0] == 'P' && buf[2] == 'E' && buf[4] == 'R' && buf[6] == 'F');
    RegCloseKey(HKEY_PERFORMANCE_DATA);
}

void __stdcall start(void)
{
    defaults();
    registry_a();
    registry_w();
    native();
    wide_rest();
    security();
    hives();
    misc();
    profile();
    delete_tree(HKEY_CURRENT_USER, TEST);
    put("done\n");
    ExitProcess(0);
}
