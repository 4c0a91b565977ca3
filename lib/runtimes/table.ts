// The runtime table: which runtime made a cgroup, told from its path (and, for containerd's plain ids,
// from the namespaces that have tasks here). Each runtime's path shapes, leaf names, sandbox rule and
// state files live in its own module; this table orders them and answers for all.
import type { ClassifyContext, CgroupClassification, ContainerCgroup, RuntimePaths } from './types.js';
import { NO_CONTEXT } from './types.js';
import { dockerPaths } from './docker.js';
import { podmanPaths } from './podman.js';
import { kubernetesPaths } from './kubernetes.js';
import { containerdPaths } from './containerd.js';
import { lxcPaths, machinePaths } from './machines.js';

export { unescapeSystemdName } from './systemd.js';
export type { CgroupClassification, ContainerCgroup } from './types.js';

/**
 * In order: the first runtime that claims a cgroup has it. Docker's "/docker/<id>" before containerd's
 * "/<namespace>/<id>" (which it would also fit), Kubernetes' pod shapes before both.
 */
export const RUNTIMES: readonly RuntimePaths[] = [
  dockerPaths,
  podmanPaths,
  kubernetesPaths,
  containerdPaths,
  lxcPaths,
  machinePaths,
];

/**
 * Directory names the native walker lists but does not walk into: every runtime's container cgroups, and
 * any systemd scope (a scope's sub-cgroups are its own processes', never another container's to list).
 */
export const LEAF_GLOBS: readonly string[] = [
  '*.scope',
  // What "*.scope" covers is not tried again (each glob costs every directory of every walk a match).
  ...new Set(RUNTIMES.flatMap((runtime) => runtime.leafGlobs).filter((glob) => !glob.endsWith('.scope'))),
];

function classifySegment(
  segments: readonly string[],
  index: number,
  context: ClassifyContext,
): CgroupClassification | null {
  // systemd's mount units carry container ids in their names (var-lib-docker-containers-<id>-mounts-shm.mount).
  if (segments[index]!.endsWith('.mount')) return null;
  for (const runtime of RUNTIMES) {
    const found = runtime.classify(segments, index, context);
    if (found !== null) return found;
  }
  return null;
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

/** Classifies the cgroup at `path` itself; null when it is not a container's own cgroup. */
export function classifyCgroupPath(path: string, context: ClassifyContext = NO_CONTEXT): CgroupClassification | null {
  const segments = segmentsOf(path);
  return segments.length === 0 ? null : classifySegment(segments, segments.length - 1, context);
}

/**
 * The container whose cgroup is `path` or an ancestor of it: a process may sit in a sub-cgroup the
 * container made (Podman rootless ".../libpod-<id>.scope/container", "init.scope", nspawn "payload").
 * The deepest match wins, so a container nested in another is found as itself.
 */
export function containerOfCgroupPath(path: string, context: ClassifyContext = NO_CONTEXT): ContainerCgroup | null {
  const segments = segmentsOf(path);
  for (let index = segments.length - 1; index >= 0; index--) {
    const classification = classifySegment(segments, index, context);
    if (classification) return { ...classification, path: '/' + segments.slice(0, index + 1).join('/') };
  }
  return null;
}

/**
 * The command line of a pod sandbox's only process, for the runtimes whose paths do not say which
 * container is the sandbox: Kubernetes' pause image runs /pause; Podman's infra container (and CRI-O with
 * its pause image) runs catatonit as a pause process ("catatonit -P").
 */
export function isSandboxCommand(cmdline: string | null): boolean {
  if (cmdline === null) return false;
  const [argv0, argv1] = cmdline.split('\0');
  if (argv0 === '/pause' || argv0 === 'pause') return true;
  return (argv0 === '/catatonit' || argv0 === 'catatonit' || argv0?.endsWith('/catatonit') === true) && argv1 === '-P';
}
