// Host figures Docker puts beside a container's stats (moby daemon/stats_unix.go), from /proc/stat and
// /proc/meminfo. hostFilePaths ride in the same batched read as the containers' cgroup files.
import type { HostStats } from './types.js';
import type { NativeFailure } from './native.js';
import { isNativeFailure } from './native.js';
import { constants } from 'node:os';
import { CGROUP_PRIVILEGE_HINT, CgroupFormatError, PermissionDeniedError, systemError } from './errors.js';
import { NS_PER_TICK } from './io/units.js';

/**
 * onlineCpus: the number of "cpuN" lines (Docker's online_cpus). systemCpuNs: the "cpu" line's user, nice,
 * system, idle, iowait, irq and softirq ticks in ns; steal and guest are left out, as Docker does.
 */
export function parseProcStat(text: string): { onlineCpus: number; systemCpuNs: number } {
  let onlineCpus = 0;
  let systemCpuNs: number | null = null;
  // Line by line with indexOf: the long intr and softirq lines are jumped over, not split.
  for (let at = 0; at < text.length;) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    if (text.startsWith('cpu', at)) {
      const next = text.charCodeAt(at + 3);
      if (next >= 48 && next <= 57) onlineCpus++;
      else if (next === 32) systemCpuNs = cpuLineNs(text.slice(at, end));
    }
    at = end + 1;
  }
  if (systemCpuNs === null || onlineCpus === 0) throw new CgroupFormatError('/proc/stat: no "cpu" or "cpuN" lines');
  return { onlineCpus, systemCpuNs };
}

/**
 * What /proc/stat says of the whole machine: the "cpuN" lines (online CPUs), the "cpu" line's fields in
 * USER_HZ ticks (user nice system idle iowait irq softirq steal guest guest_nice; older kernels have fewer)
 * and the boot time in seconds since the epoch ("btime").
 */
export function parseProcStatLines(text: string): { onlineCpus: number; cpuTicks: number[]; bootTime: number | null } {
  let onlineCpus = 0;
  let cpuTicks: number[] = [];
  let bootTime: number | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) cpuTicks = line.trim().split(/\s+/).slice(1).map(Number);
    else if (/^cpu\d/.test(line)) onlineCpus++;
    else if (line.startsWith('btime ')) bootTime = Number(line.slice(6));
  }
  if (onlineCpus === 0 || cpuTicks.length < 4 || !cpuTicks.every(Number.isSafeInteger))
    throw new CgroupFormatError('/proc/stat: no "cpu" or "cpuN" lines');
  return { onlineCpus, cpuTicks, bootTime };
}

/** /proc/loadavg: the averages, and the running and all tasks ("0.13 0.08 0.02 2/345 6789"). */
export function parseLoadavg(text: string): {
  avg1: number;
  avg5: number;
  avg15: number;
  running: number;
  tasks: number;
} {
  const match = /^(\d+\.\d+) (\d+\.\d+) (\d+\.\d+) (\d+)\/(\d+) /.exec(text);
  if (match === null) throw new CgroupFormatError(`/proc/loadavg: bad content ${JSON.stringify(text.slice(0, 80))}`);
  return {
    avg1: Number(match[1]),
    avg5: Number(match[2]),
    avg15: Number(match[3]),
    running: Number(match[4]),
    tasks: Number(match[5]),
  };
}

/** The "cpu" line's user, nice, system, idle, iowait, irq and softirq ticks, in ns. */
function cpuLineNs(line: string): number {
  const ticks = line.trim().split(/\s+/).slice(1, 8);
  if (ticks.length !== 7 || !ticks.every((field) => /^\d+$/.test(field))) {
    throw new CgroupFormatError(`/proc/stat: bad "cpu" line ${JSON.stringify(line)}`);
  }
  return ticks.reduce((sum, field) => sum + Number(field), 0) * NS_PER_TICK;
}

/** /proc/meminfo as bytes ("kB" lines × 1024; unitless lines such as HugePages_Total as they are). */
export function parseMeminfo(text: string): { memTotal: number; fields: Record<string, number> } {
  const fields: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const match = /^([^:\s]+):\s+(\d+)(?:\s+(kB))?\s*$/.exec(line);
    if (match === null) throw new CgroupFormatError(`/proc/meminfo: bad line ${JSON.stringify(line)}`);
    fields[match[1]!] = Number(match[2]) * (match[3] === 'kB' ? 1024 : 1);
  }
  const memTotal = fields['MemTotal'];
  if (memTotal === undefined) throw new CgroupFormatError('/proc/meminfo: no MemTotal');
  return { memTotal, fields };
}

/** The host files to read, in this order: [procRoot/stat, procRoot/meminfo]. */
export function hostFilePaths(procRoot: string): string[] {
  return [`${procRoot}/stat`, `${procRoot}/meminfo`];
}

function hostFile(result: string | NativeFailure | undefined, path: string): string {
  if (result === undefined) throw new RangeError(`no answer for ${path}`);
  if (!isNativeFailure(result)) return result;
  const failure = { ...result, path: result.path ?? path };
  if (-failure.errno === constants.errno.EACCES || -failure.errno === constants.errno.EPERM)
    throw new PermissionDeniedError(failure, CGROUP_PRIVILEGE_HINT);
  throw systemError(failure);
}

const MEM_TOTAL = /^MemTotal:[ \t]+(\d+) kB$/m;

/** MemTotal of /proc/meminfo in bytes, without reading the rest (it is the first line). */
export function memTotalOf(meminfo: string): number {
  const match = MEM_TOTAL.exec(meminfo);
  if (match === null) return parseMeminfo(meminfo).memTotal;
  return Number(match[1]) * 1024;
}

/** HostStats from the contents of hostFilePaths(procRoot), in the same order. */
export function parseHostStats(texts: readonly string[]): HostStats {
  const [stat, meminfo] = texts;
  if (stat === undefined || meminfo === undefined)
    throw new RangeError('expected the contents of /proc/stat and /proc/meminfo');
  const { onlineCpus, systemCpuNs } = parseProcStat(stat);
  return { onlineCpus, systemCpuNs, memTotal: memTotalOf(meminfo) };
}

/** HostStats from the batch answers to hostFilePaths(procRoot); a failed read throws (EACCES/EPERM typed). */
export function buildHostStats(procRoot: string, results: ReadonlyArray<string | NativeFailure>): HostStats {
  const paths = hostFilePaths(procRoot);
  return parseHostStats(paths.map((path, i) => hostFile(results[i], path)));
}
