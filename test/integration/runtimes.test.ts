// Runtimes besides Docker, for real: containerd (ctr) with a plain id in a namespace of its own, a
// Kubernetes pod as containerd's CRI plugin lays it out (namespace k8s.io, cgroups under kubepods, the CRI
// annotations, the container in its sandbox's network namespace), and an LXC container. Each is listed with
// its identity, found by every kind of reference, and read; its figures equal the kernel's files.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { listContainers, readContainerStats } from '../../lib/index.js';
import { resolveContainer } from '../../lib/discovery/resolve.js';
import { CTR_IMAGE, ctr, importTestImage, removeContainer, taskPid } from '../helpers/containerd.js';
import { ensureTestImage } from '../helpers/docker.js';
import { requireCgroupV1, requireCommand, requireDocker, requireRoot } from '../helpers/env.js';

const execFileAsync = promisify(execFile);
const MEMORY = '/sys/fs/cgroup/memory';
const memoryFile = (cgroup: string, file: string) => Number(readFileSync(`${MEMORY}${cgroup}/${file}`, 'utf8'));

/** A counter of the kernel's read before and after ctrstat's read: ctrstat's value is between. */
async function bracketed(cgroup: string, file: string, read: () => Promise<number | null>): Promise<void> {
  const before = memoryFile(cgroup, file);
  const value = await read();
  const after = memoryFile(cgroup, file);
  expect(value).not.toBeNull();
  expect(value!).toBeGreaterThanOrEqual(before);
  expect(value!).toBeLessThanOrEqual(after);
}
const hexId = () => randomBytes(32).toString('hex');

/** The v1 hierarchies' directories of a cgroup path and its parents, removed deepest first (best effort). */
function removeCgroupDirs(paths: string[]): void {
  // Whatever hierarchies this host mounts (cpu and cpuacct apart or together, named ones).
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    for (const path of paths) {
      try {
        rmdirSync(`/sys/fs/cgroup/${hierarchy}${path}`);
      } catch {
        // Not there in that hierarchy, or not empty.
      }
    }
  }
}

const ready = requireRoot() && requireDocker() && requireCgroupV1() && requireCommand('ctr');

describe.skipIf(!ready)('containerd: a plain container in a namespace of its own', () => {
  const namespace = `ctrstat-${randomBytes(3).toString('hex')}`;
  const id = `web-${randomBytes(2).toString('hex')}.1`;
  let pid = 0;

  beforeAll(async () => {
    await ensureTestImage();
    await importTestImage(namespace);
    await ctr(namespace, [
      'run',
      '-d',
      '--null-io',
      '--memory-limit',
      String(48 * 2 ** 20),
      '--annotation',
      'com.example.team=blue',
      CTR_IMAGE,
      id,
      'sleep',
      '3600',
    ]);
    pid = await taskPid(namespace, id);
  });
  afterAll(async () => {
    await removeContainer(namespace, id);
    // --sync: the image's content and snapshots are collected before the answer. Without it they go at
    // containerd's next garbage collection, which can come 20 s and more later on a busy daemon, and
    // containerd refuses to remove a namespace that still holds something.
    await ctr(namespace, ['images', 'rm', '--sync', CTR_IMAGE]).catch(() => {});
    // Tried again until it is gone all the same.
    await waitFor(
      async () => {
        await ctr('default', ['namespaces', 'rm', namespace]).catch(() => {});
        return !(await ctr('default', ['namespaces', 'ls', '-q'])).split('\n').includes(namespace);
      },
      `containerd namespace ${namespace} to be removed`,
      20_000,
      200,
    );
    // containerd removes the container's cgroup (a moment after the task is deleted), not the namespace's
    // directory above it: that one is removed once it is empty.
    await waitFor(
      () => {
        removeCgroupDirs([`/${namespace}/${id}`, `/${namespace}`]);
        return readdirSync('/sys/fs/cgroup').every(
          (hierarchy) => !existsSync(`/sys/fs/cgroup/${hierarchy}/${namespace}`),
        );
      },
      `the cgroup directories of /${namespace} to be removed`,
      10_000,
    );
  });

  it('is listed by its id (which names it), with its namespace and labels, and found by id, { id } and pid', async () => {
    const cgroupPath = `/${namespace}/${id}`;
    const listed = (await listContainers()).find((container) => container.id === id);
    expect(listed).toEqual({
      id,
      name: id,
      runtime: 'containerd',
      image: null,
      imageId: null,
      labels: { 'com.example.team': 'blue' },
      kubernetes: null,
      containerdNamespace: namespace,
      cgroup: { version: 1, path: cgroupPath },
      pid,
      netnsInode: expect.any(Number),
      sandbox: false,
      podUid: null,
      startedAt: expect.any(Number),
    });
    for (const ref of [id, { id }, { pid }, { cgroup: cgroupPath }]) {
      expect((await resolveContainer(ref)).cgroup.path, JSON.stringify(ref)).toBe(cgroupPath);
    }
  });

  it('reads its stats: memory against the kernel files, its own empty network namespace', async () => {
    const cgroupPath = `/${namespace}/${id}`;
    const stats = await readContainerStats(id);
    expect(stats.memory.limit).toBe(48 * 2 ** 20);
    expect(stats.memory.limit).toBe(memoryFile(cgroupPath, 'memory.limit_in_bytes'));
    await bracketed(
      cgroupPath,
      'memory.max_usage_in_bytes',
      async () => (await readContainerStats(id, { network: false })).memory.maxUsage,
    );
    expect(stats.pids.current).toBe(1);
    expect(stats.containerdNamespace).toBe(namespace);
    // ctr gives a container a namespace of its own with only loopback (no CNI here).
    expect(stats.network).toMatchObject({ mode: 'none', sharedWith: [] });
  });
});

