// What an id, a name or a namespace may look like, per the runtimes that make them. Every value read from
// a path or a runtime's state is checked against these before it is used, and before any path is built
// from it.

/** Docker, Podman, CRI-O and Kubernetes ids (and most containerd ones): 64 lowercase hex digits. */
export const HEX64 = /^[0-9a-f]{64}$/;

/** The same rule as a glob for fnmatch(3) (the native walker's leaf patterns). */
export const HEX64_GLOB = '[0-9a-f]'.repeat(64);

/** An id prefix as a reference gives it: 1 to 64 lowercase hex digits. */
export const ID_PREFIX = /^[0-9a-f]{1,64}$/;

/**
 * containerd identifiers (containerd/identifiers): alphanumerics joined by single ".", "_" or "-", at most
 * 76 characters. Namespaces follow the same rule.
 */
export const CONTAINERD_ID = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;
export const CONTAINERD_ID_MAX = 76;

/** Container and machine names: what Docker accepts, which also covers LXC and machined names in practice. */
export const SAFE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

/** Kubernetes object names and namespaces (DNS-1123 subdomain / label), as the API server allows them. */
export const KUBE_NAME = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/;

export function isFullId(id: string): boolean {
  return HEX64.test(id);
}

export function isContainerdId(id: string): boolean {
  return id.length <= CONTAINERD_ID_MAX && CONTAINERD_ID.test(id);
}

/** A dashed pod UID ("3cf49da1-8f5e-...") or an id-like UID: what may name a pod's cgroup. */
export const POD_UID = /^[0-9a-f][0-9a-f-]{0,63}$/;
