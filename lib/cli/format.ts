// Pure text formatting for the ctrstat command: units the way `docker stats` prints them, sorting, and
// the table itself. No I/O here.
import type { ContainerStats } from '../types.js';
import type { ContainerUsage } from '../usage.js';

export interface StatsRow {
  stats: ContainerStats;
  usage: ContainerUsage;
}

export const SORT_KEYS = ['cpu', 'mem', 'net', 'io', 'pids', 'name'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** Like Go's %.<digits>g for values below 10^digits: significant digits, trailing zeros dropped. */
function significant(value: number, digits: number): string {
  return String(Number(value.toPrecision(digits)));
}

/**
 * Docker's human sizes: "decimal" (I/O; kB, MB, 3 significant digits, as units.HumanSizeWithPrecision)
 * or "binary" (memory; KiB, MiB, 4 significant digits, as units.BytesSize).
 */
export function formatBytes(bytes: number, units: 'decimal' | 'binary' = 'decimal'): string {
  const base = units === 'decimal' ? 1000 : 1024;
  const names = units === 'decimal' ? DECIMAL_UNITS : BINARY_UNITS;
  const digits = units === 'decimal' ? 3 : 4;
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= base && unit < names.length - 1) {
    value /= base;
    unit++;
  }
  // Rounding can carry into the next unit (999.9 kB → 1000 kB): show 1 MB instead.
  if (Number(value.toPrecision(digits)) >= base && unit < names.length - 1) {
    value /= base;
    unit++;
  }
  return `${bytes < 0 ? '-' : ''}${significant(value, digits)}${names[unit]}`;
}

export const MISSING = '--';

export function formatPercent(percent: number | null): string {
  return percent === null ? MISSING : `${percent.toFixed(2)}%`;
}

function formatRate(bytesPerSec: number | null): string {
  return bytesPerSec === null ? MISSING : `${formatBytes(bytesPerSec)}/s`;
}

const FULL_ID = /^[0-9a-f]{64}$/;

/** Runtime ids are cut to 12 characters as Docker does; a plain cgroup's id (its path) is kept whole. */
export function shortId(id: string): string {
  return FULL_ID.test(id) ? id.slice(0, 12) : id;
}

export const TABLE_HEADER = [
  'CONTAINER ID',
  'NAME',
  'CPU %',
  'MEM USAGE / LIMIT',
  'MEM %',
  'NET I/O',
  'BLOCK I/O',
  'PIDS',
];

function networkCell({ stats, usage }: StatsRow): string {
  const net = stats.network;
  if (net === null) return MISSING;
  if (net.mode === 'host' || net.rxBytes === null || net.txBytes === null) return net.mode;
  const totals = `${formatBytes(net.rxBytes)} / ${formatBytes(net.txBytes)}`;
  const rates = usage.network;
  return `${totals} (${formatRate(rates?.rxBytesPerSec ?? null)} / ${formatRate(rates?.txBytesPerSec ?? null)})`;
}

/** The cells of one table row, in TABLE_HEADER order. */
export function rowCells(row: StatsRow): string[] {
  const { stats, usage } = row;
  return [
    shortId(stats.id),
    stats.name ?? MISSING,
    formatPercent(usage.cpu.percent),
    `${formatBytes(usage.memory.usage, 'binary')} / ${formatBytes(usage.memory.limit, 'binary')}`,
    formatPercent(usage.memory.percent),
    networkCell(row),
    `${formatBytes(stats.blkio.readBytes)} / ${formatBytes(stats.blkio.writeBytes)}`,
    String(stats.pids.current),
  ];
}

function displayName(row: StatsRow): string {
  return row.stats.name ?? row.stats.id;
}

function sum(a: number | null | undefined, b: number | null | undefined): number | null {
  return a == null || b == null ? null : a + b;
}

/** The figure each sort key orders by, largest first; null sorts last. */
function sortValue(row: StatsRow, key: Exclude<SortKey, 'name'>): number | null {
  switch (key) {
    case 'cpu':
      return row.usage.cpu.percent;
    case 'mem':
      return row.usage.memory.usage;
    case 'net':
      return sum(row.usage.network?.rxBytesPerSec, row.usage.network?.txBytesPerSec);
    case 'io':
      return sum(row.usage.blkio.readBytesPerSec, row.usage.blkio.writeBytesPerSec);
    case 'pids':
      return row.stats.pids.current;
  }
}

/** A new array: by name ascending, or by the key's figure descending (ties and missing figures by name). */
export function sortRows(rows: readonly StatsRow[], key: SortKey): StatsRow[] {
  const byName = (a: StatsRow, b: StatsRow) =>
    displayName(a).localeCompare(displayName(b)) || a.stats.id.localeCompare(b.stats.id);
  if (key === 'name') return [...rows].sort(byName);
  return [...rows].sort((a, b) => {
    const va = sortValue(a, key),
      vb = sortValue(b, key);
    if (va !== vb) {
      if (va === null) return 1;
      if (vb === null) return -1;
      return vb - va;
    }
    return byName(a, b);
  });
}

export interface TableOptions {
  sort: SortKey;
  /** Cut every line to this many characters (a terminal's width), so lines never wrap. */
  maxWidth?: number;
}

const COLUMN_GAP = '   ';

/** Lays out cells in left-aligned columns, three spaces apart, as `docker stats` does. */
export function alignColumns(lines: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const cells of lines)
    cells.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  return lines.map((cells) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join(COLUMN_GAP),
  );
}

/** The table's lines: header then one row per container, sorted. */
export function formatTable(rows: readonly StatsRow[], options: TableOptions): string[] {
  const lines = alignColumns([TABLE_HEADER, ...sortRows(rows, options.sort).map(rowCells)]);
  const { maxWidth } = options;
  return maxWidth === undefined ? lines : lines.map((line) => line.slice(0, maxWidth));
}
