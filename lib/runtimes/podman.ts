// Podman: cgroups "libpod-<id>.scope" (systemd driver, rootless under the user's slice, in a pod under its
// "machine-libpod_pod_<pod>.slice") and "/libpod_parent/libpod-<id>" (cgroupfs). Who a container is from
// containers/storage's containers.json (names, image); its labels live in Podman's own database, which
// is not read.
import { join } from 'node:path';
import { HEX64, HEX64_GLOB } from './ids.js';
import { isRecord, stringOf, type StateFileKind } from './state-files.js';
import type { RuntimePaths } from './types.js';

const PODMAN = /^libpod-([0-9a-f]{64})(?:\.scope)?$/;

export const podmanPaths: RuntimePaths = {
  leafGlobs: [`libpod-${HEX64_GLOB}`, `libpod-${HEX64_GLOB}.scope`],
  classify(segments, index) {
    const match = PODMAN.exec(segments[index]!);
    if (match === null) return null;
    // In a Podman pod the infra container is the sandbox; the path does not say which one it is.
    const inPod = segments[index - 1]?.startsWith('machine-libpod_pod_') === true;
    return {
      runtime: 'podman',
      id: match[1]!,
      name: null,
      sandbox: inPod ? null : false,
      podUid: null,
      containerdNamespace: null,
    };
  },
};

export const DEFAULT_STORAGE_ROOTS = ['/var/lib/containers/storage', '/run/containers/storage'];

/** The storage of this user's rootless Podman ($XDG_DATA_HOME/containers/storage), when there is a home. */
export function ownRootlessStorage(): string[] {
  const data = process.env.XDG_DATA_HOME || (process.env.HOME ? join(process.env.HOME, '.local/share') : '');
  return data ? [join(data, 'containers/storage')] : [];
}

/** containers/storage keeps one containers.json per graph driver. */
const CONTAINER_TABLES = ['overlay-containers/containers.json', 'vfs-containers/containers.json'];

export function containerTables(roots: readonly string[]): string[] {
  return roots.flatMap((root) => CONTAINER_TABLES.map((table) => join(root, table)));
}

/** One container of containers.json: its first name, and the image its metadata names. */
export interface StorageContainer {
  name: string | null;
  image: string | null;
  imageId: string | null;
}

export const CONTAINERS_TABLE: StateFileKind<ReadonlyMap<string, StorageContainer>> = {
  name: 'containers/storage containers.json',
  parse(json) {
    if (!Array.isArray(json)) return null;
    const table = new Map<string, StorageContainer>();
    for (const entry of json) {
      if (!isRecord(entry)) continue;
      const id = stringOf(entry['id'], 64);
      if (id === null || !HEX64.test(id)) continue;
      const names = Array.isArray(entry['names']) ? entry['names'] : [];
      // Podman keeps a JSON document in "metadata": image-name, image-id, name.
      let metadata: Record<string, unknown> = {};
      const text = stringOf(entry['metadata'], 64 * 1024);
      if (text !== null) {
        try {
          const parsed: unknown = JSON.parse(text);
          if (isRecord(parsed)) metadata = parsed;
        } catch {
          // An unreadable metadata document leaves the image unknown.
        }
      }
      const imageId = stringOf(metadata['image-id'], 128) ?? stringOf(entry['image'], 128);
      table.set(id, {
        name: stringOf(names[0], 256),
        image: stringOf(metadata['image-name']),
        imageId: imageId !== null && HEX64.test(imageId) ? `sha256:${imageId}` : imageId,
      });
    }
    return table;
  },
};

/** The OCI spec Podman and CRI-O write for a container (in each storage root). */
export function userdataSpecs(roots: readonly string[], id: string): string[] {
  if (!HEX64.test(id)) return [];
  return roots.flatMap((root) =>
    CONTAINER_TABLES.map((table) => join(root, table.slice(0, table.indexOf('/')), id, 'userdata/config.json')),
  );
}
