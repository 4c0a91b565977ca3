// Every container on this machine, found by walking one cgroup hierarchy: each directory is
// classified by its path (runtimes.ts); a container's directory is not descended into except to
// find a PID, and nothing but directory listings is read for the rest of the tree.
import { join } from 'node:path';
import { FileMode, native } from '../native.js';
import type { ContainerInfo, HostOptions } from '../types.js';
import { FileBatch, type BatchMode } from '../io/batch.js';
import { cgroupDirUnder, containerDirs, missingStatsDirs, statsMounts } from './dirs.js';
import {
  bootTimeMs,
  hostNetnsInode,
  isExitingStat,
  parentPid,
  parseStartTicks,
  startedAtMs,
  statCommand,
} from './process-facts.js';
import { errnoKind, failureError, isMissing, rethrowAsTyped } from '../io/errno.js';
import { detectLayout } from './mode.js';
import { booleanOption, hostOptions, optionsObject } from '../options.js';
import { NO_METADATA, type RuntimeMetadata } from '../runtimes/types.js';
import {
  planMetadata,
  readMetadata,
  runtimeState,
  type ContainerMetadata,
  type MetadataAnswer,
  type RuntimeState,
} from '../runtimes/metadata.js';
import { classifyCgroupPath, isSandboxCommand, LEAF_GLOBS, type CgroupClassification } from '../runtimes/table.js';
import type { ClassifyContext } from '../runtimes/types.js';
import { HostPids } from './host-pids.js';
import { scanMount } from './scan.js';
import type { CgroupDirs, CgroupLayout, ResolvedContainer } from './types.js';

/**
 * Options of listContainers: where the host's /proc and /sys and the runtimes' state are, and whether pod
 * sandboxes are listed. A bad option rejects with an InvalidOptionError naming it.
 */
export interface ListOptions extends HostOptions {
  /** Include Kubernetes pod sandbox (pause) containers. Default false. */
  includeSandboxes?: boolean;
}

/** The first PID in cgroup.procs (processes outside this PID namespace are left out, or listed as 0 on v2). */
function firstPid(procs: string): number | null {
  const first = /^[1-9]\d*$/m.exec(procs);
  return first ? Number(first[0]) : null;
}

/** Every PID in cgroup.procs, in its order (0, a process outside this PID namespace on v2, left out). */
function allPids(procs: string): number[] {
  const pids: number[] = [];
  for (const line of procs.split('\n')) {
    const pid = Number(line);
    if (line !== '' && Number.isSafeInteger(pid) && pid > 0) pids.push(pid);
  }
  return pids;
}

/**
 * How many more processes of a cgroup are looked at to find its container's own (its first process's
 * ancestors in the cgroup, or the next ones listed when one vanished) before the cgroup is taken to have none.
 */
const MAX_PROCESS_HOPS = 8;
/** How many of a cgroup's processes after its first have their stat read with the first's. */
const MAX_OTHER_PROCESSES = 15;

/**
 * A PID in a cgroup below `dir`, for a cgroup that holds none itself (on v2 a cgroup with children
 * may hold no process: they sit in ".../container" or "init.scope"): the first one in the order of a
 * depth-first walk, in one walk and one read. As in listing, 64-hex and .scope directories are listed
 * but not walked into: processes that sit only below one of them are not found. null when the subtree
 * holds no process; throws a "missing" error (fs-errors.ts) when `dir` vanished.
 */
async function findPidBelow(dir: string): Promise<number | null> {
  const relatives = (await native.walkDirs(dir, WALK_DEPTH, LEAF_GLOBS))
    .split('\n')
    .filter((relative) => relative !== '');
  if (relatives.length === 0) return null;
  const batch = new FileBatch();
  for (const relative of relatives) batch.add(join(dir, relative, 'cgroup.procs'), FileMode.Text);
  const answers = await batch.read(batch.size <= INLINE_DESCRIBE_FILES);
  for (let i = 0; i < relatives.length; i++) {
    const failure = answers.failure(i);
    // A child cgroup removed meanwhile holds no process.
    if (failure !== null && errnoKind(failure.errno) !== 'missing') throw failureError(failure);
    const pid = failure === null ? firstPid(answers.text(i)!) : null;
    if (pid !== null) return pid;
  }
  return null;
}

/**
 * What is already known about a cgroup when it is described: its PID, or the directory whose
 * cgroup.procs (or a descendant's) gives one; and, for a plain cgroup found by PID, the process's own
 * directories (its v1 hierarchies may differ from one another).
 */
