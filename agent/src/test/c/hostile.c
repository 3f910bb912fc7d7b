/* A neighbour with hostile names, for the escaping tests.
   Started without arguments, it re-execs itself with argv {"hostile", "x\377", "\302\205nel", "\177del", "\033[2J"}
   and an environment holding EVIL=x\377\033[2J, names itself "\033]0;CPWN\a\033[2J" (PR_SET_NAME), and forks a
   child that it traces (PTRACE_TRACEME + SIGSTOP, then resumed with PTRACE_CONT), so that "already traced by"
   errors name it. Both then sleep until killed. The parent prints the child's pid on stdout.
   "hostile exec-later MS" instead sleeps MS milliseconds, then execs /bin/sh -c true $'x\377'. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#define NAME "\033]0;CPWN\a\033[2J"
int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "exec-later") == 0) {
        usleep(atoi(argv[2]) * 1000);
        char *args[] = {"sh", "-c", "true", "x\377", NULL};
        execv("/bin/sh", args);
        return 1;
    }
    if (argc == 1) {
        char *args[] = {argv[0], "x\377", "\302\205nel", "\177del", "\033[2J", NULL};
        char *env[] = {"EVIL=x\377\033[2J", "PATH=/usr/bin:/bin", NULL};
        execve("/proc/self/exe", args, env);
        return 1;
    }
    prctl(PR_SET_NAME, NAME, 0, 0, 0);
    pid_t child = fork();
    if (child == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        raise(SIGSTOP);
        for (;;) pause();
    }
    int status;
    waitpid(child, &status, 0);
    ptrace(PTRACE_CONT, child, 0, 0);
    printf("%d\n", (int) child);
    fflush(stdout);
    for (;;) {
        if (waitpid(child, &status, 0) < 0) return 0;
        if (WIFEXITED(status) || WIFSIGNALED(status)) return 0;
        ptrace(PTRACE_CONT, child, 0, WIFSTOPPED(status) ? WSTOPSIG(status) : 0);
    }
}
