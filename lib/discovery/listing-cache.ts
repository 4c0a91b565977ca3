// Listing every container again and again (a monitor's sweeps): the hierarchy is walked each time, which
// costs directory listings only, and only the cgroups not seen before are described. A container is
// described again when it had no PID yet, when told to (its cgroup or process was replaced), and names
// are looked at again every so often (a rename).
import { ContainerNames } from './names.js';
import { HostPids } from './host-pids.js';
import { describeFound, findContainerCgroups, type FoundCgroup, type ListOptions } from './list.js';
import { detectLayout } from './mode.js';
import type { ResolvedContainer } from './types.js';

/** How often names are looked at again. */
const NAME_REFRESH_MS = 10_000;

export interface ListingCacheOptions extends ListOptions {
  /** How often names are looked at again, in ms. Default 10 000. */
  nameRefreshMs?: number;
}

export class ListingCache {
  readonly #options: ListingCacheOptions;
  /** The layout the known containers were described in (as JSON: layouts are plain data). */
  #layoutKey: string | null = null;
  /** By cgroup path. */
  readonly #known = new Map<string, ResolvedContainer>();
  #namesLoadedAt = 0;

  constructor(options: ListingCacheOptions = {}) {
    this.#options = options;
  }

  /** Every container now, sorted by cgroup path (pod sandboxes only with includeSandboxes). */
  async list(): Promise<ResolvedContainer[]> {
    const layout = await detectLayout(this.#options);
    const layoutKey = JSON.stringify(layout);
    if (layoutKey !== this.#layoutKey) {
      // Other cgroup mounts: paths and directories may mean something else now.
      this.#known.clear();
      this.#layoutKey = layoutKey;
    }
    const found = await findContainerCgroups(layout);
    const refreshNames = Date.now() - this.#namesLoadedAt >= (this.#options.nameRefreshMs ?? NAME_REFRESH_MS);
    const present = new Set<string>();
    const stale: FoundCgroup[] = [];
    for (const cgroup of found) {
      present.add(cgroup.cgroupPath);
      const known = this.#known.get(cgroup.cgroupPath);
      if (known === undefined || known.pid === null || known.id !== cgroup.classification.id) stale.push(cgroup);
    }
    for (const path of this.#known.keys()) if (!present.has(path)) this.#known.delete(path);
    const names = new ContainerNames(this.#options);
    if (stale.length > 0) {
      for (const container of await describeFound(layout, stale, names, new HostPids(layout))) this.#known.set(container.cgroup.path, container);
    }
    if (refreshNames) {
      this.#namesLoadedAt = Date.now();
      const all = [...this.#known.values()];
      await names.load(all);
      for (const container of all) {
        if (container.runtime !== 'docker' && container.runtime !== 'podman') continue;
        const name = await names.nameOf(container.runtime, container.id);
        if (name !== container.name) this.#known.set(container.cgroup.path, { ...container, name });
      }
    }
    return this.known().filter((container) => this.#options.includeSandboxes === true || !container.sandbox);
  }

  /** What the last list() found, pod sandboxes included, sorted by cgroup path. */
  known(): ResolvedContainer[] {
    return [...this.#known.values()].sort((a, b) => (a.cgroup.path < b.cgroup.path ? -1 : a.cgroup.path > b.cgroup.path ? 1 : 0));
  }

  /** Describes this cgroup again at the next list() (its cgroup or its process was replaced). */
  forget(cgroupPath: string): void {
    this.#known.delete(cgroupPath);
  }
}
