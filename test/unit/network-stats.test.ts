import { describe, expect, it } from 'vitest';
import { buildNetworkStats } from '../../lib/network/stats.js';
import { interfaceStatsAt, LINK_INTS, LINK_STATS } from '../../lib/network/netns-batch.js';
import type { NativeNetnsBatch } from '../../lib/native.js';

/** A batch of two namespaces: the second has lo (idle), eth0 (busy, some error counters too) and a tunnel that is down. */
function batchOf(): NativeNetnsBatch {
  const links = 4;
  const stats = new Float64Array(links * LINK_STATS);
  // Namespace 0: lo with traffic.
  stats.set([5, 5, 1, 1], 0);
  // Namespace 1: eth0 (link 2) with counters large and small, the last counter of the list included.
  const eth0 = 2 * LINK_STATS;
  stats.set([2 ** 40 + 3, 1234, 7, 9, 1, 0, 2], eth0);
  stats[eth0 + LINK_STATS - 1] = 6;
  stats[eth0 + 12] = 0.5 * 2 ** 53;
  const ints = new Int32Array(links * LINK_INTS);
  const flags = [0x9, 0x9, 0x1003, 0x80];
  flags.forEach((f, link) =>
    ints.set([link + 1, 0, link === 2 ? 1500 : 65536, f, link === 2 ? 6 : 0], link * LINK_INTS),
  );
  return {
    status: new Int32Array([0, 0]),
    failures: [undefined, undefined],
    inode: new Float64Array([4026531992, 4026532500]),
    dev: new Float64Array([4, 4]),
    linkFirst: new Uint32Array([0, 1, 4]),
    names: ['lo', 'eth0', 'tunl0'],
    kinds: ['loopback', 'veth', 'ipip'],
    linkName: new Uint32Array([0, 0, 1, 2]),
    linkKind: new Uint32Array([1, 1, 2, 3]),
    ints,
    stats,
  };
}

describe('buildNetworkStats', () => {
  const batch = batchOf();
  const context = { hostNetnsInode: 4026531990, sharedWith: [] };

  it('sums every interface but loopback; interfaces as the batch has them, idle and busy ones alike', () => {
    const net = buildNetworkStats({ batch, index: 1 }, context);
    expect(net.mode).toBe('private');
    expect(net.rxBytes).toBe(2 ** 40 + 3);
    expect(net.txBytes).toBe(1234);
    expect(net.rxErrors).toBe(1);
    expect(net.rxDropped).toBe(2);
    expect(Object.keys(net.interfaces)).toEqual(['lo', 'eth0', 'tunl0']);
    expect(net.interfaces).toEqual({
      lo: interfaceStatsAt(batch, 1),
      eth0: interfaceStatsAt(batch, 2),
      tunl0: interfaceStatsAt(batch, 3),
    });
    expect(net.interfaces.eth0!.rxOtherhostDropped).toBe(6);
    expect(net.interfaces.eth0!.rxCrcErrors).toBe(0.5 * 2 ** 53);
    expect(net.interfaces.tunl0!.rxBytes).toBe(0);
  });

  it('keeps its own copy: the interfaces stay right after the batch is written over', () => {
    const own = batchOf();
    const net = buildNetworkStats({ batch: own, index: 0 }, context);
    const expected = interfaceStatsAt(batchOf(), 0);
    own.stats.fill(99);
    own.ints.fill(7);
    expect(net.interfaces).toEqual({ lo: expected });
    expect(JSON.parse(JSON.stringify(net)).interfaces.lo.rxBytes).toBe(5);
  });
});
