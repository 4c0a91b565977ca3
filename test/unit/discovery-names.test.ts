import { rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { listContainers } from '../../lib/discovery/list.js';
import { ContainerNames } from '../../lib/discovery/names.js';
import { FakeHost, hexId } from '../fixtures/discovery/fake-host.js';

const hosts: FakeHost[] = [];
afterEach(() => {
  for (const host of hosts.splice(0)) host.cleanup();
});
function fakeHost(): FakeHost {
  const host = new FakeHost('v2');
  hosts.push(host);
  return host;
}

describe('ContainerNames', () => {
  test('Docker names come from config.v2.json without the leading slash, and follow renames', async () => {
    const host = fakeHost();
    const id = hexId('d0');
    host.dockerConfig(id, 'web');
    expect(await new ContainerNames(host.options).nameOf('docker', id)).toBe('web');
    host.dockerConfig(id, 'renamed-longer');
    expect(await new ContainerNames(host.options).nameOf('docker', id)).toBe('renamed-longer');
  });

  test('a rewritten file with the same size and a new mtime is read again', async () => {
    const host = fakeHost();
    const id = hexId('d1');
    host.dockerConfig(id, 'aaaa');
    expect(await new ContainerNames(host.options).nameOf('docker', id)).toBe('aaaa');
    const path = join(host.dockerRoot, 'containers', id, 'config.v2.json');
    const before = statSync(path);
    host.dockerConfig(id, 'bbbb');
    utimesSync(path, before.atime, new Date(before.mtimeMs + 5000));
    expect(await new ContainerNames(host.options).nameOf('docker', id)).toBe('bbbb');
  });

  test('absent state gives no name, and so does a state file that does not parse', async () => {
    const host = fakeHost();
    const id = hexId('d2');
    expect(await new ContainerNames(host.options).nameOf('docker', id)).toBeNull();
    host.dockerConfig(id, 'x');
    writeFileSync(join(host.dockerRoot, 'containers', id, 'config.v2.json'), '{"Name": "/x"');
    expect(await new ContainerNames(host.options).nameOf('docker', id)).toBeNull();
    // Repaired, it is read again.
    host.dockerConfig(id, 'fixed');
    expect(await new ContainerNames(host.options).nameOf('docker', id)).toBe('fixed');
  });

  test('one corrupt config.v2.json costs its container the name, not the listing of all', async () => {
    const host = fakeHost();
    const [good, bad] = [hexId('f1'), hexId('f2')];
    host.addContainerProcess(`/system.slice/docker-${good}.scope`, 201);
    host.addContainerProcess(`/system.slice/docker-${bad}.scope`, 202);
    host.dockerConfig(good, 'good');
    host.dockerConfig(bad, 'bad');
    writeFileSync(join(host.dockerRoot, 'containers', bad, 'config.v2.json'), 'not json');
    const listed = await listContainers(host.options);
    expect(listed.map(({ id, name }) => ({ id, name }))).toEqual([{ id: good, name: 'good' }, { id: bad, name: null }]);
  });

  test('a corrupt or misshapen containers.json gives no names; the other tables still do', async () => {
    const host = fakeHost();
    const [a, b] = [hexId('a1'), hexId('b1')];
    host.podmanContainers('overlay', [{ id: a, names: ['alpha'] }]);
    host.podmanContainers('vfs', [{ id: b, names: ['beta'] }]);
    writeFileSync(join(host.podmanRoot, 'overlay-containers/containers.json'), '[{"id": ');
    const names = new ContainerNames(host.options);
    expect(await names.nameOf('podman', a)).toBeNull();
    expect(await names.nameOf('podman', b)).toBe('beta');
    writeFileSync(join(host.podmanRoot, 'overlay-containers/containers.json'), '{"id": "not a list"}');
    expect(await new ContainerNames(host.options).nameOf('podman', b)).toBe('beta');
  });

  test('Podman names from overlay and vfs containers.json under every root', async () => {
    const host = fakeHost();
    const [a, b, c] = [hexId('a0'), hexId('b0'), hexId('c0')];
    host.podmanContainers('overlay', [{ id: a, names: ['alpha', 'alias'] }]);
    host.podmanContainers('vfs', [{ id: b, names: ['beta'] }]);
    const names = new ContainerNames(host.options);
    expect(await names.nameOf('podman', a)).toBe('alpha');
    expect(await names.nameOf('podman', b)).toBe('beta');
    expect(await names.nameOf('podman', c)).toBeNull();
    // The runtime id decides which state is read: a Podman id is not looked up in Docker's.
    expect(await names.nameOf('docker', a)).toBeNull();
    rmSync(join(host.podmanRoot, 'vfs-containers'), { recursive: true });
    expect(await new ContainerNames(host.options).nameOf('podman', b)).toBeNull();
  });

  test('ids that are not 64 hex never become paths', async () => {
    const host = fakeHost();
    host.dockerConfig(hexId('e0'), 'ok');
    const names = new ContainerNames(host.options);
    expect(await names.nameOf('docker', '../../etc')).toBeNull();
    expect(await names.nameOf('docker', hexId('e0').slice(0, 12))).toBeNull();
  });
});
