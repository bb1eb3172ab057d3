/* An old-style CRTDLL.dll program: its own entry point calls CRTDLL's start-up
 * (__GetMainArgs), prints with printf and with fprintf on &_iob[1] (the CRTDLL data export
 * _iob, imported as data), reads __argc_dll, and ends with exit. Built without mingw's
 * start-up against libcrtdll.a (-fno-builtin: the math calls stay calls); output in tests/guests/expected/crtdll.expected. */
typedef struct { char *ptr; int cnt; char *base; int flag, file, charbuf, bufsiz; char *tmpfname; } FILE;

__declspec(dllimport) extern FILE _iob[];
__declspec(dllimport) extern int __argc_dll;
void __cdecl __GetMainArgs(int *argc, char ***argv, char ***envp, int expand);
int __cdecl printf(const char *fmt, ...);
int __cdecl fprintf(FILE *f, const char *fmt, ...);
int __cdecl sprintf(char *buf, const char *fmt, ...);
void __cdecl exit(int code);
double __cdecl sqrt(double x);
double __cdecl pow(double x, double y);
__declspec(dllimport) double __cdecl atan2(double y, double x);
double __cdecl floor(double x);
double __cdecl fmod(double x, double y);
double __cdecl frexp(double x, int *e);
__declspec(dllimport) double __cdecl ldexp(double x, int e);
double __cdecl modf(double x, double *whole);
double __cdecl atof(const char *s);
int *__cdecl _errno(void);

void start(void)
{
    int argc;
    char **argv, **envp;
    char buf[64];
    __GetMainArgs(&argc, &argv, &envp, 0);
    printf("crtdll: argc=%d argv0=%s __argc_dll=%d\n", argc, argv[0], __argc_dll);
    fprintf(&_iob[1], "stdout via _iob[1]: fd %d %5.1f %e\n", _iob[1].file, 2.25, 100.0);
    sprintf(buf, "%-4s|%04X", "ab", 0xbeef);
    printf("sprintf: %s\n", buf);
    /* math: CRTDLL's own functions (built with -fno-builtin), doubles returned in ST(0) */
    printf("math: %.6f %g %.6f %g %g\n", sqrt(2.0), pow(2.0, 10.0), atan2(1.0, -1.0),
           floor(-1.5), fmod(7.5, 2.0));
    int e;
    double whole;
    double m = frexp(8.0, &e);
    double f = modf(3.25, &whole);
    printf("frexp: %g %d ldexp: %g modf: %g %g atof: %g\n", m, e, ldexp(0.75, 2), f, whole,
           atof("-1.5e2"));
    *_errno() = 0;
    double bad = sqrt(-1.0);
    printf("sqrt(-1): %f errno %d\n", bad, *_errno());
    exit(argc + 4);
}
