// Live cgroup v1 containers read through the plan/build functions (plain fs reads standing in for the
// native batch) against Docker's one-shot stats read between two readings of the files.
// Needs root and a Docker engine with the cgroupfs driver on a v1/hybrid host. Without any of them the
// tests skip, except under CI=true where that is a failure (the CI machine is a hybrid host).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NativeFailure } from '../../lib/native.js';
import type { CgroupDirs } from '../../lib/discovery/types.js';
import { cgroupFilePlan } from '../../lib/cgroup/plan.js';
import { buildCgroupStats } from '../../lib/cgroup/build.js';
import type { CgroupStats } from '../../lib/cgroup/build.js';
import { createDeviceNameResolver } from '../../lib/cgroup/devices.js';
import { CgroupGoneError } from '../../lib/cgroup/errors.js';
import { buildHostStats, hostFilePaths } from '../../lib/host.js';
import { requireCgroupV1, requireDocker, requireRoot } from '../helpers/env.js';
import { batchOf, readAll } from '../helpers/token-batch.js';

const CG = '/sys/fs/cgroup';
const IMAGE = 'bb:local';
const prefix = `ctc-live-${process.pid}`;
const names = { limited: `${prefix}-lim`, writer: `${prefix}-io` };
const volume = `${prefix}-vol`;

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

const live = requireRoot() && requireDocker() && requireCgroupV1();

function dockerDirs(id: string): CgroupDirs {
  const at = (controller: string) => `${CG}/${controller}/docker/${id}`;
  return {
    memory: at('memory'),
    cpu: at('cpu'),
    cpuacct: at('cpuacct'),
    blkio: at('blkio'),
    pids: at('pids'),
    cpuset: at('cpuset'),
    unified: existsSync(at('unified')) ? at('unified') : null,
  };
}

