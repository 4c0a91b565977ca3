// cgroup v1 pids controller (Documentation/admin-guide/cgroup-v1/pids.rst): the same files as v2's.
import { defineController, required, setting } from '../controller.js';
import { readPids } from '../v2/pids.js';

export const pidsV1 = defineController({
  field: 'pids',
  version: 1,
  hierarchy: 'pids',
  files: () => [required('pids.current'), setting(required('pids.max'))],
  read: readPids,
});
