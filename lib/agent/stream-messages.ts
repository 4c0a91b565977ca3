// What the live stream carries (Server-Sent Events and WebSocket alike): a `hello` on connecting, then per
// sweep the `added` and `removed` events and one `sweep` message with a row per container. A row is what
// the dashboard's table and charts need: identity, limits, the usage rates and pressure. Rendered once per
// sweep and filter, whatever the number of subscribers.
import type { ContainerInfo, MonitorSample } from '../index.js';
import type { Snapshot } from './snapshot.js';
import { STREAM_PROTOCOL, type StreamRow, type StreamSweep } from './stream-protocol.js';

export { STREAM_PROTOCOL, type StreamRow, type StreamSweep };

export interface RemovedContainer {
  id: string;
  name: string | null;
}

function kubernetesOf(info: Pick<ContainerInfo, 'kubernetes'>): StreamRow['kubernetes'] {
  const k8s = info.kubernetes;
  return k8s === null ? null : { namespace: k8s.namespace, pod: k8s.pod, container: k8s.container };
}

export function rowOf({ stats, usage }: MonitorSample): StreamRow {
  const pressure = stats.pressure;
  return {
    id: stats.id,
    name: stats.name,
    runtime: stats.runtime,
    image: stats.image,
    kubernetes: kubernetesOf(stats),
    pid: stats.pid,
    startedAt: stats.startedAt,
    cpu: {
      percent: usage.cpu.percent,
      percentOfLimit: usage.cpu.percentOfLimit,
      limitCores: usage.cpu.capacityCores,
    },
    memory: { usage: usage.memory.usage, limit: stats.memory.limit, percent: usage.memory.percent },
    network:
      usage.network === null
        ? null
        : { rxBytesPerSec: usage.network.rxBytesPerSec, txBytesPerSec: usage.network.txBytesPerSec },
    blkio: { readBytesPerSec: usage.blkio.readBytesPerSec, writeBytesPerSec: usage.blkio.writeBytesPerSec },
    pids: { current: usage.pids.current, limit: usage.pids.limit },
    pressure:
      pressure === null
        ? null
        : {
            cpu: pressure.cpu?.some.avg10 ?? null,
            memory: pressure.memory?.some.avg10 ?? null,
            io: pressure.io?.some.avg10 ?? null,
          },
  };
}

/** Every container's row of a snapshot, made once for the stream's filters and the kept history. */
export function rowsOf(snapshot: Snapshot): StreamRow[] {
  return snapshot.memo('stream-rows', () => snapshot.samples.map(rowOf));
}

/** The identity part of an `added` event. */
function addedOf(info: ContainerInfo) {
  return { id: info.id, name: info.name, runtime: info.runtime, image: info.image, kubernetes: kubernetesOf(info) };
}

/** Which containers a subscriber asked for: references as the API takes them (id, prefix, name, ns/pod/ctr). */
export class StreamFilter {
  /** The same filter whatever the order or repetition of its references. */
  readonly key: string;

  constructor(readonly refs: readonly string[]) {
    this.key = [...new Set(refs)].sort().join('\n');
  }

  /** Ids in this snapshot that a reference names (an ambiguous prefix names none). */
  idsIn(snapshot: Snapshot): Set<string> {
    return snapshot.memo(`stream-filter:${this.key}`, () => {
      const ids = new Set<string>();
      for (const ref of this.refs) {
        const found = snapshot.find(ref);
        if (found !== null && found !== 'ambiguous') ids.add(found.stats.id);
      }
      return ids;
    });
  }

  /** Whether a removed container was named by a reference (it is no longer in any snapshot). */
  namesRemoved(info: RemovedContainer): boolean {
    return this.refs.some(
      (ref) => ref === info.id || ref === info.name || (/^[0-9a-f]{1,64}$/.test(ref) && info.id.startsWith(ref)),
    );
  }
}

export interface SweepFrames {
  /** `added` and `removed` events of this sweep, each [event, JSON text]. */
  events: Array<[string, string]>;
  /** The `sweep` message without its `skipped` figure, which differs by subscriber: `{...,"skipped":` */
  sweepHead: string;
}

/** The frames of one snapshot for one filter (null: everything), rendered once and shared. */
export function framesOf(snapshot: Snapshot, filter: StreamFilter | null): SweepFrames {
  return snapshot.memo(`stream-frames:${filter?.key ?? '*'}`, () => {
    const ids = filter === null ? null : filter.idsIn(snapshot);
    const wanted = (id: string) => ids === null || ids.has(id);
    const events: Array<[string, string]> = [];
    for (const info of snapshot.sweep.added) {
      if (wanted(info.id)) events.push(['added', JSON.stringify({ type: 'added', container: addedOf(info) })]);
    }
    for (const info of snapshot.sweep.removed) {
      const removed = { id: info.id, name: info.name };
      if (filter === null || filter.namesRemoved(removed))
        events.push(['removed', JSON.stringify({ type: 'removed', container: removed })]);
    }
    const all = rowsOf(snapshot);
    const rows = ids === null ? all : all.filter((row) => ids.has(row.id));
    const host = snapshot.host;
    const head: Omit<StreamSweep, 'skipped'> = {
      type: 'sweep',
      timestamp: snapshot.sweep.timestamp,
      durationMs: snapshot.sweep.durationMs,
      host: host === null ? null : { cpus: host.cpus, memoryTotal: host.memory.total },
      containers: rows,
    };
    const text = JSON.stringify(head);
    return { events, sweepHead: `${text.slice(0, -1)},"skipped":` };
  });
}

/** The `sweep` message for a subscriber that missed `skipped` sweeps before it. */
export function sweepMessage(frames: SweepFrames, skipped: number): string {
  return `${frames.sweepHead}${skipped}}`;
}

export function helloMessage(intervalMs: number, filter: StreamFilter | null): string {
  return JSON.stringify({ type: 'hello', protocol: STREAM_PROTOCOL, intervalMs, containers: filter?.refs ?? null });
}
