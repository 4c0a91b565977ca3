// The addon's counters against the kernel's other views of the same namespaces, after real traffic.
import { execFileSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNativeFailure, type NativeNetnsAnswer } from '../../lib/native.js';
import { readNetworkNamespace, readNetworkNamespaces } from '../../lib/network/netns.js';
import { readContainerStats } from '../../lib/stats.js';
import {
  NamespaceLab,
  ipLinks,
  netnsInodeOf,
  netnsUnavailable,
  procNetDev,
  procNetDevFromStats,
  run,
  statsFromIp,
  readNetnsAnswers,
  type IpLink,
  type ProcNetDevLine,
} from '../helpers/netns.js';

const UNICAST_DATAGRAMS = 300;
const UNICAST_SIZE = 1200;
const MULTICAST_DATAGRAMS = 40;

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for the links to come up');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function readOne(target: string): Promise<NativeNetnsAnswer> {
  const [answer] = await readNetnsAnswers([target]);
  if (answer === undefined || isNativeFailure(answer))
    throw new Error(`readNetns(${target}) failed: ${JSON.stringify(answer)}`);
  return answer;
}

interface KernelViews {
  answer: NativeNetnsAnswer;
  ip: IpLink[];
  procDev: Record<string, ProcNetDevLine>;
}

/** The addon read before and after the other views agree, so nothing moved in between. */
async function readWhileQuiet(target: string, netns: string | number, pid: number): Promise<KernelViews> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const before = await readOne(target);
    const ip = ipLinks(netns);
    const procDev = procNetDev(pid);
    const after = await readOne(target);
    if (isDeepStrictEqual(before, after)) return { answer: after, ip, procDev };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`The counters of ${target} never stood still`);
}

function expectSameAsKernel(views: KernelViews): void {
  const { answer, ip, procDev } = views;
  expect(answer.interfaces.map((link) => link.name).sort()).toEqual(ip.map((link) => link.ifname).sort());
  expect(Object.keys(procDev).sort()).toEqual(ip.map((link) => link.ifname).sort());
  for (const link of answer.interfaces) {
    const fromIp = ip.find((candidate) => candidate.ifname === link.name)!;
    expect(link.stats, `${link.name}: ip -s -s -j link`).toEqual(statsFromIp(fromIp));
    expect(procNetDevFromStats(link.stats), `${link.name}: /proc/<pid>/net/dev`).toEqual(procDev[link.name]);
    expect(link.ifindex).toBe(fromIp.ifindex);
    expect(link.mtu).toBe(fromIp.mtu);
    expect(link.operstate).toBe(fromIp.operstate.toLowerCase());
    expect(link.kind).toBe(fromIp.linkinfo?.info_kind ?? (link.name === 'lo' ? 'loopback' : null));
    // ip prints the peer by name when it is in the same namespace, by index when it is elsewhere.
    const peerIndex = fromIp.link_index ?? ip.find((candidate) => candidate.ifname === fromIp.link)?.ifindex ?? 0;
    expect(link.linkIndex, `${link.name}: IFLA_LINK`).toBe(peerIndex);
  }
}

