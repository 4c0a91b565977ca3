// Which files one container needs, as a flat list of absolute paths, each marked optional or not as its
// controller's module declares it. The caller reads the plans of many containers (and the host's files)
// in one batched native read and hands each plan its offset in the answers.
import type { CgroupVersion } from '../types.js';
import type { CgroupDirs } from '../discovery/types.js';
import { UnsupportedLayoutError } from '../errors.js';
import type { CgroupFilePlan, ControllerFiles } from './files.js';
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

/** cgroup.controllers tells "controller not enabled" apart from "cgroup removed" when a v2 file is missing. */
const V2_CORE_FILES: ControllerFiles = { required: ['cgroup.controllers'], optional: [] };

export function cgroupFilePlan(dirs: CgroupDirs, version: CgroupVersion): CgroupFilePlan {
  const paths: string[] = [];
  const optional: boolean[] = [];
  const index: Record<string, number> = {};
  const add = (dir: string, files: ControllerFiles): void => {
    for (const [names, isOptional] of [[files.required, false], [files.optional, true]] as const) {
      for (const name of names) {
        index[name] = paths.length;
        paths.push(`${dir}/${name}`);
        optional.push(isOptional);
      }
    }
  };

  if (version === 2) {
    const dir = requireDir(dirs, 'unified');
    for (const files of [V2_CORE_FILES, MEMORY_V2_FILES, CPU_V2_FILES, IO_V2_FILES, PIDS_V2_FILES, PRESSURE_FILES]) add(dir, files);
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
