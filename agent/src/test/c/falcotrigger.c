/*
 * Does, for real, what the Falco rules of FalcoRulesLabIT look for, after waiting for the agent to attach:
 * opens /etc/shadow, connects to 127.0.0.1:9 (refused), calls ptrace(PTRACE_ATTACH) on its own child, execs a
 * shell through a link named notashell (in a child), then replaces itself with a program run from a memfd.
 *   falcotrigger SECONDS_TO_WAIT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    sleep(argc > 1 ? atoi(argv[1]) : 3);
    int fd = open("/etc/shadow", O_RDONLY);
    if (fd >= 0) close(fd);

    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(9);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(s, (struct sockaddr *)&a, sizeof a);
    close(s);

    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    ptrace(PTRACE_ATTACH, child, 0, 0); /* fails when the agent already traces it: the call is what counts */
    kill(child, SIGKILL);
    waitpid(child, 0, 0);

    unlink("/tmp/notashell");
    if (symlink("/bin/sh", "/tmp/notashell") == 0) {
        pid_t sh = fork();
        if (sh == 0) {
            execl("/tmp/notashell", "notashell", "-c", "exit 0", (char *)0);
            _exit(127);
        }
        waitpid(sh, 0, 0);
        unlink("/tmp/notashell");
    }

    int m = memfd_create("payload", 0);
    int t = open("/bin/true", O_RDONLY);
    char buf[65536];
    ssize_t n;
    while (t >= 0 && (n = read(t, buf, sizeof buf)) > 0) {
        if (write(m, buf, n) != n) return 2;
    }
    char *args[] = {"payload", 0};
    char *env[] = {0};
    fexecve(m, args, env);
    perror("fexecve");
    return 1;
}