export type KnownCgroupFacts = { dirs?: CgroupDirs } & ({ pid: number } | { pidDir: string });

export interface DescribeRequest {
  cgroupPath: string;
  /** null: a plain cgroup (runtime "cgroup", id = path). */
  classification: CgroupClassification | null;
  known: KnownCgroupFacts;
  /** Only the PID and namespace (a census entry): no directories, no identity. */
  lite?: boolean;
  /** Look up the network namespace inode. Default true. */
  netns?: boolean;
}

const NO_DIRS: CgroupDirs = Object.freeze({});

/**
 * Describes many cgroups in two native trips: every directory's existence, every cgroup.procs and the
 * identity of every runtime state file (read after only where it changed) in one, every namespace inode
 * and (where neither path nor state can tell a pod sandbox) every argv[0] in the next. A cgroup that
 * vanished meanwhile is null. Without `state` no identity is read (every request is lite).
 */
export async function describeCgroups(
  layout: CgroupLayout,
  requests: readonly DescribeRequest[],
  state: RuntimeState | null,
  hostPids?: HostPids,
): Promise<{
  containers: Array<ResolvedContainer | null>;
  notReady: Array<NotReady | undefined>;
  denied: string | null;
}> {
  const version = layout.mode === 'v2' ? 2 : 1;
  const first = new FileBatch();
  const lite = (request: DescribeRequest) => request.lite === true || state === null;
  // Per request: batch index of each candidate directory by hierarchy (and, below, of its cgroup.procs).
  const dirIndex = requests.map((request): Map<string, number> | null => {
    if (request.known.dirs || lite(request)) return null;
    const found = new Map<string, number>();
    for (const [hierarchy, mount] of statsMounts(layout)) {
      const dir = cgroupDirUnder(mount, request.cgroupPath);
      if (dir !== null) found.set(hierarchy, first.add(dir, FileMode.Inode));
    }
    return found;
  });
  const hostPidFor = await Promise.all(
    requests.map(async (request) => ('pidDir' in request.known ? hostPids?.pidsFor(request.cgroupPath) : undefined)),
  );
  const procsIndex = requests.map((request) =>
    'pidDir' in request.known ? first.add(join(request.known.pidDir, 'cgroup.procs'), FileMode.Text) : null,
  );
  // The runtimes' state files ride in the same trip (a stat of each; a changed one is read after).
  const identified = requests.flatMap((request, i) => (!lite(request) && request.classification !== null ? [i] : []));
  const finishMetadata =
    state === null
      ? null
      : planMetadata(
          first,
          identified.map((i) => requests[i]!.classification!),
          state,
        );
  const firstAnswers = await first.read(first.size <= INLINE_DESCRIBE_FILES);
  const metadataRead: Promise<MetadataAnswer | null> =
    finishMetadata === null ? Promise.resolve(null) : finishMetadata(firstAnswers);

  const gone = new Set<number>();
  const dirs: CgroupDirs[] = [];
  const pids: Array<number | null> = [];
  // The PIDs of cgroup.procs, where the PID came from there and the process is looked at (not lite).
  const listed: Array<number[] | undefined> = [];
  await Promise.all(
    requests.map(async (request, i) => {
      const known = request.known;
      if (known.dirs) dirs[i] = known.dirs;
      else if (lite(request)) dirs[i] = NO_DIRS;
      else {
        const index = dirIndex[i]!;
        dirs[i] = containerDirs(layout, (hierarchy, mount) => {
          const at = index.get(hierarchy);
          return at === undefined || firstAnswers.inode(at) === null ? null : cgroupDirUnder(mount, request.cgroupPath);
        });
      }
      if ('pid' in known) {
        pids[i] = known.pid;
        return;
      }
      const at = procsIndex[i]!;
      const failure = firstAnswers.failure(at);
      if (failure !== null) {
        if (errnoKind(failure.errno) !== 'missing') throw failureError(failure);
        gone.add(i);
        return;
      }
      const fromHost = hostPidFor[i];
      if (fromHost !== undefined) {
        pids[i] = fromHost[0] ?? null;
        if (fromHost.length > 0 && !lite(request)) listed[i] = fromHost;
        return;
      }
      // A cgroup with children may hold no process itself (v2: they sit in ".../container", "init.scope").
      const procs = firstAnswers.text(at)!;
      // Every PID where the container's own process is looked for among them, else the first.
      const all = lite(request) ? null : allPids(procs);
      const pid = all === null ? firstPid(procs) : (all[0] ?? null);
      if (all !== null && all.length > 0) listed[i] = all;
      try {
        pids[i] = pid ?? (await findPidBelow(known.pidDir));
      } catch (err) {
        if (!isMissing(err)) rethrowAsTyped(err);
        gone.add(i);
      }
    }),
  );

  const wanted = (i: number): ProcessFactsRequest | null => {
    const pid = gone.has(i) ? null : pids[i]!;
    if (pid === null) return null;
    const request = requests[i]!;
    return {
      pid,
      netns: request.netns !== false,
      cmdline: request.classification?.sandbox === null,
      // Whether a container's process is its own yet (or still): its command and state.
      stat: !lite(request),
      others: listed[i]?.slice(1, 1 + MAX_OTHER_PROCESSES),
    };
  };
  const [firstFacts, metadataAnswer, hostNetns, bootMs] = await Promise.all([
    readProcessFacts(
      layout.procRoot,
      requests.map((_, i) => wanted(i)),
    ),
    metadataRead,
    hostNetnsInode(layout.procRoot),
    bootTimeMs(layout.procRoot),
  ]);
  const facts = await findOwnProcesses(layout.procRoot, pids, listed, firstFacts, wanted);
  const metadata: Array<ContainerMetadata | undefined> = [];
  identified.forEach((at, j) => {
    metadata[at] = metadataAnswer!.metadata[j];
  });

  const notReady: Array<NotReady | undefined> = [];
  const containers = requests.map((request, i): ResolvedContainer | null => {
    if (gone.has(i)) return null;
    const { classification } = request;
    const fact = facts[i];
    const pause = fact?.cmdline != null && isSandboxCommand(fact.cmdline);
    const identity = stateFields(metadata[i], classification, pause);
    const netnsInode = fact?.netnsInode ?? null;
    const stat = fact?.stat ?? null;
    if (!lite(request) && (classification !== null || 'pid' in request.known)) {
      // A plain process (a { pid } outside containers) only has to be alive.
      const why =
        classification === null
          ? stat === null || isExitingStat(stat)
            ? 'no-process'
            : null
          : readiness(
              layout,
              dirs[i]!,
              pids[i]!,
              stat,
              identity.hostNetwork === false && netnsInode !== null && netnsInode === hostNetns,
            );
      if (why !== null) {
        notReady[i] = why;
        return null;
      }
    }
    return {
      id: classification?.id ?? request.cgroupPath,
      ...identity,
      cgroup: { version, path: request.cgroupPath },
      pid: pids[i]!,
      netnsInode,
      startedAt: stat === null ? null : startedAtMs(stat, bootMs),
      version,
      dirs: dirs[i]!,
    };
  });
  return { containers, notReady, denied: metadataAnswer?.denied ?? null };
}

