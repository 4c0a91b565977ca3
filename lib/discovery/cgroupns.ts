// Where this process's own cgroup namespace sits in a hierarchy that is mounted from above it (a host's
// cgroup filesystem mounted into a container that has a cgroup namespace of its own).
//
// The kernel writes every /proc/<pid>/cgroup path relative to the reader's cgroup namespace: a process of
// another Docker container reads "/../<id>" from inside a container at /docker/<self>. Turning that into
// "/docker/<id>" takes the place of the namespace's root, which no file states. It is found once per
// process: the directory, at the depth the mount root's "/.." segments give, whose cgroup.procs lists
// this process.
import { readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { readTexts } from '../io/batch.js';
import { entryFor, parseProcCgroup } from './proc-cgroup-parse.js';
import type { CgroupLayout, CgroupMount } from './types.js';

/** By mount point and "/.." prefix: the namespace root does not move for the life of a process. */
const roots = new Map<string, Promise<string | null>>();

/**
 * The path, in the hierarchy `mount` shows, of this process's cgroup namespace root; null when it cannot
 * be found. `controller` names the v1 hierarchy in /proc/self/cgroup (null for the unified one).
 */
export function namespaceRoot(
  layout: CgroupLayout,
  mount: CgroupMount,
  controller: string | null,
): Promise<string | null> {
  if (mount.outside === '') return Promise.resolve('/');
  const key = `${mount.mountPoint}\0${mount.outside}`;
  let root = roots.get(key);
  if (root === undefined) {
    root = findNamespaceRoot(layout, mount, controller).catch(() => null);
    roots.set(key, root);
  }
  return root;
}

async function findNamespaceRoot(
  layout: CgroupLayout,
  mount: CgroupMount,
  controller: string | null,
): Promise<string | null> {
  const own = entryFor(parseProcCgroup(await readFile(join(layout.procRoot, 'self/cgroup'), 'utf8')), controller);
  if (own === undefined || own.path.startsWith('/..')) return null;
  const inside = own.path.split('/').filter((part) => part !== '');
  const up = mount.outside.split('/').filter((part) => part !== '').length;
  // Directories of the mount `up + inside.length` levels down, as paths of the hierarchy. Listed level by
  // level rather than with native.walkDirs, which does not walk into 64-hex and .scope directories: our
  // own cgroup may lie below one (a process in a child cgroup of its container).
  let level = [''];
  for (let depth = 0; depth < up + inside.length; depth++) {
    const next: string[] = [];
    await Promise.all(
      level.map(async (relative) => {
        try {
          for (const entry of await readdir(join(mount.mountPoint, relative), { withFileTypes: true })) {
            if (entry.isDirectory()) next.push(`${relative}/${entry.name}`);
          }
        } catch {
          // A cgroup removed meanwhile.
        }
      }),
    );
    level = next;
  }
  const ownPid = String(process.pid);
  const procs = await readTexts(level.map((relative) => join(mount.mountPoint, relative, 'cgroup.procs')));
  // A cgroup removed meanwhile (no cgroup.procs) holds nothing.
  const matches = level.filter((_, i) => procs[i]?.split('\n').includes(ownPid) === true);
  if (matches.length !== 1) return null;
  // Our own cgroup, less the part of it inside the namespace.
  const found = matches[0]!.split('/').filter((part) => part !== '');
  return '/' + found.slice(0, found.length - inside.length).join('/');
}

/** A path relative to the namespace root, resolved against the root's place; null if it climbs above the top. */
export function resolveInNamespace(root: string, nsPath: string): string | null {
  const ups = nsPath.split('/').filter((part) => part === '..').length;
  if (ups > root.split('/').filter((part) => part !== '').length) return null;
  const joined = posix.join(root, nsPath);
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}
