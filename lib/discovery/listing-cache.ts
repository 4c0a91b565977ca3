// Listing every container again and again (a monitor's sweeps): the hierarchy is walked each time, which
// costs directory listings only, and only the cgroups not seen before are described. A container is
// described again when it had no PID yet, when told to (its cgroup or process was replaced), and its
// identity (name, image, labels, pod) is looked at again every so often (a rename, a relabel).
import { HostPids } from './host-pids.js';
import {
  byCgroupPath,
  describeFound,
  findContainerCgroups,
  identityOf,
  type FoundCgroup,
  type ListOptions,
} from './list.js';
import { detectLayout } from './mode.js';
import { readMetadata, runtimeState, type ContainerMetadata } from '../runtimes/metadata.js';
import type { CgroupLayout, ResolvedContainer } from './types.js';

/** How often identities are looked at again. */
const IDENTITY_REFRESH_MS = 10_000;

export interface ListingCacheOptions extends ListOptions {
  /** How often identities are looked at again, in ms. Default 10 000. */
  identityRefreshMs?: number;
}

/** Whether a container's identity differs from what its metadata says now. */
function identityChanged(container: ResolvedContainer, metadata: ContainerMetadata): boolean {
  const a = container.kubernetes,
    b = metadata.kubernetes;
  return (
    container.name !== metadata.name ||
    container.image !== metadata.image ||
    container.imageId !== metadata.imageId ||
    container.labels !== metadata.labels ||
    container.networkOwner !== metadata.networkOwner ||
    container.hostNetwork !== metadata.hostNetwork ||
    (a === null) !== (b === null) ||
    (a !== null &&
      b !== null &&
      (a.pod !== b.pod || a.namespace !== b.namespace || a.container !== b.container || a.podUid !== b.podUid))
  );
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
  #identitiesAt = 0;
  /** A runtime state file the last look could not read for lack of rights (names and images are then missing). */
  #denied: string | null = null;

  constructor(options: ListingCacheOptions = {}) {
    this.#options = options;
  }

  /** A state file that identities could not be read from for lack of rights, as of the last list(). */
  get deniedStateFile(): string | null {
    return this.#denied;
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
    const state = await runtimeState(this.#options);
    const found = await findContainerCgroups(layout, state.classify);
    const present = new Set<string>();
    const stale: FoundCgroup[] = [];
    for (const cgroup of found) {
      present.add(cgroup.cgroupPath);
      const known = this.#known.get(cgroup.cgroupPath);
      if (known === undefined || known.pid === null) stale.push(cgroup);
    }
    for (const path of this.#known.keys()) if (!present.has(path)) this.#delete(path);
    if (stale.length > 0) {
      const { containers, denied } = await describeFound(layout, stale, state, new HostPids(layout));
      for (const container of containers) this.#set(container);
      this.#denied = denied;
    }
    if (Date.now() - this.#identitiesAt >= (this.#options.identityRefreshMs ?? IDENTITY_REFRESH_MS)) {
      this.#identitiesAt = Date.now();
      await this.#refreshIdentities(found, state);
    }
    this.#listed ??=
      this.#options.includeSandboxes === true ? this.known() : this.known().filter((container) => !container.sandbox);
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

  /** Reads every known container's state files again (their stats; only changed files are read). */
  async #refreshIdentities(
    found: readonly FoundCgroup[],
    state: Awaited<ReturnType<typeof runtimeState>>,
  ): Promise<void> {
    const containers: ResolvedContainer[] = [];
    const classifications: FoundCgroup['classification'][] = [];
    for (const cgroup of found) {
      const container = this.#known.get(cgroup.cgroupPath);
      if (container === undefined) continue;
      containers.push(container);
      classifications.push(cgroup.classification);
    }
    const { metadata, denied } = await readMetadata(classifications, state);
    this.#denied = denied;
    containers.forEach((container, i) => {
      const now = metadata[i]!;
      if (identityChanged(container, now)) this.#set({ ...container, ...identityOf(now, classifications[i]!) });
    });
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
