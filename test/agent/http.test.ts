// The agent over HTTP against real containers: acadock's endpoints and /api/v1 field by field against the
// library, errors (400, 401, 403, 404, 405, 414, 431), hostile input never answered with a 5xx, a removed
// container gone from the next answers, and nothing left open after close().
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../lib/agent/index.js';
import { HISTORY_SERIES, type HistoryAnswer } from '../../lib/agent/stream-protocol.js';
import { readContainerStats, type ContainerStats } from '../../lib/index.js';
import {
  httpRequest,
  parseExposition,
  pollUntil,
  rawRequest,
  select,
  statusOf,
  waitForSweep,
} from '../helpers/agent.js';
import { expectBetween } from '../helpers/bounds.js';
import { ensureTestImage, inspect, TEST_IMAGE, withContainers } from '../helpers/docker.js';
import { requireDocker, requireRoot } from '../helpers/env.js';

const ready = requireRoot() && requireDocker();
const TOKEN = 'test-token-0123456789abcdef';

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind === 'Immediate').length;
}

async function json<T>(url: string): Promise<T> {
  const reply = await httpRequest(url);
  if (reply.status !== 200) throw new Error(`${url}: ${reply.status} ${reply.body}`);
  return JSON.parse(reply.body) as T;
}

interface AcadockUsage {
  memory: Record<string, number | null>;
  cpu: { usage_in_percents: number | null };
  io: { devices: Array<Record<string, number | string | null>> };
  net: {
    interface: string | null;
    received: Record<string, number | null>;
    transmit: Record<string, number | null>;
    rx_bps: number | null;
    tx_bps: number | null;
  };
}

