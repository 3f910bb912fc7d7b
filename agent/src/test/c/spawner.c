/* Starts a program again and again: every argv[1] milliseconds fork, and the child execs argv[2] with the
   arguments after it; the parent waits for it. It also stats a missing path each round, a call that only
   syscall mode sees. */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int ms = argc > 1 ? atoi(argv[1]) : 200;
    struct stat st;
    for (;;) {
        stat("/nonexistent/spawner", &st);
        pid_t c = fork();
        if (c == 0) {
            execv(argv[2], argv + 2);
            _exit(127);
        }
        if (c > 0) waitpid(c, NULL, 0);
        usleep(ms * 1000);
    }
}
