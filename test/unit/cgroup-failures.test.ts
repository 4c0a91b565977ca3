// What buildCgroupStats does with per-file failures of a batch: the v2 "lim" fixture's real files, with
// chosen answers replaced by the failures the kernel gives.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { v1Dirs } from '../helpers/fixtures.js';
import { describe, expect, it } from 'vitest';
import { batchOf } from '../helpers/token-batch.js';
import type { NativeFailure } from '../../lib/native.js';
import { PermissionDeniedError, UnsupportedLayoutError, CGROUP_PRIVILEGE_HINT } from '../../lib/errors.js';
import { cgroupFilePlan } from '../../lib/cgroup/plan.js';
import { buildCgroupStats } from '../../lib/cgroup/build.js';
import { CgroupGoneError } from '../../lib/cgroup/errors.js';
import { CgroupFormatError } from '../../lib/errors.js';

const DIR = join(import.meta.dirname, '../fixtures/cgroup2/docker-cgroupfs/lim');
const plan = cgroupFilePlan(
  { memory: DIR, cpu: DIR, cpuacct: DIR, blkio: DIR, pids: DIR, cpuset: DIR, unified: DIR },
  2,
);
const noNames = () => null;

/** The fixture's files, with some replaced: a number is a negative errno, a string new content. */
function answers(replace: Record<string, number | string>): Array<string | NativeFailure> {
  return plan.paths.map((path) => {
    const name = path.slice(DIR.length + 1);
    const replacement = replace[name];
    if (typeof replacement === 'number') return { errno: replacement, syscall: 'open', path };
    if (typeof replacement === 'string') return replacement;
    return readFileSync(path, 'latin1');
  });
}

const ENOENT = -2,
  ESRCH = -3,
  EIO = -5,
  EACCES = -13,
  ENODEV = -19,
  EOPNOTSUPP = -95;

