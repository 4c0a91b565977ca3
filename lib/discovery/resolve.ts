// From a ContainerRef to a ResolvedContainer. Every reference is validated before any path is built
// from it; ids and names are only ever compared with what listing found, never joined into paths.
//
// A string is looked up as Docker does: an exact id, then an exact name, then a unique id prefix
// (lowercase hex only, at least one digit). So a container named "abc" wins over ids starting "abc".
// Ids are lowercase, as every runtime writes them: { id: "ABC" } is invalid, and the string "ABC" can
// only be a name. Each call lists containers at most once and keeps nothing: callers that resolve
// repeatedly (the monitor) cache ResolvedContainer themselves.
import { AmbiguousReferenceError, ContainerNotFoundError, InvalidReferenceError, UnsupportedLayoutError } from '../errors.js';
import type { ContainerRef, HostOptions } from '../types.js';
import { UNIFIED } from '../cgroup/index.js';
import { cgroupDirUnder, missingStatsDirs, statsMounts } from './dirs.js';
import { HostPids } from './host-pids.js';
import { describeCgroups, findContainerCgroups, type DescribeRequest, type FoundCgroup } from './list.js';
import { detectLayout } from './mode.js';
import { ContainerNames } from './names.js';
import { processCgroup } from './proc-cgroup.js';
import { classifyCgroupPath, containerOfCgroupPath, SAFE_NAME } from './runtimes.js';
import type { CgroupLayout, ResolvedContainer } from './types.js';

/** A validated reference. */
export type ParsedReference =
  | { kind: 'text'; text: string }
  | { kind: 'id'; id: string }
  | { kind: 'name'; name: string }
  | { kind: 'pid'; pid: number }
  | { kind: 'cgroup'; path: string };

const ID = /^[0-9a-f]{1,64}$/;
/** The kernel's PID_MAX_LIMIT. */
const PID_MAX = 4_194_304;
const CGROUP_PATH_MAX = 4096;

function describeRef(ref: unknown): string {
  if (typeof ref === 'string') return ref;
  try {
    return JSON.stringify(ref) ?? String(ref);
  } catch {
    return String(ref);
  }
}

/** Checks a cgroup path and normalizes it ("/a//b/./c/" -> "/a/b/c"); ".." is refused, never resolved. */
export function normalizeCgroupPath(path: string): string {
  if (path.length === 0 || path.length > CGROUP_PATH_MAX) throw new InvalidReferenceError(path, `a cgroup path has 1 to ${CGROUP_PATH_MAX} characters`);
  if (!path.startsWith('/')) throw new InvalidReferenceError(path, 'a cgroup path is absolute, relative to the hierarchy root');
  if (/[\x00-\x1f\x7f]/.test(path)) throw new InvalidReferenceError(path, 'a cgroup path has no NUL or control characters');
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw new InvalidReferenceError(path, 'a cgroup path may not contain ".." segments');
  return '/' + segments.join('/');
}

