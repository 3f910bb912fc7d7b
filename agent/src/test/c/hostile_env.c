/* A neighbour that makes reading its live environment hard, for the env hardening tests.
 * Like titled.c it moves its environment to the heap (clearenv/putenv: the C library's own
 * __environ, never named here, so the executable has no copy of it) and overwrites the
 * argv/environ area with a title, so env must recover the environment from memory. Then:
 *   map FILE      maps FILE (a crafted "libc.so.6") at offset 0, where env looks for environ
 *   uffd          points __environ at a page registered with a userfaultfd that nobody serves
 *   uffd-string   leaves __environ alone but points its first string into such a page
 * and waits. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char *unserved_page(void) {
    int uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    if (uffd < 0) { perror("userfaultfd"); exit(1); }
    struct uffdio_api api = {.api = UFFD_API};
    if (ioctl(uffd, UFFDIO_API, &api)) { perror("UFFDIO_API"); exit(1); }
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct uffdio_register r = {.range = {(unsigned long) p, 4096}, .mode = UFFDIO_REGISTER_MODE_MISSING};
    if (ioctl(uffd, UFFDIO_REGISTER, &r)) { perror("UFFDIO_REGISTER"); exit(1); }
    return p; /* never touched, never served: the first read of it waits for good */
}

int main(int argc, char **argv, char **envp) {
    if (argc < 2) { fprintf(stderr, "usage: hostile_env map FILE | uffd | uffd-string\n"); return 2; }
    int n = 0;
    while (envp[n]) n++;
    char *start = argv[0];
    char *end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
    char **copy = malloc((n + 1) * sizeof(char *));
    for (int i = 0; i < n; i++) {
        if (envp[i] == end) end = envp[i] + strlen(envp[i]) + 1;
        copy[i] = strdup(envp[i]);
    }
    if (!strcmp(argv[1], "map")) {
        int fd = open(argv[2], O_RDONLY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) || mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED) {
            perror(argv[2]);
            return 1;
        }
    }
    clearenv();
    for (int i = 0; i < n; i++) putenv(copy[i]);
    char ***environ_of_libc = dlsym(RTLD_DEFAULT, "__environ");
    if (!environ_of_libc) { fprintf(stderr, "no __environ\n"); return 1; }
    if (!strcmp(argv[1], "uffd")) *environ_of_libc = (char **) unserved_page();
    if (!strcmp(argv[1], "uffd-string") && n > 0) (*environ_of_libc)[0] = unserved_page();
    memset(start, 0, end - start);
    strcpy(start, "hostile: the environment was here");
    for (;;) pause();
}
