// The runtime table's vocabulary: how a runtime's cgroups are recognised, and what its on-disk state says.
import type { KubernetesIdentity, Runtime } from '../types.js';

/** What a cgroup path alone says about the container whose cgroup it is. */
export interface CgroupClassification {
  runtime: Runtime;
  /** 64 hex for Docker, Podman, CRI-O and Kubernetes; any containerd id; the machine name for LXC, nspawn and libvirt. */
  id: string;
  /** Where the path itself carries the name (LXC, nspawn, libvirt); null otherwise. */
  name: string | null;
  /** Pod sandbox (pause) container; null when the path alone does not tell. */
  sandbox: boolean | null;
  /** Kubernetes pod UID, dashed. */
  podUid: string | null;
  /** The containerd namespace where the path names one (cgroupfs "/<namespace>/<id>"); null otherwise. */
  containerdNamespace: string | null;
}

export interface ContainerCgroup extends CgroupClassification {
  /** The container's own cgroup: the path given, or the ancestor that is the container. */
  path: string;
}

/** Facts of the host the path rules need besides the path (read once per listing). */
export interface ClassifyContext {
  /** containerd namespaces that have tasks on this host (their state directories). */
  containerdNamespaces: ReadonlySet<string>;
}

export const NO_CONTEXT: ClassifyContext = { containerdNamespaces: new Set() };

/** One runtime's path rules. */
export interface RuntimePaths {
  /** Directory names (fnmatch(3) globs) that are this runtime's containers: listed by the walker, not walked into. */
  readonly leafGlobs: readonly string[];
  /** Classifies segments[index] with the segments before it as context; null when it is not this runtime's container. */
  classify(segments: readonly string[], index: number, context: ClassifyContext): CgroupClassification | null;
}

/** What a runtime's on-disk state says of one container; a field it does not record is null. */
export interface RuntimeMetadata {
  name: string | null;
  image: string | null;
  imageId: string | null;
  labels: Readonly<Record<string, string>>;
  kubernetes: KubernetesIdentity | null;
  containerdNamespace: string | null;
  /** A pod sandbox (pause or infra container), where the state says so. */
  sandbox: boolean | null;
  /** The id of the container whose network namespace this one joined (Docker's container:<id>, a pod's sandbox). */
  networkOwner: string | null;
  /** Whether it runs in the host's network namespace (Docker's --network host, an OCI spec without a network namespace); null where unknown. */
  hostNetwork: boolean | null;
}

export const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

export const NO_METADATA: RuntimeMetadata = Object.freeze({
  name: null,
  image: null,
  imageId: null,
  labels: NO_LABELS,
  kubernetes: null,
  containerdNamespace: null,
  sandbox: null,
  networkOwner: null,
  hostNetwork: null,
});
