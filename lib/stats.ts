// readContainerStats: resolve references, then sample them in one batch.
import { parseContainerRef, resolveForSample } from './discovery/resolve.js';
import { detectLayout } from './discovery/mode.js';
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
  const references = list.map(parseContainerRef);
  const layout = await detectLayout(options);
  // Whether a namespace is shared depends on the other containers, so with network counters every
  // container's namespace is looked at too, in the same pass.
  const network = options.network ?? true;
  const { targets, census } = await resolveForSample(layout, references, options, network);
  const sampler = new StatsSampler(options);
  try {
    const results = await sampler.sample(targets, { peers: census });
    const stats = results.map((result) => {
      if (result instanceof Error) throw result;
      return result;
    });
    return many ? stats : stats[0]!;
  } finally {
    sampler.close();
  }
}
