// The native network namespace reader's answer (a few typed arrays per batch, cpp/netns_reader.cc),
// unpacked into one object per namespace and interface.
import type { NativeFailure, NativeInterface, NativeLinkStats, NativeNetlinkCache, NativeNetnsAnswer, NativeNetnsBatch } from '../native.js';

/** IF_OPER_* (RFC 2863) by the number the kernel sends. */
const OPERSTATES = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'] as const;

/** Integers per link: ifindex, IFLA_LINK, MTU, IFF_* flags, operstate. */
const LINK_INTS = 5;
/** Counters per link, in cpp/netlink_links.cc LinkStatsInOrder's order. */
const LINK_STATS = 25;

function linkStats(stats: Float64Array, at: number): NativeLinkStats {
  return {
    rxBytes: stats[at]!, txBytes: stats[at + 1]!, rxPackets: stats[at + 2]!, txPackets: stats[at + 3]!,
    rxErrors: stats[at + 4]!, txErrors: stats[at + 5]!, rxDropped: stats[at + 6]!, txDropped: stats[at + 7]!,
    multicast: stats[at + 8]!, collisions: stats[at + 9]!, rxLengthErrors: stats[at + 10]!, rxOverErrors: stats[at + 11]!,
    rxCrcErrors: stats[at + 12]!, rxFrameErrors: stats[at + 13]!, rxFifoErrors: stats[at + 14]!, rxMissedErrors: stats[at + 15]!,
    txAbortedErrors: stats[at + 16]!, txCarrierErrors: stats[at + 17]!, txFifoErrors: stats[at + 18]!,
    txHeartbeatErrors: stats[at + 19]!, txWindowErrors: stats[at + 20]!, rxCompressed: stats[at + 21]!,
    txCompressed: stats[at + 22]!, rxNohandler: stats[at + 23]!, rxOtherhostDropped: stats[at + 24]!,
  };
}

/** Status of a readKept() target that has no kept socket. */
const NOT_KEPT = 1;

/** Target i of a batch: its namespace and interfaces, or the failure that stopped it (undefined: not kept). */
export function netnsAnswerOf(batch: NativeNetnsBatch, i: number): NativeNetnsAnswer | NativeFailure {
  if (batch.status[i] !== 0) return batch.failures[i]!;
  const interfaces: NativeInterface[] = [];
  for (let link = batch.linkFirst[i]!; link < batch.linkFirst[i + 1]!; link++) {
    const ints = link * LINK_INTS;
    const kind = batch.linkKind[link]!;
    interfaces.push({
      name: batch.names[batch.linkName[link]!]!,
      ifindex: batch.ints[ints]!,
      linkIndex: batch.ints[ints + 1]!,
      kind: kind === 0 ? null : batch.kinds[kind - 1]!,
      mtu: batch.ints[ints + 2]! >>> 0,
      flags: batch.ints[ints + 3]! >>> 0,
      operstate: OPERSTATES[batch.ints[ints + 4]!] ?? 'unknown',
      stats: linkStats(batch.stats, link * LINK_STATS),
    });
  }
  return { inode: batch.inode[i]!, dev: batch.dev[i]!, interfaces };
}

/**
 * Per target, in order: its namespace and interfaces, or the failure that stopped it (undefined for a
 * readKept() target without a kept socket).
 */
export function unpackNetnsBatch(batch: NativeNetnsBatch): Array<NativeNetnsAnswer | NativeFailure> {
  const out: Array<NativeNetnsAnswer | NativeFailure> = [];
  for (let i = 0; i < batch.status.length; i++) out.push(netnsAnswerOf(batch, i));
  return out;
}

/** Answers by target, unpacked when asked for (a sweep unpacks them chunk by chunk). */
export interface NetnsAnswers {
  readonly length: number;
  inode(i: number): number | null;
  get(i: number): NativeNetnsAnswer | NativeFailure;
}

function inodeOf(batch: NativeNetnsBatch, index: number): number | null {
  return batch.status[index] === 0 ? batch.inode[index]! : null;
}

/** Target i's answer is entry i of `first`, or entry `inSecond[i]` of `second` where that is not -1. */
function answersOf(first: NativeNetnsBatch, second: NativeNetnsBatch | null = null, inSecond: Int32Array | null = null): NetnsAnswers {
  if (second === null || inSecond === null) {
    return { length: first.status.length, inode: (i) => inodeOf(first, i), get: (i) => netnsAnswerOf(first, i) };
  }
  return {
    length: first.status.length,
    inode: (i) => (inSecond[i]! < 0 ? inodeOf(first, i) : inodeOf(second, inSecond[i]!)),
    get: (i) => (inSecond[i]! < 0 ? netnsAnswerOf(first, i) : netnsAnswerOf(second, inSecond[i]!)),
  };
}

/** One-shot answers of readNetns, unpacked when asked for. */
export function lazyAnswers(batch: NativeNetnsBatch): NetnsAnswers {
  return answersOf(batch);
}

/**
 * Reads namespaces through a cache of sockets: the ones kept are dumped without entering a namespace
 * (`inline` on this thread, else on the pool); only the others go to a dedicated thread, which opens
 * and keeps their sockets.
 */
export async function readThroughCache(cache: NativeNetlinkCache, targets: string[], inline: boolean): Promise<NetnsAnswers> {
  const kept = await cache.readKept(targets, inline);
  const missing: number[] = [];
  for (let i = 0; i < targets.length; i++) if (kept.status[i] === NOT_KEPT) missing.push(i);
  if (missing.length === 0) return answersOf(kept);
  const opened = await cache.read(missing.map((i) => targets[i]!));
  const inOpened = new Int32Array(targets.length).fill(-1);
  missing.forEach((at, index) => {
    inOpened[at] = index;
  });
  return answersOf(kept, opened, inOpened);
}
