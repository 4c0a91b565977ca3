// Clients of the agent's live stream for tests: an SSE reader over node:http and a WebSocket (the ws
// package), both collecting every message parsed, with a wait that has a deadline.
import { request, type IncomingMessage } from 'node:http';
import { WebSocket, type ClientOptions } from 'ws';
import { waitFor } from './wait.js';

export interface StreamMessage {
  type: string;
  [key: string]: unknown;
}

export interface SweepRow {
  id: string;
  name: string | null;
  cpu: { percent: number | null };
  memory: { usage: number; limit: number | null; percent: number | null };
}

export interface SweepMessage extends StreamMessage {
  type: 'sweep';
  timestamp: number;
  skipped: number;
  containers: SweepRow[];
}

export interface StreamClient {
  readonly messages: StreamMessage[];
  /** Resolves once a collected message satisfies `accept` (checking those already there first). */
  next<T extends StreamMessage = StreamMessage>(
    accept: (message: StreamMessage) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<T>;
  sweeps(): SweepMessage[];
  /** Resolves when the server has closed the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

function collector(messages: StreamMessage[]): Pick<StreamClient, 'next' | 'sweeps'> {
  return {
    async next<T extends StreamMessage>(accept: (message: StreamMessage) => boolean, what: string, timeoutMs = 20_000) {
      let found: StreamMessage | undefined;
      await waitFor(
        () => {
          found = messages.find(accept);
          return found !== undefined;
        },
        what,
        timeoutMs,
      );
      return found as T;
    },
    sweeps: () => messages.filter((m): m is SweepMessage => m.type === 'sweep'),
  };
}

export interface SseClient extends StreamClient {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  /** SSE event names in order of arrival. */
  readonly events: string[];
}

/** Opens an SSE stream; resolves once the response headers are in (any status). */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, headers, agent: false },
      (res) => {
        const messages: StreamMessage[] = [];
        const events: string[] = [];
        let buffer = '';
        let endedResolve!: () => void;
        const ended = new Promise<void>((done) => {
          endedResolve = done;
        });
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let at: number;
          while ((at = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, at);
            buffer = buffer.slice(at + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (data.length === 0) continue;
            events.push(event);
            messages.push(JSON.parse(data.join('\n')) as StreamMessage);
          }
        });
        res.on('close', endedResolve);
        res.on('error', endedResolve);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          messages,
          events,
          ended,
          close: () => req.destroy(),
          ...collector(messages),
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export interface WsClient extends StreamClient {
  readonly socket: WebSocket;
  /** The close code the server sent. */
  closeCode(): number | null;
}

/** Opens a WebSocket; resolves once open, rejects with the HTTP status on a refused upgrade. */
export function openWs(url: string, options: ClientOptions = {}): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, ...options });
    const messages: StreamMessage[] = [];
    let code: number | null = null;
    const ended = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as StreamMessage));
    socket.on('close', (closeCode: number) => {
      code = closeCode;
    });
    socket.once('unexpected-response', (_req, res) => {
      reject(new Error(`upgrade refused: ${res.statusCode}`));
      socket.terminate();
    });
    socket.once('error', reject);
    socket.once('open', () => {
      socket.off('error', reject);
      socket.on('error', () => {
        /* the close event follows */
      });
      resolve({ socket, messages, ended, closeCode: () => code, close: () => socket.close(), ...collector(messages) });
    });
  });
}
