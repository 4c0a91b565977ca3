// readContainerStats called again for the same container: a container read by its full id is not looked up
// again, and must never be taken for what it was. A restart gives it a new cgroup and a new process, a stop
// ends it, a rename changes its name, and a name can move to another container: each call sees it as it is.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerNotFoundError } from '../../lib/errors.js';
import { readContainerStats } from '../../lib/stats.js';
import { ensureTestImage, inspect, TEST_IMAGE, withContainers } from '../helpers/docker.js';
import { requireDocker, requireRoot } from '../helpers/env.js';

const run = promisify(execFile);
const docker = (...args: string[]) => run('docker', args, { timeout: 120_000 }).then((r) => r.stdout.trim());
const ready = requireRoot() && requireDocker();

describe.skipIf(!ready)('readContainerStats of a container read before', () => {
  const containers = withContainers('ctrstat-again-');
  beforeAll(() => ensureTestImage(), 120_000);
  afterAll(() => containers.removeAll());

  it('after a restart: its new process and cgroup, with and without network', async () => {
    const { id, pid } = await containers.run(['--name', containers.name('restart'), TEST_IMAGE, 'sleep', '3600']);
    const before = [
      await readContainerStats(id, { network: false }),
      await readContainerStats(id, { network: true }),
      await readContainerStats({ id }, { network: false }),
      await readContainerStats([id], { network: true }),
    ].flat();
    for (const stats of before) expect(stats.pid).toBe(pid);
    const inode = before[0]!.cgroup.inode;

    await docker('restart', '-t', '0', id);
    const now = (await inspect(id)).State.Pid;
    expect(now).not.toBe(pid);
    for (const network of [false, true]) {
      const after = [
        await readContainerStats(id, { network }),
        await readContainerStats({ id }, { network }),
        ...(await readContainerStats([id, id], { network })),
      ];
      for (const stats of after) {
        expect(stats.pid).toBe(now);
        expect(stats.cgroup.inode).not.toBe(inode);
        expect(stats.startedAt).toBeGreaterThan(before[0]!.startedAt!);
        if (network) expect(Object.keys(stats.network?.interfaces ?? {})).toContain('eth0');
      }
    }
  });

  it('after a stop: a ContainerNotFoundError, never its last figures', async () => {
    const { id } = await containers.run(['--name', containers.name('stop'), TEST_IMAGE, 'sleep', '3600']);
    await readContainerStats(id, { network: false });
    await readContainerStats([id], { network: true });
    await docker('stop', '-t', '0', id);
    for (const network of [false, true]) {
      await expect(readContainerStats(id, { network })).rejects.toBeInstanceOf(ContainerNotFoundError);
      await expect(readContainerStats([{ id }], { network })).rejects.toBeInstanceOf(ContainerNotFoundError);
    }
    // Started again, it reads again.
    await docker('start', id);
    expect((await readContainerStats(id, { network: false })).pid).toBe((await inspect(id)).State.Pid);
  });

  it('after a rename: its new name at once; a name taken over by another container names that one', async () => {
    const first = containers.name('first');
    const renamed = containers.name('renamed');
    const a = await containers.run(['--name', first, TEST_IMAGE, 'sleep', '3600']);
    expect((await readContainerStats(a.id, { network: false })).name).toBe(first);
    expect((await readContainerStats(first, { network: false })).id).toBe(a.id);
    expect((await readContainerStats(a.id, { network: false })).name).toBe(first);

    await docker('rename', first, renamed);
    expect((await readContainerStats(a.id, { network: false })).name).toBe(renamed);
    expect((await readContainerStats([a.id], { network: true }))[0]!.name).toBe(renamed);

    const b = await containers.run(['--name', first, TEST_IMAGE, 'sleep', '3600']);
    expect((await readContainerStats(first, { network: false })).id).toBe(b.id);
    const both = await readContainerStats([a.id, first, renamed], { network: false });
    expect(both.map((stats) => [stats.id, stats.name])).toEqual([
      [a.id, renamed],
      [b.id, first],
      [a.id, renamed],
    ]);
  });
});
