// The floor for reading container stats on this machine: the same files and network namespaces that
// ctrstat reads, read by the plainest C loop, with no parsing and no allocation per read.
//
//   baseline <list-file> <iterations> <net-iterations>
//
// The list file has one item per line:
//   host <path>          a file read once per sample whatever the number of containers (/proc/stat, ...)
//   file <index> <path>  a cgroup file of container <index>
//   net <index> <path>   the network namespace file of container <index> (/proc/<pid>/ns/net)
//
// Measured, each as microseconds per pass over the whole list (median and minimum of the iterations,
// after one warm-up pass):
//   oneShot  open + read (up to a short read, as ctrstat) + close of every host and container file
//   keptFd   pread at offset 0 on descriptors opened once beforehand (cgroup and proc files regenerate)
//   keptFdCold  the same, each pass after sleeping cold-gap-us (as a monitor sleeps between sweeps)
//   keptFdNetCold  that pass followed by the RTM_GETLINK dump on the kept sockets (below), the whole of what a
//            monitor reads per sweep; keptFdNetColdCpu is its CPU time (CLOCK_THREAD_CPUTIME_ID, one thread)
//   netSetns on one thread: open the namespace file, fstat it, setns into it, open a NETLINK_ROUTE
//            socket, setns back, RTM_GETLINK dump (IFLA_STATS64 of every link) to NLMSG_DONE, close
//   netKept  the RTM_GETLINK dump alone, on one socket per namespace opened beforehand in it
// The host files are also timed on their own (hostOneShot, hostKeptFd) so a caller can compose the
// floor for one container read alone. Output: one JSON object on stdout.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE 65536

typedef struct {
  char *path;
  int container;  // -1 for host files
  int fd;
} item_t;

static item_t *files, *nets;
static int nfiles, nnets, nhost, ncontainers;
static char buf[BUF_SIZE];
static volatile uint64_t sink;
static long failures_oneshot, failures_kept, failures_net, failures_netkept;

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double cpu_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef struct {
  double median, min;
} summary_t;

static summary_t summarize(double *samples, int n) {
  summary_t s = {0, 0};
  if (n <= 0) return s;
  qsort(samples, n, sizeof(double), cmp_double);
  s.min = samples[0];
  s.median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  return s;
}

static int read_whole(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  // As ctrstat reads: a short read is the end of a regenerated cgroup or proc file.
  ssize_t n, total = 0;
  while ((n = read(fd, buf, BUF_SIZE)) > 0) {
    total += n;
    if (n < BUF_SIZE) break;
  }
  int err = n < 0 ? -errno : 0;
  close(fd);
  sink += total + (unsigned char)buf[0];
  return err;
}

static int pread_whole(int fd) {
  ssize_t n = pread(fd, buf, BUF_SIZE, 0);
  if (n < 0) return -errno;
  ssize_t total = n;
  // A file larger than the buffer is read on; a short read is the end.
  while (n == BUF_SIZE && (n = pread(fd, buf, BUF_SIZE, total)) > 0) total += n;
  sink += total + (unsigned char)buf[0];
  return 0;
}

// --- netlink ---
static int dump_links(int sock) {
  struct {
    struct nlmsghdr h;
    struct ifinfomsg i;
  } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = sizeof req;
  req.h.nlmsg_type = RTM_GETLINK;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = 1;
  req.i.ifi_family = AF_UNSPEC;
  if (send(sock, &req, sizeof req, 0) < 0) return -errno;
  static char rbuf[32768] __attribute__((aligned(8)));
  for (;;) {
    ssize_t n = recv(sock, rbuf, sizeof rbuf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) return 0;
      if (h->nlmsg_type == NLMSG_ERROR) return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
      if (h->nlmsg_type != RTM_NEWLINK) continue;
      struct ifinfomsg *ifi = NLMSG_DATA(h);
      int len = h->nlmsg_len - NLMSG_LENGTH(sizeof *ifi);
      for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == IFLA_STATS64) {
          struct rtnl_link_stats64 st;
          memcpy(&st, RTA_DATA(a), sizeof st < RTA_PAYLOAD(a) ? sizeof st : RTA_PAYLOAD(a));
          sink += st.rx_bytes + st.tx_bytes;
        }
      }
    }
  }
}

// Opens a NETLINK_ROUTE socket inside the namespace at path; this thread returns to `home` after.
static int socket_in(const char *path, int home) {
  int nsfd = open(path, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) return -errno;
  struct stat st;
  if (fstat(nsfd, &st) < 0) {
    int err = -errno;
    close(nsfd);
    return err;
  }
  sink += st.st_ino;
  if (setns(nsfd, CLONE_NEWNET) < 0) {
    int err = -errno;
    close(nsfd);
    return err;
  }
  int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  int err = sock < 0 ? -errno : 0;
  if (setns(home, CLONE_NEWNET) < 0) {
    // Cannot return home: nothing measured on this thread is meaningful any more.
    fprintf(stderr, "setns back failed: %s\n", strerror(errno));
    exit(3);
  }
  close(nsfd);
  return sock < 0 ? err : sock;
}

