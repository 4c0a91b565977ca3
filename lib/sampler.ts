// One sample of many containers: every cgroup file of every container (plus /proc/stat and
// /proc/meminfo) in one native trip, and every network namespace in one more, run side by side.
import { stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import {
  buildCgroupStats, cgroupBlockDevices, cgroupFilePlan, CgroupGoneError, createDeviceNameResolver, type DeviceNameResolver,
} from './cgroup/index.js';
import { buildHostStats, hostFilePaths } from './host.js';
import { buildNetworkStats } from './network.js';
import { native, isNativeFailure, type NativeFailure, type NativeFdCache, type NativeNetlinkCache, type NativeNetnsAnswer } from './native.js';
import {
  ContainerNotFoundError, CtrstatError, PermissionDeniedError, NETNS_PRIVILEGE_HINT, systemError,
} from './errors.js';
import type { ResolvedContainer } from './discovery/types.js';
import type { ContainerStats, HostOptions, NetworkStats } from './types.js';

export interface SamplerOptions extends HostOptions {
  /** Read network counters (enters each container's network namespace). Default true. */
  network?: boolean;
  /** Keep file descriptors and netlink sockets open between samples (for repeated sampling). Default false. */
  keepFds?: boolean;
  /** Upper bound of kept file descriptors. Default 4096. */
  maxFds?: number;
  /** Upper bound of kept netlink sockets (one per network namespace). Default 1024. */
  maxSockets?: number;
}

export interface SampleContext {
  /**
   * Containers that may share a network namespace with the targets (default: the targets). A
   * namespace used by several containers belongs to the one whose process started first.
   */
  peers?: readonly ResolvedContainer[];
}

const GONE_ERRNOS = new Set([-2 /* ENOENT */, -3 /* ESRCH */, -19 /* ENODEV */]);
const DENIED_ERRNOS = new Set([-1 /* EPERM */, -13 /* EACCES */]);

export class StatsSampler {
  readonly #procRoot: string;
  readonly #sysRoot: string;
  readonly #network: boolean;
  readonly #fdCache: NativeFdCache | null;
  readonly #netlinkCache: NativeNetlinkCache | null;
  readonly #deviceNames: DeviceNameResolver;
  /** cgroup directory → inode, the identity of the cgroup behind a path. */
  readonly #cgroupInodes = new Map<string, number>();
  #hostNetnsInode: number | null | undefined;
  #closed = false;

  constructor(options: SamplerOptions = {}) {
    this.#procRoot = options.procRoot ?? '/proc';
    this.#sysRoot = options.sysRoot ?? '/sys';
    this.#network = options.network ?? true;
    this.#fdCache = options.keepFds ? new native.FdCache(options.maxFds ?? 4096) : null;
    this.#netlinkCache = options.keepFds && this.#network ? new native.NetlinkCache(options.maxSockets ?? 1024) : null;
    this.#deviceNames = createDeviceNameResolver(this.#sysRoot);
  }

  /** Samples every target; each entry is its stats or the typed error that stopped it. */
  async sample(targets: readonly ResolvedContainer[], context: SampleContext = {}): Promise<Array<ContainerStats | CtrstatError>> {
    if (this.#closed) throw new CtrstatError('ERR_SAMPLER_CLOSED', 'This sampler is closed');
    const hostPaths = hostFilePaths(this.#procRoot);
    const plans = targets.map((target) => cgroupFilePlan(target.dirs, target.version));
    const paths = hostPaths.slice();
    for (const plan of plans) paths.push(...plan.paths);
    const netTargets = this.#network ? targets.map((t) => (t.pid === null ? null : `${this.#procRoot}/${t.pid}/ns/net`)) : [];
    const netPaths = netTargets.filter((p): p is string => p !== null);

    const [files, netAnswers, inodes] = await Promise.all([
      this.#fdCache ? this.#fdCache.read(paths) : native.readFiles(paths),
      netPaths.length === 0 ? Promise.resolve([]) : (this.#netlinkCache ? this.#netlinkCache.read(netPaths) : native.readNetns(netPaths)),
      Promise.all(targets.map((t) => this.#cgroupInode(t))),
    ]);
    const timestamp = Date.now();
    const monotonicNs = Number(process.hrtime.bigint());

    const host = buildHostStats(this.#procRoot, files.slice(0, hostPaths.length));

    const netByPath = new Map<string, NativeNetnsAnswer | NativeFailure>();
    netPaths.forEach((p, i) => netByPath.set(p, netAnswers[i]!));
    const owners = this.#network ? await this.#namespaceOwners(targets, netTargets, netByPath, context.peers ?? targets) : new Map();

    const answers: Array<ReadonlyArray<string | NativeFailure>> = [];
    const devices: Array<[number, number]> = [];
    let offset = hostPaths.length;
    for (const plan of plans) {
      const slice = files.slice(offset, offset + plan.paths.length);
      offset += plan.paths.length;
      answers.push(slice);
      devices.push(...cgroupBlockDevices(plan, slice));
    }
    if (devices.length > 0) await this.#deviceNames.preload(devices);

    const out: Array<ContainerStats | CtrstatError> = [];
    targets.forEach((target, i) => {
      const plan = plans[i]!;
      const results = answers[i]!;
      try {
        const inode = inodes[i];
        if (inode === undefined || inode === null) throw new CgroupGoneError(target.cgroup.path);
        const cgroupStats = buildCgroupStats(plan, results, this.#deviceNames.lookup);
        let network: NetworkStats | null = null;
        const netPath = netTargets[i];
        if (netPath) {
          const answer = netByPath.get(netPath)!;
          if (isNativeFailure(answer)) throw this.#networkError(target, answer);
          const owner = owners.get(answer.inode);
          network = buildNetworkStats(answer, {
            hostNetnsInode: this.#hostNetnsInode ?? null,
            sharedWith: owner !== undefined && owner !== target.id ? [owner] : [],
          });
        }
        out.push({
          id: target.id,
          name: target.name,
          runtime: target.runtime,
          cgroup: { version: target.version, path: target.cgroup.path, inode },
          pid: target.pid,
          timestamp,
          monotonicNs,
          ...cgroupStats,
          network,
          host,
        });
      } catch (err) {
        out.push(this.#toTypedError(target, err));
      }
    });
    return out;
  }

  /** Closes what is kept for a container that went away. */
  release(target: ResolvedContainer): void {
    const dirs = new Set(Object.values(target.dirs).filter((d): d is string => d !== null));
    for (const dir of dirs) {
      this.#fdCache?.closePrefix(`${dir}/`);
      this.#cgroupInodes.delete(dir);
    }
    if (target.pid !== null) this.#netlinkCache?.close([`${this.#procRoot}/${target.pid}/ns/net`]);
  }

  close(): void {
    this.#closed = true;
    this.#fdCache?.closeAll();
    this.#netlinkCache?.closeAll();
    this.#cgroupInodes.clear();
  }

  async #cgroupInode(target: ResolvedContainer): Promise<number | null> {
    const dir = target.version === 2 ? target.dirs.unified : (target.dirs.memory ?? target.dirs.cpuacct ?? target.dirs.pids);
    if (dir === null) return null;
    const known = this.#cgroupInodes.get(dir);
    if (known !== undefined && this.#fdCache) return known;
    try {
      const { ino } = await stat(dir);
      if (this.#fdCache) this.#cgroupInodes.set(dir, ino);
      return ino;
    } catch {
      this.#cgroupInodes.delete(dir);
      return null;
    }
  }

  /**
   * For every namespace used by more than one container, the id of the container that owns it (the
   * pod sandbox, else the one whose process started first); the others report it as shared.
   */
  async #namespaceOwners(
    targets: readonly ResolvedContainer[],
    netTargets: Array<string | null>,
    netByPath: Map<string, NativeNetnsAnswer | NativeFailure>,
    peers: readonly ResolvedContainer[],
  ): Promise<Map<number, string>> {
    if (this.#hostNetnsInode === undefined) this.#hostNetnsInode = await hostNetnsInode(this.#procRoot);
    const members = new Map<number, Map<string, ResolvedContainer>>();
    const add = (inode: number | null, container: ResolvedContainer) => {
      if (inode === null || inode === this.#hostNetnsInode) return;
      let group = members.get(inode);
      if (!group) members.set(inode, (group = new Map()));
      group.set(container.id, container);
    };
    targets.forEach((target, i) => {
      const path = netTargets[i];
      const answer = path ? netByPath.get(path) : undefined;
      add(answer && !isNativeFailure(answer) ? answer.inode : null, target);
    });
    for (const peer of peers) add(peer.netnsInode, peer);

    const owners = new Map<number, string>();
    for (const [inode, group] of members) {
      if (group.size < 2) continue;
      const candidates = [...group.values()];
      const sandbox = candidates.find((c) => c.sandbox);
      owners.set(inode, sandbox ? sandbox.id : this.#earliestStarted(candidates).id);
    }
    return owners;
  }

  #earliestStarted(candidates: ResolvedContainer[]): ResolvedContainer {
    let best = candidates[0]!;
    let bestStart = Infinity;
    for (const candidate of candidates) {
      if (candidate.pid === null) continue;
      const start = processStartTicks(this.#procRoot, candidate.pid);
      if (start !== null && start < bestStart) {
        bestStart = start;
        best = candidate;
      }
    }
    return best;
  }

  #networkError(target: ResolvedContainer, failure: NativeFailure): CtrstatError | Error {
    if (DENIED_ERRNOS.has(failure.errno)) return new PermissionDeniedError(failure, NETNS_PRIVILEGE_HINT);
    if (GONE_ERRNOS.has(failure.errno)) return new ContainerNotFoundError(target.id, 'its process exited while it was read');
    return systemError(failure);
  }

  #toTypedError(target: ResolvedContainer, err: unknown): CtrstatError {
    if (err instanceof CgroupGoneError) {
      const dirs = Object.values(target.dirs).filter((d): d is string => d !== null);
      for (const dir of dirs) this.#cgroupInodes.delete(dir);
      return new ContainerNotFoundError(target.id, 'its cgroup was removed while it was read', { cause: err });
    }
    if (err instanceof CtrstatError) return err;
    return new CtrstatError('ERR_READ_FAILED', `Reading ${target.id} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}

/** Field 22 of /proc/<pid>/stat: start time after boot in clock ticks. */
function processStartTicks(procRoot: string, pid: number): number | null {
  try {
    const text = readFileSync(`${procRoot}/${pid}/stat`, 'latin1');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const value = Number(fields[19]);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * The host's network namespace is PID 1's. Where PID 1 cannot be inspected (a hardened init, as in
 * some microVMs), this process's own namespace stands in when it reads the host's /proc directly.
 */
async function hostNetnsInode(procRoot: string): Promise<number | null> {
  try {
    return (await stat(`${procRoot}/1/ns/net`)).ino;
  } catch {
    if (procRoot !== '/proc') return null;
    try {
      return (await stat('/proc/self/ns/net')).ino;
    } catch {
      return null;
    }
  }
}
