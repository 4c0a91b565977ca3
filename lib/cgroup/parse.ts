// Pure parsers for the cgroup file formats (kernel Documentation/admin-guide/cgroup-v2.rst "Interface
// Files" and cgroup-v1/*.rst), over the files' tokens (tokens.ts). They look lines up by key, never by
// position: key sets grow with every kernel.
// Malformed content throws CgroupFormatError; nothing is guessed to be zero.
import type { PressureLine, PressureResource } from '../types.js';
import { CgroupFormatError } from '../errors.js';
import { doubleArray } from '../io/double-array.js';
import type { FileTokens, KeyNames } from '../io/tokens.js';

/** Names an entry for messages: `key value` as the file had it. */
function describeEntry(tokens: FileTokens, i: number): string {
  const key = tokens.names[tokens.keys[i]!]!;
  const value = tokens.values[i]!;
  return JSON.stringify(Number.isNaN(value) ? key : key === '' ? String(value) : `${key} ${value}`);
}

function entryCount(tokens: FileTokens): number {
  return tokens.end - tokens.start;
}

/** The value of a file holding exactly one number (no key), or a format error. */
function loneNumber(tokens: FileTokens, what: string): { key: string; value: number } {
  if (entryCount(tokens) !== 1) throw new CgroupFormatError(`${what}: expected one value, found ${entryCount(tokens)}`);
  return { key: tokens.names[tokens.keys[tokens.start]!]!, value: tokens.values[tokens.start]! };
}

/** A file holding one integer, or "max" for "no limit" (memory.max, pids.max, ...). "max" gives null. */
export function parseSingleValue(tokens: FileTokens): number | null {
  const { key, value } = loneNumber(tokens, 'single-value file');
  if (key === 'max' && Number.isNaN(value)) return null;
  if (key !== '' || !Number.isInteger(value))
    throw new CgroupFormatError(`single-value file: not an integer or "max": ${describeEntry(tokens, tokens.start)}`);
  return value;
}

/** A file holding one integer that cannot be "max" (memory.current, pids.current, cpuacct.usage). */
export function parseCounter(tokens: FileTokens): number {
  const { key, value } = loneNumber(tokens, 'counter file');
  if (key !== '' || !Number.isInteger(value))
    throw new CgroupFormatError(`counter file: not an integer: ${describeEntry(tokens, tokens.start)}`);
  return value;
}

/** Whitespace-separated integers (cpuacct.usage_percpu). */
export function parseIntegerList(tokens: FileTokens): number[] {
  const list = doubleArray(tokens.end - tokens.start);
  for (let i = tokens.start; i < tokens.end; i++) {
    const value = tokens.values[i]!;
    if (tokens.names[tokens.keys[i]!] !== '' || !Number.isInteger(value)) {
      throw new CgroupFormatError(`integer list: not an integer: ${describeEntry(tokens, i)}`);
    }
    list[i - tokens.start] = value;
  }
  return list;
}

/**
 * A `key value` file (memory.stat, cpu.stat, memory.events, cpuacct.stat, oom_control), its entries looked
 * up by key where they are in the batch; made into an object only when asked (memory.stat has some seventy
 * keys, of which a sample needs three), from a copy when it is to outlive the batch (detached()).
 */
export class FlatKeyed {
  readonly #keyNames: KeyNames;
  /** Key ids and values: the batch's arrays and a range of them, or a copy ([id, value, id, value, ...]). */
  readonly #keys: ArrayLike<number>;
  readonly #values: ArrayLike<number>;
  readonly #start: number;
  readonly #end: number;
  readonly #stride: number;
  #record: Record<string, number> | null = null;

  constructor(
    keyNames: KeyNames,
    keys: ArrayLike<number>,
    values: ArrayLike<number>,
    start: number,
    end: number,
    stride = 1,
  ) {
    this.#keyNames = keyNames;
    this.#keys = keys;
    this.#values = values;
    this.#start = start;
    this.#end = end;
    this.#stride = stride;
  }

