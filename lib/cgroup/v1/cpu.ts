// cgroup v1 cpu, cpuacct and cpuset controllers (Documentation/scheduler/sched-bwc.rst, cgroup-v1/cpuacct.rst).
import type { CpuStats } from '../../types.js';
import type { CgroupFiles, ControllerFiles } from '../files.js';
import { CgroupFormatError } from '../errors.js';
import type { FileTokens } from '../../io/tokens.js';
import {
  cpuLimitCores, parseCfsQuotaV1, parseCounter, parseCpuList, parseFlatKeyed, parseIntegerList,
} from '../parse.js';

/**
 * cpuacct.stat counts USER_HZ ticks. USER_HZ is the ABI constant 100 on every Linux architecture that
 * runs containers (it is what sysconf(_SC_CLK_TCK) returns; containerd and Docker assume the same).
 */
export const USER_HZ = 100;

export const CPU_V1_FILES: Record<'cpuacct' | 'cpu' | 'cpuset', ControllerFiles> = {
  // cpuacct.usage is the sum of cpuacct.usage_percpu (the kernel adds the same per-CPU counters for
  // both), so the per-CPU file alone gives both figures, consistent with each other.
  cpuacct: { required: ['cpuacct.usage_percpu', 'cpuacct.stat'], optional: [] },
  cpu: { required: ['cpu.stat', 'cpu.cfs_quota_us', 'cpu.cfs_period_us'], optional: [] },
  // effective_cpus is what the tasks may use (Linux 3.17+; Node 20 needs 4.18). A cgroup is not in the
  // cpuset hierarchy on every machine.
  cpuset: { required: [], optional: ['cpuset.effective_cpus'] },
};

/** cpuacct.usage_percpu: one counter per possible CPU, so never none (an empty file would read as no usage). */
function parseUsagePerCpu(tokens: FileTokens): number[] {
  const perCpuNs = parseIntegerList(tokens);
  if (perCpuNs.length === 0) throw new CgroupFormatError('no per-CPU counters');
  return perCpuNs;
}

export function readCpuV1(files: CgroupFiles): CpuStats {
  const ticks = files.parseRequired('cpuacct.stat', parseFlatKeyed);
  const cpuStat = files.parseRequired('cpu.stat', parseFlatKeyed);
  const quotaUs = files.parseRequired('cpu.cfs_quota_us', parseCfsQuotaV1);
  const periodUs = files.parseRequired('cpu.cfs_period_us', parseCounter);
  const cpusetCpus = files.parseOptional('cpuset.effective_cpus', parseCpuList);
  const perCpuNs = files.parseRequired('cpuacct.usage_percpu', parseUsagePerCpu);
  let usageNs = 0;
  for (const ns of perCpuNs) usageNs += ns;
  const nsPerTick = 1e9 / USER_HZ;

  return {
    usageNs,
    userNs: files.key('cpuacct.stat', ticks, 'user') * nsPerTick,
    systemNs: files.key('cpuacct.stat', ticks, 'system') * nsPerTick,
    perCpuNs,
    throttling: {
      periods: files.key('cpu.stat', cpuStat, 'nr_periods'),
      throttledPeriods: files.key('cpu.stat', cpuStat, 'nr_throttled'),
      // v1 throttled_time is already in nanoseconds.
      throttledNs: files.key('cpu.stat', cpuStat, 'throttled_time'),
    },
    limitCores: cpuLimitCores(quotaUs, periodUs),
    cpusetCpus,
  };
}
