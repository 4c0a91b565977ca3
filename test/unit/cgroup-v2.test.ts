// Stats built from real cgroup v2 files (test/fixtures/cgroup2, see its README) against Docker's own
// numbers captured beside them: _docker_api_stats.json, _docker_inspect.json, ../docker-stats.jsonl.
// The API JSON was taken a little after the files, so counters are compared as "not above Docker's".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonUnder } from '../helpers/fixtures.js';
import { batchOf, readAll } from '../helpers/token-batch.js';
import type { CgroupDirs } from '../../lib/discovery/types.js';
import { cgroupFilePlan } from '../../lib/cgroup/plan.js';
import { buildCgroupStats } from '../../lib/cgroup/build.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/cgroup2');

function v2Dirs(dir: string): CgroupDirs {
  return { memory: dir, cpu: dir, cpuacct: dir, blkio: dir, pids: dir, cpuset: dir, unified: dir };
}

/** The huge page sizes of the VM the fixtures come from (x86_64: 2 MiB and 1 GiB). */
const VM_HOST = { hugetlb: ['1GB', '2MB'] };

// README: swap on /dev/vda (254:0), scratch disk /dev/vdb (254:16), docker disk /dev/vdc (254:32).
const VM_DEVICES: Record<string, string> = { '254:0': 'vda', '254:16': 'vdb', '254:32': 'vdc' };
const vmDeviceName = (major: number, minor: number) => VM_DEVICES[`${major}:${minor}`] ?? null;

function build(relative: string) {
  const dir = join(FIXTURES, relative);
  const plan = cgroupFilePlan(v2Dirs(dir), 2, VM_HOST);
  const results = readAll(plan.paths);
  return { plan, results, stats: buildCgroupStats(plan, batchOf(results), 0, vmDeviceName) };
}

const json = jsonUnder(FIXTURES);

function within(actual: number, expected: number, fraction: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * fraction);
}

