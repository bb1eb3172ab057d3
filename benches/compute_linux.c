/* compute.exe's work (tests/guests/src/compute.c) as a freestanding i386 Linux program, for
 * benches/compare.sh: run natively and under qemu-i386. No C library: _start does the work
 * and exits with the checksum's low byte (218), as tests/guests/alpha/compute-linux.elf does. */
#define N 2048

static unsigned int data[N];
volatile double series_sink;

static unsigned int checksum(const unsigned char *p, unsigned int n)
{
    unsigned int a = 1, b = 0, i;
    for (i = 0; i < n; i++) {
        a = (a + p[i]) % 65521;
        b = (b + a) % 65521;
    }
    return (b << 16) | a;
}

static void sort(unsigned int *v, int n)
{
    int i, j;
    for (i = 1; i < n; i++) {
        unsigned int x = v[i];
        for (j = i - 1; j >= 0 && v[j] > x; j--) v[j + 1] = v[j];
        v[j + 1] = x;
    }
}

static double series(int n)
{
    double s = 0.0, x = 1.0;
    int i;
    for (i = 1; i <= n; i++) {
        s += x / ((double)i * (double)i);
        x = -x;
    }
    return s;
}

void _start(void)
{
    unsigned int seed = 12345, i, sum;
    for (i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        data[i] = seed >> 8;
    }
    sum = checksum((const unsigned char *)data, sizeof data);
    sort(data, N);
    series_sink = series(200000);
    __asm__ volatile("int $0x80" : : "a"(1), "b"(sum & 255));
    for (;;) {
    }
}
