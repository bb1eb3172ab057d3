/* The work of the compute benchmark, shared by compute.c (the x86 NT guest) and
 * benches/compute_linux.c (the same work as a Linux program for qemu-i386 and native runs):
 * an integer checksum, an insertion sort and a floating-point series. */
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
