// The loader and the exact typed surface of the C++ addon (cpp/). Everything above this file
// talks to the kernel only through these functions.
import load from 'node-gyp-build';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A per-item failure inside a batch answer: the item failed, the batch did not. */
export interface NativeFailure {
  /** Negative errno, as Node reports it (-2 for ENOENT). */
  errno: number;
  syscall: string;
  /** The file or target the failure concerns (also for socket and recv failures). */
  path?: string;
}

/** The kernel's struct rtnl_link_stats64, as plain numbers (exact below 2^53). */
export interface NativeLinkStats {
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
}

export interface NativeInterface {
  name: string;
  ifindex: number;
  /** IFLA_LINK: the peer's ifindex for a veth (in the peer's namespace), else the same as ifindex or 0. */
  linkIndex: number;
  /** IFLA_INFO_KIND ("veth", "bridge", "dummy", ...); "loopback" for lo; null when the kernel names none. */
  kind: string | null;
  /** "up", "down", "unknown", "lowerlayerdown", "dormant", "notpresent", "testing". */
  operstate: string;
  mtu: number;
  /** IFF_* flags word from ifinfomsg. */
  flags: number;
  stats: NativeLinkStats;
}

export interface NativeNetnsAnswer {
  /** st_ino of the namespace file: equal inodes mean the same namespace. */
  inode: number;
  /** st_dev of the namespace file (nsfs). */
  dev: number;
  interfaces: NativeInterface[];
}

/**
 * Keeps file descriptors open between reads; pread at offset 0 regenerates cgroup files. Beyond maxFds a
 * path is read one-shot (nothing is evicted). Any failure of a kept descriptor drops it; the next read reopens.
 */
export interface NativeFdCache {
  /** Reads every path (opening and keeping the ones not yet open) off the event loop. */
  read(paths: string[]): Promise<Array<string | NativeFailure>>;
  /** Closes the kept descriptors of these paths (unknown paths are ignored). */
  close(paths: string[]): void;
  /** Closes every kept descriptor whose path starts with this prefix. */
  closePrefix(prefix: string): void;
  /** Closes everything; the cache stays usable. */
  closeAll(): void;
  /** Number of descriptors kept now. */
  readonly size: number;
}

/**
 * Keeps one netlink socket per namespace (opened inside it once), so later reads need no setns. Each read
 * stats the target again: if it now names another namespace or is gone, the socket is dropped and the path
 * reopened. Beyond maxSockets a target is read one-shot.
 */
export interface NativeNetlinkCache {
  read(targets: string[]): Promise<Array<NativeNetnsAnswer | NativeFailure>>;
  close(targets: string[]): void;
  closeAll(): void;
  readonly size: number;
}

export interface NativeBinding {
  readonly napiVersion: number;
  /**
   * Reads whole files (open, read to EOF, close) for every path, in one trip off the event loop.
   * Content is returned as latin1-safe text (cgroup and proc files are ASCII).
   */
  readFiles(paths: string[]): Promise<Array<string | NativeFailure>>;
  /**
   * For every namespace file (/proc/<pid>/ns/net, /run/netns/<name>, ...): enters it on a dedicated
   * native thread, opens a NETLINK_ROUTE socket there, returns, and dumps RTM_GETLINK with
   * IFLA_STATS64. One thread per call serves the whole batch.
   */
  readNetns(targets: string[]): Promise<Array<NativeNetnsAnswer | NativeFailure>>;
  FdCache: new (maxFds: number) => NativeFdCache;
  NetlinkCache: new (maxSockets: number) => NativeNetlinkCache;
}

// CJS build: __dirname exists. ESM build: derive it from import.meta.url. lib/ and dist/ are both one
// level below the package root.
const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));

export const native = load(resolve(here, '..')) as NativeBinding;

export function isNativeFailure(value: unknown): value is NativeFailure {
  return typeof value === 'object' && value !== null && typeof (value as NativeFailure).errno === 'number'
    && typeof (value as NativeFailure).syscall === 'string';
}
