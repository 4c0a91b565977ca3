// Every option is checked where it enters, with a typed error that names it, before anything is read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createMonitor,
  detectLayout,
  InvalidOptionError,
  InvalidReferenceError,
  listContainers,
  readContainerStats,
  readNetworkNamespace,
  resolveContainer,
  StatsSampler,
} from '../../lib/index.js';

async function rejection(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

async function expectOption(run: () => unknown, option: string): Promise<void> {
  const err = await rejection(run);
  expect(err).toBeInstanceOf(InvalidOptionError);
  expect((err as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
  expect((err as InvalidOptionError).option).toBe(option);
}

describe('options', () => {
  const empty = mkdtempSync(join(tmpdir(), 'ctrstat-options-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('an options argument that is not an object', async () => {
    for (const options of [null, 'x', 5, []]) {
      await expectOption(() => readContainerStats('web', options as never), 'options');
      await expectOption(() => listContainers(options as never), 'options');
      await expectOption(() => createMonitor(options as never), 'options');
      await expectOption(() => new StatsSampler(options as never), 'options');
    }
  });

  it('roots that are empty or relative (they would mean the working directory)', async () => {
    for (const procRoot of ['', 'proc', './proc', '../proc', '/pr\0oc']) {
      await expectOption(() => readContainerStats('web', { procRoot }), 'procRoot');
      await expectOption(() => detectLayout({ procRoot }), 'procRoot');
      await expectOption(() => readNetworkNamespace({ pid: 1 }, { procRoot }), 'procRoot');
    }
    await expectOption(() => listContainers({ sysRoot: 'sys' }), 'sysRoot');
    await expectOption(() => resolveContainer('web', { dockerRoot: 'docker' }), 'dockerRoot');
    await expectOption(() => resolveContainer('web', { podmanRoots: '/x' as never }), 'podmanRoots');
    await expectOption(() => resolveContainer('web', { containerdRoots: ['/ok', 'rel'] }), 'containerdRoots[1]');
  });

  it('a procRoot that is not a proc filesystem is refused by detectLayout, not by a later read', async () => {
    await expectOption(() => detectLayout({ procRoot: empty }), 'procRoot');
    await expectOption(() => listContainers({ procRoot: empty }), 'procRoot');
  });

  it('counts, flags and intervals, named as the caller named them', async () => {
    for (const maxFds of [-5, 1.5, Number.NaN, '10']) {
      await expectOption(() => createMonitor({ maxFds: maxFds as never }), 'maxFds');
      await expectOption(() => new StatsSampler({ keepFds: true, maxFds: maxFds as never }), 'maxFds');
    }
    await expectOption(() => new StatsSampler({ maxSockets: -1 }), 'maxSockets');
    await expectOption(() => new StatsSampler({ network: 'yes' as never }), 'network');
    await expectOption(() => createMonitor({ keepFds: 1 as never }), 'keepFds');
    await expectOption(() => listContainers({ includeSandboxes: 'true' as never }), 'includeSandboxes');
    for (const interval of [0, 0.5, 0.999, -1, Number.POSITIVE_INFINITY, 2 ** 31, '1000']) {
      await expectOption(() => createMonitor({ interval: interval as never }), 'interval');
    }
    await expectOption(() => createMonitor({ containers: 'x' as never }), 'containers');
  });

  it('a huge reference is not echoed whole', async () => {
    const err = await rejection(() => readContainerStats('x'.repeat(10_000)));
    expect(err).toBeInstanceOf(InvalidReferenceError);
    expect((err as Error).message.length).toBeLessThan(400);
    expect((err as Error).message).toContain('10000 characters');
  });
});
