// Which runtime made a cgroup, told from its path alone. Each shape is what the runtime or kubelet
// writes; the last segment decides, its ancestors give context (the pod, the parent slice).
import type { Runtime } from '../types.js';

export interface CgroupClassification {
  runtime: Runtime;
  /** 64 hex for Docker, Podman, containerd, CRI-O and Kubernetes; the machine name for LXC, nspawn and libvirt. */
  id: string;
  /** Where the path itself carries the name (LXC, nspawn, libvirt); null otherwise. */
  name: string | null;
  /** Pod sandbox (pause) container; null when the path alone does not tell. */
  sandbox: boolean | null;
  /** Kubernetes pod UID, dashed. */
  podUid: string | null;
}

export interface ContainerCgroup extends CgroupClassification {
  /** The container's own cgroup: the path given, or the ancestor that is the container. */
  path: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const DOCKER_SCOPE = /^docker-([0-9a-f]{64})\.scope$/;
const PODMAN = /^libpod-([0-9a-f]{64})(?:\.scope)?$/;
const NERDCTL_SCOPE = /^nerdctl-([0-9a-f]{64})\.scope$/;
const CRI_CONTAINERD_SCOPE = /^cri-containerd-([0-9a-f]{64})\.scope$/;
const CRIO = /^crio-([0-9a-f]{64})(\.scope)?$/;
/** kubepods-burstable-pod<uid_>.slice, kubepods-pod<uid_>.slice (Guaranteed), kubelet-kubepods-...slice (kind). */
const POD_SLICE = /^(?:[a-z0-9]+-)*kubepods(?:-burstable|-besteffort|-guaranteed)?-pod([0-9a-f][0-9a-f_]{0,63})\.slice$/;
const POD_DIR = /^pod([0-9a-f][0-9a-f-]{0,63})$/;
const LXC_PAYLOAD = /^lxc\.payload\.(.+)$/;
const NSPAWN_SERVICE = /^systemd-nspawn@(.+)\.service$/;
const MACHINE_SCOPE = /^machine-(.+)\.scope$/;
const LIBVIRT_MACHINE = /^(?:qemu|lxc)-\d+-(.+)$/;
/** Container and machine names: what Docker accepts, which also covers LXC and machined names in practice. */
export const SAFE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

/** Undoes systemd's unit-name escaping (\x2d for "-"); null when the result could not be a machine name. */
export function unescapeSystemdName(escaped: string): string | null {
  const name = escaped.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return SAFE_NAME.test(name) ? name : null;
}

/** The pod UID carried by a pod cgroup segment (cgroupfs "pod<uid>" under kubepods, or a systemd pod slice). */
function podUidOf(segment: string | undefined, ancestors: string[]): string | null {
  if (segment === undefined) return null;
  const slice = POD_SLICE.exec(segment);
  if (slice) return slice[1]!.replaceAll('_', '-');
  const dir = POD_DIR.exec(segment);
  return dir && ancestors.includes('kubepods') ? dir[1]! : null;
}

function container(runtime: Runtime, id: string, sandbox: boolean | null, podUid: string | null, name: string | null = null): CgroupClassification {
  return { runtime, id, name, sandbox, podUid };
}

/** Classifies segments[index] with segments before it as context. */
function classifySegment(segments: string[], index: number): CgroupClassification | null {
  const segment = segments[index]!;
  if (segment.endsWith('.mount')) return null;
  const parent = segments[index - 1];
  const podUid = podUidOf(parent, segments.slice(0, index - 1));
  // Inside a pod the pause container is the sandbox; only some runtimes say so in the path.
  const plainSandbox = podUid === null ? false : null;
  let match: RegExpExecArray | null;

  if ((match = DOCKER_SCOPE.exec(segment))) return container('docker', match[1]!, plainSandbox, podUid);
  if (parent === 'docker' && HEX64.test(segment)) return container('docker', segment, false, null);
  // In a Podman pod the infra container is the sandbox; the path does not say which one it is.
  if ((match = PODMAN.exec(segment))) return container('podman', match[1]!, parent?.startsWith('machine-libpod_pod_') ? null : false, null);
  if ((match = NERDCTL_SCOPE.exec(segment))) return container('containerd', match[1]!, false, null);
  if ((match = CRI_CONTAINERD_SCOPE.exec(segment))) return container('cri-containerd', match[1]!, plainSandbox, podUid);
  if ((match = CRIO.exec(segment))) {
    // With the systemd driver CRI-O puts containers in .scope units and the sandbox in a bare cgroup;
    // with cgroupfs every cgroup is bare, so the path does not tell.
    if (match[2]) return container('crio', match[1]!, false, podUid);
    const systemdPod = parent !== undefined && POD_SLICE.test(parent);
    return container('crio', match[1]!, systemdPod ? true : null, podUid);
  }
  if (HEX64.test(segment)) {
    if (podUid !== null) return container('kubernetes', segment, null, podUid);
    // containerd's cgroupfs default: /<namespace>/<id>.
    if (index === 1 && parent !== undefined && SAFE_NAME.test(parent) && !/\.(?:slice|scope|service)$/.test(parent)) {
      return container('containerd', segment, parent === 'k8s.io' ? null : false, null);
    }
    return null;
  }
  if (parent === 'lxc' && index === 1 && SAFE_NAME.test(segment) && !segment.startsWith('lxc.')) {
    return container('lxc', segment, false, null, segment);
  }
  if ((match = LXC_PAYLOAD.exec(segment)) && SAFE_NAME.test(match[1]!)) return container('lxc', match[1]!, false, null, match[1]!);
  if (parent === 'machine.slice') {
    if ((match = NSPAWN_SERVICE.exec(segment))) {
      const name = unescapeSystemdName(match[1]!);
      return name === null ? null : container('systemd-nspawn', name, false, null, name);
    }
    if ((match = MACHINE_SCOPE.exec(segment))) {
      // machined registers libvirt guests as qemu-<N>-<name> (lxc-<N>-<name> for libvirt-lxc) and nspawn ones by name.
      const machine = unescapeSystemdName(match[1]!);
      if (machine === null) return null;
      const libvirt = LIBVIRT_MACHINE.exec(machine);
      return libvirt
        ? container('libvirt', machine, false, null, libvirt[1]!)
        : container('systemd-nspawn', machine, false, null, machine);
    }
  }
  return null;
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

/** Classifies the cgroup at `path` itself; null when it is not a container's own cgroup. */
export function classifyCgroupPath(path: string): CgroupClassification | null {
  const segments = segmentsOf(path);
  return segments.length === 0 ? null : classifySegment(segments, segments.length - 1);
}

/**
 * The container whose cgroup is `path` or an ancestor of it: a process may sit in a sub-cgroup the
 * container made (Podman rootless ".../libpod-<id>.scope/container", "init.scope", nspawn "payload").
 * The deepest match wins, so a container nested in another is found as itself.
 */
export function containerOfCgroupPath(path: string): ContainerCgroup | null {
  const segments = segmentsOf(path);
  for (let index = segments.length - 1; index >= 0; index--) {
    const classification = classifySegment(segments, index);
    if (classification) return { ...classification, path: '/' + segments.slice(0, index + 1).join('/') };
  }
  return null;
}
