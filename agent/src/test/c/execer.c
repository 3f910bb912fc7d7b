/* Sleeps argv[2] ms, then execs itself as "after" from the main thread (argv[1] = "leader") or from
   a second thread (argv[1] = "thread"). "after" stats /nonexistent/after-exec in a loop. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
static char *self;
static void *exec_it(void *arg) {
    (void) arg;
    char *args[] = {self, "after", NULL};
    execv("/proc/self/exe", args);
    return NULL;
}
int main(int argc, char **argv) {
    self = argv[0];
    struct stat st;
    if (argc > 1 && strcmp(argv[1], "after") == 0) {
        for (;;) { stat("/nonexistent/after-exec", &st); usleep(20000); }
    }
    long ms = argc > 2 ? atol(argv[2]) : 1000;
    for (long waited = 0; waited < ms; waited += 20) { stat("/nonexistent/before-exec", &st); usleep(20000); }
    if (argc > 1 && strcmp(argv[1], "thread") == 0) {
        pthread_t t;
        pthread_create(&t, NULL, exec_it, NULL);
        for (;;) pause();
    }
    exec_it(NULL);
    return 1;
}
