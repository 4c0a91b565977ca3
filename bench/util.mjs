// Small shared pieces of the benchmark: statistics, process accounting, compiling the C programs.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const repoDir = dirname(benchDir);
export const workDir = join(benchDir, '.work');
/**
 * The prefix of everything the benchmark makes on the host (Docker containers `<prefix>-bench-<i>`, the
 * synthetic cgroup group `<prefix>-bench`, the fake container cgroups of the host-scale section), and the
 * only things its cleanup removes. CTRSTAT_BENCH_PREFIX sets it, so that two runs on one machine stay apart.
 */
export const PREFIX = process.env.CTRSTAT_BENCH_PREFIX || 'ctb';
if (!/^[a-z][a-z0-9]{1,15}$/.test(PREFIX))
  throw new Error(`CTRSTAT_BENCH_PREFIX: ${PREFIX} is not 2-16 lowercase letters and digits`);

export function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Rounds for display and JSON: 3 significant digits below 100, integers above. */
export function round(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value);
  if (abs >= 10) return Math.round(value * 10) / 10;
  if (abs >= 1) return Math.round(value * 100) / 100;
  return Number(value.toPrecision(3));
}

/** This process's CPU time (user + system, every thread) in ms. */
export function processCpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

const DAEMON_NAME = /^(dockerd|containerd|containerd-shim.*|docker-proxy)$/;

/**
 * utime + stime of dockerd, containerd and every containerd-shim*, per pid, in ms (the kernel counts in
 * clock ticks of 1/CLK_TCK s). docker-proxy is counted too when present.
 */
export function daemonCpuSnapshot() {
  const snapshot = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const open = text.indexOf('(');
      const close = text.lastIndexOf(')');
      const comm = text.slice(open + 1, close);
      if (!DAEMON_NAME.test(comm)) continue;
      const fields = text.slice(close + 2).split(' ');
      // fields[0] is field 3 (state): utime is field 14, stime field 15.
      const ticks = Number(fields[11]) + Number(fields[12]);
      snapshot.set(entry, { comm, ms: (ticks * 1000) / CLK_TCK });
    } catch {
      // The process went away between readdir and read.
    }
  }
  return snapshot;
}

/** CPU ms the daemons spent between two snapshots (processes that appeared count whole). */
export function daemonCpuDelta(before, after) {
  let total = 0;
  for (const [pid, { ms }] of after) total += ms - (before.get(pid)?.ms ?? 0);
  return total;
}

export const clockTickMs = 1000 / CLK_TCK;

export function openFdCount() {
  return readdirSync('/proc/self/fd').length;
}

export function rssMb() {
  return process.memoryUsage().rss / (1024 * 1024);
}

export function machineInfo(argv) {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  let cgroupMode = 'unknown';
  try {
    const fsType = execFileSync('stat', ['-f', '-c', '%T', '/sys/fs/cgroup'], { encoding: 'utf8' }).trim();
    if (fsType === 'cgroup2fs') cgroupMode = 'v2 (unified)';
    else if (existsSync('/sys/fs/cgroup/unified/cgroup.controllers'))
      cgroupMode = 'v1 hybrid (v1 controllers + /sys/fs/cgroup/unified)';
    else cgroupMode = 'v1';
  } catch {
    // keep unknown
  }
  let memTotalMb = null;
  const mem = /^MemTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  if (mem) memTotalMb = Math.round(Number(mem[1]) / 1024);
  return {
    cpuModel: model,
    cores: os.cpus().length,
    memTotalMb,
    kernel: os.release(),
    cgroupMode,
    node: process.version,
    date: new Date().toISOString(),
    command: ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' '),
  };
}

/** Compiles a C program of bench/ into bench/.work/ when missing or older than its source. */
export function compileC(name, extraFlags = []) {
  mkdirSync(workDir, { recursive: true });
  const source = join(benchDir, `${name}.c`);
  const output = join(workDir, name);
  if (existsSync(output) && statSync(output).mtimeMs >= statSync(source).mtimeMs) return output;
  execFileSync('cc', ['-O2', '-Wall', '-o', output, source, ...extraFlags], { stdio: ['ignore', 'ignore', 'pipe'] });
  return output;
}

export async function sleep(ms) {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Newest modification time of the files below dir whose names pass the filter. */
export function newestMtime(dir, filter) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, filter));
    else if (filter(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}
