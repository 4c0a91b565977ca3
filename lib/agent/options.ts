// The agent's options: what a caller may pass to createAgent. The agent's own (address, token, hosts,
// labels, connections) are checked here, the monitor's (interval, network, containers, host roots) by
// createMonitor; either way a bad one is an InvalidOptionError (ERR_INVALID_OPTION) naming the option.
import { isIP } from 'node:net';
import { InvalidOptionError, type ContainerRef, type HostOptions, type MonitorOptions } from '../index.js';
import { hostOptions } from '../options.js';

/**
 * Options of createAgent: the agent's own (address, token, hosts, labels, connections, the live stream's
 * bounds) and those of the monitor underneath. A bad one throws an InvalidOptionError naming it.
 */
export interface AgentOptions extends HostOptions {
  /** Where listen() binds: "host:port", "[v6]:port". Default "127.0.0.1:4244" (acadock's port). Port 0 picks a free one. */
  listen?: string;
  /** Milliseconds between sweeps of the monitor underneath. Default 1000. */
  interval?: number;
  /**
   * Bearer token every request must carry (`Authorization: Bearer <token>`), at least 16 characters.
   * Required by listen() on an address other than loopback, unless `insecure` is set.
   */
  token?: string;
  /** Serve on a non-loopback address without a token (the operator's explicit choice). Default false. */
  insecure?: boolean;
  /** Host header names accepted besides loopback names and IP literals (DNS rebinding guard). */
  allowHosts?: string[];
  /** Container label keys exported as `container_label_<key>` on /metrics (none by default: cardinality). */
  labels?: string[];
  /** Read network counters (enters network namespaces). Default true. */
  network?: boolean;
  /** What to watch, as createMonitor takes it. Default every container on the machine. */
  containers?: ContainerRef[];
  /** Include Kubernetes pod sandboxes, which own a pod's network counters (kubelet exports them too). Default true. */
  includeSandboxes?: boolean;
  /** Concurrent connections listen()'s server accepts. Default 256. */
  maxConnections?: number;
  /** Bounds of the live stream (/api/v1/stream, /api/v1/ws). */
  stream?: StreamOptions;
}

/**
 * Bounds of an agent's live stream (/api/v1/stream, /api/v1/ws) and of the history its charts start with;
 * each an integer with a minimum (an unknown or bad one is an InvalidOptionError naming `stream.<name>`).
 */
export interface StreamOptions {
  /** Subscribers at once, SSE and WebSocket together. Default 64. */
  maxSubscribers?: number;
  /** Unsent bytes above which a subscriber skips a sweep. Default 1 MiB. */
  highWaterBytes?: number;
  /** Sweeps skipped in a row after which a subscriber is cut off. Default 30. */
  maxSkipped?: number;
  /** Milliseconds between heartbeats; a WebSocket that missed the previous pong is closed. Default 15 000. */
  heartbeatMs?: number;
  /**
   * Sweeps of each container's usage kept for GET /api/v1/containers/:ref/history (the dashboard's
   * charts start with them). Default 300 (five minutes at 1 s); 0 keeps none.
   */
  historyPoints?: number;
  /** Bytes the history may take, all containers together: fewer sweeps are kept beyond it. Default 8 MiB. */
  historyBytes?: number;
}

export interface ListenAddress {
  host: string;
  port: number;
}

export interface ResolvedAgentOptions {
  listen: ListenAddress;
  token: string | null;
  insecure: boolean;
  allowHosts: ReadonlySet<string>;
  labels: readonly string[];
  maxConnections: number;
  stream: Required<StreamOptions>;
  /** What the monitor underneath is made with (checked by createMonitor). */
  monitor: MonitorOptions;
  host: HostOptions;
}

export const DEFAULT_LISTEN = '127.0.0.1:4244';
export const MIN_TOKEN_LENGTH = 16;
const DEFAULT_MAX_CONNECTIONS = 256;
const STREAM_DEFAULTS: Required<StreamOptions> = {
  maxSubscribers: 64,
  highWaterBytes: 1024 * 1024,
  maxSkipped: 30,
  heartbeatMs: 15_000,
  historyPoints: 300,
  historyBytes: 8 * 1024 * 1024,
};
/** The smallest value of each stream bound (a heartbeat every millisecond would be a busy loop). */
const STREAM_MINIMUMS: Required<StreamOptions> = {
  maxSubscribers: 1,
  highWaterBytes: 1024,
  maxSkipped: 0,
  heartbeatMs: 100,
  historyPoints: 0,
  historyBytes: 0,
};

