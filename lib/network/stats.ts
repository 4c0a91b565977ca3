// Turns one namespace's interface counters into a container's NetworkStats: which kind of namespace it is
// (private, host, shared, none) and the totals over every interface but loopback, straight from the
// reader's typed arrays. The per-interface objects are made only when `interfaces` is read: a sample keeps
// a copy of its own links' numbers (not the whole batch), and most samples never look at them.
import { IFF_UP, LINK_INTS, LINK_STATS, interfaceStatsAt, type NetnsEntry } from './netns-batch.js';
import type { InterfaceStats, NetworkMode, NetworkStats } from '../types.js';
import { doubleArray } from '../io/double-array.js';
import { defineLazy, type LazySource } from '../io/lazy-property.js';

export interface NetworkContext {
  /** Inode of the host's network namespace (that of PID 1 in the host PID namespace). */
  hostNetnsInode: number | null;
  /** Ids of the other containers whose processes live in the same namespace and that own it. */
  sharedWith: string[];
}

/** Offsets of the totals' counters in a link's LINK_STATS (cpp/netlink_links.cc LinkStatsInOrder). */
const RX_BYTES = 0,
  TX_BYTES = 1,
  RX_PACKETS = 2,
  TX_PACKETS = 3,
  RX_ERRORS = 4,
  TX_ERRORS = 5,
  RX_DROPPED = 6,
  TX_DROPPED = 7;
/** Offset of the IFF_* flags among a link's LINK_INTS. */
const FLAGS = 3;

/**
 * The links of one namespace, copied out of the batch, made into objects when asked. The counters are kept
 * sparse: per link a mask of those that are not zero and their values in order (most of a link's 25 counters
 * are error counters that stay 0; an idle link has none). Plain arrays, not typed ones: a small typed array
 * brings an ArrayBuffer of its own, which the collector tracks apart.
 */
class LazyInterfaces implements LazySource<Record<string, InterfaceStats>> {
  readonly #names: string[];
  readonly #linkKind: number[];
  /** The links' LINK_INTS integers. */
  readonly #ints: number[];
  /** Per link, bit i set when its counter i (LINK_STATS order) is not 0. */
  readonly #masks: number[];
  /** The counters that are not 0, link after link, in LINK_STATS order. */
  readonly #counters: number[];
  readonly #kinds: readonly string[];
  #made: Record<string, InterfaceStats> | null = null;

  constructor(entry: NetnsEntry) {
    const { batch, index } = entry;
    const first = batch.linkFirst[index]!;
    const count = batch.linkFirst[index + 1]! - first;
    this.#names = new Array<string>(count);
    this.#linkKind = new Array<number>(count);
    this.#masks = new Array<number>(count);
    let nonZero = 0;
    for (let link = 0; link < count; link++) {
      this.#names[link] = batch.names[batch.linkName[first + link]!]!;
      this.#linkKind[link] = batch.linkKind[first + link]!;
      let mask = 0;
      const at = (first + link) * LINK_STATS;
      for (let i = 0; i < LINK_STATS; i++) {
        if (batch.stats[at + i] === 0) continue;
        mask |= 1 << i;
        nonZero++;
      }
      this.#masks[link] = mask;
    }
    this.#counters = doubleArray(nonZero);
    for (let link = 0, next = 0; link < count; link++) {
      const at = (first + link) * LINK_STATS;
      for (let i = 0; i < LINK_STATS; i++) {
        const value = batch.stats[at + i]!;
        if (value !== 0) this.#counters[next++] = value;
      }
    }
    this.#ints = new Array<number>(count * LINK_INTS);
    for (let i = 0; i < count * LINK_INTS; i++) this.#ints[i] = batch.ints[first * LINK_INTS + i]!;
    this.#kinds = batch.kinds;
  }

