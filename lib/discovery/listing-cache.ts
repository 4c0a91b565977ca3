// Listing every container again and again (a monitor's sweeps): the hierarchy is walked each time, which
// costs directory listings only, and only the cgroups not seen before are described. A container is
// described again when it had no PID yet, when told to (its cgroup or process was replaced), and names
// are looked at again every so often (a rename).
import { ContainerNames } from './names.js';
import { HostPids } from './host-pids.js';
import { byCgroupPath, describeFound, findContainerCgroups, type FoundCgroup, type ListOptions } from './list.js';
import { detectLayout } from './mode.js';
import type { CgroupLayout, ResolvedContainer } from './types.js';

/** How often names are looked at again. */
const NAME_REFRESH_MS = 10_000;

export interface ListingCacheOptions extends ListOptions {
  /** How often names are looked at again, in ms. Default 10 000. */
  nameRefreshMs?: number;
}

export class ListingCache {
  readonly #options: ListingCacheOptions;
  /** The layout the known containers were described in, and as JSON (layouts are plain data). */
  #layout: CgroupLayout | null = null;
  #layoutKey: string | null = null;
  /** By cgroup path. */
  readonly #known = new Map<string, ResolvedContainer>();
  /** #known's values sorted by cgroup path, until #known changes. */
  #sorted: readonly ResolvedContainer[] | null = null;
  #listed: readonly ResolvedContainer[] | null = null;
  #namesLoadedAt = 0;

  constructor(options: ListingCacheOptions = {}) {
    this.#options = options;
  }

  /** Every container now, sorted by cgroup path (pod sandboxes only with includeSandboxes). */
  async list(): Promise<readonly ResolvedContainer[]> {
    const layout = await detectLayout(this.#options);
    // detectLayout answers with the same object while the mounts stay as they are.
    if (layout !== this.#layout) {
      const layoutKey = JSON.stringify(layout);
      if (layoutKey !== this.#layoutKey) {
        // Other cgroup mounts: paths and directories may mean something else now.
        this.#clear();
        this.#layoutKey = layoutKey;
      }
      this.#layout = layout;
    }
    const found = await findContainerCgroups(layout);
    const refreshNames = Date.now() - this.#namesLoadedAt >= (this.#options.nameRefreshMs ?? NAME_REFRESH_MS);
    const present = new Set<string>();
    const stale: FoundCgroup[] = [];
    for (const cgroup of found) {
      present.add(cgroup.cgroupPath);
      const known = this.#known.get(cgroup.cgroupPath);
      if (known === undefined || known.pid === null) stale.push(cgroup);
    }
    for (const path of this.#known.keys()) if (!present.has(path)) this.#delete(path);
    const names = new ContainerNames(this.#options);
    if (stale.length > 0) {
      for (const container of await describeFound(layout, stale, names, new HostPids(layout))) this.#set(container);
    }
    if (refreshNames) {
      this.#namesLoadedAt = Date.now();
      const all = [...this.#known.values()];
      await names.load(all);
      for (const container of all) {
        if (container.runtime !== 'docker' && container.runtime !== 'podman') continue;
        const name = await names.nameOf(container.runtime, container.id);
        if (name !== container.name) this.#set({ ...container, name });
      }
    }
    this.#listed ??= this.#options.includeSandboxes === true ? this.known() : this.known().filter((container) => !container.sandbox);
    return this.#listed;
  }

  /** What the last list() found, pod sandboxes included, sorted by cgroup path (the same array until it changes). */
  known(): readonly ResolvedContainer[] {
    this.#sorted ??= [...this.#known.values()].sort(byCgroupPath);
    return this.#sorted;
  }

  /** Describes this cgroup again at the next list() (its cgroup or its process was replaced). */
  forget(cgroupPath: string): void {
    this.#delete(cgroupPath);
  }

  #set(container: ResolvedContainer): void {
    this.#known.set(container.cgroup.path, container);
    this.#changed();
  }

  #delete(cgroupPath: string): void {
    if (this.#known.delete(cgroupPath)) this.#changed();
  }

  #clear(): void {
    this.#known.clear();
    this.#changed();
  }

  #changed(): void {
    this.#sorted = null;
    this.#listed = null;
  }
}