describe.skipIf(netnsUnavailable !== null)('network namespace counters (real kernel)', () => {
  const lab = new NamespaceLab();
  const named = 'ctn-a';
  let namedPath = '';
  let namedPid = 0;
  let privatePid = 0;

  beforeAll(async () => {
    namedPath = lab.addNamedNetns(named);
    namedPid = await lab.spawnInNamedNetns(named);
    privatePid = await lab.spawnPrivateNetns();
    const inPrivate = (args: string[]) => run('nsenter', [`--net=/proc/${privatePid}/ns/net`, ...args]);
    // No IPv6: its autoconfiguration would keep sending on the links while the counters are compared.
    run('ip', [
      'netns',
      'exec',
      named,
      'sysctl',
      '-qw',
      'net.ipv6.conf.all.disable_ipv6=1',
      'net.ipv6.conf.default.disable_ipv6=1',
    ]);
    inPrivate(['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    run('ip', [
      '-n',
      named,
      'link',
      'add',
      'ctn-va',
      'type',
      'veth',
      'peer',
      'name',
      'ctn-vb',
      'netns',
      String(privatePid),
    ]);
    run('ip', ['-n', named, 'link', 'add', 'ctn-br0', 'type', 'bridge']);
    run('ip', ['-n', named, 'link', 'set', 'ctn-br0', 'mtu', '1400']);
    run('ip', ['-n', named, 'addr', 'add', '10.251.0.1/24', 'dev', 'ctn-va']);
    run('ip', ['-n', named, 'link', 'set', 'ctn-va', 'up']);
    run('ip', ['-n', named, 'link', 'set', 'lo', 'up']);
    run('ip', ['-n', named, 'route', 'add', '239.0.0.0/8', 'dev', 'ctn-va']);
    inPrivate(['ip', 'addr', 'add', '10.251.0.2/24', 'dev', 'ctn-vb']);
    inPrivate(['ip', 'link', 'set', 'ctn-vb', 'up']);
    // The kernel's link watcher turns carrier into operstate "up" up to a second later.
    await waitUntil(
      () =>
        ipLinks(named).find((link) => link.ifname === 'ctn-va')?.operstate === 'UP' &&
        ipLinks(privatePid).find((link) => link.ifname === 'ctn-vb')?.operstate === 'UP',
    );

    const sender = `
      const dgram = require('node:dgram');
      const socket = dgram.createSocket('udp4');
      socket.bind(0, '10.251.0.1', async () => {
        socket.setMulticastInterface('10.251.0.1');
        const send = (size, host) => new Promise((resolve, reject) =>
          socket.send(Buffer.alloc(size, 7), 9999, host, (err) => (err ? reject(err) : resolve())));
        for (let i = 0; i < ${UNICAST_DATAGRAMS}; i++) await send(${UNICAST_SIZE}, '10.251.0.2');
        for (let i = 0; i < ${MULTICAST_DATAGRAMS}; i++) await send(100, '239.1.2.3');
        socket.close();
      });`;
    execFileSync('ip', ['netns', 'exec', named, process.execPath, '-e', sender], { stdio: 'ignore' });
    // Let the last ICMP answers and ARP settle before comparing.
    await new Promise((resolve) => setTimeout(resolve, 300));
  });

  afterAll(async () => {
    await lab.cleanup();
  });

  it('matches ip -s -s -j link and /proc/<pid>/net/dev in the sending namespace (named netns path)', async () => {
    const views = await readWhileQuiet(namedPath, named, namedPid);
    expectSameAsKernel(views);
    const names = views.answer.interfaces.map((link) => link.name).sort();
    expect(names).toEqual(['ctn-br0', 'ctn-va', 'lo']);
    const veth = views.answer.interfaces.find((link) => link.name === 'ctn-va')!;
    expect(veth).toMatchObject({ kind: 'veth', operstate: 'up' });
    expect(veth.stats.txPackets).toBeGreaterThanOrEqual(UNICAST_DATAGRAMS + MULTICAST_DATAGRAMS);
    expect(veth.stats.txBytes).toBeGreaterThan(UNICAST_DATAGRAMS * UNICAST_SIZE);
    const bridge = views.answer.interfaces.find((link) => link.name === 'ctn-br0')!;
    expect(bridge).toMatchObject({ kind: 'bridge', mtu: 1400, operstate: 'down' });
    expect(views.answer.inode).toBe(netnsInodeOf(namedPath));
  });

  it('matches in the receiving namespace (/proc/<pid>/ns/net of an unshare child)', async () => {
    const target = `/proc/${privatePid}/ns/net`;
    const views = await readWhileQuiet(target, privatePid, privatePid);
    expectSameAsKernel(views);
    const veth = views.answer.interfaces.find((link) => link.name === 'ctn-vb')!;
    expect(veth).toMatchObject({ kind: 'veth', operstate: 'up', mtu: 1500 });
    expect(veth.stats.rxPackets).toBeGreaterThanOrEqual(UNICAST_DATAGRAMS + MULTICAST_DATAGRAMS);
    // The peer lives in the other namespace: IFLA_LINK is its ifindex there.
    const peer = ipLinks(named).find((link) => link.ifname === 'ctn-va')!;
    expect(veth.linkIndex).toBe(peer.ifindex);
    expect(views.answer.inode).toBe(Number(run('stat', ['-L', '-c', '%i', target]).trim()));
    const lo = views.answer.interfaces.find((link) => link.name === 'lo')!;
    expect(lo).toMatchObject({ kind: 'loopback', operstate: 'down', stats: expect.objectContaining({ rxBytes: 0 }) });
  });

  it('reads the same namespace through /run/netns/<name> and /proc/<pid>/ns/net', async () => {
    const [byName, byPid] = await readNetnsAnswers([namedPath, `/proc/${namedPid}/ns/net`]);
    if (isNativeFailure(byName) || isNativeFailure(byPid)) throw new Error('read failed');
    expect(byName!.inode).toBe(byPid!.inode);
    expect(byName!.dev).toBe(byPid!.dev);
    expect(byName!.interfaces).toEqual(byPid!.interfaces);
  });

  it('the typed wrapper flattens the stats into InterfaceStats keyed by name', async () => {
    const counters = await readNetworkNamespace({ pid: privatePid });
    const raw = await readOne(`/proc/${privatePid}/ns/net`);
    expect(counters.inode).toBe(raw.inode);
    expect(Object.keys(counters.interfaces).sort()).toEqual(['ctn-vb', 'lo']);
    const veth = raw.interfaces.find((link) => link.name === 'ctn-vb')!;
    expect(counters.interfaces['ctn-vb']).toEqual({
      ifindex: veth.ifindex,
      kind: veth.kind,
      operstate: veth.operstate,
      mtu: veth.mtu,
      ...veth.stats,
    });
    const batch = await readNetworkNamespaces([namedPath, { pid: privatePid }, { pid: namedPid }]);
    expect(batch.map((item) => (item instanceof Error ? item : item.inode))).toEqual([
      netnsInodeOf(namedPath),
      netnsInodeOf(`/proc/${privatePid}/ns/net`),
      netnsInodeOf(namedPath),
    ]);
  });

  it('a namespace whose only devices besides loopback are down reads as mode "none", and "private" once one is up', async () => {
    const pid = lab.dockerRun('ctn-none', ['--network', 'none']);
    // What tunnel modules give every new namespace (tunl0, sit0): devices that stay down.
    run('nsenter', [
      '--net=/proc/' + pid + '/ns/net',
      'ip',
      'link',
      'add',
      'ctn-d0',
      'type',
      'veth',
      'peer',
      'name',
      'ctn-d1',
    ]);
    const down = await readContainerStats('ctn-none');
    expect(down.network).toMatchObject({ mode: 'none', rxBytes: 0, txBytes: 0 });
    expect(Object.keys(down.network!.interfaces).sort()).toEqual(['ctn-d0', 'ctn-d1', 'lo']);
    run('nsenter', ['--net=/proc/' + pid + '/ns/net', 'ip', 'link', 'set', 'ctn-d0', 'up']);
    expect((await readContainerStats('ctn-none')).network!.mode).toBe('private');
  });

  it("shows a Docker container's eth0 (veth) and lo", async () => {
    const pid = lab.dockerRun('ctn-x');
    const counters = await readNetworkNamespace({ pid });
    expect(Object.keys(counters.interfaces).sort()).toEqual(['eth0', 'lo']);
    expect(counters.interfaces.eth0).toMatchObject({ kind: 'veth', operstate: 'up' });
    expect(counters.interfaces.lo).toMatchObject({ kind: 'loopback' });
    expect(counters.inode).toBe(netnsInodeOf(`/proc/${pid}/ns/net`));
    const views = await readWhileQuiet(`/proc/${pid}/ns/net`, pid, pid);
    expectSameAsKernel(views);
  });
});
