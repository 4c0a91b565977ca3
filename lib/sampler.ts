// One sample of many containers: every cgroup file of every container (plus /proc/stat and
// /proc/meminfo) in one native trip, tokenized there, and every network namespace in one more, run
// side by side. A container's files are registered once; with keepFds their descriptors are also kept
// between samples.
import { stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import {
  buildCgroupStats, cgroupBlockDevices, cgroupFilePlan, CgroupGoneError, createDeviceNameResolver, type CgroupFilePlan,
  type DeviceNameResolver,
} from './cgroup/index.js';
import { fileFailure, fileText, KeyNames, type TokenBatch } from './io/tokens.js';
import { buildHostStats, hostFilePaths } from './host.js';
import { buildNetworkStats } from './network.js';
import { lazyAnswers, readThroughCache, type NetnsAnswers } from './netns-batch.js';
import {
  FileMode, native, isNativeFailure, type NativeFailure, type NativeFileSet, type NativeNetlinkCache,
} from './native.js';
import {
  CGROUP_PRIVILEGE_HINT, ContainerNotFoundError, CtrstatError, PermissionDeniedError, NETNS_PRIVILEGE_HINT, systemError,
} from './errors.js';
import { errnoKind } from './io/errno.js';
import type { ResolvedContainer } from './discovery/types.js';
import type { ContainerStats, HostOptions, NetworkStats } from './types.js';

export interface SamplerOptions extends HostOptions {
  /** Read network counters (enters each container's network namespace). Default true. */
  network?: boolean;
  /** Keep file descriptors and netlink sockets open between samples (for repeated sampling). Default false. */
  keepFds?: boolean;
  /** Upper bound of kept file descriptors. Default: half of this process's open-file limit. */
  maxFds?: number;
  /** Upper bound of kept netlink sockets (one per network namespace). Default 1024. */
  maxSockets?: number;
}

export interface SampleContext {
  /**
   * Containers besides the targets that may share a network namespace with them (the targets are
   * always looked at). A namespace used by several containers belongs to the pod sandbox, else to the
   * one whose process started first.
   */
  peers?: readonly ResolvedContainer[];
}

/**
 * Kept files read on the calling thread when a sample has no more: about 100 µs of preads (four or five
 * containers), less than the hop to the thread pool and back costs on a busy machine.
 */
const INLINE_MAX_FILES = 160;
/** Files opened and read on the calling thread when a one-shot sample has no more: one container's (~0.2 ms). */
const INLINE_MAX_OPENS = 32;

/** Containers built between two turns of the event loop (about a millisecond of work). */
const BUILD_CHUNK = 32;

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** One container's files in the sampler's FileSet: [clock, ...plan.paths, inode of the cgroup directory]. */
interface Registration {
  key: string;
  plan: CgroupFilePlan;
  ids: Uint32Array;
}

/** The soft RLIMIT_NOFILE of this process (Node raises it to the hard limit at start), or 1024. */
function openFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'latin1').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s+/)[3]);
    return Number.isSafeInteger(soft) && soft > 0 ? soft : 1024;
  } catch {
    return 1024;
  }
}

export class StatsSampler {
  readonly #procRoot: string;
  readonly #sysRoot: string;
  readonly #network: boolean;
  readonly #keep: boolean;
  readonly #files: NativeFileSet;
  readonly #keys = new KeyNames();
  readonly #hostIds: Uint32Array;
  readonly #netlinkCache: NativeNetlinkCache | null;
  readonly #deviceNames: DeviceNameResolver;
  readonly #hostPaths: string[];
  /** Registrations by container identity (id, cgroup path, version). */
  readonly #registered = new Map<string, Registration>();
  /** Start times of processes that share a namespace (they never change for a process). */
  readonly #startTicks = new WeakMap<ResolvedContainer, number>();
  #hostNetnsInode: number | null | undefined;
  #closed = false;

  constructor(options: SamplerOptions = {}) {
    this.#procRoot = options.procRoot ?? '/proc';
    this.#sysRoot = options.sysRoot ?? '/sys';
    this.#network = options.network ?? true;
    this.#keep = options.keepFds ?? false;
    this.#files = new native.FileSet(this.#keep ? options.maxFds ?? Math.floor(openFileLimit() / 2) : 0);
    this.#hostPaths = hostFilePaths(this.#procRoot);
    this.#hostIds = this.#files.add(this.#hostPaths, FileMode.Text);
    this.#netlinkCache = this.#keep && this.#network ? new native.NetlinkCache(options.maxSockets ?? 1024) : null;
    this.#deviceNames = createDeviceNameResolver(this.#sysRoot);
  }

  /** Descriptors kept open now (files and netlink sockets). */
  get openDescriptors(): number {
    return this.#files.openCount + (this.#netlinkCache?.size ?? 0);
  }

