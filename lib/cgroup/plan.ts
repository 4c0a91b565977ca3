// Which files one container needs, as a flat list of absolute paths: the caller concatenates the plans of
// many containers (and the host's files) into one batched native read and slices the answers back.
import type { CgroupVersion } from '../types.js';
import type { CgroupDirs } from '../discovery/types.js';
import { UnsupportedLayoutError } from '../errors.js';
import type { CgroupFilePlan } from './files.js';
import { MEMORY_V1_FILES } from './v1/memory.js';
import { CPU_V1_FILES } from './v1/cpu.js';
import { BLKIO_V1_FILES } from './v1/blkio.js';
import { PIDS_V1_FILES } from './v1/pids.js';
import { MEMORY_V2_FILES } from './v2/memory.js';
import { CPU_V2_FILES } from './v2/cpu.js';
import { IO_V2_FILES } from './v2/io.js';
import { PIDS_V2_FILES } from './v2/pids.js';
import { PRESSURE_FILES } from './v2/pressure.js';

export type { CgroupFilePlan } from './files.js';

function requireDir(dirs: CgroupDirs, controller: keyof CgroupDirs): string {
  const dir = dirs[controller];
  if (dir === null) throw new UnsupportedLayoutError(`no cgroup directory for the ${controller} controller`);
  return dir;
}

/**
 * Files a kernel or a configuration may lack for the whole life of a cgroup: swap accounting, PSI,
 * memory.peak (5.19+), the cpuset and (v2) cpu controllers, and all but one of the v1 blkio sets.
 */
const OPTIONAL_FILES: ReadonlySet<string> = new Set<string>([
  'memory.memsw.usage_in_bytes', 'memory.memsw.limit_in_bytes', ...CPU_V1_FILES.cpuset, ...BLKIO_V1_FILES,
  'memory.peak', 'memory.swap.current', 'memory.swap.max', 'cpu.max', 'cpuset.cpus.effective', ...PRESSURE_FILES,
]);

export function cgroupFilePlan(dirs: CgroupDirs, version: CgroupVersion): CgroupFilePlan {
  const paths: string[] = [];
  const optional: boolean[] = [];
  const index: Record<string, number> = {};
  const add = (dir: string, names: readonly string[]): void => {
    for (const name of names) {
      index[name] = paths.length;
      paths.push(`${dir}/${name}`);
      optional.push(OPTIONAL_FILES.has(name));
    }
  };

  if (version === 2) {
    const dir = requireDir(dirs, 'unified');
    // cgroup.controllers tells "controller not enabled" apart from "cgroup removed" when a file is missing.
    add(dir, ['cgroup.controllers', ...MEMORY_V2_FILES, ...CPU_V2_FILES, ...IO_V2_FILES, ...PIDS_V2_FILES, ...PRESSURE_FILES]);
    return { version, paths, optional, index, dir };
  }

  const memory = requireDir(dirs, 'memory');
  add(memory, MEMORY_V1_FILES);
  add(requireDir(dirs, 'cpuacct'), CPU_V1_FILES.cpuacct);
  add(requireDir(dirs, 'cpu'), CPU_V1_FILES.cpu);
  if (dirs.cpuset !== null) add(dirs.cpuset, CPU_V1_FILES.cpuset);
  add(requireDir(dirs, 'blkio'), BLKIO_V1_FILES);
  add(requireDir(dirs, 'pids'), PIDS_V1_FILES);
  // Hybrid hosts: the pressure files live in the container's directory of the unified hierarchy.
  if (dirs.unified !== null) add(dirs.unified, PRESSURE_FILES);
  return { version, paths, optional, index, dir: memory };
}