/** Validates a reference; throws InvalidReferenceError before anything touches the filesystem. */
export function parseContainerRef(ref: ContainerRef): ParsedReference {
  if (typeof ref === 'string') {
    if (!SAFE_NAME.test(ref)) throw new InvalidReferenceError(ref, 'expected an id, an id prefix or a name ([a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 255 characters)');
    return { kind: 'text', text: ref };
  }
  if (typeof ref !== 'object' || ref === null || Array.isArray(ref)) {
    throw new InvalidReferenceError(describeRef(ref), 'expected a string or one of { id }, { name }, { pid }, { cgroup }');
  }
  const keys = Object.keys(ref);
  if (keys.length !== 1) throw new InvalidReferenceError(describeRef(ref), 'expected exactly one of id, name, pid, cgroup');
  const record = ref as Record<string, unknown>;
  if ('id' in ref) {
    if (typeof record.id !== 'string' || !ID.test(record.id)) throw new InvalidReferenceError(describeRef(ref), 'an id is 1 to 64 lowercase hex digits');
    return { kind: 'id', id: record.id };
  }
  if ('name' in ref) {
    if (typeof record.name !== 'string' || !SAFE_NAME.test(record.name)) {
      throw new InvalidReferenceError(describeRef(ref), 'a name matches [a-zA-Z0-9][a-zA-Z0-9_.-]* (at most 255 characters)');
    }
    return { kind: 'name', name: record.name };
  }
  if ('pid' in ref) {
    const pid = record.pid;
    if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0 || pid > PID_MAX) {
      throw new InvalidReferenceError(describeRef(ref), `a pid is an integer from 1 to ${PID_MAX}`);
    }
    return { kind: 'pid', pid };
  }
  if ('cgroup' in ref) {
    if (typeof record.cgroup !== 'string') throw new InvalidReferenceError(describeRef(ref), 'a cgroup path is a string');
    return { kind: 'cgroup', path: normalizeCgroupPath(record.cgroup) };
  }
  throw new InvalidReferenceError(describeRef(ref), 'expected exactly one of id, name, pid, cgroup');
}

/** One match, or the typed error for none or several. */
function single<T extends { id: string }>(reference: string, matches: T[]): T | null {
  if (matches.length > 1) throw new AmbiguousReferenceError(reference, matches.map((container) => container.id));
  return matches[0] ?? null;
}

/** What references are matched against: an id and, where known, a name. */
export interface Matchable {
  id: string;
  name: string | null;
}

/** Finds a listed container by text, id or name, in Docker's order. */
export function matchListed<T extends Matchable>(reference: ParsedReference & { kind: 'text' | 'id' | 'name' }, listed: readonly T[]): T {
  const shown = reference.kind === 'text' ? reference.text : reference.kind === 'id' ? reference.id : reference.name;
  const byId = (id: string) => single(shown, listed.filter((container) => container.id === id));
  const byName = (name: string) => single(shown, listed.filter((container) => container.name === name));
  const byPrefix = (prefix: string) => single(shown, listed.filter((container) => ID.test(prefix) && /^[0-9a-f]{64}$/.test(container.id) && container.id.startsWith(prefix)));
  const found =
    reference.kind === 'name' ? byName(reference.name)
    : reference.kind === 'id' ? byId(reference.id) ?? byPrefix(reference.id)
    : byId(reference.text) ?? byName(reference.text) ?? byPrefix(reference.text);
  if (found === null) throw new ContainerNotFoundError(shown);
  return found;
}

interface Candidate extends Matchable {
  found: FoundCgroup;
}

/**
 * Resolution state shared by the references of one call: the hierarchy is walked once, names are
 * loaded only when a reference needs them, and only the containers referred to are described.
 */
class Resolver {
  private candidates: Promise<Candidate[]> | null = null;
  private named: Promise<Candidate[]> | null = null;
  private readonly names: ContainerNames;
  private readonly hostPids: HostPids;

  constructor(private readonly layout: CgroupLayout, options: HostOptions | undefined) {
    this.names = new ContainerNames(options);
    this.hostPids = new HostPids(layout);
  }

  /**
   * Resolves the references with one describing pass (two native trips) for all of them and, with
   * `census`, for every other container too (their PIDs and network namespaces only).
   */
  async resolveAll(
    references: readonly ParsedReference[],
    { census = false, netns = true, forStats = false }: { census?: boolean; netns?: boolean; forStats?: boolean } = {},
  ): Promise<{ targets: ResolvedContainer[]; census: ResolvedContainer[] }> {
    const requests = await Promise.all(references.map((reference) => this.request(reference, netns)));
    const all: DescribeRequest[] = requests.map(({ request }) => request);
    if (census) {
      const requested = new Set(all.map((request) => request.cgroupPath));
      this.candidates ??= this.walk();
      for (const { found } of await this.candidates) {
        if (!requested.has(found.cgroupPath)) {
          all.push({ cgroupPath: found.cgroupPath, classification: found.classification, known: { pidDir: found.dir }, lite: true });
        }
      }
    }
    const described = await describeCgroups(this.layout, all, this.names, this.hostPids);
    const targets = requests.map((request, i) => this.check(references[i]!, request, described[i] ?? null, forStats));
    return { targets, census: census ? described.filter((c): c is ResolvedContainer => c !== null) : [] };
  }

