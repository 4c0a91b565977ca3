// readContainerStats: resolve references, then sample them in one batch.
import { resolveContainers } from './discovery/resolve.js';
import { listResolvedContainers } from './discovery/list.js';
import { StatsSampler, type SamplerOptions } from './sampler.js';
import type { ContainerRef, ContainerStats } from './types.js';

export interface ReadOptions extends Omit<SamplerOptions, 'keepFds' | 'maxFds' | 'maxSockets'> {}

/**
 * Reads one container's stats, or many containers' in one batch (rejecting with the first
 * container's error if any fails: a vanished container is a ContainerNotFoundError, never zeros).
 */
export function readContainerStats(ref: ContainerRef, options?: ReadOptions): Promise<ContainerStats>;
export function readContainerStats(refs: readonly ContainerRef[], options?: ReadOptions): Promise<ContainerStats[]>;
export async function readContainerStats(
  refs: ContainerRef | readonly ContainerRef[],
  options: ReadOptions = {},
): Promise<ContainerStats | ContainerStats[]> {
  const many = Array.isArray(refs);
  const list: readonly ContainerRef[] = many ? refs : [refs as ContainerRef];
  const targets = await resolveContainers(list, options);
  const sampler = new StatsSampler(options);
  try {
    // Whether a namespace is shared depends on the other containers, so they are listed too
    // (only when some target has a namespace of its own to compare).
    const network = options.network ?? true;
    const peers = network && targets.some((t) => t.pid !== null) ? await listResolvedContainers({ ...options, includeSandboxes: true }) : targets;
    const results = await sampler.sample(targets, { peers: [...targets, ...peers] });
    const stats = results.map((result) => {
      if (result instanceof Error) throw result;
      return result;
    });
    return many ? stats : stats[0]!;
  } finally {
    sampler.close();
  }
}
