// The agent's pure parts: options, the Host and token checks, the router, the exposition renderer and the
// acadock shapes, on synthetic samples.
import { describe, expect, it } from 'vitest';
import { acadockIo, acadockMemory, acadockNet } from '../../lib/agent/acadock.js';
import { renderMetrics, type MetricsInput } from '../../lib/agent/exposition.js';
import { createAgent } from '../../lib/agent/index.js';
import { parseListenAddress, resolveAgentOptions } from '../../lib/agent/options.js';
import { UsageHistory } from '../../lib/agent/history.js';
import { Snapshot } from '../../lib/agent/snapshot.js';
import { rowOf } from '../../lib/agent/stream-messages.js';
import { HISTORY_SERIES, historyValues } from '../../lib/agent/stream-protocol.js';
import { Router } from '../../lib/agent/router.js';
import { BearerCheck, isAllowedHost } from '../../lib/agent/security.js';
import { parseServeCommandLine } from '../../lib/cli/serve-args.js';
import { parseCommandLine } from '../../lib/cli/args.js';
import { computeUsage, type ContainerStats, type InterfaceStats } from '../../lib/index.js';
import { parseExposition, promtoolCheckMetrics, select } from '../helpers/agent.js';
import { requireCommand } from '../helpers/env.js';
import { makeStats, MiB, privateNetwork } from '../helpers/sample-factory.js';

function iface(overrides: Partial<InterfaceStats>): InterfaceStats {
  const zero: InterfaceStats = {
    ifindex: 1,
    kind: null,
    operstate: 'up',
    mtu: 1500,
    rxBytes: 0,
    txBytes: 0,
    rxPackets: 0,
    txPackets: 0,
    rxErrors: 0,
    txErrors: 0,
    rxDropped: 0,
    txDropped: 0,
    multicast: 0,
    collisions: 0,
    rxLengthErrors: 0,
    rxOverErrors: 0,
    rxCrcErrors: 0,
    rxFrameErrors: 0,
    rxFifoErrors: 0,
    rxMissedErrors: 0,
    txAbortedErrors: 0,
    txCarrierErrors: 0,
    txFifoErrors: 0,
    txHeartbeatErrors: 0,
    txWindowErrors: 0,
    rxCompressed: 0,
    txCompressed: 0,
    rxNohandler: 0,
    rxOtherhostDropped: 0,
  };
  return { ...zero, ...overrides };
}

const docker = makeStats({
  id: 'd'.repeat(64),
  name: 'web',
  image: 'nginx:1.27',
  labels: { 'com.example.team': 'a"b\\c\nd', 'com.example.secret': 'x' },
  cgroup: { version: 1, path: `/docker/${'d'.repeat(64)}`, inode: 7 },
  memory: { limit: 64 * MiB, maxUsage: 90 * MiB, swap: { usage: 0, limit: 64 * MiB }, oomEvents: 2, failcnt: 5 },
  cpu: {
    perCpuNs: [1e9, 2.5e9],
    limitCores: 0.5,
    quotaUs: 50_000,
    periodUs: 100_000,
    throttling: { periods: 10, throttledPeriods: 3, throttledNs: 1.5e9 },
  },
  blkio: { devices: [{ major: 8, minor: 0, name: 'sda', readBytes: 4096, writeBytes: 8192, readOps: 1, writeOps: 2 }] },
  pids: { current: 7, limit: 100 },
  network: privateNetwork({
    rxBytes: 1000,
    txBytes: 2000,
    interfaces: {
      lo: iface({ ifindex: 1, rxBytes: 999, txBytes: 999 }),
      eth0: iface({ ifindex: 2, rxBytes: 600, txBytes: 1500, rxPackets: 6, txPackets: 15, rxErrors: 1, txDropped: 2 }),
      eth1: iface({ ifindex: 3, rxBytes: 400, txBytes: 500, rxPackets: 4, txPackets: 5, multicast: 3 }),
    },
  }),
});