  value(): Record<string, InterfaceStats> {
    if (this.#made === null) {
      const count = this.#names.length;
      const stats = new Array<number>(count * LINK_STATS).fill(0);
      let next = 0;
      for (let link = 0; link < count; link++) {
        const mask = this.#masks[link]!;
        for (let i = 0; i < LINK_STATS; i++)
          if ((mask & (1 << i)) !== 0) stats[link * LINK_STATS + i] = this.#counters[next++]!;
      }
      const view = { ints: this.#ints, stats, kinds: this.#kinds, linkKind: this.#linkKind };
      const entries: Array<[string, InterfaceStats]> = [];
      for (let link = 0; link < count; link++) entries.push([this.#names[link]!, interfaceStatsAt(view, link)]);
      this.#made = Object.fromEntries(entries);
    }
    return this.#made;
  }
}

/** A namespace's kind and totals, made by a constructor (see cgroup/stats-objects.ts); `interfaces` is added lazily. */
class NetworkTotals implements Omit<NetworkStats, 'interfaces'> {
  constructor(
    public mode: NetworkMode,
    public netns: number,
    public sharedWith: string[],
    public rxBytes: number | null,
    public txBytes: number | null,
    public rxPackets: number | null,
    public txPackets: number | null,
    public rxErrors: number | null,
    public txErrors: number | null,
    public rxDropped: number | null,
    public txDropped: number | null,
  ) {}
}

const NO_INTERFACES = Object.freeze({}) as Record<string, InterfaceStats>;
/** The host's namespace: its interfaces are not the container's. */
const HOST_INTERFACES: LazySource<Record<string, InterfaceStats>> = { value: () => NO_INTERFACES };

export function buildNetworkStats(entry: NetnsEntry, context: NetworkContext): NetworkStats {
  const { batch, index } = entry;
  const inode = batch.inode[index]!;
  const first = batch.linkFirst[index]!;
  const end = batch.linkFirst[index + 1]!;
  let external = 0,
    up = 0;
  let rxBytes = 0,
    txBytes = 0,
    rxPackets = 0,
    txPackets = 0;
  let rxErrors = 0,
    txErrors = 0,
    rxDropped = 0,
    txDropped = 0;
  const { stats, ints, linkKind, kinds } = batch;
  for (let link = first; link < end; link++) {
    const kind = linkKind[link]!;
    if (kind !== 0 && kinds[kind - 1] === 'loopback') continue;
    external++;
    if ((ints[link * LINK_INTS + FLAGS]! & IFF_UP) !== 0) up++;
    const at = link * LINK_STATS;
    rxBytes += stats[at + RX_BYTES]!;
    txBytes += stats[at + TX_BYTES]!;
    rxPackets += stats[at + RX_PACKETS]!;
    txPackets += stats[at + TX_PACKETS]!;
    rxErrors += stats[at + RX_ERRORS]!;
    txErrors += stats[at + TX_ERRORS]!;
    rxDropped += stats[at + RX_DROPPED]!;
    txDropped += stats[at + TX_DROPPED]!;
  }
  let mode: NetworkMode;
  if (context.hostNetnsInode !== null && inode === context.hostNetnsInode) mode = 'host';
  else if (context.sharedWith.length > 0) mode = 'shared';
  // Tunnel modules (ipip, sit, gre) give every new namespace a fallback device that stays down: a
  // namespace whose only devices besides loopback are down is what --network none makes.
  else if (external === 0 || up === 0) mode = 'none';
  else mode = 'private';

  if (mode === 'host') {
    // The host's counters are not the container's traffic: report none rather than mislead.
    return defineLazy(
      new NetworkTotals(mode, inode, [], null, null, null, null, null, null, null, null),
      'interfaces',
      HOST_INTERFACES,
    );
  }
  return defineLazy(
    new NetworkTotals(
      mode,
      inode,
      context.sharedWith,
      rxBytes,
      txBytes,
      rxPackets,
      txPackets,
      rxErrors,
      txErrors,
      rxDropped,
      txDropped,
    ),
    'interfaces',
    new LazyInterfaces(entry),
  );
}
