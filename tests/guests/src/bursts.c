/* bursts.exe: 40 rounds of a burst of computation (a few hundred thousand instructions,
 * some milliseconds of virtual time) and a Sleep(5); prints the checksum of the work and
 * exits with code 0. A timed run's end falls in a burst a third of the time or so. */
#include "guest.h"

static volatile unsigned sum;

void __stdcall start(void)
{
    unsigned round, i, s = 1;
    for (round = 0; round < 40; round++) {
        for (i = 0; i < 100000; i++)
            s = s * 1664525u + 1013904223u + i;
        sum = s;
        Sleep(5);
    }
    put(sum ? "bursts done\n" : "bursts done (zero)\n");
    ExitProcess(0);
}
