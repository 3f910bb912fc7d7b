/* A busy multi-threaded program for mode-switch tests. Each of argv[1] threads loops forever:
   openat("/nonexistent/sw-<thread>-<seq>") (fails: ENOENT), openat("/etc/hostname") (succeeds) and close,
   and every 64th round a short sleep (a blocking call to be interrupted). A reported call whose path and
   result disagree, or a sequence number reported twice, is a pairing error of the tracer. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static void *work(void *arg) {
    char path[64];
    long id = (long) arg;
    for (long seq = 0;; seq++) {
        snprintf(path, sizeof path, "/nonexistent/sw-%ld-%ld", id, seq);
        openat(AT_FDCWD, path, O_RDONLY);
        int fd = openat(AT_FDCWD, "/etc/hostname", O_RDONLY);
        if (fd >= 0) close(fd);
        if ((seq & 63) == 0) {
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}
int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 4;
    pthread_t t[64];
    for (long i = 0; i < n && i < 64; i++) pthread_create(&t[i], NULL, work, (void *) i);
    for (;;) pause();
}
