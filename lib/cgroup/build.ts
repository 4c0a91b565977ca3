// Cgroup stats of one container from the answers to its file plan: each planned controller reads its field.
import type { CgroupStats, DeviceNameLookup, StatsField } from './controller.js';
import { CgroupFiles, type KeptAnswers } from './files.js';
import type { ContainerPlan } from './plan.js';
import { STATS_FIELDS } from './registry.js';
import type { TokenBatch } from '../io/tokens.js';

export type { CgroupStats, DeviceNameLookup } from './controller.js';

/**
 * The batch answers plan.paths from `offset` on. Throws CgroupGoneError when a required file is gone (ENOENT, ENOTDIR,
 * ENODEV, ESRCH): the cgroup was removed, the caller reports ContainerNotFoundError. Throws PermissionDeniedError
 * (EACCES/EPERM), UnsupportedLayoutError (v2 controller not enabled for the cgroup), CgroupFormatError,
 * or a system error for anything else. Optional files that are absent give null fields.
 */
export function buildCgroupStats(
  plan: ContainerPlan,
  tokens: TokenBatch,
  offset: number,
  deviceName: DeviceNameLookup,
  recall: KeptAnswers | null = null,
): CgroupStats {
  const files = new CgroupFiles(plan, tokens, offset, recall);
  // A v2 cgroup.controllers that is gone means the cgroup is.
  if (plan.controllersAt !== undefined && !plan.optional[plan.controllersAt]) files.required('cgroup.controllers');
  const stats: Partial<Record<StatsField, unknown>> = {};
  const context = { deviceName };
  plan.controllers.forEach((planned, i) => {
    stats[STATS_FIELDS[i]!] = planned === null ? null : planned.controller.read(files, planned.prepared, context);
  });
  return stats as CgroupStats;
}
