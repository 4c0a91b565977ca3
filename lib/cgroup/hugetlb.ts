// The hugetlb controller (Documentation/admin-guide/cgroup-v1/hugetlb.rst, cgroup-v2.rst "HugeTLB"): one set
// of files per huge page size, the sizes found at run time from the kernel's hugepages directory, as runc does.
import { readdir } from 'node:fs/promises';
import type { HugetlbPageStats } from '../types.js';
import { defineController, optional, required, setting, type ControllerFile } from './controller.js';
import type { CgroupFiles } from './files.js';
import { HugetlbPageObject } from './stats-objects.js';
import { parseCounter, parseFlatKeyed, parseMemoryLimitV1, parseSingleValue } from './parse.js';

/** "hugepages-2048kB" -> "2MB": the name the kernel gives a page size in the controller's files (mem_fmt in mm/hugetlb_cgroup.c). */
export function pageSizeName(entry: string): string | null {
  const match = /^hugepages-(\d{1,12})kB$/.exec(entry);
  if (match === null) return null;
  const kb = Number(match[1]);
  if (kb >= 1024 * 1024) return `${Math.floor(kb / (1024 * 1024))}GB`;
  if (kb >= 1024) return `${Math.floor(kb / 1024)}MB`;
  return `${kb}KB`;
}

/** The huge page sizes of the host (none without hugetlbfs support). */
async function hugePageSizes(sysRoot: string): Promise<string[]> {
  try {
    return (await readdir(`${sysRoot}/kernel/mm/hugepages`))
      .map(pageSizeName)
      .filter((size): size is string => size !== null)
      .sort();
  } catch {
    return [];
  }
}

function bySize(
  sizes: readonly string[],
  read: (size: string) => HugetlbPageStats | null,
): Record<string, HugetlbPageStats> | null {
  const out: Record<string, HugetlbPageStats> = {};
  for (const size of sizes) {
    const stats = read(size);
    // v2: no file of the size means the controller is not enabled for the cgroup.
    if (stats === null) return null;
    out[size] = stats;
  }
  return out;
}

export const hugetlbV1 = defineController({
  field: 'hugetlb',
  version: 1,
  hierarchy: 'hugetlb',
  optional: true,
  prepare: hugePageSizes,
  files: (sizes: readonly string[] = []): ControllerFile[] =>
    sizes.flatMap((size) => [
      required(`hugetlb.${size}.usage_in_bytes`),
      required(`hugetlb.${size}.max_usage_in_bytes`),
      setting(required(`hugetlb.${size}.limit_in_bytes`)),
      required(`hugetlb.${size}.failcnt`),
    ]),
  read: (files: CgroupFiles, sizes: readonly string[] = []) =>
    bySize(
      sizes,
      (size) =>
        new HugetlbPageObject(
          files.parseRequired(`hugetlb.${size}.usage_in_bytes`, parseCounter),
          files.parseRequired(`hugetlb.${size}.max_usage_in_bytes`, parseCounter),
          files.parseRequired(`hugetlb.${size}.limit_in_bytes`, parseMemoryLimitV1),
          files.parseRequired(`hugetlb.${size}.failcnt`, parseCounter),
        ),
    ),
});

const NOT_DELEGATED = 'only where the parent enables hugetlb in cgroup.subtree_control';

export const hugetlbV2 = defineController({
  field: 'hugetlb',
  version: 2,
  hierarchy: 'unified',
  enabledBy: 'hugetlb',
  optional: true,
  prepare: hugePageSizes,
  files: (sizes: readonly string[] = []): ControllerFile[] =>
    sizes.flatMap((size) => [
      optional(`hugetlb.${size}.current`, NOT_DELEGATED),
      setting(optional(`hugetlb.${size}.max`, NOT_DELEGATED)),
      optional(`hugetlb.${size}.events`, NOT_DELEGATED),
    ]),
  read: (files: CgroupFiles, sizes: readonly string[] = []) =>
    bySize(sizes, (size) => {
      const usage = files.parseOptional(`hugetlb.${size}.current`, parseCounter);
      if (usage === null) return null;
      const events = files.parseRequired(`hugetlb.${size}.events`, parseFlatKeyed);
      return new HugetlbPageObject(
        usage,
        // maxUsage: v2 keeps no peak.
        null,
        files.parseRequired(`hugetlb.${size}.max`, parseSingleValue),
        files.key(`hugetlb.${size}.events`, events, 'max'),
      );
    }),
});
