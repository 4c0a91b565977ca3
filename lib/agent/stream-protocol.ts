// The live stream's messages as a client reads them: the agent writes them (stream-messages.ts) and the
// dashboard (lib/dashboard/) reads them. No import, so that the browser's build and its
// type check take this file alone.

/** Bumped when a message changes incompatibly. */
export const STREAM_PROTOCOL = 1;

/**
 * One container's row in a `sweep` message of the live stream: identity, limits, rates and pressure (bytes,
 * bytes per second, %; null for unlimited or not known).
 */
export interface StreamRow {
  id: string;
  name: string | null;
  runtime: string;
  image: string | null;
  /** Pod namespace, pod and container name of a Kubernetes container; null elsewhere. */
  kubernetes: { namespace: string; pod: string; container: string | null } | null;
  pid: number | null;
  startedAt: number | null;
  cpu: {
    /** Docker's CPU % (one busy core is 100); null on a container's first sweep. */
    percent: number | null;
    /** Share of the CPU limit (quota or cpuset), 0..100; null without a limit. */
    percentOfLimit: number | null;
    /** Cores the limit allows; null without a limit. */
    limitCores: number | null;
  };
  memory: {
    /** Working set in bytes. */
    usage: number;
    /** The cgroup's limit in bytes; null when unlimited. */
    limit: number | null;
    /** usage as % of the limit (of the host's memory when unlimited). */
    percent: number | null;
  };
  /** Bytes per second; null when not read (host network, no PID) or on a first sweep. */
  network: { rxBytesPerSec: number | null; txBytesPerSec: number | null } | null;
  blkio: { readBytesPerSec: number | null; writeBytesPerSec: number | null };
  pids: { current: number; limit: number | null };
  /** "some" avg10 of each pressure file, %; null where the kernel has none (cgroup v1). */
  pressure: { cpu: number | null; memory: number | null; io: number | null } | null;
}

/** The `sweep` message (its `skipped` figure differs by subscriber). */
export interface StreamSweep {
  type: 'sweep';
  /** Wall clock at the start of the sweep, ms since the epoch. */
  timestamp: number;
  durationMs: number;
  /** Sweeps this subscriber missed just before this one (it read too slowly). */
  skipped: number;
  host: { cpus: number; memoryTotal: number } | null;
  containers: StreamRow[];
}

/** The series of a container's history, as GET /api/v1/containers/:ref/history gives them. */
export const HISTORY_SERIES = [
  'cpu',
  'memory',
  'memoryLimit',
  'rx',
  'tx',
  'read',
  'write',
  'psiCpu',
  'psiMemory',
  'psiIo',
] as const;
export type HistorySeriesName = (typeof HISTORY_SERIES)[number];

/** A row's value of each history series: what the dashboard charts. */
export function historyValues(row: StreamRow): Record<HistorySeriesName, number | null> {
  return {
    cpu: row.cpu.percent,
    memory: row.memory.usage,
    memoryLimit: row.memory.limit,
    rx: row.network?.rxBytesPerSec ?? null,
    tx: row.network?.txBytesPerSec ?? null,
    read: row.blkio.readBytesPerSec,
    write: row.blkio.writeBytesPerSec,
    psiCpu: row.pressure?.cpu ?? null,
    psiMemory: row.pressure?.memory ?? null,
    psiIo: row.pressure?.io ?? null,
  };
}

/** GET /api/v1/containers/:ref/history: the sweeps the agent kept of one container, oldest first. */
export interface HistoryAnswer {
  container: { id: string; name: string | null };
  intervalMs: number;
  /** Each sweep's wall clock, ms since the epoch. */
  t: number[];
  /** One value per sweep of `t`; null where the stream's row has none (a first sweep's rates, v1 pressure). */
  series: Record<HistorySeriesName, Array<number | null>>;
}
