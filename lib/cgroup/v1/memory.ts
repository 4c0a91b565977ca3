// cgroup v1 memory controller (Documentation/admin-guide/cgroup-v1/memory.rst).
import { defineLazy, type LazySource } from '../../io/lazy-property.js';
import { defineController, optional, required, setting } from '../controller.js';
import { MemoryObject, SwapObject } from '../stats-objects.js';
import { memoryLimitV1, parseCounter, parseFlatKeyed, parseMemoryLimitV1, type FlatKeyed } from '../parse.js';

const NO_SWAP_ACCOUNTING = 'only with swap accounting (CONFIG_MEMCG_SWAP, and not swapaccount=0)';

/** The limits memory.stat repeats (of the cgroup and its ancestors), written as the limit files write them. */
const STAT_LIMITS = ['hierarchical_memory_limit', 'hierarchical_memsw_limit'];

/** memory.stat as a map, its limits null where unlimited as `limit` is (the kernel writes LONG_MAX). */
class MemoryStatV1 implements LazySource<Record<string, number | null>> {
  readonly #stat: FlatKeyed;
  #record: Record<string, number | null> | null = null;

  constructor(stat: FlatKeyed) {
    this.#stat = stat;
  }

  value(): Record<string, number | null> {
    if (this.#record === null) {
      const record: Record<string, number | null> = { ...this.#stat.record() };
      for (const key of STAT_LIMITS) if (key in record) record[key] = memoryLimitV1(record[key]!);
      this.#record = record;
    }
    return this.#record;
  }
}

export const memoryV1 = defineController({
  field: 'memory',
  version: 1,
  hierarchy: 'memory',
  files: () => [
    required('memory.usage_in_bytes'),
    setting(required('memory.limit_in_bytes')),
    required('memory.max_usage_in_bytes'),
    required('memory.failcnt'),
    required('memory.stat'),
    required('memory.oom_control'),
    optional('memory.memsw.usage_in_bytes', NO_SWAP_ACCOUNTING),
    setting(optional('memory.memsw.limit_in_bytes', NO_SWAP_ACCOUNTING)),
  ],
  read(files) {
    const usage = files.parseRequired('memory.usage_in_bytes', parseCounter);
    const limit = files.parseRequired('memory.limit_in_bytes', parseMemoryLimitV1);
    const maxUsage = files.parseRequired('memory.max_usage_in_bytes', parseCounter);
    const failcnt = files.parseRequired('memory.failcnt', parseCounter);
    const stat = files.parseRequired('memory.stat', parseFlatKeyed);
    // What the lazy `stat` makes its object from, after the batch is gone.
    const kept = stat.detached();
    const oomControl = files.parseRequired('memory.oom_control', parseFlatKeyed);
    // The total_* keys include descendants, as usage_in_bytes does.
    const inactiveFile = files.key('memory.stat', stat, 'total_inactive_file');

    const memswUsage = files.parseOptional('memory.memsw.usage_in_bytes', parseCounter);
    const memswLimit = files.parseOptional('memory.memsw.limit_in_bytes', parseMemoryLimitV1);
    // memsw counts memory + swap; the two files are read a moment apart, hence the clamp.
    const swapUsage = memswUsage === null ? null : Math.max(0, memswUsage - usage);
    const swapLimit = memswLimit === null || limit === null ? null : memswLimit - limit;

    return defineLazy(
      new MemoryObject(
        usage,
        limit,
        Math.max(0, usage - inactiveFile),
        files.key('memory.stat', stat, 'total_rss'),
        files.key('memory.stat', stat, 'total_cache'),
        new SwapObject(swapUsage, swapLimit),
        maxUsage,
        // oomEvents: oom_kill is counted since Linux 4.13; older kernels only say whether an OOM is in progress.
        oomControl.get('oom_kill') ?? 0,
        failcnt,
        // v1 has no memory.events.
        null,
      ),
      // Made into an object when read: most samples never look at it.
      'stat',
      new MemoryStatV1(kept),
    );
  },
});
