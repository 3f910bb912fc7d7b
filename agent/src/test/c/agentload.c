/*
 * A stand-in for a web app under the agent: every iteration it looks for a missing file (ENOENT,
 * like php-fpm's lstat of hoge.php) and rewrites DIR/shell.php, then sleeps SLEEP_US.
 * Every REPORT iterations it prints "iterations max_iteration_us" so that tests see it progress
 * and how long one iteration took at worst (the latency the tracer adds).
 *
 * usage: agentload DIR SLEEP_US [REPORT]
 *        agentload DIR @RATE [REPORT]   RATE iterations per second, on a fixed schedule (benchmarks)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: agentload DIR SLEEP_US [REPORT]\n");
        return 2;
    }
    const char *dir = argv[1];
    long rate = argv[2][0] == '@' ? atol(argv[2] + 1) : 0;
    long sleep_us = rate ? 0 : atol(argv[2]);
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    long report = argc > 3 ? atol(argv[3]) : 10;
    char missing[512], shell[512];
    snprintf(shell, sizeof shell, "%s/shell.php", dir);
    struct stat st;
    long max = 0;
    for (long n = 1;; n++) {
        long t0 = now_us();
        snprintf(missing, sizeof missing, "%s/hoge-%ld.php", dir, n % 4);
        stat(missing, &st);
        int fd = open(shell, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            if (write(fd, "<?php\n", 6) < 0) perror("write");
            close(fd);
        }
        long d = now_us() - t0;
        if (d > max) max = d;
        if (n % report == 0) {
            printf("%ld %ld\n", n, max);
            fflush(stdout);
            max = 0;
        }
        if (sleep_us > 0) usleep(sleep_us);
        if (rate > 0) {
            next.tv_nsec += 1000000000L / rate;
            while (next.tv_nsec >= 1000000000L) {
                next.tv_nsec -= 1000000000L;
                next.tv_sec++;
            }
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        }
    }
}
