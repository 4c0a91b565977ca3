// readContainerStats: resolve references, then sample them in one batch.
import { parseContainerRef, resolveForSample } from './discovery/resolve.js';
import { detectLayout } from './discovery/mode.js';
import { StatsSampler, type SamplerOptions } from './sampler.js';
import { ownershipKnown, sharedCensus } from './network/census.js';
import { booleanOption, hostOptions, optionsObject } from './options.js';
import type { ContainerRef, ContainerStats } from './types.js';

export type ReadOptions = Omit<SamplerOptions, 'keepFds' | 'maxFds' | 'maxSockets'>;

/**
 * Reads one container's stats, or many containers' in one batch (rejecting with the first
 * container's error if any fails: a vanished container is a ContainerNotFoundError, never zeros).
 */
export function readContainerStats(ref: ContainerRef, options?: ReadOptions): Promise<ContainerStats>;
export function readContainerStats(refs: readonly ContainerRef[], options?: ReadOptions): Promise<ContainerStats[]>;
export async function readContainerStats(
  refs: ContainerRef | readonly ContainerRef[],
  options?: ReadOptions,
): Promise<ContainerStats | ContainerStats[]> {
  const host = hostOptions(options);
  const network = booleanOption(optionsObject(options).network, 'network') ?? true;
  const many = Array.isArray(refs);
  const list: readonly ContainerRef[] = many ? refs : [refs as ContainerRef];
  const references = list.map(parseContainerRef);
  const layout = await detectLayout(host);
  const { targets } = await resolveForSample(layout, references, host, false);
  // Whether a namespace is shared: the runtimes' state says for most containers; for the others, the
  // namespaces of the other containers, from a census kept between calls.
  const peers = network && targets.some((target) => !ownershipKnown(target)) ? await sharedCensus(host).peers() : [];
  const sampler = new StatsSampler({ ...host, network });
  try {
    const results = await sampler.sample(targets, { peers });
    const stats = results.map((result) => {
      if (result instanceof Error) throw result;
      return result;
    });
    return many ? stats : stats[0]!;
  } finally {
    sampler.close();
  }
}
