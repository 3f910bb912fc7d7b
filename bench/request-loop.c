/* The budget benchmark's worker: serves "requests" in a loop, each CALLS system calls (a php-fpm-like mix:
   read, write, fstat, getppid, a quarter each) and WORK_US microseconds of computation, like a php-fpm worker
   (~40 calls and ~100-200 us of CPU a request on the lab). Runs WARMUP seconds (a tracer attaches and settles),
   then MEASURE seconds, and prints requests per second of the measured part.
     request-loop WARMUP MEASURE CALLS WORK_US */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile uint64_t sink;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void work(long n) {
    uint64_t x = 88172645463325252ull;
    for (long i = 0; i < n; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; }
    sink = x;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: request-loop WARMUP MEASURE CALLS WORK_US\n"); return 2; }
    double warmup = atof(argv[1]), measure = atof(argv[2]);
    int calls = atoi(argv[3]);
    double work_us = atof(argv[4]);
    /* calibrate the computation: iterations per microsecond, before anyone traces us */
    double t0 = now();
    work(20000000);
    long per_us = (long) (20000000 / ((now() - t0) * 1e6));
    long iters = (long) (work_us * per_us);
    int in = open("/dev/zero", O_RDONLY), out = open("/dev/null", O_WRONLY);
    char buf[64];
    struct stat st;
    double start = now(), mark = start + warmup, end = mark + measure;
    long served = 0;
    for (;;) {
        double t = now();
        if (t >= end) break;
        for (int i = 0; i < calls; i++) {
            switch (i & 3) {
            case 0: if (read(in, buf, sizeof buf) < 0) return 1; break;
            case 1: if (write(out, buf, sizeof buf) < 0) return 1; break;
            case 2: fstat(in, &st); break;
            default: getppid();
            }
        }
        work(iters);
        if (t >= mark) served++;
    }
    printf("%.1f\n", served / measure);
    return 0;
}
