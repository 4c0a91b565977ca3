// PIDs of cgroups when procRoot belongs to another PID namespace than this process: the host's /proc
// mounted into a container that has a PID namespace of its own. cgroup.procs then lists only the
// processes of this process's namespace (none of another container's), so the host's PIDs are found
// from procRoot itself: every process's /proc/<pid>/cgroup, read in one native trip per listing.
import { readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { readTexts } from '../io/batch.js';
import { scanMount } from './scan.js';
import { namespaceRoot } from './cgroupns.js';
import { entryFor, hierarchyPath, parseProcCgroup } from './proc-cgroup.js';
import type { CgroupLayout } from './types.js';

/** By procRoot: a process's PID namespace does not change. */
const foreign = new Map<string, Promise<boolean>>();

/** Whether `${procRoot}/self` is another PID than ours: procRoot shows another PID namespace. */
export function isForeignPidNamespace(procRoot: string): Promise<boolean> {
  let answer = foreign.get(procRoot);
  if (answer === undefined) {
    answer = readlink(join(procRoot, 'self')).then(
      (self) => self !== String(process.pid),
      () => false,
    );
    // Not a procfs with a "self" link (a copied tree, hidepid): cgroup.procs is all there is.
    if (foreign.size < 64) foreign.set(procRoot, answer);
  }
  return answer;
}

/** The lowest PID in each cgroup of the scanned hierarchy, descendants included. */
export class HostPidIndex {
  readonly #lowest = new Map<string, number>();

  /** Reads every process of procRoot once. */
  static async build(layout: CgroupLayout): Promise<HostPidIndex> {
    const index = new HostPidIndex();
    const scan = scanMount(layout);
    if (scan === null) return index;
    const nsRoot = await namespaceRoot(layout, scan.mount, scan.controller);
    const pids = (await readdir(layout.procRoot)).filter((name) => /^[1-9]\d*$/.test(name));
    const answers = await readTexts(pids.map((pid) => join(layout.procRoot, pid, 'cgroup')));
    answers.forEach((answer, i) => {
      // A process that exited meanwhile is simply not there.
      if (answer === null) return;
      const pid = Number(pids[i]);
      const entry = entryFor(parseProcCgroup(answer), scan.controller);
      if (entry === undefined) return;
      let path: string;
      try {
        path = hierarchyPath(scan.mount, pid, entry.path, nsRoot);
      } catch {
        return;
      }
      index.#add(path, pid);
    });
    return index;
  }

  #add(path: string, pid: number): void {
    // The cgroup and each of its ancestors: a container's PID may sit in a child (".../container").
    for (let at = path; ; at = at.slice(0, Math.max(at.lastIndexOf('/'), 1))) {
      const known = this.#lowest.get(at);
      if (known === undefined || pid < known) this.#lowest.set(at, pid);
      if (at === '/') break;
    }
  }

  /** The lowest PID in the cgroup at `path` (a path of the scanned hierarchy) or below it. */
  pidFor(path: string): number | null {
    return this.#lowest.get(path) ?? null;
  }
}

/** Builds the index on first use, once, and only when procRoot is another PID namespace. */
export class HostPids {
  #index: Promise<HostPidIndex | null> | null = null;

  constructor(private readonly layout: CgroupLayout) {}

  /** The host PID for the cgroup, or undefined when cgroup.procs gives the answer here. */
  async pidFor(path: string): Promise<number | null | undefined> {
    this.#index ??= isForeignPidNamespace(this.layout.procRoot).then((foreign) =>
      foreign ? HostPidIndex.build(this.layout) : null,
    );
    const index = await this.#index;
    return index === null ? undefined : index.pidFor(path);
  }
}
