// /proc/<pid>/cgroup: which cgroup a process is in, per hierarchy.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainerNotFoundError, UnsupportedLayoutError } from '../errors.js';
import { cgroupDirUnder, existingDir } from './dirs.js';
import { isMissing, rethrowAsTyped } from './fs-errors.js';
import type { CgroupDirs, CgroupLayout, CgroupMount } from './types.js';

export interface ProcCgroupEntry {
  hierarchyId: number;
  /** v1 controllers of the hierarchy ("cpu", "cpuacct", "name=systemd"); empty for the v2 "0::" line. */
  controllers: string[];
  path: string;
}

/** Parses "hier:ctrl1,ctrl2:/path" lines. The path may itself contain ":" so only the first two split. */
export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const entries: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first <= 0 || second < 0) continue;
    const hierarchyId = Number(line.slice(0, first));
    if (!Number.isInteger(hierarchyId)) continue;
    const controllerField = line.slice(first + 1, second);
    entries.push({
      hierarchyId,
      controllers: controllerField === '' ? [] : controllerField.split(','),
      path: line.slice(second + 1),
    });
  }
  return entries;
}

export async function readProcCgroup(procRoot: string, pid: number): Promise<ProcCgroupEntry[]> {
  try {
    return parseProcCgroup(await readFile(join(procRoot, String(pid), 'cgroup'), 'utf8'));
  } catch (err) {
    if (isMissing(err)) throw new ContainerNotFoundError(`pid ${pid}`, 'no such process', { cause: err });
    rethrowAsTyped(err);
  }
}

/** A process's cgroup in this layout: the path used to classify it, and its directories. */
export interface ProcessCgroup {
  /** The v2 path on v2; on v1/hybrid the memory hierarchy's path (then cpu, pids, name=systemd). */
  path: string;
  dirs: CgroupDirs;
}

/** Paths beginning with "/.." lie outside this process's cgroup namespace and cannot be opened here. */
function assertVisible(pid: number, path: string): void {
  if (path === '/..' || path.startsWith('/../')) {
    throw new UnsupportedLayoutError(
      `Process ${pid} is in cgroup ${path}, outside this process's cgroup namespace. ` +
      'Run in the host cgroup namespace (--cgroupns=host) or mount the host\'s cgroup filesystem.');
  }
}

function dirOrThrow(pid: number, mount: CgroupMount, path: string): string {
  assertVisible(pid, path);
  const dir = cgroupDirUnder(mount, path);
  if (dir === null) {
    throw new UnsupportedLayoutError(
      `Process ${pid} is in cgroup ${path}, which the mount at ${mount.mountPoint} (root ${mount.root}) does not show.`);
  }
  return dir;
}

const PATH_CONTROLLER_ORDER = ['memory', 'cpu', 'pids', 'name=systemd'];

/** Maps a process's /proc/<pid>/cgroup entries onto the layout's mounts. */
export function processCgroupFromEntries(layout: CgroupLayout, pid: number, entries: ProcCgroupEntry[]): ProcessCgroup {
  const v2Entry = entries.find((entry) => entry.hierarchyId === 0 && entry.controllers.length === 0);
  const unified = v2Entry && layout.unified ? dirOrThrow(pid, layout.unified, v2Entry.path) : null;
  if (layout.mode === 'v2') {
    if (!v2Entry || unified === null) throw new UnsupportedLayoutError(`Process ${pid} has no cgroup v2 ("0::") entry.`);
    return { path: v2Entry.path, dirs: { memory: unified, cpu: unified, cpuacct: unified, blkio: unified, pids: unified, cpuset: unified, unified } };
  }
  const entryOf = (controller: string) => entries.find((entry) => entry.controllers.includes(controller));
  const dirOf = (controller: string): string | null => {
    const entry = entryOf(controller);
    const mount = layout.v1[controller];
    return entry && mount ? dirOrThrow(pid, mount, entry.path) : null;
  };
  const pathEntry = PATH_CONTROLLER_ORDER.map(entryOf).find((entry) => entry !== undefined) ?? v2Entry;
  if (!pathEntry) throw new UnsupportedLayoutError(`Process ${pid} is in none of the mounted cgroup hierarchies.`);
  assertVisible(pid, pathEntry.path);
  return {
    path: pathEntry.path,
    dirs: {
      memory: dirOf('memory'), cpu: dirOf('cpu'), cpuacct: dirOf('cpuacct'), blkio: dirOf('blkio'),
      pids: dirOf('pids'), cpuset: dirOf('cpuset'), unified,
    },
  };
}

export async function processCgroup(layout: CgroupLayout, pid: number): Promise<ProcessCgroup> {
  const found = processCgroupFromEntries(layout, pid, await readProcCgroup(layout.procRoot, pid));
  // On hybrid machines runtimes do not always mirror their cgroups into the controller-less unified tree.
  if (layout.mode === 'hybrid') found.dirs.unified = await existingDir(found.dirs.unified);
  return found;
}
