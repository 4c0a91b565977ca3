// Talking to an agent in tests: plain HTTP requests (any Host header, any method, raw bytes), the
// exposition text parsed into series, and waiting for sweeps with a deadline.
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { promisify } from 'node:util';
import type { Monitor, MonitorSweep } from '../../lib/index.js';

const execFileAsync = promisify(execFile);

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
}

/** One request to an http:// URL; the Host header defaults to the URL's (set headers.host to send another). */
export function httpRequest(url: string, options: RequestOptions = {}): Promise<Reply> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Sends raw bytes on a new connection and resolves with everything the server wrote before closing (or the first status line). */
export function rawRequest(port: number, bytes: string, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms; got ${JSON.stringify(answer.slice(0, 200))}`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', () => {
      /* the server may reset after answering */
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.write(bytes);
  });
}

export function statusOf(rawAnswer: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(rawAnswer)?.[1] ?? 0);
}

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  series: Series[];
  /** TYPE of each family. */
  types: Map<string, string>;
  /** Family names in the order their TYPE lines appear. */
  order: string[];
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const pattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const match of text.matchAll(pattern)) {
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_all, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** The Prometheus text format, as far as the agent writes it (no timestamps, no exemplars). */
export function parseExposition(text: string): Exposition {
  const series: Series[] = [];
  const types = new Map<string, string>();
  const order: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type !== null) {
      types.set(type[1]!, type[2]!);
      order.push(type[1]!);
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not an exposition line: ${line}`);
    series.push({ name: match[1]!, labels: parseLabels(match[2] ?? ''), value: Number(match[3]) });
  }
  return { series, types, order };
}

/** The series of one family whose labels include `where`. */
export function select(exposition: Exposition, name: string, where: Record<string, string> = {}): Series[] {
  return exposition.series.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));
}

/** Resolves with the first sweep for which `accept` holds, or rejects after the deadline. */
export function waitForSweep(
  monitor: Monitor,
  accept: (sweep: MonitorSweep) => boolean,
  timeoutMs = 30_000,
): Promise<MonitorSweep> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      monitor.off('sweep', onSweep);
      reject(new Error(`no matching sweep within ${timeoutMs} ms`));
    }, timeoutMs);
    const onSweep = (sweep: MonitorSweep) => {
      if (!accept(sweep)) return;
      clearTimeout(timer);
      monitor.off('sweep', onSweep);
      resolve(sweep);
    };
    monitor.on('sweep', onSweep);
  });
}

/** Polls `check` until it returns a value other than undefined, or fails with the last error after the deadline. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not within ${timeoutMs} ms${last ? ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})` : ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** `promtool check metrics` on a text; resolves with its output, rejects with it when the check fails. */
export async function promtoolCheckMetrics(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('promtool', ['check', 'metrics'], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`promtool check metrics failed: ${stdout}${stderr}`));
      else resolve(`${stdout}${stderr}`);
    });
    child.stdin!.end(text);
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for a server in another process, which cannot take port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export { execFileAsync };
