// From a ContainerRef to a ResolvedContainer. Every reference is validated before any path is built
// from it; ids and names are only ever compared with what listing found, never joined into paths.
//
// A string is looked up as Docker does: an exact id, then an exact name, then a unique id prefix
// (lowercase hex only, at least one digit). So a container named "abc" wins over ids starting "abc".
// Ids are lowercase, as every runtime writes them: { id: "ABC" } is invalid, and the string "ABC" can
// only be a name. Each call lists containers at most once and keeps nothing: callers that resolve
// repeatedly (the monitor) cache ResolvedContainer themselves.
import { AmbiguousReferenceError, ContainerNotFoundError, InvalidReferenceError } from '../errors.js';
import type { ContainerRef, HostOptions } from '../types.js';
import { dirsForCgroupPath, missingStatsDirs } from './dirs.js';
import { isMissing, rethrowAsTyped } from './fs-errors.js';
import { HostPids } from './host-pids.js';
import { describeCgroup, listInLayout } from './list.js';
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
function single(reference: string, matches: ResolvedContainer[]): ResolvedContainer | null {
  if (matches.length > 1) throw new AmbiguousReferenceError(reference, matches.map((container) => container.id));
  return matches[0] ?? null;
}

/** Finds a listed container by text, id or name, in Docker's order. */
export function matchListed(reference: ParsedReference & { kind: 'text' | 'id' | 'name' }, listed: ResolvedContainer[]): ResolvedContainer {
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

/** Resolution state shared by the references of one call. */
class Resolver {
  private listing: Promise<ResolvedContainer[]> | null = null;
  private readonly names: ContainerNames;
  private readonly hostPids: HostPids;

  constructor(private readonly layout: CgroupLayout, private readonly options: HostOptions | undefined) {
    this.names = new ContainerNames(options);
    this.hostPids = new HostPids(layout);
  }

  async resolve(reference: ParsedReference): Promise<ResolvedContainer> {
    switch (reference.kind) {
      case 'pid':
        return this.byPid(reference.pid);
      case 'cgroup':
        return this.byCgroup(reference.path);
      default:
        this.listing ??= listInLayout(this.layout, { ...this.options, includeSandboxes: true });
        return matchListed(reference, await this.listing);
    }
  }

  private async byPid(pid: number): Promise<ResolvedContainer> {
    const own = await processCgroup(this.layout, pid);
    const container = containerOfCgroupPath(own.path);
    try {
      if (container === null) {
        // Not in a container: the process's own cgroup, each v1 controller where the process is.
        return await describeCgroup(this.layout, own.path, null, this.names, { pid, dirs: own.dirs });
      }
      return await describeCgroup(this.layout, container.path, container, this.names, { pid });
    } catch (err) {
      if (isMissing(err)) throw new ContainerNotFoundError(`pid ${pid}`, 'the process exited', { cause: err });
      rethrowAsTyped(err);
    }
  }

  private async byCgroup(path: string): Promise<ResolvedContainer> {
    const dirs = await dirsForCgroupPath(this.layout, path);
    const missing = missingStatsDirs(this.layout, dirs);
    if (missing.length > 0) throw new ContainerNotFoundError(path, `no such cgroup in ${missing.join(', ')}`);
    const pidDir = dirs.unified ?? dirs.memory ?? dirs.cpu ?? dirs.cpuacct ?? dirs.blkio ?? dirs.pids;
    if (pidDir === null) throw new ContainerNotFoundError(path, 'no cgroup hierarchy holds it');
    try {
      return await describeCgroup(this.layout, path, classifyCgroupPath(path), this.names, { pidDir, dirs }, this.hostPids);
    } catch (err) {
      if (isMissing(err)) throw new ContainerNotFoundError(path, 'the cgroup was removed', { cause: err });
      rethrowAsTyped(err);
    }
  }
}

/** Resolves many references with one layout detection and at most one listing; the order is kept. */
export async function resolveContainers(refs: readonly ContainerRef[], options?: HostOptions): Promise<ResolvedContainer[]> {
  const parsed = refs.map(parseContainerRef);
  const resolver = new Resolver(await detectLayout(options), options);
  return Promise.all(parsed.map((reference) => resolver.resolve(reference)));
}

/** Resolves one reference: id, id prefix, name, { pid } or { cgroup }. */
export async function resolveContainer(ref: ContainerRef, options?: HostOptions): Promise<ResolvedContainer> {
  const [container] = await resolveContainers([ref], options);
  return container!;
}
