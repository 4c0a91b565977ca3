// A container's process is its own (its init), not whichever of its cgroup's processes is listed first.
// PIDs wrap around, so a child of the init or an exec'd process can have a lower PID than the init; on
// cgroup v1 cgroup.procs is sorted, so it is listed first, and when it exits the container must not
// seem to stop. The kernel's ns_last_pid sets where the host's next PIDs are taken from, which makes the
// wrap-around happen at once.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listContainers } from '../../lib/discovery/list.js';
import { createMonitor, type MonitorSample } from '../../lib/monitor/monitor.js';
import { readContainerStats } from '../../lib/stats.js';
import type { ContainerInfo } from '../../lib/types.js';
import { ensureTestImage, TEST_IMAGE, withContainers } from '../helpers/docker.js';
import { requireDocker, requireRoot } from '../helpers/env.js';
import { waitFor } from '../helpers/wait.js';

const execFileAsync = promisify(execFile);
const ready = requireRoot() && requireDocker();
const LAST_PID = '/proc/sys/kernel/ns_last_pid';

function setNextPid(after: number): void {
  writeFileSync(LAST_PID, String(after));
}

function cgroupPids(cgroupPath: string): number[] {
  const dirs = ['/sys/fs/cgroup/pids', '/sys/fs/cgroup'];
  for (const dir of dirs) {
    try {
      return readFileSync(join(dir, cgroupPath, 'cgroup.procs'), 'latin1')
        .split('\n')
        .filter((line) => line !== '')
        .map(Number);
    } catch {
      /* the next layout */
    }
  }
  throw new Error(`no cgroup.procs for ${cgroupPath}`);
}

describe.skipIf(!ready)('a container whose other processes have lower PIDs than its init', () => {
  const containers = withContainers('ctrstat-own-');
  beforeAll(() => ensureTestImage(), 120_000);
  afterAll(() => containers.removeAll());

  it('is its init: for a read, a listing and a monitor, which never sees it stop while the others come and go', async () => {
    const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'latin1'));
    // The init high up, then every later process (the shell's `sleep` children, an exec'd one) low down.
    setNextPid(pidMax - 4000);
    const name = containers.name('wrap');
    const { id, pid: init } = await containers.run([
      '-d',
      '--name',
      name,
      TEST_IMAGE,
      'sh',
      '-c',
      'while :; do sleep 0.3; done',
    ]);
    expect(init).toBeGreaterThan(pidMax - 4000);
    setNextPid(300);
    await execFileAsync('docker', ['exec', '-d', id, 'sleep', '3']);
    const cgroupPath = (await listContainers()).find((c) => c.id === id)!.cgroup.path;
    // Both kinds below the init: a child of it and an exec'd process (whose parent is the runtime's shim).
    let low: number[] = [];
    await waitFor(() => {
      low = cgroupPids(cgroupPath).filter((pid) => pid < init);
      return low.length >= 2;
    }, 'processes with lower PIDs than the init');

    expect((await readContainerStats(id)).pid).toBe(init);
    expect((await listContainers()).find((c) => c.id === id)?.pid).toBe(init);

    const monitor = createMonitor({ interval: 100, containers: [id] });
    const removed: ContainerInfo[] = [];
    const samples: MonitorSample[] = [];
    monitor.on('removed', (info) => removed.push(info));
    monitor.on('sample', (sample) => samples.push(sample));
    monitor.on('error', () => {});
    try {
      // Until every process that had a lower PID than the init has exited, and a few sweeps after.
      await waitFor(() => !cgroupPids(cgroupPath).some((pid) => low.includes(pid)), 'those processes to exit');
      const seen = samples.length;
      await waitFor(() => samples.length >= seen + 3, 'three more samples');
    } finally {
      await monitor.close();
    }
    expect(removed.map((info) => info.id)).toEqual([]);
    expect(samples.length).toBeGreaterThan(3);
    expect(new Set(samples.map((sample) => sample.stats.pid))).toEqual(new Set([init]));
  }, 60_000);
});
