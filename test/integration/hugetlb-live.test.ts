// The hugetlb controller on this host's v1 hierarchy (scripts/setup-machine.sh mounts it where the kernel
// leaves the controller unbound): a container that maps huge pages, against the kernel's own files.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readContainerStats } from '../../lib/index.js';
import { ensureTestImage, TEST_IMAGE, withContainers } from '../helpers/docker.js';
import { requireCommand, requireDocker, requireHost, requireRoot } from '../helpers/env.js';
import { programDir } from '../helpers/programs.js';

const execFileAsync = promisify(execFile);
const HIERARCHY = '/sys/fs/cgroup/hugetlb';
const NR_HUGEPAGES = '/proc/sys/vm/nr_hugepages';
const PAGE = 2 * 1024 * 1024;
const ready =
  requireRoot() &&
  requireDocker() &&
  requireCommand('gcc') &&
  requireHost(
    existsSync(`${HIERARCHY}/hugetlb.2MB.usage_in_bytes`),
    'a cgroup v1 hugetlb hierarchy at /sys/fs/cgroup/hugetlb',
    'scripts/setup-machine.sh mounts one where the kernel leaves hugetlb unbound',
  ) &&
  requireHost(existsSync('/sys/kernel/mm/hugepages/hugepages-2048kB'), '2 MiB huge pages');

const file = (id: string, name: string) => readFileSync(`${HIERARCHY}/docker/${id}/hugetlb.2MB.${name}`, 'utf8').trim();

describe.skipIf(!ready)('hugetlb on a live v1 hierarchy', () => {
  const containers = withContainers('ctm-huge-');
  let pagesBefore = '0';
  let id = '';

  beforeAll(async () => {
    // A few 2 MiB pages in the pool, given back afterwards.
    pagesBefore = readFileSync(NR_HUGEPAGES, 'utf8').trim();
    if (Number(pagesBefore) < 8) writeFileSync(NR_HUGEPAGES, '8');
    await ensureTestImage();
    const programs = programDir('hugetouch');
    ({ id } = await containers.run([
      '--name',
      containers.name('maps'),
      '-v',
      `${programs}:/p:ro`,
      TEST_IMAGE,
      '/p/hugetouch',
      '2',
    ]));
    // The pages are touched before "ready" is printed.
    const deadline = Date.now() + 20_000;
    while (!(await execFileAsync('docker', ['logs', id])).stdout.includes('ready')) {
      if (Date.now() > deadline) throw new Error('hugetouch did not map its pages');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  afterAll(async () => {
    await containers.removeAll();
    writeFileSync(NR_HUGEPAGES, pagesBefore);
  });

  it('reads usage, peak, limit and failures of every page size, equal to the kernel files', async () => {
    const stats = await readContainerStats(id, { network: false });
    // Every page size the host has (1 GiB pages too where the CPU has them), the others unused.
    const sizes = readdirSync('/sys/kernel/mm/hugepages').map((name) => {
      const kib = Number(/^hugepages-(\d+)kB$/.exec(name)![1]);
      return kib >= 1024 * 1024 ? `${kib / 1024 / 1024}GB` : `${kib / 1024}MB`;
    });
    expect(Object.keys(stats.hugetlb ?? {}).sort()).toEqual(sizes.sort());
    expect(stats.hugetlb!['2MB']).toEqual({ usage: 2 * PAGE, maxUsage: 2 * PAGE, limit: null, failcnt: 0 });
    for (const size of sizes.filter((size) => size !== '2MB')) {
      expect(stats.hugetlb![size]).toEqual({ usage: 0, maxUsage: 0, limit: null, failcnt: 0 });
    }
    expect(file(id, 'usage_in_bytes')).toBe(String(2 * PAGE));

    // A limit of three pages: a second process asking for two more is killed at its fault (SIGBUS).
    writeFileSync(`${HIERARCHY}/docker/${id}/hugetlb.2MB.limit_in_bytes`, String(3 * PAGE));
    const more = await execFileAsync('docker', ['exec', id, '/p/hugetouch', '2', 'exit']).then(
      () => 0,
      (err: { code: number }) => err.code,
    );
    expect(more).toBe(128 + 7);
    const after = await readContainerStats(id, { network: false });
    expect(after.hugetlb!['2MB']).toEqual({
      usage: Number(file(id, 'usage_in_bytes')),
      maxUsage: Number(file(id, 'max_usage_in_bytes')),
      limit: 3 * PAGE,
      failcnt: Number(file(id, 'failcnt')),
    });
    expect(after.hugetlb!['2MB']!.usage).toBe(2 * PAGE);
    expect(after.hugetlb!['2MB']!.maxUsage).toBe(3 * PAGE);
    expect(after.hugetlb!['2MB']!.failcnt).toBeGreaterThanOrEqual(1);
  });
});