describe.each([
  ['docker-cgroupfs/lim', 'docker-cgroupfs/docker-info.json'],
  ['systemd-boot/docker-systemd/lim', 'systemd-boot/docker-systemd/docker-info.json'],
])('%s (--memory 64m --memory-swap 128m --pids-limit 50 --cpus 0.5, 40 MB written)', (fixture, info) => {
  const { stats, plan, results } = build(fixture);
  const api = json(`${fixture}/_docker_api_stats.json`);
  const host = json(`${fixture}/_docker_inspect.json`)[0].HostConfig;
  const memTotal: number = json(info).MemTotal;

  it('memory: limits as configured and as Docker reports; usage and working set as Docker computes them', () => {
    expect(stats.memory.limit).toBe(host.Memory);
    // Docker caps the limit at the machine's memory.
    expect(Math.min(stats.memory.limit ?? Infinity, memTotal)).toBe(api.memory_stats.limit);
    expect(stats.memory.swap.limit).toBe(host.MemorySwap - host.Memory);
    within(stats.memory.usage, api.memory_stats.usage, 0.01);
    // docker CLI: usage - inactive_file.
    within(stats.memory.workingSet, api.memory_stats.usage - api.memory_stats.stats.inactive_file, 0.01);
    within(stats.memory.rss, api.memory_stats.stats.anon, 0.01);
    within(stats.memory.cache, api.memory_stats.stats.file, 0.01);
    expect(stats.memory.maxUsage).not.toBeNull();
    expect(stats.memory.maxUsage!).toBeGreaterThanOrEqual(stats.memory.usage);
    expect(stats.memory.stat['inactive_file']).toBe(api.memory_stats.stats.inactive_file);
  });

  it("cpu: counters in ns not above Docker's later reading, quota 0.5 cores, throttled", () => {
    const usage = api.cpu_stats.cpu_usage;
    expect(stats.cpu.usageNs).toBeGreaterThan(0);
    expect(stats.cpu.usageNs).toBeLessThanOrEqual(usage.total_usage);
    expect(stats.cpu.userNs).toBeLessThanOrEqual(usage.usage_in_usermode);
    expect(stats.cpu.systemNs).toBeLessThanOrEqual(usage.usage_in_kernelmode);
    // µs × 1000: every value is a whole number of microseconds, as Docker's are.
    expect(stats.cpu.usageNs % 1000).toBe(0);
    expect(usage.total_usage % 1000).toBe(0);
    expect(stats.cpu.perCpuNs).toBeNull();
    expect(stats.cpu.limitCores).toBe(host.NanoCpus / 1e9);
    const throttling = api.cpu_stats.throttling_data;
    expect(stats.cpu.throttling.throttledPeriods).toBeGreaterThan(0);
    expect(stats.cpu.throttling.periods).toBeLessThanOrEqual(throttling.periods);
    expect(stats.cpu.throttling.throttledPeriods).toBeLessThanOrEqual(throttling.throttled_periods);
    expect(stats.cpu.throttling.throttledNs).toBeLessThanOrEqual(throttling.throttled_time);
    expect(stats.cpu.cpusetCpus).toBe(api.cpu_stats.online_cpus);
  });

  it("blkio: bytes per device equal Docker's io_service_bytes_recursive (the writes had ended)", () => {
    const entries: Array<{ major: number; minor: number; op: string; value: number }> =
      api.blkio_stats.io_service_bytes_recursive;
    const sum = (op: string) => entries.filter((e) => e.op.toLowerCase() === op).reduce((s, e) => s + e.value, 0);
    expect(stats.blkio.writeBytes).toBe(sum('write'));
    expect(stats.blkio.readBytes).toBe(sum('read'));
    expect(stats.blkio.writeBytes).toBe(40 * 1024 * 1024);
    expect(stats.blkio.devices.map((d) => [d.major, d.minor, d.name])).toEqual(
      [...new Set(entries.map((e) => `${e.major}:${e.minor}`))].map((k) => [
        ...k.split(':').map(Number),
        VM_DEVICES[k],
      ]),
    );
    expect(stats.blkio.writeOps).toBeGreaterThan(0);
    expect(batchOf(results).keyNames.devicesFrom(0)).toEqual(stats.blkio.devices.map((d) => [d.major, d.minor]));
  });

  it('hugetlb: every page size of the host, unlimited and unused; memory.events', () => {
    const page = { usage: 0, maxUsage: null, limit: null, failcnt: 0 };
    expect(stats.hugetlb).toEqual({ '1GB': page, '2MB': page });
    expect(
      plan.paths
        .filter((path) => path.includes('/hugetlb.'))
        .map((path) => path.slice(path.lastIndexOf('/') + 1))
        .sort(),
    ).toEqual([
      'hugetlb.1GB.current',
      'hugetlb.1GB.events',
      'hugetlb.1GB.max',
      'hugetlb.2MB.current',
      'hugetlb.2MB.events',
      'hugetlb.2MB.max',
    ]);
    expect(stats.memory.events).not.toBeNull();
    expect(stats.memory.failcnt).toBe(stats.memory.events!.max);
  });

  it('pids and pressure', () => {
    expect(stats.pids).toEqual({ current: api.pids_stats.current, limit: api.pids_stats.limit });
    expect(stats.pids.limit).toBe(host.PidsLimit);
    expect(stats.pressure?.value().cpu?.full).not.toBeNull();
    // A busy loop under a 0.5-core quota stalls on cpu.
    expect(stats.pressure!.value().cpu!.some.totalNs).toBeGreaterThan(0);
    expect(stats.pressure!.value().memory).not.toBeNull();
    expect(stats.pressure!.value().io).not.toBeNull();
  });
});

