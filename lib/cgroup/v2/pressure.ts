// Pressure stall information (Documentation/accounting/psi.rst): cpu/memory/io.pressure of a cgroup2
// directory; on a hybrid host they come from the container's directory in the unified hierarchy.
import type { PressureStats } from '../../types.js';
import type { CgroupFiles, ControllerFiles } from '../files.js';
import { parsePressure } from '../parse.js';

/** Missing before 4.20, without CONFIG_PSI or with cgroup.pressure=0; EOPNOTSUPP when booted psi=0. */
export const PRESSURE_FILES: ControllerFiles = { required: [], optional: ['cpu.pressure', 'memory.pressure', 'io.pressure'] };

/** null when none of the three files can be read. */
export function readPressure(files: CgroupFiles): PressureStats | null {
  const stats: PressureStats = {
    cpu: files.parseOptional('cpu.pressure', parsePressure),
    memory: files.parseOptional('memory.pressure', parsePressure),
    io: files.parseOptional('io.pressure', parsePressure),
  };
  return stats.cpu === null && stats.memory === null && stats.io === null ? null : stats;
}
