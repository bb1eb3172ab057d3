/* compute.exe's work (tests/guests/src/compute.c) as a freestanding i386 Linux program, for
 * benches/compare.sh: run natively and under qemu-i386. No C library: _start does the work
 * and exits with the checksum's low byte (218), as tests/guests/alpha/compute-linux.elf does. */
#include "../tests/guests/src/compute_work.h"

volatile double series_sink;

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
