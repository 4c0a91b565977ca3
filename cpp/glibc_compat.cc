// libstdc++'s headers (GCC 11 and later) read glibc's __libc_single_threaded (glibc 2.32) to skip atomic
// reference counts in single-threaded programs. The addon always runs beside other threads, so its own
// copy says "not single-threaded", and the binary needs no glibc newer than 2.17 for it.
extern "C" {
__attribute__((visibility("hidden"))) char __libc_single_threaded = 0;
}