describe.each([
  ['docker-cgroupfs/unl', 'docker-cgroupfs'],
  ['systemd-boot/docker-systemd/unl', 'systemd-boot/docker-systemd'],
])('%s (no limits)', (fixture, parent) => {
  const { stats } = build(fixture);
  const cli = readFileSync(join(FIXTURES, parent, 'docker-stats.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .find((row) => row.Name === 'unl');
  const memTotal: number = json(`${parent}/docker-info.json`).MemTotal;

  it('reports no memory, swap or cpu limit where docker shows the machine memory', () => {
    expect(stats.memory.limit).toBeNull();
    expect(stats.memory.swap.limit).toBeNull();
    expect(stats.cpu.limitCores).toBeNull();
    // docker CLI prints the capped limit in binary units with 4 significant digits ("1.919GiB").
    expect(cli.MemUsage.split(' / ')[1]).toBe(`${(memTotal / 2 ** 30).toFixed(3)}GiB`);
  });

  it('matches the CLI row for pids and block I/O', () => {
    expect(stats.pids.current).toBe(Number(cli.PIDs));
    expect(cli.BlockIO).toBe('0B / 0B');
    expect(stats.blkio.readBytes + stats.blkio.writeBytes).toBe(0);
    expect(stats.blkio.devices).toEqual([]);
  });

  it('reports throttling counters (cpu controller on) as zero without a quota', () => {
    expect(stats.cpu.throttling).toEqual({ periods: 0, throttledPeriods: 0, throttledNs: 0 });
  });
});

describe('cgroup-limited-running (README: memory.max 96M, swap.max 256M, pids.max 64, cpu.max 50000 100000, ~20 MB swapped, dd on vdb)', () => {
  const { stats } = build('cgroup-limited-running');
  it('has the limits the README states', () => {
    expect(stats.memory.limit).toBe(96 * 2 ** 20);
    expect(stats.memory.swap.limit).toBe(256 * 2 ** 20);
    expect(stats.pids.limit).toBe(64);
    expect(stats.cpu.limitCores).toBe(0.5);
  });
  it('shows the workload: swapped out, over memory.high, throttled, writing to vdb', () => {
    expect(stats.memory.swap.usage!).toBeGreaterThan(15e6);
    expect(stats.memory.swap.usage!).toBeLessThan(25e6);
    expect(stats.memory.usage).toBeGreaterThan(80 * 2 ** 20 * 0.9);
    expect(stats.memory.usage).toBeLessThanOrEqual(stats.memory.limit!);
    expect(stats.memory.maxUsage!).toBeGreaterThanOrEqual(stats.memory.usage);
    expect(stats.cpu.throttling.throttledPeriods).toBeGreaterThan(0);
    const vdb = stats.blkio.devices.find((d) => d.name === 'vdb');
    expect(vdb?.writeBytes).toBeGreaterThan(0);
    // cgroup.procs lists 2 processes; pids.current counts their threads.
    expect(stats.pids.current).toBeGreaterThanOrEqual(2);
  });
  it('has no cpuset figure: the cpuset controller is not enabled there', () => {
    expect(readFileSync(join(FIXTURES, 'cgroup-limited-running/cgroup.controllers'), 'utf8')).not.toMatch(/cpuset/);
    expect(stats.cpu.cpusetCpus).toBeNull();
  });
  it('counts the memory.high breaches in memory.events, and no hugetlb figures without the controller', () => {
    expect(stats.memory.events).toEqual({ low: 0, high: 190, max: 0, oom: 0, oomKill: 0, oomGroupKill: 0 });
    expect(stats.memory.failcnt).toBe(0);
    expect(stats.memory.oomEvents).toBe(0);
    expect(stats.hugetlb).toBeNull();
  });
});

describe('cgroup-unlimited-empty (README: memory.max "max", cpu.max "max 100000", empty io.stat)', () => {
  const { stats } = build('cgroup-unlimited-empty');
  it('maps every "max" to null and the empty io.stat to no devices', () => {
    expect(stats.memory.limit).toBeNull();
    expect(stats.cpu.limitCores).toBeNull();
    expect(stats.pids.limit).toBeNull();
    expect(stats.blkio).toEqual({ readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0, devices: [] });
    expect(stats.pressure?.value().cpu?.some.totalNs).toBe(0);
  });
});

describe('uml-nopsi-docker-lim (README: no PSI files, no cpuset files, HZ=100 cpu.stat)', () => {
  const { stats } = build('uml-nopsi-docker-lim');
  it('has no pressure, no cpuset and no hugetlb figure', () => {
    expect(stats.pressure).toBeNull();
    expect(stats.cpu.cpusetCpus).toBeNull();
    expect(stats.hugetlb).toBeNull();
  });
  it('keeps the tick granularity of an HZ=100 kernel (whole 10 ms)', () => {
    for (const ns of [stats.cpu.usageNs, stats.cpu.userNs, stats.cpu.systemNs]) expect(ns % 10_000_000).toBe(0);
  });
  it('has the limits of the same docker flags', () => {
    expect(stats.memory.limit).toBe(64 * 2 ** 20);
    expect(stats.memory.swap.limit).toBe(64 * 2 ** 20);
    expect(stats.pids.limit).toBe(50);
    expect(stats.cpu.limitCores).toBe(0.5);
    expect(stats.blkio.writeBytes).toBe(40 * 1024 * 1024);
  });
});