interface ProcessFactsRequest {
  pid: number;
  netns: boolean;
  cmdline: boolean;
  stat: boolean;
  /** More processes whose stat only is read (the others of its cgroup, to find its own among them). */
  others?: readonly number[];
}

/** What describing reads of a process; null where not asked for, or where the read failed (it exited). */
interface ProcessFacts {
  netnsInode: number | null;
  cmdline: string | null;
  stat: string | null;
  otherStats: Array<string | null>;
}

/** The facts of many processes in one trip (null requests are skipped and give null). */
async function readProcessFacts(
  procRoot: string,
  wanted: ReadonlyArray<ProcessFactsRequest | null>,
): Promise<Array<ProcessFacts | null>> {
  const batch = new FileBatch();
  const file = (pid: number, name: string, mode: BatchMode) => batch.add(join(procRoot, String(pid), name), mode);
  const at = wanted.map((request) =>
    request === null
      ? null
      : {
          netns: request.netns ? file(request.pid, 'ns/net', FileMode.Inode) : null,
          cmdline: request.cmdline ? file(request.pid, 'cmdline', FileMode.Text) : null,
          stat: request.stat ? file(request.pid, 'stat', FileMode.Text) : null,
          others: (request.others ?? []).map((pid) => file(pid, 'stat', FileMode.Text)),
        },
  );
  if (batch.size === 0) return at.map(() => null);
  const answers = await batch.read(batch.size <= INLINE_DESCRIBE_FILES);
  return at.map((index) =>
    index === null
      ? null
      : {
          netnsInode: index.netns === null ? null : answers.inode(index.netns),
          cmdline: index.cmdline === null ? null : answers.text(index.cmdline),
          stat: index.stat === null ? null : answers.text(index.stat),
          otherStats: index.others.map((other) => answers.text(other)),
        },
  );
}

