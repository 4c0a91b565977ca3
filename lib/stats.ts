// readContainerStats: resolve references, then sample them in one batch.
import { parseContainerRef, resolveForSample } from './discovery/resolve.js';
import { detectLayout } from './discovery/mode.js';
import { MAX_CONFIG_REFRESH_MS, retainRegistrations, StatsSampler, type SamplerOptions } from './sampler.js';
import { ownershipKnown, sharedCensus } from './network/census.js';
import { booleanOption, hostOptions, numberOption, optionsObject } from './options.js';
import type { ContainerRef, ContainerStats, HostOptions } from './types.js';

export type ReadOptions = Omit<SamplerOptions, 'keepFds' | 'maxFds' | 'maxSockets'>;

/**
 * How long one-shot reads share a sampler (it keeps no descriptors: only the files' registrations and
 * their key names, and the names of block devices, which are then looked up again).
 */
const SHARED_SAMPLER_MS = 10_000;
/** Samplers kept for distinct roots, at most. */
const SHARED_SAMPLERS_MAX = 16;
/** Containers whose registrations a shared sampler keeps (those read most recently): a few hundred KiB at most. */
const SHARED_REGISTRATIONS = 256;

const sharedSamplers = new Map<string, { sampler: StatsSampler; since: number }>();

/**
 * The sampler one-shot reads of these roots share: registering a container's files and learning their key
 * names is done once, not on every call. It keeps no descriptors, so an old one is simply dropped.
 */
function sharedSampler(host: HostOptions, network: boolean): StatsSampler {
  const key = `${host.procRoot ?? ''}\0${host.sysRoot ?? ''}\0${network}`;
  const now = performance.now();
  const shared = sharedSamplers.get(key);
  if (shared !== undefined && now - shared.since < SHARED_SAMPLER_MS) return shared.sampler;
  const sampler = new StatsSampler({ procRoot: host.procRoot, sysRoot: host.sysRoot, network });
  retainRegistrations(sampler, SHARED_REGISTRATIONS);
  if (shared !== undefined || sharedSamplers.size < SHARED_SAMPLERS_MAX)
    sharedSamplers.set(key, { sampler, since: now });
  return sampler;
}

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
  numberOption(optionsObject(options).configRefreshMs, 'configRefreshMs', 0, MAX_CONFIG_REFRESH_MS);
  const results = await sharedSampler(host, network).sample(targets, { peers });
  const stats = results.map((result) => {
    if (result instanceof Error) throw result;
    return result;
  });
  return many ? stats : stats[0]!;
}
