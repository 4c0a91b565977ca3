// listContainers / resolveContainer over fake hosts (fake /proc and /sys in a temporary directory).
import { mkdirSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  AmbiguousReferenceError,
  ContainerNotFoundError,
  InvalidReferenceError,
  UnsupportedLayoutError,
} from '../../lib/errors.js';
import { listContainers, listResolvedContainers } from '../../lib/discovery/list.js';
import { resolveContainer, resolveContainers } from '../../lib/discovery/resolve.js';
import type { ContainerRef } from '../../lib/types.js';
import { FakeHost, hexId } from '../fixtures/discovery/fake-host.js';

const hosts: FakeHost[] = [];
function fakeHost(mode: 'v1' | 'v2' | 'hybrid'): FakeHost {
  const host = new FakeHost(mode);
  hosts.push(host);
  return host;
}
afterAll(() => {
  for (const host of hosts) host.cleanup();
});

function inode(host: FakeHost, pid: number): number {
  return statSync(join(host.procRoot, String(pid), 'ns/net')).ino;
}

describe('v1 host, Docker with the cgroupfs driver', () => {
  const host = fakeHost('v1');
  const web = hexId('ab1');
  const db = hexId('ab2');
  host.addContainerProcess(`/docker/${web}`, 101);
  host.addContainerProcess(`/docker/${db}`, 102);
  host.dockerConfig(web, 'web');
  host.dockerConfig(db, 'db');
  host.addContainerProcess('/system.slice/sshd.service', 50);
  host.addCgroup(`/system.slice/var-lib-docker-containers-${web}-mounts-shm.mount`);

  test('lists both containers with dirs in every controller (cpu and cpuacct share one hierarchy)', async () => {
    const listed = await listResolvedContainers(host.options);
    expect(listed.map((container) => container.id)).toEqual([web, db].sort());
    const found = listed.find((container) => container.id === web)!;
    expect(found).toMatchObject({
      name: 'web',
      runtime: 'docker',
      cgroup: { version: 1, path: `/docker/${web}` },
      pid: 101,
      netnsInode: inode(host, 101),
      sandbox: false,
      podUid: null,
      version: 1,
    });
    expect(found.dirs).toEqual({
      memory: host.hierarchy(`memory/docker/${web}`),
      cpu: host.hierarchy(`cpu,cpuacct/docker/${web}`),
      cpuacct: host.hierarchy(`cpu,cpuacct/docker/${web}`),
      blkio: host.hierarchy(`blkio/docker/${web}`),
      pids: host.hierarchy(`pids/docker/${web}`),
      cpuset: host.hierarchy(`cpuset/docker/${web}`),
      unified: null,
    });
  });

  test('listContainers gives the public shape only', async () => {
    const [first] = await listContainers(host.options);
    expect(Object.keys(first!).sort()).toEqual([
      'cgroup',
      'containerdNamespace',
      'id',
      'image',
      'imageId',
      'kubernetes',
      'labels',
      'name',
      'netnsInode',
      'pid',
      'podUid',
      'runtime',
      'sandbox',
      'startedAt',
    ]);
  });

  test('a container missing from a hierarchy (being made or removed) is not listed, and reading it says why', async () => {
    const other = fakeHost('v1');
    const id = hexId('cc');
    other.addCgroup(`/docker/${id}`, [7], [other.hierarchy('memory'), other.hierarchy('cpu,cpuacct')]);
    other.addProcess(7, other.cgroupLines(`/docker/${id}`));
    expect(await listResolvedContainers(other.options)).toEqual([]);
    await expect(resolveContainer(id, other.options)).rejects.toThrow(/being made or removed/);
    // Its cgroup by path too.
    await expect(resolveContainer({ cgroup: `/docker/${id}` }, other.options)).rejects.toThrow(/being made or removed/);
  });

  test("a container whose process is a zombie, or runc's own init, is not listed", async () => {
    const other = fakeHost('v1');
    const [zombie, starting] = [hexId('ce'), hexId('cf')];
    other.addContainerProcess(`/docker/${zombie}`, 8);
    other.setProcessState(8, 'Z');
    other.addContainerProcess(`/docker/${starting}`, 9);
    other.setProcessState(9, 'S', 'runc:[2:INIT]');
    expect(await listResolvedContainers(other.options)).toEqual([]);
    await expect(resolveContainer(zombie, other.options)).rejects.toThrow(/no process/);
    await expect(resolveContainer({ pid: 8 }, other.options)).rejects.toThrow(/no process/);
    await expect(resolveContainer(starting, other.options)).rejects.toThrow(/is starting/);
    other.setProcessState(9, 'S', 'sleep');
    expect((await resolveContainer(starting, other.options)).pid).toBe(9);
  });

  test("a container's process is its init, not the process listed first (PIDs wrap around)", async () => {
    const other = fakeHost('v1');
    const cgroup = (id: string) => `/docker/${id}`;
    const process = (id: string, pid: number, options: { parent?: number; startTicks?: number }) => {
      other.addProcess(pid, other.cgroupLines(cgroup(id)));
      other.setProcessState(pid, 'S', 'sleep', options);
    };
    // A child of the init, listed first, and an exec'd process (its parent the shim, outside), started later.
    const [child, vanished, deep, exiting] = ['d1', 'd3', 'd4', 'd5'].map(hexId) as [string, string, string, string];
    other.addCgroup(cgroup(child), [300, 301, 28000]);
    process(child, 28000, { parent: 27990, startTicks: 100 });
    process(child, 300, { parent: 28000, startTicks: 200 });
    process(child, 301, { parent: 27990, startTicks: 300 });
    // The first listed is gone by the time it is read (no /proc entry); its init is next.
    other.addCgroup(cgroup(vanished), [302, 28001]);
    process(vanished, 28001, { parent: 27990, startTicks: 100 });
    // More processes than are read at once, the init last: found by following the parents up.
    const many = Array.from({ length: 20 }, (_, n) => 400 + n);
    other.addCgroup(cgroup(deep), [...many, 28002]);
    process(deep, 28002, { parent: 27990, startTicks: 100 });
    many.forEach((pid, n) => process(deep, pid, { parent: n === 0 ? 28002 : pid - 1, startTicks: 200 + n }));
    // The init is exiting and a child of it is not: the container is stopping.
    other.addCgroup(cgroup(exiting), [303, 28003]);
    process(exiting, 28003, { parent: 27990, startTicks: 100 });
    other.setProcessState(28003, 'Z', 'sh', { parent: 27990, startTicks: 100 });
    process(exiting, 303, { parent: 28003, startTicks: 200 });

    const listed = await listResolvedContainers(other.options);
    const pidOf = (id: string) => listed.find((container) => container.id === id)?.pid;
    expect(pidOf(child)).toBe(28000);
    expect(pidOf(vanished)).toBe(28001);
    expect(pidOf(deep)).toBe(28002);
    expect(pidOf(exiting)).toBeUndefined();
    expect(listed.find((container) => container.id === child)?.netnsInode).toBe(inode(other, 28000));
    expect((await resolveContainer(child.slice(0, 12), other.options)).pid).toBe(28000);
    await expect(resolveContainer(exiting, other.options)).rejects.toThrow(/no process/);
  });

  test('in a PID namespace of its own, the init is found among the host PIDs read from procRoot', async () => {
    const other = fakeHost('v1');
    // procRoot's "self" is another PID than this process: cgroup.procs lists none of the host's processes.
    renameSync(join(other.procRoot, 'self'), join(other.procRoot, '1'));
    symlinkSync('1', join(other.procRoot, 'self'));
    const id = hexId('e1');
    other.addCgroup(`/docker/${id}`, []);
    for (const [pid, parent, startTicks] of [
      [28000, 27990, 100],
      [300, 28000, 200],
      [301, 27990, 300],
    ] as const) {
      other.addProcess(pid, other.cgroupLines(`/docker/${id}`));
      other.setProcessState(pid, 'S', 'sleep', { parent, startTicks });
    }
    expect((await resolveContainer(id, other.options)).pid).toBe(28000);
    expect((await listResolvedContainers(other.options)).map((container) => container.pid)).toEqual([28000]);
  });

  test('resolves by full id, prefix, name, pid and cgroup', async () => {
    for (const ref of [
      web,
      web.slice(0, 12),
      'ab1',
      'web',
      { id: web },
      { id: 'ab1' },
      { name: 'web' },
      { pid: 101 },
      { cgroup: `/docker/${web}` },
    ] as ContainerRef[]) {
      const resolved = await resolveContainer(ref, host.options);
      expect([ref, resolved.id, resolved.runtime]).toEqual([ref, web, 'docker']);
    }
  });

  test('an ambiguous prefix lists its candidates', async () => {
    const error = await resolveContainer('ab', host.options).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AmbiguousReferenceError);
    expect((error as AmbiguousReferenceError).candidates.sort()).toEqual([web, db].sort());
    await expect(resolveContainer({ id: 'a' }, host.options)).rejects.toBeInstanceOf(AmbiguousReferenceError);
  });

  test('unknown references are ContainerNotFoundError', async () => {
    for (const ref of [
      'nope',
      'ff',
      { id: hexId('ff') },
      { name: 'nope' },
      { cgroup: '/docker/nope' },
      { pid: 999_999 },
    ] as ContainerRef[]) {
      await expect(resolveContainer(ref, host.options), JSON.stringify(ref)).rejects.toBeInstanceOf(
        ContainerNotFoundError,
      );
    }
  });

  test('a pid in no container is its own plain cgroup; a non-container cgroup resolves as runtime "cgroup"', async () => {
    expect(await resolveContainer({ pid: 50 }, host.options)).toMatchObject({
      id: '/system.slice/sshd.service',
      runtime: 'cgroup',
      pid: 50,
      name: null,
      dirs: { memory: host.hierarchy('memory/system.slice/sshd.service') },
    });
    expect(await resolveContainer({ cgroup: '//system.slice/./sshd.service/' }, host.options)).toMatchObject({
      id: '/system.slice/sshd.service',
      runtime: 'cgroup',
      pid: 50,
      cgroup: { path: '/system.slice/sshd.service' },
    });
  });

  test('batch resolution keeps the order and fails on the first invalid reference before reading', async () => {
    const resolved = await resolveContainers(['db', { pid: 101 }, web.slice(0, 5)], host.options);
    expect(resolved.map((container) => container.id)).toEqual([db, web, web]);
    await expect(
      resolveContainers(['db', { id: 'X/Z' }], { procRoot: '/nonexistent', sysRoot: '/nonexistent' }),
    ).rejects.toBeInstanceOf(InvalidReferenceError);
  });
});

