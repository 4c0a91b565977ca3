// What a monitor takes and gives.
import type { SamplerOptions } from '../sampler.js';
import type { ContainerInfo, ContainerRef, ContainerStats } from '../types.js';
import type { ContainerUsage } from '../usage.js';

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

export interface MonitorSample {
  stats: ContainerStats;
  usage: ContainerUsage;
}

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

export interface MonitorEvents {
  sample: [sample: MonitorSample];
  sweep: [sweep: MonitorSweep];
  added: [container: ContainerInfo];
  removed: [container: ContainerInfo];
  error: [error: Error];
}
