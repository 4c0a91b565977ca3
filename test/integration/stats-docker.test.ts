// readContainerStats against real Docker containers doing real work, compared with the cgroup files
// and with Docker's own stats API (one-shot) read at the same moment. Values that move while both are
// read are bracketed: ctrstat before ≤ Docker ≤ ctrstat after.
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AmbiguousReferenceError,
  ContainerNotFoundError,
  InvalidReferenceError,
  computeUsage,
  readContainerStats,
  listContainers,
  type ContainerStats,
} from '../../lib/index.js';
import { resolveContainer } from '../../lib/discovery/resolve.js';
import { ownershipKnown } from '../../lib/network/census.js';
import { ensureTestImage, inspect, statsOneShot, withContainers, type DockerStats } from '../helpers/docker.js';
import { expectBetween } from '../helpers/bounds.js';
import { waitFor } from '../helpers/wait.js';
import { requireDocker, requireRoot } from '../helpers/env.js';

const run = promisify(execFile);
const docker = (...args: string[]) => run('docker', args, { timeout: 120_000 }).then((r) => r.stdout.trim());
const available = requireRoot() && requireDocker();
const containers = withContainers('cts-');
const NET = 'cts-net';
const NET2 = 'cts-net2';
const VOLUME = 'cts-vol';
const MiB = 1024 * 1024;

interface Scenario {
  id: string;
  pid: number;
}
const s: Record<string, Scenario> = {};

function cgroupFile(controller: string, id: string, file: string): string {
  return readFileSync(`/sys/fs/cgroup/${controller}/docker/${id}/${file}`, 'utf8').trim();
}

/** ctrstat, then Docker, then ctrstat again, as close together as the calls allow. */
async function bracket(id: string): Promise<{ before: ContainerStats; api: DockerStats; after: ContainerStats }> {
  const before = await readContainerStats(id);
  const api = await statsOneShot(id);
  const after = await readContainerStats(id);
  return { before, api, after };
}

/** Docker's memory limit: the cgroup limit, capped at the host's memory. */
function dockerLimit(stats: ContainerStats): number {
  return Math.min(stats.memory.limit ?? Infinity, stats.host.memTotal);
}

function sumBlkio(api: DockerStats, op: string): number {
  return (api.blkio_stats.io_service_bytes_recursive ?? [])
    .filter((e) => e.op.toLowerCase() === op)
    .reduce((sum, e) => sum + e.value, 0);
}