const pod = makeStats({
  id: 'e'.repeat(64),
  name: 'e'.repeat(64),
  runtime: 'cri-containerd',
  image: 'registry.k8s.io/app:1',
  kubernetes: { pod: 'app-7d9', namespace: 'prod', podUid: 'uid-1', container: 'app' },
  cgroup: { version: 2, path: '/kubepods.slice/kubepods-pod1.slice/cri-containerd-eee.scope', inode: 8 },
  cpu: { perCpuNs: null, usageNs: 3e9 },
  pressure: {
    cpu: { some: { avg10: 0, avg60: 0, avg300: 0, totalNs: 2e9 }, full: null },
    memory: {
      some: { avg10: 0, avg60: 0, avg300: 0, totalNs: 3e9 },
      full: { avg10: 0, avg60: 0, avg300: 0, totalNs: 1e9 },
    },
    io: null,
  },
  network: privateNetwork({ mode: 'shared', interfaces: { eth0: iface({ rxBytes: 5 }) } }),
});

function input(samples: ContainerStats[], labels: string[] = []): MetricsInput {
  return {
    samples: samples.map((stats) => ({ stats, usage: computeUsage(null, stats) })),
    timestamp: 1_700_000_000_500,
    machine: { cpuCores: 4, memoryBytes: 8 * 1024 * MiB },
    labels,
  };
}

describe('renderMetrics', () => {
  it('writes cAdvisor families, labels and units for a Docker and a Kubernetes container', async () => {
    const text = (await renderMetrics(input([docker, pod], ['com.example.team']))).toString();
    const exposition = parseExposition(text);
    const web = { id: docker.cgroup.path, name: 'web', image: 'nginx:1.27' };

    expect(select(exposition, 'container_cpu_usage_seconds_total', web).map((s) => [s.labels.cpu, s.value])).toEqual([
      ['cpu00', 1],
      ['cpu01', 2.5],
    ]);
    expect(
      select(exposition, 'container_cpu_usage_seconds_total', { pod: 'app-7d9' }).map((s) => [s.labels.cpu, s.value]),
    ).toEqual([['total', 3]]);
    expect(select(exposition, 'container_cpu_cfs_throttled_seconds_total').map((s) => s.value)).toEqual([1.5]);
    expect(
      select(exposition, 'container_spec_cpu_quota', web)[0]!.value /
        select(exposition, 'container_spec_cpu_period', web)[0]!.value,
    ).toBe(0.5);
    expect(select(exposition, 'container_spec_memory_limit_bytes').map((s) => s.value)).toEqual([64 * MiB, 0]);
    expect(select(exposition, 'container_memory_working_set_bytes', web)[0]!.value).toBe(docker.memory.workingSet);
    expect(select(exposition, 'container_oom_events_total', web)[0]!.value).toBe(2);
    expect(select(exposition, 'container_memory_failcnt', web)[0]!.value).toBe(5);
    expect(select(exposition, 'container_threads', web)[0]!.value).toBe(7);
    expect(select(exposition, 'container_start_time_seconds', web).map((s) => s.value)).toEqual([1_699_999_000]);
    expect(select(exposition, 'container_last_seen', web)[0]!.value).toBe(1_700_000_000.5);

    // The container's own interfaces but loopback; none for a namespace that is another container's.
    expect(
      select(exposition, 'container_network_receive_bytes_total').map((s) => [s.labels.interface, s.value]),
    ).toEqual([
      ['eth0', 600],
      ['eth1', 400],
    ]);
    expect(
      select(exposition, 'container_network_transmit_packets_dropped_total', { interface: 'eth0' })[0]!.value,
    ).toBe(2);

    expect(select(exposition, 'container_fs_reads_bytes_total')[0]!.labels.device).toBe('/dev/sda');
    expect(
      select(exposition, 'container_blkio_device_usage_total').map((s) => [
        s.labels.operation,
        s.labels.major,
        s.value,
      ]),
    ).toEqual([
      ['Read', '8', 4096],
      ['Write', '8', 8192],
    ]);
    expect(select(exposition, 'container_pressure_memory_stalled_seconds_total').map((s) => s.value)).toEqual([1]);
    expect(select(exposition, 'container_pressure_cpu_waiting_seconds_total').map((s) => s.value)).toEqual([2]);
    expect(select(exposition, 'container_pressure_cpu_stalled_seconds_total')).toEqual([]);

    // Kubelet's labels for a pod's container; an allowed Docker label, escaped; a label not allowed is left out.
    expect(select(exposition, 'container_memory_usage_bytes', { pod: 'app-7d9' })[0]!.labels).toEqual({
      id: pod.cgroup.path,
      image: 'registry.k8s.io/app:1',
      name: pod.name,
      pod: 'app-7d9',
      namespace: 'prod',
      container: 'app',
    });
    expect(select(exposition, 'container_memory_usage_bytes', web)[0]!.labels.container_label_com_example_team).toBe(
      'a"b\\c\nd',
    );
    expect(text).not.toContain('secret');

    expect(select(exposition, 'machine_cpu_cores')[0]!.value).toBe(4);
    // One TYPE per family, families in name order, every family's type as cAdvisor's.
    expect(exposition.order).toEqual([...new Set(exposition.order)]);
    const containerFamilies = exposition.order.filter((name) => name.startsWith('container_'));
    expect(containerFamilies).toEqual([...containerFamilies].sort());
    for (const [name, type] of exposition.types) expect(type, name).toBe(name.endsWith('_total') ? 'counter' : 'gauge');
    expect(exposition.types.get('container_memory_failcnt')).toBe('gauge');
  });

  it('an unknown image is image="" and an unlimited memory limit 0; no quota, no CFS series', async () => {
    const bare = makeStats({ image: null, name: null, memory: { limit: null }, cpu: { limitCores: null } });
    const exposition = parseExposition((await renderMetrics(input([bare]))).toString());
    expect(select(exposition, 'container_memory_usage_bytes')[0]!.labels).toEqual({
      id: bare.cgroup.path,
      image: '',
      name: '',
    });
    expect(select(exposition, 'container_spec_memory_limit_bytes')[0]!.value).toBe(0);
    expect(select(exposition, 'container_cpu_cfs_periods_total')).toEqual([]);
    expect(select(exposition, 'container_spec_cpu_quota')).toEqual([]);
  });

  it.skipIf(!requireCommand('promtool'))('passes promtool check metrics', async () => {
    await promtoolCheckMetrics((await renderMetrics(input([docker, pod], ['com.example.team']))).toString());
  });
});

