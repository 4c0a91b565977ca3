// From a ContainerRef to a ResolvedContainer. Every reference is validated before any path is built
// from it; ids and names are only ever compared with what the runtimes' state or the listing found, never
// joined into paths.
//
// A string is looked up as Docker does: an exact id, then an exact name, then a unique id prefix
// (lowercase hex only, at least one digit). So a container named "abc" wins over ids starting "abc".
// "namespace/pod/container" names a Kubernetes container ("namespace/pod": the pod's one container).
// Ids are looked up first in what the runtimes say is running (reference-index.ts: no walk, the same cost
// on a host of any size); what that does not find is looked for in a walk of the hierarchy, once per call.
import {
  AmbiguousReferenceError,
  ContainerNotFoundError,
  InvalidReferenceError,
  PermissionDeniedError,
  UnsupportedLayoutError,
} from '../errors.js';
import type { ContainerRef, HostOptions } from '../types.js';
import { UNIFIED } from '../cgroup/index.js';
import { cgroupDirUnder, missingStatsDirs, statsMounts } from './dirs.js';
import { HostPids } from './host-pids.js';
import {
  describeCgroups,
  findContainerCgroups,
  type DescribeRequest,
  type FoundCgroup,
  NOT_READY_DETAIL,
  type NotReady,
} from './list.js';
import { detectLayout } from './mode.js';
import { processCgroup } from './proc-cgroup.js';
import { referenceIndex, type IndexEntry } from './reference-index.js';
import { hostOptions } from '../options.js';
import { scanMount } from './scan.js';
import { readMetadata, runtimeState, type RuntimeState } from '../runtimes/metadata.js';
import { containerOfCgroupPath, classifyCgroupPath } from '../runtimes/table.js';
import { ID_PREFIX, HEX64, SAFE_NAME, isContainerdId } from '../runtimes/ids.js';
import { cgroupPathOf, OCI_SPEC, type OciSpec } from '../runtimes/oci.js';
import { readStateFiles } from '../runtimes/state-files.js';
import type { CgroupClassification } from '../runtimes/types.js';
import type { CgroupLayout, ResolvedContainer } from './types.js';

/** A validated reference. */
export type ParsedReference =
  | { kind: 'text'; text: string }
  | { kind: 'id'; id: string }
  | { kind: 'name'; name: string }
  | { kind: 'kubernetes'; namespace: string; pod: string; container: string | null }
  | { kind: 'pid'; pid: number }
  | { kind: 'cgroup'; path: string };

/** The kernel's PID_MAX_LIMIT. */
const PID_MAX = 4_194_304;
const CGROUP_PATH_MAX = 4096;
/** Kubernetes namespaces, pods and containers: DNS names. */
const KUBE_PART = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/;
/** What an error message shows of a reference. */
const SHOWN_MAX = 100;

/** A reference as messages show it: long ones cut. */
function describeRef(ref: unknown): string {
  let text: string;
  if (typeof ref === 'string') text = ref;
  else {
    try {
      text = JSON.stringify(ref) ?? String(ref);
    } catch {
      text = String(ref);
    }
  }
  return text.length > SHOWN_MAX ? `${text.slice(0, SHOWN_MAX)}… (${text.length} characters)` : text;
}

function invalid(ref: unknown, why: string): InvalidReferenceError {
  return new InvalidReferenceError(describeRef(ref), why);
}

/** Checks a cgroup path and normalizes it ("/a//b/./c/" -> "/a/b/c"); ".." is refused, never resolved. */
export function normalizeCgroupPath(path: string): string {
  if (path.length === 0 || path.length > CGROUP_PATH_MAX)
    throw invalid(path, `a cgroup path has 1 to ${CGROUP_PATH_MAX} characters`);
  if (!path.startsWith('/')) throw invalid(path, 'a cgroup path is absolute, relative to the hierarchy root');
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  if (/[\x00-\x1f\x7f]/.test(path)) throw invalid(path, 'a cgroup path has no NUL or control characters');
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw invalid(path, 'a cgroup path may not contain ".." segments');
  return '/' + segments.join('/');
}

