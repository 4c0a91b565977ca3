// Pressure stall information (Documentation/accounting/psi.rst): cpu/memory/io.pressure of a cgroup2
// directory; on a hybrid host they come from the container's directory in the unified hierarchy.
import { defineController, optional } from '../controller.js';
import { parsePressure } from '../parse.js';

/** Missing before 4.20, without CONFIG_PSI or with cgroup.pressure=0; EOPNOTSUPP when booted psi=0. */
const NO_PSI = 'Linux 4.20+ with CONFIG_PSI, not booted psi=0, not cgroup.pressure=0';

function pressureController<V extends 1 | 2>(version: V) {
  return defineController({
    field: 'pressure',
    version,
    // PSI files are not a controller's: every cgroup2 directory has them, also beside v1 hierarchies.
    hierarchy: 'unified',
    optional: true,
    files: () => [
      optional('cpu.pressure', NO_PSI),
      optional('memory.pressure', NO_PSI),
      optional('io.pressure', NO_PSI),
    ],
    /** null when none of the three files can be read. */
    read(files) {
      const stats = {
        cpu: files.parseOptional('cpu.pressure', parsePressure),
        memory: files.parseOptional('memory.pressure', parsePressure),
        io: files.parseOptional('io.pressure', parsePressure),
      };
      return stats.cpu === null && stats.memory === null && stats.io === null ? null : stats;
    },
  });
}

export const pressureV1 = pressureController(1);
export const pressureV2 = pressureController(2);
