// From a cgroup path (as /proc/<pid>/cgroup shows it) to the directories that hold its files.
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { isMissing, rethrowAsTyped } from '../io/errno.js';
import { REQUIRED_V1_HIERARCHIES, UNIFIED, V1_HIERARCHIES } from '../cgroup/index.js';
import type { CgroupDirs, CgroupLayout, CgroupMount } from './types.js';

/**
 * The hierarchies a container's directories are looked up in, with their mounts: the mounted v1 ones
 * stats are read from (none on v2), and the unified tree where there is one.
 */
export function statsMounts(layout: CgroupLayout): Array<[hierarchy: string, mount: CgroupMount]> {
  const mounts: Array<[string, CgroupMount]> =
    layout.mode === 'v2'
      ? []
      : V1_HIERARCHIES.flatMap((hierarchy): Array<[string, CgroupMount]> =>
          layout.v1[hierarchy] ? [[hierarchy, layout.v1[hierarchy]]] : [],
        );
  if (layout.unified !== null) mounts.push([UNIFIED, layout.unified]);
  return mounts;
}

/**
 * A container's directories from its directory in each hierarchy of statsMounts (`dirOf`; null where it
 * has none). On v2 every entry is the unified one.
 */
export function containerDirs(
  layout: CgroupLayout,
  dirOf: (hierarchy: string, mount: CgroupMount) => string | null,
): CgroupDirs {
  const dirs: Record<string, string | null> = {};
  for (const [hierarchy, mount] of statsMounts(layout)) dirs[hierarchy] = dirOf(hierarchy, mount);
  dirs[UNIFIED] ??= null;
  if (layout.mode === 'v2') for (const hierarchy of V1_HIERARCHIES) dirs[hierarchy] = dirs[UNIFIED];
  return dirs;
}

/**
 * The directory of `cgroupPath` under `mount`, relativized against the mount's root; null when the
 * mount shows only a subtree that does not contain the path.
 */
export function cgroupDirUnder(mount: CgroupMount, cgroupPath: string): string | null {
  const root = mount.root === '/' ? '' : mount.root.replace(/\/+$/, '');
  if (cgroupPath !== root && !cgroupPath.startsWith(root + '/')) return null;
  const relative = cgroupPath.slice(root.length);
  return relative === '' || relative === '/' ? mount.mountPoint : posix.join(mount.mountPoint, relative);
}

/** `dir` when it is an existing directory, null when it is absent. */
export async function existingDir(dir: string | null): Promise<string | null> {
  if (dir === null) return null;
  try {
    return (await stat(dir)).isDirectory() ? dir : null;
  } catch (err) {
    if (isMissing(err)) return null;
    rethrowAsTyped(err);
  }
}

/** Stats controllers that are mounted on this machine but have no directory in `dirs`. */
export function missingStatsDirs(layout: CgroupLayout, dirs: CgroupDirs): string[] {
  if (layout.mode === 'v2') return dirs[UNIFIED] === null ? [UNIFIED] : [];
  return REQUIRED_V1_HIERARCHIES.filter((hierarchy) => layout.v1[hierarchy] !== undefined && dirs[hierarchy] === null);
}
