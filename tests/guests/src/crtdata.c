/* crtdata.exe: an old-style CRTDLL.dll program that reads and writes CRTDLL's data exports
 * before its first C runtime call, as NT 4.0's own CRTDLL programs do (their start-up sets
 * *_fmode_dll before calling __GetMainArgs): the data block must be there from the process's
 * first instruction. With _fmode_dll set to _O_BINARY, a file opened without "t" or "b" is
 * binary: "\n" is written as is. Built like crtdll.exe (its own entry point, -lcrtdll);
 * output in tests/guests/expected/crtdata.expected. */
typedef struct { char *ptr; int cnt; char *base; int flag, file, charbuf, bufsiz; char *tmpfname; } FILE;

__declspec(dllimport) extern int _fmode_dll;
__declspec(dllimport) extern int _commode_dll;
__declspec(dllimport) extern unsigned _osver_dll;
__declspec(dllimport) extern unsigned _winmajor_dll;
__declspec(dllimport) extern int __argc_dll;
__declspec(dllimport) extern FILE _iob[];
void __cdecl __GetMainArgs(int *argc, char ***argv, char ***envp, int expand);
int __cdecl printf(const char *fmt, ...);
FILE *__cdecl fopen(const char *name, const char *mode);
int __cdecl fputs(const char *s, FILE *f);
unsigned __cdecl fread(void *buf, unsigned size, unsigned n, FILE *f);
int __cdecl fclose(FILE *f);
int __cdecl _open(const char *name, int flags, ...);
int __cdecl _write(int fd, const void *buf, unsigned n);
int __cdecl _close(int fd);
int __cdecl remove(const char *name);
void __cdecl exit(int code);
/* CRTDLL's struct _stat: its _dev_t is 16 bits. */
struct crtdll_stat {
    unsigned short st_dev, st_ino, st_mode;
    short st_nlink, st_uid, st_gid;
    unsigned short st_rdev;
    long st_size, st_atime, st_mtime, st_ctime;
};
int __cdecl _stat(const char *name, struct crtdll_stat *st);
int __cdecl _fstat(int fd, struct crtdll_stat *st);
int __cdecl _getdrive(void);

static void dump(const char *what, const char *name)
{
    unsigned char bytes[16];
    FILE *f = fopen(name, "rb");
    unsigned n = f ? fread(bytes, 1, sizeof bytes, f) : 0;
    printf("%s:", what);
    for (unsigned i = 0; i < n; i++)
        printf(" %02x", bytes[i]);
    printf("\n");
    if (f)
        fclose(f);
}

void start(void)
{
    /* Before any call into CRTDLL: the block is there, with its initial values. */
    int fmode = _fmode_dll, commode = _commode_dll, argc_before = __argc_dll;
    unsigned osver = _osver_dll, winmajor = _winmajor_dll;
    int stdout_file = _iob[1].file, stderr_file = _iob[2].file;
    _fmode_dll = 0x8000; /* _O_BINARY */
    int argc;
    char **argv, **envp;
    __GetMainArgs(&argc, &argv, &envp, 0);
    printf("before the first call: _fmode_dll=%d _commode_dll=%d __argc_dll=%d\n", fmode,
           commode, argc_before);
    printf("_iob[1].file=%d _iob[2].file=%d\n", stdout_file, stderr_file);
    printf("_winmajor_dll: %u\n", winmajor);
    printf("_osver_dll: %u\n", osver);
    printf("after __GetMainArgs: _fmode_dll=%#x argc=%d __argc_dll=%d\n", _fmode_dll, argc,
           __argc_dll);

    /* fopen with no "t" or "b" follows _fmode_dll: binary. */
    FILE *f = fopen("crtdata.tmp", "w");
    fputs("a\nb\n", f);
    fclose(f);
    dump("fopen \"w\" after _fmode_dll=_O_BINARY", "crtdata.tmp");
    /* So does _open without _O_TEXT or _O_BINARY (_O_WRONLY|_O_TRUNC). */
    int fd = _open("crtdata.tmp", 0x0001 | 0x0200);
    _write(fd, "c\n", 2);
    _close(fd);
    dump("_open after _fmode_dll=_O_BINARY", "crtdata.tmp");
    /* An explicit "t" is text whatever _fmode_dll says. */
    f = fopen("crtdata.tmp", "wt");
    fputs("d\n", f);
    fclose(f);
    dump("fopen \"wt\"", "crtdata.tmp");
    /* Back to text mode through the data export. */
    _fmode_dll = 0x4000; /* _O_TEXT */
    f = fopen("crtdata.tmp", "w");
    fputs("e\n", f);
    fclose(f);
    dump("fopen \"w\" after _fmode_dll=_O_TEXT", "crtdata.tmp");
    struct crtdll_stat st = {0};
    int r = _stat("crtdata.tmp", &st);
    printf("CRTDLL _stat: r=%d mode=%06o nlink=%d size=%ld dev_is_drive=%d rdev=dev: %d\n", r,
           st.st_mode, st.st_nlink, st.st_size, st.st_dev == _getdrive() - 1, st.st_rdev == st.st_dev);
    struct crtdll_stat fs = {0};
    fd = _open("crtdata.tmp", 0);
    r = _fstat(fd, &fs);
    printf("CRTDLL _fstat: r=%d mode=%06o nlink=%d size=%ld dev=%u\n", r, fs.st_mode, fs.st_nlink,
           fs.st_size, fs.st_dev);
    _close(fd);
    printf("remove: %d\n", remove("crtdata.tmp"));
    exit(0);
}
