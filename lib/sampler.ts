// One sample of many containers: every cgroup file of every container (plus /proc/stat and
// /proc/meminfo) in one native trip, tokenized there, and every network namespace in one more, run
// side by side. A container's files are registered once; with keepFds their descriptors are also kept
// between samples.
import { readFileSync } from 'node:fs';
import {
  buildCgroupStats,
  cgroupFilePlan,
  CgroupGoneError,
  createDeviceNameResolver,
  prepareControllers,
  type CgroupStats,
  type ContainerPlan,
  type DeviceNameResolver,
  type KeptAnswers,
  type PreparedControllers,
} from './cgroup/index.js';
import { fileFailure, fileText, KeyNames, type TokenBatch } from './io/tokens.js';
import { buildHostStats, hostFilePaths } from './host.js';
import { buildNetworkStats } from './network/stats.js';
import { lazyAnswers, readThroughCache, type NetnsAnswers } from './network/netns-batch.js';
import { NamespaceOwnership } from './network/ownership.js';
import {
  FileMode,
  native,
  isNativeFailure,
  type NativeFailure,
  type NativeFileSet,
  type NativeNetlinkCache,
} from './native.js';
import {
  CGROUP_PRIVILEGE_HINT,
  ContainerNotFoundError,
  CtrstatError,
  PermissionDeniedError,
  NETNS_PRIVILEGE_HINT,
  systemError,
  type SystemError,
} from './errors.js';
import { errnoKind } from './io/errno.js';
import { defineLazy, type LazySource } from './io/lazy-property.js';
import { booleanOption, hostOptions, integerOption, numberOption, optionsObject } from './options.js';
import type { CgroupDirs, ResolvedContainer } from './discovery/types.js';
import type {
  BlkioStats,
  CgroupVersion,
  ContainerStats,
  CpuStats,
  HostOptions,
  HostStats,
  HugetlbPageStats,
  KubernetesIdentity,
  MemoryStats,
  NetworkStats,
  PidsStats,
  Runtime,
} from './types.js';

/** Why one container of a sample could not be read: a typed error, or a Node-style system error. */
export type SampleError = CtrstatError | SystemError;

/**
 * Options of a StatsSampler (and of createMonitor, which reads with one). Every option is checked in the
 * constructor: a bad one throws an InvalidOptionError naming it.
 */
export interface SamplerOptions extends HostOptions {
  /** Read network counters (enters each container's network namespace). Default true. */
  network?: boolean;
  /** Keep file descriptors and netlink sockets open between samples (for repeated sampling). Default false. */
  keepFds?: boolean;
  /** Upper bound of kept file descriptors. Default: half of this process's open-file limit. */
  maxFds?: number;
  /** Upper bound of kept netlink sockets (one per network namespace). Default 1024. */
  maxSockets?: number;
  /**
   * With keepFds: how often, in ms, a container's settings (memory and swap limits, CFS quota and period,
   * pids.max, cpuset, huge page limits) are read again; the samples in between report the last ones read.
   * A new container's are read at once. 0 reads them every sample. Default 10 000.
   */
  configRefreshMs?: number;
}

/** What StatsSampler.sample() may be told besides its targets. */
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
/** Files opened and read on the calling thread when a one-shot sample has no more: one container's, some forty (~0.2 ms). */
const INLINE_MAX_OPENS = 48;

const DEFAULT_MAX_SOCKETS = 1024;
/** The pressure of a container without PSI files. */
const NO_PRESSURE: LazySource<null> = { value: () => null };
/** How often kept registrations read their settings (limits) again. */
const DEFAULT_CONFIG_REFRESH_MS = 10_000;
export const MAX_CONFIG_REFRESH_MS = 24 * 3600_000;
/** Bound of maxFds and maxSockets: more than any open-file limit. */
const MAX_COUNT = 1 << 24;

/** Containers built between two turns of the event loop (about a millisecond of work). */
const BUILD_CHUNK = 32;

/** A sample's `cgroup`, made by a constructor (see cgroup/stats-objects.ts). */
class SampleCgroup {
  constructor(
    public version: CgroupVersion,
    public path: string,
    public inode: number,
  ) {}
}

/**
 * A sample without `pressure` (added lazily, last), made by a constructor (see cgroup/stats-objects.ts): its fields
 * named one by one, so that every sample has one shape, made in one go.
 */
