// cgroup v2 memory controller (Documentation/admin-guide/cgroup-v2.rst "Memory").
import type { MemoryEvents } from '../../types.js';
import { defineLazy } from '../../io/lazy-property.js';
import { defineController, optional, required, setting } from '../controller.js';
import { MemoryEventsObject, MemoryObject, SwapObject } from '../stats-objects.js';
import type { CgroupFiles } from '../files.js';
import { parseCounter, parseFlatKeyed, parseSingleValue, type FlatKeyed } from '../parse.js';

const NO_SWAP_ACCOUNTING = 'only with swap accounting (CONFIG_MEMCG_SWAP, and not swapaccount=0)';

/** memory.events: low, high, max, oom and oom_kill are there since the controller's first release; oom_group_kill since 5.17. */
function memoryEvents(files: CgroupFiles, events: FlatKeyed): MemoryEvents {
  const key = (name: string) => files.key('memory.events', events, name);
  return new MemoryEventsObject(
    key('low'),
    key('high'),
    key('max'),
    key('oom'),
    // oomKill since Linux 4.13: before it no kill was counted for us to report.
    events.get('oom_kill') ?? 0,
    events.get('oom_group_kill') ?? 0,
  );
}

export const memoryV2 = defineController({
  field: 'memory',
  version: 2,
  hierarchy: 'unified',
  enabledBy: 'memory',
  files: () => [
    required('memory.current'),
    setting(required('memory.max')),
    required('memory.stat'),
    required('memory.events'),
    optional('memory.peak', 'Linux 5.19+'),
    optional('memory.swap.current', NO_SWAP_ACCOUNTING),
    setting(optional('memory.swap.max', NO_SWAP_ACCOUNTING)),
  ],
  read(files) {
    const usage = files.parseRequired('memory.current', parseCounter);
    const stat = files.parseRequired('memory.stat', parseFlatKeyed);
    // What the lazy `stat` makes its object from, after the batch is gone.
    const kept = stat.detached();
    const events = memoryEvents(files, files.parseRequired('memory.events', parseFlatKeyed));
    const swapUsage = files.parseOptional('memory.swap.current', parseCounter);
    // Without swap accounting there is no swap limit either, so a missing file is null like "max".
    const swapLimit = files.parseOptional('memory.swap.max', parseSingleValue);

    return defineLazy(
      new MemoryObject(
        usage,
        files.parseRequired('memory.max', parseSingleValue),
        // workingSet, rss, cache
        Math.max(0, usage - files.key('memory.stat', stat, 'inactive_file')),
        files.key('memory.stat', stat, 'anon'),
        files.key('memory.stat', stat, 'file'),
        new SwapObject(swapUsage, swapLimit),
        // maxUsage, oomEvents
        files.parseOptional('memory.peak', parseCounter),
        events.oomKill,
        // failcnt: runc and cAdvisor count hitting memory.max as the failcnt of v2.
        events.max,
        events,
      ),
      // Made into an object when read: most samples never look at it.
      'stat',
      kept,
    );
  },
});