/** Validates a reference; throws InvalidReferenceError before anything touches the filesystem. */
export function parseContainerRef(ref: ContainerRef): ParsedReference {
  if (typeof ref === 'string') {
    if (ref.includes('/')) {
      const parts = ref.split('/');
      if ((parts.length === 2 || parts.length === 3) && parts.every((part) => KUBE_PART.test(part))) {
        return { kind: 'kubernetes', namespace: parts[0]!, pod: parts[1]!, container: parts[2] ?? null };
      }
      throw invalid(ref, 'a Kubernetes container is namespace/pod/container (or namespace/pod), each a DNS name');
    }
    if (!SAFE_NAME.test(ref))
      throw invalid(
        ref,
        'expected an id, an id prefix, a name ([a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 255 characters) or namespace/pod/container',
      );
    return { kind: 'text', text: ref };
  }
  if (typeof ref !== 'object' || ref === null || Array.isArray(ref)) {
    throw invalid(ref, 'expected a string or one of { id }, { name }, { pid }, { cgroup }');
  }
  const keys = Object.keys(ref);
  if (keys.length !== 1) throw invalid(ref, 'expected exactly one of id, name, pid, cgroup');
  const record = ref as Record<string, unknown>;
  if ('id' in ref) {
    if (typeof record.id !== 'string' || !(ID_PREFIX.test(record.id) || isContainerdId(record.id))) {
      throw invalid(ref, 'an id is 1 to 64 lowercase hex digits (a prefix), or a containerd id');
    }
    return { kind: 'id', id: record.id };
  }
  if ('name' in ref) {
    if (typeof record.name !== 'string' || !SAFE_NAME.test(record.name)) {
      throw invalid(ref, 'a name matches [a-zA-Z0-9][a-zA-Z0-9_.-]* (at most 255 characters)');
    }
    return { kind: 'name', name: record.name };
  }
  if ('pid' in ref) {
    const pid = record.pid;
    if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0 || pid > PID_MAX) {
      throw invalid(ref, `a pid is an integer from 1 to ${PID_MAX}`);
    }
    return { kind: 'pid', pid };
  }
  if ('cgroup' in ref) {
    if (typeof record.cgroup !== 'string') throw invalid(ref, 'a cgroup path is a string');
    return { kind: 'cgroup', path: normalizeCgroupPath(record.cgroup) };
  }
  throw invalid(ref, 'expected exactly one of id, name, pid, cgroup');
}

/** How a reference is shown in messages. */
function shownOf(reference: ParsedReference): string {
  switch (reference.kind) {
    case 'text':
      return reference.text;
    case 'id':
      return reference.id;
    case 'name':
      return reference.name;
    case 'kubernetes':
      return `${reference.namespace}/${reference.pod}${reference.container === null ? '' : `/${reference.container}`}`;
    case 'pid':
      return `pid ${reference.pid}`;
    case 'cgroup':
      return reference.path;
  }
}

/** One match, or the typed error for several; null for none. */
function single<T extends { id: string }>(reference: string, matches: readonly T[]): T | null {
  if (matches.length > 1)
    throw new AmbiguousReferenceError(reference, [...new Set(matches.map((container) => container.id))]);
  return matches[0] ?? null;
}

/** What references are matched against: an id, where known a name, and a Kubernetes container's pod. */
export interface Matchable {
  id: string;
  name: string | null;
  kubernetes?: { namespace: string; pod: string; container: string | null } | null;
}

type MatchedReference = ParsedReference & { kind: 'text' | 'id' | 'name' | 'kubernetes' };

/** Finds a container among `listed` by text, id, name or pod, in Docker's order; null when none matches. */
export function findListed<T extends Matchable>(reference: MatchedReference, listed: readonly T[]): T | null {
  const shown = shownOf(reference);
  const byId = (id: string) =>
    single(
      shown,
      listed.filter((container) => container.id === id),
    );
  const byName = (name: string) =>
    single(
      shown,
      listed.filter((container) => container.name === name),
    );
  const byPrefix = (prefix: string) =>
    single(
      shown,
      ID_PREFIX.test(prefix)
        ? listed.filter((container) => HEX64.test(container.id) && container.id.startsWith(prefix))
        : [],
    );
  switch (reference.kind) {
    case 'kubernetes': {
      const { namespace, pod, container } = reference;
      return single(
        shown,
        listed.filter(
          ({ kubernetes }) =>
            kubernetes != null &&
            kubernetes.namespace === namespace &&
            kubernetes.pod === pod &&
            kubernetes.container !== null &&
            (container === null || kubernetes.container === container),
        ),
      );
    }
    case 'name':
      return byName(reference.name);
    case 'id':
      return byId(reference.id) ?? byPrefix(reference.id);
    case 'text':
      return byId(reference.text) ?? byName(reference.text) ?? byPrefix(reference.text);
  }
}

