// /proc/<pid>/cgroup: which cgroup a process is in, per hierarchy.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainerNotFoundError, UnsupportedLayoutError } from '../errors.js';
import { UNIFIED } from '../cgroup/index.js';
import { cgroupDirUnder, containerDirs, existingDir } from './dirs.js';
import { isMissing, rethrowAsTyped } from '../io/errno.js';
import { namespaceRoot, resolveInNamespace } from './cgroupns.js';
import { entryFor, parseProcCgroup, type ProcCgroupEntry } from './proc-cgroup-parse.js';

export { entryFor, parseProcCgroup, type ProcCgroupEntry } from './proc-cgroup-parse.js';
import type { CgroupDirs, CgroupLayout, CgroupMount } from './types.js';

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
        "Run in the host cgroup namespace (--cgroupns=host) or mount the host's cgroup filesystem.",
    );
  }
}

/**
 * A /proc/<pid>/cgroup path, which is relative to this process's cgroup namespace, as a path of the
 * hierarchy that `mount` shows (see CgroupMount.outside). `nsRoot` is where that namespace's root sits in
 * the hierarchy (cgroupns.ts), needed for the paths that do not climb to the top.
 */
export function hierarchyPath(mount: CgroupMount, pid: number, nsPath: string, nsRoot?: string | null): string {
  if (mount.outside === '') {
    assertVisible(pid, nsPath);
    return nsPath;
  }
  if (nsPath === mount.outside || nsPath.startsWith(mount.outside + '/')) {
    const path = nsPath.slice(mount.outside.length) || '/';
    assertVisible(pid, path);
    return path;
  }
  const resolved = nsRoot ? resolveInNamespace(nsRoot, nsPath) : null;
  if (resolved === null) {
    throw new UnsupportedLayoutError(
      `Process ${pid} is in cgroup ${nsPath} (relative to this process's cgroup namespace), whose place in the hierarchy ` +
        `mounted at ${mount.mountPoint} could not be found. Read it from the host's cgroup namespace (--cgroupns=host).`,
    );
  }
  return resolved;
}

/** Whether hierarchyPath needs the namespace root for this path. */
function needsNamespaceRoot(mount: CgroupMount, nsPath: string): boolean {
  return mount.outside !== '' && nsPath !== mount.outside && !nsPath.startsWith(mount.outside + '/');
}

function dirOrThrow(pid: number, mount: CgroupMount, nsPath: string, nsRoot: string | null | undefined): string {
  const path = hierarchyPath(mount, pid, nsPath, nsRoot);
  const dir = cgroupDirUnder(mount, path);
  if (dir === null) {
    throw new UnsupportedLayoutError(
      `Process ${pid} is in cgroup ${path}, which the mount at ${mount.mountPoint} (root ${mount.root}) does not show.`,
    );
  }
  return dir;
}

const PATH_CONTROLLER_ORDER = ['memory', 'cpu', 'pids', 'name=systemd'];

/**
 * Maps a process's /proc/<pid>/cgroup entries onto the layout's mounts. `nsRoots` holds, per mount, where
 * this process's cgroup namespace sits in it (only needed with a cgroup namespace of its own).
 */
export function processCgroupFromEntries(
  layout: CgroupLayout,
  pid: number,
  entries: ProcCgroupEntry[],
  nsRoots: ReadonlyMap<CgroupMount, string | null> = new Map(),
): ProcessCgroup {
  const v2Entry = entryFor(entries, null);
  const pathOf = (mount: CgroupMount, entry: ProcCgroupEntry) =>
    hierarchyPath(mount, pid, entry.path, nsRoots.get(mount));
  const dirOf = (hierarchy: string, mount: CgroupMount): string | null => {
    const entry = entryFor(entries, hierarchy === UNIFIED ? null : hierarchy);
    return entry ? dirOrThrow(pid, mount, entry.path, nsRoots.get(mount)) : null;
  };
  if (layout.mode === 'v2') {
    if (!v2Entry || layout.unified === null)
      throw new UnsupportedLayoutError(`Process ${pid} has no cgroup v2 ("0::") entry.`);
    return { path: pathOf(layout.unified, v2Entry), dirs: containerDirs(layout, dirOf) };
  }
  const pathController = PATH_CONTROLLER_ORDER.find(
    (controller) => entryFor(entries, controller) !== undefined && layout.v1[controller] !== undefined,
  );
  const path =
    pathController !== undefined
      ? pathOf(layout.v1[pathController]!, entryFor(entries, pathController)!)
      : v2Entry && layout.unified
        ? pathOf(layout.unified, v2Entry)
        : null;
  if (path === null) throw new UnsupportedLayoutError(`Process ${pid} is in none of the mounted cgroup hierarchies.`);
  return { path, dirs: containerDirs(layout, dirOf) };
}

/** The namespace roots processCgroupFromEntries needs for these entries. */
export async function namespaceRootsFor(
  layout: CgroupLayout,
  entries: ProcCgroupEntry[],
): Promise<Map<CgroupMount, string | null>> {
  const roots = new Map<CgroupMount, string | null>();
  const hierarchies = Object.entries(layout.v1).map(([controller, mount]): [CgroupMount, string | null] => [
    mount,
    controller,
  ]);
  if (layout.unified) hierarchies.unshift([layout.unified, null]);
  for (const [mount, controller] of hierarchies) {
    const entry = entryFor(entries, controller);
    if (entry !== undefined && !roots.has(mount) && needsNamespaceRoot(mount, entry.path)) {
      roots.set(mount, await namespaceRoot(layout, mount, controller));
    }
  }
  return roots;
}

export async function processCgroup(layout: CgroupLayout, pid: number): Promise<ProcessCgroup> {
  const entries = await readProcCgroup(layout.procRoot, pid);
  const found = processCgroupFromEntries(layout, pid, entries, await namespaceRootsFor(layout, entries));
  // On hybrid machines runtimes do not always mirror their cgroups into the controller-less unified tree.
  if (layout.mode === 'hybrid')
    return { ...found, dirs: { ...found.dirs, [UNIFIED]: await existingDir(found.dirs[UNIFIED] ?? null) } };
  return found;
}
