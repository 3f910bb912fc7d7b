/* The floor for any ptrace tracer: attach to one process (PTRACE_SEIZE + PTRACE_INTERRUPT),
   then PTRACE_SYSCALL and waitpid, nothing else (signals are passed on so the tracee still
   works). With -p (poll) it polls waitpid(WNOHANG) instead of blocking, to show what avoiding
   the tracer's own sleep is worth. Usage: null-tracer [-p] PID */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
int main(int argc, char **argv) {
    int poll = argc > 2 && strcmp(argv[1], "-p") == 0;
    pid_t pid = atoi(argv[argc - 1]);
    if (ptrace(PTRACE_SEIZE, pid, 0, (void *) (long) PTRACE_O_TRACESYSGOOD) < 0) { perror("PTRACE_SEIZE"); return 1; }
    ptrace(PTRACE_INTERRUPT, pid, 0, 0);
    for (;;) {
        int status;
        pid_t t = waitpid(-1, &status, __WALL | (poll ? WNOHANG : 0));
        if (t == 0) continue;
        if (t < 0) { if (errno == EINTR) continue; break; }
        if (WIFEXITED(status) || WIFSIGNALED(status)) break;
        int sig = 0;
        if (WIFSTOPPED(status) && (status >> 16) == 0 && WSTOPSIG(status) != (SIGTRAP | 0x80)) sig = WSTOPSIG(status);
        ptrace(PTRACE_SYSCALL, t, 0, (void *) (long) sig);
    }
    return 0;
}