function streamOptions(value: unknown): Required<StreamOptions> {
  if (value === undefined) return STREAM_DEFAULTS;
  if (typeof value !== 'object' || value === null) throw new InvalidOptionError('stream', 'expected an object');
  const resolved = { ...STREAM_DEFAULTS };
  for (const [key, given] of Object.entries(value as Record<string, unknown>)) {
    if (!(key in STREAM_DEFAULTS)) throw new InvalidOptionError(`stream.${key}`, 'is not a stream option');
    const name = key as keyof StreamOptions;
    if (given === undefined) continue;
    if (typeof given !== 'number' || !Number.isSafeInteger(given) || given < STREAM_MINIMUMS[name]) {
      throw new InvalidOptionError(
        `stream.${key}`,
        `expected an integer of at least ${STREAM_MINIMUMS[name]}; got ${JSON.stringify(given)}`,
      );
    }
    resolved[name] = given;
  }
  return resolved;
}

/** "host:port" or "[v6]:port" to its parts; the port 0..65535. */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65535) {
    throw new InvalidOptionError(
      'listen',
      `expected "host:port" (or "[v6]:port") with a port from 0 to 65535; got ${JSON.stringify(text)}`,
    );
  }
  if (match?.[1] !== undefined && isIP(host) !== 6)
    throw new InvalidOptionError('listen', `"[${host}]" is not an IPv6 address`);
  return { host, port };
}

/** True for an address only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (name === 'localhost' || name === '::1') return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

/** A Host header name as compared: lower case, IPv6 without brackets. */
export function normalizeHostName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

function stringList(name: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.trim() === '')) {
    throw new InvalidOptionError(name, 'expected an array of non-empty strings');
  }
  return value as string[];
}

/** The label name a container label key becomes, as cAdvisor sanitizes it. */
export function containerLabelName(key: string): string {
  return `container_label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

export function resolveAgentOptions(options: AgentOptions = {}): ResolvedAgentOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options', 'expected an object');
  if (options.listen !== undefined && typeof options.listen !== 'string')
    throw new InvalidOptionError('listen', 'expected a string "host:port"');
  const listen = parseListenAddress(options.listen ?? DEFAULT_LISTEN);

  let token: string | null = null;
  if (options.token !== undefined) {
    if (typeof options.token !== 'string' || options.token.length < MIN_TOKEN_LENGTH || /\s/.test(options.token)) {
      throw new InvalidOptionError(
        'token',
        `expected a string of at least ${MIN_TOKEN_LENGTH} characters without whitespace`,
      );
    }
    token = options.token;
  }
  if (options.insecure !== undefined && typeof options.insecure !== 'boolean')
    throw new InvalidOptionError('insecure', 'expected a boolean');

  const allowHosts = new Set(stringList('allowHosts', options.allowHosts).map(normalizeHostName));

  const labels = stringList('labels', options.labels);
  // Two keys that sanitize alike ("a.b", "a-b") would give one series the same label twice.
  const byName = new Map<string, string>();
  for (const key of labels) {
    const other = byName.get(containerLabelName(key));
    if (other !== undefined && other !== key) {
      throw new InvalidOptionError(
        'labels',
        `"${other}" and "${key}" both become ${containerLabelName(key)}; keep one`,
      );
    }
    byName.set(containerLabelName(key), key);
  }

  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    throw new InvalidOptionError('maxConnections', `expected a positive integer; got ${String(maxConnections)}`);
  }

  // Every root, checked: the monitor's and the single-container reads' (a root left out here names nothing).
  const host = hostOptions(options);
  return {
    listen,
    token,
    insecure: options.insecure ?? false,
    allowHosts,
    labels: [...new Set(labels)],
    maxConnections,
    stream: streamOptions(options.stream),
    monitor: {
      ...host,
      interval: options.interval,
      network: options.network,
      containers: options.containers,
      includeSandboxes: options.includeSandboxes ?? true,
    },
    host,
  };
}
