// StatsSampler.sample() calls that overlap, on one sampler, each read the containers they were given:
// two plain v1 cgroups told apart by their memory limits, with and without kept descriptors.
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveContainer, StatsSampler, type ContainerStats } from '../../lib/index.js';
import { requireCgroupV1, requireRoot } from '../helpers/env.js';

const CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'blkio', 'pids'];
const GROUPS = [
  { name: 'cts-overlap-a', limit: 64 * 1024 * 1024 },
  { name: 'cts-overlap-b', limit: 96 * 1024 * 1024 },
];
const available = requireRoot() && requireCgroupV1();

describe.skipIf(!available)('overlapping samples of one StatsSampler', () => {
  beforeAll(() => {
    for (const { name, limit } of GROUPS) {
      for (const controller of CONTROLLERS)
        if (!existsSync(`/sys/fs/cgroup/${controller}/${name}`)) mkdirSync(`/sys/fs/cgroup/${controller}/${name}`);
      writeFileSync(`/sys/fs/cgroup/memory/${name}/memory.limit_in_bytes`, String(limit));
    }
  });

  afterAll(() => {
    for (const { name } of GROUPS) {
      for (const controller of CONTROLLERS)
        if (existsSync(`/sys/fs/cgroup/${controller}/${name}`)) rmdirSync(`/sys/fs/cgroup/${controller}/${name}`);
    }
  });

  it.each([false, true])('keepFds %s: every sample holds the numbers of its own container', async (keepFds) => {
    const [a, b] = await Promise.all(GROUPS.map(({ name }) => resolveContainer({ cgroup: `/${name}` })));
    const sampler = new StatsSampler({ network: false, keepFds });
    try {
      for (let round = 0; round < 40; round++) {
        // Alternately one container, the other, and both: registrations come and go while reads run.
        const sets = [[a!], [b!], [b!, a!]];
        const results = await Promise.all(sets.map((targets) => sampler.sample(targets)));
        results.forEach((stats, i) => {
          expect(stats.map((s) => (s as ContainerStats).memory?.limit)).toEqual(
            sets[i]!.map((t) => GROUPS.find((g) => `/${g.name}` === t.cgroup.path)!.limit),
          );
        });
      }
      // Without keepFds nothing stays open between samples.
      if (!keepFds) expect(sampler.openDescriptors).toBe(0);
    } finally {
      sampler.close();
    }
  });
});