/** Finds a listed container by text, id, name or pod, in Docker's order; ContainerNotFoundError when none matches. */
export function matchListed<T extends Matchable>(reference: MatchedReference, listed: readonly T[]): T {
  const found = findListed(reference, listed);
  if (found === null) throw new ContainerNotFoundError(shownOf(reference));
  return found;
}

interface Candidate extends Matchable {
  found: FoundCgroup;
}

/** What to describe for a reference, and how to say that it vanished meanwhile. */
interface Requested {
  request: DescribeRequest;
  shown: string;
  why: string;
}

/**
 * Resolution state shared by the references of one call: the runtimes' index is asked first, the
 * hierarchy is walked at most once (for what the index does not know), identities are read only when a
 * reference needs names, and only the containers referred to are described.
 */
class Resolver {
  private candidates: Promise<Candidate[]> | null = null;
  private named: Promise<{ candidates: Candidate[]; denied: string | null }> | null = null;
  private readonly hostPids: HostPids;

  constructor(
    private readonly layout: CgroupLayout,
    private readonly state: RuntimeState,
  ) {
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
      for (const { found } of await this.walked()) {
        if (!requested.has(found.cgroupPath)) {
          all.push({
            cgroupPath: found.cgroupPath,
            classification: found.classification,
            known: { pidDir: found.dir },
            lite: true,
          });
        }
      }
    }
    const { containers, notReady } = await describeCgroups(this.layout, all, this.state, this.hostPids);
    const targets = requests.map((request, i) =>
      this.check(references[i]!, request, containers[i] ?? null, notReady[i], forStats),
    );
    return { targets, census: census ? containers.filter((c): c is ResolvedContainer => c !== null) : [] };
  }

  /**
   * Each reference resolved, or the error that stopped it, in one describing pass for all of them (a
   * reference that matches nothing does not keep the others from resolving).
   */
  async resolveEach(
    references: readonly ParsedReference[],
    { forStats = false } = {},
  ): Promise<Array<ResolvedContainer | Error>> {
    const settled = await Promise.allSettled(references.map((reference) => this.request(reference, true)));
    const requested = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value.request] : []));
    const { containers, notReady } = await describeCgroups(this.layout, requested, this.state, this.hostPids);
    let at = 0;
    return settled.map((result, i) => {
      if (result.status === 'rejected')
        return result.reason instanceof Error ? result.reason : new Error(String(result.reason));
      try {
        const index = at++;
        return this.check(references[i]!, result.value, containers[index] ?? null, notReady[index], forStats);
      } catch (err) {
        return err as Error;
      }
    });
  }

  /** The container a reference resolved to, or the typed error saying why there is none to read. */
  private check(
    reference: ParsedReference,
    { shown, why }: Requested,
    container: ResolvedContainer | null,
    notReady: NotReady | undefined,
    forStats: boolean,
  ): ResolvedContainer {
    if (container === null) {
      throw new ContainerNotFoundError(shown, notReady === undefined ? why : NOT_READY_DETAIL[notReady]);
    }
    const missing = reference.kind === 'cgroup' ? missingStatsDirs(this.layout, container.dirs) : [];
    if (missing.length > 0) throw new ContainerNotFoundError(shown, `no such cgroup in ${missing.join(', ')}`);
    // Stats are read from the cgroup's files, which a hierarchy's root cgroup lacks.
    const root = forStats ? this.rootHierarchy(container) : null;
    if (root !== null) {
      throw new UnsupportedLayoutError(
        `The stats of ${shown} (cgroup ${container.cgroup.path}) would come from the root cgroup of the ${root} hierarchy, ` +
          "which has none of the files they are read from: the whole machine's figures are in /proc (and in the host field of any stats).",
      );
    }
    return container;
  }

  private async request(reference: ParsedReference, netns: boolean): Promise<Requested> {
    switch (reference.kind) {
      case 'pid': {
        const { pid } = reference;
        const own = await processCgroup(this.layout, pid);
        const container = containerOfCgroupPath(own.path, this.state.classify);
        const shown = `pid ${pid}`;
        const why = 'the process exited';
        // Not in a container: the process's own cgroup, each v1 controller where the process is.
        if (container === null)
          return {
            request: { cgroupPath: own.path, classification: null, known: { pid, dirs: own.dirs }, netns },
            shown,
            why,
          };
        return {
          request: { cgroupPath: container.path, classification: container, known: { pid }, netns },
          shown,
          why,
        };
      }
      case 'cgroup': {
        const { path } = reference;
        const pidDir = this.firstCandidateDir(path);
        if (pidDir === null) throw new ContainerNotFoundError(path, 'no cgroup hierarchy holds it');
        return {
          request: {
            cgroupPath: path,
            classification: classifyCgroupPath(path, this.state.classify),
            known: { pidDir },
            netns,
          },
          shown: path,
          why: 'no such cgroup',
        };
      }
      default: {
        const shown = shownOf(reference);
        const why = 'it stopped while it was looked up';
        const indexed = await this.fromIndex(reference);
        if (indexed !== null) return { request: { ...indexed, netns }, shown: indexed.classification.id, why };
        const match = await this.fromWalk(reference);
        return {
          request: {
            cgroupPath: match.found.cgroupPath,
            classification: match.found.classification,
            known: { pidDir: match.found.dir },
            netns,
          },
          shown: match.id ?? shown,
          why,
        };
      }
    }
  }

  /**
   * The container the runtimes' index names: its cgroup from its OCI spec, checked to be that container's.
   * null when the index does not know the reference (or knows it but its cgroup does not show here).
   */
  private async fromIndex(
    reference: MatchedReference,
  ): Promise<(Omit<DescribeRequest, 'netns'> & { classification: CgroupClassification }) | null> {
    const index = referenceIndex(this.state.roots);
    let snapshot = await index.current();
    let entry = findListed(reference, snapshot.entries);
    // A container found by its name may have been renamed since (its state file changed, its directory did
    // not): then look again.
    if (
      entry !== null &&
      (reference.kind === 'text' || reference.kind === 'name') &&
      entry.id !== shownOf(reference) &&
      entry.name === shownOf(reference) &&
      !(await index.stillNamed(entry, shownOf(reference)))
    ) {
      index.invalidate();
      snapshot = await index.current();
      entry = findListed(reference, snapshot.entries);
    }
    if (entry === null) return null;
    return this.cgroupOfEntry(entry);
  }

  private async cgroupOfEntry(
    entry: IndexEntry,
  ): Promise<(Omit<DescribeRequest, 'netns'> & { classification: CgroupClassification }) | null> {
    const scan = scanMount(this.layout);
    if (scan === null) return null;
    const specs = await readStateFiles(entry.specs.map((path) => ({ path, kind: OCI_SPEC })));
    for (const answer of specs) {
      const spec = answer.value as OciSpec | null;
      const path = spec?.cgroupsPath == null ? null : cgroupPathOf(spec.cgroupsPath);
      if (path === null) continue;
      const classification = classifyCgroupPath(path, this.state.classify);
      // The spec is the runtime's word, checked: its path must be that container's cgroup.
      if (classification === null || classification.id !== entry.id) continue;
      const pidDir = cgroupDirUnder(scan.mount, path);
      if (pidDir === null) continue;
      return { cgroupPath: path, classification, known: { pidDir } };
    }
    return null;
  }

  /** The hierarchy whose root cgroup a container's stats would be read from (the root lacks their files), or null. */
  private rootHierarchy(container: ResolvedContainer): string | null {
    const unified = container.dirs[UNIFIED] ?? null;
    if (this.layout.mode === 'v2')
      return unified !== null && unified === this.layout.unified?.mountPoint ? UNIFIED : null;
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

  private walked(): Promise<Candidate[]> {
    this.candidates ??= findContainerCgroups(this.layout, this.state.classify).then((found) =>
      found.map((cgroup) => ({
        id: cgroup.classification.id,
        name: cgroup.classification.name,
        kubernetes: null,
        found: cgroup,
      })),
    );
    return this.candidates;
  }

  /** A container found by walking the hierarchy (names and pods from every container's state, read once per call). */
  private async fromWalk(reference: MatchedReference): Promise<Candidate> {
    const candidates = await this.walked();
    // An id, or a text that is some container's full id, needs no names.
    if (
      reference.kind === 'id' ||
      (reference.kind === 'text' && candidates.some((candidate) => candidate.id === reference.text))
    ) {
      return matchListed(reference, candidates);
    }
    this.named ??= this.identify(candidates);
    const { candidates: named, denied } = await this.named;
    return matchOrDenied(reference, named, denied);
  }

  private async identify(candidates: Candidate[]): Promise<{ candidates: Candidate[]; denied: string | null }> {
    const { metadata, denied } = await readMetadata(
      candidates.map((candidate) => candidate.found.classification),
      this.state,
    );
    return {
      candidates: candidates.map((candidate, i) => ({
        ...candidate,
        name: metadata[i]!.name,
        kubernetes: metadata[i]!.kubernetes,
      })),
      denied,
    };
  }
}

