// NetlinkCache: kept per-namespace sockets answer like readNetns, notice a re-created namespace,
// and report a vanished one.
import { readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  native,
  isNativeFailure,
  type NativeNetlinkCache,
  type NativeNetnsAnswer,
  type NativeFailure,
} from '../../lib/native.js';
import { readThroughCache, unpackNetnsBatch } from '../../lib/network/netns-batch.js';
import {
  NamespaceLab,
  netnsInodeOf,
  netnsUnavailable,
  openFdCount,
  readNetnsAnswers,
  run,
  threadNetnsLinks,
} from '../helpers/netns.js';
import { waitFor } from '../helpers/wait.js';

/** A cache read, unpacked per target. */
async function through(
  cache: NativeNetlinkCache,
  targets: string[],
): Promise<Array<NativeNetnsAnswer | NativeFailure>> {
  return unpackNetnsBatch(await cache.read(targets));
}

function answerOf(value: NativeNetnsAnswer | NativeFailure | undefined): NativeNetnsAnswer {
  if (value === undefined || isNativeFailure(value))
    throw new Error(`expected an answer, got ${JSON.stringify(value)}`);
  return value;
}

describe.skipIf(netnsUnavailable !== null)('NetlinkCache (real kernel)', () => {
  const lab = new NamespaceLab();
  const named = 'ctn-c';
  let namedPath = '';
  const pidTargets: string[] = [];

  beforeAll(async () => {
    namedPath = lab.addNamedNetns(named);
    run('ip', ['-n', named, 'link', 'add', 'ctn-v0', 'type', 'veth', 'peer', 'name', 'ctn-v1']);
    for (let i = 0; i < 3; i++) pidTargets.push(`/proc/${await lab.spawnPrivateNetns()}/ns/net`);
  });

  afterAll(async () => {
    await lab.cleanup();
  });

  it('readKept dumps only on kept sockets (pool or inline), marking the others; readThroughCache fills them in', async () => {
    const cache = new native.NetlinkCache(8);
    const targets = [namedPath, ...pidTargets];
    const cold = await cache.readKept(targets, false);
    expect([...cold.status]).toEqual(targets.map(() => 1));
    expect(cache.size).toBe(0);
    const [through, direct] = await Promise.all([readThroughCache(cache, targets, false), readNetnsAnswers(targets)]);
    const first = Array.from({ length: through.length }, (_, i) => through.get(i));
    expect(first.map(answerOf)).toEqual(direct.map(answerOf));
    expect(cache.size).toBe(targets.length);
    for (const inline of [false, true]) {
      const warm = await cache.readKept(targets, inline);
      expect([...warm.status]).toEqual(targets.map(() => 0));
      expect(unpackNetnsBatch(warm).map((a) => answerOf(a).inode)).toEqual(direct.map((a) => answerOf(a).inode));
    }
    // Every thread of the process is still home: the kept dumps entered no namespace.
    const home = readlinkSync('/proc/self/ns/net');
    expect(threadNetnsLinks().every((link) => link === home)).toBe(true);
    cache.closeAll();
  });

  it('answers exactly like readNetns, keeping one socket per namespace', async () => {
    const cache = new native.NetlinkCache(8);
    const fdsBefore = openFdCount();
    const targets = [namedPath, ...pidTargets];
    for (let round = 0; round < 3; round++) {
      const [cached, direct] = await Promise.all([through(cache, targets), readNetnsAnswers(targets)]);
      expect(cached.map(answerOf)).toEqual(direct.map(answerOf));
    }
    expect(
      answerOf((await through(cache, [namedPath]))[0])
        .interfaces.map((link) => link.name)
        .sort(),
    ).toEqual(['ctn-v0', 'ctn-v1', 'lo']);
    expect(cache.size).toBe(4);
    expect(openFdCount()).toBe(fdsBefore + 4);
    cache.close([pidTargets[0]!, '/not/kept']);
    expect(cache.size).toBe(3);
    cache.closeAll();
    expect(cache.size).toBe(0);
    expect(openFdCount()).toBe(fdsBefore);
  });

  it('keeps at most maxSockets, reading the rest one-shot', async () => {
    const cache = new native.NetlinkCache(2);
    const answers = await through(cache, [namedPath, ...pidTargets]);
    expect(answers.map((answer) => answerOf(answer).inode)).toEqual([namedPath, ...pidTargets].map(netnsInodeOf));
    expect(cache.size).toBe(2);
    cache.closeAll();
  });

  it('a re-created namespace at the same path is reopened, not read through the old socket', async () => {
    const cache = new native.NetlinkCache(4);
    const before = answerOf((await through(cache, [namedPath]))[0]);
    run('ip', ['netns', 'del', named]);
    run('ip', ['netns', 'add', named]);
    const after = answerOf((await through(cache, [namedPath]))[0]);
    expect(after.inode).not.toBe(before.inode);
    expect(after.inode).toBe(netnsInodeOf(namedPath));
    expect(after.interfaces.map((link) => link.name)).toEqual(['lo']);
    expect(cache.size).toBe(1);
    cache.closeAll();
  });

  it('after the owner dies and the path is gone, reads fail with ENOENT and the socket is dropped', async () => {
    const owner = await lab.spawnPrivateNetnsProcess();
    const target = `/proc/${owner.pid}/ns/net`;
    const cache = new native.NetlinkCache(4);
    const fdsBefore = openFdCount();
    answerOf((await through(cache, [target]))[0]);
    expect(cache.size).toBe(1);
    const exited = new Promise((resolve) => owner.once('exit', resolve));
    owner.kill('SIGKILL');
    await exited;
    const [failure] = await through(cache, [target]);
    expect(failure).toEqual({ errno: -2, syscall: 'open', path: target });
    expect(cache.size).toBe(0);
    expect(openFdCount()).toBe(fdsBefore);
  });

  it('closing during reads in flight neither crashes nor leaks, and threads come home', async () => {
    const cache = new native.NetlinkCache(8);
    const fdsBefore = openFdCount();
    for (let i = 0; i < 30; i++) {
      const pending = Promise.all([through(cache, pidTargets), through(cache, pidTargets)]);
      cache.closeAll();
      (await pending).flat().forEach(answerOf);
    }
    cache.closeAll();
    const home = readlinkSync('/proc/self/ns/net');
    await waitFor(
      () => openFdCount() === fdsBefore && threadNetnsLinks().every((link) => link === home),
      `descriptors back to ${fdsBefore} and every thread home`,
      5_000,
    );
    expect(() => cache.read([42 as unknown as string])).toThrow(TypeError);
    expect(() => new native.NetlinkCache(1.5)).toThrow(RangeError);
  });
});
