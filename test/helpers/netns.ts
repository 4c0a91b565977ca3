// Real namespaces, veths and containers for the integration tests, all named ctn-* and removed by
// NamespaceLab.cleanup(); plus the kernel's own views (/proc/<pid>/net/dev, `ip -j`) to compare with.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { native, type NativeFailure, type NativeLinkStats, type NativeNetnsAnswer } from '../../lib/native.js';
import { unpackNetnsBatch } from '../../lib/network/netns-batch.js';
import { requireHost } from './env.js';
import { waitFor } from './wait.js';

export const repoRoot = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** Why namespace tests cannot run here, or null when they can. Under CI=true a reason is a failure. */
export function netnsUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  const probe = spawnSync('unshare', ['--net', 'true'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) return 'unshare --net is not permitted';
  return null;
}

export const netnsUnavailable = netnsUnavailableReason();
requireHost(
  netnsUnavailable === null,
  'root with unshare --net permitted (network namespace tests)',
  netnsUnavailable ?? '',
);

export function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function netnsInodeOf(path: string): number {
  return statSync(path).ino;
}

function safeInode(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch {
    return null;
  }
}

// Namespace holders get SIGKILL when the test process dies, so a crashed run leaves no sleepers behind
// (the signal survives the exec of unshare/ip and sleep, which keep the PID).
const dieWithParent = ['--pdeathsig', 'KILL'];

/** Everything a test file creates, so that afterAll removes it even when a test failed half-way. */
export class NamespaceLab {
  private readonly namedNetns: string[] = [];
  private readonly processes: ChildProcess[] = [];
  private readonly containers: string[] = [];

  /** `ip netns add name` (after removing a leftover of an earlier run); returns /run/netns/name. */
  addNamedNetns(name: string): string {
    if (!name.startsWith('ctn-')) throw new Error(`Test namespaces are named ctn-*: ${name}`);
    spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    run('ip', ['netns', 'add', name]);
    this.namedNetns.push(name);
    return `/run/netns/${name}`;
  }

  /** A `sleep` in a fresh network namespace of its own (unshare --net); returns its PID. */
  async spawnPrivateNetns(): Promise<number> {
    return (await this.spawnPrivateNetnsProcess()).pid!;
  }

  async spawnPrivateNetnsProcess(): Promise<ChildProcess> {
    const own = netnsInodeOf('/proc/self/ns/net');
    const child = this.track(
      spawn('setpriv', [...dieWithParent, 'unshare', '--net', 'sleep', '600'], { stdio: 'ignore' }),
    );
    const pid = child.pid!;
    await waitFor(() => {
      const inode = safeInode(`/proc/${pid}/ns/net`);
      return inode !== null && inode !== own;
    }, `unshare --net (pid ${pid})`);
    return child;
  }

  /** A `sleep` inside the named namespace: a PID whose /proc/<pid>/net/dev shows that namespace. */
  async spawnInNamedNetns(name: string): Promise<number> {
    const target = netnsInodeOf(`/run/netns/${name}`);
    const child = this.track(
      spawn('setpriv', [...dieWithParent, 'ip', 'netns', 'exec', name, 'sleep', '600'], { stdio: 'ignore' }),
    );
    const pid = child.pid!;
    await waitFor(() => safeInode(`/proc/${pid}/ns/net`) === target, `ip netns exec ${name}`);
    return pid;
  }

  /** Starts a process and kills it at cleanup. */
  track(child: ChildProcess): ChildProcess {
    this.processes.push(child);
    return child;
  }

  /** `docker run -d --name name bb:local sleep 300`; returns the container's PID. */
  dockerRun(name: string, flags: string[] = []): number {
    if (!name.startsWith('ctn-')) throw new Error(`Test containers are named ctn-*: ${name}`);
    spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    run('docker', ['run', '-d', '--name', name, ...flags, 'bb:local', 'sleep', '300']);
    this.containers.push(name);
    return Number(run('docker', ['inspect', '-f', '{{.State.Pid}}', name]).trim());
  }

  async cleanup(): Promise<void> {
    for (const name of this.containers.splice(0)) spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    const exits = this.processes.splice(0).map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      return exited;
    });
    await Promise.all(exits);
    for (const name of this.namedNetns.splice(0)) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  }
}

/** The kernel's struct rtnl_link_stats64 as `ip -s -s -j link` prints it (absent fields are zero). */
export interface IpLink {
  ifindex: number;
  ifname: string;
  mtu: number;
  operstate: string;
  link?: string;
  link_index?: number;
  linkinfo?: { info_kind?: string };
  stats64?: { rx: Record<string, number>; tx: Record<string, number> };
}

/** `ip [-n netns] -s -s -d -j link show`; `netns` is a name under /run/netns or a PID. */
export function ipLinks(netns: string | number): IpLink[] {
  const args = typeof netns === 'string' ? ['-n', netns] : [];
  const json =
    typeof netns === 'number'
      ? run('nsenter', [`--net=/proc/${netns}/ns/net`, 'ip', '-s', '-s', '-d', '-j', 'link', 'show'])
      : run('ip', [...args, '-s', '-s', '-d', '-j', 'link', 'show']);
  return JSON.parse(json) as IpLink[];
}

