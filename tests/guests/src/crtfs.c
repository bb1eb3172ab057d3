/* crtfs.exe: msvcrt's file-system calls (the stat family, names, directories, the current
 * directory and drive, full and split paths, file times, _findfirst, temporary names) and
 * its low-level descriptor calls (_dup, _dup2, _chsize, _filelength, _eof, _tell,
 * _commit, _isatty, _setmode, _get_osfhandle, _open_osfhandle), with their error paths:
 * errno and _doserrno as msvcrt sets them. Works in a directory crtfs.dir it makes in the
 * current directory (and removes), so that it prints the same under ntemu and Wine; the
 * structures and prototypes are msvcrt's own (declared here: mingw-w64's headers map some
 * names to later msvcrt versions' functions). Linked with mingw-w64's start-up against
 * msvcrt.dll; output in tests/guests/expected/crtfs.expected. With an argument it prints only
 * what _isatty says of descriptors 0, 1 and 2. */
#include <stddef.h>

typedef void *HANDLE;
__declspec(dllimport) HANDLE __stdcall CreateFileA(const char *, unsigned, unsigned, void *,
                                                    unsigned, unsigned, HANDLE);
#define GENERIC_READ 0x80000000u
#define FILE_SHARE_READ 1
#define FILE_SHARE_WRITE 2
#define OPEN_EXISTING 3

struct st { /* msvcrt's struct _stat */
    unsigned st_dev;
    unsigned short st_ino, st_mode;
    short st_nlink, st_uid, st_gid;
    unsigned st_rdev;
    long st_size, st_atime, st_mtime, st_ctime;
};
struct fd_t { /* struct _finddata_t */
    unsigned attrib;
    long time_create, time_access, time_write;
    unsigned long size;
    char name[260];
};
struct wfd_t { /* struct _wfinddata_t */
    unsigned attrib;
    long time_create, time_access, time_write;
    unsigned long size;
    wchar_t name[260];
};
struct utimbuf_t {
    long actime, modtime;
};
typedef struct FILE FILE;

#define F __cdecl
int F printf(const char *, ...);
int F sprintf(char *, const char *, ...);
int F strcmp(const char *, const char *);
int F _stricmp(const char *, const char *);
int F memcmp(const void *, const void *, unsigned);
unsigned F strlen(const char *);
char *F strcpy(char *, const char *);
char *F strrchr(const char *, int);
int F wcscmp(const wchar_t *, const wchar_t *);
void F qsort(void *, unsigned, unsigned, int(F *)(const void *, const void *));
void F free(void *);
long F time(long *);

unsigned long *F __doserrno(void);
char *F _ultoa(unsigned long, char *, int);
int F _getpid(void);
int F _putenv(const char *);
FILE *F fopen(const char *, const char *);
FILE *F tmpfile(void);
int F fclose(FILE *);
int F fputs(const char *, FILE *);
char *F fgets(char *, int, FILE *);
void F rewind(FILE *);
int F _rmtmp(void);
int F _stat(const char *, struct st *);
int F _wstat(const wchar_t *, struct st *);
int F _fstat(int, struct st *);
int F _access(const char *, int);
int F _waccess(const wchar_t *, int);
int F _chmod(const char *, int);
int F _wchmod(const wchar_t *, int);
int F _unlink(const char *);
int F _wunlink(const wchar_t *);
int F remove(const char *);
int F _wremove(const wchar_t *);
int F rename(const char *, const char *);
int F _wrename(const wchar_t *, const wchar_t *);
int F _mkdir(const char *);
int F _wmkdir(const wchar_t *);
int F _rmdir(const char *);
int F _wrmdir(const wchar_t *);
int F _chdir(const char *);
int F _wchdir(const wchar_t *);
char *F _getcwd(char *, int);
wchar_t *F _wgetcwd(wchar_t *, int);
char *F _getdcwd(int, char *, int);
int F _getdrive(void);
int F _chdrive(int);
char *F _fullpath(char *, const char *, unsigned);
wchar_t *F _wfullpath(wchar_t *, const wchar_t *, unsigned);
void F _splitpath(const char *, char *, char *, char *, char *);
void F _wsplitpath(const wchar_t *, wchar_t *, wchar_t *, wchar_t *, wchar_t *);
void F _makepath(char *, const char *, const char *, const char *, const char *);
void F _wmakepath(wchar_t *, const wchar_t *, const wchar_t *, const wchar_t *, const wchar_t *);
int F _utime(const char *, struct utimbuf_t *);
int F _wutime(const wchar_t *, struct utimbuf_t *);
int F _futime(int, struct utimbuf_t *);
long F _findfirst(const char *, struct fd_t *);
int F _findnext(long, struct fd_t *);
int F _findclose(long);
long F _wfindfirst(const wchar_t *, struct wfd_t *);
int F _wfindnext(long, struct wfd_t *);
char *F tmpnam(char *);
wchar_t *F _wtmpnam(wchar_t *);
char *F _tempnam(const char *, const char *);
wchar_t *F _wtempnam(const wchar_t *, const wchar_t *);
int F _open(const char *, int, ...);
int F _close(int);
int F _read(int, void *, unsigned);
int F _write(int, const void *, unsigned);
long F _lseek(int, long, int);
long F _tell(int);
long F _filelength(int);
int F _eof(int);
int F _chsize(int, long);
int F _commit(int);
int F _dup(int);
int F _dup2(int, int);
int F _isatty(int);
int F _setmode(int, int);
long F _get_osfhandle(int);
int F _open_osfhandle(long, int);

