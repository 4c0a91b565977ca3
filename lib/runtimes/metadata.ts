// Who a container is, from what its runtime wrote on disk (no daemon call): each runtime's state files
// for each container, read in the caller's native trip (their identities) and one more for the files that
// changed. Everything in them is untrusted: sizes are bounded, ids are checked before they become path
// components, values are checked before they are kept.
import type { HostOptions, Runtime } from '../types.js';
import { FileBatch, type BatchAnswers } from '../io/batch.js';
import {
  DEFAULT_DOCKER_ROOT,
  DOCKER_CONFIG,
  DOCKER_HOST_CONFIG,
  dockerStateFiles,
  type DockerConfig,
  type DockerHostConfig,
} from './docker.js';
import {
  CONTAINERS_TABLE,
  DEFAULT_STORAGE_ROOTS,
  containerTables,
  ownRootlessStorage,
  userdataSpecs,
  type StorageContainer,
} from './podman.js';
import {
  DEFAULT_CONTAINERD_ROOTS,
  DOCKER_NAMESPACE,
  NERDCTL_NAME,
  containerdNamespaces,
  taskSpec,
} from './containerd.js';
import { criFacts, kubernetesName } from './kubernetes.js';
import { HEX64 } from './ids.js';
import { OCI_SPEC, type OciSpec } from './oci.js';
import { planStateFiles, type StateFileAnswer, type StateFileRequest } from './state-files.js';
import { NO_LABELS, type CgroupClassification, type ClassifyContext, type RuntimeMetadata } from './types.js';

/** Where each runtime keeps its state (HostOptions with the defaults filled in). */
export interface RuntimeRoots {
  dockerRoot: string;
  /** containers/storage roots (Podman, CRI-O). */
  storageRoots: readonly string[];
  /** containerd task state directories. */
  containerdRoots: readonly string[];
}

export function runtimeRoots(options?: HostOptions): RuntimeRoots {
  return {
    dockerRoot: options?.dockerRoot ?? DEFAULT_DOCKER_ROOT,
    storageRoots: options?.podmanRoots ?? [...DEFAULT_STORAGE_ROOTS, ...ownRootlessStorage()],
    containerdRoots: options?.containerdRoots ?? DEFAULT_CONTAINERD_ROOTS,
  };
}

/** The runtimes' state that classification and metadata need besides paths: containerd's namespaces. */
export interface RuntimeState {
  roots: RuntimeRoots;
  /** Namespaces with tasks, by containerd root. */
  namespaces: ReadonlyMap<string, readonly string[]>;
  classify: ClassifyContext;
}

/** Lists containerd's namespaces (cheap: one stat per root, a listing only when a root changed). */
export async function runtimeState(options?: HostOptions): Promise<RuntimeState> {
  const roots = runtimeRoots(options);
  const namespaces = await containerdNamespaces(roots.containerdRoots);
  const all = new Set<string>();
  for (const list of namespaces.values())
    for (const namespace of list) if (namespace !== DOCKER_NAMESPACE) all.add(namespace);
  return { roots, namespaces, classify: { containerdNamespaces: all } };
}

/** What metadata needs of a container: how its path classified it. */
export type MetadataSubject = Pick<
  CgroupClassification,
  'runtime' | 'id' | 'name' | 'sandbox' | 'podUid' | 'containerdNamespace'
>;

/** A container's identity as listings and samples carry it, and what ownership and sandboxes need. */
export interface ContainerMetadata extends RuntimeMetadata {
  /** The runtime, told more precisely where the state says (a bare Kubernetes id is cri-containerd's or CRI-O's). */
  runtime: Runtime;
}

interface Plan {
  requests: StateFileRequest[];
  /** Builds the metadata from the answers to `requests` (in that order). */
  build(answers: readonly StateFileAnswer[]): ContainerMetadata;
}

function base(subject: MetadataSubject): ContainerMetadata {
  return {
    runtime: subject.runtime,
    name: subject.name,
    image: null,
    imageId: null,
    labels: NO_LABELS,
    kubernetes: null,
    containerdNamespace: subject.containerdNamespace,
    sandbox: subject.sandbox,
    networkOwner: null,
    hostNetwork: null,
  };
}

/** Docker: config.v2.json and hostconfig.json; Kubernetes pod labels under the old dockershim. */
function dockerPlan(subject: MetadataSubject, roots: RuntimeRoots): Plan | null {
  const files = dockerStateFiles(roots.dockerRoot, subject.id);
  if (files === null) return null;
  return {
    requests: [
      { path: files.config, kind: DOCKER_CONFIG },
      { path: files.hostConfig, kind: DOCKER_HOST_CONFIG },
    ],
    build([config, host]) {
      const out = base(subject);
      const c = config!.value as DockerConfig | null;
      const h = host!.value as DockerHostConfig | null;
      if (c !== null) {
        out.name = c.name;
        out.image = c.image;
        out.imageId = c.imageId;
        out.labels = Object.freeze(c.labels);
        const cri = criFacts(c.labels);
        if (cri !== null) {
          out.kubernetes = cri.kubernetes;
          out.sandbox = cri.sandbox ?? out.sandbox;
          if (cri.sandbox === false) out.networkOwner = cri.sandboxId;
        }
      }
      if (h !== null && out.networkOwner === null) out.networkOwner = h.networkOwner;
      if (h !== null) out.hostNetwork = h.hostNetwork;
      return out;
    },
  };
}

