/* crtinherit.exe: msvcrt passes its file descriptors to the children it spawns through
 * STARTUPINFO.cbReserved2/lpReserved2 (tests/thrstart.rs): a descriptor the parent opened is
 * open at the same number in the child, one opened with _O_NOINHERIT is not, and a
 * _P_DETACH child (DETACHED_PROCESS: no standard handles of its own) still writes to the
 * descriptors it was given. Linked with mingw-w64's start-up against msvcrt.dll. */
typedef unsigned int size_t;
#define F __cdecl
int F printf(const char *, ...);
int F _open(const char *, int, ...);
int F _close(int);
int F _write(int, const void *, unsigned);
int F _read(int, void *, unsigned);
int F _lseek(int, long, int);
int F _unlink(const char *);
int F _spawnl(int, const char *, const char *, ...);
int F _cwait(int *, int, int);
int *F _errno(void);
int F strcmp(const char *, const char *);
int F atoi(const char *);
#define O_RDWR 2
#define O_CREAT 0x100
#define O_TRUNC 0x200
#define O_BINARY 0x8000
#define O_NOINHERIT 0x80

int main(int argc, char **argv)
{
    char buf[64];
    int fd, closed_fd, n, code = -1, h;
    if (argc == 4 && !strcmp(argv[1], "child")) {
        /* argv[2]: the inherited descriptor; argv[3]: one opened _O_NOINHERIT. */
        int ok = _write(atoi(argv[2]), "from the child", 14) == 14;
        int bad = _write(atoi(argv[3]), "x", 1) == -1 && *_errno() == 9;
        return ok + 2 * bad;
    }
    fd = _open("inherit.txt", O_RDWR | O_CREAT | O_TRUNC | O_BINARY, 0666);
    closed_fd = _open("noinherit.txt", O_RDWR | O_CREAT | O_TRUNC | O_BINARY | O_NOINHERIT, 0666);
    printf("opened: %d %d\n", fd, closed_fd);
    code = _spawnl(0, argv[0], argv[0], "child", fd == 3 ? "3" : "?", closed_fd == 4 ? "4" : "?", (char *)0);
    printf("_P_WAIT child: %d\n", code);
    _lseek(fd, 0, 0);
    n = _read(fd, buf, sizeof(buf) - 1);
    buf[n < 0 ? 0 : n] = 0;
    printf("what it wrote: %s\n", buf);
    h = _spawnl(1, argv[0], argv[0], "child", "3", "4", (char *)0);
    code = -1;
    _cwait(&code, h, 0);
    printf("_P_NOWAIT child: %d\n", code);
    _close(fd);
    _close(closed_fd);
    _unlink("inherit.txt");
    _unlink("noinherit.txt");
    return 0;
}
