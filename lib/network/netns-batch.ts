// The native network namespace reader's answer (a few typed arrays per batch, cpp/netns_reader.cc),
// unpacked into one object per namespace and interface.
import type {
  NativeFailure,
  NativeInterface,
  NativeLinkStats,
  NativeNetlinkCache,
  NativeNetnsAnswer,
  NativeNetnsBatch,
} from '../native.js';
import type { InterfaceStats, LinkCounters } from '../types.js';

/** IF_OPER_* (RFC 2863) by the number the kernel sends. */
const OPERSTATES = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'] as const;

/** Integers per link: ifindex, IFLA_LINK, MTU, IFF_* flags, operstate. */
export const LINK_INTS = 5;

/** The counters of a link, in the order cpp/netlink_links.cc (LinkStatsInOrder) writes them. */
const LINK_COUNTERS = [
  'rxBytes',
  'txBytes',
  'rxPackets',
  'txPackets',
  'rxErrors',
  'txErrors',
  'rxDropped',
  'txDropped',
  'multicast',
  'collisions',
  'rxLengthErrors',
  'rxOverErrors',
  'rxCrcErrors',
  'rxFrameErrors',
  'rxFifoErrors',
  'rxMissedErrors',
  'txAbortedErrors',
  'txCarrierErrors',
  'txFifoErrors',
  'txHeartbeatErrors',
  'txWindowErrors',
  'rxCompressed',
  'txCompressed',
  'rxNohandler',
  'rxOtherhostDropped',
] as const satisfies ReadonlyArray<keyof LinkCounters>;
// Every counter of LinkCounters is in the list (a compile-time check).
const EVERY_COUNTER: Record<keyof LinkCounters, true> = Object.fromEntries(
  LINK_COUNTERS.map((name) => [name, true]),
) as Record<(typeof LINK_COUNTERS)[number], true>;
void EVERY_COUNTER;

/** Counters per link. */
export const LINK_STATS = LINK_COUNTERS.length;

/** IFF_UP: the interface was brought up (a fresh namespace's tunl0, sit0 or gre0 never is). */
export const IFF_UP = 0x1;

function linkStats(stats: Float64Array, at: number): NativeLinkStats {
  const out = {} as NativeLinkStats;
  for (let i = 0; i < LINK_STATS; i++) out[LINK_COUNTERS[i]!] = stats[at + i]!;
  return out;
}

/** Link `link` of a batch as the public InterfaceStats. */
export function interfaceStatsAt(
  batch: { ints: ArrayLike<number>; stats: ArrayLike<number>; kinds: readonly string[]; linkKind: ArrayLike<number> },
  link: number,
): InterfaceStats {
  const ints = link * LINK_INTS;
  const kind = batch.linkKind[link]!;
  const out = {
    ifindex: batch.ints[ints]!,
    kind: kind === 0 ? null : batch.kinds[kind - 1]!,
    operstate: OPERSTATES[batch.ints[ints + 4]!] ?? 'unknown',
    mtu: batch.ints[ints + 2]! >>> 0,
  } as InterfaceStats;
  const at = link * LINK_STATS;
  for (let i = 0; i < LINK_STATS; i++) out[LINK_COUNTERS[i]!] = batch.stats[at + i]!;
  return out;
}

/** Where a target's answer is: a batch and the target's index in it. */
export interface NetnsEntry {
  batch: NativeNetnsBatch;
  index: number;
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
  /** Target i's place in the batches read, or the failure that stopped it. */
  entry(i: number): NetnsEntry | NativeFailure;
}

function entryOf(batch: NativeNetnsBatch, index: number): NetnsEntry | NativeFailure {
  return batch.status[index] === 0 ? { batch, index } : batch.failures[index]!;
}

function inodeOf(batch: NativeNetnsBatch, index: number): number | null {
  return batch.status[index] === 0 ? batch.inode[index]! : null;
}

/** Target i's answer is entry i of `first`, or entry `inSecond[i]` of `second` where that is not -1. */
function answersOf(
  first: NativeNetnsBatch,
  second: NativeNetnsBatch | null = null,
  inSecond: Int32Array | null = null,
): NetnsAnswers {
  if (second === null || inSecond === null) {
    return {
      length: first.status.length,
      inode: (i) => inodeOf(first, i),
      get: (i) => netnsAnswerOf(first, i),
      entry: (i) => entryOf(first, i),
    };
  }
  return {
    length: first.status.length,
    inode: (i) => (inSecond[i]! < 0 ? inodeOf(first, i) : inodeOf(second, inSecond[i]!)),
    get: (i) => (inSecond[i]! < 0 ? netnsAnswerOf(first, i) : netnsAnswerOf(second, inSecond[i]!)),
    entry: (i) => (inSecond[i]! < 0 ? entryOf(first, i) : entryOf(second, inSecond[i]!)),
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
export async function readThroughCache(
  cache: NativeNetlinkCache,
  targets: string[],
  inline: boolean,
): Promise<NetnsAnswers> {
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