/** Podman: containers.json of each storage root (name, image). */
function podmanPlan(subject: MetadataSubject, roots: RuntimeRoots): Plan {
  const tables = containerTables(roots.storageRoots);
  return {
    requests: tables.map((path) => ({ path, kind: CONTAINERS_TABLE })),
    build(answers) {
      const out = base(subject);
      for (const answer of answers) {
        const entry = (answer.value as ReadonlyMap<string, StorageContainer> | null)?.get(subject.id);
        if (entry === undefined) continue;
        out.name = entry.name;
        out.image = entry.image;
        out.imageId = entry.imageId;
        break;
      }
      return out;
    },
  };
}

/** The identity an OCI spec's annotations give (containerd's tasks, CRI-O's userdata). */
function fromSpec(out: ContainerMetadata, spec: OciSpec, runtime: Runtime): void {
  out.runtime = runtime;
  out.labels = Object.freeze(spec.annotations);
  out.hostNetwork = spec.hostNetwork;
  const cri = criFacts(spec.annotations);
  if (cri !== null) {
    out.kubernetes = cri.kubernetes;
    out.image = cri.image;
    out.sandbox = cri.sandbox ?? out.sandbox;
    if (cri.sandbox === false) out.networkOwner = cri.sandboxId;
    out.name = cri.sandbox === true ? null : kubernetesName(cri.kubernetes);
    return;
  }
  const nerdctl = spec.annotations[NERDCTL_NAME];
  out.name = nerdctl !== undefined && nerdctl.length <= 256 ? nerdctl : out.name;
}

/** containerd (and Kubernetes on it): the task bundle's spec, in the namespaces it may be in. */
function containerdPlan(subject: MetadataSubject, state: RuntimeState, alsoStorage: boolean): Plan {
  const candidates: Array<{ namespace: string; path: string }> = [];
  const namespaceOf =
    subject.containerdNamespace ??
    (subject.runtime === 'cri-containerd' || subject.runtime === 'kubernetes' ? 'k8s.io' : null);
  for (const [root, namespaces] of state.namespaces) {
    for (const namespace of namespaceOf !== null ? [namespaceOf] : namespaces) {
      if (namespace === DOCKER_NAMESPACE) continue;
      const path = taskSpec(root, namespace, subject.id);
      if (path !== null) candidates.push({ namespace, path });
    }
  }
  // A bare Kubernetes id may be CRI-O's too.
  const storage = alsoStorage ? userdataSpecs(state.roots.storageRoots, subject.id) : [];
  return {
    requests: [...candidates, ...storage.map((path) => ({ path }))].map(({ path }) => ({ path, kind: OCI_SPEC })),
    build(answers) {
      const out = base(subject);
      // Without its own name, a containerd container is called by its id (what ctr and nerdctl show).
      if (out.name === null && subject.runtime === 'containerd' && !HEX64.test(subject.id)) out.name = subject.id;
      const found = answers.findIndex((answer) => answer.value !== null);
      if (found < 0) return out;
      const spec = answers[found]!.value as OciSpec;
      if (found < candidates.length) {
        out.containerdNamespace = candidates[found]!.namespace;
        fromSpec(out, spec, subject.runtime === 'kubernetes' ? 'cri-containerd' : subject.runtime);
      } else {
        fromSpec(out, spec, 'crio');
      }
      return out;
    },
  };
}

/** CRI-O: the userdata spec in each storage root. */
function crioPlan(subject: MetadataSubject, roots: RuntimeRoots): Plan {
  const paths = userdataSpecs(roots.storageRoots, subject.id);
  return {
    requests: paths.map((path) => ({ path, kind: OCI_SPEC })),
    build(answers) {
      const out = base(subject);
      const spec = answers.find((answer) => answer.value !== null)?.value as OciSpec | undefined;
      if (spec !== undefined) fromSpec(out, spec, 'crio');
      return out;
    },
  };
}

function planFor(subject: MetadataSubject, state: RuntimeState): Plan | null {
  switch (subject.runtime) {
    case 'docker':
      return dockerPlan(subject, state.roots);
    case 'podman':
      return podmanPlan(subject, state.roots);
    case 'containerd':
    case 'cri-containerd':
      return containerdPlan(subject, state, false);
    case 'kubernetes':
      return containerdPlan(subject, state, true);
    case 'crio':
      return crioPlan(subject, state.roots);
    default:
      return null;
  }
}

/** Where the state files were unreadable for lack of rights (names and images need read access to them). */
export interface MetadataAnswer {
  metadata: ContainerMetadata[];
  /** A state file the reader may not read, when one was refused (EACCES/EPERM). */
  denied: string | null;
}

/**
 * The metadata of many containers in the caller's trip: adds the stats of their state files to `batch`;
 * the function returned takes the trip's answers (and reads the changed files in one more trip).
 */
export function planMetadata(
  batch: FileBatch,
  subjects: readonly MetadataSubject[],
  state: RuntimeState,
): (answers: BatchAnswers) => Promise<MetadataAnswer> {
  const plans = subjects.map((subject) => planFor(subject, state));
  const requests: StateFileRequest[] = [];
  const first: number[] = [];
  for (const plan of plans) {
    first.push(requests.length);
    if (plan !== null) requests.push(...plan.requests);
  }
  const finish = planStateFiles(batch, requests);
  return async (answers) => {
    const files = await finish(answers);
    const deniedAt = files.findIndex((file) => file.problem === 'denied');
    return {
      metadata: plans.map((plan, i) =>
        plan === null ? base(subjects[i]!) : plan.build(files.slice(first[i], first[i]! + plan.requests.length)),
      ),
      denied: deniedAt < 0 ? null : requests[deniedAt]!.path,
    };
  };
}

/** The metadata of many containers, in trips of its own. */
export async function readMetadata(subjects: readonly MetadataSubject[], state: RuntimeState): Promise<MetadataAnswer> {
  const batch = new FileBatch();
  const finish = planMetadata(batch, subjects, state);
  return finish(await batch.read(batch.size <= 16));
}
