// The public data contract of ctrstat. Units: bytes, nanoseconds, counts; rates are per second.
// "Unlimited" is null, never 2^63 or 2^64-1. Counters are plain numbers (exact below 2^53).

/** The cgroup version a container is read in: 2 on a pure cgroup v2 host, 1 on v1 and hybrid hosts. */
export type CgroupVersion = 1 | 2;
/** How the host mounts cgroups: v1 hierarchies only, the unified (cgroup2) hierarchy only, or both (hybrid). */
export type CgroupMode = 'v1' | 'v2' | 'hybrid';

/**
 * What runs a container, from its cgroup path and its runtime's state. "kubernetes" is a CRI container whose
 * runtime's state is not readable; "cgroup" a plain cgroup no runtime claims (its id is the cgroup path).
 */
export type Runtime =
  | 'docker'
  | 'podman'
  | 'containerd'
  | 'cri-containerd'
  | 'crio'
  | 'kubernetes'
  | 'lxc'
  | 'systemd-nspawn'
  | 'libvirt'
  | 'cgroup';

/** Where the host's /proc and /sys are (the agent-in-a-container case), and cache options. */
export interface HostOptions {
  /** The host's /proc as seen by this process. Default "/proc". */
  procRoot?: string;
  /** The host's /sys as seen by this process. Default "/sys". The cgroup mounts are found below it. */
  sysRoot?: string;
  /**
   * Roots of the runtimes' on-disk state, read for names, images, labels and pods (no daemon call):
   * Docker's data root (default /var/lib/docker), the containers/storage roots of Podman and CRI-O
   * (default /var/lib/containers/storage, /run/containers/storage and this user's rootless storage).
   */
  dockerRoot?: string;
  podmanRoots?: string[];
  /**
   * containerd's task state directories (whose bundles say who a containerd or Kubernetes container is).
   * Default /run/containerd/io.containerd.runtime.v2.task, Docker's own containerd's
   * /run/docker/containerd/daemon/io.containerd.runtime.v2.task, and /run/containerd/io.containerd.runtime.v1.linux.
   */
  containerdRoots?: string[];
}

/** What a caller may name a container by. */
export type ContainerRef = string | { id: string } | { name: string } | { pid: number } | { cgroup: string };

/** Where a Kubernetes container belongs, from the annotations the CRI (containerd, CRI-O) writes into its OCI spec. */
export interface KubernetesIdentity {
  /** Pod name. */
  pod: string;
  /** Pod namespace. */
  namespace: string;
  /** Pod UID; null where the runtime did not record it. */
  podUid: string | null;
  /** The container's name in the pod; null for the pod sandbox. */
  container: string | null;
}

/**
 * Who a container is, from what its runtime wrote on disk (no daemon API). A field the runtime does not
 * record, or whose state file is absent or does not parse, is null (labels: empty).
 */
export interface ContainerIdentity {
  /** The runtime's id (64 hex for Docker/Podman/CRI-O, any containerd id), or the cgroup path for a plain cgroup. */
  id: string;
  name: string | null;
  runtime: Runtime;
  /** The image as the user named it ("nginx:1.27", "docker.io/library/busybox:latest"). */
  image: string | null;
  /** The image's id or digest where the runtime records one ("sha256:..."). */
  imageId: string | null;
  /** The container's labels (Docker, Podman, containerd); empty when it has none. Shared, do not modify. */
  labels: Readonly<Record<string, string>>;
  /** Pod, namespace and container name of a Kubernetes container (or pod sandbox); null elsewhere. */
  kubernetes: KubernetesIdentity | null;
  /** The containerd namespace ("default", "k8s.io", "moby") of a container run through containerd; null elsewhere. */
  containerdNamespace: string | null;
}

/** A running container as listContainers gives it: who it is, its cgroup, a PID in it and its network namespace. */
export interface ContainerInfo extends ContainerIdentity {
  cgroup: { version: CgroupVersion; path: string };
  /** A PID inside the container, in the host PID namespace; null when the cgroup holds none. */
  pid: number | null;
  /** Inode of the container's network namespace, null without a PID or without access. */
  netnsInode: number | null;
  /** Kubernetes pod sandbox (pause) container. */
  sandbox: boolean;
  /** Kubernetes pod UID where the path carries one. */
  podUid: string | null;
  /** When the container's process started, ms since the epoch; null where it was not read. */
  startedAt: number | null;
}

/**
 * The memory controller's figures: sizes in bytes, limits null where unlimited. `usage` includes the page
 * cache; `workingSet` leaves out the inactive file cache, as docker stats shows it.
 */
