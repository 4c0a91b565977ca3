// Kubernetes pods' cgroups (kubelet's layout, both drivers) and the containers the CRI runtimes start in
// them: containerd's CRI plugin ("cri-containerd-<id>.scope"), CRI-O ("crio-<id>[.scope]"), and bare ids
// with the cgroupfs driver, which do not say which runtime made them. Who a container is (pod, namespace,
// container name, image) comes from the annotations the CRI writes into its OCI spec.
import type { KubernetesIdentity } from '../types.js';
import { HEX64, HEX64_GLOB, POD_UID } from './ids.js';
import type { CgroupClassification, RuntimePaths } from './types.js';

/** kubepods-burstable-pod<uid_>.slice, kubepods-pod<uid_>.slice (Guaranteed), kubelet-kubepods-...slice (kind). */
const POD_SLICE =
  /^(?:[a-z0-9]+-)*kubepods(?:-burstable|-besteffort|-guaranteed)?-pod([0-9a-f][0-9a-f_]{0,63})\.slice$/;
const POD_DIR = /^pod([0-9a-f][0-9a-f-]{0,63})$/;
const CRI_CONTAINERD_SCOPE = /^cri-containerd-([0-9a-f]{64})\.scope$/;
const CRIO = /^crio-([0-9a-f]{64})(\.scope)?$/;

/** The pod UID carried by a pod cgroup segment (cgroupfs "pod<uid>" under kubepods, or a systemd pod slice). */
export function podUidOf(segment: string | undefined, ancestors: readonly string[]): string | null {
  if (segment === undefined) return null;
  const slice = POD_SLICE.exec(segment);
  if (slice) return slice[1]!.replaceAll('_', '-');
  const dir = POD_DIR.exec(segment);
  return dir && ancestors.includes('kubepods') ? dir[1]! : null;
}

/** Whether the pod slice is a systemd one (CRI-O's sandbox is then the one bare "crio-<id>" cgroup). */
function isPodSlice(segment: string | undefined): boolean {
  return segment !== undefined && POD_SLICE.test(segment);
}

function inPod(
  runtime: CgroupClassification['runtime'],
  id: string,
  sandbox: boolean | null,
  podUid: string,
): CgroupClassification {
  return {
    runtime,
    id,
    name: null,
    sandbox,
    podUid,
    containerdNamespace: runtime === 'cri-containerd' ? 'k8s.io' : null,
  };
}

export const kubernetesPaths: RuntimePaths = {
  leafGlobs: [`cri-containerd-${HEX64_GLOB}.scope`, `crio-${HEX64_GLOB}`, `crio-${HEX64_GLOB}.scope`, HEX64_GLOB],
  classify(segments, index) {
    const segment = segments[index]!;
    const podUid = podUidOf(segments[index - 1], segments.slice(0, index - 1));
    let match: RegExpExecArray | null;
    // Inside a pod the pause container is the sandbox; only CRI-O's systemd layout says so in the path.
    if ((match = CRI_CONTAINERD_SCOPE.exec(segment))) {
      return podUid === null
        ? {
            runtime: 'cri-containerd',
            id: match[1]!,
            name: null,
            sandbox: false,
            podUid: null,
            containerdNamespace: 'k8s.io',
          }
        : inPod('cri-containerd', match[1]!, null, podUid);
    }
    if ((match = CRIO.exec(segment))) {
      // With the systemd driver CRI-O puts containers in .scope units and the sandbox in a bare cgroup;
      // with cgroupfs every cgroup is bare, so the path does not tell.
      const sandbox = match[2] ? false : isPodSlice(segments[index - 1]) ? true : null;
      return { runtime: 'crio', id: match[1]!, name: null, sandbox, podUid, containerdNamespace: null };
    }
    if (podUid !== null && HEX64.test(segment)) return inPod('kubernetes', segment, null, podUid);
    return null;
  },
};

