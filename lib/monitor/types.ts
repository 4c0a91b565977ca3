// What a monitor takes and gives.
import type { SamplerOptions } from '../sampler.js';
import type { ContainerInfo, ContainerRef, ContainerStats } from '../types.js';
import type { ContainerUsage } from '../usage.js';

/**
 * Options of createMonitor: a StatsSampler's, except that `keepFds` defaults to true (descriptors and netlink
 * sockets are kept between sweeps), plus how often to sweep and what to watch. A bad option throws an
 * InvalidOptionError naming it.
 */
export interface MonitorOptions extends SamplerOptions {
  /** Milliseconds between sweeps. Default 1000. */
  interval?: number;
  /**
   * What to watch. Default: every container on the machine, rediscovered on every sweep. A list of
   * references is resolved on every sweep too (a container that stops is removed, one that comes back
   * is added again); a function is called on every sweep for the current list.
   */
  containers?: ContainerRef[] | (() => ContainerRef[] | Promise<ContainerRef[]>);
  /** Include Kubernetes pod sandbox (pause) containers when watching every container. Default false. */
  includeSandboxes?: boolean;
}

/**
 * One container read in a sweep: its stats, and its usage against its sample of the previous sweep (rates
 * null on its first sweep). Emitted as `sample` and listed in the sweep's `samples`.
 */
export interface MonitorSample {
  stats: ContainerStats;
  usage: ContainerUsage;
}

/**
 * What one sweep found: emitted as `sweep` after the sweep's other events, and yielded by
 * `for await (const sweep of monitor)`.
 */
export interface MonitorSweep {
  /** Wall clock at the start of the sweep, ms since the epoch. */
  timestamp: number;
  /** How long discovery and reading took. */
  durationMs: number;
  /** One per container read in this sweep. */
  samples: MonitorSample[];
  /** Containers that appeared and went away in this sweep (also emitted as `added` and `removed`). */
  added: ContainerInfo[];
  removed: ContainerInfo[];
  /** Failures other than a container going away: discovery failures and per-container read failures. */
  errors: Error[];
}

/**
 * A Monitor's events and their listeners' arguments. `sweep` comes last in each sweep; `error` is emitted only
 * while an `error` listener is attached (the sweep's `errors` lists the failures either way).
 */
export interface MonitorEvents {
  sample: [sample: MonitorSample];
  sweep: [sweep: MonitorSweep];
  added: [container: ContainerInfo];
  removed: [container: ContainerInfo];
  error: [error: Error];
}
