// A plain cgroup made with mkdir in every v1 controller, holding a real process: found and read by
// { cgroup } and { pid } references, with the numbers the kernel files hold.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerNotFoundError, readContainerStats, UnsupportedLayoutError } from '../../lib/index.js';
import { requireCgroupV1, requireRoot } from '../helpers/env.js';
import { removeCgroupDirs, waitFor } from '../helpers/wait.js';

const CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'blkio', 'pids', 'cpuset'];
const NAME = 'cts-plain';
const available = requireRoot() && requireCgroupV1();

function dir(controller: string): string {
  return `/sys/fs/cgroup/${controller}/${NAME}`;
}

describe.skipIf(!available)('a plain cgroup on the v1 hybrid host', () => {
  let child: ChildProcess;

  beforeAll(async () => {
    for (const controller of CONTROLLERS) {
      if (!existsSync(dir(controller))) mkdirSync(dir(controller));
    }
    // cpuset needs cpus and mems before a task may join.
    writeFileSync(`${dir('cpuset')}/cpuset.cpus`, readFileSync('/sys/fs/cgroup/cpuset/cpuset.cpus', 'utf8'));
    writeFileSync(`${dir('cpuset')}/cpuset.mems`, readFileSync('/sys/fs/cgroup/cpuset/cpuset.mems', 'utf8'));
    writeFileSync(`${dir('memory')}/memory.limit_in_bytes`, String(256 * 1024 * 1024));
    writeFileSync(`${dir('pids')}/pids.max`, '20');
    writeFileSync(`${dir('cpu')}/cpu.cfs_quota_us`, '150000');
    child = spawn('sh', ['-c', 'read x'], { stdio: ['pipe', 'ignore', 'ignore'] });
    for (const controller of CONTROLLERS) writeFileSync(`${dir(controller)}/cgroup.procs`, String(child.pid));
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await removeCgroupDirs(CONTROLLERS.map(dir));
  });

  it('reads it by { cgroup } with the values of its files', async () => {
    const stats = await readContainerStats({ cgroup: `/${NAME}` });
    expect(stats.runtime).toBe('cgroup');
    expect(stats.cgroup.path).toBe(`/${NAME}`);
    expect(stats.cgroup.version).toBe(1);
    expect(stats.pid).toBe(child.pid);
    expect(stats.memory.limit).toBe(256 * 1024 * 1024);
    expect(stats.pids).toEqual({ current: 1, limit: 20 });
    expect(stats.cpu.limitCores).toBe(1.5);
    const usage = Number(readFileSync(`${dir('memory')}/memory.usage_in_bytes`, 'utf8'));
    expect(Math.abs(stats.memory.usage - usage)).toBeLessThanOrEqual(256 * 1024);
    expect(stats.cpu.usageNs).toBeLessThanOrEqual(Number(readFileSync(`${dir('cpuacct')}/cpuacct.usage`, 'utf8')));
    // The process shares the test's network namespace, which is the host's.
    expect(stats.network?.mode).toBe('host');
  });

  it('reads it by { pid } as the same cgroup', async () => {
    const stats = await readContainerStats({ pid: child.pid! }, { network: false });
    expect(stats.cgroup.path).toBe(`/${NAME}`);
    expect(stats.pids.current).toBe(1);
  });

  it('a cgroup that does not exist is not found', async () => {
    await expect(readContainerStats({ cgroup: `/${NAME}-missing` })).rejects.toBeInstanceOf(ContainerNotFoundError);
  });

  it('a { pid } that is exiting (v1 shows its cgroups as "/") is not found, not taken for the root cgroup', async () => {
    // The inner sleep is killed and never reaped (its parent has exec'd another sleep that never waits):
    // it stays a zombie, which proc_cgroup_show reports in "/" on every v1 hierarchy, as it does for a
    // container's process between the kill and the reaping.
    const parent = spawn('sh', ['-c', 'sleep 1000 & echo $!; exec sleep 1000'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const pid = Number(
        await new Promise<string>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(String(chunk)))),
      );
      // Killed only once the shell has exec'd the outer sleep: the shell itself would reap it.
      await waitFor(
        () => readFileSync(`/proc/${parent.pid}/comm`, 'utf8').trim() === 'sleep',
        'the shell to exec sleep',
        5_000,
      );
      process.kill(pid, 'SIGKILL');
      await waitFor(
        () => /^\S+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')),
        'the killed sleep to be a zombie',
        5_000,
      );
      expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toMatch(/:pids:\/$/m);
      const error = await readContainerStats({ pid }, { network: false }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(ContainerNotFoundError);
      expect((error as Error).message).toMatch(/no process/);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('the root cgroup, which has no pids.current, is refused by name, not reported as vanished', async () => {
    const error = await readContainerStats({ cgroup: '/' }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnsupportedLayoutError);
    expect((error as Error).message).toMatch(/root cgroup of the pids hierarchy/);
  });
});