describe.skipIf(!available)('readContainerStats on real Docker containers (cgroup v1)', () => {
  beforeAll(async () => {
    await ensureTestImage();
    await containers.removeAll();
    await docker('network', 'rm', NET, NET2).catch(() => undefined);
    await docker('volume', 'rm', '-f', VOLUME).catch(() => undefined);
    await docker('network', 'create', NET);
    await docker('network', 'create', NET2);
    await docker('volume', 'create', VOLUME);
    const started = await Promise.all([
      containers.run(['--name', 'cts-idle', 'bb:local', 'sleep', '3600']),
      containers.run(['--name', 'cts-burn', 'bb:local', 'sh', '-c', 'while :; do :; done']),
      containers.run([
        '--name',
        'cts-mem',
        '--memory',
        '64m',
        '--memory-swap',
        '128m',
        '--tmpfs',
        '/t:size=200m',
        'bb:local',
        'sh',
        '-c',
        'dd if=/dev/zero of=/t/fill bs=1M count=40 && sleep 3600',
      ]),
      containers.run([
        '--name',
        'cts-io',
        '--device-write-bps',
        '/dev/vda:500mb',
        '-v',
        `${VOLUME}:/data`,
        'bb:local',
        'sh',
        '-c',
        'dd if=/dev/zero of=/data/f bs=1M count=24 oflag=direct && echo written && sleep 3600',
      ]),
      containers.run([
        '--name',
        'cts-srv',
        '--network',
        NET,
        'bb:local',
        'sh',
        '-c',
        'sleep 3600 | nc -l -p 9000 > /dev/null; sleep 3600',
      ]),
      containers.run(['--name', 'cts-host', '--network', 'host', 'bb:local', 'sleep', '3600']),
      containers.run(['--name', 'cts-none', '--network', 'none', 'bb:local', 'sleep', '3600']),
      containers.run([
        '--name',
        'cts-limits',
        '--cpus',
        '0.5',
        '--pids-limit',
        '50',
        '--memory',
        '96m',
        'bb:local',
        'sh',
        '-c',
        'sleep 3600 & sleep 3600 & sleep 3600 & wait',
      ]),
    ]);
    for (const c of started) {
      const name = (await inspect(c.id)).Name.replace(/^\/cts-/, '');
      s[name] = c;
    }
    s.joined = await containers.run([
      '--name',
      'cts-joined',
      '--network',
      `container:${s.idle!.id}`,
      'bb:local',
      'sleep',
      '3600',
    ]);
    await docker('network', 'connect', NET2, 'cts-srv');
    // A known amount of traffic from a client on the same bridge, then silence. (busybox nc stops at
    // EOF on its stdin: the server's stdin is a pipe that stays open.)
    const srvIp = await docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${NET}").IPAddress}}`, 'cts-srv');
    await docker(
      'run',
      '--rm',
      '--name',
      'cts-client',
      '--network',
      NET,
      'bb:local',
      'sh',
      '-c',
      `dd if=/dev/zero bs=1k count=2048 2>/dev/null | nc ${srvIp} 9000`,
    );
    await waitFor(
      () =>
        cgroupFile('memory', s.mem!.id, 'memory.usage_in_bytes') > '0' &&
        Number(cgroupFile('memory', s.mem!.id, 'memory.usage_in_bytes')) > 40 * MiB,
      'the tmpfs fill',
    );
    await waitFor(async () => (await docker('logs', 'cts-io')).includes('written'), 'the direct-I/O writes', 60_000);
  }, 240_000);

  afterAll(async () => {
    await containers.removeAll();
    await docker('rm', '-f', 'cts-client').catch(() => undefined);
    await docker('network', 'rm', NET, NET2).catch(() => undefined);
    await docker('volume', 'rm', '-f', VOLUME).catch(() => undefined);
  }, 120_000);

  it('an idle container: memory, CPU and PIDs agree with the cgroup files and Docker', async () => {
    const { id } = s.idle!;
    const { before, api, after } = await bracket(id);
    expect(before.id).toBe(id);
    expect(before.name).toBe('cts-idle');
    expect(before.runtime).toBe('docker');
    expect(before.cgroup).toMatchObject({ version: 1, path: `/docker/${id}` });
    expect(before.pid).toBe(s.idle!.pid);
    expectBetween(api.memory_stats.usage, before.memory.usage, after.memory.usage, 'memory usage');
    expectBetween(api.cpu_stats.cpu_usage.total_usage, before.cpu.usageNs, after.cpu.usageNs, 'cpu usage');
    expect(after.memory.limit).toBeNull();
    // Unlimited: null in memory.stat too, where the kernel (and Docker) write LONG_MAX.
    expect(api.memory_stats.stats!.hierarchical_memory_limit).toBeGreaterThan(2 ** 62);
    expect(after.memory.stat.hierarchical_memory_limit).toBeNull();
    expect(api.memory_stats.limit).toBe(dockerLimit(after));
    expect(after.pids.current).toBe(api.pids_stats.current);
    expect(after.memory.stat.total_inactive_file).toBe(
      Number(/total_inactive_file (\d+)/.exec(cgroupFile('memory', id, 'memory.stat'))![1]),
    );
    const inactive = api.memory_stats.stats!.total_inactive_file!;
    expect(Math.abs(after.memory.workingSet - (api.memory_stats.usage! - inactive))).toBeLessThanOrEqual(
      0.01 * after.memory.usage + 64 * 1024,
    );
    expect(after.host.onlineCpus).toBe(api.cpu_stats.online_cpus);
    expect(after.cpu.perCpuNs!.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(after.cpu.limitCores).toBeNull();
    expect(after.pressure?.memory?.some.avg10).toBeTypeOf('number');
  });

  it("pressure is each resource's own PSI file in the unified directory, read between two reads of it", async () => {
    const resources = ['cpu', 'memory', 'io'] as const;
    /** Per resource: the `some` total in ns and whether there is a `full` line, as the kernel's file says now. */
    const psi = (id: string) =>
      resources.map((resource) => {
        const text = cgroupFile('unified', id, `${resource}.pressure`);
        return { some: Number(/^some .*total=(\d+)$/m.exec(text)![1]) * 1000, full: /^full /m.test(text) };
      });
    for (const name of ['burn', 'io', 'mem']) {
      const { id } = s[name]!;
      const low = psi(id);
      const stats = await readContainerStats(id);
      const high = psi(id);
      const pressure = stats.pressure!;
      resources.forEach((resource, r) => {
        expectBetween(pressure[resource]!.some.totalNs, low[r]!.some, high[r]!.some, `${name} ${resource} some total`);
        expect(pressure[resource]!.full !== null).toBe(high[r]!.full);
      });
      // A lazy property like the others to JSON and Object.keys, made once.
      expect(Object.keys(stats)).toContain('pressure');
      expect(JSON.parse(JSON.stringify(stats)).pressure).toEqual(pressure);
      expect(stats.pressure).toBe(pressure);
    }
    // The direct writes of cts-io waited on the disk: its io total is not the other resources' (a mix-up shows).
    const io = (await readContainerStats(s.io!.id)).pressure!;
    expect(io.io!.some.totalNs).toBeGreaterThan(0);
  });

  it('a sample and its usage are made by constructors, every part with its fields in the documented order', async () => {
    // Object literals would be moved to the old generation by V8 once most of a sweep's survive a young GC.
    const { id } = s.io!;
    const first = await readContainerStats(id);
    const stats = await readContainerStats(id);
    const usage = computeUsage(first, stats);
    const parts: Array<[string, object, string[]]> = [
      [
        'sample',
        stats,
        [
          'id',
          'name',
          'runtime',
          'image',
          'imageId',
          'labels',
          'kubernetes',
          'containerdNamespace',
          'cgroup',
          'pid',
          'startedAt',
          'timestamp',
          'monotonicNs',
          'memory',
          'cpu',
          'blkio',
          'pids',
          'hugetlb',
          'network',
          'host',
          'pressure',
        ],
      ],
      ['cgroup', stats.cgroup, ['version', 'path', 'inode']],
      [
        'memory',
        stats.memory,
        ['usage', 'limit', 'workingSet', 'rss', 'cache', 'swap', 'maxUsage', 'oomEvents', 'failcnt', 'events', 'stat'],
      ],
      ['memory.swap', stats.memory.swap, ['usage', 'limit']],
      [
        'cpu',
        stats.cpu,
        ['usageNs', 'userNs', 'systemNs', 'perCpuNs', 'throttling', 'limitCores', 'quotaUs', 'periodUs', 'cpusetCpus'],
      ],
      ['cpu.throttling', stats.cpu.throttling, ['periods', 'throttledPeriods', 'throttledNs']],
      ['blkio', stats.blkio, ['readBytes', 'writeBytes', 'readOps', 'writeOps', 'devices']],
      [
        'blkio.devices[0]',
        stats.blkio.devices[0]!,
        ['major', 'minor', 'name', 'readBytes', 'writeBytes', 'readOps', 'writeOps'],
      ],
      ['pids', stats.pids, ['current', 'limit']],
      [
        'network',
        stats.network!,
        [
          'mode',
          'netns',
          'sharedWith',
          'rxBytes',
          'txBytes',
          'rxPackets',
          'txPackets',
          'rxErrors',
          'txErrors',
          'rxDropped',
          'txDropped',
          'interfaces',
        ],
      ],
      ['usage', usage, ['id', 'name', 'timestamp', 'intervalNs', 'reset', 'cpu', 'memory', 'network', 'blkio', 'pids']],
      ['usage.cpu', usage.cpu, ['percent', 'percentOfLimit', 'capacityCores', 'userPercent', 'systemPercent']],
      ['usage.memory', usage.memory, ['usage', 'limit', 'percent']],
      ['usage.blkio', usage.blkio, ['readBytesPerSec', 'writeBytesPerSec', 'readOpsPerSec', 'writeOpsPerSec']],
      ['usage.network', usage.network!, ['rxBytesPerSec', 'txBytesPerSec', 'rxPacketsPerSec', 'txPacketsPerSec']],
      ['usage.pids', usage.pids, ['current', 'limit']],
    ];
    for (const [name, part, keys] of parts) {
      expect(Object.getPrototypeOf(part), `${name} is made by a constructor`).not.toBe(Object.prototype);
      expect(Object.keys(part), `${name}'s fields`).toEqual(keys);
    }
    // Plain data all the same: JSON has every field, the lazy ones too.
    const json = JSON.parse(JSON.stringify(stats)) as ContainerStats;
    expect(json.memory.stat).toEqual(stats.memory.stat);
    expect(json.network!.interfaces.eth0!.rxBytes).toBe(stats.network!.interfaces.eth0!.rxBytes);
    expect(usage.cpu.percent).not.toBeNull();
  });

  it('a container burning a core: CPU counters agree with cpuacct and Docker', async () => {
    const { id } = s.burn!;
    const { before, api, after } = await bracket(id);
    expectBetween(api.cpu_stats.cpu_usage.total_usage, before.cpu.usageNs, after.cpu.usageNs, 'cpu usage');
    const fileUsage = Number(cgroupFile('cpuacct', id, 'cpuacct.usage'));
    expect(fileUsage).toBeGreaterThanOrEqual(after.cpu.usageNs);
    expect(after.cpu.usageNs).toBeGreaterThan(before.cpu.usageNs);
    // user + system come from USER_HZ ticks: coarse, but they add up to about the total.
    expect(after.cpu.userNs + after.cpu.systemNs).toBeGreaterThan(0.8 * after.cpu.usageNs);
    expect(Math.abs(api.cpu_stats.cpu_usage.usage_in_usermode - after.cpu.userNs)).toBeLessThanOrEqual(
      0.02 * after.cpu.userNs + 2e8,
    );
    expectBetween(api.cpu_stats.system_cpu_usage, before.host.systemCpuNs, after.host.systemCpuNs, 'system cpu');
  });

  it('memory in tmpfs under --memory/--memory-swap: usage, limits and swap', async () => {
    const { id } = s.mem!;
    const { before, api, after } = await bracket(id);
    expect(after.memory.limit).toBe(64 * MiB);
    expect(after.memory.limit).toBe(Number(cgroupFile('memory', id, 'memory.limit_in_bytes')));
    expect(api.memory_stats.limit).toBe(64 * MiB);
    expect(after.memory.swap.limit).toBe(64 * MiB);
    expect(after.memory.swap.usage).toBe(
      Number(cgroupFile('memory', id, 'memory.memsw.usage_in_bytes')) - after.memory.usage,
    );
    expect(after.memory.swap.usage).toBeGreaterThanOrEqual(0);
    expectBetween(api.memory_stats.usage, before.memory.usage, after.memory.usage, 'memory usage');
    expect(after.memory.usage).toBeGreaterThan(40 * MiB);
    expect(after.memory.stat.total_shmem).toBeGreaterThanOrEqual(40 * MiB);
    expect(after.memory.stat.hierarchical_memory_limit).toBe(64 * MiB);
    expect(after.memory.stat.hierarchical_memsw_limit).toBe(128 * MiB);
    expect(after.memory.maxUsage).toBe(Number(cgroupFile('memory', id, 'memory.max_usage_in_bytes')));
    expect(after.memory.maxUsage!).toBeGreaterThanOrEqual(after.memory.usage);
    expect(after.memory.cache).toBe(after.memory.stat.total_cache);
    expect(after.memory.rss).toBe(after.memory.stat.total_rss);
    // Docker leaves failcnt out when it is 0 (omitempty).
    expectBetween(api.memory_stats.failcnt ?? 0, before.memory.failcnt, after.memory.failcnt, 'failcnt');
    expect(after.memory.failcnt).toBe(Number(cgroupFile('memory', id, 'memory.failcnt')));
    expect(after.memory.events).toBeNull();
  });

  it('direct-I/O writes to a volume: block I/O equals Docker and the blkio files exactly', async () => {
    const { id } = s.io!;
    const { api, after } = await bracket(id);
    expect(after.blkio.writeBytes).toBe(sumBlkio(api, 'write'));
    expect(after.blkio.readBytes).toBe(sumBlkio(api, 'read'));
    expect(after.blkio.writeBytes).toBeGreaterThanOrEqual(24 * MiB);
    const vda = after.blkio.devices.find((d) => d.name === 'vda');
    expect(vda, JSON.stringify(after.blkio.devices)).toBeDefined();
    const lines = cgroupFile('blkio', id, 'blkio.throttle.io_service_bytes_recursive').split('\n');
    const fileWrite = Number(lines.find((l) => l.startsWith(`${vda!.major}:${vda!.minor} Write`))!.split(' ')[2]);
    expect(vda!.writeBytes).toBe(fileWrite);
    expect(after.blkio.writeOps).toBeGreaterThanOrEqual(24);
    const servicedLines = cgroupFile('blkio', id, 'blkio.throttle.io_serviced_recursive').split('\n');
    expect(vda!.writeOps).toBe(
      Number(servicedLines.find((l) => l.startsWith(`${vda!.major}:${vda!.minor} Write`))!.split(' ')[2]),
    );
  });

  it("traffic on a user-defined bridge, on two networks: every interface between the kernel's and Docker's readings around it", async () => {
    const { id, pid } = s.srv!;
    // A stray packet (a neighbour solicitation) may arrive at any moment: every reading is bracketed by
    // the kernel's own counters before and after, and the readings of one moment are compared exactly.
    const netDev = () =>
      new Map(
        readFileSync(`/proc/${pid}/net/dev`, 'utf8')
          .split('\n')
          .slice(2)
          .filter((l) => l.includes(':'))
          .map((line) => {
            const [name, rest] = line.split(':') as [string, string];
            const fields = rest.trim().split(/\s+/).map(Number);
            return [
              name.trim(),
              { rxBytes: fields[0]!, rxPackets: fields[1]!, txBytes: fields[8]!, txPackets: fields[9]! },
            ];
          }),
      );
    const kernelBefore = netDev();
    const { before, api, after } = await bracket(id);
    const kernelAfter = netDev();
    const network = after.network!;
    expect(network.mode).toBe('private');
    expect(Object.keys(network.interfaces).sort()).toEqual(['eth0', 'eth1', 'lo']);
    expect(network.interfaces.eth0!.kind).toBe('veth');
    expect(network.rxBytes).toBeGreaterThan(2 * MiB);
    expect(Object.keys(api.networks ?? {}).sort()).toEqual(['eth0', 'eth1']);
    for (const [name, counters] of Object.entries(api.networks ?? {})) {
      const early = before.network!.interfaces[name]!;
      const late = network.interfaces[name]!;
      for (const [mine, docker] of [
        ['rxBytes', 'rx_bytes'],
        ['txBytes', 'tx_bytes'],
        ['rxPackets', 'rx_packets'],
        ['txPackets', 'tx_packets'],
      ] as const) {
        expectBetween(counters[docker], early[mine], late[mine], `${name} ${mine}: Docker's`);
        expectBetween(early[mine], kernelBefore.get(name)![mine], late[mine], `${name} ${mine}: ctrstat's first`);
        expectBetween(late[mine], early[mine], kernelAfter.get(name)![mine], `${name} ${mine}: ctrstat's second`);
      }
      expectBetween(counters.rx_dropped, early.rxDropped, late.rxDropped, `${name} rx dropped`);
      expectBetween(counters.tx_dropped, early.txDropped, late.txDropped, `${name} tx dropped`);
    }
    const names = Object.keys(api.networks ?? {});
    expect(network.rxBytes).toBe(names.reduce((sum, n) => sum + network.interfaces[n]!.rxBytes, 0));
    expect(network.txBytes).toBe(names.reduce((sum, n) => sum + network.interfaces[n]!.txBytes, 0));
  });

  it('--network host, container:<other> and none are told apart', async () => {
    const [host, joined, owner, none] = await readContainerStats([s.host!.id, s.joined!.id, s.idle!.id, s.none!.id]);
    expect(host!.network!.mode).toBe('host');
    expect(host!.network!.rxBytes).toBeNull();
    expect(host!.network!.interfaces).toEqual({});
    expect((await statsOneShot(s.host!.id)).networks ?? {}).toEqual({});
    expect(owner!.network!.mode).toBe('private');
    expect(joined!.network!.mode).toBe('shared');
    expect(joined!.network!.sharedWith).toEqual([s.idle!.id]);
    expect(joined!.network!.netns).toBe(owner!.network!.netns);
    expect(none!.network!.mode).toBe('none');
    expect(Object.keys(none!.network!.interfaces)).toEqual(['lo']);
    expect(none!.network!.rxBytes).toBe(0);
    // Docker's own state says whose namespace a container joined: read alone, each is told apart the same
    // way, and no census of the other containers is needed for that.
    const [joinedTarget, ownerTarget] = await Promise.all([
      resolveContainer(s.joined!.id),
      resolveContainer(s.idle!.id),
    ]);
    expect(joinedTarget.networkOwner).toBe(s.idle!.id);
    expect(ownershipKnown(joinedTarget) && ownershipKnown(ownerTarget)).toBe(true);
    expect((await readContainerStats(s.joined!.id)).network).toMatchObject({
      mode: 'shared',
      sharedWith: [s.idle!.id],
    });
    expect((await readContainerStats(s.idle!.id)).network).toMatchObject({ mode: 'private', sharedWith: [] });
  });

  it('--cpus and --pids-limit: limits exactly, PIDs exactly', async () => {
    const { id } = s.limits!;
    const { api, after } = await bracket(id);
    expect(after.cpu.limitCores).toBe(0.5);
    expect(after.cpu).toMatchObject({
      quotaUs: Number(cgroupFile('cpu', id, 'cpu.cfs_quota_us')),
      periodUs: Number(cgroupFile('cpu', id, 'cpu.cfs_period_us')),
    });
    expect(after.cpu.quotaUs! / after.cpu.periodUs!).toBe(0.5);
    expect(after.pids.limit).toBe(50);
    expect(api.pids_stats.limit).toBe(50);
    expect(after.pids.current).toBe(api.pids_stats.current);
    expect(after.pids.current).toBe(Number(cgroupFile('pids', id, 'pids.current')));
    expect(after.pids.current).toBe(4);
    expect(after.memory.limit).toBe(96 * MiB);
    expect(after.cpu.throttling.periods).toBe(Number(/nr_periods (\d+)/.exec(cgroupFile('cpu', id, 'cpu.stat'))![1]));
  });

  it('finds a container by short id, name, pid and cgroup path', async () => {
    const { id, pid } = s.idle!;
    const byShort = await readContainerStats(id.slice(0, 12), { network: false });
    const byName = await readContainerStats('cts-idle', { network: false });
    const byPid = await readContainerStats({ pid }, { network: false });
    const byCgroup = await readContainerStats({ cgroup: `/docker/${id}` }, { network: false });
    for (const stats of [byShort, byName, byPid, byCgroup]) {
      expect(stats.id).toBe(id);
      expect(stats.network).toBeNull();
    }
    const listed = await listContainers();
    expect(listed.find((c) => c.id === id)).toMatchObject({ name: 'cts-idle', runtime: 'docker', pid });
  });

  it('an ambiguous prefix, a removed container and hostile ids are typed errors', async () => {
    const ids = (await listContainers()).filter((c) => c.runtime === 'docker').map((c) => c.id);
    // With more containers than hex digits two ids share a first digit; start more until they do.
    let shared = ids.find((id, i) => ids.findIndex((other) => other[0] === id[0]) !== i);
    while (shared === undefined) {
      const extra = await containers.run(['bb:local', 'sleep', '600']);
      shared = ids.find((id) => id[0] === extra.id[0]);
      ids.push(extra.id);
    }
    await expect(readContainerStats(shared[0]!)).rejects.toBeInstanceOf(AmbiguousReferenceError);

    const gone = await containers.run(['--name', 'cts-gone', 'bb:local', 'sleep', '600']);
    await docker('rm', '-f', gone.id);
    await expect(readContainerStats(gone.id)).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(readContainerStats('cts-gone')).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(readContainerStats({ pid: gone.pid })).rejects.toBeInstanceOf(ContainerNotFoundError);

    for (const hostile of ['../../etc', `..%2f..%2f${s.idle!.id}`, `${s.idle!.id}/../..`, 'a\0b', '/docker', '']) {
      await expect(readContainerStats(hostile), hostile).rejects.toBeInstanceOf(InvalidReferenceError);
    }
    await expect(readContainerStats({ cgroup: '/../../etc' })).rejects.toBeInstanceOf(InvalidReferenceError);
    await expect(readContainerStats({ cgroup: '/docker/../../../etc' })).rejects.toBeInstanceOf(InvalidReferenceError);
    await expect(readContainerStats({ pid: -1 })).rejects.toBeInstanceOf(InvalidReferenceError);
  });
});
