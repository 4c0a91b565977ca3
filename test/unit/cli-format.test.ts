import { describe, expect, it } from 'vitest';
import {
  alignColumns,
  formatBytes,
  formatPercent,
  formatTable,
  rowCells,
  shortId,
  sortRows,
  TABLE_HEADER,
  type StatsRow,
} from '../../lib/cli/format.js';
import { computeUsage } from '../../lib/usage.js';
import { advance, GiB, makeStats, MiB, privateNetwork } from '../helpers/sample-factory.js';

describe('formatBytes', () => {
  it.each([
    [0, '0B'],
    [999, '999B'],
    [1000, '1kB'],
    [1234, '1.23kB'],
    [12_345_678, '12.3MB'],
    [999_499, '999kB'],
    [999_950, '1MB'], // rounding carries into the next unit
    [2.5e9, '2.5GB'],
    [1.5e12, '1.5TB'],
  ])('decimal %d → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [0, '0B'],
    [1023, '1023B'],
    [1024, '1KiB'],
    [1.5 * MiB, '1.5MiB'],
    [7.639 * GiB, '7.639GiB'],
    [123.456 * MiB, '123.5MiB'],
    [1023.99 * MiB, '1GiB'],
  ])('binary %d → %s', (bytes, text) => {
    expect(formatBytes(bytes, 'binary')).toBe(text);
  });

  it('percent has two decimals; missing is --', () => {
    expect(formatPercent(12.3456)).toBe('12.35%');
    expect(formatPercent(0)).toBe('0.00%');
    expect(formatPercent(null)).toBe('--');
  });

  it('cuts runtime ids to 12 characters and keeps cgroup paths', () => {
    expect(shortId('0123456789abcdef'.repeat(4))).toBe('0123456789ab');
    expect(shortId('/system.slice/cron.service')).toBe('/system.slice/cron.service');
  });
});

function row(
  name: string,
  by: { cpuNs?: number; workingSet?: number; rxBytes?: number; readBytes?: number; pids?: number },
): StatsRow {
  const id = Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64);
  const prev = makeStats({
    id,
    name,
    memory: { workingSet: by.workingSet ?? 10 * MiB },
    pids: { current: by.pids ?? 1 },
  });
  const next = advance(prev, {
    intervalNs: 1e9,
    cpuNs: by.cpuNs ?? 0,
    rxBytes: by.rxBytes ?? 0,
    readBytes: by.readBytes ?? 0,
  });
  return { stats: next, usage: computeUsage(prev, next) };
}

describe('sortRows', () => {
  const rows = [
    row('bravo', { cpuNs: 0.5e9, workingSet: 300 * MiB, rxBytes: 10, readBytes: 5000, pids: 2 }),
    row('alpha', { cpuNs: 0.1e9, workingSet: 500 * MiB, rxBytes: 9000, readBytes: 1, pids: 40 }),
    row('charlie', { cpuNs: 2e9, workingSet: 100 * MiB, rxBytes: 500, readBytes: 70, pids: 7 }),
  ];
  const names = (sorted: StatsRow[]) => sorted.map((r) => r.stats.name);

  it.each([
    ['name', ['alpha', 'bravo', 'charlie']],
    ['cpu', ['charlie', 'bravo', 'alpha']],
    ['mem', ['alpha', 'bravo', 'charlie']],
    ['net', ['alpha', 'charlie', 'bravo']],
    ['io', ['bravo', 'charlie', 'alpha']],
    ['pids', ['alpha', 'charlie', 'bravo']],
  ] as const)('by %s', (key, expected) => {
    expect(names(sortRows(rows, key))).toEqual(expected);
  });

  it('puts rows without the figure last, then orders by name', () => {
    const first = makeStats({ id: 'f'.repeat(64), name: 'zulu' });
    const fresh: StatsRow = { stats: first, usage: computeUsage(null, first) };
    expect(names(sortRows([fresh, ...rows], 'cpu'))).toEqual(['charlie', 'bravo', 'alpha', 'zulu']);
    expect(names(sortRows([row('b', {}), row('a', {})], 'cpu'))).toEqual(['a', 'b']);
  });

  it('does not modify its input', () => {
    const copy = [...rows];
    sortRows(rows, 'cpu');
    expect(rows).toEqual(copy);
  });
});

describe('formatTable', () => {
  it('aligns every column under its header, three spaces apart', () => {
    const rows = [
      row('web', { cpuNs: 1e9, workingSet: 1.5 * MiB }),
      row('a-much-longer-name', { workingSet: 2 * GiB, pids: 123 }),
    ];
    const lines = formatTable(rows, { sort: 'name' });
    expect(lines).toHaveLength(3);
    const header = lines[0]!;
    expect(header.startsWith('CONTAINER ID   NAME')).toBe(true);
    for (const title of TABLE_HEADER.slice(1)) {
      const column = header.indexOf(title);
      expect(column).toBeGreaterThan(0);
      for (const line of lines.slice(1)) {
        // Each cell starts where its title does, after at least three spaces.
        expect(line.slice(column - 3, column)).toBe('   ');
        expect(line[column]).not.toBe(' ');
      }
    }
    const web = lines.find((line) => line.includes('web'))!;
    const cells = web.split(/ {3,}/);
    expect(cells).toEqual(rowCells(rows[0]!));
    expect(cells[0]).toBe(rows[0]!.stats.id.slice(0, 12));
    expect(cells[2]).toBe('100.00%'); // one busy core
    expect(cells[3]).toBe('1.5MiB / 8GiB');
    expect(cells[5]).toBe('10kB / 5kB (0B/s / 0B/s)');
    expect(cells[6]).toBe('1MB / 2MB');
    expect(cells[7]).toBe('1');
  });

  it('shows -- before the first rate and for a missing network, and the mode for host networking', () => {
    const first = makeStats({ name: 'fresh' });
    const noNet = makeStats({ id: 'b'.repeat(64), name: 'nonet', network: null });
    const hostNet = makeStats({
      id: 'c'.repeat(64),
      name: 'hostnet',
      network: privateNetwork({ mode: 'host', rxBytes: null, txBytes: null }),
    });
    const rows = [first, noNet, hostNet].map((stats) => ({ stats, usage: computeUsage(null, stats) }));
    const cells = formatTable(rows, { sort: 'name' })
      .slice(1)
      .map((line) => line.split(/ {3,}/));
    expect(cells.map((c) => [c[1], c[2], c[5]])).toEqual([
      ['fresh', '--', '10kB / 5kB (-- / --)'],
      ['hostnet', '--', 'host'],
      ['nonet', '--', '--'],
    ]);
  });

  it('cuts lines to a terminal width', () => {
    const lines = formatTable([row('web', {})], { sort: 'name', maxWidth: 40 });
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
  });

  it('the last column is not padded', () => {
    expect(
      alignColumns([
        ['a', 'bb'],
        ['ccc', 'd'],
      ]),
    ).toEqual(['a     bb', 'ccc   d']);
  });
});