describe('acadock shapes', () => {
  it("sum the container's own interfaces, keep acadock's keys, and say null for what is unknown", () => {
    const usage = computeUsage(null, docker);
    expect(acadockNet(docker, usage)).toEqual({
      interface: 'eth0,eth1',
      received: { bytes: 1000, packets: 10, drop: 0, errs: 1, fifo: 0, frame: 0, compressed: 0, multicast: 3 },
      transmit: { bytes: 2000, packets: 20, drop: 2, errs: 0, fifo: 0, compressed: 0, frame: null, multicast: null },
      rx_bps: null,
      tx_bps: null,
    });
    expect(acadockNet(makeStats({ network: null }), usage).received.bytes).toBeNull();
    expect(acadockMemory(makeStats({ memory: { limit: null } })).memory_limit).toBeNull();
    expect(acadockIo(docker).devices).toEqual([
      {
        device_path: '/dev/sda',
        mountpoint: null,
        major: 8,
        minor: 0,
        read_bytes: 4096,
        write_bytes: 8192,
        read_ios: 1,
        write_ios: 2,
      },
    ]);
  });
});

describe('Snapshot.find', () => {
  it('matches as Docker does: an exact id, an exact name, then a unique id prefix', () => {
    const samples = [
      makeStats({ id: `ab${'1'.repeat(62)}`, name: 'web' }),
      makeStats({ id: `ac${'2'.repeat(62)}`, name: 'ab' }),
      makeStats({ id: `ff${'3'.repeat(62)}`, name: 'db' }),
    ].map((stats) => ({ stats, usage: computeUsage(null, stats) }));
    const sweep = { timestamp: 0, durationMs: 1, samples, added: [], removed: [], errors: [] };
    const snapshot = new Snapshot(sweep, 0, null, null, null, null);
    expect(snapshot.find(samples[2]!.stats.id)).toBe(samples[2]);
    expect(snapshot.find('ab')).toBe(samples[1]);
    expect(snapshot.find('web')).toBe(samples[0]);
    expect(snapshot.find('ff3')).toBe(samples[2]);
    expect(snapshot.find('a')).toBe('ambiguous');
    expect(snapshot.find('toString')).toBeNull();
    expect(snapshot.find('0')).toBeNull();
  });
});