export interface MemoryStats {
  /** memory.usage_in_bytes (v1) or memory.current (v2). */
  usage: number;
  /** null when unlimited. */
  limit: number | null;
  /** usage - inactive_file (v1: total_inactive_file), clamped at 0, as docker CLI, cAdvisor and kubelet. */
  workingSet: number;
  /** v1 total_rss; v2 anon. */
  rss: number;
  /** v1 total_cache; v2 file. */
  cache: number;
  swap: {
    /** v1 memsw.usage - usage; v2 memory.swap.current; null without swap accounting. */
    usage: number | null;
    /** null when unlimited or without swap accounting. */
    limit: number | null;
  };
  /** v1 max_usage_in_bytes; v2 memory.peak where the kernel has it, else null. */
  maxUsage: number | null;
  /** v1 memory.oom_control oom_kill (or failcnt-free oom count); v2 memory.events oom_kill. */
  oomEvents: number;
  /** Times usage hit the limit: v1 memory.failcnt; v2 memory.events max (as runc and cAdvisor count it there). */
  failcnt: number;
  /** v2 memory.events (this cgroup and its descendants); null on v1. */
  events: MemoryEvents | null;
  /**
   * The whole memory.stat as a map; on v1 its limits (hierarchical_memory_limit, hierarchical_memsw_limit) are
   * null where unlimited, as `limit` is.
   */
  stat: Record<string, number | null>;
}

/** Counts of memory events since the cgroup was made (cgroup v2 memory.events). */
export interface MemoryEvents {
  /** Reclaimed under memory.low protection. */
  low: number;
  /** Throttled and reclaimed for going over memory.high. */
  high: number;
  /** Usage was about to go over memory.max. */
  max: number;
  /** The OOM killer was invoked (or an allocation failed for being over the limit). */
  oom: number;
  /** Processes killed by the OOM killer. */
  oomKill: number;
  /** Times the whole cgroup was killed at once (memory.oom.group; Linux 5.17+, 0 before). */
  oomGroupKill: number;
}

/**
 * CPU time the cgroup has used, in nanoseconds (on v1 userNs and systemNs are counted in 10 ms ticks), its CFS
 * throttling, and its limits.
 */
export interface CpuStats {
  usageNs: number;
  userNs: number;
  systemNs: number;
  /** v1 cpuacct.usage_percpu; null on v2 (the kernel has no per-CPU figure there). */
  perCpuNs: number[] | null;
  throttling: { periods: number; throttledPeriods: number; throttledNs: number };
  /** CFS quota / period (v1) or cpu.max (v2) in cores; null without a quota. */
  limitCores: number | null;
  /** The CFS quota in µs per period (v1 cpu.cfs_quota_us, v2 cpu.max); null without a quota. */
  quotaUs: number | null;
  /** The CFS period in µs (v1 cpu.cfs_period_us, v2 cpu.max); null where the cpu controller is not enabled (v2). */
  periodUs: number | null;
  /** Number of CPUs in the cgroup's effective cpuset; null where not readable or empty. */
  cpusetCpus: number | null;
}

/** One block device's I/O by the cgroup, by its major:minor: bytes and operations read and written, cumulative. */
export interface BlkioDeviceStats {
  major: number;
  minor: number;
  /** Kernel device name from /sys/dev/block (e.g. "vda", "dm-0"); null if unknown. */
  name: string | null;
  readBytes: number;
  writeBytes: number;
  readOps: number;
  writeOps: number;
}

/**
 * The cgroup's block I/O, cumulative: Read and Write only (Sync, Async, Discard and Total would count twice),
 * summed over its devices. v1 blkio or v2 io.stat, which lists only devices that saw I/O.
 */
export interface BlkioStats {
  readBytes: number;
  writeBytes: number;
  readOps: number;
  writeOps: number;
  devices: BlkioDeviceStats[];
}

/** The pids controller: `current` counts tasks (threads), not processes, as Docker's PIDS column does. */
export interface PidsStats {
  current: number;
  /** null when unlimited. */
  limit: number | null;
}

/** One huge page size's figures (hugetlb controller), in bytes. */
export interface HugetlbPageStats {
  /** Huge pages in use (v1 usage_in_bytes, v2 current). */
  usage: number;
  /** Peak usage (v1 max_usage_in_bytes); null on v2, which keeps none. */
  maxUsage: number | null;
  /** null when unlimited. */
  limit: number | null;
  /** Allocations refused for the limit (v1 failcnt, v2 events max). */
  failcnt: number;
}

/** One line of a PSI file: the share of time (%) tasks were stalled over 10, 60 and 300 s, and the total stall time. */
export interface PressureLine {
  avg10: number;
  avg60: number;
  avg300: number;
  /** Total stall time in nanoseconds. */
  totalNs: number;
}

/** One PSI file: `some`, time when at least one task was stalled, and `full`, time when all non-idle tasks were. */
export interface PressureResource {
  some: PressureLine;
  /** null for cpu on kernels that only report "some" there. */
  full: PressureLine | null;
}

