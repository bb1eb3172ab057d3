/* crtspawn.exe: msvcrt's _spawn family, _cwait and system over CreateProcess, starting
 * crtchild.exe (which must be in the current directory): the modes _P_WAIT (the exit code),
 * _P_NOWAIT (a process handle for _cwait), the l/v, e and p forms (an environment given;
 * PATH searched), the wide forms, the arguments joined unquoted, and the errors (a missing
 * program: ENOENT; a bad mode: EINVAL; a file that is no program: ENOEXEC; _cwait of what is
 * no child: ECHILD; system without a command interpreter: ENOENT). With the argument "exec",
 * _execl replaces the program by crtchild.exe after a _P_DETACH spawn and _cwait(-1) (not
 * run under Wine, whose _cwait waits for ever on -1). Linked with mingw-w64's
 * start-up against msvcrt.dll; output in tests/guests/expected/crtspawn.expected. */
#include <stddef.h>

typedef struct { char *ptr; int cnt; char *base; int flag, file, charbuf, bufsiz; char *tmpfname; } FILE;
#define F __cdecl
int F printf(const char *, ...);
int F setvbuf(FILE *, char *, int, size_t);
FILE *F __iob_func(void);
FILE *F fopen(const char *, const char *);
int F fputs(const char *, FILE *);
int F fclose(FILE *);
unsigned long *F __doserrno(void);
int F _putenv(const char *);
int F _mkdir(const char *);
int F _rmdir(const char *);
int F _unlink(const char *);
int F _spawnl(int, const char *, const char *, ...);
int F _spawnle(int, const char *, const char *, ...);
int F _spawnlp(int, const char *, const char *, ...);
int F _spawnlpe(int, const char *, const char *, ...);
int F _spawnv(int, const char *, const char *const *);
int F _spawnve(int, const char *, const char *const *, const char *const *);
int F _spawnvp(int, const char *, const char *const *);
int F _spawnvpe(int, const char *, const char *const *, const char *const *);
int F _wspawnl(int, const wchar_t *, const wchar_t *, ...);
int F _wspawnle(int, const wchar_t *, const wchar_t *, ...);
int F _execl(const char *, const char *, ...);
int F _cwait(int *, int, int);
int F system(const char *);
int F _wsystem(const wchar_t *);
__declspec(dllimport) int __stdcall CopyFileA(const char *, const char *, int);
#define E() (*_errno())

#define P_WAIT 0
#define P_NOWAIT 1
#define P_DETACH 4

static void show(const char *what, int r)
{
    if (r == -1)
        printf("%s: -1 errno=%d doserrno=%lu\n", what, E(), *__doserrno());
    else
        printf("%s: %d\n", what, r);
}

static void reset(void)
{
    *_errno() = 0;
    *__doserrno() = 0;
}