describe.skipIf(!ready)('the agent over HTTP, on real containers', () => {
  const containers = withContainers('ctm-agent-http-');
  let limited: { id: string; name: string };
  let busy: { id: string; name: string };

  beforeAll(async () => {
    await ensureTestImage();
    limited = { name: containers.name('limited'), id: '' };
    limited.id = (
      await containers.run([
        '--name',
        limited.name,
        '--memory',
        '64m',
        '--cpus',
        '0.5',
        '--pids-limit',
        '50',
        TEST_IMAGE,
        'sleep',
        '3600',
      ])
    ).id;
    busy = { name: containers.name('busy'), id: '' };
    busy.id = (await containers.run(['--name', busy.name, TEST_IMAGE, 'sh', '-c', 'while :; do :; done'])).id;
  });

  afterAll(() => containers.removeAll());

  describe('one sweep, compared with the library read before and after it', () => {
    let agent: Agent;
    let url: string;
    let before: ContainerStats;
    let after: ContainerStats;

    beforeAll(async () => {
      before = await readContainerStats(limited.id);
      // One sweep in the whole test: every answer comes from it.
      agent = createAgent({ listen: '127.0.0.1:0', interval: 600_000 });
      url = (await agent.listen()).url;
      await pollUntil(
        async () => ((await httpRequest(`${url}healthz`)).status === 200 ? true : undefined),
        30_000,
        'healthz 200',
      );
      after = await readContainerStats(limited.id);
    });

    afterAll(() => agent?.close());

    it("acadock /mem, /io, /net and /usage hold the library's figures under acadock's keys", async () => {
      for (const ref of [limited.id, limited.name, limited.id.slice(0, 12)]) {
        const usage = await json<AcadockUsage>(`${url}containers/${ref}/usage`);
        expect(usage.memory.memory_limit).toBe(64 * 2 ** 20);
        expect(usage.memory.swap_limit).toBe(after.memory.swap.limit);
        expectBetween(usage.memory.memory_usage, before.memory.usage, after.memory.usage, 'memory_usage', 0.25);
        expect(usage.memory.max_memory_usage).toBeGreaterThanOrEqual(usage.memory.memory_usage!);
        // The first sample has no rates: null, not 0 and not a lifetime average.
        expect(usage.cpu.usage_in_percents).toBeNull();
        expect(usage.net.rx_bps).toBeNull();
        expect(usage.net.interface).toBe(
          Object.keys(after.network!.interfaces)
            .filter((n) => n !== 'lo')
            .sort()
            .join(','),
        );
        expectBetween(usage.net.received.bytes, before.network!.rxBytes, after.network!.rxBytes, 'received.bytes');
        expectBetween(
          usage.net.transmit.packets,
          before.network!.txPackets,
          after.network!.txPackets,
          'transmit.packets',
        );
        expect(usage.io.devices.map((d) => [d.major, d.minor])).toEqual(
          after.blkio.devices.map((d) => [d.major, d.minor]),
        );
        for (const [i, device] of usage.io.devices.entries()) {
          expectBetween(
            device.read_bytes as number,
            before.blkio.devices[i]!.readBytes,
            after.blkio.devices[i]!.readBytes,
            'read_bytes',
          );
        }
        expect(await json(`${url}containers/${ref}/mem`)).toEqual(usage.memory);
        expect(await json(`${url}containers/${ref}/net`)).toEqual(usage.net);
        expect(await json(`${url}containers/${ref}/io`)).toEqual(usage.io);
        expect(await json(`${url}containers/${ref}/cpu`)).toEqual(usage.cpu);
      }
    });

    it("/containers/usage is keyed by full id with labels; /api/v1 gives the library's own shapes", async () => {
      const all = await json<Record<string, AcadockUsage & { labels: Record<string, string> }>>(
        `${url}containers/usage`,
      );
      expect(Object.keys(all)).toEqual(expect.arrayContaining([limited.id, busy.id]));
      expect(all[limited.id]!.labels).toEqual(after.labels);
      expect(all[limited.id]!.memory).toEqual(await json(`${url}containers/${limited.id}/mem`));

      const list = await json<{
        containers: Array<{ id: string; name: string; cgroup: { path: string }; usage: { cpu: unknown } }>;
      }>(`${url}api/v1/containers`);
      expect(list.containers.find((c) => c.id === limited.id)).toMatchObject({
        name: limited.name,
        cgroup: { path: after.cgroup.path },
      });
      const one = await json<{ stats: ContainerStats; usage: { id: string } }>(
        `${url}api/v1/containers/${limited.name}`,
      );
      expect(one.stats).toMatchObject({
        id: limited.id,
        name: limited.name,
        cgroup: after.cgroup,
        memory: { limit: after.memory.limit },
      });
      expect(one.stats.cpu.limitCores).toBe(0.5);
      expect(one.stats.pids.limit).toBe(50);
      expect(one.usage.id).toBe(limited.id);

      const host = await json<{ host: { cpus: number; memory: { total: number } } }>(`${url}api/v1/host`);
      expect(host.host.cpus).toBe(after.host.onlineCpus);
      expect(host.host.memory.total).toBe(after.host.memTotal);
      const acadockHost = await json<{ cpu: { amount: number }; memory: { total: number; memory_committed: number } }>(
        `${url}host/usage`,
      );
      expect(acadockHost.cpu.amount).toBe(after.host.onlineCpus);
      expect(acadockHost.memory.total).toBe(Math.floor(after.host.memTotal / 2 ** 20));
      const committed = await json<{ memory: { memory_committed: number } }>(
        `${url}host/usage?include_container_if_label=no.such.label`,
      );
      expect(committed.memory.memory_committed).toBe(0);
    });

    it('/api/v1/containers/:ref/history gives the sweeps kept of a container (here one), by name as by id', async () => {
      const list = await json<{ timestamp: number }>(`${url}api/v1/containers`);
      const one = await json<{ usage: { memory: { usage: number }; pids: { current: number } } }>(
        `${url}api/v1/containers/${limited.id}`,
      );
      const history = await json<HistoryAnswer>(`${url}api/v1/containers/${limited.name}/history`);
      expect(history.container).toEqual({ id: limited.id, name: limited.name });
      expect(history.intervalMs).toBe(600_000);
      expect(history.t).toEqual([list.timestamp]);
      expect(Object.keys(history.series).sort()).toEqual([...HISTORY_SERIES].sort());
      expect(history.series.memory).toEqual([one.usage.memory.usage]);
      expect(history.series.memoryLimit).toEqual([64 * 2 ** 20]);
      // A first sweep has no rates yet.
      expect(history.series.cpu).toEqual([null]);
      expect(await json(`${url}api/v1/containers/${limited.id.slice(0, 12)}/history`)).toEqual(history);
    });

    it('/metrics labels a Docker container with its name and image as docker inspect gives them', async () => {
      const metrics = parseExposition((await httpRequest(`${url}metrics`)).body);
      const inspected = await inspect(limited.id);
      const series = select(metrics, 'container_memory_usage_bytes', { id: after.cgroup.path });
      expect(series).toHaveLength(1);
      expect(series[0]!.labels.name).toBe(inspected.Name.replace(/^\//, ''));
      expect(series[0]!.labels.image).toBe((inspected.Config as { Image: string }).Image);
    });

    it('answers errors with a status and { error: { code, message } }, never a 5xx for bad input', async () => {
      const cases: Array<[string, { method?: string; host?: string }, number, string]> = [
        ['containers/no-such-container/mem', {}, 404, 'ERR_CONTAINER_NOT_FOUND'],
        ['api/v1/containers/no-such-container', {}, 404, 'ERR_CONTAINER_NOT_FOUND'],
        ['api/v1/containers/no-such-container/history', {}, 404, 'ERR_CONTAINER_NOT_FOUND'],
        [`api/v1/containers/${'a'.repeat(300)}/history`, {}, 400, 'ERR_INVALID_REFERENCE'],
        ['containers/..%2F..%2Fetc/cpu', {}, 400, 'ERR_INVALID_REFERENCE'],
        ['containers/-rf/cpu', {}, 400, 'ERR_INVALID_REFERENCE'],
        [`containers/${'a'.repeat(300)}/cpu`, {}, 400, 'ERR_INVALID_REFERENCE'],
        ['containers/%E0%A4%A/cpu', {}, 400, 'ERR_BAD_REQUEST'],
        ['containers/usage/extra', {}, 404, 'ERR_NOT_FOUND'],
        ['no-such-page', {}, 404, 'ERR_NOT_FOUND'],
        ['containers/../../etc/passwd', {}, 404, 'ERR_NOT_FOUND'],
        ['metrics', { method: 'POST' }, 405, 'ERR_METHOD_NOT_ALLOWED'],
        ['containers/usage', { method: 'DELETE' }, 405, 'ERR_METHOD_NOT_ALLOWED'],
        ['metrics', { host: 'evil.example' }, 403, 'ERR_FORBIDDEN_HOST'],
        ['metrics', { host: 'localhost.evil.example:4244' }, 403, 'ERR_FORBIDDEN_HOST'],
        [`metrics?${'x'.repeat(3000)}`, {}, 414, 'ERR_URL_TOO_LONG'],
      ];
      for (const [path, init, status, code] of cases) {
        const reply = await httpRequest(`${url}${path}`, {
          method: init.method,
          headers: init.host ? { host: init.host } : undefined,
        });
        expect(reply.status, path).toBe(status);
        expect(JSON.parse(reply.body), path).toMatchObject({ error: { code, message: expect.any(String) } });
        if (status === 405) expect(reply.headers.allow).toBe('GET, HEAD');
      }
      // An ambiguous prefix: one hex digit shared by two running containers.
      const ids = Object.keys(await json<Record<string, unknown>>(`${url}containers/usage`));
      const shared = [...'0123456789abcdef'].find((digit) => ids.filter((id) => id.startsWith(digit)).length > 1);
      if (shared !== undefined) expect((await httpRequest(`${url}containers/${shared}/mem`)).status).toBe(400);
    });

    it('HEAD has the headers and no body; hostile requests never get a 5xx', async () => {
      const head = await httpRequest(`${url}metrics`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.body).toBe('');
      expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
      expect(head.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');

      const port = Number(new URL(url).port);
      const hostile = [
        'GET /containers/%00/mem HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
        'GET /containers/%2e%2e/mem HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
        'GET //etc/passwd HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
        'GET http://evil.example/metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
        'GET * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
        'PROPFIND /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
        'TRACE /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
        'GET /metrics HTTP/1.0\r\nConnection: close\r\n\r\n',
        'GET /metrics HTTP/1.1\r\nHost: [::1\r\nConnection: close\r\n\r\n',
        `GET /${'%'.repeat(1000)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
        'NOT-HTTP\r\n\r\n',
        `GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
        'POST /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
      ];
      for (const bytes of hostile) {
        const status = statusOf(await rawRequest(port, bytes));
        expect(status, bytes.slice(0, 60)).toBeGreaterThanOrEqual(400);
        expect(status, bytes.slice(0, 60)).toBeLessThan(500);
      }
      expect(
        statusOf(
          await rawRequest(port, `GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`),
        ),
      ).toBe(431);
    });

    it('closes a connection whose headers never finish (slowloris) within the headers timeout', async () => {
      const port = Number(new URL(url).port);
      const started = Date.now();
      const answer = await rawRequest(port, 'GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n', 25_000);
      expect(statusOf(answer)).toBe(408);
      expect(Date.now() - started).toBeLessThan(15_000);
    });
  });

  it('with a token: 401 without it or with a wrong one, also on /metrics; 200 with it', async () => {
    const agent = createAgent({ listen: '127.0.0.1:0', interval: 600_000, token: TOKEN });
    try {
      const { url } = await agent.listen();
      for (const path of ['metrics', 'healthz', 'containers/usage', 'api/v1/host', 'no-such-path']) {
        const none = await httpRequest(`${url}${path}`);
        expect(none.status, path).toBe(401);
        expect(none.headers['www-authenticate']).toBe('Bearer realm="ctrstat"');
        expect(
          (await httpRequest(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status,
          path,
        ).toBe(401);
      }
      await pollUntil(
        async () => {
          const reply = await httpRequest(`${url}metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
          return reply.status === 200 ? reply : undefined;
        },
        30_000,
        'metrics with the token',
      );
      // The Host check comes first: a rebinding page is refused even with a token it cannot have.
      expect(
        (await httpRequest(`${url}metrics`, { headers: { host: 'evil.example', authorization: `Bearer ${TOKEN}` } }))
          .status,
      ).toBe(403);
    } finally {
      await agent.close();
    }
  });

  it('refuses to listen on a non-loopback address without a token unless insecure', async () => {
    const agent = createAgent({ listen: '0.0.0.0:0', interval: 600_000 });
    await expect(agent.listen()).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
      message: expect.stringMatching(/token/),
    });
    await agent.close();
    const insecure = createAgent({ listen: '0.0.0.0:0', interval: 600_000, insecure: true });
    try {
      expect((await insecure.listen()).url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/$/);
    } finally {
      await insecure.close();
    }
  });

  it('rates over measured time, CPU % a float; a removed container leaves the next answers; close() leaves nothing open', async () => {
    const fdsBefore = openFds();
    const timersBefore = activeTimers();
    const victim = { name: containers.name('victim'), id: '' };
    victim.id = (await containers.run(['--name', victim.name, TEST_IMAGE, 'sleep', '3600'])).id;
    const agent = createAgent({ listen: '127.0.0.1:0', interval: 500 });
    try {
      const { url } = await agent.listen();
      const usage = await pollUntil(
        async () => {
          const reply = await json<AcadockUsage>(`${url}containers/${busy.name}/usage`);
          return reply.cpu.usage_in_percents !== null ? reply : undefined;
        },
        30_000,
        'a CPU % for the busy container',
      );
      expect(usage.cpu.usage_in_percents).toBeGreaterThan(5);
      expect(usage.cpu.usage_in_percents).toBeLessThanOrEqual(availableParallelism() * 100 * 1.05);
      expect(Number.isInteger(usage.cpu.usage_in_percents)).toBe(false);
      expect(usage.net.rx_bps).toBeGreaterThanOrEqual(0);

      await pollUntil(
        async () => ((await json<Record<string, unknown>>(`${url}containers/usage`))[victim.id] ? true : undefined),
        30_000,
        'victim listed',
      );
      const gone = waitForSweep(agent.monitor, (sweep) => sweep.removed.some((c) => c.id === victim.id));
      await containers.remove(victim.id);
      await gone;
      // The snapshot of that sweep (or a later one) no longer has it.
      await pollUntil(
        async () => {
          const metrics = (await httpRequest(`${url}metrics`)).body;
          const all = await json<Record<string, unknown>>(`${url}containers/usage`);
          return !metrics.includes(victim.id) && !(victim.id in all) ? true : undefined;
        },
        10_000,
        'victim gone from /metrics and /containers/usage',
      );
      expect((await httpRequest(`${url}containers/${victim.id}/mem`)).status).toBe(404);
    } finally {
      await agent.close();
    }
    await pollUntil(
      async () => (openFds() === fdsBefore && activeTimers() <= timersBefore ? true : undefined),
      5_000,
      `descriptors back to ${fdsBefore} (now ${openFds()}) and timers to ${timersBefore} (now ${activeTimers()})`,
    );
  });
});
