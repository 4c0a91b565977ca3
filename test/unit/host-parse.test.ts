// Host figures against Docker: the cgroup1 fixtures hold /proc/stat and /proc/meminfo copied just before
// and just after Docker's one-shot stats, whose system_cpu_usage must lie between ours.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildHostStats, hostFilePaths, parseMeminfo, parseProcStat } from '../../lib/host.js';
import { CgroupFormatError } from '../../lib/errors.js';
import { PermissionDeniedError } from '../../lib/errors.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/cgroup1');
const read = (relative: string) => readFileSync(join(FIXTURES, relative), 'utf8');

describe.each(['idle', 'cpu'])('/proc of the %s capture', (scenario) => {
  const api = JSON.parse(read(`${scenario}/_docker_api_stats.json`));
  it("systemCpuNs lies between the two readings around Docker's system_cpu_usage; onlineCpus equals online_cpus", () => {
    const before = parseProcStat(read(`${scenario}/before/proc/stat`));
    const after = parseProcStat(read(`${scenario}/after/proc/stat`));
    expect(before.systemCpuNs).toBeLessThanOrEqual(api.cpu_stats.system_cpu_usage);
    expect(api.cpu_stats.system_cpu_usage).toBeLessThanOrEqual(after.systemCpuNs);
    expect(before.onlineCpus).toBe(api.cpu_stats.online_cpus);
  });
  it("memTotal is the cap Docker puts on an unlimited container's memory limit", () => {
    const { memTotal } = parseMeminfo(read(`${scenario}/before/proc/meminfo`));
    expect(memTotal).toBe(api.memory_stats.limit);
  });
});

describe('parseProcStat', () => {
  const text =
    'cpu  10 1 20 300 4 5 6 70 80 90\ncpu0 5 0 10 150 2 2 3 35 40 45\ncpu1 5 1 10 150 2 3 3 35 40 45\nintr 1 2 3\nctxt 99\n';
  it('sums user..softirq (not steal or guest) at 100 ticks per second and counts cpuN lines', () => {
    expect(parseProcStat(text)).toEqual({ onlineCpus: 2, systemCpuNs: (10 + 1 + 20 + 300 + 4 + 5 + 6) * 1e7 });
  });
  it('does not depend on the line order', () => {
    expect(parseProcStat(text.trim().split('\n').reverse().join('\n'))).toEqual(parseProcStat(text));
  });
  it('rejects a file without a "cpu" line or with a short one', () => {
    expect(() => parseProcStat('cpu0 1 2 3 4 5 6 7\n')).toThrow(CgroupFormatError);
    expect(() => parseProcStat('cpu 1 2 3\ncpu0 1 2 3\n')).toThrow(CgroupFormatError);
  });
});

describe('parseMeminfo', () => {
  it('turns kB into bytes and keeps unitless counts', () => {
    const info = parseMeminfo('MemTotal:        2012096 kB\nHugePages_Total:       3\nMemFree:  100 kB');
    expect(info.memTotal).toBe(2012096 * 1024);
    expect(info.fields).toEqual({ MemTotal: 2012096 * 1024, HugePages_Total: 3, MemFree: 102400 });
  });
  it('rejects malformed lines and a missing MemTotal', () => {
    expect(() => parseMeminfo('MemTotal: lots kB\n')).toThrow(CgroupFormatError);
    expect(() => parseMeminfo('MemFree: 1 kB\n')).toThrow(CgroupFormatError);
  });
});

describe('buildHostStats', () => {
  it('reads the answers to hostFilePaths in order', () => {
    expect(hostFilePaths('/host/proc')).toEqual(['/host/proc/stat', '/host/proc/meminfo']);
    const stats = buildHostStats('/host/proc', ['cpu 1 1 1 1 1 1 1 9\ncpu0 1 1 1 1 1 1 1 9\n', 'MemTotal: 4 kB\n']);
    expect(stats).toEqual({ onlineCpus: 1, systemCpuNs: 7e7, memTotal: 4096 });
  });
  it('passes failures on as errors', () => {
    expect(() => buildHostStats('/p', [{ errno: -13, syscall: 'open' }, 'MemTotal: 4 kB\n'])).toThrow(
      PermissionDeniedError,
    );
    expect(() =>
      buildHostStats('/p', ['cpu 1 1 1 1 1 1 1\ncpu0 1 1 1 1 1 1 1\n', { errno: -2, syscall: 'open' }]),
    ).toThrow(expect.objectContaining({ code: 'ENOENT', path: '/p/meminfo' }));
  });
});