typedef struct {
  int iterations;
  double *setns_samples, *kept_samples;
  const char *error;
} net_job_t;

static void *net_thread(void *arg) {
  net_job_t *job = arg;
  int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) {
    job->error = "open /proc/thread-self/ns/net";
    return NULL;
  }
  for (int it = -1; it < job->iterations; it++) {
    double t0 = now_us();
    for (int i = 0; i < nnets; i++) {
      int sock = socket_in(nets[i].path, home);
      if (sock < 0) {
        if (it == 0) failures_net++;
        continue;
      }
      if (dump_links(sock) < 0 && it == 0) failures_net++;
      close(sock);
    }
    if (it >= 0) job->setns_samples[it] = now_us() - t0;
  }
  for (int i = 0; i < nnets; i++) nets[i].fd = socket_in(nets[i].path, home);
  for (int it = -1; it < job->iterations; it++) {
    double t0 = now_us();
    for (int i = 0; i < nnets; i++) {
      if (nets[i].fd < 0) {
        if (it == 0) failures_netkept++;
        continue;
      }
      if (dump_links(nets[i].fd) < 0 && it == 0) failures_netkept++;
    }
    if (it >= 0) job->kept_samples[it] = now_us() - t0;
  }
  // The kept sockets stay open for the cold passes (a socket stays in the namespace it was made in,
  // whichever thread uses it); main closes them.
  close(home);
  return NULL;
}

static void add_item(item_t **list, int *n, int *cap, char *path, int container) {
  if (*n == *cap) {
    *cap = *cap ? *cap * 2 : 256;
    *list = realloc(*list, sizeof(item_t) * *cap);
  }
  (*list)[*n] = (item_t){strdup(path), container, -1};
  (*n)++;
}

