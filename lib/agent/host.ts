// The machine's own figures the agent serves beside the containers' (acadock's /host/usage, /api/v1/host,
// machine_* metrics), and a container process's start time: small /proc files read once per sweep, under
// the host's /proc when the agent runs in a container.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** USER_HZ: the unit of /proc/stat and /proc/<pid>/stat times, 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
const KIB = 1024;

export interface HostReading {
  /** performance.now() of the read, for rates over measured time. */
  readAtMs: number;
  /** Wall clock of the read, ms since the epoch. */
  timestamp: number;
  /** "cpuN" lines of /proc/stat (online CPUs), as Docker and cAdvisor count cores. */
  cpus: number;
  /** Jiffies summed over user..steal (guest time is already inside user and nice). */
  cpuTotalTicks: number;
  /** idle + iowait jiffies. */
  cpuIdleTicks: number;
  /** Boot time, seconds since the epoch (btime). */
  bootTime: number;
  memory: {
    total: number;
    free: number;
    available: number | null;
    buffers: number;
    cached: number;
    swapTotal: number;
    swapFree: number;
  };
  load: { avg1: number; avg5: number; avg15: number; running: number; tasks: number };
}

function parseStat(text: string): Pick<HostReading, 'cpus' | 'cpuTotalTicks' | 'cpuIdleTicks' | 'bootTime'> {
  let cpus = 0;
  let total = 0;
  let idle = 0;
  let bootTime = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      // user nice system idle iowait irq softirq steal guest guest_nice
      const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
      total = fields.reduce((sum, value) => sum + value, 0);
      idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    } else if (/^cpu\d/.test(line)) {
      cpus++;
    } else if (line.startsWith('btime ')) {
      bootTime = Number(line.slice(6));
    }
  }
  return { cpus, cpuTotalTicks: total, cpuIdleTicks: idle, bootTime };
}

function parseMeminfo(text: string): HostReading['memory'] {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s+(\d+)(?: kB)?$/.exec(line);
    if (match !== null) values.set(match[1]!, Number(match[2]) * KIB);
  }
  return {
    total: values.get('MemTotal') ?? 0,
    free: values.get('MemFree') ?? 0,
    available: values.get('MemAvailable') ?? null,
    buffers: values.get('Buffers') ?? 0,
    cached: values.get('Cached') ?? 0,
    swapTotal: values.get('SwapTotal') ?? 0,
    swapFree: values.get('SwapFree') ?? 0,
  };
}

function parseLoadavg(text: string): HostReading['load'] {
  const [avg1, avg5, avg15, tasks] = text.trim().split(/\s+/);
  const [running, all] = (tasks ?? '0/0').split('/').map(Number);
  return { avg1: Number(avg1), avg5: Number(avg5), avg15: Number(avg15), running: running ?? 0, tasks: all ?? 0 };
}

export async function readHost(procRoot: string): Promise<HostReading> {
  const [stat, meminfo, loadavg] = await Promise.all([
    readFile(join(procRoot, 'stat'), 'latin1'),
    readFile(join(procRoot, 'meminfo'), 'latin1'),
    readFile(join(procRoot, 'loadavg'), 'latin1'),
  ]);
  return {
    readAtMs: performance.now(),
    timestamp: Date.now(),
    ...parseStat(stat),
    memory: parseMeminfo(meminfo),
    load: parseLoadavg(loadavg),
  };
}

/** Share of CPU time not idle between two readings (0..1), or null when no time passed. */
export function busyFraction(prev: HostReading, next: HostReading): number | null {
  const total = next.cpuTotalTicks - prev.cpuTotalTicks;
  const idle = next.cpuIdleTicks - prev.cpuIdleTicks;
  return total > 0 ? Math.min(1, Math.max(0, (total - idle) / total)) : null;
}

/**
 * When a process started, in seconds since the epoch: field 22 of /proc/<pid>/stat (ticks after boot)
 * plus boot time. null when the process is gone.
 */
export async function processStartTime(procRoot: string, pid: number, bootTime: number): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(join(procRoot, String(pid), 'stat'), 'latin1');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]);
  return Number.isFinite(ticks) ? bootTime + ticks / CLOCK_TICKS_PER_SECOND : null;
}
