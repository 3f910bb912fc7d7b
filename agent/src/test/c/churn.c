/* Process churn for the lab's agent test (AgentLabIT): churn N MARK. Waits until a tracer has attached to it
   (TracerPid in /proc/self/status; at most 60 s, else exit 3), then N times forks a child and reaps it: an even
   child execs `sh -c true MARK-i`, an odd one exits without an exec (a fork of the same program). Prints
   "ready PID" once traced, one "PID exec" or "PID fork" line per child, then "done". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int traced(void) {
    char line[256];
    int t = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "TracerPid:", 10) == 0) t = atoi(line + 10);
    }
    fclose(f);
    return t != 0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: churn N MARK\n");
        return 2;
    }
    long n = atol(argv[1]);
    for (int i = 0; !traced(); i++) {
        if (i == 1200) return 3;
        usleep(50000);
    }
    printf("ready %d\n", (int) getpid());
    fflush(stdout);
    for (long i = 0; i < n; i++) {
        char mark[64];
        snprintf(mark, sizeof mark, "%s-%ld", argv[2], i);
        pid_t p = fork();
        if (p < 0) {
            perror("fork");
            return 1;
        }
        if (p == 0) {
            if (i % 2 == 0) {
                execl("/bin/sh", "sh", "-c", "true", mark, (char *) NULL);
                _exit(127);
            }
            _exit(0);
        }
        int status;
        while (waitpid(p, &status, 0) < 0) {}
        printf("%d %s\n", (int) p, i % 2 == 0 ? "exec" : "fork");
    }
    printf("done\n");
    return 0;
}
