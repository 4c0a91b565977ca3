// What every endpoint answers from: the monitor's latest sweep with the host's figures read at the same
// time, replaced whole when the next sweep arrives. Answers made from one snapshot (the /metrics text,
// the JSON listings) are kept with it, so that any number of clients between two sweeps cost one render.
import type { Monitor, MonitorSample, MonitorSweep } from '../index.js';
import { busyFraction, processStartTime, readHost, type HostReading } from './host.js';

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
    /** Start time (seconds since the epoch) of each container's process, by id. */
    readonly startTimes: ReadonlyMap<string, number | null>,
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
    const named = this.samples.find((sample) => sample.stats.name === ref);
    if (named !== undefined) return named;
    const prefixed = this.samples.filter((sample) => sample.stats.id.startsWith(ref));
    if (prefixed.length > 1) return 'ambiguous';
    return prefixed[0] ?? null;
  }
}

/** Follows a monitor: each sweep becomes the current snapshot once the host's figures are read with it. */
export class SnapshotKeeper {
  readonly #procRoot: string;
  #current: Snapshot | null = null;
  #pending: Promise<void> = Promise.resolve();
  readonly #startTimes = new Map<string, { pid: number | null; start: number | null }>();
  readonly #onSweep: (sweep: MonitorSweep) => void;
  readonly #monitor: Monitor;

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
    const startTimes = host === null ? new Map<string, number | null>() : await this.#startTimesOf(sweep, host.bootTime);
    const hostBusy = host !== null && previous?.host != null ? busyFraction(previous.host, host) : null;
    let runQueue: number | null = host?.load.running ?? null;
    if (host !== null && previous?.host != null && previous.runQueueSmoothed !== null) {
      const weight = 1 - Math.exp(-(host.readAtMs - previous.host.readAtMs) / QUEUE_SMOOTHING_MS);
      runQueue = previous.runQueueSmoothed + weight * (host.load.running - previous.runQueueSmoothed);
    }
    this.#current = new Snapshot(sweep, receivedAtMs, host, hostBusy, runQueue, startTimes, hostError);
  }

  /** Start times of the sweep's containers: read once per container process, kept while it lives. */
  async #startTimesOf(sweep: MonitorSweep, bootTime: number): Promise<Map<string, number | null>> {
    for (const removed of sweep.removed) this.#startTimes.delete(removed.id);
    const reads: Array<Promise<void>> = [];
    for (const { stats } of sweep.samples) {
      const known = this.#startTimes.get(stats.id);
      if (known !== undefined && known.pid === stats.pid) continue;
      const entry = { pid: stats.pid, start: null as number | null };
      this.#startTimes.set(stats.id, entry);
      if (stats.pid !== null) {
        reads.push(processStartTime(this.#procRoot, stats.pid, bootTime).then((start) => { entry.start = start; }));
      }
    }
    await Promise.all(reads);
    const out = new Map<string, number | null>();
    for (const { stats } of sweep.samples) out.set(stats.id, this.#startTimes.get(stats.id)?.start ?? null);
    return out;
  }
}
