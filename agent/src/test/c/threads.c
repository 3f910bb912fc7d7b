/* Creates and ends threads in a loop; each thread stats a missing path named after its round.
   argv[1]: rounds (0 = forever), argv[2]: threads per round. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
static void *work(void *arg) {
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/nonexistent/thread-%ld", (long) arg);
    stat(path, &st);
    return NULL;
}
int main(int argc, char **argv) {
    long rounds = argc > 1 ? atol(argv[1]) : 0;
    int n = argc > 2 ? atoi(argv[2]) : 4;
    pthread_t t[64];
    for (long r = 0; rounds == 0 || r < rounds; r++) {
        for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, work, (void *) (long) i);
        for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
        usleep(20000);
    }
    return 0;
}