int main(int argc, char **argv)
{
    /* Unbuffered, so that the parent's lines and its children's come in order. */
    setvbuf(&__iob_func()[1], 0, 4 /* _IONBF */, 0);
    if (argc > 1) {
        printf("exec mode\n");
        int r = _spawnl(P_DETACH, "crtchild.exe", "crtchild.exe", "detached", "18", NULL);
        printf("_spawnl(_P_DETACH): %d\n", r);
        /* -1 is the current process: msvcrt refuses it rather than wait forever. */
        reset();
        show("_cwait(-1)", _cwait(0, -1, 0));
        _execl("crtchild.exe", "crtchild.exe", "exec", "42", NULL);
        printf("not reached\n");
        return 1;
    }

    reset();
    show("_spawnl(_P_WAIT, crtchild.exe, \"two words\", 7)",
         _spawnl(P_WAIT, "crtchild.exe", "crtchild.exe", "two words", "7", NULL));
    reset();
    show("_spawnlp(_P_WAIT, crtchild, 3)", _spawnlp(P_WAIT, "crtchild", "crtchild", "3", NULL));
    int h = _spawnl(P_NOWAIT, "crtchild.exe", "crtchild.exe", "5", NULL);
    int status = -2;
    int r = _cwait(&status, h, 0);
    printf("_spawnl(_P_NOWAIT) then _cwait: handle returned %d, status %d\n", r == h && h != -1, status);
    static const char *const env[] = {"SPAWNVAR=hello", "OTHER=1", NULL};
    show("_spawnle(_P_WAIT, env, 6)", _spawnle(P_WAIT, "crtchild.exe", "crtchild.exe", "6", NULL, env));
    _putenv("SPAWNVAR=inherited");
    static const char *const argv8[] = {"crtchild.exe", "8", NULL};
    show("_spawnv(_P_WAIT, 8)", _spawnv(P_WAIT, "crtchild.exe", argv8));
    static const char *const env9[] = {"SPAWNVAR=fromve", NULL};
    static const char *const argv9[] = {"crtchild.exe", "9", NULL};
    show("_spawnve(_P_WAIT, env, 9)", _spawnve(P_WAIT, "crtchild.exe", argv9, env9));
    static const char *const empty[] = {NULL};
    static const char *const argv10[] = {"crtchild.exe", "10", NULL};
    show("_spawnve(_P_WAIT, empty env, 10)", _spawnve(P_WAIT, "crtchild.exe", argv10, empty));

    /* PATH searched by the p forms */
    _mkdir("bin");
    CopyFileA("crtchild.exe", "bin\\pathchild.exe", 0);
    _putenv("PATH=bin");
    show("_spawnlp(_P_WAIT, pathchild, 12)", _spawnlp(P_WAIT, "pathchild", "pathchild", "12", NULL));
    static const char *const argv13[] = {"pathchild", "13", NULL};
    show("_spawnvp(_P_WAIT, pathchild, 13)", _spawnvp(P_WAIT, "pathchild", argv13));
    static const char *const argv14[] = {"pathchild.exe", "14", NULL};
    show("_spawnvpe(_P_WAIT, pathchild.exe, env, 14)", _spawnvpe(P_WAIT, "pathchild.exe", argv14, env9));
    show("_spawnlpe(_P_WAIT, pathchild, env, 15)",
         _spawnlpe(P_WAIT, "pathchild", "pathchild", "15", NULL, env));
    reset();
    show("_spawnl(_P_WAIT, pathchild) without the search", _spawnl(P_WAIT, "pathchild", "pathchild", NULL));

    /* errors */
    reset();
    show("_spawnl(_P_WAIT, nosuch.exe)", _spawnl(P_WAIT, "nosuch.exe", "nosuch.exe", NULL));
    reset();
    show("_spawnlp(_P_WAIT, nosuch)", _spawnlp(P_WAIT, "nosuch", "nosuch", NULL));
    reset();
    show("_spawnl(mode 99, crtchild.exe)", _spawnl(99, "crtchild.exe", "crtchild.exe", NULL));
    FILE *f = fopen("notexe.txt", "w");
    fputs("not a program\n", f);
    fclose(f);
    reset();
    show("_spawnl(_P_WAIT, notexe.txt)", _spawnl(P_WAIT, "notexe.txt", "notexe.txt", NULL));
    reset();
    show("_cwait(bad handle)", _cwait(&status, 0x7770, 0));

    /* system */
    _putenv("COMSPEC=");
    reset();
    show("system(NULL) without COMSPEC", system(NULL));
    reset();
    show("system(echo) without COMSPEC or cmd.exe on PATH", system("echo"));
    _putenv("COMSPEC=nosuch.exe");
    reset();
    show("system(NULL) with COMSPEC=nosuch.exe", system(NULL));
    _putenv("COMSPEC=crtchild.exe");
    show("system(NULL) with COMSPEC=crtchild.exe", system(NULL));
    show("system(\"19\") with COMSPEC=crtchild.exe", system("19"));
    show("_wsystem(L\"20\")", _wsystem(L"20"));

    /* wide forms */
    show("_wspawnl(_P_WAIT, 21)", _wspawnl(P_WAIT, L"crtchild.exe", L"crtchild.exe", L"21", NULL));
    static const wchar_t *const wenv[] = {L"SPAWNVAR=wide", NULL};
    show("_wspawnle(_P_WAIT, env, 22)", _wspawnle(P_WAIT, L"crtchild.exe", L"crtchild.exe", L"22", NULL, wenv));

    _unlink("notexe.txt");
    _unlink("bin\\pathchild.exe");
    _rmdir("bin");
    return 0;
}