/**
 * A container's own process among those of its cgroup (`listed`, from cgroup.procs): of those whose
 * parent is outside the cgroup (the init the runtime's shim started, and anything `docker exec` or a
 * probe started there), the oldest. The first one listed is not always it: PIDs wrap around, so a child
 * of the init (a shell's `sleep`) or an exec'd health check may be listed first, and when it exits the
 * container would seem to stop. The first trip read the stat of the first MAX_OTHER_PROCESSES listed;
 * when the own process is another than the first, one more trip reads its namespace and command. Where
 * none of those read is a root (a large cgroup), the parents are followed up from the first, a trip a
 * step. `pids` is updated in place; the facts returned are those of the PIDs chosen.
 */
async function findOwnProcesses(
  procRoot: string,
  pids: Array<number | null>,
  listed: ReadonlyArray<number[] | undefined>,
  facts: Array<ProcessFacts | null>,
  wanted: (i: number) => ProcessFactsRequest | null,
): Promise<Array<ProcessFacts | null>> {
  const inCgroup = new Map<number, Set<number>>();
  const tried = new Map<number, Set<number>>();
  const again: number[] = [];
  listed.forEach((candidates, i) => {
    const fact = facts[i];
    if (candidates === undefined || fact === null || fact === undefined || pids[i] == null) return;
    const members = new Set(candidates);
    inCgroup.set(i, members);
    const stats = [fact.stat, ...fact.otherStats];
    let own: number | undefined;
    let oldest = Infinity;
    stats.forEach((stat, j) => {
      if (stat === null) return;
      const parent = parentPid(stat);
      if (parent !== null && members.has(parent)) return;
      const ticks = parseStartTicks(stat) ?? Infinity;
      if (own === undefined || ticks < oldest) {
        own = candidates[j]!;
        oldest = ticks;
      }
    });
    tried.set(i, new Set(candidates.slice(0, stats.length)));
    if (own === undefined) {
      // None of those read is the own one: up from the first one still there.
      const first = stats.findIndex((stat) => stat !== null);
      const parent = first < 0 ? null : parentPid(stats[first]!);
      own = parent ?? candidates.find((candidate) => !tried.get(i)!.has(candidate));
      if (own === undefined) {
        facts[i] = { ...fact, stat: null };
        return;
      }
    } else if (own === pids[i]) return;
    tried.get(i)!.add(own);
    pids[i] = own;
    again.push(i);
  });
  for (let hop = 0; again.length > 0 && hop < MAX_PROCESS_HOPS; hop++) {
    const more = await readProcessFacts(
      procRoot,
      again.map((i) => wanted(i)),
    );
    const next: number[] = [];
    again.forEach((i, j) => {
      const fact = (facts[i] = more[j]!);
      const seen = tried.get(i)!;
      let step: number | undefined;
      if (fact.stat === null) step = listed[i]!.find((candidate) => !seen.has(candidate));
      else {
        const parent = parentPid(fact.stat);
        if (parent !== null && !seen.has(parent) && inCgroup.get(i)!.has(parent)) step = parent;
      }
      if (step === undefined) return;
      seen.add(step);
      pids[i] = step;
      next.push(i);
    });
    again.splice(0, again.length, ...next);
  }
  // Still looking after the last step: no process of its own found.
  for (const i of again) facts[i] = { ...facts[i]!, stat: null };
  return facts;
}

/**
 * Why a container's cgroup is not a running container's yet, or any more: "starting" (its process is
 * still the runtime's init, or has not entered the network namespace its runtime gives it), "no-process"
 * (none, or only one that is exiting or a zombie: not started, or stopping), "incomplete" (a required hierarchy has no directory of
 * it: it is being made or removed).
 */
export type NotReady = 'starting' | 'no-process' | 'incomplete';

/** How a ContainerNotFoundError says why. */
export const NOT_READY_DETAIL: Record<NotReady, string> = {
  starting: 'it is starting: its process is not its own yet',
  'no-process': 'it has no process (not started, or stopped)',
  incomplete: 'its cgroup is not in every hierarchy (it is being made or removed)',
};

