// ListingCache over a fake host: what a monitor's repeated listings describe again, and what they reuse.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ListingCache } from '../../lib/discovery/listing-cache.js';
import { FakeHost, hexId } from '../fixtures/discovery/fake-host.js';

const host = new FakeHost('v2');
afterAll(() => host.cleanup());

describe('ListingCache', () => {
  const a = hexId('aa1');
  const b = hexId('bb2');
  const c = hexId('cc3');
  host.addContainerProcess(`/system.slice/docker-${a}.scope`, 201);
  host.dockerConfig(a, 'alpha');
  host.addCgroup(`/system.slice/docker-${b}.scope`);
  host.dockerConfig(b, 'beta');
  const cache = new ListingCache({ ...host.options, identityRefreshMs: 0 });
  const byId = async () => new Map((await cache.list()).map((container) => [container.id, container]));

  test('lists, then reuses what it found: a changed cgroup.procs is not read again', async () => {
    const first = await byId();
    expect(first.get(a)).toMatchObject({ name: 'alpha', pid: 201 });
    // No process yet: not a running container.
    expect(first.has(b)).toBe(false);
    host.addProcess(202, host.cgroupLines(`/system.slice/docker-${a}.scope`));
    writeFileSync(host.hierarchy(`system.slice/docker-${a}.scope/cgroup.procs`), '202\n');
    expect((await byId()).get(a)!.pid).toBe(201);
  });

  test('a container without a process yet is described again until it has one', async () => {
    host.addProcess(203, host.cgroupLines(`/system.slice/docker-${b}.scope`));
    writeFileSync(host.hierarchy(`system.slice/docker-${b}.scope/cgroup.procs`), '203\n');
    expect((await byId()).get(b)).toMatchObject({ name: 'beta', pid: 203 });
  });

  test('forget() describes a cgroup anew; new cgroups are added and removed ones dropped', async () => {
    cache.forget(`/system.slice/docker-${a}.scope`);
    host.addContainerProcess(`/system.slice/docker-${c}.scope`, 204);
    rmSync(host.hierarchy(`system.slice/docker-${b}.scope`), { recursive: true });
    const now = await byId();
    expect(now.get(a)!.pid).toBe(202);
    expect(now.get(c)!.pid).toBe(204);
    expect(now.has(b)).toBe(false);
  });

  test('names are looked at again (a rename)', async () => {
    // A different size, so that the cached file is seen to have changed even within one mtime tick.
    host.dockerConfig(a, 'alpha-renamed');
    expect((await byId()).get(a)!.name).toBe('alpha-renamed');
    writeFileSync(join(host.dockerRoot, 'containers', a, 'config.v2.json'), JSON.stringify({ Name: '/gamma' }));
    expect((await byId()).get(a)!.name).toBe('gamma');
  });
});
