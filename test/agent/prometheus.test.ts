// A real Prometheus (Debian's package) scraping the agent every second, with and without a bearer token,
// while real containers run a known load: the PromQL that cAdvisor dashboards use gives ctrstat's figures.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../lib/agent/index.js';
import { readContainerStats, type ContainerStats } from '../../lib/index.js';
import { execFileAsync, freePort, httpRequest, pollUntil, promtoolCheckMetrics } from '../helpers/agent.js';
import { ensureTestImage, inspect, TEST_IMAGE, withContainers } from '../helpers/docker.js';
import { requireCommand, requireDocker, requireRoot } from '../helpers/env.js';

const ready = requireRoot() && requireDocker() && requireCommand('prometheus') && requireCommand('promtool');
const TOKEN = 'prometheus-test-token-0123456789';

interface PromVector {
  metric: Record<string, string>;
  value: [number, string];
}

describe.skipIf(!ready)('Prometheus scraping the agent', () => {
  const containers = withContainers('ctm-agent-prom-');
  const names = { busy: '', memory: '', server: '', client: '', victim: '' };
  let open: Agent;
  let secured: Agent;
  let prometheus: ChildProcess;
  let promUrl: string;
  let openUrl: string;
  let dir: string;
  /** workingSet values ctrstat produced for the memory container, sweep by sweep. */
  const workingSets = new Set<number>();
  let memoryId = '';

  /** An instant query, at `time` (seconds since the epoch) or now. */
  async function evaluate(expr: string, time?: number): Promise<{ resultType: string; result: unknown }> {
    const at = time === undefined ? '' : `&time=${time}`;
    const reply = await httpRequest(`${promUrl}api/v1/query?query=${encodeURIComponent(expr)}${at}`);
    const body = JSON.parse(reply.body) as {
      status: string;
      data: { resultType: string; result: unknown };
      error?: string;
    };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data;
  }

  async function query(expr: string): Promise<PromVector[]> {
    const data = await evaluate(expr);
    if (data.resultType !== 'vector') throw new Error(`${expr}: a ${data.resultType}, not a vector`);
    return data.result as PromVector[];
  }

  /** The value of a one-element vector or of a scalar (undefined for an empty vector or NaN). */
  async function scalarOf(expr: string): Promise<number | undefined> {
    const data = await evaluate(expr);
    const value =
      data.resultType === 'scalar'
        ? Number((data.result as [number, string])[1])
        : (data.result as PromVector[]).length === 1
          ? Number((data.result as PromVector[])[0]!.value[1])
          : undefined;
    return value === undefined || Number.isNaN(value) ? undefined : value;
  }

  beforeAll(async () => {
    await ensureTestImage();
    for (const key of Object.keys(names) as Array<keyof typeof names>) names[key] = containers.name(key);
    await containers.run(['--name', names.busy, TEST_IMAGE, 'sh', '-c', 'while :; do :; done']);
    // 24 MiB in tmpfs (page cache, in the working set) under a 64 MiB limit.
    memoryId = (
      await containers.run([
        '--name',
        names.memory,
        '--memory',
        '64m',
        TEST_IMAGE,
        'sh',
        '-c',
        'dd if=/dev/zero of=/dev/shm/fill bs=1M count=24 2>/dev/null; exec sleep 3600',
      ])
    ).id;
    await containers.run(['--name', names.server, TEST_IMAGE, 'sleep', '3600']);
    await containers.run(['--name', names.client, TEST_IMAGE, 'sleep', '3600']);
    await containers.run(['--name', names.victim, TEST_IMAGE, 'sleep', '3600']);

    open = createAgent({ listen: '127.0.0.1:0', interval: 500 });
    open.monitor.on('sample', ({ stats }) => {
      if (stats.id === memoryId) workingSets.add(stats.memory.workingSet);
    });
    secured = createAgent({ listen: '127.0.0.1:0', interval: 500, token: TOKEN });
    const [a, b] = [await open.listen(), await secured.listen()];
    openUrl = a.url;

    dir = mkdtempSync(join(tmpdir(), 'ctrstat-prom-'));
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: ctrstat
    static_configs: [{ targets: ['127.0.0.1:${a.port}'] }]
  - job_name: ctrstat-token
    authorization: { credentials_file: ${join(dir, 'token')} }
    static_configs: [{ targets: ['127.0.0.1:${b.port}'] }]
  - job_name: ctrstat-wrong-token
    authorization: { credentials: wrong-token-0123456789abcdef }
    static_configs: [{ targets: ['127.0.0.1:${b.port}'] }]
`,
    );
    await execFileAsync('promtool', ['check', 'config', join(dir, 'prometheus.yml')]);
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}/`;
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    prometheus.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    await pollUntil(
      async () => {
        if (prometheus.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
        return (await httpRequest(`${promUrl}-/ready`)).status === 200 ? true : undefined;
      },
      60_000,
      'prometheus ready',
    );
  });

  afterAll(async () => {
    if (prometheus?.exitCode === null) {
      const exited = new Promise((resolve) => prometheus.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await Promise.all([open?.close(), secured?.close()]);
    await containers.removeAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes the agent: up == 1 with the token and without one where none is set, 0 with a wrong token', async () => {
    await pollUntil(
      async () => {
        const up = await query('up');
        const byJob = Object.fromEntries(up.map((s) => [s.metric.job, s.value[1]]));
        return byJob.ctrstat === '1' && byJob['ctrstat-token'] === '1' && byJob['ctrstat-wrong-token'] === '0'
          ? byJob
          : undefined;
      },
      30_000,
      'up per job',
    );
  });

  it('rate(container_cpu_usage_seconds_total) of a busy loop is what ctrstat measures over the same 5 s (one core on an idle machine)', async () => {
    const series = `container_cpu_usage_seconds_total{job="ctrstat",name="${names.busy}"}`;
    const first: ContainerStats = await readContainerStats(names.busy, { network: false });
    // The window is measured, not slept for synchronisation: the busy loop runs meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const last = await readContainerStats(names.busy, { network: false });
    const measured = (last.cpu.usageNs - first.cpu.usageNs) / (last.monotonicNs - first.monotonicNs);
    const end = last.timestamp / 1000;
    // Prometheus has a scrape taken after the last read, so the window (end − 5 s, end] is complete.
    await pollUntil(
      async () => {
        const newest = await scalarOf(`max(timestamp(${series}))`);
        return newest !== undefined && newest > end ? true : undefined;
      },
      20_000,
      'a scrape after the window',
    );
    const rate = (await evaluate(`sum(rate(${series}[5s]))`, end)).result as PromVector[];
    const value = Number(rate[0]?.value[1]);
    // A single busy thread takes at most one core; on a shared machine it gets what the others leave, and
    // Prometheus must see what ctrstat saw.
    expect(value).toBeGreaterThan(0);
    expect(value).toBeLessThanOrEqual(1.1);
    expect(Math.abs(value - measured), `Prometheus ${value}, ctrstat ${measured}`).toBeLessThan(
      Math.max(0.1, measured * 0.25),
    );
  });

  it("working set and memory limit equal ctrstat's own values for a --memory container", async () => {
    const workingSet = await pollUntil(
      () => scalarOf(`container_memory_working_set_bytes{job="ctrstat",name="${names.memory}"}`),
      30_000,
      'working set',
    );
    expect(workingSets.has(workingSet), `${workingSet} among ${[...workingSets].join(', ')}`).toBe(true);
    expect(workingSet).toBeGreaterThan(24 * 2 ** 20);
    const limit = await scalarOf(`container_spec_memory_limit_bytes{job="ctrstat",name="${names.memory}"}`);
    expect(limit).toBe((await readContainerStats(names.memory, { network: false })).memory.limit);
    expect(limit).toBe(64 * 2 ** 20);
    // cAdvisor's convention for no limit.
    expect(await scalarOf(`container_spec_memory_limit_bytes{job="ctrstat",name="${names.busy}"}`)).toBe(0);
    // The awesome-prometheus-alerts memory rule works: usage over the limits that exist.
    const percent = await scalarOf(
      `sum(container_memory_working_set_bytes{name="${names.memory}",job="ctrstat"}) / sum(container_spec_memory_limit_bytes{name="${names.memory}",job="ctrstat"} > 0) * 100`,
    );
    expect(percent).toBeGreaterThan(30);
  });

  it("network counters equal the library's once the traffic stops", async () => {
    const serverIp = ((await inspect(names.server)).NetworkSettings as { IPAddress: string }).IPAddress;
    await execFileAsync('docker', ['exec', names.client, 'ping', '-c', '10', '-i', '0.2', '-W', '1', serverIp], {
      timeout: 30_000,
    });
    for (const direction of ['transmit', 'receive'] as const) {
      await pollUntil(
        async () => {
          const stats = await readContainerStats(names.client);
          const eth0 = stats.network!.interfaces.eth0!;
          const expected = direction === 'transmit' ? eth0.txPackets : eth0.rxPackets;
          const bytes = direction === 'transmit' ? eth0.txBytes : eth0.rxBytes;
          const packets = await scalarOf(
            `container_network_${direction}_packets_total{job="ctrstat",name="${names.client}",interface="eth0"}`,
          );
          const total = await scalarOf(
            `container_network_${direction}_bytes_total{job="ctrstat",name="${names.client}",interface="eth0"}`,
          );
          return packets === expected && total === bytes && expected >= 10 ? true : undefined;
        },
        20_000,
        `${direction} counters of the client equal the library's`,
      );
    }
  });

  it('the dockprom "containers running" query counts them', async () => {
    const running = await pollUntil(
      () => scalarOf('scalar(count(container_memory_usage_bytes{image!="",job="ctrstat"}) > 0)'),
      20_000,
      'running count',
    );
    expect(running).toBeGreaterThanOrEqual(Object.keys(names).length);
  });

  it('a scrape passes promtool check metrics', async () => {
    const scrape = await httpRequest(`${openUrl}metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.body).toContain(`name="${names.busy}"`);
    await promtoolCheckMetrics(scrape.body);
  });

  it("a removed container's series go stale", async () => {
    const expr = `container_last_seen{job="ctrstat",name="${names.victim}"}`;
    await pollUntil(async () => ((await query(expr)).length === 1 ? true : undefined), 20_000, 'victim scraped');
    await containers.remove((await inspect(names.victim)).Id);
    await pollUntil(async () => ((await query(expr)).length === 0 ? true : undefined), 20_000, 'victim series stale');
  });
});
