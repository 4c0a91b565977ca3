// cgroup v2 pids controller (Documentation/admin-guide/cgroup-v2.rst "PID").
import type { PidsStats } from '../../types.js';
import type { CgroupFiles, ControllerFiles } from '../files.js';
import { parseCounter, parseSingleValue } from '../parse.js';

export const PIDS_V2_FILES: ControllerFiles = { required: ['pids.current', 'pids.max'], optional: [] };

export function readPidsV2(files: CgroupFiles): PidsStats {
  return {
    // Counts tasks (threads), not processes.
    current: files.parseRequired('pids.current', parseCounter),
    limit: files.parseRequired('pids.max', parseSingleValue),
  };
}