  /**
   * Each reference resolved, or the error that stopped it, in one walk and one describing pass for
   * all of them (a reference that matches nothing does not keep the others from resolving).
   */
  async resolveEach(references: readonly ParsedReference[], { forStats = false } = {}): Promise<Array<ResolvedContainer | Error>> {
    const settled = await Promise.allSettled(references.map((reference) => this.request(reference, true)));
    const requested = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value.request] : []));
    const described = await describeCgroups(this.layout, requested, this.names, this.hostPids);
    let at = 0;
    return settled.map((result, i) => {
      if (result.status === 'rejected') return result.reason instanceof Error ? result.reason : new Error(String(result.reason));
      try {
        return this.check(references[i]!, result.value, described[at++] ?? null, forStats);
      } catch (err) {
        return err as Error;
      }
    });
  }

  /** The container a reference resolved to, or the typed error saying why there is none to read. */
  private check(reference: ParsedReference, { shown, why }: { shown: string; why: string }, container: ResolvedContainer | null, forStats: boolean): ResolvedContainer {
    if (container === null) throw new ContainerNotFoundError(shown, why);
    const missing = reference.kind === 'cgroup' ? missingStatsDirs(this.layout, container.dirs) : [];
    if (missing.length > 0) throw new ContainerNotFoundError(shown, `no such cgroup in ${missing.join(', ')}`);
    // Stats are read from the cgroup's files, which a hierarchy's root cgroup lacks.
    const root = forStats ? this.rootHierarchy(container) : null;
    if (root !== null) {
      throw new UnsupportedLayoutError(
        `The stats of ${shown} (cgroup ${container.cgroup.path}) would come from the root cgroup of the ${root} hierarchy, ` +
        'which has none of the files they are read from: the whole machine\'s figures are in /proc (and in the host field of any stats).');
    }
    return container;
  }

  /** What to describe for a reference, and how to say that it vanished meanwhile. */
  private async request(reference: ParsedReference, netns: boolean): Promise<{ request: DescribeRequest; shown: string; why: string }> {
    switch (reference.kind) {
      case 'pid': {
        const { pid } = reference;
        const own = await processCgroup(this.layout, pid);
        const container = containerOfCgroupPath(own.path);
        const shown = `pid ${pid}`;
        const why = 'the process exited';
        // Not in a container: the process's own cgroup, each v1 controller where the process is.
        if (container === null) return { request: { cgroupPath: own.path, classification: null, known: { pid, dirs: own.dirs }, netns }, shown, why };
        return { request: { cgroupPath: container.path, classification: container, known: { pid }, netns }, shown, why };
      }
      case 'cgroup': {
        const { path } = reference;
        const pidDir = this.firstCandidateDir(path);
        if (pidDir === null) throw new ContainerNotFoundError(path, 'no cgroup hierarchy holds it');
        return { request: { cgroupPath: path, classification: classifyCgroupPath(path), known: { pidDir }, netns }, shown: path, why: 'no such cgroup' };
      }
      default: {
        const match = await this.match(reference);
        return {
          request: { cgroupPath: match.found.cgroupPath, classification: match.found.classification, known: { pidDir: match.found.dir }, netns },
          shown: match.id,
          why: 'it stopped while it was looked up',
        };
      }
    }
  }

  /** The hierarchy whose root cgroup a container's stats would be read from (the root lacks their files), or null. */
  private rootHierarchy(container: ResolvedContainer): string | null {
    const unified = container.dirs[UNIFIED] ?? null;
    if (this.layout.mode === 'v2') return unified !== null && unified === this.layout.unified?.mountPoint ? UNIFIED : null;
    // v1 roots have the memory, cpu, cpuacct and blkio files, but no pids.current or pids.max.
    const pids = this.layout.v1['pids'];
    return pids !== undefined && container.dirs['pids'] === pids.mountPoint && pids.root === '/' ? 'pids' : null;
  }

  /** The directory of a cgroup path in the first mounted hierarchy that reads are taken from. */
  private firstCandidateDir(path: string): string | null {
    // On v1 and hybrid the stats come from the v1 controllers (listed first); a cgroup may not be in the unified tree.
    for (const [, mount] of statsMounts(this.layout)) {
      const dir = cgroupDirUnder(mount, path);
      if (dir !== null) return dir;
    }
    return null;
  }

  private async walk(): Promise<Candidate[]> {
    return (await findContainerCgroups(this.layout)).map((found) => ({ id: found.classification.id, name: found.classification.name, found }));
  }

  private async match(reference: ParsedReference & { kind: 'text' | 'id' | 'name' }): Promise<Candidate> {
    this.candidates ??= this.walk();
    const candidates = await this.candidates;
    // An id, or a text that is some container's full id, needs no names.
    if (reference.kind === 'id') return matchListed(reference, candidates);
    if (reference.kind === 'text' && candidates.some((candidate) => candidate.id === reference.text)) return matchListed(reference, candidates);
    this.named ??= this.loadNames(candidates);
    return matchListed(reference, await this.named);
  }

  private async loadNames(candidates: Candidate[]): Promise<Candidate[]> {
    const unnamed = candidates.filter((candidate) => candidate.name === null).map((candidate) => candidate.found.classification);
    await this.names.load(unnamed);
    return Promise.all(candidates.map(async (candidate) => ({
      ...candidate,
      name: candidate.name ?? await this.names.nameOf(candidate.found.classification.runtime, candidate.id),
    })));
  }
}

