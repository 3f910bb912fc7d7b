/* The common %desc and %network calls whose flags and values strace names: compared line by line with strace. */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <string.h>
int main(void) {
    for (;;) {
        int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct sockaddr_in a; memset(&a, 0, sizeof a); a.sin_family = AF_INET; a.sin_addr.s_addr = htonl(0x7f000001);
        bind(s, (struct sockaddr *)&a, sizeof a);
        socklen_t len = sizeof a; getsockname(s, (struct sockaddr *)&a, &len);
        int e = epoll_create1(EPOLL_CLOEXEC);
        int m = memfd_create("mfd", MFD_CLOEXEC);
        flock(m, LOCK_SH | LOCK_NB);
        ioctl(s, FIONBIO, &one);
        wait4(-1, NULL, WNOHANG, NULL);
        write(m, "abcdef", 6);
        close(e); close(m); close(s);
        usleep(300000);
    }
}