describe('required files', () => {
  it.each([ENOENT, ENODEV, ESRCH])('errno %i on memory.current means the cgroup is gone', (errno) => {
    const err = (() => {
      try {
        buildCgroupStats(plan, batchOf(answers({ 'memory.current': errno })), 0, noNames);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CgroupGoneError);
    expect((err as CgroupGoneError).path).toBe(join(DIR, 'memory.current'));
  });
  it('a gone cgroup.controllers means gone too', () => {
    expect(() => buildCgroupStats(plan, batchOf(answers({ 'cgroup.controllers': ENOENT })), 0, noNames)).toThrow(
      CgroupGoneError,
    );
  });
  it('a missing io.stat while io is not in cgroup.controllers is a layout problem, not a vanished cgroup', () => {
    const run = () =>
      buildCgroupStats(
        plan,
        batchOf(answers({ 'io.stat': ENOENT, 'cgroup.controllers': 'cpuset cpu memory pids\n' })),
        0,
        noNames,
      );
    expect(run).toThrow(UnsupportedLayoutError);
    expect(run).toThrow(/io controller/);
  });
  it('EACCES gives PermissionDeniedError with the privilege hint', () => {
    const run = () => buildCgroupStats(plan, batchOf(answers({ 'memory.stat': EACCES })), 0, noNames);
    expect(run).toThrow(PermissionDeniedError);
    expect(run).toThrow(CGROUP_PRIVILEGE_HINT);
  });
  it('another errno is passed on as a system error, never as zero', () => {
    expect(() => buildCgroupStats(plan, batchOf(answers({ 'cpu.stat': EIO })), 0, noNames)).toThrow(
      expect.objectContaining({ code: 'EIO' }),
    );
  });
  it('garbage content is a format error naming the file', () => {
    expect(() => buildCgroupStats(plan, batchOf(answers({ 'pids.current': 'lots\n' })), 0, noNames)).toThrow(
      CgroupFormatError,
    );
    expect(() => buildCgroupStats(plan, batchOf(answers({ 'pids.current': 'lots\n' })), 0, noNames)).toThrow(
      /pids\.current/,
    );
    expect(() => buildCgroupStats(plan, batchOf(answers({ 'memory.stat': 'anon 5\nfile 6\n' })), 0, noNames)).toThrow(
      /inactive_file/,
    );
  });
  it('results must match the plan', () => {
    expect(() => buildCgroupStats(plan, batchOf(answers({}).slice(1)), 0, noNames)).toThrow(RangeError);
  });
});

describe('optional files', () => {
  it('memory.peak and swap files absent (old kernel, no swap accounting) give null', () => {
    const stats = buildCgroupStats(
      plan,
      batchOf(answers({ 'memory.peak': ENOENT, 'memory.swap.current': ENOENT, 'memory.swap.max': ENOENT })),
      0,
      noNames,
    );
    expect(stats.memory.maxUsage).toBeNull();
    expect(stats.memory.swap).toEqual({ usage: null, limit: null });
  });
  it('pressure: EOPNOTSUPP (psi=0) or absent per file gives null per resource, all absent gives null', () => {
    const some = buildCgroupStats(plan, batchOf(answers({ 'cpu.pressure': EOPNOTSUPP })), 0, noNames);
    expect(some.pressure?.value().cpu).toBeNull();
    expect(some.pressure?.value().io).not.toBeNull();
    const none = buildCgroupStats(
      plan,
      batchOf(answers({ 'cpu.pressure': ENOENT, 'memory.pressure': ENOENT, 'io.pressure': EOPNOTSUPP })),
      0,
      noNames,
    );
    expect(none.pressure).toBeNull();
  });
  it('pressure: each resource gets its own lines, whichever others are absent or lack a full line', () => {
    const cpu = 'some avg10=1.50 avg60=0.25 avg300=0.00 total=2000\n';
    const memory = 'some avg10=0.00 avg60=0.00 avg300=0.00 total=7\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=5\n';
    const io =
      'some avg10=9.99 avg60=3.00 avg300=1.00 total=4294967296000\nfull avg10=8.00 avg60=2.00 avg300=0.50 total=3\n';
    const line = (avg10: number, avg60: number, avg300: number, totalUs: number) => ({
      avg10,
      avg60,
      avg300,
      totalNs: totalUs * 1000,
    });
    const cpuOnlySome = { some: line(1.5, 0.25, 0, 2000), full: null };
    const memoryBoth = { some: line(0, 0, 0, 7), full: line(0, 0, 0, 5) };
    const ioBoth = { some: line(9.99, 3, 1, 4294967296000), full: line(8, 2, 0.5, 3) };
    const all = buildCgroupStats(
      plan,
      batchOf(answers({ 'cpu.pressure': cpu, 'memory.pressure': memory, 'io.pressure': io })),
      0,
      noNames,
    );
    expect(all.pressure?.value()).toEqual({ cpu: cpuOnlySome, memory: memoryBoth, io: ioBoth });
    const gap = buildCgroupStats(
      plan,
      batchOf(answers({ 'cpu.pressure': cpu, 'memory.pressure': ENOENT, 'io.pressure': io })),
      0,
      noNames,
    );
    expect(gap.pressure?.value()).toEqual({ cpu: cpuOnlySome, memory: null, io: ioBoth });
    expect(gap.pressure?.value()).toBe(gap.pressure?.value());
  });
  it('an optional file that is unreadable for another reason still throws', () => {
    expect(() => buildCgroupStats(plan, batchOf(answers({ 'memory.peak': EACCES })), 0, noNames)).toThrow(
      PermissionDeniedError,
    );
  });
  it('without cpu.max (cpu controller off) there is no quota and no throttling at this level', () => {
    const stat = 'usage_usec 10\nuser_usec 6\nsystem_usec 4\n';
    const stats = buildCgroupStats(plan, batchOf(answers({ 'cpu.max': ENOENT, 'cpu.stat': stat })), 0, noNames);
    expect(stats.cpu.limitCores).toBeNull();
    expect(stats.cpu.throttling).toEqual({ periods: 0, throttledPeriods: 0, throttledNs: 0 });
    expect(stats.cpu.usageNs).toBe(10_000);
  });
  it('with cpu.max readable, missing throttling fields are a format error', () => {
    const stat = 'usage_usec 10\nuser_usec 6\nsystem_usec 4\n';
    expect(() => buildCgroupStats(plan, batchOf(answers({ 'cpu.stat': stat })), 0, noNames)).toThrow(/nr_periods/);
  });
});

describe('device names', () => {
  it('come from the lookup given', () => {
    const stats = buildCgroupStats(plan, batchOf(answers({})), 0, (major, minor) => `dev${major}_${minor}`);
    expect(stats.blkio.devices.map((d) => d.name)).toEqual(['dev254_32']);
  });
});

describe('v1 plans and blkio fallbacks', () => {
  const V1 = join(import.meta.dirname, '../fixtures/cgroup1/blkio/after');
  const dirs = v1Dirs(V1);
  const v1Answers = (p: typeof plan, gone: (path: string) => boolean) =>
    p.paths.map((path): string | NativeFailure => {
      if (gone(path)) return { errno: ENOENT, syscall: 'open', path };
      try {
        return readFileSync(path, 'latin1');
      } catch {
        return { errno: ENOENT, syscall: 'open', path };
      }
    });

  it('plans no cpuset or pressure files without those directories, and refuses a missing memory directory', () => {
    const bare = cgroupFilePlan({ ...dirs, cpuset: null, unified: null }, 1);
    expect(bare.paths.some((p) => p.includes('cpuset') || p.endsWith('.pressure'))).toBe(false);
    const stats = buildCgroupStats(bare, batchOf(v1Answers(bare, () => false)), 0, noNames);
    expect(stats.cpu.cpusetCpus).toBeNull();
    expect(stats.pressure).toBeNull();
    expect(() => cgroupFilePlan({ ...dirs, memory: null }, 1)).toThrow(UnsupportedLayoutError);
  });
  it('gives cpusetCpus null without cpuset.effective_cpus, and CPU usage as the sum of usage_percpu', () => {
    const v1 = cgroupFilePlan(dirs, 1);
    expect(v1.paths.some((p) => p.endsWith('/cpuacct.usage') || p.endsWith('/cpuset.cpus'))).toBe(false);
    const stats = buildCgroupStats(v1, batchOf(v1Answers(v1, (p) => p.endsWith('cpuset.effective_cpus'))), 0, noNames);
    expect(stats.cpu.cpusetCpus).toBeNull();
    const percpu = readFileSync(join(V1, 'cpuacct', 'cpuacct.usage_percpu'), 'latin1')
      .trim()
      .split(/\s+/)
      .map(Number);
    expect(stats.cpu.usageNs).toBe(percpu.reduce((a, b) => a + b, 0));
    expect(stats.cpu.perCpuNs).toEqual(percpu);
  });
  it('an empty cpuacct.usage_percpu is a format error, not zero usage', () => {
    const v1 = cgroupFilePlan(dirs, 1);
    const answers = v1Answers(v1, () => false).map((answer, i) =>
      v1.paths[i]!.endsWith('/cpuacct.usage_percpu') ? '\n' : answer,
    );
    const run = () => buildCgroupStats(v1, batchOf(answers), 0, noNames);
    expect(run).toThrow(CgroupFormatError);
    expect(run).toThrow(/cpuacct\.usage_percpu: no per-CPU counters/);
  });
  it('an empty cpuset.effective_cpus gives cpusetCpus null, not zero CPUs', () => {
    const v1 = cgroupFilePlan(dirs, 1);
    const answers = v1Answers(v1, () => false).map((answer, i) =>
      v1.paths[i]!.endsWith('/cpuset.effective_cpus') ? '\n' : answer,
    );
    expect(buildCgroupStats(v1, batchOf(answers), 0, noNames).cpu.cpusetCpus).toBeNull();
  });
  it('missing memsw files (no swap accounting) give swap nulls', () => {
    const v1 = cgroupFilePlan(dirs, 1);
    const stats = buildCgroupStats(v1, batchOf(v1Answers(v1, (p) => p.includes('memsw'))), 0, noNames);
    expect(stats.memory.swap).toEqual({ usage: null, limit: null });
  });
  it('a blkio directory without a single counter file is gone', () => {
    const v1 = cgroupFilePlan(dirs, 1);
    expect(() => buildCgroupStats(v1, batchOf(v1Answers(v1, (p) => p.includes('/blkio/'))), 0, noNames)).toThrow(
      CgroupGoneError,
    );
  });
  it('with only the non-recursive throttle files it still finds the bytes', () => {
    const v1 = cgroupFilePlan(dirs, 1);
    const stats = buildCgroupStats(
      v1,
      batchOf(v1Answers(v1, (p) => p.includes('/blkio/') && p.endsWith('_recursive'))),
      0,
      noNames,
    );
    expect(stats.blkio.writeBytes).toBe(20 * 2 ** 20);
  });
});
