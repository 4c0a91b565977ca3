import { afterEach, describe, expect, test } from 'vitest';
import { UnsupportedLayoutError } from '../../lib/errors.js';
import { cgroupDirUnder } from '../../lib/discovery/dirs.js';
import { cgroupMount, detectLayout, layoutFromMountinfo, v1ControllersOf } from '../../lib/discovery/mode.js';
import { parseMountinfo, unescapeMountPath } from '../../lib/discovery/mountinfo.js';
import { hierarchyPath, parseProcCgroup, processCgroupFromEntries } from '../../lib/discovery/proc-cgroup.js';
import { resolveInNamespace } from '../../lib/discovery/cgroupns.js';
import { FakeHost } from '../fixtures/discovery/fake-host.js';

const hosts: FakeHost[] = [];
function fakeHost(mode: ConstructorParameters<typeof FakeHost>[0]): FakeHost {
  const host = new FakeHost(mode);
  hosts.push(host);
  return host;
}
afterEach(() => {
  for (const host of hosts.splice(0)) host.cleanup();
});

describe('parseMountinfo', () => {
  test('reads variable optional fields and octal escapes', () => {
    const [none, several, escaped] = parseMountinfo(
      [
        '35 24 0:30 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory',
        '36 24 0:31 /docker/abc /sys/fs/cgroup/cpu,cpuacct rw shared:9 master:2 propagate_from:1 - cgroup cgroup rw,cpu,cpuacct',
        '37 24 0:32 / /mnt/with\\040space\\011tab\\134 rw - cgroup2 cgroup2 rw',
        'garbage line',
        '',
      ].join('\n'),
    );
    expect(none).toMatchObject({
      mountId: 35,
      parentId: 24,
      root: '/',
      mountPoint: '/sys/fs/cgroup/memory',
      fsType: 'cgroup',
      superOptions: ['rw', 'memory'],
    });
    expect(several).toMatchObject({
      root: '/docker/abc',
      mountPoint: '/sys/fs/cgroup/cpu,cpuacct',
      fsType: 'cgroup',
      superOptions: ['rw', 'cpu', 'cpuacct'],
    });
    expect(escaped).toMatchObject({ mountPoint: '/mnt/with space\ttab\\', fsType: 'cgroup2' });
    expect(unescapeMountPath('a\\012b')).toBe('a\nb');
  });

  test('v1 controllers come from super options, not from mount options or other flags', () => {
    expect(v1ControllersOf(['rw', 'xattr', 'release_agent=/x', 'name=systemd'])).toEqual(['name=systemd']);
    expect(v1ControllersOf(['rw', 'net_cls', 'net_prio'])).toEqual(['net_cls', 'net_prio']);
    expect(v1ControllersOf(['rw', 'noprefix', 'clone_children', 'cpuset'])).toEqual(['cpuset']);
  });
});

describe('detectLayout from a mountinfo', () => {
  test('v1: co-mounted cpu,cpuacct and name=systemd, mount points under the configured sysRoot', async () => {
    const host = fakeHost('v1');
    const layout = await detectLayout(host.options);
    expect(layout.mode).toBe('v1');
    expect(layout.unified).toBeNull();
    expect(layout.v1.cpu).toEqual({ mountPoint: host.hierarchy('cpu,cpuacct'), root: '/', outside: '' });
    expect(layout.v1.cpuacct).toEqual(layout.v1.cpu);
    expect(layout.v1.memory?.mountPoint).toBe(host.hierarchy('memory'));
    expect(layout.v1['name=systemd']?.mountPoint).toBe(host.hierarchy('systemd'));
    expect(Object.keys(layout.v1).sort()).toEqual([
      'blkio',
      'cpu',
      'cpuacct',
      'cpuset',
      'memory',
      'name=systemd',
      'pids',
    ]);
  });

  test('hybrid: v1 hierarchies plus the unified mount', async () => {
    const host = fakeHost('hybrid');
    const layout = await detectLayout(host.options);
    expect(layout.mode).toBe('hybrid');
    expect(layout.unified).toEqual({ mountPoint: host.hierarchy('unified'), root: '/', outside: '' });
    expect(layout.v1.memory?.mountPoint).toBe(host.hierarchy('memory'));
  });

  test('v2: cgroup2 at fs/cgroup', async () => {
    const host = fakeHost('v2');
    const layout = await detectLayout(host.options);
    expect(layout).toEqual({
      mode: 'v2',
      procRoot: host.procRoot,
      sysRoot: host.sysRoot,
      unified: { mountPoint: `${host.sysRoot}/fs/cgroup`, root: '/', outside: '' },
      v1: {},
    });
  });

  test('no cgroup filesystem: UnsupportedLayoutError naming where it looked', async () => {
    const host = fakeHost('none');
    const error = await detectLayout(host.options).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnsupportedLayoutError);
    expect((error as Error).message).toContain(`${host.sysRoot}/fs/cgroup`);
  });

  test('mounts outside the configured sysRoot are not used', async () => {
    const host = fakeHost('v1');
    const layout = await detectLayout({ procRoot: host.procRoot, sysRoot: `${host.root}/elsewhere` }).catch(
      (err: unknown) => err,
    );
    expect(layout).toBeInstanceOf(UnsupportedLayoutError);
  });
});

