/*
 * PID 1 of the lab's task, like /pause on Fargate: it holds the task's PID and network namespaces, reaps the
 * processes that other containers orphan into its PID namespace, and exits on SIGTERM or SIGINT (which also
 * ends every process of the namespace: the kernel kills them when its init exits).
 *   gcc -static -O2 -o pause pause.c
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig) {
    (void) sig;
    _exit(0);
}

static void on_child(int sig) {
    (void) sig;
    int saved = errno;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    errno = saved;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    /* PID 1 gets no signal the kernel would deliver by default: every signal it honours needs a handler. */
    sa.sa_handler = on_stop;
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0) return 1;
    sa.sa_handler = on_child;
    sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
    if (sigaction(SIGCHLD, &sa, NULL) != 0) return 1;
    for (;;) pause();
}
