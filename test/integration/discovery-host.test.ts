// Discovery on this machine: its real cgroup mounts, a plain cgroup made with mkdir, and real Docker
// containers. Needs root, a cgroup v1 hybrid host and a Docker engine (the image bb:local is built
// locally when missing); skipped without them unless CI=true, where their absence fails.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AmbiguousReferenceError, ContainerNotFoundError } from '../../lib/errors.js';
import { listContainers, listResolvedContainers } from '../../lib/discovery/list.js';
import { detectLayout, layoutFromStatfs } from '../../lib/discovery/mode.js';
import { resolveContainer } from '../../lib/discovery/resolve.js';
import { ensureTestImage } from '../helpers/docker.js';
import { requireCgroupV1, requireDocker, requireRoot } from '../helpers/env.js';
import { removeCgroupDirs } from '../helpers/wait.js';

const onHybridHost = requireRoot() && requireCgroupV1();
const hasDocker = onHybridHost && requireDocker();
const PLAIN_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'blkio', 'pids'];

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' }).trim();
}

/** Mount points of v1 controllers and the cgroup2 mount, from /proc/self/mounts (a different file from mountinfo). */
function mountsFromProcMounts(): { v1: Record<string, string>; cgroup2: string[] } {
  const v1: Record<string, string> = {};
  const cgroup2: string[] = [];
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const [, mountPoint, type, options] = line.split(' ');
    if (type === 'cgroup2') cgroup2.push(mountPoint!);
    if (type === 'cgroup') for (const option of options!.split(',')) v1[option] = mountPoint!;
  }
  return { v1, cgroup2 };
}

describe.skipIf(!onHybridHost)('discovery on this host: layout and a plain cgroup', () => {
  const plainName = `ctd-plain-${randomBytes(4).toString('hex')}`;
  let sleeper: ChildProcess | undefined;

  beforeAll(() => {
    const mounts = mountsFromProcMounts();
    for (const controller of PLAIN_CONTROLLERS) {
      const dir = `${mounts.v1[controller]}/${plainName}`;
      mkdirSync(dir);
    }
    sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
    for (const controller of PLAIN_CONTROLLERS)
      writeFileSync(`${mounts.v1[controller]}/${plainName}/cgroup.procs`, String(sleeper.pid));
  });

  afterAll(async () => {
    if (sleeper && sleeper.exitCode === null) {
      const exited = new Promise((resolve) => sleeper!.once('exit', resolve));
      sleeper.kill('SIGKILL');
      await exited;
    }
    const mounts = mountsFromProcMounts();
    await removeCgroupDirs(PLAIN_CONTROLLERS.map((controller) => `${mounts.v1[controller]}/${plainName}`));
  });

  test('the layout is the one /proc/self/mounts shows', async () => {
    const layout = await detectLayout();
    const mounts = mountsFromProcMounts();
    const expectedMode = mounts.cgroup2.includes('/sys/fs/cgroup')
      ? 'v2'
      : Object.keys(mounts.v1).length > 0
        ? mounts.cgroup2.length > 0
          ? 'hybrid'
          : 'v1'
        : 'v2';
    expect(layout.mode).toBe(expectedMode);
    // This machine is hybrid (see the test plan); keep the claim explicit.
    expect(layout.mode).toBe('hybrid');
    for (const controller of PLAIN_CONTROLLERS)
      expect(layout.v1[controller], controller).toEqual({ mountPoint: mounts.v1[controller], root: '/', outside: '' });
    expect(layout.unified?.mountPoint).toBe(mounts.cgroup2[0]);
  });

  test('statfs on the real filesystems agrees with the mount table', async () => {
    const fromMountinfo = await detectLayout();
    const fromStatfs = layoutFromStatfs('/proc', '/sys');
    expect(fromStatfs?.mode).toBe(fromMountinfo.mode);
    expect(fromStatfs?.unified).toEqual(fromMountinfo.unified);
    for (const controller of PLAIN_CONTROLLERS)
      expect(fromStatfs?.v1[controller]).toEqual(fromMountinfo.v1[controller]);
  });

  test('the plain cgroup resolves by path and by pid with its directories', async () => {
    const layout = await detectLayout();
    const expectedDirs = Object.fromEntries(
      PLAIN_CONTROLLERS.map((controller) => [controller, `${layout.v1[controller]!.mountPoint}/${plainName}`]),
    );
    const byPath = await resolveContainer({ cgroup: `/${plainName}` });
    expect(byPath).toMatchObject({
      id: `/${plainName}`,
      runtime: 'cgroup',
      pid: sleeper!.pid,
      cgroup: { version: 1, path: `/${plainName}` },
      dirs: expectedDirs,
    });
    // Not created in cpuset or the unified tree.
    expect(byPath.dirs.cpuset).toBeNull();
    expect(byPath.dirs.unified).toBeNull();
    expect(byPath.netnsInode).toBe(statSync(`/proc/${sleeper!.pid}/ns/net`).ino);
    const byPid = await resolveContainer({ pid: sleeper!.pid! });
    expect(byPid).toMatchObject({ id: `/${plainName}`, runtime: 'cgroup', pid: sleeper!.pid, dirs: expectedDirs });
    // The process is still in the root of the hierarchies it was not moved in.
    expect(byPid.dirs.cpuset).toBe(layout.v1.cpuset!.mountPoint);
  });
});