// The annotations each CRI writes (containerd: pkg/cri/annotations; CRI-O and the old dockershim labels:
// io.kubernetes.*).
const CRI_CONTAINER_TYPE = 'io.kubernetes.cri.container-type';
const CRI_CONTAINER_NAME = 'io.kubernetes.cri.container-name';
const CRI_SANDBOX_ID = 'io.kubernetes.cri.sandbox-id';
const CRI_SANDBOX_NAME = 'io.kubernetes.cri.sandbox-name';
const CRI_SANDBOX_NAMESPACE = 'io.kubernetes.cri.sandbox-namespace';
const CRI_SANDBOX_UID = 'io.kubernetes.cri.sandbox-uid';
const CRI_IMAGE_NAME = 'io.kubernetes.cri.image-name';
const POD_NAME = 'io.kubernetes.pod.name';
const POD_NAMESPACE = 'io.kubernetes.pod.namespace';
const POD_UID_KEY = 'io.kubernetes.pod.uid';
const CONTAINER_NAME = 'io.kubernetes.container.name';
const CRIO_CONTAINER_TYPE = 'io.kubernetes.cri-o.ContainerType';
const CRIO_SANDBOX_ID = 'io.kubernetes.cri-o.SandboxID';
const CRIO_IMAGE_NAME = 'io.kubernetes.cri-o.ImageName';
const DOCKERSHIM_TYPE = 'io.kubernetes.docker.type';
const DOCKERSHIM_SANDBOX_ID = 'io.kubernetes.sandbox.id';

/** Pod and container names are DNS names (at most 253 characters); anything else is not taken. */
const OBJECT_NAME = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/;

function objectName(value: string | undefined): string | null {
  return value !== undefined && OBJECT_NAME.test(value) ? value : null;
}

/** What a CRI wrote of a container: its pod, whether it is the pod's sandbox, its sandbox's id and its image. */
export interface CriFacts {
  kubernetes: KubernetesIdentity;
  sandbox: boolean | null;
  sandboxId: string | null;
  image: string | null;
}

/** From annotations (or, for Docker under the old dockershim, labels); null when they name no pod. */
export function criFacts(annotations: Readonly<Record<string, string>>): CriFacts | null {
  const pod = objectName(annotations[CRI_SANDBOX_NAME] ?? annotations[POD_NAME]);
  const namespace = objectName(annotations[CRI_SANDBOX_NAMESPACE] ?? annotations[POD_NAMESPACE]);
  if (pod === null || namespace === null) return null;
  const type = annotations[CRI_CONTAINER_TYPE] ?? annotations[CRIO_CONTAINER_TYPE] ?? annotations[DOCKERSHIM_TYPE];
  const sandbox = type === undefined ? null : type === 'sandbox' || type === 'podsandbox';
  const uid = annotations[CRI_SANDBOX_UID] ?? annotations[POD_UID_KEY];
  const sandboxId = annotations[CRI_SANDBOX_ID] ?? annotations[CRIO_SANDBOX_ID] ?? annotations[DOCKERSHIM_SANDBOX_ID];
  const image = annotations[CRI_IMAGE_NAME] ?? annotations[CRIO_IMAGE_NAME];
  return {
    kubernetes: {
      pod,
      namespace,
      podUid: uid !== undefined && POD_UID.test(uid) ? uid : null,
      container: sandbox === true ? null : objectName(annotations[CRI_CONTAINER_NAME] ?? annotations[CONTAINER_NAME]),
    },
    sandbox,
    sandboxId: sandboxId !== undefined && HEX64.test(sandboxId) ? sandboxId : null,
    image: image !== undefined && image.length <= 4096 ? image : null,
  };
}

/** How a Kubernetes container is named in references and listings: "namespace/pod/container" ("namespace/pod" for the sandbox). */
export function kubernetesName(identity: KubernetesIdentity): string {
  return identity.container === null
    ? `${identity.namespace}/${identity.pod}`
    : `${identity.namespace}/${identity.pod}/${identity.container}`;
}
