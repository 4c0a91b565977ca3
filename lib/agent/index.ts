// ctrstat/agent: an HTTP agent over one monitor. acadock-monitoring's API, ctrstat's own /api/v1 JSON,
// a cAdvisor-compatible /metrics and /healthz, all answered from the latest sweep; each sweep pushed to
// subscribers of /api/v1/stream (SSE) and /api/v1/ws (WebSocket); the dashboard page at /.
//
//   import { createAgent } from 'ctrstat/agent';
//   const agent = createAgent({ listen: '127.0.0.1:4244' });
//   const { url } = await agent.listen();          // or mount agent.handler in your own node:http server
//   ...
//   await agent.close();
import {
  createServer,
  STATUS_CODES,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createMonitor, CtrstatError, InvalidOptionError, readContainerStats, type Monitor } from '../index.js';
import { registerAcadockRoutes } from './acadock.js';
import { registerApiV1Routes } from './api-v1.js';
import { registerHealthRoute } from './health.js';
import { HttpError, sendError, sendLoginPage, wantsHtml } from './http.js';
import { httpErrorOf, type ReadOne } from './lookup.js';
import { registerMetricsRoute } from './metrics.js';
import { isLoopbackHost, resolveAgentOptions, type AgentOptions } from './options.js';
import { Router } from './router.js';
import { BearerCheck, isAllowedHost, isAllowedOrigin, SESSION_COOKIE } from './security.js';
import { SnapshotKeeper } from './snapshot.js';
import { registerDashboardRoutes } from './dashboard.js';
import { StreamHub, type StreamCounts } from './stream.js';
import { UsageHistory } from './history.js';

export type { AgentOptions, StreamOptions } from './options.js';
export type { StreamCounts } from './stream.js';
export type { StreamRow } from './stream-messages.js';

/** Request line and headers together (Node's default is 16 KiB); a longer URL is refused before parsing. */
const MAX_HEADER_BYTES = 8 * 1024;
const MAX_URL_LENGTH = 2048;
/** Slow clients (slowloris): the headers within 10 s, the whole request within 30 s. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** How often Node checks the two timeouts above (its default, 30 s, would let a slow client stay 40 s). */
const TIMEOUT_CHECK_MS = 1_000;
/** How long close() lets requests in flight finish before cutting their connections. */
const CLOSE_GRACE_MS = 2_000;

/** Where listen() serves: the URL, and the host and port bound (the port chosen when `listen` gave port 0). */
export interface AgentAddress {
  /** The URL served, e.g. "http://127.0.0.1:4244/". */
  url: string;
  host: string;
  port: number;
}

/**
 * An agent from createAgent: `handler` and `upgradeHandler` to mount in a server of your own, or listen() for a
 * server of its own. listen() rejects with an InvalidOptionError on an address other than loopback without a
 * token (unless `insecure`), and with code ERR_AGENT_LISTENING or ERR_AGENT_CLOSED when it already listens or
 * is closed.
 */
export interface Agent {
  /** A node:http request listener: mount it in a server of your own (listen() is then not needed). */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** A node:http `upgrade` listener: the live stream's WebSocket at /api/v1/ws (mount it beside handler). */
  readonly upgradeHandler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** The monitor underneath, for its events (`sweep`, `added`, `removed`); closed by close(). */
  readonly monitor: Monitor;
  /** Who is subscribed to the live stream right now. */
  streamCounts(): StreamCounts;
  /** Starts a server of its own on the `listen` address. */
  listen(): Promise<AgentAddress>;
  /** Stops the server (if listening) and the monitor; every descriptor and timer is released. */
  close(): Promise<void>;
}

const ALLOWED_METHODS = 'GET, HEAD';

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
}

/**
 * Makes an HTTP agent over one monitor, which starts at once (its first sweep on the next turn of the event
 * loop); the endpoints answer from the latest sweep. The monitor keeps the process alive until close().
 * Throws an InvalidOptionError naming a bad option.
 */