#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0x100
#define O_TRUNC 0x200
#define O_EXCL 0x400
#define O_TEXT 0x4000
#define O_BINARY 0x8000
#define S_IREAD 0x100
#define S_IWRITE 0x80

/* errno and _doserrno reset before a call and printed after it. */
static void reset(void)
{
    *_errno() = 0;
    *__doserrno() = 0;
}
#define E() (*_errno())
#define D() (*__doserrno())

static void make(const char *name, const char *text)
{
    FILE *f = fopen(name, "wb");
    fputs(text, f);
    fclose(f);
}

static void stat_line(const char *what, const char *name)
{
    struct st s = {0};
    reset();
    int r = _stat(name, &s);
    if (r == 0)
        printf("%s: r=0 mode=%06o nlink=%d size=%ld ino=%u uid=%d gid=%d dev_is_drive=%d rdev_is_dev=%d\n",
               what, s.st_mode, s.st_nlink, s.st_size, s.st_ino, s.st_uid, s.st_gid,
               s.st_dev == (unsigned)(_getdrive() - 1), s.st_rdev == s.st_dev);
    else
        printf("%s: r=%d errno=%d doserrno=%lu\n", what, r, E(), D());
}

static void result(const char *what, int r)
{
    printf("%s: r=%d errno=%d doserrno=%lu\n", what, r, r == -1 ? E() : 0, r == -1 ? D() : 0);
}

