/* Sets a process title the way nginx and php-fpm do: the environment moves to the heap, then the
 * argv/environ area is overwritten with the title, so /proc/PID/environ no longer shows it.
 * Built two ways: by default it repoints environ itself (a reference to environ gives the
 * executable a copy relocation of it); with -DVIA_PUTENV it never names environ and lets the C
 * library rebuild its own __environ through clearenv/putenv. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef VIA_PUTENV
extern char **environ;
#endif

int main(int argc, char **argv, char **envp) {
    int n = 0;
    while (envp[n]) n++;
    char *start = argv[0];
    char *end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
    char **copy = malloc((n + 1) * sizeof(char *));
    for (int i = 0; i < n; i++) {
        if (envp[i] == end) end = envp[i] + strlen(envp[i]) + 1;
        copy[i] = strdup(envp[i]);
    }
    copy[n] = NULL;
#ifdef VIA_PUTENV
    clearenv();
    for (int i = 0; i < n; i++) putenv(copy[i]);
#else
    environ = copy;
#endif
    memset(start, 0, end - start);
    strcpy(start, "titled: the environment was here");
    for (;;) pause();
}
