// ctrstat running inside a container, with the host's /proc and /sys mounted at /host/proc and /host/sys:
// in the host's cgroup and PID namespaces or in its own, as agents are deployed. What it lists and reads
// there must be what it lists and reads on the host, PIDs in the host's PID namespace included.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listContainers } from '../../lib/discovery/list.js';
import { readContainerStats } from '../../lib/stats.js';
import type { ContainerInfo, ContainerStats } from '../../lib/types.js';
import { ensureTestImage, inspect, TEST_IMAGE, withContainers } from '../helpers/docker.js';
import { requireDocker, requireRoot } from '../helpers/env.js';

const execFileAsync = promisify(execFile);
const ready = requireRoot() && requireDocker();
const repo = join(import.meta.dirname, '../..');
const dist = join(repo, 'dist/index.cjs');

const OPTIONS = { procRoot: '/host/proc', sysRoot: '/host/sys', dockerRoot: '/host/var/lib/docker' };

/** What the agent inside prints: its listing, and the target read four ways (or the error it got). */
const AGENT = `
const lib = require(${JSON.stringify(dist)});
const options = ${JSON.stringify(OPTIONS)};
const attempt = (promise) => promise.then((value) => ({ value }), (e) => ({ error: { name: e.name, code: e.code, message: e.message } }));
(async () => {
  const [name, prefix, pid] = process.argv.slice(1);
  const list = await lib.listContainers(options);
  const byName = await attempt(lib.readContainerStats(name, options));
  const byPrefix = await attempt(lib.readContainerStats(prefix, { ...options, network: false }));
  const byPid = await attempt(lib.readContainerStats({ pid: Number(pid) }, options));
  process.stdout.write(JSON.stringify({ list, byName, byPrefix, byPid }));
})().catch((e) => { console.error(e); process.exit(1); });`;

interface AgentAnswer {
  list: ContainerInfo[];
  byName: { value?: ContainerStats; error?: { name: string; code: string; message: string } };
  byPrefix: { value?: ContainerStats; error?: { name: string; code: string; message: string } };
  byPid: { value?: ContainerStats; error?: { name: string; code: string; message: string } };
}

describe.skipIf(!ready)('ctrstat inside a container, the host mounted at /host', () => {
  const containers = withContainers('ctm-inside-');
  let target: { id: string; pid: number; name: string };

  beforeAll(async () => {
    await ensureTestImage();
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run tsup first (npm test does)`);
    const name = containers.name('target');
    const started = await containers.run([
      '--name',
      name,
      '--memory',
      '64m',
      '--pids-limit',
      '33',
      '--cpus',
      '0.5',
      TEST_IMAGE,
      'sleep',
      '3600',
    ]);
    target = { ...started, name };
  });

  afterAll(() => containers.removeAll());

  async function agent(flags: string[]): Promise<AgentAnswer> {
    const { stdout } = await execFileAsync(
      'docker',
      [
        'run',
        '--rm',
        '--network',
        'none',
        ...flags,
        '-v',
        '/usr:/usr:ro',
        '-v',
        '/lib:/lib:ro',
        '-v',
        '/lib64:/lib64:ro',
        '-v',
        `${repo}:${repo}:ro`,
        '-v',
        '/proc:/host/proc:ro',
        '-v',
        '/sys:/host/sys:ro',
        '-v',
        '/var/lib/docker:/host/var/lib/docker:ro',
        TEST_IMAGE,
        '/usr/bin/node',
        '-e',
        AGENT,
        target.name,
        target.id.slice(0, 12),
        String(target.pid),
      ],
      { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return JSON.parse(stdout) as AgentAnswer;
  }

  const privileged = ['--cap-add', 'SYS_ADMIN', '--cap-add', 'SYS_PTRACE', '--security-opt', 'seccomp=unconfined'];

  it.each([
    ['host', 'host'],
    ['host', 'private'],
    ['private', 'host'],
    ['private', 'private'],
  ])(
    'cgroup namespace %s, PID namespace %s: the same containers, host PIDs, and the same stats',
    async (cgroupns, pidns) => {
      const before = await readContainerStats(target.id);
      const listedHere = await listContainers();
      const answer = await agent([
        ...privileged,
        '--cgroupns',
        cgroupns,
        ...(pidns === 'host' ? ['--pid', 'host'] : []),
      ]);
      const after = await readContainerStats(target.id);

      // This test's containers, listed on the host, are listed the same inside (other containers on the
      // machine may come and go between the two listings; the agent's own container does).
      const ours = listedHere.filter((here) => here.name?.startsWith(containers.name('')) === true);
      expect(ours.map((here) => here.id)).toContain(target.id);
      for (const here of ours) {
        expect(
          answer.list.find((c) => c.id === here.id),
          here.id,
        ).toEqual(here);
      }
      const inspected = await inspect(target.id);
      expect(answer.list.find((c) => c.id === target.id)).toMatchObject({
        name: target.name,
        pid: inspected.State.Pid,
      });

      for (const read of [answer.byName, answer.byPrefix, answer.byPid]) {
        expect(read.error).toBeUndefined();
        const stats = read.value!;
        expect(stats).toMatchObject({
          id: target.id,
          name: target.name,
          runtime: 'docker',
          cgroup: before.cgroup,
          pid: target.pid,
        });
        expect(stats.memory.limit).toBe(64 * 2 ** 20);
        expect(stats.pids).toEqual({ current: 1, limit: 33 });
        expect(stats.cpu.limitCores).toBe(0.5);
        expect(stats.cpu.usageNs).toBeGreaterThanOrEqual(before.cpu.usageNs);
        expect(stats.cpu.usageNs).toBeLessThanOrEqual(after.cpu.usageNs);
        expect(stats.host.memTotal).toBe(before.host.memTotal);
      }
      for (const read of [answer.byName, answer.byPid]) {
        const network = read.value!.network!;
        expect(network).toMatchObject({ mode: 'private', netns: before.network!.netns });
        expect(network.rxBytes).toBeGreaterThanOrEqual(before.network!.rxBytes!);
        expect(network.rxBytes).toBeLessThanOrEqual(after.network!.rxBytes!);
        expect(Object.keys(network.interfaces).sort()).toEqual(Object.keys(before.network!.interfaces).sort());
      }
      expect(answer.byPrefix.value!.network).toBeNull();
    },
  );

  it('without CAP_SYS_ADMIN the cgroup stats are read and the network read is refused with the privilege named', async () => {
    const answer = await agent(['--cgroupns', 'private']);
    expect(answer.byPrefix.error).toBeUndefined();
    expect(answer.byPrefix.value!.pids).toEqual({ current: 1, limit: 33 });
    expect(answer.byName.error).toMatchObject({ name: 'PermissionDeniedError' });
    expect(answer.byName.error!.message).toMatch(/CAP_SYS_ADMIN/);
  });
});
