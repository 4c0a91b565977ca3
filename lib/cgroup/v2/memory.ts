// cgroup v2 memory controller (Documentation/admin-guide/cgroup-v2.rst "Memory").
import type { MemoryStats } from '../../types.js';
import type { CgroupFiles, ControllerFiles } from '../files.js';
import { parseCounter, parseFlatKeyed, parseSingleValue } from '../parse.js';

export const MEMORY_V2_FILES: ControllerFiles = {
  required: ['memory.current', 'memory.max', 'memory.stat', 'memory.events'],
  optional: [
    // Linux 5.19+.
    'memory.peak',
    // Only with swap accounting (CONFIG_MEMCG_SWAP, not swapaccount=0).
    'memory.swap.current',
    'memory.swap.max',
  ],
};

export function readMemoryV2(files: CgroupFiles): MemoryStats {
  const usage = files.parseRequired('memory.current', parseCounter);
  const stat = files.parseRequired('memory.stat', parseFlatKeyed);
  const events = files.parseRequired('memory.events', parseFlatKeyed);
  const swapUsage = files.parseOptional('memory.swap.current', parseCounter);
  // Without swap accounting there is no swap limit either, so a missing file is null like "max".
  const swapLimit = files.parseOptional('memory.swap.max', parseSingleValue);

  return {
    usage,
    limit: files.parseRequired('memory.max', parseSingleValue),
    workingSet: Math.max(0, usage - files.key('memory.stat', stat, 'inactive_file')),
    rss: files.key('memory.stat', stat, 'anon'),
    cache: files.key('memory.stat', stat, 'file'),
    swap: { usage: swapUsage, limit: swapLimit },
    maxUsage: files.parseOptional('memory.peak', parseCounter),
    // oom_kill is there since Linux 4.13; on older kernels no kill was counted for us to report.
    oomEvents: events['oom_kill'] ?? 0,
    stat,
  };
}
