// Stats built from real cgroup v1 files of live Docker containers (captured on a hybrid host by
// scripts/capture-cgroup1-fixtures.sh) against Docker's one-shot stats read between two copies of the files:
// a value Docker reports must lie between what the "before" and "after" files give.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonUnder, v1Dirs } from '../helpers/fixtures.js';
import { batchOf, readAll } from '../helpers/token-batch.js';
import { cgroupFilePlan } from '../../lib/cgroup/plan.js';
import { buildCgroupStats } from '../../lib/cgroup/build.js';
import type { CgroupStats } from '../../lib/cgroup/build.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/cgroup1');

// The capture host's disk (lsblk): vda 254:0.
const deviceName = (major: number, minor: number) => (major === 254 && minor === 0 ? 'vda' : null);

function build(scenario: string, when: 'before' | 'after'): CgroupStats {
  const plan = cgroupFilePlan(v1Dirs(join(FIXTURES, scenario, when)), 1);
  return buildCgroupStats(plan, batchOf(readAll(plan.paths)), 0, deviceName);
}

const json = jsonUnder(FIXTURES);

function memTotal(scenario: string): number {
  const line = readFileSync(join(FIXTURES, scenario, 'before/proc/meminfo'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('MemTotal:'))!;
  return Number(line.split(/\s+/)[1]) * 1024;
}

/** before ≤ docker ≤ after for a counter. */
function between(value: number, before: number, after: number): void {
  expect(before).toBeLessThanOrEqual(value);
  expect(value).toBeLessThanOrEqual(after);
}

/** A gauge that may move either way between the reads: inside the two readings widened by 1%. */
function nearBoth(value: number, a: number, b: number): void {
  expect(value).toBeGreaterThanOrEqual(Math.min(a, b) * 0.99);
  expect(value).toBeLessThanOrEqual(Math.max(a, b) * 1.01);
}

const SCENARIOS = ['idle', 'mem', 'cache', 'cpu', 'pids', 'blkio'];

describe.each(SCENARIOS)('%s container', (scenario) => {
  const before = build(scenario, 'before');
  const after = build(scenario, 'after');
  const api = json(`${scenario}/_docker_api_stats.json`);
  const host = json(`${scenario}/_docker_inspect.json`)[0].HostConfig;
  const mem = api.memory_stats;

  it('memory matches Docker (limit capped at MemTotal; usage, working set, rss, cache between the readings)', () => {
    expect(before.memory.limit).toBe(host.Memory === 0 ? null : host.Memory);
    expect(Math.min(before.memory.limit ?? Infinity, memTotal(scenario))).toBe(mem.limit);
    nearBoth(mem.usage, before.memory.usage, after.memory.usage);
    nearBoth(mem.usage - mem.stats.total_inactive_file, before.memory.workingSet, after.memory.workingSet);
    nearBoth(mem.stats.total_rss, before.memory.rss, after.memory.rss);
    nearBoth(mem.stats.total_cache, before.memory.cache, after.memory.cache);
    between(mem.max_usage, before.memory.maxUsage!, after.memory.maxUsage!);
    for (const key of ['total_pgfault', 'total_pgpgin'])
      between(mem.stats[key], before.memory.stat[key]!, after.memory.stat[key]!);
  });

  it("swap from memsw: usage memsw - usage, limit memsw limit - limit (Docker's hierarchical_memsw_limit)", () => {
    expect(before.memory.swap.usage).not.toBeNull();
    expect(before.memory.swap.usage!).toBeGreaterThanOrEqual(0);
    const unlimited = mem.stats.hierarchical_memsw_limit >= 2 ** 62;
    expect(before.memory.swap.limit).toBe(
      unlimited ? null : mem.stats.hierarchical_memsw_limit - mem.stats.hierarchical_memory_limit,
    );
    // memory.stat's own copies of the limits: null where unlimited, never LONG_MAX.
    for (const key of ['hierarchical_memory_limit', 'hierarchical_memsw_limit'])
      expect(before.memory.stat[key]).toBe(mem.stats[key] >= 2 ** 62 ? null : mem.stats[key]);
  });

  it('cpu counters lie between the two readings; quota as configured', () => {
    const usage = api.cpu_stats.cpu_usage;
    between(usage.total_usage, before.cpu.usageNs, after.cpu.usageNs);
    between(usage.usage_in_usermode, before.cpu.userNs, after.cpu.userNs);
    between(usage.usage_in_kernelmode, before.cpu.systemNs, after.cpu.systemNs);
    expect(before.cpu.perCpuNs).toHaveLength(usage.percpu_usage.length);
    usage.percpu_usage.forEach((ns: number, cpu: number) =>
      between(ns, before.cpu.perCpuNs![cpu]!, after.cpu.perCpuNs![cpu]!),
    );
    const throttling = api.cpu_stats.throttling_data;
    between(throttling.periods, before.cpu.throttling.periods, after.cpu.throttling.periods);
    between(
      throttling.throttled_periods,
      before.cpu.throttling.throttledPeriods,
      after.cpu.throttling.throttledPeriods,
    );
    between(throttling.throttled_time, before.cpu.throttling.throttledNs, after.cpu.throttling.throttledNs);
    expect(before.cpu.limitCores).toBe(host.NanoCpus === 0 ? null : host.NanoCpus / 1e9);
    expect(before.cpu.cpusetCpus).toBe(api.cpu_stats.online_cpus);
  });

  it("blkio equals Docker's Read/Write entries per device, bytes and ops", () => {
    type Entry = { major: number; minor: number; op: string; value: number };
    const sum = (list: Entry[], op: string) =>
      list.filter((e) => e.op.toLowerCase() === op).reduce((s, e) => s + e.value, 0);
    const bytes: Entry[] = api.blkio_stats.io_service_bytes_recursive;
    const ops: Entry[] = api.blkio_stats.io_serviced_recursive;
    for (const stats of [before, after]) {
      expect(stats.blkio.readBytes).toBe(sum(bytes, 'read'));
      expect(stats.blkio.writeBytes).toBe(sum(bytes, 'write'));
      expect(stats.blkio.readOps).toBe(sum(ops, 'read'));
      expect(stats.blkio.writeOps).toBe(sum(ops, 'write'));
      expect(stats.blkio.devices.map((d) => `${d.major}:${d.minor}`)).toEqual([
        ...new Set(bytes.map((e) => `${e.major}:${e.minor}`)),
      ]);
    }
  });

  it('pids as Docker reports them (unlimited: no limit field)', () => {
    expect(before.pids.current).toBe(api.pids_stats.current);
    expect(after.pids.current).toBe(api.pids_stats.current);
    expect(before.pids.limit).toBe(api.pids_stats.limit ?? null);
    expect(before.pids.limit).toBe(host.PidsLimit ?? null);
  });

  it('pressure comes from the unified directory of the hybrid host', () => {
    expect(before.pressure?.value().cpu?.some).toBeDefined();
    expect(before.pressure?.value().memory).not.toBeNull();
    expect(before.pressure?.value().io).not.toBeNull();
  });
});

describe('scenario specifics', () => {
  it('mem: 40 MiB in /dev/shm is charged as cache under a 64 MiB limit with 64 MiB of swap allowed', () => {
    const stats = build('mem', 'before');
    expect(stats.memory.limit).toBe(64 * 2 ** 20);
    expect(stats.memory.swap.limit).toBe(64 * 2 ** 20);
    expect(stats.memory.cache).toBeGreaterThanOrEqual(40 * 2 ** 20);
    expect(stats.memory.usage).toBeLessThanOrEqual(64 * 2 ** 20);
  });
  it('cache: the 24 MiB just written sit in inactive_file and stay out of the working set', () => {
    const stats = build('cache', 'before');
    expect(stats.memory.stat['total_inactive_file']).toBeGreaterThanOrEqual(24 * 2 ** 20);
    expect(stats.memory.workingSet).toBeLessThan(stats.memory.usage - 24 * 2 ** 20 + 1);
  });
  it('cpu: throttled under --cpus 0.5', () => {
    const stats = build('cpu', 'after');
    expect(stats.cpu.limitCores).toBe(0.5);
    expect(stats.cpu.throttling.throttledPeriods).toBeGreaterThan(0);
    expect(stats.cpu.throttling.throttledNs).toBeGreaterThan(0);
  });
  it('blkio: 20 MiB written with O_DIRECT, to vda, through the throttle counters', () => {
    const plan = cgroupFilePlan(v1Dirs(join(FIXTURES, 'blkio/after')), 1);
    const results = readAll(plan.paths);
    const stats = buildCgroupStats(plan, batchOf(results), 0, deviceName);
    expect(stats.blkio.writeBytes).toBe(20 * 2 ** 20);
    // 20 writes of 1 MiB: at least 20 requests (the block layer may split them).
    expect(stats.blkio.writeOps).toBeGreaterThanOrEqual(20);
    expect(stats.blkio.devices).toEqual([
      {
        major: 254,
        minor: 0,
        name: 'vda',
        readBytes: 0,
        writeBytes: 20 * 2 ** 20,
        readOps: 0,
        writeOps: stats.blkio.writeOps,
      },
    ]);
    // The bfq files exist but are empty (vda uses mq-deadline): the throttle set was picked.
    expect(readFileSync(join(FIXTURES, 'blkio/after/blkio/blkio.bfq.io_service_bytes_recursive'), 'utf8').trim()).toBe(
      'Total 0',
    );
    expect(batchOf(results).keyNames.devicesFrom(0)).toEqual([[254, 0]]);
  });
  it('pids: 6 tasks under --pids-limit 50', () => {
    expect(build('pids', 'before').pids).toEqual({ current: 6, limit: 50 });
  });
});