function apiStats(id: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: '/var/run/docker.sock', path: `/containers/${id}/stats?stream=false&one-shot=true` },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () =>
          res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${res.statusCode}: ${body}`)),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

// The resolver takes readTexts' answers: a file that cannot be read is null.
const resolver = createDeviceNameResolver('/sys', async (paths) =>
  readAll(paths).map((answer) => (typeof answer === 'string' ? answer : null)),
);

/** Reads the files, then Docker's stats, then the files again. */
async function sample(id: string): Promise<{
  before: CgroupStats;
  api: any;
  after: CgroupStats;
  hostBefore: ReturnType<typeof buildHostStats>;
  hostAfter: ReturnType<typeof buildHostStats>;
}> {
  const plan = cgroupFilePlan(dockerDirs(id), 1);
  const paths = [...plan.paths, ...hostFilePaths('/proc')];
  const first = readAll(paths);
  const api = await apiStats(id);
  const second = readAll(paths);
  const split = (results: Array<string | NativeFailure>) => batchOf(results.slice(0, plan.paths.length));
  await resolver.preload([...split(first).keyNames.devicesFrom(0), ...split(second).keyNames.devicesFrom(0)]);
  return {
    before: buildCgroupStats(plan, split(first), 0, resolver.lookup),
    api,
    after: buildCgroupStats(plan, split(second), 0, resolver.lookup),
    hostBefore: buildHostStats('/proc', first.slice(plan.paths.length)),
    hostAfter: buildHostStats('/proc', second.slice(plan.paths.length)),
  };
}

function between(value: number, before: number, after: number): void {
  expect(before).toBeLessThanOrEqual(value);
  expect(value).toBeLessThanOrEqual(after);
}

function waitForLog(name: string, text: string): void {
  for (let i = 0; i < 100; i++) {
    // dd reports on stderr.
    const logs = spawnSync('docker', ['logs', name], { encoding: 'utf8' });
    if (`${logs.stdout}${logs.stderr}`.includes(text)) return;
    execFileSync('sleep', ['0.1']);
  }
  throw new Error(`timed out waiting for "${text}" from ${name}`);
}

/** The whole disk holding Docker's volumes ("/dev/vda"), found through /sys/dev/block. */
function diskOfDockerRoot(): string {
  const device = execFileSync('findmnt', ['-n', '-o', 'MAJ:MIN', '--target', '/var/lib/docker'], {
    encoding: 'utf8',
  }).trim();
  const sysDir = `/sys/dev/block/${device}`;
  const diskDir = existsSync(`${sysDir}/partition`) ? `${sysDir}/..` : sysDir;
  const devname = readFileSync(`${diskDir}/uevent`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('DEVNAME='))!;
  return `/dev/${devname.slice('DEVNAME='.length)}`;
}

describe.skipIf(!live)('cgroup v1 live containers', () => {
  const ids: Record<keyof typeof names, string> = { limited: '', writer: '' };
  let disk = '';

  beforeAll(() => {
    for (const name of Object.values(names)) execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    execFileSync('bash', [join(import.meta.dirname, '../../scripts/docker-test-image.sh'), IMAGE], {
      stdio: 'inherit',
    });
    disk = diskOfDockerRoot();
    ids.limited = docker(
      'run',
      '-d',
      '--name',
      names.limited,
      '--memory',
      '64m',
      '--memory-swap',
      '128m',
      '--cpus',
      '0.5',
      '--pids-limit',
      '50',
      IMAGE,
      'sh',
      '-c',
      'dd if=/dev/zero of=/dev/shm/x bs=1M count=24; while :; do :; done',
    );
    docker('volume', 'create', volume);
    ids.writer = docker(
      'run',
      '-d',
      '--name',
      names.writer,
      '--device-write-bps',
      `${disk}:500mb`,
      '-v',
      `${volume}:/data`,
      IMAGE,
      'sh',
      '-c',
      'dd if=/dev/zero of=/data/f bs=1M count=8 oflag=direct; sleep 3600',
    );
    waitForLog(names.limited, 'records out');
    waitForLog(names.writer, 'records out');
    execFileSync('sleep', ['1.5']);
  });

  afterAll(() => {
    for (const name of Object.values(names)) execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    execFileSync('docker', ['volume', 'rm', '-f', volume], { stdio: 'ignore' });
  });

  it('limited container: limits exact, counters between the readings', async () => {
    const { before, api, after, hostBefore, hostAfter } = await sample(ids.limited);
    expect(before.memory.limit).toBe(64 * 2 ** 20);
    expect(api.memory_stats.limit).toBe(before.memory.limit);
    expect(before.memory.swap.limit).toBe(
      api.memory_stats.stats.hierarchical_memsw_limit - api.memory_stats.stats.hierarchical_memory_limit,
    );
    expect(before.memory.cache).toBeGreaterThanOrEqual(24 * 2 ** 20);
    const lo = Math.min(before.memory.usage, after.memory.usage) * 0.99;
    const hi = Math.max(before.memory.usage, after.memory.usage) * 1.01;
    expect(api.memory_stats.usage).toBeGreaterThanOrEqual(lo);
    expect(api.memory_stats.usage).toBeLessThanOrEqual(hi);
    const cpu = api.cpu_stats;
    between(cpu.cpu_usage.total_usage, before.cpu.usageNs, after.cpu.usageNs);
    between(cpu.cpu_usage.usage_in_usermode, before.cpu.userNs, after.cpu.userNs);
    between(
      cpu.throttling_data.throttled_periods,
      before.cpu.throttling.throttledPeriods,
      after.cpu.throttling.throttledPeriods,
    );
    between(cpu.throttling_data.throttled_time, before.cpu.throttling.throttledNs, after.cpu.throttling.throttledNs);
    expect(after.cpu.throttling.throttledPeriods).toBeGreaterThan(0);
    expect(before.cpu.limitCores).toBe(0.5);
    expect(before.pids).toEqual({ current: api.pids_stats.current, limit: 50 });
    between(cpu.system_cpu_usage, hostBefore.systemCpuNs, hostAfter.systemCpuNs);
    expect(hostBefore.onlineCpus).toBe(cpu.online_cpus);
  });

  it("writer: blkio bytes and ops equal Docker's Read/Write entries, device named", async () => {
    const { before, api, after } = await sample(ids.writer);
    type Entry = { major: number; minor: number; op: string; value: number };
    const sum = (list: Entry[], op: string) =>
      list.filter((e) => e.op.toLowerCase() === op).reduce((s, e) => s + e.value, 0);
    for (const stats of [before, after]) {
      expect(stats.blkio.writeBytes).toBe(sum(api.blkio_stats.io_service_bytes_recursive, 'write'));
      expect(stats.blkio.writeOps).toBe(sum(api.blkio_stats.io_serviced_recursive, 'write'));
      expect(stats.blkio.readBytes).toBe(sum(api.blkio_stats.io_service_bytes_recursive, 'read'));
    }
    expect(before.blkio.writeBytes).toBe(8 * 2 ** 20);
    expect(before.blkio.devices.map((d) => `/dev/${d.name}`)).toEqual([disk]);
    expect(before.pids.limit).toBe(api.pids_stats.limit ?? null);
  });

  it('a removed container reads as gone', async () => {
    const dirs = dockerDirs(ids.writer);
    const plan = cgroupFilePlan(dirs, 1);
    docker('rm', '-f', names.writer);
    expect(() => buildCgroupStats(plan, batchOf(readAll(plan.paths)), 0, resolver.lookup)).toThrow(CgroupGoneError);
  });
});
