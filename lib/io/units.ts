// Units the kernel ABI fixes.

/**
 * USER_HZ: the clock ticks /proc/stat, /proc/<pid>/stat and v1 cpuacct.stat count in. It is the ABI
 * constant 100 on every Linux architecture that runs containers (what sysconf(_SC_CLK_TCK) returns;
 * Docker and containerd assume the same), whatever the kernel's internal HZ.
 */
export const USER_HZ = 100;

/** Nanoseconds in one USER_HZ tick. */
export const NS_PER_TICK = 1e9 / USER_HZ;
