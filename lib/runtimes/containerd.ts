// containerd (ctr, nerdctl, anything using it): cgroups "/<namespace>/<id>" (cgroupfs, containerd's default
// spec) and "nerdctl-<id>.scope" (systemd). Its task bundles (<root>/<namespace>/<id>/config.json, the OCI
// spec) say who a container is: its annotations are its labels, and carry the name (nerdctl) and the
// Kubernetes metadata (the CRI plugin's containers, in namespace k8s.io).
import { readdir } from 'node:fs/promises';
import { ChangeWatch } from '../io/change-watch.js';
import { join } from 'node:path';
import { HEX64, HEX64_GLOB, isContainerdId } from './ids.js';
import { isUnitName } from './systemd.js';
import type { ClassifyContext, RuntimePaths } from './types.js';

const NERDCTL_SCOPE = /^nerdctl-([0-9a-f]{64})\.scope$/;

/** Top-level cgroups no runtime uses as a containerd namespace. */
const NOT_NAMESPACES = new Set([
  'docker',
  'lxc',
  'kubepods',
  'machine',
  'libpod_parent',
  'init.scope',
  'user.slice',
  'system.slice',
]);

export const containerdPaths: RuntimePaths = {
  leafGlobs: [`nerdctl-${HEX64_GLOB}.scope`],
  classify(segments, index, context: ClassifyContext) {
    const segment = segments[index]!;
    const scope = NERDCTL_SCOPE.exec(segment);
    if (scope)
      return {
        runtime: 'containerd',
        id: scope[1]!,
        name: null,
        sandbox: false,
        podUid: null,
        containerdNamespace: null,
      };
    if (index !== 1) return null;
    const namespace = segments[0]!;
    if (NOT_NAMESPACES.has(namespace) || isUnitName(namespace) || !isContainerdId(namespace) || isUnitName(segment))
      return null;
    // A 64-hex id below any namespace-like cgroup is containerd's default shape; another id only below a
    // namespace that has tasks here (many other things live two levels down).
    const known = context.containerdNamespaces.has(namespace);
    if (HEX64.test(segment) || (known && isContainerdId(segment))) {
      return {
        runtime: 'containerd',
        id: segment,
        name: null,
        sandbox: namespace === 'k8s.io' ? null : false,
        podUid: null,
        containerdNamespace: namespace,
      };
    }
    return null;
  },
};

/** containerd's task state directories: standalone containerd (runtime v2 and v1 shims) and Docker's own containerd. */
export const DEFAULT_CONTAINERD_ROOTS = [
  '/run/containerd/io.containerd.runtime.v2.task',
  '/run/docker/containerd/daemon/io.containerd.runtime.v2.task',
  '/run/containerd/io.containerd.runtime.v1.linux',
];

/** Docker's containerd namespace: its containers are Docker's (found as such), not containerd's. */
export const DOCKER_NAMESPACE = 'moby';

/** The bundle's OCI spec of a task. */
export function taskSpec(root: string, namespace: string, id: string): string | null {
  return isContainerdId(namespace) && isContainerdId(id) ? join(root, namespace, id, 'config.json') : null;
}

interface NamespaceListing {
  watch: ChangeWatch;
  namespaces: Map<string, string[]>;
}
const listings = new Map<string, NamespaceListing>();

/** The namespaces with a task directory under each root, listed again only when a root changed (inotify). */
export async function containerdNamespaces(roots: readonly string[]): Promise<Map<string, string[]>> {
  const key = roots.join('\0');
  let listing = listings.get(key);
  if (listing === undefined) {
    listing = { watch: new ChangeWatch(), namespaces: new Map() };
    listing.watch.watch(roots);
    if (listings.size < 16) listings.set(key, listing);
  }
  if (!listing.watch.takeChanged()) return listing.namespaces;
  const namespaces = new Map<string, string[]>();
  await Promise.all(
    roots.map(async (root) => {
      try {
        namespaces.set(
          root,
          (await readdir(root, { withFileTypes: true }))
            .filter((entry) => entry.isDirectory() && isContainerdId(entry.name))
            .map((entry) => entry.name),
        );
      } catch {
        // No such containerd here (or not ours to read).
      }
    }),
  );
  listing.namespaces = namespaces;
  return namespaces;
}

/** The name nerdctl gives a container (its "nerdctl/name" annotation). */
export const NERDCTL_NAME = 'nerdctl/name';