/**
 * Pressure stall information of the cgroup: its cpu.pressure, memory.pressure and io.pressure (on a hybrid
 * host, those of its directory in the unified hierarchy); a resource is null where the kernel has none.
 */
export interface PressureStats {
  cpu: PressureResource | null;
  memory: PressureResource | null;
  io: PressureResource | null;
}

/** The kernel's struct rtnl_link_stats64 of an interface (IFLA_STATS64), as plain numbers (exact below 2^53). */
export interface LinkCounters {
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
  rxErrors: number;
  txErrors: number;
  rxDropped: number;
  txDropped: number;
  multicast: number;
  collisions: number;
  rxLengthErrors: number;
  rxOverErrors: number;
  rxCrcErrors: number;
  rxFrameErrors: number;
  rxFifoErrors: number;
  rxMissedErrors: number;
  txAbortedErrors: number;
  txCarrierErrors: number;
  txFifoErrors: number;
  txHeartbeatErrors: number;
  txWindowErrors: number;
  rxCompressed: number;
  txCompressed: number;
  rxNohandler: number;
  /** Packets dropped for another host's destination MAC (Linux 5.19+; 0 before). */
  rxOtherhostDropped: number;
}

/** One network interface: its counters, ifindex, kind, operational state (RFC 2863: "up", "down", ...) and MTU. */
export interface InterfaceStats extends LinkCounters {
  ifindex: number;
  /** IFLA_INFO_KIND ("veth", "bridge", ...); "loopback" for lo; null when the kernel names none. */
  kind: string | null;
  operstate: string;
  mtu: number;
}

/**
 * private: the container's own namespace. host: the host's namespace (counters are the host's, so the
 * totals are null). shared: another container's namespace (counters are that namespace's, shared).
 * none: only loopback.
 */
export type NetworkMode = 'private' | 'host' | 'shared' | 'none';

/**
 * A container's network as seen from inside its network namespace (read over netlink): what kind of namespace
 * it is, totals over every interface but loopback, and each interface. In mode "host" the totals are null: the
 * host's traffic is not the container's.
 */
export interface NetworkStats {
  mode: NetworkMode;
  /** Inode of the network namespace. */
  netns: number;
  /** In mode "shared", the id of the container that owns the namespace (a list of one); empty otherwise. */
  sharedWith: string[];
  /** Sums over every interface except loopback; null in mode "host". */
  rxBytes: number | null;
  txBytes: number | null;
  rxPackets: number | null;
  txPackets: number | null;
  rxErrors: number | null;
  txErrors: number | null;
  rxDropped: number | null;
  txDropped: number | null;
  /** Every interface of the namespace, loopback included, keyed by name; empty in mode "host". */
  interfaces: Record<string, InterfaceStats>;
}

/** The machine's figures read with each sample (/proc/stat, /proc/meminfo), which Docker's CPU % and memory % need. */
export interface HostStats {
  /** Number of "cpuN" lines in /proc/stat, as Docker counts online CPUs. */
  onlineCpus: number;
  /** Sum of /proc/stat "cpu" fields user..softirq, in nanoseconds (Docker's system_cpu_usage). */
  systemCpuNs: number;
  /** MemTotal from /proc/meminfo, bytes. */
  memTotal: number;
}

/**
 * One sample of a container (readContainerStats, a monitor, a StatsSampler): who it is and every figure read
 * at one moment. Bytes and nanoseconds (times since the epoch in ms); null means unlimited or not available.
 * `memory.stat`, `network.interfaces` and `pressure` are made when first read, as enumerable getters (so
 * JSON.stringify, spread and Object.keys see them).
 */
export interface ContainerStats extends ContainerIdentity {
  /** inode: the cgroup directory's inode (v1: the memory controller's); a new inode means a new cgroup. */
  cgroup: { version: CgroupVersion; path: string; inode: number };
  pid: number | null;
  /** When the container's process started, ms since the epoch; null where it was not read. */
  startedAt: number | null;
  /** Wall clock of the read, ms since the epoch. */
  timestamp: number;
  /** CLOCK_MONOTONIC of the read in nanoseconds, for rates. */
  monotonicNs: number;
  memory: MemoryStats;
  cpu: CpuStats;
  blkio: BlkioStats;
  pids: PidsStats;
  /** null on v1 kernels without the unified pressure files. */
  pressure: PressureStats | null;
  /** By page size as the kernel names it ("2MB", "1GB"); null where the hugetlb controller is not available to the cgroup. */
  hugetlb: Record<string, HugetlbPageStats> | null;
  /** null when not asked for (network: false) or without a PID. */
  network: NetworkStats | null;
  host: HostStats;
}
