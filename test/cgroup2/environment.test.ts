// Layer (i) of the live cgroup v2 tier: the VM really is a pure cgroup v2 system, the runtimes use
// the expected driver and cgroup shapes, and the workloads produce the kernel state the library
// tests rely on. Independent of lib/.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import {
  cgroupDir,
  cgroupProcs,
  CGROUP_ROOT,
  dockerInspect,
  dockerStats,
  MiB,
  procCgroup,
  readFlat,
  readIoStat,
  readPressure,
  readValue,
  run,
} from './helpers.js';
import { LIMITS, type PlainScenario, type Started } from './scenarios.js';

const s = inject('scenarios');
const get = <T>(started: Started<T>): T => {
  if (!started.ok) throw new Error(started.error);
  return started.value;
};

describe('pure cgroup v2 kernel', () => {
  it('mounts cgroup2 at /sys/fs/cgroup and no v1 hierarchy', () => {
    expect(execFileSync('stat', ['-f', '-c', '%T', CGROUP_ROOT], { encoding: 'utf8' }).trim()).toBe('cgroup2fs');
    const fstypes = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' - ')[1]!.split(' ')[0]);
    expect(fstypes).toContain('cgroup2');
    expect(fstypes).not.toContain('cgroup');
    expect(readFileSync('/proc/cmdline', 'utf8')).toContain('cgroup_no_v1=all');
    expect(readFileSync('/proc/self/cgroup', 'utf8')).toMatch(/^0::\/\S*\n$/);
  });

  it('enables the controllers ctrstat reads', () => {
    const available = readFileSync(`${CGROUP_ROOT}/cgroup.controllers`, 'utf8').trim().split(' ');
    const enabled = readFileSync(`${CGROUP_ROOT}/cgroup.subtree_control`, 'utf8').trim().split(' ');
    for (const c of ['cpuset', 'cpu', 'io', 'memory', 'pids']) {
      expect(available).toContain(c);
      expect(enabled).toContain(c);
    }
  });

  it('has PSI, swap and the scratch disk', () => {
    for (const r of ['cpu', 'memory', 'io'] as const)
      expect(readPressure(CGROUP_ROOT, r).some.total).toBeGreaterThanOrEqual(0);
    expect(readFileSync('/proc/swaps', 'utf8')).toContain(process.env.CTRSTAT_VM_SWAP_DEV ?? '/dev/vda');
    expect(s.scratch.major).toBeGreaterThan(0);
  });

  it(`runs under the ${s.driver} layout`, () => {
    const self = readFileSync('/proc/self/cgroup', 'utf8');
    if (s.driver === 'systemd') {
      expect(readFileSync('/proc/1/comm', 'utf8').trim()).toBe('systemd');
      expect(self).toContain('/system.slice/');
    } else {
      expect(readFileSync('/proc/1/comm', 'utf8').trim()).not.toBe('systemd');
    }
  });
});

// run-tests.sh boots every VM with --docker --podman: a missing runtime fails here, it is not skipped.
describe('docker on cgroup v2', () => {
  it(`reports Cgroup Version 2 and the ${s.driver} driver`, async () => {
    expect(s.docker, 'dockerd in the VM (CTRSTAT_VM_DOCKER=1, run-v2-vm.sh --docker)').toBe(true);
    const info = JSON.parse(await run('docker', ['info', '--format', '{{json .}}'])) as {
      CgroupVersion: string;
      CgroupDriver: string;
    };
    expect(info.CgroupVersion).toBe('2');
    expect(info.CgroupDriver).toBe(s.driver);
  });

  const containers = ['cpu', 'memory', 'io', 'pids', 'netServer', 'netClient'] as const;
  it.each(containers)("puts the %s container at the driver's cgroup path", async (key) => {
    const c = get(s.containers[key]);
    const expected = s.driver === 'systemd' ? `/system.slice/docker-${c.id}.scope` : `/docker/${c.id}`;
    expect(c.cgroup).toBe(expected);
    expect(procCgroup(c.pid)).toBe(expected);
    expect(existsSync(`${cgroupDir(expected)}/memory.current`)).toBe(true);
    expect(cgroupProcs(c.dir)).toContain(c.pid);
  });

  it('applies --cpus, --memory, --memory-swap and --pids-limit to the cgroup files', async () => {
    const cpu = get(s.containers.cpu);
    expect(readFileSync(`${cpu.dir}/cpu.max`, 'utf8').trim()).toBe('50000 100000');
    const mem = get(s.containers.memory);
    expect(readValue(mem.dir, 'memory.max')).toBe(LIMITS.dockerMemory);
    expect(readValue(mem.dir, 'memory.swap.max')).toBe(LIMITS.dockerMemorySwap - LIMITS.dockerMemory);
    const pids = get(s.containers.pids);
    expect(readValue(pids.dir, 'pids.max')).toBe(LIMITS.dockerPidsLimit);
    expect(readValue(pids.dir, 'pids.current')).toBe(LIMITS.dockerPidsProcs);
  });

  it('throttles the --cpus 0.5 container', () => {
    const stat = readFlat(get(s.containers.cpu).dir, 'cpu.stat');
    expect(stat.nr_throttled).toBeGreaterThan(0);
    expect(stat.throttled_usec).toBeGreaterThan(0);
  });

  it("swaps out the memory container's tmpfs beyond --memory", () => {
    const c = get(s.containers.memory);
    expect(readValue(c.dir, 'memory.swap.current')).toBeGreaterThanOrEqual(LIMITS.dockerFill - LIMITS.dockerMemory);
    expect(readValue(c.dir, 'memory.current')).toBeLessThanOrEqual(LIMITS.dockerMemory);
    expect(readFlat(c.dir, 'memory.events').max).toBeGreaterThan(0);
  });

  it('charges the direct I/O on the volume to the io container', () => {
    const total = readIoStat(get(s.containers.io).dir).reduce((a, l) => ({ r: a.r + l.rbytes, w: a.w + l.wbytes }), {
      r: 0,
      w: 0,
    });
    expect(total.w).toBeGreaterThanOrEqual(LIMITS.dockerIoBytes);
    expect(total.r).toBeGreaterThanOrEqual(LIMITS.dockerIoBytes);
  });

  it('serves stats from the Engine API that match the kernel files', async () => {
    const c = get(s.containers.pids);
    const [stats, inspect] = await Promise.all([dockerStats(c.id), dockerInspect(c.id)]);
    expect(stats.pids_stats.current).toBe(LIMITS.dockerPidsProcs);
    expect(stats.pids_stats.limit).toBe(LIMITS.dockerPidsLimit);
    expect(inspect.HostConfig.PidsLimit).toBe(LIMITS.dockerPidsLimit);
    expect(stats.memory_stats.usage).toBeGreaterThan(0);
  });

  it('lets the two containers on the user network talk', () => {
    const client = get(s.containers.netClient);
    get(s.containers.netServer);
    const log = readFileSync(`/proc/${client.pid}/root/tmp/ping.log`, 'utf8');
    expect(log).toMatch(/20 packets transmitted, 20 packets received/);
  });
});

