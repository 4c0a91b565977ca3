// Each container's usage over the last sweeps, for GET /api/v1/containers/:ref/history: the dashboard's
// charts open with the last minutes instead of empty. The same numbers as the stream's rows (rowsOf,
// historyValues), kept as one Float64Array a sweep (the ids shared with the sweep before while the same
// containers are read), bounded in sweeps and in bytes for all containers together.
import { rowsOf } from './stream-messages.js';
import { HISTORY_SERIES, historyValues, type HistoryAnswer, type HistorySeriesName } from './stream-protocol.js';
import type { Snapshot } from './snapshot.js';
import type { MonitorSample } from '../index.js';

const WIDTH = HISTORY_SERIES.length;
/** What a sweep's id list and index cost, counted per container (an over-estimate; shared ids once). */
const BYTES_PER_ID = 64;

interface SweepIds {
  list: string[];
  names: Array<string | null>;
  index: Map<string, number>;
}

interface KeptSweep {
  t: number;
  ids: SweepIds;
  values: Float64Array;
  /** Its values, and its ids where it is the oldest sweep that holds them (they go with the last one). */
  bytes: number;
  idsBytes: number;
}

function idsOf(samples: readonly MonitorSample[]): SweepIds {
  const list = samples.map((sample) => sample.stats.id);
  return { list, names: samples.map((sample) => sample.stats.name), index: new Map(list.map((id, i) => [id, i])) };
}

function sameIds(ids: SweepIds, samples: readonly MonitorSample[]): boolean {
  return (
    ids.list.length === samples.length &&
    samples.every((sample, i) => sample.stats.id === ids.list[i] && sample.stats.name === ids.names[i])
  );
}

export class UsageHistory {
  readonly #sweeps: KeptSweep[] = [];
  #bytes = 0;

  constructor(
    readonly points: number,
    readonly maxBytes: number,
  ) {}

  /** Sweeps kept now, and the bytes they are counted for. */
  get size(): { sweeps: number; bytes: number } {
    return { sweeps: this.#sweeps.length, bytes: this.#bytes };
  }

  add(snapshot: Snapshot): void {
    if (this.points === 0) return;
    const samples = snapshot.samples;
    const previous = this.#sweeps.at(-1)?.ids;
    const ids = previous !== undefined && sameIds(previous, samples) ? previous : idsOf(samples);
    const values = new Float64Array(samples.length * WIDTH);
    rowsOf(snapshot).forEach((stream, i) => {
      const row = historyValues(stream);
      HISTORY_SERIES.forEach((name, j) => {
        values[i * WIDTH + j] = row[name] ?? Number.NaN;
      });
    });
    const idsBytes = ids === previous ? 0 : ids.list.length * BYTES_PER_ID;
    const bytes = values.byteLength + idsBytes;
    this.#sweeps.push({ t: snapshot.sweep.timestamp, ids, values, bytes, idsBytes });
    this.#bytes += bytes;
    while (this.#sweeps.length > 0 && (this.#sweeps.length > this.points || this.#bytes > this.maxBytes)) {
      const oldest = this.#sweeps.shift()!;
      this.#bytes -= oldest.bytes;
      const next = this.#sweeps[0];
      if (next !== undefined && next.ids === oldest.ids && oldest.idsBytes > 0) {
        // The ids stay with the sweeps that share them.
        next.idsBytes = oldest.idsBytes;
        next.bytes += oldest.idsBytes;
        this.#bytes += oldest.idsBytes;
      }
    }
  }

  /** The kept sweeps of one container by its id, oldest first; null when none holds it. */
  of(id: string): Omit<HistoryAnswer, 'intervalMs'> | null {
    const t: number[] = [];
    const series = Object.fromEntries(HISTORY_SERIES.map((name) => [name, []])) as unknown as Record<
      HistorySeriesName,
      Array<number | null>
    >;
    let name: string | null = null;
    for (const sweep of this.#sweeps) {
      const at = sweep.ids.index.get(id);
      if (at === undefined) continue;
      t.push(sweep.t);
      name = sweep.ids.names[at]!;
      HISTORY_SERIES.forEach((series_, j) => {
        const value = sweep.values[at * WIDTH + j]!;
        series[series_].push(Number.isNaN(value) ? null : value);
      });
    }
    return t.length === 0 ? null : { container: { id, name }, t, series };
  }
}
