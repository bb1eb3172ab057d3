/* compute.exe: compute-bound work for the interpreter benchmark: an integer checksum, an
 * insertion sort and a floating-point loop. Prints the three results and exits 0. The same
 * algorithms are what the Alpha benchmark runs. */
#include "guest.h"

#define N 2048

static unsigned int data[N];

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

void __stdcall start(void)
{
    unsigned int seed = 12345, i, sum;
    double s;
    for (i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        data[i] = seed >> 8;
    }
    sum = checksum((const unsigned char *)data, sizeof data);
    sort(data, N);
    for (i = 1; i < N; i++)
        if (data[i - 1] > data[i]) { put("unsorted\n"); ExitProcess(1); }
    s = series(200000);
    check_x("checksum", sum);
    check_x("sorted-first", data[0]);
    check_u("series-x1e9", (unsigned long)(s * 1e9));
    ExitProcess(0);
}
