// cgroup v2 cpu and cpuset controllers (Documentation/admin-guide/cgroup-v2.rst "CPU", "Cpuset").
import { defineController, optional, required, setting } from '../controller.js';
import { CpuObject, ThrottlingObject } from '../stats-objects.js';
import { cpuLimitCores, parseCpuList, parseCpuMax, parseFlatKeyed } from '../parse.js';

export const cpuV2 = defineController({
  field: 'cpu',
  version: 2,
  hierarchy: 'unified',
  // cpu.stat is written by the core for every cgroup, with or without the cpu controller.
  files: () => [
    required('cpu.stat'),
    setting(optional('cpu.max', 'only while the cpu controller is enabled for the cgroup')),
    setting(optional('cpuset.cpus.effective', 'only while the cpuset controller is enabled for the cgroup')),
  ],
  read(files) {
    const stat = files.parseRequired('cpu.stat', parseFlatKeyed);
    const cpuMax = files.parseOptional('cpu.max', parseCpuMax);
    const usec = (key: string): number => files.key('cpu.stat', stat, key) * 1000;

    // With the cpu controller (cpu.max readable) the kernel always writes the throttling fields, so their
    // absence is a format error. Without it the cgroup has no bandwidth limit of its own and is never
    // throttled at this level: zeros are the true count there, not a stand-in for a missing value.
    const throttling =
      cpuMax === null
        ? new ThrottlingObject(0, 0, 0)
        : new ThrottlingObject(
            files.key('cpu.stat', stat, 'nr_periods'),
            files.key('cpu.stat', stat, 'nr_throttled'),
            usec('throttled_usec'),
          );

    return new CpuObject(
      usec('usage_usec'),
      usec('user_usec'),
      usec('system_usec'),
      // perCpuNs: v2 has no per-CPU usage file.
      null,
      throttling,
      cpuMax === null ? null : cpuLimitCores(cpuMax.quotaUs, cpuMax.periodUs),
      cpuMax?.quotaUs ?? null,
      cpuMax?.periodUs ?? null,
      files.parseOptional('cpuset.cpus.effective', parseCpuList),
    );
  },
});
