// cgroup v1 cpu, cpuacct and cpuset controllers (Documentation/scheduler/sched-bwc.rst, cgroup-v1/cpuacct.rst):
// the CPU stats of v1 come from three hierarchies.
import { NS_PER_TICK } from '../../io/units.js';
import { defineController, optional, required, setting } from '../controller.js';
import { CpuObject, ThrottlingObject } from '../stats-objects.js';
import { CgroupFormatError } from '../../errors.js';
import type { FileTokens } from '../../io/tokens.js';
import {
  cpuLimitCores,
  parseCfsQuotaV1,
  parseCounter,
  parseCpuList,
  parseFlatKeyed,
  parseIntegerList,
} from '../parse.js';

/** cpuacct.usage_percpu: one counter per possible CPU, so never none (an empty file would read as no usage). */
function parseUsagePerCpu(tokens: FileTokens): number[] {
  const perCpuNs = parseIntegerList(tokens);
  if (perCpuNs.length === 0) throw new CgroupFormatError('no per-CPU counters');
  return perCpuNs;
}

export const cpuV1 = defineController({
  field: 'cpu',
  version: 1,
  hierarchy: 'cpu',
  files: () => [
    // cpuacct.usage is the sum of cpuacct.usage_percpu (the kernel adds the same per-CPU counters for
    // both), so the per-CPU file alone gives both figures, consistent with each other.
    required('cpuacct.usage_percpu', 'cpuacct'),
    required('cpuacct.stat', 'cpuacct'),
    required('cpu.stat'),
    setting(required('cpu.cfs_quota_us')),
    setting(required('cpu.cfs_period_us')),
    // effective_cpus is what the tasks may use (Linux 3.17+; Node 20 needs 4.18).
    setting(optional('cpuset.effective_cpus', 'the cgroup is not in a cpuset hierarchy on every machine', 'cpuset')),
  ],
  read(files) {
    const ticks = files.parseRequired('cpuacct.stat', parseFlatKeyed);
    const cpuStat = files.parseRequired('cpu.stat', parseFlatKeyed);
    const quotaUs = files.parseRequired('cpu.cfs_quota_us', parseCfsQuotaV1);
    const periodUs = files.parseRequired('cpu.cfs_period_us', parseCounter);
    const cpusetCpus = files.parseOptional('cpuset.effective_cpus', parseCpuList);
    const perCpuNs = files.parseRequired('cpuacct.usage_percpu', parseUsagePerCpu);
    let usageNs = 0;
    for (const ns of perCpuNs) usageNs += ns;

    return new CpuObject(
      usageNs,
      // userNs, systemNs: cpuacct.stat counts USER_HZ ticks.
      files.key('cpuacct.stat', ticks, 'user') * NS_PER_TICK,
      files.key('cpuacct.stat', ticks, 'system') * NS_PER_TICK,
      perCpuNs,
      new ThrottlingObject(
        files.key('cpu.stat', cpuStat, 'nr_periods'),
        files.key('cpu.stat', cpuStat, 'nr_throttled'),
        // v1 throttled_time is already in nanoseconds.
        files.key('cpu.stat', cpuStat, 'throttled_time'),
      ),
      cpuLimitCores(quotaUs, periodUs),
      quotaUs,
      periodUs,
      cpusetCpus,
    );
  },
});
