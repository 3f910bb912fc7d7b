/* Counts SIGUSR1 in a handler and writes the count to argv[1] from the main loop (which also stats
   a missing file), so a test can check that signals reach a traced process. */
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
static volatile sig_atomic_t count;
static void on_usr1(int s) { (void) s; count++; }
int main(int argc, char **argv) {
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    struct stat st;
    for (;;) {
        stat("/nonexistent/sigusr", &st);
        FILE *f = fopen(argv[1], "w");
        if (f) { fprintf(f, "%d\n", (int) count); fclose(f); }
        usleep(10000);
    }
}