describe('UsageHistory', () => {
  const idA = `a${'1'.repeat(63)}`;
  const idB = `b${'2'.repeat(63)}`;
  /** A sweep at `t` seconds whose containers used `cpuNs` each so far (rates from the sweep before). */
  function sweepsOf(rounds: Array<{ t: number; ids: string[] }>): Snapshot[] {
    const last = new Map<string, ContainerStats>();
    return rounds.map(({ t, ids }) => {
      const samples = ids.map((id) => {
        const stats = makeStats({
          id,
          name: id === idA ? 'web' : 'db',
          timestamp: t * 1000,
          monotonicNs: t * 1e9,
          cpu: { usageNs: t * 5e8 },
          host: { systemCpuNs: t * 4e9 },
          memory: { usage: 10 * MiB + t, workingSet: 10 * MiB + t },
        });
        const sample = { stats, usage: computeUsage(last.get(id) ?? null, stats) };
        last.set(id, stats);
        return sample;
      });
      return new Snapshot(
        { timestamp: t * 1000, durationMs: 1, samples, added: [], removed: [], errors: [] },
        0,
        null,
        null,
        null,
        null,
      );
    });
  }

  it("keeps each container's series as the stream's rows give them, within the sweeps and bytes allowed", () => {
    const history = new UsageHistory(3, 1 << 20);
    const snapshots = sweepsOf([
      { t: 1, ids: [idA] },
      { t: 2, ids: [idA, idB] },
      { t: 3, ids: [idA, idB] },
      { t: 4, ids: [idB] },
    ]);
    for (const snapshot of snapshots) history.add(snapshot);
    expect(history.size.sweeps).toBe(3);
    // Two sweeps of the same containers count their ids once: 10 values of 8 bytes a container and sweep,
    // 64 bytes an id.
    expect(history.size.bytes).toBe(2 * 80 + 2 * 64 + 2 * 80 + (80 + 64));
    const a = history.of(idA)!;
    expect(a.container).toEqual({ id: idA, name: 'web' });
    expect(a.t).toEqual([2000, 3000]);
    // The same numbers as the stream's rows of those sweeps: the first sweep's rates are null.
    const rowsA = [snapshots[1]!, snapshots[2]!].map((snapshot) => historyValues(rowOf(snapshot.samples[0]!)));
    for (const name of HISTORY_SERIES) expect(a.series[name], name).toEqual(rowsA.map((row) => row[name]));
    expect(a.series.cpu).toEqual([50, 50]);
    expect(a.series.memory).toEqual([10 * MiB + 2, 10 * MiB + 3]);
    const b = history.of(idB)!;
    expect(b.t).toEqual([2000, 3000, 4000]);
    expect(b.series.cpu[0]).toBeNull();
    expect(history.of('c'.repeat(64))).toBeNull();

    // A byte budget smaller than two sweeps keeps one; none is kept with points 0.
    const tight = new UsageHistory(300, 300);
    for (const snapshot of snapshots) tight.add(snapshot);
    expect(tight.size.sweeps).toBe(1);
    expect(tight.size.bytes).toBeLessThanOrEqual(300);
    const none = new UsageHistory(0, 1 << 20);
    for (const snapshot of snapshots) none.add(snapshot);
    expect(none.size).toEqual({ sweeps: 0, bytes: 0 });
  });
});

