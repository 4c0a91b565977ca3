// From a cgroup path (as /proc/<pid>/cgroup shows it) to the directories that hold its files.
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { isMissing, rethrowAsTyped } from '../io/errno.js';
import type { CgroupDirs, CgroupLayout, CgroupMount } from './types.js';

/** The v1 controllers whose files the stats are read from. */
export const V1_STATS_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'blkio', 'pids'] as const;

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
  if (layout.mode === 'v2') return dirs.unified === null ? ['unified'] : [];
  return V1_STATS_CONTROLLERS.filter((controller) => layout.v1[controller] !== undefined && dirs[controller] === null);
}