describe('cgroupDirUnder', () => {
  test('relativizes against the mount root', () => {
    expect(cgroupDirUnder({ mountPoint: '/sys/fs/cgroup/memory', root: '/', outside: '' }, '/docker/x')).toBe(
      '/sys/fs/cgroup/memory/docker/x',
    );
    expect(cgroupDirUnder({ mountPoint: '/sys/fs/cgroup/memory', root: '/', outside: '' }, '/')).toBe(
      '/sys/fs/cgroup/memory',
    );
    expect(cgroupDirUnder({ mountPoint: '/c', root: '/docker/x', outside: '' }, '/docker/x')).toBe('/c');
    expect(cgroupDirUnder({ mountPoint: '/c', root: '/docker/x', outside: '' }, '/docker/x/init.scope')).toBe(
      '/c/init.scope',
    );
    expect(cgroupDirUnder({ mountPoint: '/c', root: '/docker/x', outside: '' }, '/docker/xy')).toBeNull();
    expect(cgroupDirUnder({ mountPoint: '/c', root: '/docker/x', outside: '' }, '/')).toBeNull();
  });
});

describe('/proc/<pid>/cgroup', () => {
  test('parses v1, named and v2 lines, with ":" inside paths', () => {
    expect(parseProcCgroup('12:cpu,cpuacct:/docker/a\n1:name=systemd:/x:y\n0::/user.slice\n')).toEqual([
      { hierarchyId: 12, controllers: ['cpu', 'cpuacct'], path: '/docker/a' },
      { hierarchyId: 1, controllers: ['name=systemd'], path: '/x:y' },
      { hierarchyId: 0, controllers: [], path: '/user.slice' },
    ]);
  });

  test('maps each v1 controller to its own path on hybrid, unified from 0::', async () => {
    const host = fakeHost('hybrid');
    const layout = await detectLayout(host.options);
    const found = processCgroupFromEntries(
      layout,
      7,
      parseProcCgroup('2:memory:/mem/a\n1:cpu,cpuacct:/cpu/b\n3:name=systemd:/s\n0::/u\n'),
    );
    expect(found.path).toBe('/mem/a');
    expect(found.dirs).toEqual({
      memory: host.hierarchy('memory/mem/a'),
      cpu: host.hierarchy('cpu,cpuacct/cpu/b'),
      cpuacct: host.hierarchy('cpu,cpuacct/cpu/b'),
      blkio: null,
      pids: null,
      cpuset: null,
      unified: host.hierarchy('unified/u'),
    });
  });

  test('paths outside our cgroup namespace are an UnsupportedLayoutError', async () => {
    const host = fakeHost('v2');
    const layout = await detectLayout(host.options);
    expect(() => processCgroupFromEntries(layout, 7, parseProcCgroup('0::/../../system.slice/x\n'))).toThrow(
      UnsupportedLayoutError,
    );
    expect(() => processCgroupFromEntries(layout, 7, parseProcCgroup('0::/..\n'))).toThrow(
      /outside this process's cgroup namespace/,
    );
  });
});

describe('a host hierarchy mounted from inside a cgroup namespace', () => {
  const mount = cgroupMount('/host/sys/fs/cgroup', '/../..');

  test('the "/.." root is taken to reach the top of the hierarchy', () => {
    expect(mount).toEqual({ mountPoint: '/host/sys/fs/cgroup', root: '/', outside: '/../..' });
    expect(cgroupMount('/m', '/')).toEqual({ mountPoint: '/m', root: '/', outside: '' });
    expect(cgroupMount('/m', '/../../docker')).toEqual({ mountPoint: '/m', root: '/docker', outside: '/../..' });
    // "/..x" is a name, not a climb.
    expect(cgroupMount('/m', '/..x')).toEqual({ mountPoint: '/m', root: '/..x', outside: '' });
  });

  test('/proc/<pid>/cgroup paths climbing to the top are host paths; others need the namespace root', () => {
    expect(hierarchyPath(mount, 7, '/../../docker/a')).toBe('/docker/a');
    expect(hierarchyPath(mount, 7, '/../..')).toBe('/');
    expect(hierarchyPath(mount, 7, '/../b', '/docker/self')).toBe('/docker/b');
    expect(hierarchyPath(mount, 7, '/', '/docker/self')).toBe('/docker/self');
    expect(hierarchyPath(mount, 7, '/init.scope', '/docker/self')).toBe('/docker/self/init.scope');
    expect(() => hierarchyPath(mount, 7, '/../b')).toThrow(/--cgroupns=host/);
    expect(() => hierarchyPath(mount, 7, '/../../../etc')).toThrow(UnsupportedLayoutError);
    expect(resolveInNamespace('/docker/self', '/../../../x')).toBeNull();
  });

  test('the layout from such a mount table', () => {
    const layout = layoutFromMountinfo(
      parseMountinfo('40 30 0:27 /../.. /host/sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n'),
      '/host/proc',
      '/host/sys',
    );
    expect(layout?.unified).toEqual({ mountPoint: '/host/sys/fs/cgroup', root: '/', outside: '/../..' });
    expect(layout?.mode).toBe('v2');
  });
});
