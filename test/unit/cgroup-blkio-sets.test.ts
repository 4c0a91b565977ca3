// Which v1 blkio counter files a plan reads: the sets the host's kernel offers, found once from the blkio
// hierarchy's root, without the plain throttle files where the recursive ones exist.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v1Dirs } from '../helpers/fixtures.js';
import { afterAll, describe, expect, it } from 'vitest';
import { batchOf } from '../helpers/token-batch.js';
import type { NativeFailure } from '../../lib/native.js';
import { cgroupFilePlan } from '../../lib/cgroup/plan.js';
import { buildCgroupStats } from '../../lib/cgroup/build.js';
import { blkioV1 } from '../../lib/cgroup/v1/blkio.js';

const V1 = join(import.meta.dirname, '../fixtures/cgroup1/blkio/after');
const dirs = v1Dirs(V1);
const BLKIO = join(V1, 'blkio');
const ENOENT = -2;
const answers = (paths: readonly string[]) =>
  paths.map((path): string | NativeFailure => {
    try {
      return readFileSync(path, 'latin1');
    } catch {
      return { errno: ENOENT, syscall: 'open', path };
    }
  });

const temp = mkdtempSync(join(tmpdir(), 'ctrstat-blkio-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A sysRoot whose fs/cgroup holds a blkio hierarchy (under the given mount name) with these files. */
function sysRootWith(mount: string, files: readonly string[]): string {
  const root = mkdtempSync(join(temp, 'sys-'));
  const dir = join(root, 'fs/cgroup', mount);
  mkdirSync(dir, { recursive: true });
  for (const file of files) writeFileSync(join(dir, file), '');
  return root;
}

const blkioPaths = (paths: readonly string[]) =>
  paths.filter((p) => p.startsWith(`${BLKIO}/`)).map((p) => p.slice(BLKIO.length + 1));

describe('v1 blkio counter sets', () => {
  it("reads the recursive throttle files and not the plain ones where the kernel has both (the fixture's host)", async () => {
    const sysRoot = mkdtempSync(join(temp, 'sys-'));
    mkdirSync(join(sysRoot, 'fs/cgroup'), { recursive: true });
    symlinkSync(BLKIO, join(sysRoot, 'fs/cgroup/blkio'));
    const sets = await blkioV1.prepare!(sysRoot);
    const before = cgroupFilePlan(dirs, 1);
    const after = cgroupFilePlan(dirs, 1, { blkio: sets });
    expect(blkioPaths(before.paths)).toHaveLength(8);
    expect(blkioPaths(after.paths)).toEqual([
      'blkio.bfq.io_service_bytes_recursive',
      'blkio.bfq.io_serviced_recursive',
      'blkio.throttle.io_service_bytes_recursive',
      'blkio.throttle.io_serviced_recursive',
    ]);
    const stats = buildCgroupStats(after, batchOf(answers(after.paths)), 0, () => null);
    const all = buildCgroupStats(before, batchOf(answers(before.paths)), 0, () => null);
    expect(stats.blkio).toEqual(all.blkio);
    expect(stats.blkio.writeBytes).toBe(20 * 2 ** 20);
  });
  it('keeps the plain throttle files on a kernel without the recursive ones, and finds a joined mount', async () => {
    const sets = await blkioV1.prepare!(
      sysRootWith('blkio,net_cls', ['blkio.throttle.io_service_bytes', 'blkio.throttle.io_serviced', 'cgroup.procs']),
    );
    expect(blkioPaths(cgroupFilePlan(dirs, 1, { blkio: sets }).paths)).toEqual([
      'blkio.throttle.io_service_bytes',
      'blkio.throttle.io_serviced',
    ]);
  });
  it('plans every set where the hierarchy is not found', async () => {
    const sets = await blkioV1.prepare!(sysRootWith('memory', ['memory.stat']));
    expect(sets).toBeUndefined();
    expect(blkioPaths(cgroupFilePlan(dirs, 1, { blkio: sets }).paths)).toHaveLength(8);
  });
});
