// Maps N huge pages of the default size (MAP_HUGETLB), touches every byte, prints "ready" and waits (or,
// with a second argument, exits at once). A fault over the hugetlb cgroup's limit kills it with SIGBUS.
// Built static by the tests and run in a busybox container.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char** argv) {
  const size_t pages = argc > 1 ? strtoul(argv[1], NULL, 10) : 1;
  const size_t length = pages * 2 * 1024 * 1024;
  void* memory = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
  if (memory == MAP_FAILED) {
    perror("mmap");
    return 2;
  }
  memset(memory, 1, length);
  puts("ready");
  fflush(stdout);
  if (argc > 2) return 0;
  for (;;) pause();
}
