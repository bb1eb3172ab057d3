/* compute.exe: compute-bound work for the interpreter benchmark: an integer checksum, an
 * insertion sort and a floating-point loop. Prints the three results and exits 0. The same
 * algorithms are what the Alpha benchmark runs. */
#include "guest.h"

#include "compute_work.h"

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
