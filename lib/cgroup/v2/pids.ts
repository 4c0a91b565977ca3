// cgroup v2 pids controller (Documentation/admin-guide/cgroup-v2.rst "PID"); v1's has the same files.
import type { PidsStats } from '../../types.js';
import { defineController, required, setting } from '../controller.js';
import type { CgroupFiles } from '../files.js';
import { parseCounter, parseSingleValue } from '../parse.js';
import { PidsObject } from '../stats-objects.js';

export function readPids(files: CgroupFiles): PidsStats {
  return new PidsObject(
    // Counts tasks (threads), not processes.
    files.parseRequired('pids.current', parseCounter),
    files.parseRequired('pids.max', parseSingleValue),
  );
}

export const pidsV2 = defineController({
  field: 'pids',
  version: 2,
  hierarchy: 'unified',
  enabledBy: 'pids',
  files: () => [required('pids.current'), setting(required('pids.max'))],
  read: readPids,
});
