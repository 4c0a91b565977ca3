// Synthetic containers for the scale benchmark.
//
//   spawn <cgroup-root> <group> <controller>...
//
// Reads commands on stdin:
//   up <n>   grow to n synthetic containers <group>/ctb-<i> (i = 0..n-1). Each is a cgroup directory in
//            every listed controller (v1 controller names below <cgroup-root>, or "unified" for the
//            cgroup2 mount) holding one sleeping process that runs in its own network namespace with
//            loopback up and one extra interface "d0" (a dummy where the kernel has the driver, else one
//            end of a veth pair whose other end "d1" stays in the same namespace).
//            Answers "pid <i> <pid>" per new container, then "up <n> <ms>" (or "error ...").
//   down     (or end of input, e.g. when the parent dies) kills every process, waits for it, removes
//            the cgroup directories, answers "down <ms>" and exits.
//
// The processes stay children of this program, so they are reaped and their cgroups can be removed.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *root, *group;
static char **controllers;
static int ncontrollers;
static pid_t *pids;
static int count, capacity;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void dir_of(char *out, size_t size, const char *controller, int index) {
  if (index < 0) snprintf(out, size, "%s/%s/%s", root, controller, group);
  else snprintf(out, size, "%s/%s/%s/ctb-%d", root, controller, group, index);
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  ssize_t n = write(fd, text, strlen(text));
  int err = n < 0 ? -errno : 0;
  close(fd);
  return err;
}

// A new cpuset cgroup has no CPUs or memory nodes: copy the parent's.
static int prepare_cpuset(const char *dir) {
  char parent[512], path[600], value[256];
  snprintf(parent, sizeof parent, "%s", dir);
  char *slash = strrchr(parent, '/');
  if (!slash) return 0;
  *slash = 0;
  const char *files[] = {"cpuset.cpus", "cpuset.mems"};
  for (int i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/%s", parent, files[i]);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    ssize_t n = read(fd, value, sizeof value - 1);
    close(fd);
    if (n <= 0) return -EIO;
    value[n] = 0;
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    int err = write_file(path, value);
    if (err) return err;
  }
  return 0;
}

static int make_dirs(int index) {
  char dir[512];
  for (int c = 0; c < ncontrollers; c++) {
    dir_of(dir, sizeof dir, controllers[c], index);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) return -errno;
    if (strcmp(controllers[c], "cpuset") == 0) {
      int err = prepare_cpuset(dir);
      if (err) return err;
    }
  }
  return 0;
}

// --- rtnetlink, just enough to add a link and set links up ---
struct nlreq {
  union {
    struct nlmsghdr h;
    char bytes[1024];
  } u;
};

static struct rtattr *add_attr(struct nlmsghdr *h, int type, const void *data, int len) {
  struct rtattr *rta = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
  rta->rta_type = type;
  rta->rta_len = RTA_LENGTH(len);
  if (len) memcpy(RTA_DATA(rta), data, len);
  h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
  return rta;
}

static void end_nest(struct nlmsghdr *h, struct rtattr *nest) {
  nest->rta_len = (char *)h + h->nlmsg_len - (char *)nest;
}

static int talk(int sock, struct nlmsghdr *h) {
  static unsigned seq;
  h->nlmsg_seq = ++seq;
  h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  if (send(sock, h, h->nlmsg_len, 0) < 0) return -errno;
  char buf[4096];
  ssize_t n = recv(sock, buf, sizeof buf, 0);
  if (n < 0) return -errno;
  struct nlmsghdr *r = (struct nlmsghdr *)buf;
  if (r->nlmsg_type == NLMSG_ERROR) return ((struct nlmsgerr *)NLMSG_DATA(r))->error;
  return 0;
}

static int add_link(int sock, const char *kind) {
  struct nlreq q;
  memset(&q, 0, sizeof q);
  struct nlmsghdr *h = &q.u.h;
  h->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
  h->nlmsg_type = RTM_NEWLINK;
  h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
  ((struct ifinfomsg *)NLMSG_DATA(h))->ifi_family = AF_UNSPEC;
  add_attr(h, IFLA_IFNAME, "d0", 3);
  struct rtattr *info = add_attr(h, IFLA_LINKINFO, NULL, 0);
  add_attr(h, IFLA_INFO_KIND, kind, strlen(kind) + 1);
  if (strcmp(kind, "veth") == 0) {
    struct rtattr *data = add_attr(h, IFLA_INFO_DATA, NULL, 0);
    struct rtattr *peer = add_attr(h, 1 /* VETH_INFO_PEER */, NULL, 0);
    struct ifinfomsg peer_info = {.ifi_family = AF_UNSPEC};
    memcpy(RTA_DATA(peer), &peer_info, sizeof peer_info);
    h->nlmsg_len += NLMSG_ALIGN(sizeof peer_info);
    add_attr(h, IFLA_IFNAME, "d1", 3);
    end_nest(h, peer);
    end_nest(h, data);
  }
  end_nest(h, info);
  return talk(sock, h);
}

