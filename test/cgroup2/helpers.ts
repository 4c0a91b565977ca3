// Kernel-file readers, process and Docker API helpers for the live cgroup v2 tier. Everything
// here reads the kernel directly, independently of lib/, so it can serve as the oracle.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { promisify } from 'node:util';

export const CGROUP_ROOT = '/sys/fs/cgroup';
export const MiB = 1024 * 1024;

const execFileP = promisify(execFile);

/** Runs a program, returns trimmed stdout; the error names the command and its stderr. */
export async function run(file: string, args: string[], timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout } = await execFileP(file, args, { timeout: timeoutMs, maxBuffer: 64 * MiB });
    return stdout.trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`, { cause: error });
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until check() returns a truthy value; the error carries the last state seen. */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 90_000,
  everyMs = 250,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await sleep(everyMs);
  }
}

/** Absolute directory of a cgroup path ("/docker/<id>" -> "/sys/fs/cgroup/docker/<id>"). */
export const cgroupDir = (path: string) => CGROUP_ROOT + (path === '/' ? '' : path);

export function readText(file: string): string {
  return readFileSync(file, 'utf8');
}

/** A single-value file: a number, or null for "max". */
export function readValue(dir: string, file: string): number | null {
  const text = readText(`${dir}/${file}`).trim();
  return text === 'max' ? null : Number(text);
}

/** "key value" lines (cpu.stat, memory.stat, memory.events). */
export function readFlat(dir: string, file: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readText(`${dir}/${file}`).split('\n')) {
    const [key, value] = line.split(' ');
    if (key && value !== undefined) out[key] = Number(value);
  }
  return out;
}

export interface IoStatLine {
  major: number;
  minor: number;
  rbytes: number;
  wbytes: number;
  rios: number;
  wios: number;
}

/** io.stat: "254:16 rbytes=.. wbytes=.. rios=.. wios=.. dbytes=.. dios=..". */
export function readIoStat(dir: string): IoStatLine[] {
  const lines: IoStatLine[] = [];
  for (const line of readText(`${dir}/io.stat`).split('\n')) {
    if (!line.trim()) continue;
    const [dev, ...pairs] = line.trim().split(/\s+/);
    const [major, minor] = dev!.split(':').map(Number);
    const kv = Object.fromEntries(pairs.map((p) => p.split('=')).map(([k, v]) => [k, Number(v)]));
    lines.push({
      major: major!,
      minor: minor!,
      rbytes: kv.rbytes ?? 0,
      wbytes: kv.wbytes ?? 0,
      rios: kv.rios ?? 0,
      wios: kv.wios ?? 0,
    });
  }
  return lines;
}

export interface PsiLine {
  avg10: number;
  avg60: number;
  avg300: number;
  total: number;
}

/** A *.pressure file: { some, full }; total in microseconds, as the kernel writes it. */
export function readPressure(dir: string, resource: 'cpu' | 'memory' | 'io'): { some: PsiLine; full: PsiLine | null } {
  const parsed: Record<string, PsiLine> = {};
  for (const line of readText(`${dir}/${resource}.pressure`).split('\n')) {
    const [kind, ...pairs] = line.trim().split(/\s+/);
    if (!kind || pairs.length === 0) continue;
    const kv = Object.fromEntries(pairs.map((p) => p.split('=')).map(([k, v]) => [k, Number(v)]));
    parsed[kind] = { avg10: kv.avg10!, avg60: kv.avg60!, avg300: kv.avg300!, total: kv.total! };
  }
  return { some: parsed.some!, full: parsed.full ?? null };
}

/** Processes of a cgroup (not its children). */
export function cgroupProcs(dir: string): number[] {
  return readText(`${dir}/cgroup.procs`).split('\n').filter(Boolean).map(Number);
}

/** The v2 cgroup path of a process ("0::/path"). */
export function procCgroup(pid: number): string {
  const line = readText(`/proc/${pid}/cgroup`)
    .split('\n')
    .find((l) => l.startsWith('0::'));
  if (!line) throw new Error(`/proc/${pid}/cgroup has no unified (0::) line`);
  return line.slice(3);
}

/** "254:16" -> "vdb" via /sys/dev/block. */
export function blockDeviceName(major: number, minor: number): string | null {
  try {
    const devname = readText(`/sys/dev/block/${major}:${minor}/uevent`).match(/^DEVNAME=(.+)$/m);
    return devname ? devname[1]! : null;
  } catch {
    return null;
  }
}

export function majorMinorOf(devPath: string): { major: number; minor: number } {
  const name = devPath.replace(/^\/dev\//, '');
  const [major, minor] = readText(`/sys/class/block/${name}/dev`).trim().split(':').map(Number);
  return { major: major!, minor: minor! };
}

// ---------- Docker Engine API over the unix socket ----------

export const DOCKER_SOCKET = '/var/run/docker.sock';

export function dockerApi<T = unknown>(path: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: DOCKER_SOCKET, path, method: 'GET', timeout: timeoutMs, headers: { Host: 'localhost' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 300) reject(new Error(`docker API ${path}: ${res.statusCode} ${body.trim()}`));
          else {
            try {
              resolve(JSON.parse(body) as T);
            } catch (error) {
              reject(new Error(`docker API ${path}: bad JSON: ${String(error)}`));
            }
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`docker API ${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** The part of Docker's stats JSON (API 1.41, cgroup v2) the tests compare with. */
export interface DockerStats {
  read: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: {
    io_service_bytes_recursive: Array<{ major: number; minor: number; op: string; value: number }> | null;
    io_serviced_recursive: Array<{ major: number; minor: number; op: string; value: number }> | null;
  };
  cpu_stats: {
    cpu_usage: { total_usage: number; usage_in_kernelmode: number; usage_in_usermode: number };
    system_cpu_usage: number;
    online_cpus: number;
    throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
  };
  memory_stats: { usage: number; limit: number; stats: Record<string, number> };
  networks?: Record<string, { rx_bytes: number; tx_bytes: number; rx_packets: number; tx_packets: number }>;
}

/** One stats sample, without the one-second wait for a "previous" sample. */
export const dockerStats = (id: string) => dockerApi<DockerStats>(`/containers/${id}/stats?stream=false&one-shot=true`);

export interface DockerInspect {
  Id: string;
  Name: string;
  State: { Pid: number; Running: boolean };
  HostConfig: { NanoCpus: number; Memory: number; MemorySwap: number; PidsLimit: number | null };
}

export const dockerInspect = (id: string) => dockerApi<DockerInspect>(`/containers/${id}/json`);
