// The machine's own figures the agent serves beside the containers' (acadock's /host/usage, /api/v1/host,
// machine_* metrics): small /proc files read once per sweep, under the host's /proc when the agent runs
// in a container.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseLoadavg, parseMeminfo, parseProcStatLines } from '../host.js';

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

function cpuTimes(text: string): Pick<HostReading, 'cpus' | 'cpuTotalTicks' | 'cpuIdleTicks' | 'bootTime'> {
  const { onlineCpus, cpuTicks, bootTime } = parseProcStatLines(text);
  // user nice system idle iowait irq softirq steal (guest and guest_nice are already inside user and nice).
  const busyAndIdle = cpuTicks.slice(0, 8);
  return {
    cpus: onlineCpus,
    cpuTotalTicks: busyAndIdle.reduce((sum, value) => sum + value, 0),
    cpuIdleTicks: (cpuTicks[3] ?? 0) + (cpuTicks[4] ?? 0),
    bootTime: bootTime ?? 0,
  };
}

function memoryOf(text: string): HostReading['memory'] {
  const { fields } = parseMeminfo(text);
  return {
    total: fields['MemTotal'] ?? 0,
    free: fields['MemFree'] ?? 0,
    available: fields['MemAvailable'] ?? null,
    buffers: fields['Buffers'] ?? 0,
    cached: fields['Cached'] ?? 0,
    swapTotal: fields['SwapTotal'] ?? 0,
    swapFree: fields['SwapFree'] ?? 0,
  };
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
    ...cpuTimes(stat),
    memory: memoryOf(meminfo),
    load: parseLoadavg(loadavg),
  };
}

/** Share of CPU time not idle between two readings (0..1), or null when no time passed. */
export function busyFraction(prev: HostReading, next: HostReading): number | null {
  const total = next.cpuTotalTicks - prev.cpuTotalTicks;
  const idle = next.cpuIdleTicks - prev.cpuIdleTicks;
  return total > 0 ? Math.min(1, Math.max(0, (total - idle) / total)) : null;
}
