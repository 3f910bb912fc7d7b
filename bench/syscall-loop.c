/* The benchmark's tracee: waits for SIGUSR1 (so that a tracer can attach first), then runs
   argv[1] iterations of stat("/etc/hostname") + getppid() and prints nanoseconds per iteration.
   With argv[2], it sleeps that many microseconds after each iteration: a mostly idle process (a server
   between requests) instead of one that keeps a CPU busy.
   Traced with -e trace=%file, each iteration makes 4 ptrace stops (entry and exit of each call),
   2 of them for a call the filter rejects. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
static volatile sig_atomic_t go;
static void on_usr1(int s) { (void) s; go = 1; }
int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 100000;
    long pause_us = argc > 2 ? atol(argv[2]) : 0;
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    while (!go) pause();
    struct stat st;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) {
        stat("/etc/hostname", &st);
        getppid();
        if (pause_us > 0) usleep(pause_us);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
    printf("%.0f\n", ns / n);
    return 0;
}
