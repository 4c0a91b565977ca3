// A periodic monitor of many containers: every interval it discovers the containers, reads them all in
// one batch (kept descriptors between sweeps) and turns each pair of consecutive samples into usage.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { toContainerInfo, type ListOptions } from '../discovery/list.js';
import { ListingCache } from '../discovery/listing-cache.js';
import { resolveEachForStats } from '../discovery/resolve.js';
import type { ResolvedContainer } from '../discovery/types.js';
import { InvalidOptionError, type CtrstatError } from '../errors.js';
import { ownershipKnown, sharedCensus } from '../network/census.js';
import { booleanOption, hostOptions, numberOption, optionsObject } from '../options.js';
import { StatsSampler, yieldToEventLoop, type SampleError } from '../sampler.js';
import type { ContainerInfo, ContainerRef, ContainerStats, HostOptions } from '../types.js';
import { baselineOf, computeUsage, type ContainerUsage, type UsageBaseline } from '../usage.js';
import { SweepIterator } from './sweep-iterator.js';
import type { MonitorEvents, MonitorOptions, MonitorSample, MonitorSweep } from './types.js';

export type { MonitorEvents, MonitorOptions, MonitorSample, MonitorSweep } from './types.js';

const DEFAULT_INTERVAL_MS = 1000;
/** Samples handed out between two turns of the event loop. */
const SAMPLE_CHUNK = 64;
/** Shorter intervals only make sweeps run back to back (a sweep takes tens of microseconds or more). */
const MIN_INTERVAL_MS = 1;
/** setTimeout's largest delay. */
const MAX_INTERVAL_MS = 2 ** 31 - 1;

interface Tracked {
  target: ResolvedContainer;
  info: ContainerInfo;
  /** What the previous sample gives the next usage. */
  last: UsageBaseline | null;
}

