// What every endpoint answers from: the monitor's latest sweep with the host's figures read at the same
// time, replaced whole when the next sweep arrives. Answers made from one snapshot (the /metrics text,
// the JSON listings) are kept with it, so that any number of clients between two sweeps cost one render.
import {
  AmbiguousReferenceError,
  type ContainerStats,
  type Monitor,
  type MonitorSample,
  type MonitorSweep,
} from '../index.js';
import { findListed, parseContainerRef } from '../discovery/resolve.js';
import { busyFraction, readHost, type HostReading } from './host.js';

/** Time constant of acadock's smoothed run-queue length (it smooths 6 points of 5 s). */
const QUEUE_SMOOTHING_MS = 30_000;

export class Snapshot {
  readonly #memo = new Map<string, unknown>();
  readonly byId: ReadonlyMap<string, MonitorSample>;

  constructor(
    readonly sweep: MonitorSweep,
    /** performance.now() when the sweep arrived. */
    readonly receivedAtMs: number,
    readonly host: HostReading | null,
    /** Share of the machine's CPU time not idle since the previous sweep (0..1). */
    readonly hostBusy: number | null,
    /** procs_running smoothed exponentially over about 30 s. */
    readonly runQueueSmoothed: number | null,
    /** Why the host's figures are missing, if they are. */
    readonly hostError: Error | null,
  ) {
    this.byId = new Map(sweep.samples.map((sample) => [sample.stats.id, sample]));
  }

  get samples(): readonly MonitorSample[] {
    return this.sweep.samples;
  }

  /** A value made once per snapshot (a rendered answer); concurrent askers share the same promise. */
  memo<T>(key: string, make: () => T): T {
    if (!this.#memo.has(key)) this.#memo.set(key, make());
    return this.#memo.get(key) as T;
  }

  /**
   * The sample a reference names, matched as Docker does: an exact id, an exact name, then a unique id
   * prefix. 'ambiguous' when a prefix matches several; null when nothing in this sweep matches.
   */
  find(ref: string): MonitorSample | 'ambiguous' | null {
    const exact = this.byId.get(ref);
    if (exact !== undefined) return exact;
    let reference: ReturnType<typeof parseContainerRef>;
    try {
      reference = parseContainerRef(ref);
    } catch {
      return null;
    }
    if (reference.kind !== 'text' && reference.kind !== 'kubernetes') return null;
    const stats = (this.#stats ??= this.samples.map((sample) => sample.stats));
    try {
      const found = findListed(reference, stats);
      return found === null ? null : (this.byId.get(found.id) ?? null);
    } catch (err) {
      if (err instanceof AmbiguousReferenceError) return 'ambiguous';
      throw err;
    }
  }

  #stats: ContainerStats[] | null = null;
}

/** Follows a monitor: each sweep becomes the current snapshot once the host's figures are read with it. */
export class SnapshotKeeper {
  readonly #procRoot: string;
  #current: Snapshot | null = null;
  #pending: Promise<void> = Promise.resolve();
  readonly #onSweep: (sweep: MonitorSweep) => void;
  readonly #monitor: Monitor;
  readonly #subscribers = new Set<(snapshot: Snapshot) => void>();

  constructor(monitor: Monitor, procRoot: string) {
    this.#monitor = monitor;
    this.#procRoot = procRoot;
    this.#onSweep = (sweep) => {
      const receivedAtMs = performance.now();
      this.#pending = this.#pending.then(() => this.#apply(sweep, receivedAtMs));
    };
    monitor.on('sweep', this.#onSweep);
  }

  /** The latest snapshot; null before the first sweep. */
  get current(): Snapshot | null {
    return this.#current;
  }

  /** Calls fn with every new snapshot (after it becomes current); returns the unsubscribe function. */
  subscribe(fn: (snapshot: Snapshot) => void): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }

  /** How many subscribers are attached (for leak checks). */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Stops following the monitor; resolves once a snapshot being made is done. */
  async close(): Promise<void> {
    this.#monitor.off('sweep', this.#onSweep);
    await this.#pending;
  }

  async #apply(sweep: MonitorSweep, receivedAtMs: number): Promise<void> {
    const previous = this.#current;
    let host: HostReading | null = null;
    let hostError: Error | null = null;
    try {
      host = await readHost(this.#procRoot);
    } catch (err) {
      hostError = err instanceof Error ? err : new Error(String(err));
    }
    const hostBusy = host !== null && previous?.host != null ? busyFraction(previous.host, host) : null;
    let runQueue: number | null = host?.load.running ?? null;
    if (host !== null && previous?.host != null && previous.runQueueSmoothed !== null) {
      const weight = 1 - Math.exp(-(host.readAtMs - previous.host.readAtMs) / QUEUE_SMOOTHING_MS);
      runQueue = previous.runQueueSmoothed + weight * (host.load.running - previous.runQueueSmoothed);
    }
    const snapshot = new Snapshot(sweep, receivedAtMs, host, hostBusy, runQueue, hostError);
    this.#current = snapshot;
    for (const fn of this.#subscribers) fn(snapshot);
  }
}
