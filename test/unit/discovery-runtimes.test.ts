import { describe, expect, it, test } from 'vitest';
import { isSandboxCommand } from '../../lib/runtimes/table.js';
import { classifyCgroupPath, containerOfCgroupPath, unescapeSystemdName } from '../../lib/runtimes/table.js';

const ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const ID2 = 'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100';
const UID = '3cf49da1-8f5e-4a3b-9c2d-1e0f2a3b4c5d';
const UID_ = UID.replaceAll('-', '_');

type Expected = {
  runtime: string;
  id: string;
  sandbox: boolean | null;
  podUid: string | null;
  name?: string | null;
  containerdNamespace?: string | null;
};

const containers: Array<[string, Expected]> = [
  [`/docker/${ID}`, { runtime: 'docker', id: ID, sandbox: false, podUid: null, name: null }],
  [`/system.slice/docker-${ID}.scope`, { runtime: 'docker', id: ID, sandbox: false, podUid: null }],
  [`/libpod_parent/libpod-${ID}`, { runtime: 'podman', id: ID, sandbox: false, podUid: null }],
  [`/machine.slice/libpod-${ID}.scope`, { runtime: 'podman', id: ID, sandbox: false, podUid: null }],
  // In a pod, which container is the infra one is told by its process (describeCgroups), not the path.
  [
    `/machine.slice/machine-libpod_pod_${ID2}.slice/libpod-${ID}.scope`,
    { runtime: 'podman', id: ID, sandbox: null, podUid: null },
  ],
  [
    `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope`,
    { runtime: 'podman', id: ID, sandbox: false, podUid: null },
  ],
  [`/default/${ID}`, { runtime: 'containerd', id: ID, sandbox: false, podUid: null, containerdNamespace: 'default' }],
  [`/k8s.io/${ID}`, { runtime: 'containerd', id: ID, sandbox: null, podUid: null, containerdNamespace: 'k8s.io' }],
  [`/system.slice/nerdctl-${ID}.scope`, { runtime: 'containerd', id: ID, sandbox: false, podUid: null }],
  [`/nerdctl.slice/nerdctl-${ID}.scope`, { runtime: 'containerd', id: ID, sandbox: false, podUid: null }],
  [
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${ID}.scope`,
    { runtime: 'cri-containerd', id: ID, sandbox: null, podUid: UID, containerdNamespace: 'k8s.io' },
  ],
  [
    `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/cri-containerd-${ID}.scope`,
    { runtime: 'cri-containerd', id: ID, sandbox: null, podUid: UID, containerdNamespace: 'k8s.io' },
  ],
  [
    `/kubepods.slice/kubepods-pod${UID_}.slice/cri-containerd-${ID}.scope`,
    { runtime: 'cri-containerd', id: ID, sandbox: null, podUid: UID, containerdNamespace: 'k8s.io' },
  ],
  [
    `/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod${UID_}.slice/cri-containerd-${ID}.scope`,
    { runtime: 'cri-containerd', id: ID, sandbox: null, podUid: UID, containerdNamespace: 'k8s.io' },
  ],
  [
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/crio-${ID}.scope`,
    { runtime: 'crio', id: ID, sandbox: false, podUid: UID },
  ],
  [
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/crio-${ID}`,
    { runtime: 'crio', id: ID, sandbox: true, podUid: UID },
  ],
  [`/kubepods/burstable/pod${UID}/crio-${ID}`, { runtime: 'crio', id: ID, sandbox: null, podUid: UID }],
  [`/kubepods/besteffort/pod${UID}/${ID}`, { runtime: 'kubernetes', id: ID, sandbox: null, podUid: UID }],
  [`/kubepods/pod${UID}/${ID}`, { runtime: 'kubernetes', id: ID, sandbox: null, podUid: UID }],
  [
    `/kubepods.slice/kubepods-pod${UID_}.slice/docker-${ID}.scope`,
    { runtime: 'docker', id: ID, sandbox: null, podUid: UID },
  ],
  [`/kubepods/burstable/pod${UID}/${ID}`, { runtime: 'kubernetes', id: ID, sandbox: null, podUid: UID }],
  ['/lxc/web01', { runtime: 'lxc', id: 'web01', sandbox: false, podUid: null, name: 'web01' }],
  ['/lxc/100', { runtime: 'lxc', id: '100', sandbox: false, podUid: null, name: '100' }],
  ['/lxc.payload.web01', { runtime: 'lxc', id: 'web01', sandbox: false, podUid: null, name: 'web01' }],
  [
    '/machine.slice/systemd-nspawn@deb12.service',
    { runtime: 'systemd-nspawn', id: 'deb12', sandbox: false, podUid: null, name: 'deb12' },
  ],
  [
    '/machine.slice/machine-deb12.scope',
    { runtime: 'systemd-nspawn', id: 'deb12', sandbox: false, podUid: null, name: 'deb12' },
  ],
  [
    '/machine.slice/machine-qemu\\x2d1\\x2dubuntu\\x2dvm.scope',
    { runtime: 'libvirt', id: 'qemu-1-ubuntu-vm', sandbox: false, podUid: null, name: 'ubuntu-vm' },
  ],
  [
    '/machine.slice/machine-lxc\\x2d42\\x2dbox.scope',
    { runtime: 'libvirt', id: 'lxc-42-box', sandbox: false, podUid: null, name: 'box' },
  ],
];

const notContainers: string[] = [
  '/',
  '/docker',
  '/system.slice',
  '/system.slice/docker.service',
  '/system.slice/containerd.service',
  `/system.slice/docker-${ID}.scope.mount`,
  `/system.slice/var-lib-docker-containers-${ID}-mounts-shm.mount`,
  `/system.slice/run-docker-netns-${ID.slice(0, 12)}.mount`,
  `/system.slice/${ID}.mount`,
  `/docker/${ID.slice(0, 63)}`,
  `/docker/${ID}0`,
  `/docker/${ID.toUpperCase()}`,
  `/docker/${ID}-init`,
  `/system.slice/docker-${ID.slice(0, 63)}.scope`,
  `/system.slice/docker-${ID}.service`,
  `/system.slice/docker-${ID}`,
  `/machine.slice/libpod-conmon-${ID}.scope`,
  `/libpod_parent/conmon`,
  `/machine.slice/machine-libpod_pod_${ID2}.slice`,
  `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/crio-conmon-${ID}.scope`,
  '/kubepods.slice',
  '/kubepods.slice/kubepods-burstable.slice',
  `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice`,
  `/kubepods/burstable/pod${UID}`,
  '/kubepods/burstable',
  `/pod${UID}/${ID}/x`,
  `/system.slice/${ID}`,
  `/a/b/${ID}`,
  '/lxc.monitor.web01',
  '/lxc/lxc.monitor.web01',
  '/lxc',
  '/lxc/web 01',
  '/lxc/../etc',
  '/lxc.payload.',
  '/lxc.payload.../x',
  '/machine.slice',
  '/machine.slice/machine-qemu\\x2d1\\x2d\\x2fetc.scope',
  '/machine.slice/machine-a\\x00b.scope',
  '/machine.slice/systemd-nspawn@.service',
  '/other.slice/machine-deb12.scope',
  '/user.slice/user-1000.slice/user@1000.service',
  '/user.slice/user-1000.slice/session-3.scope',
  `/ｄocker/${ID}`,
];

describe('classifyCgroupPath', () => {
  test.each(containers)('%s is a container', (path, expected) => {
    expect(classifyCgroupPath(path)).toEqual({ name: null, containerdNamespace: null, ...expected });
  });

  test.each(notContainers.map((path) => [path]))('%s is not a container', (path) => {
    expect(classifyCgroupPath(path)).toBeNull();
  });
});

describe('containerOfCgroupPath', () => {
  const rootless = `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope`;
  test.each([
    [`${rootless}/container`, rootless, 'podman'],
    [`/system.slice/docker-${ID}.scope/init.scope`, `/system.slice/docker-${ID}.scope`, 'docker'],
    [
      '/machine.slice/systemd-nspawn@deb12.service/payload',
      '/machine.slice/systemd-nspawn@deb12.service',
      'systemd-nspawn',
    ],
    [
      '/machine.slice/machine-qemu\\x2d1\\x2dvm.scope/libvirt/vcpu0',
      '/machine.slice/machine-qemu\\x2d1\\x2dvm.scope',
      'libvirt',
    ],
    // The deepest container wins: Docker in Docker.
    [`/docker/${ID2}/docker/${ID}`, `/docker/${ID2}/docker/${ID}`, 'docker'],
    [`/docker/${ID}`, `/docker/${ID}`, 'docker'],
  ])('%s belongs to %s', (path, containerPath, runtime) => {
    expect(containerOfCgroupPath(path)).toMatchObject({ path: containerPath, runtime });
  });

  test.each([
    ['/user.slice/user-1000.slice/session-3.scope'],
    [`/machine.slice/libpod-conmon-${ID}.scope`],
    [`/system.slice/var-lib-docker-containers-${ID}-mounts-shm.mount`],
    ['/'],
  ])('%s is in no container', (path) => {
    expect(containerOfCgroupPath(path)).toBeNull();
  });
});

describe('unescapeSystemdName', () => {
  test('unescapes \\x2d and refuses names that could leave a directory', () => {
    expect(unescapeSystemdName('qemu\\x2d1\\x2dvm')).toBe('qemu-1-vm');
    expect(unescapeSystemdName('a\\x2fb')).toBeNull();
    expect(unescapeSystemdName('\\x2e\\x2e')).toBeNull();
    expect(unescapeSystemdName('')).toBeNull();
  });
});

describe('isSandboxCommand', () => {
  it('knows the pause process of Kubernetes and the catatonit pause of Podman and CRI-O', () => {
    expect(isSandboxCommand('/pause\0')).toBe(true);
    expect(isSandboxCommand('/catatonit\0-P\0')).toBe(true);
    expect(isSandboxCommand('/usr/libexec/podman/catatonit\0-P\0')).toBe(true);
    // catatonit as an init (--init) runs the container's command: not a sandbox.
    expect(isSandboxCommand('/dev/init\0--\0sleep\0')).toBe(false);
    expect(isSandboxCommand('/catatonit\0--\0sh\0')).toBe(false);
    expect(isSandboxCommand('sleep\x00300\x00')).toBe(false);
    expect(isSandboxCommand(null)).toBe(false);
  });
});
