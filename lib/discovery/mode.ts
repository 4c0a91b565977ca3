// Which cgroup filesystems this process can read, and where: v1, v2 or hybrid, and each v1
// controller's hierarchy.
//
// The mount table of our own mount namespace (`${procRoot}/self/mountinfo`) is the source of truth:
// its mount points are paths this process can open, so it works unchanged for an agent in a
// container that mounted the host's /sys at /host/sys (the cgroup mounts show up there as submounts),
// it names every v1 controller of a co-mounted hierarchy (cpu,cpuacct) whatever the directory or
// symlink is called, and it carries each mount's root (field 4), which paths must be relativized
// against when only a subtree is mounted. `${procRoot}/1/mountinfo` would describe the host's mount
// points, which need translating and need ptrace rights on PID 1.
// When the mount table shows no cgroup mount under `${sysRoot}/fs/cgroup` (a copied or bind-mounted
// tree whose submounts did not follow), the directories themselves are identified with statfs.
import { existsSync, readFileSync, readdirSync, statfsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HostOptions } from '../types.js';
import { InvalidOptionError, UnsupportedLayoutError } from '../errors.js';
import { hostOptions } from '../options.js';
import { native, type NativeMountWatch } from '../native.js';
import { isMissing, rethrowAsTyped } from '../io/errno.js';
import { parseMountinfo, type MountinfoEntry } from './mountinfo.js';
import type { CgroupLayout, CgroupMount } from './types.js';

export const CGROUP2_SUPER_MAGIC = 0x63677270;
export const CGROUP_SUPER_MAGIC = 0x27e0eb;

/** The v1 controllers the kernel knows; other super options (rw, xattr, release_agent=...) are not controllers. */
const V1_CONTROLLERS = new Set([
  'cpu',
  'cpuacct',
  'cpuset',
  'memory',
  'devices',
  'freezer',
  'net_cls',
  'net_prio',
  'blkio',
  'perf_event',
  'hugetlb',
  'pids',
  'rdma',
  'misc',
  'debug',
]);

export function resolveHostRoots(options?: HostOptions): { procRoot: string; sysRoot: string } {
  const host = hostOptions(options);
  return { procRoot: resolve(host.procRoot ?? '/proc'), sysRoot: resolve(host.sysRoot ?? '/sys') };
}

/** Controllers of a v1 mount from its super options: "rw,cpu,cpuacct" -> cpu, cpuacct; "name=systemd" kept as is. */
export function v1ControllersOf(superOptions: string[]): string[] {
  return superOptions.filter((option) => V1_CONTROLLERS.has(option) || /^name=[^,]+$/.test(option));
}

/**
 * A mount of `root` as mountinfo gives it. Leading "/.." segments mean the mount shows the hierarchy
 * from above this process's cgroup namespace: they are taken to reach the top of the hierarchy, which is
 * how a host's cgroup filesystem looks from a container with a cgroup namespace of its own.
 */
export function cgroupMount(mountPoint: string, root: string): CgroupMount {
  const up = /^(?:\/\.\.)+(?=\/|$)/.exec(root);
  if (up === null) return { mountPoint, root, outside: '' };
  return { mountPoint, root: root.slice(up[0].length) || '/', outside: up[0] };
}

function isUnder(path: string, base: string): boolean {
  return path === base || path.startsWith(base + '/');
}

/** A mount showing the whole hierarchy wins over one showing a subtree, then the shorter mount point. */
function preferMount(current: CgroupMount | undefined, candidate: CgroupMount): CgroupMount {
  if (current === undefined) return candidate;
  if ((current.root === '/') !== (candidate.root === '/')) return current.root === '/' ? current : candidate;
  return candidate.mountPoint.length < current.mountPoint.length ? candidate : current;
}

function layoutOf(
  procRoot: string,
  sysRoot: string,
  cgroupRoot: string,
  v2Mounts: CgroupMount[],
  v1: Record<string, CgroupMount>,
): CgroupLayout | null {
  const wholeV2 = v2Mounts.find((mount) => mount.mountPoint === cgroupRoot);
  if (wholeV2) return { mode: 'v2', procRoot, sysRoot, unified: wholeV2, v1: {} };
  const unified = v2Mounts.reduce<CgroupMount | undefined>(preferMount, undefined) ?? null;
  if (Object.keys(v1).length > 0) return { mode: unified ? 'hybrid' : 'v1', procRoot, sysRoot, unified, v1 };
  // A cgroup2 mount without any v1 hierarchy is a unified-only machine with an unusual mount point.
  if (unified) return { mode: 'v2', procRoot, sysRoot, unified, v1: {} };
  return null;
}

