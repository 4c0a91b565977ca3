// The OCI runtime spec (config.json) a runtime writes for every container it starts: containerd's task
// bundles (Docker's own among them), Podman's and CRI-O's userdata. What is read from it: the annotations
// (CRI metadata, labels), the cgroup path, and whether the container joined another's network namespace.
import { isRecord, labelsOf, stringOf, type StateFileKind } from './state-files.js';

export interface OciSpec {
  annotations: Record<string, string>;
  /** linux.cgroupsPath as written: "/docker/<id>", or the systemd form "slice:prefix:name". */
  cgroupsPath: string | null;
  /** The path of the network namespace it joined (linux.namespaces), null when it got a new one or none is named. */
  networkNamespacePath: string | null;
  /** No network namespace of its own or joined: the host's (null when the spec lists no namespaces at all). */
  hostNetwork: boolean | null;
}

export const OCI_SPEC: StateFileKind<OciSpec> = {
  name: 'OCI config.json',
  parse(json) {
    if (!isRecord(json)) return null;
    const linux = isRecord(json['linux']) ? json['linux'] : {};
    const namespaces = Array.isArray(linux['namespaces']) ? linux['namespaces'] : [];
    const network = namespaces.find(
      (entry): entry is Record<string, unknown> => isRecord(entry) && entry['type'] === 'network',
    );
    return {
      annotations: labelsOf(json['annotations']),
      cgroupsPath: stringOf(linux['cgroupsPath']),
      networkNamespacePath: network === undefined ? null : stringOf(network['path']),
      hostNetwork: namespaces.length === 0 ? null : network === undefined,
    };
  },
};

/**
 * A slice name as systemd nests it: "kubepods-burstable-pod1.slice" is below "kubepods.slice" and
 * "kubepods-burstable.slice" (each dash starts a child); "-.slice" is the root.
 */
export function expandSlice(slice: string): string | null {
  if (!slice.endsWith('.slice')) return null;
  const name = slice.slice(0, -'.slice'.length);
  if (name === '-' || name === '') return '';
  if (name.startsWith('-') || name.endsWith('-') || name.includes('--') || name.includes('/')) return null;
  const parts = name.split('-');
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join('-')}.slice`).join('');
}

/**
 * The cgroup path of an OCI cgroupsPath: a plain path as it is; the systemd form "slice:prefix:name" (as
 * runc and crun take it with the systemd driver) as <slice expanded>/<prefix>-<name>.scope. null when
 * it is neither.
 */
export function cgroupPathOf(cgroupsPath: string): string | null {
  if (cgroupsPath.startsWith('/'))
    return cgroupsPath.includes('/../') || cgroupsPath.endsWith('/..') ? null : cgroupsPath.replace(/\/+$/, '') || '/';
  const parts = cgroupsPath.split(':');
  if (parts.length !== 3) return null;
  const [slice, prefix, name] = parts as [string, string, string];
  if (name === '' || name.includes('/')) return null;
  const parent = expandSlice(slice === '' ? 'system.slice' : slice);
  if (parent === null) return null;
  // A name that is itself a unit (".slice", ".scope") is used as it is.
  const unit = /\.(?:slice|scope)$/.test(name) ? name : `${prefix === '' ? '' : `${prefix}-`}${name}.scope`;
  return `${parent}/${unit}`;
}