describe.skipIf(!ready)('containerd CRI layout: a Kubernetes pod in namespace k8s.io, cgroupfs driver', () => {
  const namespace = 'k8s.io';
  const podUid = randomUUID();
  const pod = `web-${randomBytes(2).toString('hex')}`;
  const sandbox = hexId();
  const container = hexId();
  const podPath = `/kubepods/besteffort/pod${podUid}`;
  const annotations = (type: 'sandbox' | 'container', extra: Record<string, string> = {}) =>
    Object.entries({
      'io.kubernetes.cri.container-type': type,
      'io.kubernetes.cri.sandbox-id': sandbox,
      'io.kubernetes.cri.sandbox-name': pod,
      'io.kubernetes.cri.sandbox-namespace': 'shop',
      'io.kubernetes.cri.sandbox-uid': podUid,
      ...extra,
    }).flatMap(([key, value]) => ['--annotation', `${key}=${value}`]);
  let sandboxPid = 0;
  let containerPid = 0;

  beforeAll(async () => {
    await ensureTestImage();
    await importTestImage(namespace);
    await ctr(namespace, [
      'run',
      '-d',
      '--null-io',
      '--cgroup',
      `${podPath}/${sandbox}`,
      ...annotations('sandbox'),
      CTR_IMAGE,
      sandbox,
      'sleep',
      '3600',
    ]);
    sandboxPid = await taskPid(namespace, sandbox);
    await ctr(namespace, [
      'run',
      '-d',
      '--null-io',
      '--cgroup',
      `${podPath}/${container}`,
      '--memory-limit',
      String(32 * 2 ** 20),
      '--with-ns',
      `network:/proc/${sandboxPid}/ns/net`,
      ...annotations('container', {
        'io.kubernetes.cri.container-name': 'nginx',
        'io.kubernetes.cri.image-name': 'docker.io/library/nginx:1.27',
      }),
      CTR_IMAGE,
      container,
      'sleep',
      '3600',
    ]);
    containerPid = await taskPid(namespace, container);
  });
  afterAll(async () => {
    await removeContainer(namespace, container);
    await removeContainer(namespace, sandbox);
    removeCgroupDirs([`${podPath}/${container}`, `${podPath}/${sandbox}`, podPath]);
  });

  it('lists the container with its pod, namespace, container name and image, and the sandbox only when asked', async () => {
    const identity = { pod, namespace: 'shop', podUid, container: 'nginx' };
    const listed = await listContainers();
    expect(listed.find((c) => c.id === container)).toEqual({
      id: container,
      name: `shop/${pod}/nginx`,
      runtime: 'cri-containerd',
      image: 'docker.io/library/nginx:1.27',
      imageId: null,
      labels: expect.objectContaining({ 'io.kubernetes.cri.container-name': 'nginx' }),
      kubernetes: identity,
      containerdNamespace: 'k8s.io',
      cgroup: { version: 1, path: `${podPath}/${container}` },
      pid: containerPid,
      netnsInode: expect.any(Number),
      sandbox: false,
      podUid,
      startedAt: expect.any(Number),
    });
    expect(listed.some((c) => c.id === sandbox)).toBe(false);
    const all = await listContainers({ includeSandboxes: true });
    expect(all.find((c) => c.id === sandbox)).toMatchObject({
      sandbox: true,
      name: null,
      kubernetes: { ...identity, container: null },
      pid: sandboxPid,
    });
  });

  it('is found by id, prefix, namespace/pod/container and namespace/pod', async () => {
    for (const ref of [container, container.slice(0, 12), `shop/${pod}/nginx`, `shop/${pod}`, { pid: containerPid }]) {
      expect((await resolveContainer(ref)).id, JSON.stringify(ref)).toBe(container);
    }
  });

  it('reads it: memory against the kernel files, its network namespace shared with the pod sandbox', async () => {
    const stats = await readContainerStats(`shop/${pod}/nginx`);
    expect(stats.kubernetes).toEqual({ pod, namespace: 'shop', podUid, container: 'nginx' });
    expect(stats.memory.limit).toBe(memoryFile(`${podPath}/${container}`, 'memory.limit_in_bytes'));
    expect(stats.memory.limit).toBe(32 * 2 ** 20);
    expect(stats.network).toMatchObject({ mode: 'shared', sharedWith: [sandbox] });
    const sandboxStats = await readContainerStats(sandbox);
    expect(sandboxStats.network?.netns).toBe(stats.network?.netns);
    expect(sandboxStats.network?.mode).not.toBe('shared');
  });
});