describe('podman on cgroup v2', () => {
  it(`puts the container at the ${s.driver} manager's cgroup path`, () => {
    expect(s.podman, 'podman in the VM (CTRSTAT_VM_PODMAN=1, run-v2-vm.sh --podman)').toBe(true);
    const c = get(s.containers.podman);
    const expected = s.driver === 'systemd' ? `/machine.slice/libpod-${c.id}.scope` : `/libpod_parent/libpod-${c.id}`;
    expect(c.cgroup).toBe(expected);
    expect(readValue(c.dir, 'memory.max')).toBe(LIMITS.podmanMemory);
    expect(readValue(c.dir, 'pids.max')).toBe(LIMITS.podmanPidsLimit);
    expect(readValue(c.dir, 'pids.current')).toBe(2);
  });
});

describe('plain cgroup workloads', () => {
  const plain = (key: keyof typeof s.plain): PlainScenario => get(s.plain[key]);

  it('throttles the cpu.max "50000 100000" burner', () => {
    const dir = plain('cpu').dir;
    expect(readFileSync(`${dir}/cpu.max`, 'utf8').trim()).toBe(LIMITS.plainCpuMax);
    const stat = readFlat(dir, 'cpu.stat');
    expect(stat.nr_throttled).toBeGreaterThan(0);
    expect(stat.usage_usec).toBeGreaterThan(0);
  });

  it('pushes the memory cgroup over memory.high into swap, with memory pressure', () => {
    const dir = plain('memory').dir;
    expect(readValue(dir, 'memory.high')).toBe(LIMITS.plainMemoryHigh);
    expect(readValue(dir, 'memory.swap.current')).toBeGreaterThanOrEqual(LIMITS.plainFill - LIMITS.plainMemoryMax);
    expect(readFlat(dir, 'memory.events').high).toBeGreaterThan(0);
    expect(readValue(dir, 'memory.peak')).toBeGreaterThanOrEqual(LIMITS.plainMemoryHigh);
    expect(readPressure(dir, 'memory').some.total).toBeGreaterThan(0);
    const swapDev = readIoStat(dir);
    expect(swapDev.reduce((a, l) => a + l.wbytes, 0)).toBeGreaterThan(0);
  });

  it('charges direct I/O on the scratch disk to the io cgroup', () => {
    const line = readIoStat(plain('io').dir).find((l) => l.major === s.scratch.major && l.minor === s.scratch.minor);
    expect(line?.wbytes).toBeGreaterThanOrEqual(LIMITS.plainIoWrite);
    expect(line?.rbytes).toBeGreaterThanOrEqual(LIMITS.plainIoRead);
  });

  it("counts the pids cgroup's processes against pids.max", () => {
    const dir = plain('pids').dir;
    expect(readValue(dir, 'pids.max')).toBe(LIMITS.plainPidsMax);
    expect(readValue(dir, 'pids.current')).toBe(LIMITS.plainPidsProcs);
  });
});

it('reports the scenario start-up times', () => {
  console.log(
    `[scenarios] timings (s): ${JSON.stringify(s.timings)}; memory available ${Math.round(Number(readFileSync('/proc/meminfo', 'utf8').match(/MemAvailable:\s+(\d+)/)?.[1]) / 1024)} MiB`,
  );
  expect(Object.keys(s.timings).length).toBeGreaterThan(0);
  void MiB;
});
