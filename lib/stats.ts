// readContainerStats: resolve references, then sample them in one batch.
import { parseContainerRef, resolveForSample, type ParsedReference } from './discovery/resolve.js';
import { detectLayout } from './discovery/mode.js';
import { withStateRead } from './discovery/list.js';
import { runtimeState } from './runtimes/metadata.js';
import { HEX64 } from './runtimes/ids.js';
import {
  MAX_CONFIG_REFRESH_MS,
  retainRegistrations,
  StatsSampler,
  type SampleError,
  type SamplerOptions,
} from './sampler.js';
import { ownershipKnown, sharedCensus } from './network/census.js';
import { booleanOption, hostOptions, numberOption, optionsObject } from './options.js';
import type { CgroupLayout, ResolvedContainer } from './discovery/types.js';
import type { ContainerRef, ContainerStats, HostOptions } from './types.js';

/**
 * Options of readContainerStats: `network` (default true; false leaves `network` null and enters no namespace)
 * and where the host's /proc and /sys and the runtimes' state are. Every option is checked first: a bad one
 * rejects with an InvalidOptionError naming it. `configRefreshMs` is checked but changes nothing here: every
 * read reads the limits.
 */
export type ReadOptions = Omit<SamplerOptions, 'keepFds' | 'maxFds' | 'maxSockets'>;

/**
 * How long one-shot reads share a sampler (it keeps no descriptors: only the files' registrations and
 * their key names, and the names of block devices, which are then looked up again) and the containers
 * they found by id: so a container's name, labels and image are those of at most this long ago.
 */
const SHARED_SAMPLER_MS = 10_000;
/** Samplers kept for distinct roots, at most. */
const SHARED_SAMPLERS_MAX = 16;
/**
 * Containers whose registrations a shared sampler keeps (those read most recently), and containers found
 * by id it remembers: a few hundred KiB at most.
 */
const SHARED_REGISTRATIONS = 256;

/** A container found by its full id, and the inode of its cgroup directory when it was read. */
interface Found {
  container: ResolvedContainer;
  inode: number;
}

interface SharedReads {
  sampler: StatsSampler;
  since: number;
  /** By full id, most recently read last. */
  found: Map<string, Found>;
}

const shared = new Map<string, SharedReads>();

/**
 * What one-shot reads of these roots share: the sampler (registering a container's files and learning their
 * key names is done once, not on every call) and the containers found by id. It keeps no descriptors, so
 * an old one is simply dropped.
 */
function sharedReads(host: HostOptions, network: boolean): SharedReads {
  const key = `${host.procRoot ?? ''}\0${host.sysRoot ?? ''}\0${network}`;
  const now = performance.now();
  const reads = shared.get(key);
  if (reads !== undefined && now - reads.since < SHARED_SAMPLER_MS) return reads;
  const sampler = new StatsSampler({ procRoot: host.procRoot, sysRoot: host.sysRoot, network });
  retainRegistrations(sampler, SHARED_REGISTRATIONS);
  const fresh: SharedReads = { sampler, since: now, found: new Map() };
  if (reads !== undefined || shared.size < SHARED_SAMPLERS_MAX) shared.set(key, fresh);
  return fresh;
}

/**
 * The full id a reference names exactly, or null. Only those are remembered between calls: an exact id
 * wins over every name and prefix, so while that container's cgroup lives it is the one the reference
 * names (a name can move to another container, and a prefix become ambiguous, without its cgroup changing).
 */
function fullIdOf(reference: ParsedReference): string | null {
  const text = reference.kind === 'text' ? reference.text : reference.kind === 'id' ? reference.id : null;
  return text !== null && HEX64.test(text) ? text : null;
}

/**
 * Reads containers found by id in an earlier call without looking them up again, or null when one of
 * them is not remembered or is not the same any more. The sample proves it: it reads the inode of the
 * container's cgroup directory after its files, and a runtime's container keeps its cgroup, and the
 * cgroup its first process, for as long as it runs (a restart makes a new cgroup, with a new inode;
 * inodes of cgroup directories are not reused while the machine runs). A container that stopped fails the
 * sample, and is looked up again to say so.
 */
async function readFound(
  reads: SharedReads,
  references: readonly ParsedReference[],
  layout: CgroupLayout,
  network: boolean,
  host: HostOptions,
): Promise<ContainerStats[] | null> {
  const found: Found[] = [];
  for (const reference of references) {
    const id = fullIdOf(reference);
    const known = id === null ? undefined : reads.found.get(id);
    if (known === undefined) return null;
    found.push(known);
  }
  // The layout is what the remembered directories were found in.
  if (found.some(({ container }) => container.version !== (layout.mode === 'v2' ? 2 : 1))) return null;
  // Names and labels as the runtimes' state says now (a rename rewrites it, not the cgroup).
  const state = await runtimeState(host);
  const targets = await withStateRead(
    found.map(({ container }) => container),
    state,
  );
  if (targets.some((target) => target === null)) return null;
  const results = await reads.sampler.sample(targets as ResolvedContainer[], {
    peers: await peersOf(targets as ResolvedContainer[], network, host),
  });
  let same = true;
  results.forEach((result, i) => {
    if (result instanceof Error || result.cgroup.inode !== found[i]!.inode) {
      reads.found.delete(found[i]!.container.id);
      same = false;
    }
  });
  return same ? (results as ContainerStats[]) : null;
}

/** Remembers the containers found by full id that were read, with their cgroup's inode. */
function remember(
  reads: SharedReads,
  references: readonly ParsedReference[],
  targets: readonly ResolvedContainer[],
  results: ReadonlyArray<ContainerStats | SampleError>,
): void {
  references.forEach((reference, i) => {
    const id = fullIdOf(reference);
    const result = results[i]!;
    if (id === null || result instanceof Error || targets[i]!.id !== id) return;
    reads.found.delete(id);
    reads.found.set(id, { container: targets[i]!, inode: result.cgroup.inode });
  });
  for (const id of reads.found.keys()) {
    if (reads.found.size <= SHARED_REGISTRATIONS) break;
    reads.found.delete(id);
  }
}

/**
 * Whether a namespace is shared: the runtimes' state says for most containers; for the others, the
 * namespaces of the other containers, from a census kept between calls.
 */
async function peersOf(
  targets: readonly ResolvedContainer[],
  network: boolean,
  host: HostOptions,
): Promise<readonly ResolvedContainer[]> {
  return network && targets.some((target) => !ownershipKnown(target)) ? await sharedCensus(host).peers() : [];
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
  numberOption(optionsObject(options).configRefreshMs, 'configRefreshMs', 0, MAX_CONFIG_REFRESH_MS);
  const many = Array.isArray(refs);
  const list: readonly ContainerRef[] = many ? refs : [refs as ContainerRef];
  const references = list.map(parseContainerRef);
  const layout = await detectLayout(host);
  const reads = sharedReads(host, network);
  let stats = await readFound(reads, references, layout, network, host);
  if (stats === null) {
    const { targets } = await resolveForSample(layout, references, host, false);
    const results = await reads.sampler.sample(targets, { peers: await peersOf(targets, network, host) });
    remember(reads, references, targets, results);
    stats = results.map((result) => {
      if (result instanceof Error) throw result;
      return result;
    });
  }
  return many ? stats : stats[0]!;
}