static int compare(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* The names a pattern finds, sorted (Wine gives the host's directory order). */
static void find_all(const char *pattern)
{
    struct fd_t d;
    char names[16][32];
    unsigned attrib[16];
    long size[16];
    int n = 0;
    reset();
    long h = _findfirst(pattern, &d);
    if (h == -1) {
        printf("_findfirst(%s): -1 errno=%d doserrno=%lu\n", pattern, E(), D());
        return;
    }
    do {
        if (n < 16) {
            strcpy(names[n], d.name);
            attrib[n] = d.attrib;
            size[n] = d.size;
            n++;
        }
    } while (_findnext(h, &d) == 0);
    printf("_findfirst(%s): %d entries, then errno=%d:", pattern, n, E());
    /* sort the three arrays together by name */
    char rows[16][48];
    for (int i = 0; i < n; i++)
        sprintf(rows[i], "%s(%#x,%ld)", names[i], attrib[i], size[i]);
    qsort(rows, n, sizeof rows[0], compare);
    for (int i = 0; i < n; i++)
        printf(" %s", rows[i]);
    printf("\n");
    reset();
    result("_findclose", _findclose(h));
}

static const char *tail(const char *path, const char *end)
{
    unsigned n = strlen(path), m = strlen(end);
    return n >= m && _stricmp(path + n - m, end) == 0 ? "yes" : path;
}

int main(int argc, char **argv)
{
    char cwd[260], buf[260], here[260];
    struct st s;

    if (argc > 1) {
        /* "isatty": what the standard descriptors are (tests/msvcrt.rs runs it with the
         * console, and with the standard handles as a file or pipe would be). */
        printf("_isatty: %#x %#x %#x\n", _isatty(0), _isatty(1), _isatty(2));
        return 0;
    }

    _mkdir("crtfs.dir");
    _chdir("crtfs.dir");
    _getcwd(here, sizeof here);
    printf("cwd ends in \\crtfs.dir: %s\n", tail(here, "\\crtfs.dir"));
    int drive = _getdrive();
    printf("_getdrive is the drive of the cwd: %d\n", drive == (here[0] | 0x20) - 'a' + 1);

    /* ---- the stat family ---- */
    make("a.txt", "hello");
    make("prog.EXE", "MZ");
    make("run.bat", "@echo");
    stat_line("_stat(a.txt)", "a.txt");
    stat_line("_stat(prog.EXE)", "prog.EXE");
    stat_line("_stat(run.bat)", "run.bat");
    reset();
    result("_mkdir(sub)", _mkdir("sub"));
    stat_line("_stat(sub)", "sub");
    stat_line("_stat(sub\\)", "sub\\");
    stat_line("_stat(.)", ".");
    stat_line("_stat(nosuch)", "nosuch");
    stat_line("_stat(nosuch\\x)", "nosuch\\x");
    stat_line("_stat(a.t?t)", "a.t?t");
    stat_line("_stat(*)", "*");
    char root[4] = {here[0], ':', '\\', 0}, bare[3] = {here[0], ':', 0};
    stat_line("_stat(root)", root);
    stat_line("_stat(drive only)", bare);
    reset();
    int r = _stat(root, &s);
    printf("_stat(root) mtime: %ld\n", r == 0 ? s.st_mtime : -2);
    reset();
    r = _wstat(L"a.txt", &s);
    printf("_wstat(a.txt): r=%d mode=%06o size=%ld\n", r, s.st_mode, s.st_size);
    reset();
    r = _wstat(L"nosuch", &s);
    printf("_wstat(nosuch): r=%d errno=%d\n", r, E());

    /* file times through _utime, read back through _stat and _fstat */
    struct utimbuf_t t = {1000000000, 1100000000};
    reset();
    result("_utime(a.txt)", _utime("a.txt", &t));
    _stat("a.txt", &s);
    printf("after _utime: atime=%ld mtime=%ld ctime>0=%d\n", s.st_atime, s.st_mtime, s.st_ctime > 0);
    reset();
    result("_utime(nosuch)", _utime("nosuch", &t));
    struct utimbuf_t bad = {-5, -5};
    reset();
    result("_utime(a.txt, before 1970)", _utime("a.txt", &bad));
    long now = time(0);
    reset();
    result("_utime(a.txt, NULL)", _utime("a.txt", 0));
    _stat("a.txt", &s);
    printf("after _utime(NULL): mtime is now: %d\n", s.st_mtime >= now - 2 && s.st_mtime <= now + 60);
    t.actime = 900000000;
    t.modtime = 950000000;
    reset();
    result("_wutime(a.txt)", _wutime(L"a.txt", &t));
    int fd = _open("a.txt", O_RDWR | O_BINARY);
    struct utimbuf_t t2 = {1200000000, 1300000000};
    reset();
    result("_futime(fd)", _futime(fd, &t2));
    struct st fs = {0};
    reset();
    r = _fstat(fd, &fs);
    printf("_fstat(file): r=%d mode=%06o nlink=%d size=%ld dev=%u rdev=%u atime=%ld mtime=%ld\n", r,
           fs.st_mode, fs.st_nlink, fs.st_size, fs.st_dev, fs.st_rdev, fs.st_atime, fs.st_mtime);
    _close(fd);
    reset();
    result("_futime(99)", _futime(99, &t2));
    int nul = _open("NUL", O_RDWR);
    reset();
    r = _fstat(nul, &fs);
    printf("_fstat(NUL): r=%d mode=%06o dev_is_fd=%d size=%ld\n", r, fs.st_mode, fs.st_dev == (unsigned)nul,
           fs.st_size);
    printf("_isatty(NUL): %d\n", _isatty(nul) != 0);
    _close(nul);
    reset();
    result("_fstat(99)", _fstat(99, &fs));

    /* ---- access, chmod, unlink, rename ---- */
    reset();
    result("_access(a.txt, 0)", _access("a.txt", 0));
    reset();
    result("_access(a.txt, 6)", _access("a.txt", 6));
    reset();
    result("_access(nosuch, 0)", _access("nosuch", 0));
    reset();
    result("_access(sub, 2)", _access("sub", 2));
    reset();
    result("_chmod(a.txt, _S_IREAD)", _chmod("a.txt", S_IREAD));
    stat_line("_stat(a.txt) read-only", "a.txt");
    reset();
    result("_access(a.txt, 2) read-only", _access("a.txt", 2));
    reset();
    result("_access(a.txt, 4) read-only", _access("a.txt", 4));
    reset();
    result("_waccess(a.txt, 2) read-only", _waccess(L"a.txt", 2));
    reset();
    result("_unlink(a.txt) read-only", _unlink("a.txt"));
    reset();
    result("_wchmod(a.txt, rw)", _wchmod(L"a.txt", S_IREAD | S_IWRITE));
    reset();
    result("_access(a.txt, 2) again", _access("a.txt", 2));
    reset();
    result("_chmod(nosuch)", _chmod("nosuch", S_IREAD));
    reset();
    result("rename(a.txt, b.txt)", rename("a.txt", "b.txt"));
    reset();
    result("rename(b.txt, sub)", rename("b.txt", "sub"));
    reset();
    result("rename(b.txt, prog.EXE)", rename("b.txt", "prog.EXE"));
    reset();
    result("rename(nosuch, c.txt)", rename("nosuch", "c.txt"));
    reset();
    result("_wrename(b.txt, w.txt)", _wrename(L"b.txt", L"w.txt"));
    reset();
    result("_unlink(nosuch)", _unlink("nosuch"));
    reset();
    result("_unlink(sub)", _unlink("sub"));
    reset();
    result("remove(run.bat)", remove("run.bat"));
    reset();
    result("_wremove(w.txt)", _wremove(L"w.txt"));
    reset();
    result("_wunlink(prog.EXE)", _wunlink(L"prog.EXE"));

    /* ---- directories ---- */
    reset();
    result("_mkdir(sub) again", _mkdir("sub"));
    reset();
    result("_mkdir(nosuch\\x)", _mkdir("nosuch\\x"));
    make("sub\\f.txt", "12345678");
    reset();
    result("_rmdir(sub) not empty", _rmdir("sub"));
    reset();
    result("_rmdir(sub\\f.txt) a file", _rmdir("sub\\f.txt"));
    reset();
    result("_rmdir(nosuch)", _rmdir("nosuch"));
    reset();
    result("_wmkdir(wdir)", _wmkdir(L"wdir"));
    reset();
    result("_wrmdir(wdir)", _wrmdir(L"wdir"));
    reset();
    result("_chdir(sub)", _chdir("sub"));
    _getcwd(cwd, sizeof cwd);
    printf("_getcwd after _chdir(sub): %s\n", tail(cwd, "\\crtfs.dir\\sub"));
    reset();
    result("_wchdir(..)", _wchdir(L".."));
    _mkdir("empty");
    _chdir("empty");
    reset();
    result("_rmdir(..\\empty) the current directory", _rmdir("..\\empty"));
    _chdir("..");
    _rmdir("empty");
    reset();
    result("_chdir(nosuch)", _chdir("nosuch"));
    reset();
    result("_chdir(sub\\f.txt) a file", _chdir("sub\\f.txt"));
    wchar_t wcwd[260];
    _wgetcwd(wcwd, 260);
    _getcwd(cwd, sizeof cwd);
    char narrowed[260];
    sprintf(narrowed, "%S", wcwd);
    printf("_wgetcwd is _getcwd: %d\n", strcmp(narrowed, cwd) == 0);

    /* ---- the current directory and drive ---- */
    reset();
    char *p = _getcwd(buf, 3);
    printf("_getcwd(buf, 3): %s errno=%d\n", p ? p : "NULL", E());
    p = _getcwd(buf, strlen(cwd) + 1);
    printf("_getcwd(buf, exactly): %d\n", p == buf && strcmp(buf, cwd) == 0);
    p = _getcwd(0, 0);
    printf("_getcwd(NULL, 0): %d\n", p && strcmp(p, cwd) == 0);
    free(p);
    p = _getdcwd(0, buf, sizeof buf);
    printf("_getdcwd(0): %d\n", p && strcmp(p, cwd) == 0);
    p = _getdcwd(drive, buf, sizeof buf);
    printf("_getdcwd(current drive): %d\n", p && strcmp(p, cwd) == 0);
    reset();
    p = _getdcwd(11, buf, sizeof buf);
    printf("_getdcwd(K, no such drive): %s errno=%d doserrno=%lu\n", p ? p : "NULL", E(), D());
    reset();
    result("_chdrive(0)", _chdrive(0));
    reset();
    result("_chdrive(32)", _chdrive(32));
    reset();
    result("_chdrive(K)", _chdrive(11));
    reset();
    result("_chdrive(current)", _chdrive(drive));
    _getcwd(buf, sizeof buf);
    printf("_getcwd after _chdrive(current): %s\n", tail(buf, "\\crtfs.dir"));
    p = _fullpath(buf, "x\\..\\y.txt", sizeof buf);
    printf("_fullpath(x\\..\\y.txt): %s\n", p ? tail(p, "\\crtfs.dir\\y.txt") : "NULL");
    p = _fullpath(buf, "\\", sizeof buf);
    printf("_fullpath(\\): %s\n", p ? (strlen(p) == 3 && p[1] == ':' && p[2] == '\\' ? "X:\\" : p) : "NULL");
    reset();
    p = _fullpath(buf, "y", 3);
    printf("_fullpath(y, 3): %s errno=%d\n", p ? p : "NULL", E());
    p = _fullpath(0, "y", 0);
    printf("_fullpath(NULL, y): %s\n", p ? tail(p, "\\crtfs.dir\\y") : "NULL");
    free(p);
    p = _fullpath(buf, "", sizeof buf);
    printf("_fullpath(empty) is the cwd: %d\n", p && strcmp(p, cwd) == 0);
    wchar_t wbuf[260];
    wchar_t *wp = _wfullpath(wbuf, L"sub\\.\\f.txt", 260);
    sprintf(narrowed, "%S", wp ? wp : L"NULL");
    printf("_wfullpath(sub\\.\\f.txt): %s\n", tail(narrowed, "\\crtfs.dir\\sub\\f.txt"));

    /* ---- _splitpath and _makepath ---- */
    static const char *paths[] = {"C:\\dir\\sub\\file.tar.gz", "file", "a.dir/b", "C:", ".profile",
                                  "\\\\server\\share\\x.", "D:name.txt", ""};
    for (unsigned i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char dr[3], di[256], fn[256], ex[256];
        _splitpath(paths[i], dr, di, fn, ex);
        printf("_splitpath(%s): [%s] [%s] [%s] [%s]\n", paths[i], dr, di, fn, ex);
    }
    char part[256];
    _splitpath("C:\\only\\dir.x\\name", 0, part, 0, 0);
    printf("_splitpath dir only: [%s]\n", part);
    wchar_t wdr[3], wdi[256], wfn[256], wex[256];
    _wsplitpath(L"E:\\w\\file.txt", wdr, wdi, wfn, wex);
    printf("_wsplitpath: [%S] [%S] [%S] [%S]\n", wdr, wdi, wfn, wex);
    _makepath(buf, "c", "\\dir", "f", "txt");
    printf("_makepath: %s\n", buf);
    _makepath(buf, "C:", "d/", "f", ".c");
    printf("_makepath: %s\n", buf);
    _makepath(buf, 0, 0, "f", 0);
    printf("_makepath: %s\n", buf);
    _makepath(buf, "", "", "", "");
    printf("_makepath: [%s]\n", buf);
    _wmakepath(wbuf, L"z", L"w", L"n", L"e");
    printf("_wmakepath: %S\n", wbuf);

    /* ---- _findfirst ---- */
    make("sub\\g.txt", "abc");
    make("sub\\h.dat", "");
    find_all("sub\\*");
    find_all("sub\\*.txt");
    find_all("sub\\nomatch*");
    find_all("nosuch\\*");
    struct fd_t d;
    reset();
    long h = _findfirst("sub\\g.txt", &d);
    printf("_findfirst(sub\\g.txt): ok=%d name=%s size=%lu times_set=%d\n", h != -1, d.name, d.size,
           d.time_write > 0 && d.time_access > 0 && d.time_create > 0);
    reset();
    r = _findnext(h, &d);
    printf("_findnext after the last: %d errno=%d\n", r, E());
    _findclose(h);
    struct wfd_t wd;
    h = _wfindfirst(L"sub\\h.dat", &wd);
    printf("_wfindfirst(sub\\h.dat): ok=%d name=%S attrib=%#x size=%lu\n", h != -1, wd.name, wd.attrib, wd.size);
    reset();
    r = _wfindnext(h, &wd);
    printf("_wfindnext after the last: %d errno=%d\n", r, E());
    _findclose(h);

    /* ---- low-level descriptors ---- */
    reset();
    fd = _open("c.txt", O_CREAT | O_RDWR | O_BINARY, S_IREAD | S_IWRITE);
    printf("_open(c.txt): %d\n", fd >= 3);
    _write(fd, "0123456789", 10);
    long told = _tell(fd), length = _filelength(fd);
    int at_end = _eof(fd);
    printf("_tell: %ld _filelength: %ld _eof: %d\n", told, length, at_end);
    _lseek(fd, 3, 0);
    told = _tell(fd);
    at_end = _eof(fd);
    length = _filelength(fd);
    printf("after _lseek(3): _tell: %ld _eof: %d _filelength: %ld _tell: %ld\n", told, at_end, length,
           _tell(fd));
    reset();
    result("_chsize(fd, 20)", _chsize(fd, 20));
    length = _filelength(fd);
    printf("after _chsize(20): _filelength: %ld _tell: %ld\n", length, _tell(fd));
    reset();
    result("_chsize(fd, 4)", _chsize(fd, 4));
    length = _filelength(fd);
    printf("after _chsize(4): _filelength: %ld _tell: %ld\n", length, _tell(fd));
    reset();
    result("_commit(fd)", _commit(fd));
    int d1 = _dup(fd);
    printf("_dup(fd): %d\n", d1 > fd);
    _lseek(d1, 0, 2);
    printf("the duplicate shares the position: %ld\n", _tell(fd));
    reset();
    result("_dup2(fd, 10)", _dup2(fd, 10));
    _lseek(10, 1, 0);
    char c = 0;
    _read(10, &c, 1);
    printf("read through 10: %c; fd now at %ld\n", c, _tell(fd));
    reset();
    result("_dup2(fd, fd)", _dup2(fd, fd));
    reset();
    result("_dup2(d1, 10) over an open one", _dup2(d1, 10));
    reset();
    result("_close(10)", _close(10));
    reset();
    result("_close(10) again", _close(10));
    reset();
    result("_dup(99)", _dup(99));
    reset();
    result("_dup2(99, 5)", _dup2(99, 5));
    reset();
    result("_dup2(fd, 5000)", _dup2(fd, 5000));
    printf("_isatty(file): %d\n", _isatty(fd));
    reset();
    r = _setmode(fd, O_TEXT);
    printf("_setmode(fd, _O_TEXT): %#x\n", r);
    r = _setmode(fd, O_BINARY);
    printf("_setmode(fd, _O_BINARY): %#x\n", r);
    reset();
    result("_setmode(fd, 0x1234)", _setmode(fd, 0x1234));
    reset();
    result("_setmode(99, _O_TEXT)", _setmode(99, O_TEXT));
    long os = _get_osfhandle(fd);
    printf("_get_osfhandle(fd): %d\n", os != -1);
    reset();
    result("_get_osfhandle(99)", (int)_get_osfhandle(99));
    HANDLE hf = CreateFileA("c.txt", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, 0, OPEN_EXISTING, 0, 0);
    int fo = _open_osfhandle((long)hf, O_RDONLY);
    char four[5] = {0};
    int got = _read(fo, four, 4);
    int same = _get_osfhandle(fo) == (long)hf;
    printf("_open_osfhandle: %d read %d [%s] _get_osfhandle is it: %d\n", fo > fd, got, four, same);
    reset();
    result("_close(osf fd)", _close(fo));
    reset();
    result("_open_osfhandle(bad handle)", _open_osfhandle(0x7777, O_RDONLY));
    _close(d1);
    _close(fd);
    int ro = _open("c.txt", O_RDONLY | O_BINARY);
    reset();
    result("_chsize(read-only fd, 100)", _chsize(ro, 100));
    reset();
    result("_chsize(read-only fd, 1)", _chsize(ro, 1));
    reset();
    result("_write(read-only fd)", _write(ro, "x", 1));
    _close(ro);
    reset();
    result("_filelength(99)", _filelength(99));
    reset();
    result("_eof(99)", _eof(99));
    reset();
    result("_tell(99)", _tell(99));
    reset();
    result("_commit(99)", _commit(99));
    reset();
    result("_chsize(99, 0)", _chsize(99, 0));
    reset();
    result("_open(c.txt, O_CREAT|O_EXCL)", _open("c.txt", O_CREAT | O_EXCL | O_WRONLY, S_IREAD | S_IWRITE));
    reset();
    result("_open(nosuch, O_RDONLY)", _open("nosuch", O_RDONLY));
    reset();
    int w = _open("c.txt", 3);
    result("_open(c.txt, bad access 3)", w);
    if (w >= 0)
        _close(w);
    int rofile = _open("ro.txt", O_CREAT | O_WRONLY, S_IREAD);
    _write(rofile, "r", 1);
    _close(rofile);
    reset();
    result("_access(ro.txt made without _S_IWRITE, 2)", _access("ro.txt", 2));
    reset();
    w = _open("ro.txt", O_WRONLY);
    result("_open(ro.txt, O_WRONLY)", w);
    if (w >= 0)
        _close(w);
    _chmod("ro.txt", S_IREAD | S_IWRITE);
    _unlink("ro.txt");
    _unlink("c.txt");

    /* ---- temporary names ---- */
    char pid32[16], expect[32];
    _ultoa(_getpid(), pid32, 32);
    sprintf(expect, "\\s%s.", pid32);
    p = tmpnam(0);
    unsigned n = strlen(expect);
    printf("tmpnam(NULL) starts \\s<pid in base 32>.: %d\n", p && strlen(p) >= n && memcmp(p, expect, n) == 0);
    printf("tmpnam(NULL) first extension: [%s]\n", p ? p + n : "NULL");
    p = tmpnam(buf);
    printf("tmpnam(buf) second extension: [%s] is buf: %d\n", p ? p + n : "NULL", p == buf);
    wchar_t *wt = _wtmpnam(0);
    sprintf(narrowed, "%S", wt ? wt : L"NULL");
    printf("_wtmpnam(NULL) starts \\s<pid>.: %d\n", memcmp(narrowed, expect, n) == 0);
    FILE *tf = tmpfile();
    printf("tmpfile: %d\n", tf != 0);
    fputs("temporary\n", tf);
    rewind(tf);
    char line[32] = "";
    fgets(line, sizeof line, tf);
    printf("tmpfile read back: %s", line);
    FILE *tf2 = tmpfile();
    printf("_rmtmp: %d\n", _rmtmp());
    (void)tf2;
    _putenv("TMP=");
    p = _tempnam("sub", "pf");
    printf("_tempnam(sub, pf) in sub: %d\n", p && memcmp(p, "sub\\pf", 6) == 0);
    printf("_tempnam(sub, pf) number: [%s]\n", p ? p + 6 : "NULL");
    free(p);
    p = _tempnam("nosuch", "q");
    printf("_tempnam(nosuch, q) in the root: [%s]\n", p ? p : "NULL");
    free(p);
    _putenv("TMP=sub");
    p = _tempnam("nosuch", "t");
    printf("_tempnam with TMP=sub: %d\n", p && memcmp(p, "sub\\t", 5) == 0);
    free(p);
    wt = _wtempnam(L"sub", L"w");
    sprintf(narrowed, "%S", wt ? wt : L"NULL");
    printf("_wtempnam(sub, w) in sub: %d\n", memcmp(narrowed, "sub\\w", 5) == 0);
    free(wt);

    /* ---- clean up ---- */
    _unlink("sub\\f.txt");
    _unlink("sub\\g.txt");
    _unlink("sub\\h.dat");
    result("_rmdir(sub) emptied", _rmdir("sub"));
    _chdir("..");
    result("_rmdir(crtfs.dir)", _rmdir("crtfs.dir"));
    return 0;
}