function isContainerGone(error: unknown): boolean {
  // By code rather than class: errors may come from another copy of the module (ESM next to CJS).
  return error instanceof Error && (error as CtrstatError).code === 'ERR_CONTAINER_NOT_FOUND';
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * A container's sample and usage, made by a constructor (see cgroup/stats-objects.ts): a listener that keeps a sweep
 * until the next keeps these, and were they literals V8 would soon make them in the old generation, where the dead
 * ones would keep the young samples they point to alive through every young-generation collection.
 */
class SweepSample implements MonitorSample {
  constructor(
    public stats: ContainerStats,
    public usage: ContainerUsage,
  ) {}
}

/**
 * Emits, per sweep: `added` / `removed` for containers that appeared or went away, one `sample` per
 * container read, then one `sweep` with everything. `for await (const sweep of monitor)` yields the
 * same sweeps. Sweeps never overlap: ticks that fall while one is still running are skipped.
 *
 * A container that vanishes (stopped, removed) is `removed`, never an `error`, and its kept descriptors
 * are closed. A container whose cgroup is replaced under the same id (a restart) is `removed` and
 * `added` again, and its next usage has `reset: true` (rates null).
 *
 * Other failures are listed in `sweep.errors` and emitted as `error` only while an `error` listener is
 * attached, so that one unreadable container does not crash a process that did not ask for errors.
 *
 * The monitor keeps the process alive until close().
 */
export class Monitor extends EventEmitter<MonitorEvents> {
  readonly #intervalMs: number;
  readonly #containers: MonitorOptions['containers'];
  readonly #discoveryOptions: ListOptions;
  readonly #hostOptions: HostOptions;
  /** Every container, listed incrementally (when no references were given). */
  readonly #listing: ListingCache;
  /** Given references resolved, by the reference as JSON. */
  readonly #resolvedRefs = new Map<string, ResolvedContainer>();
  readonly #sampler: StatsSampler;
  readonly #network: boolean;
  readonly #tracked = new Map<string, Tracked>();
  readonly #iterators = new Set<SweepIterator>();
  /** Sweeps run at origin + k × interval. */
  readonly #origin = performance.now();
  #slot = 0;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #closing: Promise<void> | null = null;

  constructor(options: MonitorOptions = {}) {
    super();
    const given = optionsObject(options) as MonitorOptions;
    this.#intervalMs =
      numberOption(given.interval, 'interval', MIN_INTERVAL_MS, MAX_INTERVAL_MS) ?? DEFAULT_INTERVAL_MS;
    const containers = given.containers;
    if (containers !== undefined && !Array.isArray(containers) && typeof containers !== 'function') {
      throw new InvalidOptionError('containers', 'expected an array of references or a function that gives one');
    }
    this.#containers = containers;
    // The sampler checks the host, network and descriptor options.
    this.#sampler = new StatsSampler({ ...given, keepFds: booleanOption(given.keepFds, 'keepFds') ?? true });
    this.#hostOptions = hostOptions(given);
    this.#discoveryOptions = {
      ...this.#hostOptions,
      includeSandboxes: booleanOption(given.includeSandboxes, 'includeSandboxes') ?? false,
    };
    this.#listing = new ListingCache(this.#discoveryOptions);
    this.#network = given.network ?? true;
    // The first sweep runs on the next turn of the event loop, after the caller attached its listeners.
    this.#timer = setTimeout(() => this.#run(), 0);
  }

  /** Milliseconds between sweeps. */
  get interval(): number {
    return this.#intervalMs;
  }

  /** The containers being watched now. */
  containers(): ContainerInfo[] {
    return [...this.#tracked.values()].map((entry) => entry.info);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<MonitorSweep> {
    const iterator = new SweepIterator((it) => this.#iterators.delete(it));
    if (this.#closing !== null) iterator.end();
    else this.#iterators.add(iterator);
    return iterator;
  }

  /** Stops sweeping, waits for a running sweep, closes every kept descriptor and socket, ends iterators. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
    this.#sampler.close();
    this.#tracked.clear();
    for (const iterator of this.#iterators) iterator.end();
    this.#iterators.clear();
  }

  #run(): void {
    this.#timer = null;
    this.#running = this.#sweep().finally(() => {
      this.#running = null;
      this.#schedule();
    });
  }

  /** The next free slot on the schedule, skipping those a long sweep overran. */
  #schedule(): void {
    if (this.#closing !== null) return;
    const elapsed = performance.now() - this.#origin;
    this.#slot = Math.max(this.#slot + 1, Math.floor(elapsed / this.#intervalMs) + 1);
    this.#timer = setTimeout(() => this.#run(), this.#slot * this.#intervalMs - elapsed);
  }

  async #sweep(): Promise<void> {
    const timestamp = Date.now();
    const started = performance.now();
    const errors: Error[] = [];
    const added: ContainerInfo[] = [];
    const removed: ContainerInfo[] = [];

    const discovered = await this.#discover(errors);
    if (this.#closing !== null) return;
    if (discovered !== null) this.#reconcile(discovered, added, removed);

    const entries = [...this.#tracked.values()];
    // Many containers: what was found out and what is read next do not run in one stretch of the event loop.
    if (entries.length > SAMPLE_CHUNK) {
      await yieldToEventLoop();
      if (this.#closing !== null) return;
    }
    const results = await this.#read(entries, errors);
    if (this.#closing !== null) return;

    const samples: MonitorSample[] = [];
    for (let i = 0; i < results.length; i++) {
      if (i > 0 && i % SAMPLE_CHUNK === 0) {
        await yieldToEventLoop();
        if (this.#closing !== null) return;
      }
      const result = results[i]!;
      const entry = entries[i]!;
      if (result instanceof Error) {
        if (isContainerGone(result)) this.#forget(entry, removed);
        else errors.push(result);
        continue;
      }
      if (entry.last !== null && entry.last.cgroup.inode !== result.cgroup.inode) {
        // Same id, new cgroup: the container was recreated between two sweeps, with another process.
        // What was found out about it (its PID, its namespace) is dropped; the next sweep finds it
        // afresh and announces it again.
        this.#forget(entry, removed);
        continue;
      }
      const usage = computeUsage(entry.last, result);
      // Only what the next rates need is kept (in the same object each sweep): the sample itself is the
      // listeners' to keep or drop.
      entry.last = baselineOf(result, entry.last);
      const sample = new SweepSample(result, usage);
      samples.push(sample);
      this.emit('sample', sample);
    }

    for (const error of errors) if (this.listenerCount('error') > 0) this.emit('error', error);
    const sweep: MonitorSweep = { timestamp, durationMs: performance.now() - started, samples, added, removed, errors };
    this.emit('sweep', sweep);
    for (const iterator of this.#iterators) iterator.push(sweep);
  }

  /** One batch read of every tracked container; a failure of the whole batch (such as /proc/stat) goes to errors. */
  async #read(entries: Tracked[], errors: Error[]): Promise<Array<ContainerStats | SampleError>> {
    if (entries.length === 0) return [];
    try {
      const targets = entries.map((entry) => entry.target);
      // Whether a namespace is shared is told among every container on the machine, pod sandboxes
      // included: the listing, when watching them all; else, where the runtimes' state does not say, the
      // census kept for the host (refreshed in the background).
      let peers: readonly ResolvedContainer[] | undefined;
      if (this.#network) {
        try {
          if (this.#containers === undefined) peers = this.#listing.known();
          else if (targets.some((target) => !ownershipKnown(target)))
            peers = await sharedCensus(this.#hostOptions).peers();
        } catch (err) {
          errors.push(asError(err));
        }
      }
      return await this.#sampler.sample(targets, { peers });
    } catch (err) {
      errors.push(asError(err));
      return [];
    }
  }

  /** The containers to watch now, or null when discovery failed (the failure goes to errors). */
  async #discover(errors: Error[]): Promise<readonly ResolvedContainer[] | null> {
    try {
      const spec = this.#containers;
      if (spec === undefined) return await this.#listing.list();
      const refs = typeof spec === 'function' ? await spec() : spec;
      return await this.#resolveRefs(refs, errors);
    } catch (err) {
      errors.push(asError(err));
      return null;
    }
  }

  /**
   * The containers the references name. A reference is resolved once and kept while its container
   * lives; one whose container went away (or that matched nothing) is resolved again every sweep.
   */
  async #resolveRefs(refs: readonly ContainerRef[], errors: Error[]): Promise<ResolvedContainer[]> {
    const keyed = refs.map((ref) => ({ ref, key: JSON.stringify(ref) }));
    const current = new Set(keyed.map(({ key }) => key));
    for (const key of this.#resolvedRefs.keys()) if (!current.has(key)) this.#resolvedRefs.delete(key);
    const pending = keyed.filter(({ key }) => !this.#resolvedRefs.has(key));
    if (pending.length > 0) {
      // One walk for all of them; one that matches nothing now (a stopped container) is simply not
      // watched this sweep, one that is wrong (an invalid reference) is an error of the sweep.
      const results = await resolveEachForStats(
        pending.map(({ ref }) => ref),
        this.#discoveryOptions,
      );
      results.forEach((result, i) => {
        if (!(result instanceof Error)) this.#resolvedRefs.set(pending[i]!.key, result);
        else if (!isContainerGone(result)) errors.push(result);
      });
    }
    const found: ResolvedContainer[] = [];
    for (const { key } of keyed) {
      const container = this.#resolvedRefs.get(key);
      if (container !== undefined) found.push(container);
    }
    return found;
  }

  #reconcile(targets: readonly ResolvedContainer[], added: ContainerInfo[], removed: ContainerInfo[]): void {
    const seen = new Set<string>();
    for (const target of targets) {
      if (seen.has(target.id)) continue;
      seen.add(target.id);
      const entry = this.#tracked.get(target.id);
      if (entry !== undefined && entry.target.cgroup.path !== target.cgroup.path) this.#forget(entry, removed);
      else if (entry !== undefined) {
        if (entry.target.pid !== target.pid || entry.target.netnsInode !== target.netnsInode) {
          // Another process or namespace to read through: drop what was kept for the old one.
          this.#sampler.release(entry.target);
          entry.target = target;
          entry.info = toContainerInfo(target);
        }
        continue;
      }
      const fresh: Tracked = { target, info: toContainerInfo(target), last: null };
      this.#tracked.set(target.id, fresh);
      this.#announce('added', fresh.info, added);
    }
    for (const entry of [...this.#tracked.values()]) {
      if (!seen.has(entry.target.id)) this.#forget(entry, removed);
    }
  }

  #forget(entry: Tracked, removed: ContainerInfo[]): void {
    this.#tracked.delete(entry.target.id);
    this.#sampler.release(entry.target);
    // If the cgroup is still there it is another container now (a restart): describe it anew.
    this.#listing.forget(entry.target.cgroup.path);
    for (const [key, container] of this.#resolvedRefs)
      if (container.id === entry.target.id) this.#resolvedRefs.delete(key);
    this.#announce('removed', entry.info, removed);
  }

  #announce(event: 'added' | 'removed', info: ContainerInfo, list: ContainerInfo[]): void {
    list.push(info);
    this.emit(event, info);
  }
}

/** Starts a monitor; its first sweep runs on the next turn of the event loop. */
export function createMonitor(options: MonitorOptions = {}): Monitor {
  return new Monitor(options);
}
