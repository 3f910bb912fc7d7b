/* Calls stat/open on an existing and a missing file in a loop, then sleeps: a %file workload.
   argv[1]: iterations (0 = forever), argv[2]: microseconds to sleep between iterations. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 0;
    long us = argc > 2 ? atol(argv[2]) : 100000;
    struct stat st;
    for (long i = 0; n == 0 || i < n; i++) {
        stat("/etc/hostname", &st);
        stat("/nonexistent/taskscope-test", &st);
        lstat("/tmp", &st);
        int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) close(fd);
        fd = openat(AT_FDCWD, "/nonexistent/x", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        access("/etc/passwd", R_OK | W_OK);
        getppid();
        if (us) usleep(us);
    }
    return 0;
}
