// The one hierarchy that listing walks and that PIDs are looked up in.
import type { CgroupLayout, CgroupMount } from './types.js';

/** The v1 hierarchies every container is in, in the order they are preferred. */
const SCAN_CONTROLLERS = ['memory', 'name=systemd', 'cpu', 'pids'];

export interface ScanHierarchy {
  mount: CgroupMount;
  /** The v1 controller naming the hierarchy in /proc/<pid>/cgroup; null for the unified one. */
  controller: string | null;
}

/** The unified hierarchy on v2; on v1/hybrid a v1 one that every container is in. */
export function scanMount(layout: CgroupLayout): ScanHierarchy | null {
  if (layout.mode === 'v2') return layout.unified ? { mount: layout.unified, controller: null } : null;
  for (const controller of SCAN_CONTROLLERS) {
    const mount = layout.v1[controller];
    if (mount) return { mount, controller };
  }
  const [controller, mount] = Object.entries(layout.v1)[0] ?? [];
  return controller !== undefined && mount !== undefined ? { mount, controller } : null;
}