class ContainerSample implements Omit<ContainerStats, 'pressure'> {
  id: string;
  name: string | null;
  runtime: Runtime;
  image: string | null;
  imageId: string | null;
  labels: Readonly<Record<string, string>>;
  kubernetes: KubernetesIdentity | null;
  containerdNamespace: string | null;
  cgroup: SampleCgroup;
  pid: number | null;
  startedAt: number | null;
  timestamp: number;
  monotonicNs: number;
  memory: MemoryStats;
  cpu: CpuStats;
  blkio: BlkioStats;
  pids: PidsStats;
  hugetlb: Record<string, HugetlbPageStats> | null;
  network: NetworkStats | null;
  host: HostStats;

  constructor(
    target: ResolvedContainer,
    cgroup: SampleCgroup,
    timestamp: number,
    monotonicNs: number,
    stats: CgroupStats,
    network: NetworkStats | null,
    host: HostStats,
  ) {
    this.id = target.id;
    this.name = target.name;
    this.runtime = target.runtime;
    this.image = target.image;
    this.imageId = target.imageId;
    this.labels = target.labels;
    this.kubernetes = target.kubernetes;
    this.containerdNamespace = target.containerdNamespace;
    this.cgroup = cgroup;
    this.pid = target.pid;
    this.startedAt = target.startedAt;
    this.timestamp = timestamp;
    this.monotonicNs = monotonicNs;
    this.memory = stats.memory;
    this.cpu = stats.cpu;
    this.blkio = stats.blkio;
    this.pids = stats.pids;
    this.hugetlb = stats.hugetlb;
    this.network = network;
    this.host = host;
  }
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * One container's files in the sampler's FileSet, in this order: the clock (CLOCK_MONOTONIC as its files are
 * read), the plan's paths, the inode of its cgroup directory (read last: a kept read before it proves the
 * cgroup was still there).
 */
interface Registration {
  key: string;
  /** The directories the plan was made for (a process of no container may move between cgroups). */
  dirs: CgroupDirs;
  plan: ContainerPlan;
  ids: Uint32Array;
  /** The same without the plan's settings (limits read now and then): [clock, ...other files, inode]. */
  liveIds: Uint32Array;
  /** Per plan path: its place among liveIds' files, or -1 - j for setting j (in `kept`). */
  position: Int32Array;
  /** The plan indexes of the settings, in kept order. */
  settings: number[];
  /** The settings as the last full read answered them, and when that was (performance.now()). */
  kept: TokenBatch | null;
  keptAt: number;
}

/** What one sample read, for building each target's stats from it. */
interface SweepAnswers {
  readonly targets: readonly ResolvedContainer[];
  readonly registrations: ReadonlyArray<Registration | SampleError>;
  readonly offsets: readonly number[];
  readonly full: readonly boolean[];
  readonly now: number;
  readonly tokens: TokenBatch;
  readonly timestamp: number;
  readonly host: ContainerStats['host'];
  readonly netAt: Int32Array;
  readonly netAnswers: NetnsAnswers | null;
  readonly hostNetns: number | null;
  readonly owners: ReadonlyMap<number, string>;
}

/** Where, among the ids read of a registration, the clock, the first of the plan's files and the directory's inode are. */
const CLOCK_AT = 0;
const FILES_AT = 1;

/** Where a registration's files are answered when its settings were not read this time. */
function recallOf(registration: Registration): KeptAnswers {
  return { position: registration.position, kept: registration.kept! };
}

/** A copy of some files' answers out of a batch: a small batch of their own, with the same key names. */
function keepAnswers(tokens: TokenBatch, indexes: readonly number[]): TokenBatch {
  const { batch } = tokens;
  const first = new Uint32Array(indexes.length + 1);
  const status = new Int32Array(indexes.length);
  const syscall = new Uint8Array(indexes.length);
  let entries = 0;
  for (const at of indexes) entries += batch.first[at + 1]! - batch.first[at]!;
  const keys = new Uint32Array(entries);
  const values = new Float64Array(entries);
  let next = 0;
  indexes.forEach((at, j) => {
    first[j] = next;
    status[j] = batch.status[at]!;
    syscall[j] = batch.syscall[at]!;
    const start = batch.first[at]!,
      end = batch.first[at + 1]!;
    keys.set(batch.keys.subarray(start, end), next);
    values.set(batch.values.subarray(start, end), next);
    next += end - start;
  });
  first[indexes.length] = next;
  return { batch: { first, status, syscall, keys, values, newKeys: [], texts: null }, keyNames: tokens.keyNames };
}