describe.skipIf(!(ready && requireCommand('lxc-create')))('LXC: a busybox container', () => {
  const name = `ctlxc-${randomBytes(3).toString('hex')}`;
  const config = join(tmpdir(), `${name}.conf`);
  let pid = 0;

  beforeAll(async () => {
    writeFileSync(config, 'lxc.net.0.type = empty\nlxc.apparmor.profile = unconfined\n');
    await execFileAsync('lxc-create', ['-t', 'busybox', '-n', name, '-f', config], { timeout: 120_000 });
    await execFileAsync('lxc-start', ['-n', name, '-d'], { timeout: 60_000 });
    const deadline = Date.now() + 20_000;
    while (!(pid > 0)) {
      pid = Number((await execFileAsync('lxc-info', ['-n', name, '-p', '-H'])).stdout.trim());
      if (Date.now() > deadline) throw new Error(`${name} did not start`);
    }
  });
  afterAll(async () => {
    await execFileAsync('lxc-stop', ['-n', name, '-k']).catch(() => {});
    await execFileAsync('lxc-destroy', ['-n', name]).catch(() => {});
  });

  it('is listed with its name, found by it, and read', async () => {
    const listed = (await listContainers()).find((container) => container.id === name);
    expect(listed).toMatchObject({ id: name, name, runtime: 'lxc', pid, cgroup: { path: `/lxc.payload.${name}` } });
    const stats = await readContainerStats(name);
    expect(stats.memory.usage).toBeGreaterThan(0);
    await bracketed(
      `/lxc.payload.${name}`,
      'memory.max_usage_in_bytes',
      async () => (await readContainerStats(name, { network: false })).memory.maxUsage,
    );
    expect(stats.pids.current).toBeGreaterThanOrEqual(1);
    expect(stats.network).toMatchObject({ mode: 'none' });
  });
});
