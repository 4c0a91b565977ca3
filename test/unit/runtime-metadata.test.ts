// Who a container is, from the runtimes' on-disk state in a fake host's tree: Docker's config files,
// Podman's containers.json, containerd's task bundles (plain, nerdctl, Kubernetes' CRI), CRI-O's userdata;
// and state that is absent, corrupt, oversized or hostile.
import { rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { listContainers } from '../../lib/discovery/list.js';
import { resolveContainer } from '../../lib/discovery/resolve.js';
import { readMetadata, runtimeRoots, runtimeState } from '../../lib/runtimes/metadata.js';
import { referenceIndex } from '../../lib/discovery/reference-index.js';
import { waitFor } from '../helpers/wait.js';
import type { MetadataSubject } from '../../lib/runtimes/metadata.js';
import { cgroupPathOf, expandSlice } from '../../lib/runtimes/oci.js';
import { STATE_FILE_MAX_BYTES } from '../../lib/runtimes/state-files.js';
import { AmbiguousReferenceError, ContainerNotFoundError, InvalidReferenceError } from '../../lib/errors.js';
import { FakeHost, hexId } from '../fixtures/discovery/fake-host.js';

const hosts: FakeHost[] = [];
afterEach(() => {
  for (const host of hosts.splice(0)) host.cleanup();
});
function fakeHost(mode: 'v2' | 'v1' = 'v2'): FakeHost {
  const host = new FakeHost(mode);
  hosts.push(host);
  return host;
}

function subject(
  runtime: MetadataSubject['runtime'],
  id: string,
  more: Partial<MetadataSubject> = {},
): MetadataSubject {
  return { runtime, id, name: null, sandbox: false, podUid: null, containerdNamespace: null, ...more };
}

async function metadataOf(host: FakeHost, subjects: MetadataSubject[]) {
  return readMetadata(subjects, await runtimeState(host.options));
}

const UID = '3cf49da1-8f5e-4a3b-9c2d-1e0f2a3b4c5d';
const cri = (type: 'sandbox' | 'container', sandboxId: string, name = 'nginx') => ({
  'io.kubernetes.cri.container-type': type,
  'io.kubernetes.cri.container-name': name,
  'io.kubernetes.cri.sandbox-id': sandboxId,
  'io.kubernetes.cri.sandbox-name': 'web-7d9f',
  'io.kubernetes.cri.sandbox-namespace': 'shop',
  'io.kubernetes.cri.sandbox-uid': UID,
  'io.kubernetes.cri.image-name': 'docker.io/library/nginx:1.27',
});

describe('Docker', () => {
  test('name, image, image id, labels and the owner of a joined network namespace', async () => {
    const host = fakeHost();
    const [id, owner] = [hexId('d0'), hexId('d9')];
    host.dockerConfig(id, 'web', {
      image: 'nginx:1.27',
      imageId: `sha256:${'ef'.repeat(32)}`,
      labels: { app: 'shop', tier: 'front' },
      networkMode: `container:${owner}`,
    });
    const {
      metadata: [m],
    } = await metadataOf(host, [subject('docker', id)]);
    expect(m).toMatchObject({
      name: 'web',
      image: 'nginx:1.27',
      imageId: `sha256:${'ef'.repeat(32)}`,
      labels: { app: 'shop', tier: 'front' },
      networkOwner: owner,
      kubernetes: null,
    });
  });

  test('follows renames, and a rewrite with the same size and a new mtime is read again', async () => {
    const host = fakeHost();
    const id = hexId('d1');
    host.dockerConfig(id, 'aaaa');
    expect((await metadataOf(host, [subject('docker', id)])).metadata[0]!.name).toBe('aaaa');
    const path = join(host.dockerRoot, 'containers', id, 'config.v2.json');
    const before = statSync(path);
    host.dockerConfig(id, 'bbbb');
    utimesSync(path, before.atime, new Date(before.mtimeMs + 5000));
    expect((await metadataOf(host, [subject('docker', id)])).metadata[0]!.name).toBe('bbbb');
  });

  test('absent, corrupt and oversized state gives nulls, and repaired state is read again', async () => {
    const host = fakeHost();
    const id = hexId('d2');
    expect((await metadataOf(host, [subject('docker', id)])).metadata[0]!.name).toBeNull();
    host.dockerConfig(id, 'x');
    const path = join(host.dockerRoot, 'containers', id, 'config.v2.json');
    writeFileSync(path, '{"Name": "/x"');
    expect((await metadataOf(host, [subject('docker', id)])).metadata[0]).toMatchObject({
      name: null,
      image: null,
      labels: {},
    });
    truncateSync(path, STATE_FILE_MAX_BYTES + 1);
    expect((await metadataOf(host, [subject('docker', id)])).metadata[0]!.name).toBeNull();
    host.dockerConfig(id, 'fixed');
    expect((await metadataOf(host, [subject('docker', id)])).metadata[0]!.name).toBe('fixed');
  });

  test('hostile values are left out: non-string labels, a "__proto__" label, a network owner that is not an id', async () => {
    const host = fakeHost();
    const id = hexId('d3');
    host.dockerConfig(id, 'ok', { networkMode: 'container:../../etc' });
    const path = join(host.dockerRoot, 'containers', id, 'config.v2.json');
    writeFileSync(path, '{"Name":"/ok","Config":{"Image":"bb","Labels":{"a":"1","b":2,"c":{"x":1},"__proto__":"p"}}}');
    const {
      metadata: [m],
    } = await metadataOf(host, [subject('docker', id)]);
    expect(m!.labels).toEqual(JSON.parse('{"a":"1","__proto__":"p"}'));
    expect(Object.getPrototypeOf(m!.labels)).toBe(Object.prototype);
    expect(m!.networkOwner).toBeNull();
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
    expect(listed.map(({ id, name, image }) => ({ id, name, image }))).toEqual([
      { id: good, name: 'good', image: 'bb:local' },
      { id: bad, name: null, image: null },
    ]);
  });

  test('ids that are not 64 hex never become paths', async () => {
    const host = fakeHost();
    host.dockerConfig(hexId('e0'), 'ok');
    const { metadata } = await metadataOf(host, [
      subject('docker', '../../etc'),
      subject('docker', hexId('e0').slice(0, 12)),
    ]);
    expect(metadata.map((m) => m.name)).toEqual([null, null]);
  });
});

describe('Podman', () => {
  test('names and images from overlay and vfs containers.json under every root', async () => {
    const host = fakeHost();
    const [a, b, c] = [hexId('a0'), hexId('b0'), hexId('c0')];
    host.podmanContainers('overlay', [{ id: a, names: ['alpha', 'alias'] }]);
    host.podmanContainers('vfs', [{ id: b, names: ['beta'] }]);
    const { metadata } = await metadataOf(host, [
      subject('podman', a),
      subject('podman', b),
      subject('podman', c),
      subject('docker', a),
    ]);
    expect(metadata.map((m) => m.name)).toEqual(['alpha', 'beta', null, null]);
    rmSync(join(host.podmanRoot, 'vfs-containers'), { recursive: true });
    expect((await metadataOf(host, [subject('podman', b)])).metadata[0]!.name).toBeNull();
  });

  test('a corrupt or misshapen containers.json gives no names; the other tables still do', async () => {
    const host = fakeHost();
    const [a, b] = [hexId('a1'), hexId('b1')];
    host.podmanContainers('overlay', [{ id: a, names: ['alpha'] }]);
    host.podmanContainers('vfs', [{ id: b, names: ['beta'] }]);
    writeFileSync(join(host.podmanRoot, 'overlay-containers/containers.json'), '[{"id": ');
    expect((await metadataOf(host, [subject('podman', a), subject('podman', b)])).metadata.map((m) => m.name)).toEqual([
      null,
      'beta',
    ]);
    writeFileSync(join(host.podmanRoot, 'overlay-containers/containers.json'), '{"id": "not a list"}');
    expect((await metadataOf(host, [subject('podman', b)])).metadata[0]!.name).toBe('beta');
  });
});

describe('containerd and Kubernetes', () => {
  test('a plain containerd container: its id names it, its annotations are its labels, its namespace is known', async () => {
    const host = fakeHost();
    host.containerdTask('default', 'web1', {
      cgroupsPath: '/default/web1',
      annotations: { 'com.example.team': 'blue' },
    });
    host.containerdTask('default', hexId('c1'), {
      cgroupsPath: `/default/${hexId('c1')}`,
      annotations: { 'nerdctl/name': 'shop' },
    });
    const { metadata } = await metadataOf(host, [
      subject('containerd', 'web1', { containerdNamespace: 'default' }),
      subject('containerd', hexId('c1')),
    ]);
    expect(metadata[0]).toMatchObject({
      runtime: 'containerd',
      name: 'web1',
      labels: { 'com.example.team': 'blue' },
      containerdNamespace: 'default',
      kubernetes: null,
    });
    expect(metadata[1]).toMatchObject({ name: 'shop', containerdNamespace: 'default' });
  });

  test('a CRI container and its sandbox: pod, namespace, uid, container name, image, and who owns the network namespace', async () => {
    const host = fakeHost();
    const [sandbox, container] = [hexId('5a'), hexId('c0')];
    host.containerdTask('k8s.io', sandbox, {
      cgroupsPath: `/kubepods/besteffort/pod${UID}/${sandbox}`,
      annotations: cri('sandbox', sandbox),
    });
    host.containerdTask('k8s.io', container, {
      cgroupsPath: `/kubepods/besteffort/pod${UID}/${container}`,
      annotations: cri('container', sandbox),
    });
    const { metadata } = await metadataOf(host, [
      subject('kubernetes', sandbox, { sandbox: null, podUid: UID }),
      subject('kubernetes', container, { sandbox: null, podUid: UID }),
    ]);
    expect(metadata[0]).toMatchObject({
      runtime: 'cri-containerd',
      sandbox: true,
      name: null,
      kubernetes: { pod: 'web-7d9f', namespace: 'shop', podUid: UID, container: null },
      networkOwner: null,
    });
    expect(metadata[1]).toMatchObject({
      runtime: 'cri-containerd',
      sandbox: false,
      name: 'shop/web-7d9f/nginx',
      image: 'docker.io/library/nginx:1.27',
      kubernetes: { pod: 'web-7d9f', namespace: 'shop', podUid: UID, container: 'nginx' },
      networkOwner: sandbox,
      containerdNamespace: 'k8s.io',
    });
  });

  test('CRI-O: the same identity from its userdata spec and io.kubernetes.* annotations', async () => {
    const host = fakeHost();
    const [sandbox, container] = [hexId('5b'), hexId('c2')];
    host.storageSpec(container, {
      cgroupsPath: `kubepods-burstable-pod${UID.replaceAll('-', '_')}.slice:crio:${container}`,
      annotations: {
        'io.kubernetes.cri-o.ContainerType': 'container',
        'io.kubernetes.cri-o.SandboxID': sandbox,
        'io.kubernetes.cri-o.ImageName': 'quay.io/x/y:1',
        'io.kubernetes.pod.name': 'api-0',
        'io.kubernetes.pod.namespace': 'prod',
        'io.kubernetes.pod.uid': UID,
        'io.kubernetes.container.name': 'api',
      },
    });
    const {
      metadata: [m],
    } = await metadataOf(host, [subject('crio', container, { podUid: UID })]);
    expect(m).toMatchObject({
      runtime: 'crio',
      name: 'prod/api-0/api',
      image: 'quay.io/x/y:1',
      networkOwner: sandbox,
      kubernetes: { pod: 'api-0', namespace: 'prod', podUid: UID, container: 'api' },
    });
  });

  test('pod names that are not DNS names are not taken', async () => {
    const host = fakeHost();
    const id = hexId('c3');
    host.containerdTask('k8s.io', id, {
      cgroupsPath: `/kubepods/pod${UID}/${id}`,
      annotations: { ...cri('container', hexId('5c')), 'io.kubernetes.cri.sandbox-name': '../../x' },
    });
    expect((await metadataOf(host, [subject('kubernetes', id, { podUid: UID })])).metadata[0]!.kubernetes).toBeNull();
  });
});

describe('OCI cgroupsPath', () => {
  test('plain paths as they are, the systemd form expanded as runc does, anything else refused', () => {
    expect(cgroupPathOf('/default/web1')).toBe('/default/web1');
    expect(cgroupPathOf('system.slice:docker:abc')).toBe('/system.slice/docker-abc.scope');
    expect(cgroupPathOf('kubepods-burstable-pod1_2.slice:cri-containerd:abc')).toBe(
      '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1_2.slice/cri-containerd-abc.scope',
    );
    expect(cgroupPathOf(':nerdctl:abc')).toBe('/system.slice/nerdctl-abc.scope');
    expect(cgroupPathOf('/a/../b')).toBeNull();
    expect(cgroupPathOf('x:y')).toBeNull();
    expect(cgroupPathOf('a.slice:p:../x')).toBeNull();
    expect(expandSlice('-.slice')).toBe('');
    expect(expandSlice('a--b.slice')).toBeNull();
  });
});

describe("references through the runtimes' state (no walk needed)", () => {
  test('a containerd container by its plain id, by prefix-free name and by { id }; a pod by namespace/pod/container and namespace/pod', async () => {
    const host = fakeHost();
    host.containerdTask('default', 'web1', { cgroupsPath: '/default/web1' });
    host.addContainerProcess('/default/web1', 301);
    const [sandbox, container] = [hexId('5d'), hexId('c4')];
    host.containerdTask('k8s.io', sandbox, {
      cgroupsPath: `/kubepods/besteffort/pod${UID}/${sandbox}`,
      annotations: cri('sandbox', sandbox),
    });
    host.containerdTask('k8s.io', container, {
      cgroupsPath: `/kubepods/besteffort/pod${UID}/${container}`,
      annotations: cri('container', sandbox),
    });
    host.addContainerProcess(`/kubepods/besteffort/pod${UID}/${sandbox}`, 302, '/pause\0');
    host.addContainerProcess(`/kubepods/besteffort/pod${UID}/${container}`, 303);

    for (const ref of ['web1', { id: 'web1' }] as const) {
      expect(await resolveContainer(ref, host.options)).toMatchObject({
        id: 'web1',
        runtime: 'containerd',
        containerdNamespace: 'default',
        pid: 301,
        name: 'web1',
      });
    }
    for (const ref of ['shop/web-7d9f/nginx', 'shop/web-7d9f', container.slice(0, 10)]) {
      expect(await resolveContainer(ref, host.options)).toMatchObject({
        id: container,
        runtime: 'cri-containerd',
        sandbox: false,
        kubernetes: { pod: 'web-7d9f', namespace: 'shop', container: 'nginx' },
        networkOwner: sandbox,
      });
    }
    expect(await resolveContainer(sandbox, host.options)).toMatchObject({
      id: sandbox,
      sandbox: true,
      kubernetes: { container: null },
    });
    await expect(resolveContainer('shop/web-7d9f/redis', host.options)).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(resolveContainer('shop/../etc', host.options)).rejects.toBeInstanceOf(InvalidReferenceError);
    // A second container in the pod: "namespace/pod" no longer names one.
    const other = hexId('c5');
    host.containerdTask('k8s.io', other, {
      cgroupsPath: `/kubepods/besteffort/pod${UID}/${other}`,
      annotations: cri('container', sandbox, 'sidecar'),
    });
    host.addContainerProcess(`/kubepods/besteffort/pod${UID}/${other}`, 304);
    // The index learns of the new task from inotify, when the event loop next polls.
    const index = referenceIndex(runtimeRoots(host.options));
    await waitFor(async () => (await index.current()).byId.has(other), 'the index to have the new task', 5000, 1);
    await expect(resolveContainer('shop/web-7d9f', host.options)).rejects.toBeInstanceOf(AmbiguousReferenceError);
    expect((await resolveContainer('shop/web-7d9f/sidecar', host.options)).id).toBe(other);
  });

  test('a spec whose cgroup path names another container is not believed', async () => {
    const host = fakeHost();
    const [liar, victim] = [hexId('1a'), hexId('2b')];
    host.containerdTask('default', liar, { cgroupsPath: `/default/${victim}` });
    host.addContainerProcess(`/default/${victim}`, 401);
    // Found by the walk instead: the victim is itself, and the liar has no cgroup.
    await expect(resolveContainer(liar, host.options)).rejects.toBeInstanceOf(ContainerNotFoundError);
    expect((await resolveContainer(victim, host.options)).id).toBe(victim);
  });

  test('listing names containerd and Kubernetes containers and marks the pod sandbox', async () => {
    const host = fakeHost();
    host.containerdTask('default', 'web1', { cgroupsPath: '/default/web1' });
    host.addContainerProcess('/default/web1', 301);
    const [sandbox, container] = [hexId('5e'), hexId('c6')];
    host.containerdTask('k8s.io', sandbox, {
      cgroupsPath: `/kubepods/pod${UID}/${sandbox}`,
      annotations: cri('sandbox', sandbox),
    });
    host.containerdTask('k8s.io', container, {
      cgroupsPath: `/kubepods/pod${UID}/${container}`,
      annotations: cri('container', sandbox),
    });
    host.addContainerProcess(`/kubepods/pod${UID}/${sandbox}`, 302);
    host.addContainerProcess(`/kubepods/pod${UID}/${container}`, 303);
    const listed = await listContainers({ ...host.options, includeSandboxes: true });
    expect(listed.map(({ id, name, runtime, sandbox: s }) => ({ id, name, runtime, sandbox: s }))).toEqual([
      { id: 'web1', name: 'web1', runtime: 'containerd', sandbox: false },
      { id: sandbox, name: null, runtime: 'cri-containerd', sandbox: true },
      { id: container, name: 'shop/web-7d9f/nginx', runtime: 'cri-containerd', sandbox: false },
    ]);
  });
});
