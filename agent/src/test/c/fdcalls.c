/* Calls whose fds -y names: a returned fd, a read through it, its close (decoded at entry, before the fd is gone). */
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>
int main(void) { for (;;) { int f = open("/etc/hostname", O_RDONLY); char b[8]; read(f, b, 8); close(f);
  int s = socket(AF_INET, SOCK_STREAM, 0); close(s); usleep(300000); } }