/** The layout described by mount table entries, restricted to mounts under `${sysRoot}/fs/cgroup`. */
export function layoutFromMountinfo(entries: MountinfoEntry[], procRoot: string, sysRoot: string): CgroupLayout | null {
  const cgroupRoot = join(sysRoot, 'fs/cgroup');
  const v2Mounts: CgroupMount[] = [];
  const v1: Record<string, CgroupMount> = {};
  for (const entry of entries) {
    if (!isUnder(entry.mountPoint, cgroupRoot)) continue;
    const mount = cgroupMount(entry.mountPoint, entry.root);
    if (entry.fsType === 'cgroup2') v2Mounts.push(mount);
    else if (entry.fsType === 'cgroup') {
      for (const controller of v1ControllersOf(entry.superOptions)) v1[controller] = preferMount(v1[controller], mount);
    }
  }
  return layoutOf(procRoot, sysRoot, cgroupRoot, v2Mounts, v1);
}

/**
 * The layout found by statfs on `${sysRoot}/fs/cgroup` and its subdirectories. Controllers come from
 * directory names (cpu,cpuacct; "systemd" is the name=systemd hierarchy) and mount roots are taken as
 * "/", the two things statfs cannot tell.
 */
export function layoutFromStatfs(procRoot: string, sysRoot: string): CgroupLayout | null {
  const cgroupRoot = join(sysRoot, 'fs/cgroup');
  let rootType: number;
  try {
    rootType = statfsSync(cgroupRoot).type;
  } catch (err) {
    if (isMissing(err)) return null;
    rethrowAsTyped(err);
  }
  if (rootType === CGROUP2_SUPER_MAGIC)
    return layoutOf(procRoot, sysRoot, cgroupRoot, [cgroupMount(cgroupRoot, '/')], {});
  const v2Mounts: CgroupMount[] = [];
  const v1: Record<string, CgroupMount> = {};
  for (const entry of readdirSync(cgroupRoot, { withFileTypes: true })) {
    // Symlinks (cpu -> cpu,cpuacct) point at a hierarchy that is listed under its own name.
    if (!entry.isDirectory()) continue;
    const mount = cgroupMount(join(cgroupRoot, entry.name), '/');
    const type = statfsSync(mount.mountPoint).type;
    if (type === CGROUP2_SUPER_MAGIC) v2Mounts.push(mount);
    else if (type === CGROUP_SUPER_MAGIC) {
      const names = entry.name.split(',').map((name) => (name === 'systemd' ? 'name=systemd' : name));
      for (const controller of v1ControllersOf(names)) v1[controller] = preferMount(v1[controller], mount);
    }
  }
  return layoutOf(procRoot, sysRoot, cgroupRoot, v2Mounts, v1);
}

function readOwnMountinfo(procRoot: string): MountinfoEntry[] {
  try {
    return parseMountinfo(readFileSync(join(procRoot, 'self/mountinfo'), 'utf8'));
  } catch (err) {
    if (isMissing(err)) return [];
    rethrowAsTyped(err);
  }
}

const PROC_SUPER_MAGIC = 0x9fa0;

/**
 * Layouts by host roots, with a watch on the mount table they were read from: while the table has not
 * changed (one poll), the layout has not either. Only for a real procfs, whose mountinfo the kernel
 * flags on change; a layout is never modified once made.
 */
const layouts = new Map<string, { watch: NativeMountWatch; layout: CgroupLayout }>();

function watchMounts(procRoot: string): NativeMountWatch | null {
  try {
    if (statfsSync(procRoot).type !== PROC_SUPER_MAGIC) return null;
    return new native.MountWatch(join(procRoot, 'self/mountinfo'));
  } catch {
    return null;
  }
}

/** Finds the cgroup mode and mounts. Throws UnsupportedLayoutError when no cgroup filesystem is mounted. */
export async function detectLayout(options?: HostOptions): Promise<CgroupLayout> {
  const { procRoot, sysRoot } = resolveHostRoots(options);
  const key = `${procRoot}\0${sysRoot}`;
  const cached = layouts.get(key);
  if (cached !== undefined && !cached.watch.changed()) return cached.layout;
  // Watched before the table is read: a change while reading shows at the next look.
  if (!existsSync(join(procRoot, 'stat'))) {
    throw new InvalidOptionError(
      'procRoot',
      `${procRoot} is not a proc filesystem (it has no stat file); give the host's /proc as seen here`,
    );
  }
  const watch = watchMounts(procRoot);
  const layout =
    layoutFromMountinfo(readOwnMountinfo(procRoot), procRoot, sysRoot) ?? layoutFromStatfs(procRoot, sysRoot);
  cached?.watch.close();
  layouts.delete(key);
  if (layout === null) {
    watch?.close();
    throw new UnsupportedLayoutError(
      `No cgroup filesystem found under ${join(sysRoot, 'fs/cgroup')} (neither in ${join(procRoot, 'self/mountinfo')} nor by statfs). ` +
        "Mount cgroupfs there, or point sysRoot at a directory holding the host's /sys.",
    );
  }
  if (watch !== null) layouts.set(key, { watch, layout: Object.freeze(layout) });
  return layout;
}
