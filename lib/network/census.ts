// Which containers share a network namespace, where their runtimes' state does not say: every container's
// PID and namespace on the machine, listed incrementally and kept per host for later reads. A read uses
// the census it finds (looking again in the background once it is older than CENSUS_MAX_AGE_MS), so a
// single read does not list the host each time.
import { ListingCache } from '../discovery/listing-cache.js';
import type { ResolvedContainer } from '../discovery/types.js';
import type { HostOptions } from '../types.js';

/** How old a census may be before a read asks for a new one (and still uses the old one meanwhile). */
export const CENSUS_MAX_AGE_MS = 10_000;

/**
 * Whether the runtime's own state settles a container's network namespace: Docker says whom a container
 * joined (hostconfig.json, once read), a CRI says which pod sandbox owns it. Elsewhere (Podman pods,
 * containerd, LXC, plain cgroups) the namespaces of the other containers tell.
 */
export function ownershipKnown(container: ResolvedContainer): boolean {
  if (container.networkOwner !== null || container.kubernetes !== null) return true;
  return container.runtime === 'docker' && container.image !== null;
}

class Census {
  readonly #listing: ListingCache;
  #containers: Promise<readonly ResolvedContainer[]> | null = null;
  #at = 0;
  #refreshing = false;

  constructor(options: HostOptions) {
    this.#listing = new ListingCache({ ...options, includeSandboxes: true });
  }

  /** The containers of the last census (made now if there is none; refreshed in the background if old). */
  peers(): Promise<readonly ResolvedContainer[]> {
    if (this.#containers === null) {
      this.#containers = this.#take();
      // A census that failed is taken again by the next read.
      this.#containers.catch(() => {
        this.#containers = null;
      });
    } else if (Date.now() - this.#at >= CENSUS_MAX_AGE_MS && !this.#refreshing) {
      this.#refreshing = true;
      const next = this.#take();
      next
        .then(
          (containers) => {
            this.#containers = Promise.resolve(containers);
          },
          () => {},
        )
        .finally(() => {
          this.#refreshing = false;
        });
    }
    return this.#containers;
  }

  async #take(): Promise<readonly ResolvedContainer[]> {
    await this.#listing.list();
    this.#at = Date.now();
    return this.#listing.known();
  }
}

const censuses = new Map<string, Census>();

/** The census of the host these options describe, kept for the life of the process. */
export function sharedCensus(options: HostOptions = {}): Census {
  const key = JSON.stringify([
    options.procRoot,
    options.sysRoot,
    options.dockerRoot,
    options.podmanRoots,
    options.containerdRoots,
  ]);
  let census = censuses.get(key);
  if (census === undefined) {
    census = new Census(options);
    if (censuses.size < 16) censuses.set(key, census);
  }
  return census;
}
