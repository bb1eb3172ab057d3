/* A small C file for ctags and ref: a macro, a type, a global and three functions. */
#include <stdio.h>

#define GREETING "hello"

typedef struct point {
    int x;
    int y;
} point_t;

static int counter;

static int add(int a, int b)
{
    return a + b;
}

int scale(point_t *p, int by)
{
    p->x *= by;
    p->y *= by;
    return add(p->x, p->y);
}

int main(void)
{
    point_t p = { 1, 2 };
    counter = scale(&p, 3);
    printf("%s %d\n", GREETING, counter);
    return 0;
}