describe.skipIf(!hasDocker)('discovery on this host: Docker containers', () => {
  const prefix = `ctd-${randomBytes(3).toString('hex')}`;
  const started: string[] = [];

  function run(): string {
    const index = started.length;
    const id = docker(
      'run',
      '-d',
      '--name',
      `${prefix}-${index}`,
      '--label',
      `ctrstat.test/index=${index}`,
      '--label',
      'com.example.team=blue',
      'bb:local',
      'sleep',
      '300',
    );
    started.push(id);
    return id;
  }

  beforeAll(async () => {
    await ensureTestImage('bb:local');
    run();
    run();
  });

  afterAll(() => {
    if (started.length > 0) {
      try {
        execFileSync('docker', ['rm', '-f', ...started], { stdio: 'ignore' });
      } catch {
        // Some were already removed by the tests.
      }
    }
  });

  test('listContainers finds each container with id, name, image, labels, pid and network namespace, as docker inspect says', async () => {
    const listed = await listContainers();
    for (const [index, id] of started.entries()) {
      const inspected = JSON.parse(docker('inspect', id))[0] as {
        Name: string;
        Image: string;
        Created: string;
        State: { Pid: number; StartedAt: string };
        Config: { Image: string; Labels: Record<string, string> };
      };
      const pid = inspected.State.Pid;
      expect(inspected.Config.Labels).toEqual({ 'ctrstat.test/index': String(index), 'com.example.team': 'blue' });
      expect(listed.find((container) => container.id === id)).toEqual({
        id,
        name: inspected.Name.slice(1),
        runtime: 'docker',
        image: inspected.Config.Image,
        imageId: inspected.Image,
        labels: inspected.Config.Labels,
        kubernetes: null,
        containerdNamespace: null,
        cgroup: { version: 1, path: `/docker/${id}` },
        pid,
        netnsInode: statSync(`/proc/${pid}/ns/net`).ino,
        sandbox: false,
        podUid: null,
        startedAt: expect.any(Number),
      });
      // The process starts when the container is created, before Docker calls it started (the boot time
      // counts whole seconds, start ticks 10 ms).
      const { startedAt } = listed.find((container) => container.id === id)!;
      expect(startedAt!).toBeGreaterThanOrEqual(Date.parse(inspected.Created) - 1010);
      expect(startedAt!).toBeLessThanOrEqual(Date.parse(inspected.State.StartedAt) + 1010);
    }
  });

  test('resolves by full id, 12-character prefix, name and pid', async () => {
    const id = started[0]!;
    const pid = Number(docker('inspect', '-f', '{{.State.Pid}}', id));
    for (const ref of [id, id.slice(0, 12), `${prefix}-0`, { name: `${prefix}-0` }, { id: id.slice(0, 12) }, { pid }]) {
      const resolved = await resolveContainer(ref);
      expect(resolved.id, JSON.stringify(ref)).toBe(id);
      expect(resolved.dirs.memory).toBe(`/sys/fs/cgroup/memory/docker/${id}`);
      expect(resolved.dirs.cpuacct).toBe(`/sys/fs/cgroup/cpuacct/docker/${id}`);
      expect(resolved.pid).toBe(pid);
    }
  });

  test('a one-character prefix shared by two containers is ambiguous', async () => {
    // Sixteen hex digits: with seventeen containers two must share a first digit. Only this file's own
    // containers are counted: others on the machine may be removed before the prefix is resolved.
    const sharedFirstDigit = (): string | undefined => {
      const counts = new Map<string, number>();
      for (const id of started) counts.set(id[0]!, (counts.get(id[0]!) ?? 0) + 1);
      return [...counts].find(([, count]) => count >= 2)?.[0];
    };
    let digit = sharedFirstDigit();
    while (digit === undefined && started.length < 17) {
      run();
      digit = sharedFirstDigit();
    }
    // Listed, as a prefix is matched against what the runtimes list.
    const listed = new Set((await listResolvedContainers()).map((container) => container.id));
    expect(started.filter((id) => id.startsWith(digit!) && listed.has(id)).length).toBeGreaterThanOrEqual(2);
    const error = await resolveContainer(digit!).catch((err: unknown) => err);
    expect(error, `resolved to ${(error as { id?: string }).id}; started ${started.join(', ')}`).toBeInstanceOf(
      AmbiguousReferenceError,
    );
    const candidates = (error as AmbiguousReferenceError).candidates;
    expect(candidates.length).toBeGreaterThanOrEqual(2);
    expect(candidates.every((candidate) => candidate.startsWith(digit!))).toBe(true);
  }, 120_000);

  test('a removed container is not found', async () => {
    const id = started.pop()!;
    docker('rm', '-f', id);
    await expect(resolveContainer(id)).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(resolveContainer({ cgroup: `/docker/${id}` })).rejects.toBeInstanceOf(ContainerNotFoundError);
    expect((await listContainers()).some((container) => container.id === id)).toBe(false);
  });
});
