// Captured fixtures (test/fixtures/*): Docker's API answers and `docker info`, kept as JSON files, and the
// cgroup v1 captures' directory per hierarchy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupDirs } from '../../lib/discovery/types.js';

/** Reads JSON files by their path below root. */
export function jsonUnder(root: string): (relative: string) => any {
  return (relative) => JSON.parse(readFileSync(join(root, relative), 'utf8'));
}

/** A captured v1 cgroup's directory per hierarchy (test/fixtures/cgroup1/<case>/<hierarchy>). */
export function v1Dirs(root: string): CgroupDirs {
  return {
    memory: join(root, 'memory'),
    cpu: join(root, 'cpu'),
    cpuacct: join(root, 'cpuacct'),
    blkio: join(root, 'blkio'),
    pids: join(root, 'pids'),
    cpuset: join(root, 'cpuset'),
    unified: join(root, 'unified'),
  };
}