static void print_summary(const char *name, double *samples, int n, int last) {
  summary_t s = summarize(samples, n);
  printf("  \"%s\": {\"medianUs\": %.3f, \"minUs\": %.3f}%s\n", name, s.median, s.min, last ? "" : ",");
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: baseline <list-file> <iterations> <net-iterations> [cold-gap-us] [max-kept] [cold-passes]\n");
    return 2;
  }
  int iterations = atoi(argv[2]), net_iterations = atoi(argv[3]);
  int cold_gap_us = argc > 4 ? atoi(argv[4]) : 0;
  // The descriptors ctrstat may keep in the same run: beyond them both read files one-shot.
  long max_kept = argc > 5 ? atol(argv[5]) : -1;
  int cold_iterations = cold_gap_us > 0 ? (iterations < 200 ? iterations : 200) : 0;
  // The cold passes wanted, when given (a long sleep between passes makes many of them slow).
  if (argc > 6 && cold_gap_us > 0) cold_iterations = atoi(argv[6]);
  if (iterations < 1) iterations = 1;
  if (net_iterations < 0) net_iterations = 0;
  FILE *list = fopen(argv[1], "r");
  if (!list) {
    perror(argv[1]);
    return 2;
  }
  int fcap = 0, ncap = 0;
  char line[4096], kind[16], path[4000];
  int index;
  while (fgets(line, sizeof line, list)) {
    if (sscanf(line, "host %3999s", path) == 1) {
      add_item(&files, &nfiles, &fcap, path, -1);
      nhost++;
    } else if (sscanf(line, "%15s %d %3999s", kind, &index, path) == 3) {
      if (index + 1 > ncontainers) ncontainers = index + 1;
      if (strcmp(kind, "file") == 0) add_item(&files, &nfiles, &fcap, path, index);
      else if (strcmp(kind, "net") == 0) add_item(&nets, &nnets, &ncap, path, index);
    }
  }
  fclose(list);

  // Room for every kept descriptor and socket.
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rlim_t need = (rlim_t)nfiles + nnets + 64;
  if (rl.rlim_cur < need) {
    rl.rlim_cur = need;
    if (rl.rlim_max < need) rl.rlim_max = need;
    setrlimit(RLIMIT_NOFILE, &rl);
  }

  double *one = calloc(iterations, sizeof(double)), *kept = calloc(iterations, sizeof(double));
  double *host_one = calloc(iterations, sizeof(double)), *host_kept = calloc(iterations, sizeof(double));

  // One-shot: open, read, close.
  for (int it = -1; it < iterations; it++) {
    double t0 = now_us();
    for (int i = 0; i < nfiles; i++)
      if (read_whole(files[i].path) < 0 && it == 0) failures_oneshot++;
    double t1 = now_us();
    for (int i = 0; i < nhost; i++) read_whole(files[i].path);
    double t2 = now_us();
    if (it >= 0) {
      one[it] = t1 - t0;
      host_one[it] = t2 - t1;
    }
  }

  // Kept descriptors: open once, pread at offset 0; past the budget (or the process's limit), files are
  // opened, read and closed each pass, as ctrstat does then.
  long kept_count = 0;
  for (int i = 0; i < nfiles; i++) {
    files[i].fd = max_kept < 0 || kept_count < max_kept ? open(files[i].path, O_RDONLY | O_CLOEXEC) : -1;
    if (files[i].fd >= 0) kept_count++;
  }
  for (int it = -1; it < iterations; it++) {
    double t0 = now_us();
    for (int i = 0; i < nfiles; i++) {
      int err = files[i].fd >= 0 ? pread_whole(files[i].fd) : read_whole(files[i].path);
      if (err < 0 && it == 0) failures_kept++;
    }
    double t1 = now_us();
    for (int i = 0; i < nhost; i++)
      if (files[i].fd >= 0) pread_whole(files[i].fd);
    double t2 = now_us();
    if (it >= 0) {
      kept[it] = t1 - t0;
      host_kept[it] = t2 - t1;
    }
  }
  // Network namespaces, on a thread of their own (setns changes the calling thread only).
  net_job_t job = {net_iterations, calloc(net_iterations + 1, sizeof(double)),
                   calloc(net_iterations + 1, sizeof(double)), NULL};
  if (nnets > 0 && net_iterations > 0) {
    pthread_t thread;
    if (pthread_create(&thread, NULL, net_thread, &job) != 0) job.error = "pthread_create";
    else pthread_join(thread, NULL);
  }

  // The same after sleeping between passes, as a monitor does between sweeps: caches and the CPU are
  // cold again at every pass. Each pass then dumps the links on the kept sockets, as a monitor's sweep
  // does, and its CPU time is taken on this (the only working) thread.
  double *cold = calloc(cold_iterations + 1, sizeof(double));
  double *cold_net = calloc(cold_iterations + 1, sizeof(double));
  double *cold_cpu = calloc(cold_iterations + 1, sizeof(double));
  for (int it = -1; it < cold_iterations; it++) {
    // usleep takes at most a second's worth.
    for (int left = cold_gap_us; left > 0; left -= 500000) usleep(left < 500000 ? left : 500000);
    double c0 = cpu_us();
    double t0 = now_us();
    for (int i = 0; i < nfiles; i++) {
      if (files[i].fd >= 0) pread_whole(files[i].fd);
      else read_whole(files[i].path);
    }
    double t1 = now_us();
    for (int i = 0; i < nnets; i++)
      if (nets[i].fd >= 0) dump_links(nets[i].fd);
    double t2 = now_us();
    double c2 = cpu_us();
    if (it >= 0) {
      cold[it] = t1 - t0;
      cold_net[it] = t2 - t0;
      cold_cpu[it] = c2 - c0;
    }
  }
  for (int i = 0; i < nfiles; i++)
    if (files[i].fd >= 0) close(files[i].fd);
  for (int i = 0; i < nnets; i++)
    if (nets[i].fd >= 0) close(nets[i].fd);

  printf("{\n");
  printf("  \"containers\": %d, \"hostFiles\": %d, \"files\": %d, \"namespaces\": %d,\n", ncontainers, nhost, nfiles,
         nnets);
  printf("  \"iterations\": %d, \"netIterations\": %d,\n", iterations, net_iterations);
  printf("  \"failures\": {\"oneShot\": %ld, \"keptFd\": %ld, \"netSetns\": %ld, \"netKept\": %ld},\n",
         failures_oneshot, failures_kept, failures_net, failures_netkept);
  if (job.error) printf("  \"netError\": \"%s\",\n", job.error);
  print_summary("oneShot", one, iterations, 0);
  print_summary("hostOneShot", host_one, iterations, 0);
  print_summary("keptFd", kept, iterations, 0);
  print_summary("hostKeptFd", host_kept, iterations, 0);
  print_summary("keptFdCold", cold, cold_iterations, 0);
  print_summary("keptFdNetCold", cold_net, cold_iterations, 0);
  print_summary("keptFdNetColdCpu", cold_cpu, cold_iterations, 0);
  printf("  \"coldGapUs\": %d, \"keptDescriptors\": %ld,\n", cold_gap_us, kept_count);
  int net_n = nnets > 0 && !job.error ? net_iterations : 0;
  print_summary("netSetns", job.setns_samples, net_n, 0);
  print_summary("netKept", job.kept_samples, net_n, 1);
  printf("}\n");
  return 0;
}
