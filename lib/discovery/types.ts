import type { CgroupMode, CgroupVersion, ContainerInfo } from '../types.js';
import type { CgroupDirs } from '../cgroup/controller.js';

export type { CgroupDirs } from '../cgroup/controller.js';

/** One mounted cgroup hierarchy, as this process sees it. */
export interface CgroupMount {
  /** Absolute mount point (under the configured sysRoot). */
  mountPoint: string;
  /** Mount root (mountinfo field 4): the cgroup path that the mount point shows, "/" normally. */
  root: string;
  /**
   * "" normally. When this process has a cgroup namespace of its own and the mount shows the hierarchy
   * from above it (a host's cgroup filesystem mounted into a container), mountinfo gives the root as
   * "/.." segments: they are kept here ("/../.."), and `root` is "/" (the mount shows the whole
   * hierarchy, so paths below it are the host's). /proc/<pid>/cgroup paths start with the same
   * segments and are read against them.
   */
  outside: string;
}

/**
 * The cgroup layout as this process sees it (what detectLayout gives): the mode, the absolute host roots, and
 * the mount of each hierarchy. Kept until the mount table changes, and shared: do not modify it.
 */
export interface CgroupLayout {
  mode: CgroupMode;
  procRoot: string;
  sysRoot: string;
  /** The cgroup2 hierarchy (v2 and hybrid), null on pure v1. */
  unified: CgroupMount | null;
  /** v1 hierarchies by controller ("memory", "cpu", "cpuacct", "blkio", "pids", "cpuset", "name=systemd"). */
  v1: Record<string, CgroupMount>;
}

/** A container found on this machine, with everything needed to read it. */
export interface ResolvedContainer extends ContainerInfo {
  version: CgroupVersion;
  dirs: CgroupDirs;
  /**
   * The id of the container whose network namespace this one joined, as its runtime's state says (Docker's
   * --network container:<id>, a Kubernetes container's pod sandbox); null where it does not say.
   */
  networkOwner: string | null;
  /**
   * Whether its runtime's state says it runs in the host's network namespace (true) or in one of its own
   * or another container's (false); null where the state does not say.
   */
  hostNetwork: boolean | null;
}