/** runc's own stages before it execs the container's process ("runc:[0:PARENT]", "runc:[1:CHILD]", "runc:[2:INIT]"). */
const RUNTIME_INIT = /^runc:\[\d:[A-Z]+\]$/;

function readiness(
  layout: CgroupLayout,
  dirs: CgroupDirs,
  pid: number | null,
  stat: string | null,
  inHostNetworkEarly: boolean,
): NotReady | null {
  if (pid === null || stat === null || isExitingStat(stat)) return 'no-process';
  if (RUNTIME_INIT.test(statCommand(stat) ?? '')) return 'starting';
  if (inHostNetworkEarly) return 'starting';
  if (missingStatsDirs(layout, dirs).length > 0) return 'incomplete';
  return null;
}

type StateFields = Pick<
  ResolvedContainer,
  | 'runtime'
  | 'name'
  | 'image'
  | 'imageId'
  | 'labels'
  | 'kubernetes'
  | 'containerdNamespace'
  | 'networkOwner'
  | 'hostNetwork'
  | 'sandbox'
  | 'podUid'
>;

/**
 * What a container's runtime's state says of it (where there is none, what its cgroup path says); `pause`:
 * whether its command is a pod sandbox's, where the state does not say.
 */
function stateFields(
  metadata: ContainerMetadata | undefined,
  classification: CgroupClassification | null,
  pause: boolean,
): StateFields {
  const identity: RuntimeMetadata = metadata ?? {
    ...NO_METADATA,
    name: classification?.name ?? null,
    sandbox: classification?.sandbox ?? null,
  };
  return {
    runtime: metadata?.runtime ?? classification?.runtime ?? 'cgroup',
    ...identityOf(identity, classification),
    sandbox: identity.sandbox ?? pause,
    podUid: identity.kubernetes?.podUid ?? classification?.podUid ?? null,
  };
}

/**
 * Runtimes' containers described earlier, with their runtimes' state read again in one trip (a stat of
 * each state file; one that changed, such as Docker's after a rename, is read): null for one whose cgroup
 * path no longer classifies as that container.
 */
export async function withStateRead(
  containers: readonly ResolvedContainer[],
  state: RuntimeState,
): Promise<Array<ResolvedContainer | null>> {
  const classifications = containers.map((container) => {
    const classification = classifyCgroupPath(container.cgroup.path, state.classify);
    return classification !== null && classification.id === container.id ? classification : null;
  });
  const known = classifications.filter((classification) => classification !== null);
  const { metadata } = await readMetadata(known, state);
  let at = 0;
  return containers.map((container, i) => {
    const classification = classifications[i]!;
    if (classification === null) return null;
    return { ...container, ...stateFields(metadata[at++], classification, container.sandbox) };
  });
}

/** The identity fields of a container from its metadata. */
export function identityOf(
  metadata: RuntimeMetadata,
  classification: CgroupClassification | null,
): Pick<
  ResolvedContainer,
  'name' | 'image' | 'imageId' | 'labels' | 'kubernetes' | 'containerdNamespace' | 'networkOwner' | 'hostNetwork'
> {
  return {
    name: metadata.name,
    image: metadata.image,
    imageId: metadata.imageId,
    labels: metadata.labels,
    kubernetes: metadata.kubernetes,
    containerdNamespace: metadata.containerdNamespace ?? classification?.containerdNamespace ?? null,
    networkOwner: metadata.networkOwner,
    hostNetwork: metadata.hostNetwork,
  };
}

export interface FoundCgroup {
  cgroupPath: string;
  dir: string;
  classification: CgroupClassification;
}

/** Deeper than any runtime nests a container (rootless Podman under user@.service is about ten). */
const WALK_DEPTH = 24;
/**
 * A hierarchy whose last walk found fewer directories than this is walked on the calling thread: a few
 * dozen getdents cost less than the hop to the thread pool and back. By mount point, per process.
 */
const INLINE_WALK_DIRS = 256;
const lastWalkSize = new Map<string, number>();
/** Describe reads of no more files than this are made on the calling thread (a few dozen µs). */
const INLINE_DESCRIBE_FILES = 64;

/**
 * The container cgroups of the layout's scanned hierarchy, found by directory listings alone: the
 * whole tree in one native walk off the event loop, each directory classified by its path, nothing
 * below a container taken for another (its init.scope or "container" leaf).
 */
