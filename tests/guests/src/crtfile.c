/* msvcrt's stdio over files, linked with mingw-w64's normal start-up against msvcrt.dll. Run
 * with a drive C: (RunOptions.root); its output is tests/guests/expected/crtfile.expected. */
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <string.h>

static void dump(const char *name)
{
    unsigned char bytes[64];
    FILE *f = fopen(name, "rb");
    size_t n = fread(bytes, 1, sizeof bytes, f);
    printf("%s: %u bytes:", name, (unsigned)n);
    for (size_t i = 0; i < n; i++)
        printf(" %02x", bytes[i]);
    printf("\n");
    fclose(f);
}

int main(void)
{
    /* text mode writes \n as \r\n */
    FILE *f = fopen("C:\\t.txt", "w");
    printf("fopen w: %s\n", f ? "ok" : "NULL");
    fprintf(f, "line %d\n", 1);
    fputs("two\n", f);
    fputc('3', f);
    fputc('\n', f);
    printf("fclose: %d\n", fclose(f));
    dump("C:\\t.txt");

    /* text mode reads \r\n as \n */
    char line[32];
    f = fopen("C:\\t.txt", "r");
    while (fgets(line, sizeof line, f))
        printf("fgets: [%.*s] len %u\n", (int)strcspn(line, "\n"), line, (unsigned)strlen(line));
    printf("feof: %d ftell: %ld\n", feof(f) != 0, ftell(f));
    rewind(f);
    int number = 0;
    char word[16];
    printf("fscanf: %d", fscanf(f, "%s %d", word, &number));
    printf(" [%s] %d ftell %ld\n", word, number, ftell(f));
    /* printf's arguments are evaluated in no fixed order: each call is its own statement */
    int r = fseek(f, -4, SEEK_END);
    int c = fgetc(f);
    printf("fseek: %d fgetc: %02x ftell: %ld\n", r, c, ftell(f));
    r = ungetc('x', f);
    c = fgetc(f);
    printf("ungetc: %c fgetc: %c fgetc: %c\n", r, c, fgetc(f));
    fclose(f);

    /* append, binary */
    f = fopen("C:\\t.txt", "ab");
    fwrite("end\n", 1, 4, f);
    fclose(f);
    dump("C:\\t.txt");

    /* read and write: "r+" */
    f = fopen("C:\\t.txt", "r+b");
    fseek(f, 5, SEEK_SET);
    fputc('#', f);
    fseek(f, 0, SEEK_SET);
    c = fgetc(f);
    printf("r+: fgetc %c", c);
    printf(" fread %u [%.5s]\n", (unsigned)fread(line, 1, 5, f), line);
    fclose(f);
    dump("C:\\t.txt");

    /* low-level descriptors */
    int fd = _open("C:\\t.txt", _O_RDONLY | _O_BINARY);
    char raw[8];
    int got = _read(fd, raw, 4);
    long end = _lseek(fd, 0, SEEK_END);
    r = _close(fd);
    printf("_open: %d _read: %d [%.4s] _lseek: %ld _close: %d\n", fd > 2, got, raw, end, r);
    r = _close(fd);
    printf("_close again: %d errno %d\n", r, errno);

    /* freopen keeps the FILE; _fdopen puts a FILE on a descriptor */
    f = fopen("C:\\t.txt", "r");
    FILE *g = freopen("C:\\u.txt", "w", f);
    printf("freopen: %s\n", g == f ? "same FILE" : "other");
    fputs("via freopen\n", g);
    fclose(g);
    dump("C:\\u.txt");
    fd = _open("C:\\u.txt", _O_RDONLY);
    g = _fdopen(fd, "r");
    char *text = fgets(line, sizeof line, g);
    printf("_fdopen: [%.11s] fileno ok: %d\n", text, _fileno(g) == fd);
    fclose(g);

    /* errors */
    errno = 0;
    f = fopen("C:\\missing\\nothing.txt", "r");
    printf("fopen missing: %s errno %d\n", f ? "FILE" : "NULL", errno);
    perror("perror");
    f = fopen("C:\\t.txt", "q");
    printf("fopen bad mode: %s errno %d\n", f ? "FILE" : "NULL", errno);
    printf("ftell stdout: %ld\n", ftell(stdout));
    return 0;
}
