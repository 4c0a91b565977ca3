// Pure parsers for the cgroup file formats (kernel Documentation/admin-guide/cgroup-v2.rst "Interface Files"
// and cgroup-v1/*.rst). They look lines up by key, never by position: key sets grow with every kernel.
// Malformed content throws CgroupFormatError; nothing is guessed to be zero.
import type { PressureLine, PressureResource } from '../types.js';
import { CgroupFormatError } from './errors.js';

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+(?:\.\d+)?$/;

function lines(text: string): string[] {
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
}

function integer(token: string, what: string): number {
  if (!INTEGER.test(token)) throw new CgroupFormatError(`${what}: not an integer: ${JSON.stringify(token)}`);
  return Number(token);
}

/** A file holding one integer, or "max" for "no limit" (memory.max, pids.max, ...). "max" gives null. */
export function parseSingleValue(text: string): number | null {
  const value = text.trim();
  if (value === 'max') return null;
  return integer(value, 'single-value file');
}

/** A file holding one integer that cannot be "max" (memory.current, pids.current, cpuacct.usage). */
export function parseCounter(text: string): number {
  return integer(text.trim(), 'counter file');
}

/** Whitespace-separated integers on one line (cpuacct.usage_percpu). */
export function parseIntegerList(text: string): number[] {
  const fields = text.trim().split(/\s+/).filter((field) => field !== '');
  return fields.map((field) => integer(field, 'integer list'));
}

/** `key value` lines (memory.stat, cpu.stat, memory.events, cpuacct.stat, oom_control). */
export function parseFlatKeyed(text: string): Record<string, number> {
  const map: Record<string, number> = {};
  for (const line of lines(text)) {
    const fields = line.split(/\s+/);
    if (fields.length !== 2) throw new CgroupFormatError(`flat-keyed file: bad line ${JSON.stringify(line)}`);
    map[fields[0]!] = integer(fields[1]!, `flat-keyed file, key ${fields[0]}`);
  }
  return map;
}

/**
 * `KEY k=v k=v ...` lines (io.stat `MAJ:MIN rbytes=.. wbytes=..`, *.pressure `some avg10=..`), keyed by the
 * first field. Values may be decimal (pressure averages, io.stat cost.vrate).
 */
export function parseNestedKeyed(text: string): Record<string, Record<string, number>> {
  const map: Record<string, Record<string, number>> = {};
  for (const line of lines(text)) {
    const [key, ...pairs] = line.split(/\s+/);
    const values: Record<string, number> = {};
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (eq <= 0 || !DECIMAL.test(value)) {
        throw new CgroupFormatError(`nested-keyed file: bad pair ${JSON.stringify(pair)} in ${JSON.stringify(line)}`);
      }
      values[pair.slice(0, eq)] = Number(value);
    }
    map[key!] = values;
  }
  return map;
}

export interface BlkioV1Entry {
  major: number;
  minor: number;
  /** As the kernel writes it: Read, Write, Sync, Async, Discard, Total. */
  op: string;
  value: number;
}

/** v1 blkio `MAJ:MIN Op Value` lines; the closing `Total N` line (a sum over devices) is skipped. */
export function parseBlkioV1(text: string): BlkioV1Entry[] {
  const entries: BlkioV1Entry[] = [];
  for (const line of lines(text)) {
    const fields = line.split(/\s+/);
    if (fields.length === 2 && fields[0] === 'Total') {
      integer(fields[1]!, 'blkio Total line');
      continue;
    }
    const device = /^(\d+):(\d+)$/.exec(fields[0]!);
    if (fields.length !== 3 || device === null) throw new CgroupFormatError(`blkio file: bad line ${JSON.stringify(line)}`);
    entries.push({
      major: Number(device[1]),
      minor: Number(device[2]),
      op: fields[1]!,
      value: integer(fields[2]!, `blkio file, ${fields[0]} ${fields[1]}`),
    });
  }
  return entries;
}

function pressureLine(values: Record<string, number> | undefined, kind: string): PressureLine | null {
  if (values === undefined) return null;
  const { avg10, avg60, avg300, total } = values;
  if (avg10 === undefined || avg60 === undefined || avg300 === undefined || total === undefined) {
    throw new CgroupFormatError(`pressure file: "${kind}" line lacks avg10/avg60/avg300/total`);
  }
  // total is in microseconds.
  return { avg10, avg60, avg300, totalNs: total * 1000 };
}

/** A PSI file (cpu/memory/io.pressure): a `some` line and, except for cpu on older kernels, a `full` line. */
export function parsePressure(text: string): PressureResource {
  const map = parseNestedKeyed(text);
  const some = pressureLine(map['some'], 'some');
  if (some === null) throw new CgroupFormatError('pressure file: no "some" line');
  return { some, full: pressureLine(map['full'], 'full') };
}

/** A cpuset list ("0-3,5", "" for none) as a count of CPUs. */
export function parseCpuList(text: string): number {
  const list = text.trim();
  if (list === '') return 0;
  let count = 0;
  for (const range of list.split(',')) {
    const bounds = /^(\d+)(?:-(\d+))?$/.exec(range);
    if (bounds === null) throw new CgroupFormatError(`cpu list: bad range ${JSON.stringify(range)}`);
    const first = Number(bounds[1]);
    const last = bounds[2] === undefined ? first : Number(bounds[2]);
    if (last < first) throw new CgroupFormatError(`cpu list: reversed range ${JSON.stringify(range)}`);
    count += last - first + 1;
  }
  return count;
}

/**
 * v1 writes "no limit" as LONG_MAX rounded down to the page size: 0x7FFFFFFFFFFFF000 with 4 KiB pages,
 * 0x7FFFFFFFFFFF0000 with 64 KiB pages (arm64, ppc64). Anything at or above the 64 KiB form is unlimited.
 */
export const V1_UNLIMITED_MEMORY = 0x7fffffffffff0000;

/** memory.limit_in_bytes / memory.memsw.limit_in_bytes: null when unlimited. */
export function parseMemoryLimitV1(text: string): number | null {
  const value = parseSingleValue(text);
  return value === null || value >= V1_UNLIMITED_MEMORY ? null : value;
}

/** cpu.cfs_quota_us: -1 (any negative) means no quota, null. */
export function parseCfsQuotaV1(text: string): number | null {
  const value = parseSingleValue(text);
  return value === null || value < 0 ? null : value;
}

/** v2 cpu.max `$QUOTA $PERIOD` (µs), QUOTA "max" for none. */
export function parseCpuMax(text: string): { quotaUs: number | null; periodUs: number } {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 2) throw new CgroupFormatError(`cpu.max: bad content ${JSON.stringify(text)}`);
  return {
    quotaUs: fields[0] === 'max' ? null : integer(fields[0]!, 'cpu.max quota'),
    periodUs: integer(fields[1]!, 'cpu.max period'),
  };
}

/** limitCores from a CFS quota and period (both µs); null without a quota. */
export function cpuLimitCores(quotaUs: number | null, periodUs: number): number | null {
  return quotaUs === null || periodUs <= 0 ? null : quotaUs / periodUs;
}
