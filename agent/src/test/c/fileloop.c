/* Calls stat/open on an existing and a missing file in a loop, then sleeps: a %file workload.
   argv[1]: iterations (0 = forever), argv[2]: microseconds to sleep between iterations.
   SIGTERM ends the loop and the program exits 0 (a normal exit on demand). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>
static volatile sig_atomic_t stop;
static void on_term(int s) { (void) s; stop = 1; }
int main(int argc, char **argv) {
    struct sigaction sa = {0};
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    long n = argc > 1 ? atol(argv[1]) : 0;
    long us = argc > 2 ? atol(argv[2]) : 100000;
    struct stat st;
    for (long i = 0; (n == 0 || i < n) && !stop; i++) {
        stat("/etc/hostname", &st);
        stat("/nonexistent/taskscope-test", &st);
        lstat("/tmp", &st);
        int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) close(fd);
        fd = openat(AT_FDCWD, "/nonexistent/x", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) close(fd); /* fails unless someone made /nonexistent: then no fd leaks and the lines stay alike */
        access("/etc/passwd", R_OK | W_OK);
        getppid();
        if (us) usleep(us);
    }
    return 0;
}