/** Resolves many references with one layout detection and at most one walk of the hierarchy; the order is kept. */
export async function resolveContainers(refs: readonly ContainerRef[], options?: HostOptions): Promise<ResolvedContainer[]> {
  const parsed = refs.map(parseContainerRef);
  return (await new Resolver(await detectLayout(options), options).resolveAll(parsed)).targets;
}

/**
 * The references resolved (without their network namespace inodes, which a sample reads anyway) and,
 * with `census`, every container's PID and network namespace, in one describing pass.
 */
export function resolveForSample(
  layout: CgroupLayout, references: readonly ParsedReference[], options: HostOptions | undefined, census: boolean,
): Promise<{ targets: ResolvedContainer[]; census: ResolvedContainer[] }> {
  return new Resolver(layout, options).resolveAll(references, { census, netns: false, forStats: true });
}

/**
 * Each reference resolved for reading its stats, or the typed error that stopped it (an invalid
 * reference, one that matches nothing, a root cgroup), with one layout detection and one walk.
 */
export async function resolveEachForStats(refs: readonly ContainerRef[], options?: HostOptions): Promise<Array<ResolvedContainer | Error>> {
  const parsed = refs.map((ref): ParsedReference | Error => {
    try {
      return parseContainerRef(ref);
    } catch (err) {
      return err as Error;
    }
  });
  const valid = parsed.filter((reference): reference is ParsedReference => !(reference instanceof Error));
  const resolved = valid.length === 0 ? [] : await new Resolver(await detectLayout(options), options).resolveEach(valid, { forStats: true });
  let at = 0;
  return parsed.map((reference) => (reference instanceof Error ? reference : resolved[at++]!));
}

/** Resolves one reference: id, id prefix, name, { pid } or { cgroup }. */
export async function resolveContainer(ref: ContainerRef, options?: HostOptions): Promise<ResolvedContainer> {
  const [container] = await resolveContainers([ref], options);
  return container!;
}
