// The live stream against real containers: every sweep reaches every SSE and WebSocket subscriber once,
// added/removed events and filters, a client that stops reading is cut off with the agent's buffers
// bounded, a dead WebSocket is closed by the heartbeat, disconnects leave no timer or listener, and the
// token, cookie and Origin rules.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../lib/agent/index.js';
import { httpRequest } from '../helpers/agent.js';
import { ensureTestImage, TEST_IMAGE, withContainers } from '../helpers/docker.js';
import { requireCommand, requireDocker, requireRoot } from '../helpers/env.js';
import { openSse, openWs, type StreamClient, type SweepMessage } from '../helpers/stream.js';
import { waitFor } from '../helpers/wait.js';

const ready = requireRoot() && requireDocker() && requireCommand('python3');
const TOKEN = 'stream-token-0123456789abcdef';
const INTERVAL_MS = 250;

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

async function started(options: Parameters<typeof createAgent>[0] = {}) {
  const agent = createAgent({ listen: '127.0.0.1:0', interval: INTERVAL_MS, network: false, ...options });
  const { url, port } = await agent.listen();
  return { agent, url, ws: `ws://127.0.0.1:${port}/api/v1/ws`, port };
}

/** Sweep timestamps a client received, in order. */
const stamps = (client: StreamClient) => client.sweeps().map((sweep) => sweep.timestamp);