static int set_up(int sock, const char *name) {
  struct nlreq q;
  memset(&q, 0, sizeof q);
  struct nlmsghdr *h = &q.u.h;
  struct ifinfomsg *i = NLMSG_DATA(h);
  h->nlmsg_len = NLMSG_LENGTH(sizeof *i);
  h->nlmsg_type = RTM_NEWLINK;
  i->ifi_family = AF_UNSPEC;
  i->ifi_flags = IFF_UP;
  i->ifi_change = IFF_UP;
  add_attr(h, IFLA_IFNAME, name, strlen(name) + 1);
  return talk(sock, h);
}

// Runs in the child: join the cgroups, enter a new network namespace, make its interfaces.
// Returns 0 or a negative errno; *step names what failed.
static int child_setup(int index, const char **step) {
  char path[600], dir[512];
  for (int c = 0; c < ncontrollers; c++) {
    dir_of(dir, sizeof dir, controllers[c], index);
    snprintf(path, sizeof path, "%s/cgroup.procs", dir);
    *step = "cgroup.procs";
    int err = write_file(path, "0");
    if (err) return err;
  }
  *step = "unshare";
  if (unshare(CLONE_NEWNET) < 0) return -errno;
  *step = "socket";
  int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (sock < 0) return -errno;
  *step = "link add";
  int err = add_link(sock, "dummy");
  if (err == -EOPNOTSUPP || err == -ENOENT || err == -EINVAL) err = add_link(sock, "veth");
  if (!err) {
    *step = "link up";
    err = set_up(sock, "lo");
    if (!err) err = set_up(sock, "d0");
  }
  close(sock);
  return err;
}

static int grow(int target) {
  if (target > capacity) {
    capacity = target;
    pids = realloc(pids, sizeof(pid_t) * capacity);
  }
  double start = now_ms();
  char dir[512];
  for (int c = 0; c < ncontrollers; c++) {
    dir_of(dir, sizeof dir, controllers[c], -1);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
      printf("error mkdir %s: %s\n", dir, strerror(errno));
      return -1;
    }
    if (strcmp(controllers[c], "cpuset") == 0 && prepare_cpuset(dir)) {
      printf("error cpuset %s\n", dir);
      return -1;
    }
  }
  while (count < target) {
    int index = count;
    int err = make_dirs(index);
    if (err) {
      printf("error mkdir ctb-%d: %s\n", index, strerror(-err));
      return -1;
    }
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
      printf("error fork: %s\n", strerror(errno));
      close(pipefd[0]);
      close(pipefd[1]);
      return -1;
    }
    if (pid == 0) {
      close(pipefd[0]);
      const char *step = "";
      int e = child_setup(index, &step);
      char msg[128];
      int len = snprintf(msg, sizeof msg, "%d %s", e, step);
      if (write(pipefd[1], msg, len) < 0) _exit(1);
      close(pipefd[1]);
      if (e) _exit(1);
      // The sleeping process: no open files besides the standard ones.
      int null = open("/dev/null", O_RDWR);
      if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2) close(null);
      }
      prctl(PR_SET_NAME, "ctb-sleep");
      for (;;) pause();
    }
    close(pipefd[1]);
    char msg[128] = {0};
    ssize_t n = read(pipefd[0], msg, sizeof msg - 1);
    close(pipefd[0]);
    pids[count++] = pid;
    int code = n > 0 ? atoi(msg) : -EIO;
    if (code) {
      const char *step = n > 0 && strchr(msg, ' ') ? strchr(msg, ' ') + 1 : "?";
      printf("error ctb-%d %s: %s\n", index, step, strerror(-code));
      return -1;
    }
    printf("pid %d %d\n", index, pid);
  }
  printf("up %d %.1f\n", count, now_ms() - start);
  fflush(stdout);
  return 0;
}

static void teardown(void) {
  double start = now_ms();
  for (int i = 0; i < count; i++) kill(pids[i], SIGKILL);
  for (int i = 0; i < count; i++) waitpid(pids[i], NULL, 0);
  char dir[512];
  int failed = 0;
  for (int c = 0; c < ncontrollers; c++) {
    for (int i = 0; i < count; i++) {
      dir_of(dir, sizeof dir, controllers[c], i);
      if (rmdir(dir) < 0 && errno != ENOENT) failed++;
    }
    dir_of(dir, sizeof dir, controllers[c], -1);
    if (rmdir(dir) < 0 && errno != ENOENT) failed++;
  }
  printf("down %.1f %d\n", now_ms() - start, failed);
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: spawn <cgroup-root> <group> <controller>...\n");
    return 2;
  }
  root = argv[1];
  group = argv[2];
  controllers = argv + 3;
  ncontrollers = argc - 3;
  setvbuf(stdout, NULL, _IOLBF, 0);
  signal(SIGPIPE, SIG_IGN);
  char line[128];
  while (fgets(line, sizeof line, stdin)) {
    int n;
    if (sscanf(line, "up %d", &n) == 1) {
      if (grow(n) < 0) fflush(stdout);
    } else if (strncmp(line, "down", 4) == 0) {
      break;
    }
  }
  teardown();
  return 0;
}