export function createAgent(options: AgentOptions = {}): Agent {
  const config = resolveAgentOptions(options);
  const monitor = createMonitor(config.monitor);
  const keeper = new SnapshotKeeper(monitor, config.host.procRoot ?? '/proc');
  const current = () => keeper.current;
  const readOne: ReadOne = (ref) => readContainerStats(ref, { ...config.host, network: config.monitor.network });
  const bearer = config.token === null ? null : new BearerCheck(config.token);
  const hub = new StreamHub(keeper, monitor.interval, config.stream);
  const history = new UsageHistory(config.stream.historyPoints, config.stream.historyBytes);
  const stopHistory = config.stream.historyPoints > 0 ? keeper.subscribe((snapshot) => history.add(snapshot)) : null;

  const router = new Router();
  registerAcadockRoutes(router, current, readOne);
  registerApiV1Routes(router, current, readOne, { history, intervalMs: monitor.interval });
  registerMetricsRoute(router, current, config.labels);
  registerHealthRoute(router, current, monitor.interval);
  registerDashboardRoutes(router);
  router.get('/api/v1/stream', (ctx) => hub.serveSse(ctx));
  router.upgrade('/api/v1/ws', (req, socket, head, _params, url) => {
    if (!isAllowedOrigin(req.headers.origin, req.headers.host)) {
      throw new HttpError(
        403,
        'ERR_FORBIDDEN_ORIGIN',
        "WebSocket connections are taken from the agent's own pages only",
      );
    }
    hub.serveWebSocket(req, socket, head, url);
  });

  let closing: Promise<void> | null = null;
  let server: Server | null = null;

  /**
   * What every request passes before routing: open, Host allowed, token, a bounded URL, GET or HEAD.
   * `login` is set when the token came as `?token=` (a browser's first visit): answered with the session
   * cookie and a redirect to the same URL without it.
   */
  function admit(method: string | undefined, raw: string, headers: IncomingHttpHeaders): { url: URL; login: boolean } {
    if (closing !== null) throw new HttpError(503, 'ERR_CLOSING', 'The agent is shutting down');
    if (!isAllowedHost(headers.host, config.allowHosts)) {
      throw new HttpError(403, 'ERR_FORBIDDEN_HOST', 'This Host header is not served (see --allow-host)');
    }
    if (bearer === null || bearer.accepts(headers.authorization) || bearer.acceptsCookie(headers.cookie))
      return { url: parseTarget(method, raw), login: false };
    let given: string | null = null;
    let url: URL | null = null;
    try {
      url = parseTarget(method, raw);
      given = url.searchParams.get('token');
    } catch {
      // Unauthenticated: nothing is said about the request until the token is shown.
    }
    if (url === null || given === null || !bearer.acceptsToken(given)) {
      throw new HttpError(
        401,
        'ERR_UNAUTHORIZED',
        'A valid token is required: an "Authorization: Bearer <token>" header, or open the page once with ?token=<token>',
        { 'WWW-Authenticate': 'Bearer realm="ctrstat"' },
      );
    }
    return { url, login: true };
  }

  /** The request target as a URL: bounded, a path, GET or HEAD. */
  function parseTarget(method: string | undefined, raw: string): URL {
    if (raw.length > MAX_URL_LENGTH)
      throw new HttpError(414, 'ERR_URL_TOO_LONG', `The URL is longer than ${MAX_URL_LENGTH} characters`);
    if (method !== 'GET' && method !== 'HEAD') {
      throw new HttpError(405, 'ERR_METHOD_NOT_ALLOWED', `Only ${ALLOWED_METHODS} are served`, {
        Allow: ALLOWED_METHODS,
        Connection: 'close',
      });
    }
    if (!raw.startsWith('/')) throw new HttpError(400, 'ERR_BAD_REQUEST', 'The request target must be a path');
    try {
      // Dot segments ("/a/../b", also percent-encoded) are resolved here, before any route sees the path.
      return new URL(raw, 'http://agent');
    } catch {
      throw new HttpError(400, 'ERR_BAD_REQUEST', 'The request target is not a valid path');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const { url, login } = admit(req.method, req.url ?? '', req.headers);
      if (login) {
        url.searchParams.delete('token');
        res.writeHead(303, {
          Location: `${url.pathname}${url.search}`,
          'Set-Cookie': `${SESSION_COOKIE}=${bearer!.session}; Path=/; HttpOnly; SameSite=Strict`,
          'Cache-Control': 'no-store',
          'Content-Length': '0',
        });
        res.end();
        return;
      }
      const { handler, params } = router.resolve(req.method!, url.pathname);
      await handler({ req, res, params, url });
    } catch (err) {
      const error = err instanceof HttpError ? err : httpErrorOf(err);
      if (error.status === 401 && wantsHtml(req)) sendLoginPage(req, res, error);
      else sendError(req, res, error);
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void handle(req, res);
  };

  const upgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    let status = 404;
    try {
      // An upgrade request is a GET; it passes the same checks as any other.
      const { url } = admit('GET', req.url ?? '', req.headers);
      const route = router.resolveUpgrade(url.pathname);
      if (route !== null) {
        route.handler(req, socket, head, route.params, url);
        return;
      }
    } catch (err) {
      if (err instanceof HttpError) status = err.status;
    }
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  async function listen(): Promise<AgentAddress> {
    if (closing !== null) throw new CtrstatError('ERR_AGENT_CLOSED', 'The agent is closed');
    if (server !== null) throw new CtrstatError('ERR_AGENT_LISTENING', 'The agent is already listening');
    const { host, port } = config.listen;
    if (!isLoopbackHost(host) && config.token === null && !config.insecure) {
      throw new InvalidOptionError(
        'listen',
        `refusing to serve on ${host}, which is not loopback, without a token: set one (--token-file or CTRSTAT_TOKEN), or pass --insecure to serve without`,
      );
    }
    const created = createServer(
      {
        maxHeaderSize: MAX_HEADER_BYTES,
        headersTimeout: HEADERS_TIMEOUT_MS,
        requestTimeout: REQUEST_TIMEOUT_MS,
        keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
        connectionsCheckingInterval: TIMEOUT_CHECK_MS,
      },
      handler,
    );
    created.maxConnections = config.maxConnections;
    created.on('upgrade', upgradeHandler);
    server = created;
    try {
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject);
        created.listen(port, host, () => {
          created.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      server = null;
      created.close();
      throw err;
    }
    const address = created.address() as AddressInfo;
    return { url: formatUrl(host, address.port), host, port: address.port };
  }

  async function shutdown(): Promise<void> {
    await hub.close();
    const open = server;
    if (open !== null) {
      await new Promise<void>((resolve) => {
        const cut = setTimeout(() => open.closeAllConnections(), CLOSE_GRACE_MS);
        open.close(() => {
          clearTimeout(cut);
          resolve();
        });
        open.closeIdleConnections();
      });
    }
    await monitor.close();
    await keeper.close();
    stopHistory?.();
  }

  return {
    handler,
    upgradeHandler,
    monitor,
    streamCounts: () => hub.counts(),
    listen,
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}