describe.skipIf(!ready)('the live stream, on real containers', () => {
  const containers = withContainers('ctm-stream-');
  let agent: Agent;
  let url: string;
  let wsUrl: string;
  let watched: { id: string; name: string };
  const clients: Array<{ close(): void }> = [];

  beforeAll(async () => {
    await ensureTestImage();
    const name = containers.name('watched');
    const { id } = await containers.run(['--name', name, TEST_IMAGE, 'sleep', '3600']);
    watched = { id, name };
    ({ agent, url, ws: wsUrl } = await started());
  }, 120_000);

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  afterAll(async () => {
    await agent?.close();
    await containers.removeAll();
  }, 60_000);

  it('delivers every sweep once, in order, to each of several SSE and WebSocket subscribers', async () => {
    const sse = await Promise.all([1, 2, 3, 4].map(() => openSse(`${url}api/v1/stream`)));
    const ws = await Promise.all([1, 2, 3, 4].map(() => openWs(wsUrl)));
    const all: StreamClient[] = [...sse, ...ws];
    clients.push(...all);
    for (const client of sse) expect(client.status).toBe(200);
    for (const client of sse) expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await Promise.all(all.map((client) => client.next((m) => m.type === 'hello', 'hello')));
    expect(agent.streamCounts()).toMatchObject({ subscribers: 8, sse: 4, websocket: 4, heartbeat: true });

    // Every sweep the monitor makes from now on must reach every subscriber.
    const made: number[] = [];
    const onSweep = (sweep: { timestamp: number }) => made.push(sweep.timestamp);
    agent.monitor.on('sweep', onSweep);
    try {
      await waitFor(() => made.length >= 6, 'six sweeps', 30_000);
    } finally {
      agent.monitor.off('sweep', onSweep);
    }
    const last = made.at(-1)!;
    await Promise.all(
      all.map((client) => client.next((m) => m.type === 'sweep' && m.timestamp === last, 'last sweep')),
    );
    for (const client of all) {
      const got = stamps(client);
      // Strictly increasing: nothing twice, nothing out of order.
      expect(got.every((t, i) => i === 0 || t > got[i - 1]!)).toBe(true);
      for (const t of made) expect(got).toContain(t);
      const sweep = client.sweeps().find((s) => s.timestamp === last)!;
      expect(sweep.skipped).toBe(0);
      const row = sweep.containers.find((r) => r.id === watched.id);
      expect(row?.name).toBe(watched.name);
      expect(row?.memory.usage).toBeGreaterThan(0);
    }
    // The same text on both transports.
    const viaSse = sse[0]!.messages.find((m) => m.type === 'sweep' && m.timestamp === last);
    const viaWs = ws[0]!.messages.find((m) => m.type === 'sweep' && m.timestamp === last);
    expect(viaWs).toEqual(viaSse);
  }, 60_000);

  it('sends added and removed as they happen, and a filter narrows the stream to the containers named', async () => {
    const everything = await openSse(`${url}api/v1/stream`);
    const onlyWatched = await openSse(`${url}api/v1/stream?container=${watched.name}`);
    const lateName = containers.name('late');
    const onlyLate = await openWs(`${wsUrl}?container=${lateName}`);
    clients.push(everything, onlyWatched, onlyLate);
    await Promise.all([everything, onlyWatched, onlyLate].map((c) => c.next((m) => m.type === 'hello', 'hello')));

    const late = await containers.run(['--name', lateName, TEST_IMAGE, 'sleep', '3600']);
    const isLate = (m: { type: string; container?: unknown }) => (m.container as { id?: string })?.id === late.id;
    await everything.next((m) => m.type === 'added' && isLate(m), 'added on the unfiltered stream');
    await onlyLate.next((m) => m.type === 'added' && isLate(m), 'added on the stream that named it');
    const withLate = await everything.next<SweepMessage>(
      (m) => m.type === 'sweep' && (m as SweepMessage).containers.some((r) => r.id === late.id),
      'a sweep with the new container',
    );
    expect(withLate.containers.find((r) => r.id === late.id)?.name).toBe(lateName);
    // The `added` event comes before the first sweep that holds the container.
    const addedAt = everything.messages.findIndex((m) => m.type === 'added' && isLate(m));
    expect(addedAt).toBeLessThan(everything.messages.indexOf(withLate));

    await containers.remove(late.id);
    await everything.next((m) => m.type === 'removed' && isLate(m), 'removed on the unfiltered stream');
    await onlyLate.next((m) => m.type === 'removed' && isLate(m), 'removed on the stream that named it');
    const after = await everything.next<SweepMessage>(
      (m) =>
        m.type === 'sweep' &&
        everything.messages.indexOf(m) > everything.messages.findIndex((x) => x.type === 'removed'),
      'a sweep after the removal',
    );
    expect(after.containers.some((r) => r.id === late.id)).toBe(false);

    // The filtered stream saw only its container, and no event about the other.
    for (const sweep of onlyWatched.sweeps()) expect(sweep.containers.map((r) => r.id)).toEqual([watched.id]);
    expect(onlyWatched.messages.some((m) => m.type === 'added' || m.type === 'removed')).toBe(false);
    for (const sweep of onlyLate.sweeps()) expect(sweep.containers.every((r) => r.id === late.id)).toBe(true);
  }, 90_000);

  it('leaves no timer, listener or subscription behind once every subscriber has gone', async () => {
    await waitFor(() => agent.streamCounts().subscribers === 0, 'earlier subscribers gone', 10_000);
    const before = { timers: activeTimers(), listeners: agent.monitor.listenerCount('sweep') };
    expect(agent.streamCounts()).toMatchObject({ heartbeat: false, following: false });

    const opened: StreamClient[] = [
      ...(await Promise.all([1, 2, 3].map(() => openSse(`${url}api/v1/stream`)))),
      ...(await Promise.all([1, 2, 3].map(() => openWs(wsUrl)))),
    ];
    await Promise.all(opened.map((c) => c.next((m) => m.type === 'sweep', 'a sweep')));
    expect(agent.streamCounts()).toMatchObject({ subscribers: 6, heartbeat: true, following: true });
    for (const client of opened) client.close();
    await waitFor(() => agent.streamCounts().subscribers === 0, 'subscribers gone', 10_000);
    expect(agent.streamCounts()).toMatchObject({ heartbeat: false, following: false, bufferedBytes: 0 });
    expect(activeTimers()).toBeLessThanOrEqual(before.timers);
    expect(agent.monitor.listenerCount('sweep')).toBe(before.listeners);
  }, 60_000);

  it('refuses a bad filter with a 400 and other methods with a 405', async () => {
    const long = await httpRequest(`${url}api/v1/stream?container=${'a'.repeat(300)}`);
    expect(long.status).toBe(400);
    expect(JSON.parse(long.body)).toMatchObject({ error: { code: 'ERR_INVALID_REFERENCE' } });
    const many = await httpRequest(
      `${url}api/v1/stream?container=${Array.from({ length: 101 }, (_, i) => i).join(',')}`,
    );
    expect(many.status).toBe(400);
    const head = await httpRequest(`${url}api/v1/stream`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const post = await httpRequest(`${url}api/v1/stream`, { method: 'POST' });
    expect(post.status).toBe(405);
  });
});

describe.skipIf(!ready)('the live stream under slow, dead and unauthorised clients', () => {
  let agent: Agent | null = null;
  let slow: ChildProcess | null = null;
  let unixServer: Server | null = null;

  afterEach(async () => {
    slow?.kill('SIGKILL');
    slow = null;
    unixServer?.closeAllConnections();
    unixServer?.close();
    unixServer = null;
    await agent?.close();
    agent = null;
  });

  it('cuts off a client that stops reading, after skipping sweeps for it, with the unsent bytes bounded', async () => {
    const highWaterBytes = 4096;
    const maxSkipped = 5;
    const run = await started({ interval: 50, stream: { highWaterBytes, maxSkipped } });
    agent = run.agent;
    const healthy = await openSse(`${run.url}api/v1/stream`);
    // The slow client comes over a Unix socket (the agent's handler mounted in a server of the test's
    // own): its buffers are a few hundred KiB where loopback TCP's grow to megabytes, so they fill in
    // seconds. It asks for the stream and never reads.
    const path = join(tmpdir(), `ctrstat-stream-${process.pid}.sock`);
    rmSync(path, { force: true });
    unixServer = createServer(run.agent.handler);
    await new Promise<void>((resolve) => unixServer!.listen(path, resolve));
    slow = spawn('python3', [
      '-c',
      `import socket, time
s = socket.socket(socket.AF_UNIX)
s.connect(${JSON.stringify(path)})
s.sendall(b"GET /api/v1/stream HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n")
time.sleep(120)`,
    ]);
    await waitFor(() => agent!.streamCounts().subscribers === 2, 'the slow client subscribed', 10_000);
    let mostBuffered = 0;
    const watch = () => {
      mostBuffered = Math.max(mostBuffered, agent!.streamCounts().bufferedBytes);
    };
    agent.monitor.on('sweep', watch);
    await waitFor(() => agent!.streamCounts().droppedSlow === 1, 'the slow client cut off', 60_000);
    agent.monitor.off('sweep', watch);
    expect(agent.streamCounts().subscribers).toBe(1);
    // Never more than the high-water mark plus one sweep's frames (as the healthy client got them).
    const largestFrames = Math.max(...healthy.messages.map((m) => JSON.stringify(m).length + 64)) * 2;
    expect(mostBuffered).toBeGreaterThan(0);
    expect(mostBuffered).toBeLessThan(highWaterBytes + largestFrames);
    // The healthy client kept getting every sweep meanwhile.
    const got = stamps(healthy);
    expect(got.length).toBeGreaterThan(maxSkipped);
    expect(healthy.sweeps().every((s) => s.skipped === 0)).toBe(true);
    healthy.close();
  }, 90_000);

  it('closes a WebSocket that does not answer the heartbeat, and keeps one that does', async () => {
    // A second between pings: the pong of a live client (served by this same event loop) has all of it.
    const run = await started({ stream: { heartbeatMs: 1000 } });
    agent = run.agent;
    const deaf = await openWs(run.ws, { autoPong: false });
    const alive = await openWs(run.ws);
    await deaf.ended;
    expect(deaf.closeCode()).not.toBe(null);
    expect(agent.streamCounts()).toMatchObject({ droppedDead: 1, websocket: 1 });
    // Two more heartbeats: the live client answered each.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(alive.socket.readyState).toBe(alive.socket.OPEN);
    alive.close();
  }, 30_000);

  it('needs the token: a bearer header, a ?token= visit exchanged for a cookie, and on WebSockets the own Origin', async () => {
    const run = await started({ token: TOKEN });
    agent = run.agent;
    const bare = await openSse(`${run.url}api/v1/stream`);
    expect(bare.status).toBe(401);
    await bare.ended;
    expect(bare.messages).toEqual([]);
    await expect(openWs(run.ws)).rejects.toThrow(/401/);

    const bearer = await openSse(`${run.url}api/v1/stream`, { authorization: `Bearer ${TOKEN}` });
    expect(bearer.status).toBe(200);
    await bearer.next((m) => m.type === 'hello', 'hello with the bearer token');
    bearer.close();

    const wrong = await httpRequest(`${run.url}?token=not-the-token-at-all`);
    expect(wrong.status).toBe(401);
    const page = await httpRequest(`${run.url}?token=${TOKEN}`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/');
    const setCookie = String(page.headers['set-cookie']);
    expect(setCookie).toMatch(/^ctrstat_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0]!;
    const viaCookie = await openSse(`${run.url}api/v1/stream`, { cookie });
    expect(viaCookie.status).toBe(200);
    await viaCookie.next((m) => m.type === 'hello', 'hello with the cookie');
    viaCookie.close();
    expect((await httpRequest(run.url, { headers: { cookie: 'ctrstat_session=forged' } })).status).toBe(401);

    const origin = `http://127.0.0.1:${run.port}`;
    const ws = await openWs(run.ws, { headers: { cookie }, origin });
    await ws.next((m) => m.type === 'hello', 'hello over the WebSocket');
    ws.close();
    await expect(openWs(run.ws, { headers: { cookie }, origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(openWs(run.ws, { headers: { cookie }, origin: `http://localhost:${run.port + 1}` })).rejects.toThrow(
      /403/,
    );
  }, 60_000);

  it('refuses a subscriber past the limit with a 503, on either transport, and takes one again once a place is free', async () => {
    const run = await started({ stream: { maxSubscribers: 2 } });
    agent = run.agent;
    const first = await openSse(`${run.url}api/v1/stream`);
    const second = await openWs(run.ws);
    await Promise.all([first, second].map((c) => c.next((m) => m.type === 'hello', 'hello')));
    const third = await httpRequest(`${run.url}api/v1/stream`);
    expect(third.status).toBe(503);
    expect(JSON.parse(third.body)).toMatchObject({ error: { code: 'ERR_TOO_MANY_SUBSCRIBERS' } });
    await expect(openWs(run.ws)).rejects.toThrow(/503/);
    first.close();
    await waitFor(() => agent!.streamCounts().subscribers === 1, 'a place freed', 10_000);
    const again = await openSse(`${run.url}api/v1/stream`);
    expect(again.status).toBe(200);
    again.close();
    second.close();
  }, 30_000);

  it('ends every subscription promptly when the agent closes', async () => {
    const run = await started();
    const sse = await openSse(`${run.url}api/v1/stream`);
    const ws = await openWs(run.ws);
    await Promise.all([sse, ws].map((c) => c.next((m) => m.type === 'hello', 'hello')));
    const t0 = Date.now();
    await run.agent.close();
    await Promise.all([sse.ended, ws.ended]);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(ws.closeCode()).toBe(1001);
    expect(run.agent.streamCounts()).toMatchObject({ subscribers: 0, heartbeat: false, following: false });
  }, 30_000);
});