describe('options', () => {
  it('parses listen addresses and refuses bad ones with ERR_INVALID_OPTION', () => {
    expect(parseListenAddress('127.0.0.1:4244')).toEqual({ host: '127.0.0.1', port: 4244 });
    expect(parseListenAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    for (const bad of ['4244', 'host:', ':80', 'a:70000', '[x]:1', 'a:b:1']) {
      expect(() => parseListenAddress(bad), bad).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
    }
  });

  it('validates every option', () => {
    const bad: Array<Record<string, unknown>> = [
      { token: 'short' },
      { token: 'has a space in it, long enough' },
      { allowHosts: [''] },
      { labels: 'app' },
      { labels: ['a.b', 'a-b'] },
      { maxConnections: 0 },
      { insecure: 1 },
      { listen: 4244 },
      { stream: { historyPoints: -1 } },
      { stream: { historyBytes: 1.5 } },
      { stream: { history: 300 } },
    ];
    for (const options of bad) {
      expect(() => resolveAgentOptions(options as never), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
      );
    }
    expect(resolveAgentOptions({}).listen).toEqual({ host: '127.0.0.1', port: 4244 });
    // Every root reaches the monitor and the single-container reads.
    const roots = {
      procRoot: '/h/proc',
      sysRoot: '/h/sys',
      dockerRoot: '/h/docker',
      containerdRoots: ['/h/containerd'],
      podmanRoots: ['/h/storage'],
    };
    const resolved = resolveAgentOptions(roots);
    expect(resolved.host).toEqual(roots);
    expect(resolved.monitor).toMatchObject(roots);
    expect(() => resolveAgentOptions({ containerdRoots: ['relative'] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
    );
    expect(resolveAgentOptions({ stream: { historyPoints: 0 } }).stream).toMatchObject({
      historyPoints: 0,
      historyBytes: 8 * 1024 * 1024,
    });
    // The monitor's own options are checked by createMonitor, before anything starts.
    for (const options of [{ interval: 0 }, { interval: Number.NaN }, { network: 'yes' }, { procRoot: 'relative' }]) {
      expect(() => createAgent(options as never), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
      );
    }
  });
});

describe('security checks', () => {
  it('serves loopback names, IP literals and allowed names; refuses other names (DNS rebinding)', () => {
    const allow = new Set(['metrics.example']);
    for (const host of [
      'localhost',
      'localhost:4244',
      '127.0.0.1:80',
      '[::1]:4244',
      'LOCALHOST',
      '10.1.2.3:4244',
      'metrics.example:9',
      '[fe80::1]',
    ]) {
      expect(isAllowedHost(host, allow), host).toBe(true);
    }
    for (const host of [
      undefined,
      '',
      'evil.example',
      'evil.example:4244',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      'a b',
      'localhost:x',
    ]) {
      expect(isAllowedHost(host, allow), String(host)).toBe(false);
    }
  });

  it('accepts only the exact bearer token', () => {
    const check = new BearerCheck('0123456789abcdef-token');
    expect(check.accepts('Bearer 0123456789abcdef-token')).toBe(true);
    expect(check.accepts('bearer 0123456789abcdef-token')).toBe(true);
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer 0123456789abcdef-toke',
      'Basic 0123456789abcdef-token',
      '0123456789abcdef-token',
    ]) {
      expect(check.accepts(header), String(header)).toBe(false);
    }
  });
});

describe('Router', () => {
  const router = new Router().get('/containers/usage', () => {}).get('/containers/:ref/mem', () => {});

  it('matches params, answers HEAD as GET, 405 with Allow for another method, 404 otherwise', () => {
    expect(router.resolve('GET', '/containers/web%2Dapp/mem').params).toEqual({ ref: 'web-app' });
    expect(router.resolve('HEAD', '/containers/usage').params).toEqual({});
    expect(() => router.resolve('POST', '/containers/usage')).toThrow(
      expect.objectContaining({ status: 405, headers: { Allow: 'GET, HEAD' } }),
    );
    expect(() => router.resolve('GET', '/containers//mem')).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => router.resolve('GET', '/containers/%E0%A4%A/mem')).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe('ctrstat serve command line', () => {
  it('has secure defaults and reads every option', () => {
    expect(parseCommandLine(['serve'])).toEqual({
      kind: 'serve',
      options: {
        listen: '127.0.0.1:4244',
        intervalSeconds: 1,
        tokenFile: null,
        allowHosts: [],
        insecure: false,
        labels: [],
        network: true,
        host: {
          procRoot: undefined,
          sysRoot: undefined,
          dockerRoot: undefined,
          containerdRoots: undefined,
          podmanRoots: undefined,
        },
      },
    });
    expect(
      parseServeCommandLine([
        '--listen',
        '0.0.0.0:9000',
        '--interval',
        '2',
        '--token-file',
        '/run/t',
        '--allow-host',
        'a',
        '--allow-host',
        'b',
        '--insecure',
        '--label',
        'app',
        '--no-network',
        '--proc-root',
        '/host/proc',
        '--sys-root',
        '/host/sys',
        '--docker-root',
        '/d',
        '--containerd-root',
        '/c1',
        '--containerd-root',
        '/c2',
        '--podman-root',
        '/p',
      ]),
    ).toEqual({
      kind: 'serve',
      options: {
        listen: '0.0.0.0:9000',
        intervalSeconds: 2,
        tokenFile: '/run/t',
        allowHosts: ['a', 'b'],
        insecure: true,
        labels: ['app'],
        network: false,
        host: {
          procRoot: '/host/proc',
          sysRoot: '/host/sys',
          dockerRoot: '/d',
          containerdRoots: ['/c1', '/c2'],
          podmanRoots: ['/p'],
        },
      },
    });
    expect(parseCommandLine(['serve', '--help'])).toEqual({ kind: 'serve-help' });
    for (const bad of [['--interval', '0'], ['web'], ['--sort', 'cpu']]) {
      expect(() => parseServeCommandLine(bad), bad.join(' ')).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
    }
  });
});