/**
 * matchListed, but where a runtime's state could not be read for lack of rights (names were hidden), a
 * miss is a PermissionDeniedError that says which privilege it takes rather than "no such container".
 */
function matchOrDenied(
  reference: MatchedReference,
  candidates: readonly Candidate[],
  denied: string | null,
): Candidate {
  const found = findListed(reference, candidates);
  if (found !== null) return found;
  if (denied !== null) {
    throw new PermissionDeniedError(
      { errno: -13, syscall: 'open', path: denied },
      `No container matches ${shownOf(reference)} among those whose state could be read: names, images and pods need read access to the runtimes' state (${denied}); run as root.`,
    );
  }
  throw new ContainerNotFoundError(shownOf(reference));
}

/** Resolves many references with one layout detection and at most one walk of the hierarchy; the order is kept. */
export async function resolveContainers(
  refs: readonly ContainerRef[],
  options?: HostOptions,
): Promise<ResolvedContainer[]> {
  const host = hostOptions(options);
  if (!Array.isArray(refs)) throw new InvalidReferenceError(typeof refs, 'expected an array of references');
  const parsed = refs.map(parseContainerRef);
  const [layout, state] = await Promise.all([detectLayout(host), runtimeState(host)]);
  return (await new Resolver(layout, state).resolveAll(parsed)).targets;
}

