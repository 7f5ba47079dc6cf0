// Compute benchmark: naive recursive Fibonacci, calls and integer arithmetic. The same
// source is compiled natively and to wasm32-wasi; the printed result must agree.
#include <stdio.h>
#include <stdlib.h>

static unsigned long fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(int argc, char **argv) {
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 32;
    printf("fib(%u) = %lu\n", n, fib(n));
    return 0;
}