/** The soft RLIMIT_NOFILE of this process (Node raises it to the hard limit at start), or 1024. */
function openFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'latin1')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s+/)[3]);
    return Number.isSafeInteger(soft) && soft > 0 ? soft : 1024;
  } catch {
    return 1024;
  }
}

/**
 * What readContainerStats and createMonitor read with: sample() reads ResolvedContainers (from
 * resolveContainer), all their cgroup files in one native trip and their network namespaces in another, and
 * gives each target its ContainerStats or the error that stopped it (a container that went away is a
 * ContainerNotFoundError); a failure that is no one target's (reading /proc/stat, say) rejects. It resolves
 * nothing and computes no rates (computeUsage does). After close(), sample() rejects with code ERR_SAMPLER_CLOSED.
 */
export class StatsSampler {
  readonly #procRoot: string;
  readonly #sysRoot: string;
  readonly #network: boolean;
  readonly #keep: boolean;
  readonly #configRefreshMs: number;
  readonly #files: NativeFileSet;
  readonly #keys = new KeyNames();
  readonly #hostIds: Uint32Array;
  readonly #netlinkCache: NativeNetlinkCache | null;
  readonly #deviceNames: DeviceNameResolver;
  readonly #ownership: NamespaceOwnership;
  readonly #hostPaths: string[];
  /** Registrations by container identity (id, cgroup path, version). */
  readonly #registered = new Map<string, Registration>();
  /** The registration each target object was last given. */
  readonly #byTarget = new WeakMap<ResolvedContainer, Registration>();
  #prepared: PreparedControllers | null = null;
  /** Key ids below this were looked at for block devices, whose names are then loaded (by #devicesLoaded). */
  #devicesChecked = 0;
  #devicesLoaded: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: SamplerOptions = {}) {
    const given = optionsObject(options) as SamplerOptions;
    const host = hostOptions(given);
    this.#procRoot = host.procRoot ?? '/proc';
    this.#sysRoot = host.sysRoot ?? '/sys';
    this.#network = booleanOption(given.network, 'network') ?? true;
    this.#keep = booleanOption(given.keepFds, 'keepFds') ?? false;
    this.#configRefreshMs =
      numberOption(given.configRefreshMs, 'configRefreshMs', 0, MAX_CONFIG_REFRESH_MS) ?? DEFAULT_CONFIG_REFRESH_MS;
    const maxFds = integerOption(given.maxFds, 'maxFds', 0, MAX_COUNT);
    const maxSockets = integerOption(given.maxSockets, 'maxSockets', 0, MAX_COUNT) ?? DEFAULT_MAX_SOCKETS;
    this.#files = new native.FileSet(this.#keep ? (maxFds ?? Math.floor(openFileLimit() / 2)) : 0);
    this.#hostPaths = hostFilePaths(this.#procRoot);
    this.#hostIds = this.#files.add(this.#hostPaths, FileMode.Text);
    this.#netlinkCache = this.#keep && this.#network ? new native.NetlinkCache(maxSockets) : null;
    this.#deviceNames = createDeviceNameResolver(this.#sysRoot);
    this.#ownership = new NamespaceOwnership(this.#procRoot);
  }

  /** Descriptors kept open now (files and netlink sockets). */
  get openDescriptors(): number {
    return this.#files.openCount + (this.#netlinkCache?.size ?? 0);
  }

  /** Samples every target; each entry is its stats or the error that stopped it. */
  async sample(
    targets: readonly ResolvedContainer[],
    context: SampleContext = {},
  ): Promise<Array<ContainerStats | SampleError>> {
    if (this.#closed) throw new CtrstatError('ERR_SAMPLER_CLOSED', 'This sampler is closed');
    this.#prepared ??= await prepareControllers(this.#sysRoot);
    const registrations = targets.map((target) => this.#registration(target));
    // Without keepFds nobody releases containers that went away: what this sample does not read goes.
    // (A sampler shared by one-shot reads keeps the most recently read ones, up to a bound.)
    const retain = retained.get(this) ?? 0;
    if (!this.#keep && this.#registered.size > Math.max(retain, registrations.length))
      this.#keepOnly(registrations, retain);
    // Kept descriptors: the settings (limits) are read now and then, and at once for a new container.
    const now = performance.now();
    const full = registrations.map(
      (registration) =>
        !(registration instanceof Error) &&
        (!this.#keep || registration.kept === null || now - registration.keptAt >= this.#configRefreshMs),
    );
    let total = this.#hostIds.length;
    registrations.forEach((registration, i) => {
      if (!(registration instanceof Error)) total += (full[i] ? registration.ids : registration.liveIds).length;
    });
    const ids = new Uint32Array(total);
    ids.set(this.#hostIds, 0);
    // Per target, where its registration's ids start in this read.
    const offsets: number[] = [];
    let offset = this.#hostIds.length;
    registrations.forEach((registration, i) => {
      offsets.push(offset);
      if (registration instanceof Error) return;
      const read = full[i] ? registration.ids : registration.liveIds;
      ids.set(read, offset);
      offset += read.length;
    });
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

    // Many containers: the reads start on a turn of the event loop of their own.
    if (targets.length > BUILD_CHUNK) await yieldToEventLoop();
    if (this.#closed) throw new CtrstatError('ERR_SAMPLER_CLOSED', 'This sampler is closed');
    const knownKeys = this.#keys.known;
    // A few kept descriptors (or one container's files, opened) are read on this thread: cheaper than
    // the hop to the pool and back.
    const inline = ids.length <= (this.#keep ? INLINE_MAX_FILES : INLINE_MAX_OPENS);
    // The namespaces first: their thread then works while the files are read (maybe on this thread).
    const network =
      netPaths.length === 0
        ? null
        : this.#netlinkCache
          ? readThroughCache(this.#netlinkCache, netPaths, inline)
          : native.readNetns(netPaths).then(lazyAnswers);
    const [batch, netAnswers] = await Promise.all([this.#files.read(ids, knownKeys, inline), network]);
    this.#keys.absorb(batch, knownKeys);
    const devicesLoaded = this.#loadDeviceNames();
    const tokens: TokenBatch = { batch, keyNames: this.#keys };
    const timestamp = Date.now();

    const host = buildHostStats(
      this.#procRoot,
      this.#hostPaths.map((path, i) => fileFailure(tokens, i, path) ?? fileText(tokens, i)),
    );

    const hostNetns = netAnswers === null ? null : await this.#ownership.hostInode();
    const owners =
      netAnswers === null
        ? new Map<number, string>()
        : await this.#ownership.owners([
            ...targets.map((container, i) => ({
              container,
              inode: netAt[i]! < 0 ? null : netAnswers.inode(netAt[i]!),
            })),
            ...(context.peers ?? []).map((container) => ({ container, inode: container.netnsInode })),
          ]);

    const sweep: SweepAnswers = {
      targets,
      registrations,
      offsets,
      full,
      now,
      tokens,
      timestamp,
      host,
      netAt,
      netAnswers,
      hostNetns,
      owners,
    };
    // The names of the block devices the answers mention, known after their first sample.
    await devicesLoaded;
    const out: Array<ContainerStats | SampleError> = [];
    for (let i = 0; i < targets.length; i++) {
      // Many containers: let other work on the event loop in between.
      if (i > 0 && i % BUILD_CHUNK === 0) await yieldToEventLoop();
      out.push(this.#build(sweep, i));
    }
    return out;
  }

  /**
   * Loads the names of the block devices that keys new since the last call name (a device any answer mentions is
   * named by its keys: one not seen before comes with a new key); the promise settles when every load so far has.
   * A load that fails is tried again by the next sample.
   */
  #loadDeviceNames(): Promise<void> {
    const from = this.#devicesChecked;
    this.#devicesChecked = this.#keys.known;
    const devices = this.#keys.devicesFrom(from);
    if (devices.length === 0) return this.#devicesLoaded;
    const load = this.#deviceNames.preload(devices).catch((err: unknown) => {
      this.#devicesChecked = Math.min(this.#devicesChecked, from);
      throw err;
    });
    const all = Promise.all([this.#devicesLoaded, load]).then(() => {});
    // A failed load fails this sample only; later ones do not wait for it again.
    this.#devicesLoaded = all.catch(() => {});
    return all;
  }

  /** One target's stats from the answers of a sample, or the error that stopped it. */
  #build(sweep: SweepAnswers, i: number): ContainerStats | SampleError {
    const { targets, registrations, offsets, full, tokens, netAt, netAnswers, hostNetns, owners } = sweep;
    const batch = tokens.batch;
    const target = targets[i]!;
    const registration = registrations[i]!;
    try {
      if (registration instanceof Error) throw registration;
      const at = offsets[i]!;
      const { plan } = registration;
      const monotonicNs = batch.values[batch.first[at + CLOCK_AT]!]!;
      const recall = full[i] ? null : recallOf(registration);
      const inodeIndex = at + FILES_AT + (full[i] ? plan.paths.length : registration.liveIds.length - 2);
      const inodeFailure = fileFailure(tokens, inodeIndex, plan.dir);
      if (inodeFailure !== null) {
        const kind = errnoKind(inodeFailure.errno);
        if (kind === 'denied') throw new PermissionDeniedError(inodeFailure, CGROUP_PRIVILEGE_HINT);
        if (kind === 'missing') throw new CgroupGoneError(plan.dir, inodeFailure.errno);
        throw systemError(inodeFailure);
      }
      const inode = batch.values[batch.first[inodeIndex]!]!;
      const cgroupStats = buildCgroupStats(plan, tokens, at + FILES_AT, this.#deviceNames.lookup, recall);
      if (full[i] && this.#keep && registration.settings.length > 0) {
        registration.kept = keepAnswers(
          tokens,
          registration.settings.map((index) => at + FILES_AT + index),
        );
        registration.keptAt = sweep.now;
      }
      // A runtime's container whose processes have all exited is stopping: its cgroup goes next.
      if (target.runtime !== 'cgroup' && cgroupStats.pids.current === 0)
        throw new ContainerNotFoundError(target.id, 'its processes have exited');
      let network: NetworkStats | null = null;
      if (netAt[i]! >= 0 && netAnswers !== null) {
        const answer = netAnswers.entry(netAt[i]!);
        if (isNativeFailure(answer)) throw this.#networkError(target, answer);
        const netns = answer.batch.inode[answer.index]!;
        // The PID now names a process in another namespace: the container's process was replaced
        // (and the PID perhaps reused); what was found out about it no longer holds.
        if (target.netnsInode !== null && netns !== target.netnsInode) {
          throw new ContainerNotFoundError(target.id, 'its process was replaced while it was read');
        }
        // Its runtime gives it a network namespace of its own, and its process is still in the host's.
        if (target.hostNetwork === false && netns === hostNetns) {
          throw new ContainerNotFoundError(
            target.id,
            'it is starting: its process has not entered its network namespace yet',
          );
        }
        // The runtime's word first (whom it joined); else the container that owns a namespace several use.
        const owner = target.networkOwner ?? owners.get(netns);
        network = buildNetworkStats(answer, {
          hostNetnsInode: hostNetns,
          sharedWith: owner !== undefined && owner !== target.id ? [owner] : [],
        });
      }
      const sample = new ContainerSample(
        target,
        new SampleCgroup(target.version, target.cgroup.path, inode),
        sweep.timestamp,
        monotonicNs,
        cgroupStats,
        network,
        sweep.host,
      );
      // Made into objects when read (nine per container), and so the last property.
      return defineLazy(sample, 'pressure', cgroupStats.pressure ?? NO_PRESSURE);
    } catch (err) {
      if (!(registration instanceof Error) && err instanceof CgroupGoneError) this.release(target);
      return this.#toSampleError(target, err);
    }
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
  #registration(target: ResolvedContainer): Registration | SampleError {
    // A monitor passes the same target objects sweep after sweep: no key to make for them.
    const last = this.#byTarget.get(target);
    if (
      last !== undefined &&
      last.dirs === target.dirs &&
      this.#registered.get(last.key) === last &&
      !retained.has(this)
    )
      return last;
    const key = registrationKey(target);
    const known = this.#registered.get(key);
    if (known !== undefined) {
      if (known.dirs === target.dirs || sameDirs(known.dirs, target.dirs)) {
        if (retained.has(this)) {
          // Most recently used last: #keepOnly lets the least recently used go first.
          this.#registered.delete(key);
          this.#registered.set(key, known);
        }
        this.#byTarget.set(target, known);
        return known;
      }
      this.#files.release(known.ids);
      this.#registered.delete(key);
    }
    let plan: ContainerPlan;
    try {
      plan = cgroupFilePlan(target.dirs, target.version, this.#prepared ?? {});
    } catch (err) {
      return this.#toSampleError(target, err);
    }
    const ids = new Uint32Array(FILES_AT + plan.paths.length + 1);
    ids.set(this.#files.add(plan.dir, FileMode.Clock), CLOCK_AT);
    // Consecutive runs of the same mode go in one call each.
    let run = 0;
    for (let i = 1; i <= plan.paths.length; i++) {
      if (i < plan.paths.length && plan.optional[i] === plan.optional[run]) continue;
      const mode = FileMode.Tokens | (plan.optional[run] ? FileMode.Optional : 0);
      ids.set(this.#files.add(plan.paths.slice(run, i).join('\0'), mode), FILES_AT + run);
      run = i;
    }
    ids.set(this.#files.add(plan.dir, FileMode.Inode), FILES_AT + plan.paths.length);
    const settings: number[] = [];
    const position = new Int32Array(plan.paths.length);
    const live: number[] = [ids[CLOCK_AT]!];
    plan.paths.forEach((_, index) => {
      if (plan.config[index]) {
        position[index] = -1 - settings.length;
        settings.push(index);
      } else {
        position[index] = live.length - FILES_AT;
        live.push(ids[FILES_AT + index]!);
      }
    });
    live.push(ids[FILES_AT + plan.paths.length]!);
    const registration: Registration = {
      key,
      dirs: target.dirs,
      plan,
      ids,
      liveIds: Uint32Array.from(live),
      position,
      settings,
      kept: null,
      keptAt: 0,
    };
    this.#registered.set(key, registration);
    this.#byTarget.set(target, registration);
    return registration;
  }

  /**
   * Releases every registration but these and, of the others, the `retain` - these.size most recently used
   * (the registrations are in the order of their last use).
   */
  #keepOnly(registrations: ReadonlyArray<Registration | SampleError>, retain = 0): void {
    const used = new Set<Registration>();
    for (const registration of registrations) if (!(registration instanceof Error)) used.add(registration);
    let excess = this.#registered.size - Math.max(retain, used.size);
    for (const registration of this.#registered.values()) {
      if (excess <= 0) break;
      if (used.has(registration)) continue;
      this.#files.release(registration.ids);
      this.#registered.delete(registration.key);
      excess--;
    }
  }

  #networkError(target: ResolvedContainer, failure: NativeFailure): SampleError {
    const kind = errnoKind(failure.errno);
    if (kind === 'denied') return new PermissionDeniedError(failure, NETNS_PRIVILEGE_HINT);
    if (kind === 'missing') return new ContainerNotFoundError(target.id, 'its process exited while it was read');
    return systemError(failure);
  }

  /** The error of one target: a vanished cgroup is ContainerNotFoundError; typed and system errors as they are; a bug is thrown. */
  #toSampleError(target: ResolvedContainer, err: unknown): SampleError {
    if (err instanceof CgroupGoneError) {
      return new ContainerNotFoundError(target.id, 'its cgroup was removed while it was read', { cause: err });
    }
    if (err instanceof CtrstatError || isSystemError(err)) return err;
    throw err;
  }
}

/** Samplers without kept descriptors that keep this many registrations between samples (see retainRegistrations). */
const retained = new WeakMap<StatsSampler, number>();

/**
 * Lets a sampler without keepFds keep the files' registrations of up to `count` containers between samples
 * (the most recently read ones), rather than only those of the last sample: for a sampler shared by one-shot
 * reads, which may read containers in turn. No descriptor is kept either way.
 */
export function retainRegistrations(sampler: StatsSampler, count: number): void {
  retained.set(sampler, count);
}

/** A Node-style system error (from fs, net, or systemError()). */
function isSystemError(err: unknown): err is SystemError {
  return (
    err instanceof Error &&
    typeof (err as SystemError).errno === 'number' &&
    typeof (err as SystemError).syscall === 'string' &&
    typeof (err as SystemError).code === 'string'
  );
}

function sameDirs(a: CgroupDirs, b: CgroupDirs): boolean {
  let count = 0;
  for (const hierarchy in a) {
    if (a[hierarchy] !== b[hierarchy]) return false;
    count++;
  }
  for (const _ in b) count--;
  return count === 0;
}

/** What tells two registrations apart: the same id in another cgroup is another container. */
function registrationKey(target: ResolvedContainer): string {
  return `${target.id}\0${target.version}\0${target.cgroup.path}`;
}