  /** Samples every target; each entry is its stats or the typed error that stopped it. */
  async sample(targets: readonly ResolvedContainer[], context: SampleContext = {}): Promise<Array<ContainerStats | CtrstatError>> {
    if (this.#closed) throw new CtrstatError('ERR_SAMPLER_CLOSED', 'This sampler is closed');
    const registrations = targets.map((target) => this.#registration(target));
    // Without keepFds nobody releases containers that went away: what this sample does not read goes.
    if (!this.#keep && this.#registered.size > registrations.length) this.#keepOnly(registrations);
    let total = this.#hostIds.length;
    for (const registration of registrations) if (!(registration instanceof Error)) total += registration.ids.length;
    const ids = new Uint32Array(total);
    ids.set(this.#hostIds, 0);
    const offsets: number[] = [];
    let offset = this.#hostIds.length;
    for (const registration of registrations) {
      offsets.push(offset);
      if (registration instanceof Error) continue;
      ids.set(registration.ids, offset);
      offset += registration.ids.length;
    }
    // Per target, where its namespace's answer is among the paths read (-1: none, it has no PID).
    const netAt = new Int32Array(targets.length).fill(-1);
    const netPaths: string[] = [];
    if (this.#network) {
      targets.forEach((target, i) => {
        if (target.pid === null) return;
        netAt[i] = netPaths.length;
        netPaths.push(`${this.#procRoot}/${target.pid}/ns/net`);
      });
    }

    const knownKeys = this.#keys.known;
    // A few kept descriptors (or one container's files, opened) are read on this thread: cheaper than
    // the hop to the pool and back.
    const inline = ids.length <= (this.#keep ? INLINE_MAX_FILES : INLINE_MAX_OPENS);
    // The namespaces first: their thread then works while the files are read (maybe on this thread).
    const network = netPaths.length === 0 ? null
      : this.#netlinkCache ? readThroughCache(this.#netlinkCache, netPaths, inline)
        : native.readNetns(netPaths).then(lazyAnswers);
    const [batch, netAnswers] = await Promise.all([this.#files.read(ids, knownKeys, inline), network]);
    this.#keys.absorb(batch, knownKeys);
    const tokens: TokenBatch = { batch, keyNames: this.#keys };
    const timestamp = Date.now();

    const host = buildHostStats(this.#procRoot, this.#hostPaths.map((path, i) => fileFailure(tokens, i, path) ?? fileText(tokens, i)));

    const owners = this.#network && netAnswers !== null
      ? await this.#namespaceOwners(targets, netAt, netAnswers, context.peers ?? [])
      : new Map<number, string>();

    const out: Array<ContainerStats | CtrstatError> = [];
    for (let i = 0; i < targets.length; i++) {
      if (i % BUILD_CHUNK === 0) {
        // Many containers: let other work on the event loop in between.
        if (i > 0) await yieldToEventLoop();
        // The names of the block devices this chunk mentions, known after their first sample.
        const devices: Array<[number, number]> = [];
        for (let j = i; j < Math.min(i + BUILD_CHUNK, targets.length); j++) {
          const registration = registrations[j]!;
          // Skips the clock entry.
          if (!(registration instanceof Error)) devices.push(...cgroupBlockDevices(registration.plan, tokens, offsets[j]! + 1));
        }
        if (devices.length > 0) await this.#deviceNames.preload(devices);
      }
      const target = targets[i]!;
      const registration = registrations[i]!;
      try {
        if (registration instanceof Error) throw registration;
        const at = offsets[i]!;
        const { plan } = registration;
        const monotonicNs = batch.values[batch.first[at]!]!;
        const inodeAt = at + 1 + plan.paths.length;
        const inodeFailure = fileFailure(tokens, inodeAt, plan.dir);
        if (inodeFailure !== null) {
          if (errnoKind(inodeFailure.errno) === 'denied') throw new PermissionDeniedError(inodeFailure, CGROUP_PRIVILEGE_HINT);
          throw new CgroupGoneError(plan.dir, inodeFailure.errno);
        }
        const inode = batch.values[batch.first[inodeAt]!]!;
        const cgroupStats = buildCgroupStats(plan, tokens, at + 1, this.#deviceNames.lookup);
        let network: NetworkStats | null = null;
        if (netAt[i]! >= 0 && netAnswers !== null) {
          const answer = netAnswers.get(netAt[i]!);
          if (isNativeFailure(answer)) throw this.#networkError(target, answer);
          // The PID now names a process in another namespace: the container's process was replaced
          // (and the PID perhaps reused); what was found out about it no longer holds.
          if (target.netnsInode !== null && answer.inode !== target.netnsInode) {
            throw new ContainerNotFoundError(target.id, 'its process was replaced while it was read');
          }
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
          image: target.image,
          imageId: target.imageId,
          labels: target.labels,
          kubernetes: target.kubernetes,
          containerdNamespace: target.containerdNamespace,
          cgroup: { version: target.version, path: target.cgroup.path, inode },
          pid: target.pid,
          timestamp,
          monotonicNs,
          memory: cgroupStats.memory,
          cpu: cgroupStats.cpu,
          blkio: cgroupStats.blkio,
          pids: cgroupStats.pids,
          pressure: cgroupStats.pressure,
          network,
          host,
        });
      } catch (err) {
        if (!(registration instanceof Error) && err instanceof CgroupGoneError) this.release(target);
        out.push(this.#toTypedError(target, err));
      }
    }
    return out;
  }

  /** Closes what is kept for a container that went away. */
  release(target: ResolvedContainer): void {
    const key = registrationKey(target);
    const registration = this.#registered.get(key);
    if (registration !== undefined) {
      this.#files.release(registration.ids);
      this.#registered.delete(key);
    }
    if (target.pid !== null) this.#netlinkCache?.close([`${this.#procRoot}/${target.pid}/ns/net`]);
  }

  close(): void {
    this.#closed = true;
    this.#files.clear();
    this.#netlinkCache?.closeAll();
    this.#registered.clear();
  }

  /** The files of a target in the FileSet (registered on first use). */
  #registration(target: ResolvedContainer): Registration | CtrstatError {
    const key = registrationKey(target);
    const known = this.#registered.get(key);
    if (known !== undefined) return known;
    let plan: CgroupFilePlan;
    try {
      plan = cgroupFilePlan(target.dirs, target.version);
    } catch (err) {
      return this.#toTypedError(target, err);
    }
    const ids = new Uint32Array(plan.paths.length + 2);
    ids.set(this.#files.add(plan.dir, FileMode.Clock), 0);
    // Consecutive runs of the same mode go in one call each.
    let run = 0;
    for (let i = 1; i <= plan.paths.length; i++) {
      if (i < plan.paths.length && plan.optional[i] === plan.optional[run]) continue;
      const mode = FileMode.Tokens | (plan.optional[run] ? FileMode.Optional : 0);
      ids.set(this.#files.add(plan.paths.slice(run, i).join('\0'), mode), 1 + run);
      run = i;
    }
    ids.set(this.#files.add(plan.dir, FileMode.Inode), plan.paths.length + 1);
    const registration = { key, plan, ids };
    this.#registered.set(key, registration);
    return registration;
  }

  /** Releases every registration but these. */
  #keepOnly(registrations: ReadonlyArray<Registration | CtrstatError>): void {
    const used = new Set<Registration>();
    for (const registration of registrations) if (!(registration instanceof Error)) used.add(registration);
    for (const registration of this.#registered.values()) {
      if (used.has(registration)) continue;
      this.#files.release(registration.ids);
      this.#registered.delete(registration.key);
    }
  }

  /**
   * For every namespace used by more than one container, the id of the container that owns it (the
   * pod sandbox, else the one whose process started first); the others report it as shared.
   */
  async #namespaceOwners(
    targets: readonly ResolvedContainer[],
    netAt: Int32Array,
    netAnswers: NetnsAnswers,
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
    targets.forEach((target, i) => add(netAt[i]! < 0 ? null : netAnswers.inode(netAt[i]!), target));
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
      let start: number | null | undefined = this.#startTicks.get(candidate);
      if (start === undefined) {
        // A replaced process is another ResolvedContainer, so a cached start never outlives its process.
        start = processStartTicks(this.#procRoot, candidate.pid);
        if (start !== null) this.#startTicks.set(candidate, start);
      }
      if (start !== null && start < bestStart) {
        bestStart = start;
        best = candidate;
      }
    }
    return best;
  }

  #networkError(target: ResolvedContainer, failure: NativeFailure): CtrstatError | Error {
    const kind = errnoKind(failure.errno);
    if (kind === 'denied') return new PermissionDeniedError(failure, NETNS_PRIVILEGE_HINT);
    if (kind === 'missing') return new ContainerNotFoundError(target.id, 'its process exited while it was read');
    return systemError(failure);
  }

  #toTypedError(target: ResolvedContainer, err: unknown): CtrstatError {
    if (err instanceof CgroupGoneError) {
      return new ContainerNotFoundError(target.id, 'its cgroup was removed while it was read', { cause: err });
    }
    if (err instanceof CtrstatError) return err;
    return new CtrstatError('ERR_READ_FAILED', `Reading ${target.id} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}

/** What tells two registrations apart: the same id in another cgroup is another container. */
function registrationKey(target: ResolvedContainer): string {
  return `${target.id}\0${target.version}\0${target.cgroup.path}`;
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
function hostNetnsInode(procRoot: string): Promise<number | null> {
  let inode = hostNetns.get(procRoot);
  if (inode === undefined) {
    inode = stat(`${procRoot}/1/ns/net`).then((info) => info.ino, async () => {
      if (procRoot !== '/proc') return null;
      try {
        return (await stat('/proc/self/ns/net')).ino;
      } catch {
        return null;
      }
    });
    if (hostNetns.size < 64) hostNetns.set(procRoot, inode);
  }
  return inode;
}

/** By procRoot: PID 1 keeps its namespace for as long as the machine runs. */
const hostNetns = new Map<string, Promise<number | null>>();
