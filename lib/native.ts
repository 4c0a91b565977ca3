// The loader and the exact typed surface of the C++ addon (cpp/). Everything above this file
// talks to the kernel only through these functions.
import load from 'node-gyp-build';
import type { LinkCounters } from './types.js';
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

/** The kernel's struct rtnl_link_stats64, as plain numbers. */
export type NativeLinkStats = LinkCounters;

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

/**
 * One batch of namespace reads as the addon hands it over (netns-batch.ts unpacks it): per target its
 * status (0 or the negative errno; failures[i] then says more), inode, dev and links
 * linkFirst[i] .. linkFirst[i + 1]; per link its name (names[linkName[l]]), kind (kinds[linkKind[l] - 1],
 * none for 0), five integers (ifindex, IFLA_LINK, MTU, flags, operstate) and 25 counters.
 */
export interface NativeNetnsBatch {
  status: Int32Array;
  failures: Array<NativeFailure | undefined>;
  inode: Float64Array;
  dev: Float64Array;
  linkFirst: Uint32Array;
  /** The distinct interface names and kinds of the batch. */
  names: string[];
  kinds: string[];
  linkName: Uint32Array;
  linkKind: Uint32Array;
  ints: Int32Array;
  stats: Float64Array;
}

export interface NativeNetnsAnswer {
  /** st_ino of the namespace file: equal inodes mean the same namespace. */
  inode: number;
  /** st_dev of the namespace file (nsfs). */
  dev: number;
  interfaces: NativeInterface[];
}

/**
 * Keeps one netlink socket per namespace (opened inside it once), so later reads need no setns. Each read
 * stats the target again: if it now names another namespace or is gone, the socket is dropped and the path
 * reopened. Beyond maxSockets a target is read one-shot.
 */
export interface NativeNetlinkCache {
  read(targets: string[]): Promise<NativeNetnsBatch>;
  /**
   * Dumps on the sockets already kept, which needs no setns: on the thread pool, or on the calling
   * thread when `inline`. A target without a usable kept socket has status 1 (then read() it).
   */
  readKept(targets: string[], inline: boolean): Promise<NativeNetnsBatch>;
  close(targets: string[]): void;
  closeAll(): void;
  readonly size: number;
}

/**
 * How a FileSet reads a path: tokenized (cpp/tokenize.h), as text, only the inode of the path,
 * (Clock, any path) CLOCK_MONOTONIC in ns at that point of the read, or (Stat) the entries ino, size
 * and mtimeNs of stat(2);
 * optionally | Optional: the file may be absent for the life of the cgroup (an optional interface
 * file), so a kept set remembers an open that failed with ENOENT and tries again only now and then.
 */
export const FileMode = { Tokens: 0, Text: 1, Inode: 2, Clock: 3, Stat: 4, Optional: 8 } as const;

/** The system call behind a failed status in a NativeTokenBatch. */
export const FAILED_CALLS = ['', 'open', 'read', 'stat'] as const;

/**
 * The answer to a FileSet read (or to tokenize()): per file a range of (key id, value) entries, or a
 * failure. Entries of file i are first[i] .. first[i + 1]. A line of words only has the value NaN.
 */
export interface NativeTokenBatch {
  first: Uint32Array;
  /** 0, or the negative errno of the call that failed. */
  status: Int32Array;
  /** Index into FAILED_CALLS. */
  syscall: Uint8Array;
  keys: Uint32Array;
  values: Float64Array;
  /** Names of the key ids from the `knownKeys` given to read() on (every key, for tokenize()). */
  newKeys: string[];
  /** The content of text-mode files, by file index; null when the read had none. */
  texts: Array<string | undefined> | null;
}

/**
 * Files registered once and read many times in one trip each, off the event loop. Ids are reused
 * after release(); clear() releases every id.
 */
export interface NativeFileSet {
  /**
   * Registers paths (an array, or one string of paths joined by "\0", which crosses into native code
   * faster); mode is a FileMode, optionally | FileMode.Optional.
   */
  add(paths: string[] | string, mode: number): Uint32Array;
  /**
   * Reads the files of these ids, in order. `knownKeys`: how many key names the caller has. `inline`:
   * on the calling thread (for a few kept descriptors, cheaper than the hop to the thread pool), unless
   * another read of the set is running.
   */
  read(ids: Uint32Array, knownKeys: number, inline?: boolean): Promise<NativeTokenBatch>;
  release(ids: Uint32Array): void;
  clear(): void;
  /** Descriptors kept open now. */
  readonly openCount: number;
}

/** Whether a mount table changed since the last look (one poll(2); see cpp/mount_watch.h). */
export interface NativeMountWatch {
  /** True once after each change of the table since the watch was opened or last asked. */
  changed(): boolean;
  close(): void;
}

export interface NativeBinding {
  readonly napiVersion: number;
  /**
   * For every namespace file (/proc/<pid>/ns/net, /run/netns/<name>, ...): enters it on a native
   * thread kept for namespace work (at most 4 per environment, cpp/namespace_threads.h), opens a
   * NETLINK_ROUTE socket there, returns, and dumps RTM_GETLINK with IFLA_STATS64. One thread serves
   * the whole batch of a call.
   */
  readNetns(targets: string[]): Promise<NativeNetnsBatch>;
  /** maxOpen: descriptors to keep between reads (0: open, read and close every time). */
  FileSet: new (maxOpen: number) => NativeFileSet;
  /**
   * Every directory below root (to maxDepth levels), as paths relative to root joined by "\n", in one
   * trip off the event loop (`inline`: on the calling thread, for a small tree). A directory whose name
   * matches one of `leafGlobs` (fnmatch(3) patterns such as '*.scope'; at most 64, each 1 to 1024 bytes,
   * else a TypeError) is listed but not walked into. Rejects with a system error when root cannot be
   * opened.
   */
  walkDirs(root: string, maxDepth: number, leafGlobs: readonly string[], inline?: boolean): Promise<string>;
  /** Opens a mount table (such as /proc/self/mountinfo) to watch; throws a system error if it cannot. */
  MountWatch: new (path: string) => NativeMountWatch;
  /** The tokenizer of FileSet on strings, synchronously, with a fresh key table. */
  tokenize(texts: string[]): NativeTokenBatch;
  NetlinkCache: new (maxSockets: number) => NativeNetlinkCache;
}

// ESM build (and the sources): derive the directory from import.meta.url. CJS build: esbuild leaves
// import.meta empty there, and __dirname is the module's own. (Not the other way round: a global
// __dirname exists in some ESM contexts, such as a worker started with eval.) lib/ and dist/ are both
// one level below the package root.
const moduleUrl: string | undefined = import.meta.url;
const here = moduleUrl ? dirname(fileURLToPath(moduleUrl)) : __dirname;

/** The package's own directory (where package.json, build/ and prebuilds/ are). */
export const packageRoot = resolve(here, '..');

// node-gyp-build takes build/Release, then prebuilds/<platform>-<arch>. CTRSTAT_PREBUILD=<dir> in the
// environment makes it look in <dir> instead: npm run test:asan loads the AddressSanitizer build that way
// (build-asan/build/Release).
export const native = load(packageRoot) as NativeBinding;

export function isNativeFailure(value: unknown): value is NativeFailure {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as NativeFailure).errno === 'number' &&
    typeof (value as NativeFailure).syscall === 'string'
  );
}