  /** The value of a key, or undefined when the file has none. */
  get(key: string): number | undefined {
    const id = this.#keyNames.idOf(key);
    if (id === undefined) return undefined;
    const keys = this.#keys;
    for (let i = this.#start; i < this.#end; i += this.#stride)
      if (keys[i] === id) return this.#values[i + (this.#stride === 1 ? 0 : 1)];
    return undefined;
  }

  /**
   * The same entries in small arrays of their own, so that keeping them does not keep the batch: the values
   * copied, the key ids shared with the last copy of the same keys (every container's memory.stat has the same).
   */
  detached(): FlatKeyed {
    const stride = this.#stride;
    const count = Math.ceil((this.#end - this.#start) / stride);
    const values = doubleArray(count);
    const valueAt = stride === 1 ? 0 : 1;
    for (let i = this.#start, j = 0; i < this.#end; i += stride, j++) values[j] = this.#values[i + valueAt]!;
    const keys = this.#keyNames.sharedIds(this.#keys, this.#start, this.#end, stride);
    return new FlatKeyed(this.#keyNames, keys, values, 0, count);
  }

  /** record(): the lazy `stat` of a sample (a LazySource, io/lazy-property.ts). */
  value(): Record<string, number> {
    return this.record();
  }

  /** Every entry as an object, made once. */
  record(): Record<string, number> {
    if (this.#record === null) {
      const names = this.#keyNames.names;
      const entries = new Map<string, number>();
      // In file order; the first of a repeated key, as get() finds it (the kernel writes none twice).
      for (let i = this.#start; i < this.#end; i += this.#stride) {
        const name = names[this.#keys[i]!]!;
        if (!entries.has(name)) entries.set(name, this.#values[i + (this.#stride === 1 ? 0 : 1)]!);
      }
      this.#record = Object.fromEntries(entries);
    }
    return this.#record;
  }
}

/**
 * `key value` lines; a line that is not one key and one integer is a format error (a line of several values
 * arrives as that key repeated, one entry after the other).
 */
export function parseFlatKeyed(tokens: FileTokens): FlatKeyed {
  const { keyNames, keys, values } = tokens;
  for (let i = tokens.start; i < tokens.end; i++) {
    if (!Number.isInteger(values[i]!) || !keyNames.isWord(keys[i]!) || (i > tokens.start && keys[i] === keys[i - 1])) {
      throw new CgroupFormatError(`flat-keyed file: bad line ${describeEntry(tokens, i)}`);
    }
  }
  return new FlatKeyed(keyNames, keys, values, tokens.start, tokens.end);
}

/**
 * Sets an own property whatever the key: a key read from a file may be "__proto__", which plain
 * assignment would take for the object's prototype (or, through it, Object.prototype's properties).
 */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * `KEY k=v k=v ...` lines (io.stat `MAJ:MIN rbytes=.. wbytes=..`, *.pressure `some avg10=..`), keyed by the
 * first field. Values may be decimal (pressure averages, io.stat cost.vrate).
 */
export function parseNestedKeyed(tokens: FileTokens): Record<string, Record<string, number>> {
  const map: Record<string, Record<string, number>> = {};
  const { keyNames, keys, values } = tokens;
  for (let i = tokens.start; i < tokens.end; i++) {
    const pair = keyNames.pair(keys[i]!);
    const value = values[i]!;
    if (pair === null || Number.isNaN(value))
      throw new CgroupFormatError(`nested-keyed file: bad pair ${describeEntry(tokens, i)}`);
    let inner = Object.hasOwn(map, pair[0]) ? map[pair[0]] : undefined;
    if (inner === undefined) setOwn(map, pair[0], (inner = {}));
    setOwn(inner, pair[1], value);
  }
  return map;
}

/** One device of v2 io.stat: its counters by name (rbytes, wbytes, rios, wios, dbytes, cost.*, ...). */
export interface IoStatDevice {
  major: number;
  minor: number;
  counters: Record<string, number>;
}

/** v2 io.stat `MAJ:MIN k=v k=v ...` lines, by device in file order. */
export function parseIoStat(tokens: FileTokens): IoStatDevice[] {
  const byDevice = new Map<string, IoStatDevice>();
  const { keyNames, keys, values } = tokens;
  for (let i = tokens.start; i < tokens.end; i++) {
    const key = keys[i]!;
    const value = values[i]!;
    // Device and counter name are worked out once per key name, not per read.
    const pair = keyNames.pair(key);
    if (pair === null || Number.isNaN(value))
      throw new CgroupFormatError(`io.stat: bad pair ${describeEntry(tokens, i)}`);
    const device = keyNames.device(key);
    if (device === null) throw new CgroupFormatError(`io.stat: bad device ${JSON.stringify(pair[0])}`);
    let entry = byDevice.get(pair[0]);
    if (entry === undefined) {
      entry = { major: device[0], minor: device[1], counters: {} };
      byDevice.set(pair[0], entry);
    }
    setOwn(entry.counters, pair[1], value);
  }
  return [...byDevice.values()];
}

export interface BlkioV1Entry {
  major: number;
  minor: number;
  /** As the kernel writes it: Read, Write, Sync, Async, Discard, Total. */
  op: string;
  value: number;
}

/** v1 blkio `MAJ:MIN Op Value` lines; the closing `Total N` line (a sum over devices) is skipped. */
export function parseBlkioV1(tokens: FileTokens): BlkioV1Entry[] {
  const entries: BlkioV1Entry[] = [];
  const { keyNames, names, keys, values } = tokens;
  for (let i = tokens.start; i < tokens.end; i++) {
    const key = keys[i]!;
    const value = values[i]!;
    if (!Number.isInteger(value)) throw new CgroupFormatError(`blkio file: bad line ${describeEntry(tokens, i)}`);
    if (names[key] === 'Total') continue;
    // Device and op are worked out once per key name, not per read.
    const device = keyNames.device(key);
    const pair = keyNames.pair(key);
    if (device === null || pair === null)
      throw new CgroupFormatError(`blkio file: bad line ${describeEntry(tokens, i)}`);
    entries.push({ major: device[0], minor: device[1], op: pair[1], value });
  }
  return entries;
}

/** The fields of a PSI line, in the order of a line's numbers; -1 for another. */
function pressureField(name: string): number {
  switch (name) {
    case 'avg10':
      return 0;
    case 'avg60':
      return 1;
    case 'avg300':
      return 2;
    case 'total':
      return 3;
    default:
      return -1;
  }
}

/** Numbers per PSI line in parsePressureNumbers()'s output: avg10, avg60, avg300, total (microseconds). */
export const PRESSURE_LINE_NUMBERS = 4;

/** A PSI line from the numbers parsePressureNumbers() wrote at `at`. */
export function pressureLineAt(numbers: ArrayLike<number>, at: number): PressureLine {
  return {
    avg10: numbers[at]!,
    avg60: numbers[at + 1]!,
    avg300: numbers[at + 2]!,
    // total is in microseconds.
    totalNs: numbers[at + 3]! * 1000,
  };
}

function checkedLine(
  avg10: number | undefined,
  avg60: number | undefined,
  avg300: number | undefined,
  total: number | undefined,
  kind: string,
): void {
  if (avg10 === undefined || avg60 === undefined || avg300 === undefined || total === undefined) {
    throw new CgroupFormatError(`pressure file: "${kind}" line lacks avg10/avg60/avg300/total`);
  }
}

/**
 * A PSI file (cpu/memory/io.pressure) as numbers written to `out` from `at` on: the `some` line's avg10, avg60,
 * avg300 and total (microseconds), then the `full` line's when there is one (not for cpu on older kernels).
 * Returns whether there was a `full` line. Straight into the numbers, with no object in between: a sample reads three
 * of these files per container. The last of a repeated field counts.
 */
export function parsePressureNumbers(tokens: FileTokens, out: number[], at: number): boolean {
  let some = false,
    full = false;
  let some10: number | undefined,
    some60: number | undefined,
    some300: number | undefined,
    someTotal: number | undefined;
  let full10: number | undefined,
    full60: number | undefined,
    full300: number | undefined,
    fullTotal: number | undefined;
  const { keyNames, keys, values } = tokens;
  for (let i = tokens.start; i < tokens.end; i++) {
    const pair = keyNames.pair(keys[i]!);
    const value = values[i]!;
    if (pair === null || Number.isNaN(value))
      throw new CgroupFormatError(`pressure file: bad pair ${describeEntry(tokens, i)}`);
    const line = pair[0] === 'some' ? 1 : pair[0] === 'full' ? 2 : 0;
    if (line === 0) continue;
    const field = pressureField(pair[1]);
    if (line === 1) {
      some = true;
      if (field === 0) some10 = value;
      else if (field === 1) some60 = value;
      else if (field === 2) some300 = value;
      else if (field === 3) someTotal = value;
    } else {
      full = true;
      if (field === 0) full10 = value;
      else if (field === 1) full60 = value;
      else if (field === 2) full300 = value;
      else if (field === 3) fullTotal = value;
    }
  }
  if (!some) throw new CgroupFormatError('pressure file: no "some" line');
  checkedLine(some10, some60, some300, someTotal, 'some');
  if (full) checkedLine(full10, full60, full300, fullTotal, 'full');
  out[at] = some10!;
  out[at + 1] = some60!;
  out[at + 2] = some300!;
  out[at + 3] = someTotal!;
  if (full) {
    out[at + 4] = full10!;
    out[at + 5] = full60!;
    out[at + 6] = full300!;
    out[at + 7] = fullTotal!;
  }
  return full;
}

/** A PSI file (cpu/memory/io.pressure): a `some` line and, except for cpu on older kernels, a `full` line. */
export function parsePressure(tokens: FileTokens): PressureResource {
  const numbers = new Array<number>(2 * PRESSURE_LINE_NUMBERS);
  const full = parsePressureNumbers(tokens, numbers, 0);
  return {
    some: pressureLineAt(numbers, 0),
    full: full ? pressureLineAt(numbers, PRESSURE_LINE_NUMBERS) : null,
  };
}

const CPU_RANGE = /^(\d+)(?:-(\d+))?$/;

/**
 * A cpuset list ("0-3,5"; "7" alone is a number) as a count of CPUs; null for an empty list (a v1
 * cpuset cgroup whose cpus were never set, which can hold no task): it tells nothing of the CPUs in use.
 */
export function parseCpuList(tokens: FileTokens): number | null {
  const count = entryCount(tokens);
  if (count === 0) return null;
  const { key, value } = loneNumber(tokens, 'cpu list');
  if (key === '' && Number.isInteger(value) && value >= 0) return 1;
  if (key === '' || !Number.isNaN(value))
    throw new CgroupFormatError(`cpu list: bad content ${describeEntry(tokens, tokens.start)}`);
  let cpus = 0;
  for (const range of key.split(',')) {
    const bounds = CPU_RANGE.exec(range);
    if (bounds === null) throw new CgroupFormatError(`cpu list: bad range ${JSON.stringify(range)}`);
    const first = Number(bounds[1]);
    const last = bounds[2] === undefined ? first : Number(bounds[2]);
    if (last < first) throw new CgroupFormatError(`cpu list: reversed range ${JSON.stringify(range)}`);
    cpus += last - first + 1;
  }
  return cpus;
}

/**
 * v1 writes "no limit" as LONG_MAX rounded down to the page size: 0x7FFFFFFFFFFFF000 with 4 KiB pages,
 * 0x7FFFFFFFFFFF0000 with 64 KiB pages (arm64, ppc64). Anything at or above the 64 KiB form is unlimited.
 */
export const V1_UNLIMITED_MEMORY = 0x7fffffffffff0000;

/** A v1 memory limit as written by the kernel (in the limit files and memory.stat): null when unlimited. */
export function memoryLimitV1(value: number | null): number | null {
  return value === null || value >= V1_UNLIMITED_MEMORY ? null : value;
}

/** memory.limit_in_bytes / memory.memsw.limit_in_bytes: null when unlimited. */
export function parseMemoryLimitV1(tokens: FileTokens): number | null {
  return memoryLimitV1(parseSingleValue(tokens));
}

/** cpu.cfs_quota_us: -1 (any negative) means no quota, null. */
export function parseCfsQuotaV1(tokens: FileTokens): number | null {
  const value = parseSingleValue(tokens);
  return value === null || value < 0 ? null : value;
}

/** v2 cpu.max `$QUOTA $PERIOD` (µs), QUOTA "max" for none. */
export function parseCpuMax(tokens: FileTokens): { quotaUs: number | null; periodUs: number } {
  const { names, keys, values, start } = tokens;
  const count = entryCount(tokens);
  const firstKey = count > 0 ? names[keys[start]!] : undefined;
  if (count === 1 && firstKey === 'max' && Number.isInteger(values[start]))
    return { quotaUs: null, periodUs: values[start]! };
  if (
    count === 2 &&
    firstKey === '' &&
    names[keys[start + 1]!] === '' &&
    Number.isInteger(values[start]) &&
    Number.isInteger(values[start + 1])
  ) {
    return { quotaUs: values[start]!, periodUs: values[start + 1]! };
  }
  throw new CgroupFormatError(`cpu.max: bad content (${count} values)`);
}

/** limitCores from a CFS quota and period (both µs); null without a quota. */
export function cpuLimitCores(quotaUs: number | null, periodUs: number): number | null {
  return quotaUs === null || periodUs <= 0 ? null : quotaUs / periodUs;
}