/** Maps the native stats to `ip -s -s -j`'s stats64 names and compares every counter. */
export function statsFromIp(link: IpLink): NativeLinkStats {
  const rx = link.stats64?.rx ?? {};
  const tx = link.stats64?.tx ?? {};
  const n = (value: number | undefined) => value ?? 0;
  return {
    rxBytes: n(rx.bytes),
    txBytes: n(tx.bytes),
    rxPackets: n(rx.packets),
    txPackets: n(tx.packets),
    rxErrors: n(rx.errors),
    txErrors: n(tx.errors),
    rxDropped: n(rx.dropped),
    txDropped: n(tx.dropped),
    multicast: n(rx.multicast),
    collisions: n(tx.collisions),
    rxLengthErrors: n(rx.length_errors),
    rxOverErrors: n(rx.over_errors),
    rxCrcErrors: n(rx.crc_errors),
    rxFrameErrors: n(rx.frame_errors),
    rxFifoErrors: n(rx.fifo_errors),
    rxMissedErrors: n(rx.missed_errors),
    txAbortedErrors: n(tx.aborted_errors),
    txCarrierErrors: n(tx.carrier_errors),
    txFifoErrors: n(tx.fifo_errors),
    txHeartbeatErrors: n(tx.heartbeat_errors),
    txWindowErrors: n(tx.window_errors),
    rxCompressed: n(rx.compressed),
    txCompressed: n(tx.compressed),
    rxNohandler: n(rx.nohandler),
    rxOtherhostDropped: n(rx.otherhost_dropped),
  };
}

/** One line of /proc/<pid>/net/dev, with the kernel's column names. */
export interface ProcNetDevLine {
  rxBytes: number;
  rxPackets: number;
  rxErrs: number;
  rxDrop: number;
  rxFifo: number;
  rxFrame: number;
  rxCompressed: number;
  rxMulticast: number;
  txBytes: number;
  txPackets: number;
  txErrs: number;
  txDrop: number;
  txFifo: number;
  txColls: number;
  txCarrier: number;
  txCompressed: number;
}

export function procNetDev(pid: number): Record<string, ProcNetDevLine> {
  const lines = readFileSync(`/proc/${pid}/net/dev`, 'utf8')
    .split('\n')
    .slice(2)
    .filter((line) => line.includes(':'));
  const result: Record<string, ProcNetDevLine> = {};
  for (const line of lines) {
    const [name, rest] = line.split(':') as [string, string];
    const v = rest.trim().split(/\s+/).map(Number);
    const at = (i: number) => v[i]!;
    result[name.trim()] = {
      rxBytes: at(0),
      rxPackets: at(1),
      rxErrs: at(2),
      rxDrop: at(3),
      rxFifo: at(4),
      rxFrame: at(5),
      rxCompressed: at(6),
      rxMulticast: at(7),
      txBytes: at(8),
      txPackets: at(9),
      txErrs: at(10),
      txDrop: at(11),
      txFifo: at(12),
      txColls: at(13),
      txCarrier: at(14),
      txCompressed: at(15),
    };
  }
  return result;
}

/** The /proc/net/dev columns the kernel derives from rtnl_link_stats64 (net/core/net-procfs.c). */
export function procNetDevFromStats(s: NativeLinkStats): ProcNetDevLine {
  return {
    rxBytes: s.rxBytes,
    rxPackets: s.rxPackets,
    rxErrs: s.rxErrors,
    rxDrop: s.rxDropped + s.rxMissedErrors,
    rxFifo: s.rxFifoErrors,
    rxFrame: s.rxLengthErrors + s.rxOverErrors + s.rxCrcErrors + s.rxFrameErrors,
    rxCompressed: s.rxCompressed,
    rxMulticast: s.multicast,
    txBytes: s.txBytes,
    txPackets: s.txPackets,
    txErrs: s.txErrors,
    txDrop: s.txDropped,
    txFifo: s.txFifoErrors,
    txColls: s.collisions,
    txCarrier: s.txCarrierErrors + s.txAbortedErrors + s.txWindowErrors + s.txHeartbeatErrors,
    txCompressed: s.txCompressed,
  };
}

export function openFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** The network namespace of every thread of this process (readlink /proc/self/task/<tid>/ns/net). */
export function threadNetnsLinks(): string[] {
  const links: string[] = [];
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      links.push(readlinkSync(`/proc/self/task/${tid}/ns/net`));
    } catch {
      // the thread exited between readdir and readlink
    }
  }
  return links;
}

/** The addon's one-shot namespace read, unpacked per target. */
export async function readNetnsAnswers(targets: string[]): Promise<Array<NativeNetnsAnswer | NativeFailure>> {
  return unpackNetnsBatch(await native.readNetns(targets));
}
