/* The CPU-bound workloads of `ntemu bench`, shared by wbench.c (the NT guest) and linux.c
 * (the same code as a freestanding Linux program for qemu-i386, qemu-alpha and the host):
 * plain C, no library calls, no floating point. Each takes a size and returns a checksum,
 * so the compiler cannot drop the work and every build can be checked against the others. */

#define WORK_WORDS 65536u

static unsigned int work_buf[WORK_WORDS];
static unsigned int work_buf2[WORK_WORDS];

/* Integer phase: n rounds of multiply, divide, shift and xor on a few registers. */
static unsigned int work_integer(unsigned int n)
{
    unsigned int a = 12345, b = 67890, c = 1, i;
    for (i = 0; i < n; i++) {
        a = a * 1103515245u + 12345u;
        b ^= a >> 7;
        c += (b % 1009u) + (a / (c | 1u));
        b = (b << 3) | (b >> 29);
    }
    return a ^ b ^ c;
}

/* CRC phase: CRC-32 (IEEE, bit by bit) of n bytes of a generated buffer. */
static unsigned int work_crc(unsigned int n)
{
    unsigned int crc = 0xffffffffu, seed = 1, i, k;
    for (i = 0; i < n; i++) {
        unsigned int byte;
        seed = seed * 1103515245u + 12345u;
        byte = (seed >> 16) & 0xff;
        crc ^= byte;
        for (k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* Sort phase: a heap sort of n pseudo-random words (n <= WORK_WORDS); returns a checksum of
 * the sorted order, or 0 if the result is not sorted. */
static unsigned int work_sort(unsigned int n)
{
    unsigned int *v = work_buf, seed = 7, i, start, end, root, child, t, sum = 0;
    if (n > WORK_WORDS) n = WORK_WORDS;
    if (n < 2) return 1;
    for (i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        v[i] = seed >> 4;
    }
    for (start = n / 2; start-- > 0;) {
        for (root = start; (child = 2 * root + 1) < n; root = child) {
            if (child + 1 < n && v[child] < v[child + 1]) child++;
            if (v[root] >= v[child]) break;
            t = v[root]; v[root] = v[child]; v[child] = t;
        }
    }
    for (end = n - 1; end > 0; end--) {
        t = v[0]; v[0] = v[end]; v[end] = t;
        for (root = 0; (child = 2 * root + 1) < end; root = child) {
            if (child + 1 < end && v[child] < v[child + 1]) child++;
            if (v[root] >= v[child]) break;
            t = v[root]; v[root] = v[child]; v[child] = t;
        }
    }
    for (i = 1; i < n; i++) {
        if (v[i - 1] > v[i]) return 0;
        sum = sum * 31u + v[i];
    }
    return sum | 1u;
}

/* Copy loop: n passes copying a 256 KiB buffer word by word into another and back. */
static unsigned int work_copy(unsigned int n)
{
    unsigned int i, p, sum = 0;
    volatile unsigned int *src = work_buf, *dst = work_buf2;
    for (i = 0; i < WORK_WORDS; i++) work_buf[i] = i * 2654435761u;
    for (p = 0; p < n; p++) {
        for (i = 0; i < WORK_WORDS; i++) dst[i] = src[i] + p;
        for (i = 0; i < WORK_WORDS; i++) src[i] = dst[i] - p;
    }
    for (i = 0; i < WORK_WORDS; i += 64) sum += work_buf[i] ^ work_buf2[i];
    return sum;
}

/* Recursive calls: the naive Fibonacci of n. */
static unsigned int work_fib(unsigned int n)
{
    return n < 2 ? n : work_fib(n - 1) + work_fib(n - 2);
}

/* The compute program: the integer, CRC and sort phases one after the other, each scaled by
 * n (n = 1 is about 1.5 million guest instructions). */
static unsigned int work_compute(unsigned int n)
{
    return work_integer(20000u * n) ^ work_crc(2000u * n) ^ work_sort(n * 1000u > WORK_WORDS ? WORK_WORDS : n * 1000u);
}

/* Whether `word` is `name`. */
static int work_is(const char *word, const char *name)
{
    while (*name && *word == *name) { word++; name++; }
    return !*name && !*word;
}

/* Runs the CPU-bound workload `name` of size n into *result; 0 when the name is unknown.
 * (An if chain, not a table of names or a switch: the Alpha NT build has no 64-bit data
 * relocations.) */
static int work_run(const char *name, unsigned int n, unsigned int *result)
{
    if (work_is(name, "integer")) *result = work_integer(n);
    else if (work_is(name, "crc")) *result = work_crc(n);
    else if (work_is(name, "sort")) *result = work_sort(n);
    else if (work_is(name, "copy")) *result = work_copy(n);
    else if (work_is(name, "fib")) *result = work_fib(n);
    else if (work_is(name, "compute")) *result = work_compute(n);
    else return 0;
    return 1;
}