export async function findContainerCgroups(layout: CgroupLayout, context: ClassifyContext): Promise<FoundCgroup[]> {
  const scan = scanMount(layout);
  if (scan === null) return [];
  const { mountPoint, root } = scan.mount;
  let listing: string;
  try {
    listing = await native.walkDirs(
      mountPoint,
      WALK_DEPTH,
      LEAF_GLOBS,
      (lastWalkSize.get(mountPoint) ?? Infinity) < INLINE_WALK_DIRS,
    );
  } catch (err) {
    if (isMissing(err)) return [];
    rethrowAsTyped(err);
  }
  const found: FoundCgroup[] = [];
  const base = root === '/' ? '' : root.replace(/\/+$/, '');
  const relatives = listing.split('\n');
  lastWalkSize.set(mountPoint, relatives.length);
  // The walk lists a directory before what is below it.
  let inside: string | null = null;
  for (const relative of relatives) {
    if (relative === '' || (inside !== null && relative.startsWith(inside))) continue;
    const cgroupPath = `${base}/${relative}`;
    const classification = classifyCgroupPath(cgroupPath, context);
    if (classification === null) continue;
    found.push({ cgroupPath, dir: join(mountPoint, relative), classification });
    inside = `${relative}/`;
  }
  return found;
}

/** Describes found cgroups; the ones that vanished meanwhile are left out. */
export async function describeFound(
  layout: CgroupLayout,
  found: readonly FoundCgroup[],
  state: RuntimeState,
  hostPids: HostPids,
): Promise<{ containers: ResolvedContainer[]; denied: string | null }> {
  const { containers, denied } = await describeCgroups(
    layout,
    found.map(({ cgroupPath, dir, classification }) => ({
      cgroupPath,
      classification,
      known: { pidDir: dir },
    })),
    state,
    hostPids,
  );
  return { containers: containers.filter((container): container is ResolvedContainer => container !== null), denied };
}

/** Orders containers by cgroup path (code unit order, the same on every machine). */
export function byCgroupPath(a: ResolvedContainer, b: ResolvedContainer): number {
  return a.cgroup.path < b.cgroup.path ? -1 : a.cgroup.path > b.cgroup.path ? 1 : 0;
}

/** Lists containers in an already detected layout, sorted by cgroup path. */
export async function listInLayout(layout: CgroupLayout, options?: ListOptions): Promise<ResolvedContainer[]> {
  const state = await runtimeState(options);
  const { containers, denied } = await describeFound(
    layout,
    await findContainerCgroups(layout, state.classify),
    state,
    new HostPids(layout),
  );
  if (denied !== null) warnStateDenied(denied);
  return containers.filter((container) => options?.includeSandboxes === true || !container.sandbox).sort(byCgroupPath);
}

const warned = new Set<string>();

/** Says once per file, as a process warning, that names and images are missing for lack of rights. */
export function warnStateDenied(path: string): void {
  if (warned.has(path) || warned.size >= 64) return;
  warned.add(path);
  process.emitWarning(
    `Some container names, images and pods are unknown: ${path} is not readable by this process (it needs read access to the runtimes' state; run as root)`,
    {
      code: 'CTRSTAT_STATE_DENIED',
    },
  );
}

/** Every container with its cgroup directories. */
export async function listResolvedContainers(options?: ListOptions): Promise<ResolvedContainer[]> {
  const host = hostOptions(options);
  const includeSandboxes = booleanOption(optionsObject(options).includeSandboxes, 'includeSandboxes');
  return listInLayout(await detectLayout(host), { ...host, includeSandboxes });
}

/** Every container on this machine (pod sandboxes only with includeSandboxes). */
export async function listContainers(options?: ListOptions): Promise<ContainerInfo[]> {
  return (await listResolvedContainers(options)).map(toContainerInfo);
}

export function toContainerInfo(container: ResolvedContainer): ContainerInfo {
  const {
    id,
    name,
    runtime,
    image,
    imageId,
    labels,
    kubernetes,
    containerdNamespace,
    cgroup,
    pid,
    netnsInode,
    sandbox,
    podUid,
    startedAt,
  } = container;
  return {
    id,
    name,
    runtime,
    image,
    imageId,
    labels,
    kubernetes,
    containerdNamespace,
    cgroup: { ...cgroup },
    pid,
    netnsInode,
    sandbox,
    podUid,
    startedAt,
  };
}
