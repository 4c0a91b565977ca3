// What keeps the prebuilt addon loadable on glibc 2.17 (scripts/check-glibc-symbols.sh checks it)
// although it is built on a newer one: stat(2) and friends became versioned functions of their own in
// glibc 2.33, so they are called here as the system calls they are.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

// struct stat is the kernel's own layout on x86-64 and arm64, the two architectures prebuilt for.
inline int StatPath(const char* path, struct stat* status) {
  return static_cast<int>(syscall(SYS_newfstatat, AT_FDCWD, path, status, 0));
}

inline int StatFd(int fd, struct stat* status) { return static_cast<int>(syscall(SYS_fstat, fd, status)); }

inline int StatAt(int dirFd, const char* name, struct stat* status, int flags) {
  return static_cast<int>(syscall(SYS_newfstatat, dirFd, name, status, flags));
}