/**
 * The references resolved (without their network namespace inodes, which a sample reads anyway) and,
 * with `census`, every container's PID and network namespace, in one describing pass.
 */
export async function resolveForSample(
  layout: CgroupLayout,
  references: readonly ParsedReference[],
  options: HostOptions | undefined,
  census: boolean,
): Promise<{ targets: ResolvedContainer[]; census: ResolvedContainer[] }> {
  return new Resolver(layout, await runtimeState(options)).resolveAll(references, {
    census,
    netns: false,
    forStats: true,
  });
}

/**
 * Each reference resolved for reading its stats, or the typed error that stopped it (an invalid
 * reference, one that matches nothing, a root cgroup), with one layout detection and at most one walk.
 */
export async function resolveEachForStats(
  refs: readonly ContainerRef[],
  options?: HostOptions,
): Promise<Array<ResolvedContainer | Error>> {
  const parsed = refs.map((ref): ParsedReference | Error => {
    try {
      return parseContainerRef(ref);
    } catch (err) {
      return err as Error;
    }
  });
  const valid = parsed.filter((reference): reference is ParsedReference => !(reference instanceof Error));
  let resolved: Array<ResolvedContainer | Error> = [];
  if (valid.length > 0) {
    const host = hostOptions(options);
    const [layout, state] = await Promise.all([detectLayout(host), runtimeState(host)]);
    resolved = await new Resolver(layout, state).resolveEach(valid, { forStats: true });
  }
  let at = 0;
  return parsed.map((reference) => (reference instanceof Error ? reference : resolved[at++]!));
}

/** Resolves one reference: id, id prefix, name, namespace/pod/container, { pid } or { cgroup }. */
export async function resolveContainer(ref: ContainerRef, options?: HostOptions): Promise<ResolvedContainer> {
  const [container] = await resolveContainers([ref], options);
  return container!;
}
