// Containers and machines named by their cgroup: LXC ("/lxc/<name>", "/lxc.payload.<name>"),
// systemd-nspawn ("systemd-nspawn@<name>.service", "machine-<name>.scope") and libvirt guests registered with
// machined ("machine-qemu\x2d<N>\x2d<name>.scope").
import { SAFE_NAME } from './ids.js';
import { unescapeSystemdName } from './systemd.js';
import type { CgroupClassification, RuntimePaths } from './types.js';

const LXC_PAYLOAD = /^lxc\.payload\.(.+)$/;
const NSPAWN_SERVICE = /^systemd-nspawn@(.+)\.service$/;
const MACHINE_SCOPE = /^machine-(.+)\.scope$/;
const LIBVIRT_MACHINE = /^(?:qemu|lxc)-\d+-(.+)$/;

function named(runtime: CgroupClassification['runtime'], id: string, name: string): CgroupClassification {
  return { runtime, id, name, sandbox: false, podUid: null, containerdNamespace: null };
}

export const lxcPaths: RuntimePaths = {
  leafGlobs: ['lxc.payload.*'],
  classify(segments, index) {
    const segment = segments[index]!;
    if (segments[index - 1] === 'lxc' && index === 1 && SAFE_NAME.test(segment) && !segment.startsWith('lxc.'))
      return named('lxc', segment, segment);
    const payload = LXC_PAYLOAD.exec(segment);
    return payload && SAFE_NAME.test(payload[1]!) ? named('lxc', payload[1]!, payload[1]!) : null;
  },
};

export const machinePaths: RuntimePaths = {
  leafGlobs: ['systemd-nspawn@*.service', 'machine-*.scope'],
  classify(segments, index) {
    if (segments[index - 1] !== 'machine.slice') return null;
    const segment = segments[index]!;
    let match: RegExpExecArray | null;
    if ((match = NSPAWN_SERVICE.exec(segment))) {
      const name = unescapeSystemdName(match[1]!);
      return name === null ? null : named('systemd-nspawn', name, name);
    }
    if ((match = MACHINE_SCOPE.exec(segment))) {
      // machined registers libvirt guests as qemu-<N>-<name> (lxc-<N>-<name> for libvirt-lxc) and nspawn ones by name.
      const machine = unescapeSystemdName(match[1]!);
      if (machine === null) return null;
      const libvirt = LIBVIRT_MACHINE.exec(machine);
      return libvirt ? named('libvirt', machine, libvirt[1]!) : named('systemd-nspawn', machine, machine);
    }
    return null;
  },
};
