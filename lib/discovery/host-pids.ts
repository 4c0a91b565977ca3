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

/** The PIDs of each cgroup of the scanned hierarchy, and the lowest in it or its descendants. */
export class HostPidIndex {
  readonly #lowest = new Map<string, number>();
  readonly #members = new Map<string, number[]>();

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
    const members = this.#members.get(path);
    if (members === undefined) this.#members.set(path, [pid]);
    else members.push(pid);
    // The cgroup and each of its ancestors: a container's PID may sit in a child (".../container").
    for (let at = path; ; at = at.slice(0, Math.max(at.lastIndexOf('/'), 1))) {
      const known = this.#lowest.get(at);
      if (known === undefined || pid < known) this.#lowest.set(at, pid);
      if (at === '/') break;
    }
  }

  /**
   * The PIDs of the cgroup at `path` (a path of the scanned hierarchy), in ascending order as
   * cgroup.procs lists them on v1; where it holds none itself, the lowest below it; none: empty.
   */
  pidsFor(path: string): number[] {
    const members = this.#members.get(path);
    if (members !== undefined) return [...members].sort((a, b) => a - b);
    const lowest = this.#lowest.get(path);
    return lowest === undefined ? [] : [lowest];
  }
}

/** Builds the index on first use, once, and only when procRoot is another PID namespace. */
export class HostPids {
  #index: Promise<HostPidIndex | null> | null = null;

  constructor(private readonly layout: CgroupLayout) {}

  /** The host PIDs of the cgroup (HostPidIndex.pidsFor), or undefined when cgroup.procs gives the answer here. */
  async pidsFor(path: string): Promise<number[] | undefined> {
    this.#index ??= isForeignPidNamespace(this.layout.procRoot).then((foreign) =>
      foreign ? HostPidIndex.build(this.layout) : null,
    );
    const index = await this.#index;
    return index === null ? undefined : index.pidsFor(path);
  }
}
