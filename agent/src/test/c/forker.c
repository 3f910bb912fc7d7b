/* Forks children that open a missing file and exit 3; a SIGCHLD handler counts the children it was
   told about and the parent writes "forks reaped sigchld" to argv[1] after each round, so a test
   can check that no SIGCHLD was swallowed. argv[2]: rounds (0 = forever). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
static volatile sig_atomic_t sigchld;
static void on_chld(int s) { (void) s; sigchld++; }
int main(int argc, char **argv) {
    long rounds = argc > 2 ? atol(argv[2]) : 0;
    struct sigaction sa = {0};
    sa.sa_handler = on_chld;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    long forks = 0, reaped = 0;
    for (long r = 0; rounds == 0 || r < rounds; r++) {
        pid_t p = fork();
        if (p == 0) {
            open("/nonexistent/child", O_RDONLY);
            _exit(3);
        }
        forks++;
        int status;
        while (waitpid(p, &status, 0) < 0) {}
        if (WIFEXITED(status) && WEXITSTATUS(status) == 3) reaped++;
        usleep(50000);
        FILE *f = fopen(argv[1], "w");
        if (f) { fprintf(f, "%ld %ld %d\n", forks, reaped, (int) sigchld); fclose(f); }
    }
    return 0;
}