describe('name and id lookup order', () => {
  const host = fakeHost('v1');
  const first = hexId('be1');
  const second = hexId('be2');
  const podman = hexId('c0');
  host.addContainerProcess(`/docker/${first}`, 201);
  host.addContainerProcess(`/docker/${second}`, 202);
  host.addContainerProcess(`/libpod_parent/libpod-${podman}`, 203);
  host.dockerConfig(first, 'one');
  // A container named like a hex prefix of another's id: the name wins, as in Docker.
  host.dockerConfig(second, 'be1');
  host.podmanContainers('overlay', [{ id: podman, names: ['one'] }]);

  test('an exact name wins over an id prefix', async () => {
    expect((await resolveContainer('be1', host.options)).id).toBe(second);
    expect((await resolveContainer({ id: 'be1' }, host.options)).id).toBe(first);
  });

  test('Podman names are found; a name two runtimes share is ambiguous', async () => {
    const error = await resolveContainer('one', host.options).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AmbiguousReferenceError);
    expect((error as AmbiguousReferenceError).candidates.sort()).toEqual([first, podman].sort());
    expect(await resolveContainer(podman.slice(0, 3), host.options)).toMatchObject({ runtime: 'podman', name: 'one' });
  });
});

describe('v2 host: systemd driver, Podman, Kubernetes', () => {
  const host = fakeHost('v2');
  const docker = hexId('d0');
  const podman = hexId('e0');
  const rootless = hexId('e1');
  const crio = hexId('f0');
  const crioSandbox = hexId('f1');
  const containerd = hexId('a0');
  const pause = hexId('a1');
  const uid = '3cf49da1-8f5e-4a3b-9c2d-1e0f2a3b4c5d';
  const podSlice = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${uid.replaceAll('-', '_')}.slice`;
  const guaranteedPod = `/kubepods.slice/kubepods-pod${uid.replaceAll('-', '_')}.slice`;
  const rootlessScope = `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${rootless}.scope`;
  host.addContainerProcess(`/system.slice/docker-${docker}.scope`, 301);
  host.dockerConfig(docker, 'sysd');
  host.addContainerProcess(`/machine.slice/libpod-${podman}.scope/container`, 302);
  host.addCgroup(`/machine.slice/libpod-${podman}.scope`);
  host.addContainerProcess(`/machine.slice/libpod-conmon-${podman}.scope`, 303);
  host.addCgroup(rootlessScope);
  host.addContainerProcess(`${rootlessScope}/container`, 304);
  host.podmanContainers('overlay', [
    { id: podman, names: ['pm'] },
    { id: rootless, names: ['rl'] },
  ]);
  host.addContainerProcess(`${podSlice}/crio-${crio}.scope`, 305);
  host.addContainerProcess(`${podSlice}/crio-${crioSandbox}`, 306);
  host.addContainerProcess(`${podSlice}/crio-conmon-${crio}.scope`, 307);
  host.addContainerProcess(`${guaranteedPod}/cri-containerd-${containerd}.scope`, 308);
  host.addContainerProcess(`${guaranteedPod}/cri-containerd-${pause}.scope`, 309, '/pause\0');
  host.addCgroup(`/system.slice/run-containerd-io.containerd.runtime.v2.task-k8s.io-${containerd}-rootfs.mount`);
  // An empty container cgroup (created, not started).
  host.addCgroup(`/system.slice/docker-${hexId('d9')}.scope`);

  test('lists every container once, sandboxes only on request', async () => {
    const listed = await listResolvedContainers(host.options);
    expect(listed.map((container) => [container.runtime, container.id]).sort()).toEqual(
      [
        ['cri-containerd', containerd],
        ['crio', crio],
        ['docker', docker],
        ['podman', podman],
        ['podman', rootless],
      ].sort(),
    );
    const all = await listResolvedContainers({ ...host.options, includeSandboxes: true });
    expect(
      all
        .filter((container) => container.sandbox)
        .map((container) => container.id)
        .sort(),
    ).toEqual([crioSandbox, pause].sort());
  });

  test('every directory is the one unified directory; the PID is found below the container cgroup', async () => {
    const listed = await listResolvedContainers(host.options);
    const rl = listed.find((container) => container.id === rootless)!;
    const dir = join(host.sysRoot, 'fs/cgroup', rootlessScope);
    expect(rl).toMatchObject({
      name: 'rl',
      pid: 304,
      netnsInode: inode(host, 304),
      version: 2,
      cgroup: { version: 2, path: rootlessScope },
    });
    expect(new Set(Object.values(rl.dirs))).toEqual(new Set([dir]));
    expect(listed.find((container) => container.id === podman)).toMatchObject({ name: 'pm', pid: 302 });
    expect(listed.find((container) => container.id === crio)).toMatchObject({
      podUid: uid,
      sandbox: false,
      name: null,
    });
    // An empty container cgroup (created, not started) is no running container.
    expect(listed.some((container) => container.id === hexId('d9'))).toBe(false);
  });

  test('a pid in a sub-cgroup resolves to the container scope; conmon is no container', async () => {
    expect(await resolveContainer({ pid: 304 }, host.options)).toMatchObject({
      id: rootless,
      runtime: 'podman',
      cgroup: { path: rootlessScope },
      pid: 304,
    });
    expect(await resolveContainer({ pid: 303 }, host.options)).toMatchObject({
      runtime: 'cgroup',
      id: `/machine.slice/libpod-conmon-${podman}.scope`,
    });
    expect(await resolveContainer({ pid: 309 }, host.options)).toMatchObject({ id: pause, sandbox: true, podUid: uid });
    expect(await resolveContainer(crioSandbox.slice(0, 6), host.options)).toMatchObject({
      id: crioSandbox,
      sandbox: true,
    });
  });

  test('a pid outside this cgroup namespace is a clear UnsupportedLayoutError', async () => {
    host.addProcess(310, ['0::/../../system.slice/x.service']);
    await expect(resolveContainer({ pid: 310 }, host.options)).rejects.toBeInstanceOf(UnsupportedLayoutError);
  });
});

describe('a container cgroup that holds no process itself', () => {
  const host = fakeHost('v2');
  const machine = '/machine.slice/systemd-nspawn@deep.service';
  host.addCgroup(`${machine}/supervisor`);
  host.addCgroup(`${machine}/payload/init.scope`);
  host.addContainerProcess(`${machine}/payload/system.slice/app.service`, 402);
  host.addContainerProcess(`${machine}/payload/system.slice/db.service`, 401);

  test('takes its PID from the first cgroup below it, depth first, that holds one', async () => {
    const [found] = await listResolvedContainers(host.options);
    expect(found).toMatchObject({ id: 'deep', runtime: 'systemd-nspawn', cgroup: { path: machine } });
    // Whichever of the two services the walk reaches first (directory order is the filesystem's).
    expect([401, 402]).toContain(found!.pid);
  });

  test('without a process anywhere below it, it is no running container', async () => {
    const empty = fakeHost('v2');
    empty.addCgroup('/machine.slice/systemd-nspawn@idle.service/payload/system.slice');
    expect(await listResolvedContainers(empty.options)).toEqual([]);
    await expect(resolveContainer('idle', empty.options)).rejects.toThrow(/no process/);
  });
});

describe('hybrid host', () => {
  const host = fakeHost('hybrid');
  const id = hexId('77');
  host.addContainerProcess(`/docker/${id}`, 401);
  host.dockerConfig(id, 'hy');

  test('stats dirs from v1, unified from the cgroup2 mount', async () => {
    const found = await resolveContainer('hy', host.options);
    expect(found.version).toBe(1);
    expect(found.dirs.memory).toBe(host.hierarchy(`memory/docker/${id}`));
    expect(found.dirs.unified).toBe(host.hierarchy(`unified/docker/${id}`));
    expect((await resolveContainer({ pid: 401 }, host.options)).dirs).toEqual(found.dirs);
  });
});

describe('hostile references', () => {
  const host = fakeHost('v1');
  const id = hexId('aa');
  host.addContainerProcess(`/docker/${id}`, 501);
  // What an escape from the memory hierarchy would find: a directory that looks like a cgroup.
  mkdirSync(join(host.sysRoot, 'fs/cgroup/escaped'), { recursive: true });
  writeFileSync(join(host.sysRoot, 'fs/cgroup/escaped/cgroup.procs'), '501\n');

  const invalid: unknown[] = [
    '',
    '../',
    '../../etc/passwd',
    '/etc/passwd',
    `/docker/${id}`,
    'a/../b',
    'A/b',
    'a/b/c/d',
    'a//b',
    'a/b/',
    '.hidden',
    '-rf',
    'a\0b',
    'x'.repeat(256),
    'naïve',
    'контейнер',
    '🐳',
    ' web',
    'web ',
    { id: '' },
    { id: 'a..b' },
    { id: `${id}${id}` },
    { id: '../x' },
    { id: '-zz' },
    { id: 'a b' },
    { id: 12 },
    { name: '../x' },
    { name: '' },
    { name: 'a/b' },
    { name: 'n\0' },
    { pid: 0 },
    { pid: -1 },
    { pid: 1.5 },
    { pid: Number.NaN },
    { pid: 2 ** 53 },
    { pid: '1' },
    { cgroup: '../../etc' },
    { cgroup: '/../..' },
    { cgroup: '/docker/../..' },
    { cgroup: `/docker/${id}/../../../escaped` },
    { cgroup: 'docker' },
    { cgroup: '/a\0b' },
    { cgroup: '/a\nb' },
    { cgroup: '/' + 'x'.repeat(5000) },
    { cgroup: 5 },
    { id, name: 'x' },
    {},
    null,
    42,
    [id],
  ];
  test.each(invalid.map((ref) => [ref]))('%j is an InvalidReferenceError', async (ref) => {
    await expect(resolveContainer(ref as ContainerRef, host.options)).rejects.toBeInstanceOf(InvalidReferenceError);
  });

  test('encoded or look-alike traversal stays inside the hierarchy and is not found', async () => {
    for (const cgroup of ['/..%2f..%2fescaped', '/%2e%2e/escaped', '/docker/\u2024\u2024/escaped', '/...']) {
      await expect(resolveContainer({ cgroup }, host.options), cgroup).rejects.toBeInstanceOf(ContainerNotFoundError);
    }
  });

  test('the valid reference still resolves', async () => {
    expect((await resolveContainer({ cgroup: `/docker/${id}` }, host.options)).pid).toBe(501);
  });
});

describe('a large tree', () => {
  test('5000 cgroups with 100 containers are listed, each once, without taking what is below a container for another', async () => {
    const host = fakeHost('v2');
    const ids: string[] = [];
    for (let slice = 0; slice < 49; slice++) {
      for (let unit = 0; unit < 100; unit++)
        host.addCgroup(`/system.slice/s${slice}.slice/u${unit}.service`, [], [join(host.sysRoot, 'fs/cgroup')]);
    }
    for (let n = 0; n < 100; n++) {
      const id = hexId(n.toString(16).padStart(2, '0'));
      ids.push(id);
      // Each container holds a deep subtree that listing must not walk.
      host.addCgroup(`/system.slice/docker-${id}.scope/a/b/c`, [1000 + n], [join(host.sysRoot, 'fs/cgroup')]);
      host.addProcess(1000 + n, host.cgroupLines(`/system.slice/docker-${id}.scope/a/b/c`));
      // A 64-hex directory deep inside a container is not another container.
      host.addCgroup(`/system.slice/docker-${id}.scope/a/${hexId('ff')}`, [], [join(host.sysRoot, 'fs/cgroup')]);
    }
    const listed = await listResolvedContainers(host.options);
    expect(listed.map((container) => container.id).sort()).toEqual(ids.sort());
    expect(listed.every((container) => container.pid !== null && container.pid >= 1000)).toBe(true);
  });
});
