// Turns one namespace's interface counters into a container's NetworkStats: which kind of namespace
// it is (private, host, shared, none) and the totals over every interface but loopback.
import type { NativeInterface, NativeNetnsAnswer } from '../native.js';
import type { InterfaceStats, NetworkMode, NetworkStats } from '../types.js';

export function toInterfaceStats(link: NativeInterface): InterfaceStats {
  return {
    ifindex: link.ifindex,
    kind: link.kind,
    operstate: link.operstate,
    mtu: link.mtu,
    ...link.stats,
  };
}

function isLoopback(link: NativeInterface): boolean {
  return link.kind === 'loopback';
}

/** IFF_UP: the interface was brought up (a fresh namespace's tunl0, sit0 or gre0 never is). */
const IFF_UP = 0x1;

export interface NetworkContext {
  /** Inode of the host's network namespace (that of PID 1 in the host PID namespace). */
  hostNetnsInode: number | null;
  /** Ids of the other containers whose processes live in the same namespace and that own it. */
  sharedWith: string[];
}

export function buildNetworkStats(answer: NativeNetnsAnswer, context: NetworkContext): NetworkStats {
  const interfaces: Record<string, InterfaceStats> = {};
  const external = answer.interfaces.filter((link) => !isLoopback(link));
  let mode: NetworkMode;
  if (context.hostNetnsInode !== null && answer.inode === context.hostNetnsInode) mode = 'host';
  else if (context.sharedWith.length > 0) mode = 'shared';
  // Tunnel modules (ipip, sit, gre) give every new namespace a fallback device that stays down: a
  // namespace whose only devices besides loopback are down is what --network none makes.
  else if (!external.some((link) => (link.flags & IFF_UP) !== 0)) mode = 'none';
  else mode = 'private';

  if (mode === 'host') {
    // The host's counters are not the container's traffic: report none rather than mislead.
    return {
      mode, netns: answer.inode, sharedWith: [],
      rxBytes: null, txBytes: null, rxPackets: null, txPackets: null,
      rxErrors: null, txErrors: null, rxDropped: null, txDropped: null,
      interfaces,
    };
  }
  for (const link of answer.interfaces) interfaces[link.name] = toInterfaceStats(link);
  let rxBytes = 0, txBytes = 0, rxPackets = 0, txPackets = 0;
  let rxErrors = 0, txErrors = 0, rxDropped = 0, txDropped = 0;
  for (const { stats } of external) {
    rxBytes += stats.rxBytes; txBytes += stats.txBytes;
    rxPackets += stats.rxPackets; txPackets += stats.txPackets;
    rxErrors += stats.rxErrors; txErrors += stats.txErrors;
    rxDropped += stats.rxDropped; txDropped += stats.txDropped;
  }
  return {
    mode, netns: answer.inode, sharedWith: context.sharedWith,
    rxBytes, txBytes, rxPackets, txPackets, rxErrors, txErrors, rxDropped, txDropped,
    interfaces,
  };
}
