// The live stream: each sweep pushed once to every subscriber, over Server-Sent Events
// (GET /api/v1/stream) or a WebSocket (/api/v1/ws), with the same messages on both. One connection
// carries every container (a browser allows six SSE connections per host over HTTP/1.1); `?container=`
// (repeated, or comma-separated) narrows it.
//
// Bounded whatever a client does: a client whose unsent bytes exceed a high-water mark skips sweeps (the
// next message it gets says how many), and is cut off after maxSkipped in a row; one heartbeat timer for
// the whole hub (SSE comments, WebSocket pings with a pong deadline) closes dead connections; a
// subscriber leaves nothing behind when it goes (no timer of its own, its listeners go with its socket).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { HttpError } from './http.js';
import type { StreamOptions } from './options.js';
import type { RouteContext } from './router.js';
import type { Snapshot, SnapshotKeeper } from './snapshot.js';
import { framesOf, helloMessage, StreamFilter, sweepMessage } from './stream-messages.js';

/** The bounds, as resolved from the agent's `stream` option (defaults there). */
export type StreamLimits = Required<StreamOptions>;

/** References a stream filter may hold, and the length of each. */
const MAX_FILTER_REFS = 100;
const MAX_REF_LENGTH = 255;
/** What a WebSocket client may send in one message (it has nothing to say; this bounds what it tries). */
const MAX_WS_PAYLOAD = 4096;

/** Who is subscribed to an agent's live stream now, and what is buffered for them (agent.streamCounts()). */
export interface StreamCounts {
  subscribers: number;
  sse: number;
  websocket: number;
  /** Whether the hub's heartbeat timer is running (only while someone is subscribed). */
  heartbeat: boolean;
  /** Subscribers cut off for falling behind, since the hub started. */
  droppedSlow: number;
  /** WebSockets closed for missing a pong, since the hub started. */
  droppedDead: number;
  /** Bytes written to subscribers and not yet taken by the kernel, all together. */
  bufferedBytes: number;
  /** Whether the hub follows the snapshots (only while someone is subscribed). */
  following: boolean;
}

abstract class Subscriber {
  skipped = 0;
  constructor(readonly filter: StreamFilter | null) {}
  abstract readonly kind: 'sse' | 'websocket';
  /** Bytes written but not yet taken by the kernel. */
  abstract buffered(): number;
  abstract send(event: string, text: string): void;
  abstract heartbeat(): 'ok' | 'dead';
  abstract close(code: number, reason: string): void;
}

class SseSubscriber extends Subscriber {
  readonly kind = 'sse';
  constructor(
    filter: StreamFilter | null,
    readonly res: ServerResponse,
  ) {
    super(filter);
  }
  buffered(): number {
    return this.res.writableLength;
  }
  send(event: string, text: string): void {
    this.res.write(`event: ${event}\ndata: ${text}\n\n`);
  }
  heartbeat(): 'ok' {
    this.res.write(': ping\n\n');
    return 'ok';
  }
  close(_code: number, reason: string): void {
    this.res.end(`event: close\ndata: ${JSON.stringify({ type: 'close', reason })}\n\n`);
    // A client that reads nothing would keep the connection open behind its full buffer.
    this.res.destroy();
  }
}

class WebSocketSubscriber extends Subscriber {
  readonly kind = 'websocket';
  alive = true;
  constructor(
    filter: StreamFilter | null,
    readonly ws: WebSocket,
  ) {
    super(filter);
    ws.on('pong', () => {
      this.alive = true;
    });
  }
  buffered(): number {
    return this.ws.bufferedAmount;
  }
  send(_event: string, text: string): void {
    this.ws.send(text);
  }
  heartbeat(): 'ok' | 'dead' {
    if (!this.alive) return 'dead';
    this.alive = false;
    this.ws.ping();
    return 'ok';
  }
  close(code: number, reason: string): void {
    this.ws.close(code, reason);
    // Closing waits for the peer's close frame; a peer that reads nothing never sends it.
    if (code !== 1000 && code !== 1001) this.ws.terminate();
  }
}

/** `?container=a&container=b,c` to a filter; null when none is given. */
export function parseStreamFilter(url: URL): StreamFilter | null {
  const refs = url.searchParams
    .getAll('container')
    .flatMap((value) => value.split(','))
    .map((ref) => ref.trim())
    .filter((ref) => ref !== '');
  if (refs.length === 0) return null;
  if (refs.length > MAX_FILTER_REFS)
    throw new HttpError(400, 'ERR_BAD_REQUEST', `At most ${MAX_FILTER_REFS} containers may be named`);
  if (refs.some((ref) => ref.length > MAX_REF_LENGTH))
    throw new HttpError(400, 'ERR_INVALID_REFERENCE', `A container reference is at most ${MAX_REF_LENGTH} characters`);
  return new StreamFilter(refs);
}

export class StreamHub {
  readonly #keeper: SnapshotKeeper;
  readonly #intervalMs: number;
  readonly #limits: StreamLimits;
  readonly #subscribers = new Set<Subscriber>();
  readonly #wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_WS_PAYLOAD,
    perMessageDeflate: false,
    clientTracking: false,
  });
  #unsubscribe: (() => void) | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #closed = false;
  #droppedSlow = 0;
  #droppedDead = 0;

  constructor(keeper: SnapshotKeeper, intervalMs: number, limits: StreamLimits) {
    this.#keeper = keeper;
    this.#intervalMs = intervalMs;
    this.#limits = limits;
  }

  counts(): StreamCounts {
    let sse = 0;
    let bufferedBytes = 0;
    for (const subscriber of this.#subscribers) {
      if (subscriber.kind === 'sse') sse++;
      bufferedBytes += subscriber.buffered();
    }
    return {
      bufferedBytes,
      following: this.#unsubscribe !== null,
      subscribers: this.#subscribers.size,
      sse,
      websocket: this.#subscribers.size - sse,
      heartbeat: this.#heartbeat !== null,
      droppedSlow: this.#droppedSlow,
      droppedDead: this.#droppedDead,
    };
  }

  #admitOne(): void {
    if (this.#closed) throw new HttpError(503, 'ERR_CLOSING', 'The agent is shutting down');
    if (this.#subscribers.size >= this.#limits.maxSubscribers) {
      throw new HttpError(
        503,
        'ERR_TOO_MANY_SUBSCRIBERS',
        `The stream has ${this.#limits.maxSubscribers} subscribers already`,
      );
    }
  }

  /** GET /api/v1/stream: Server-Sent Events. */
  serveSse({ req, res, url }: RouteContext): void {
    const filter = parseStreamFilter(url);
    this.#admitOne();
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      // Proxies that buffer responses (nginx) would hold the events back.
      'X-Accel-Buffering': 'no',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    req.socket.setNoDelay(true);
    const subscriber = new SseSubscriber(filter, res);
    res.write(`retry: ${Math.max(1000, this.#intervalMs)}\n\n`);
    this.#add(subscriber);
    res.on('close', () => this.#remove(subscriber));
  }

  /** The upgrade to /api/v1/ws, after the agent's checks and the Origin check. */
  serveWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    const filter = parseStreamFilter(url);
    this.#admitOne();
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      if (this.#closed) {
        ws.terminate();
        return;
      }
      const subscriber = new WebSocketSubscriber(filter, ws);
      // A client has nothing to send; a message or an error closes it.
      ws.on('message', () => ws.close(1008, 'this stream takes no messages'));
      ws.on('error', () => ws.terminate());
      ws.on('close', () => this.#remove(subscriber));
      this.#add(subscriber);
    });
  }

  #add(subscriber: Subscriber): void {
    this.#subscribers.add(subscriber);
    subscriber.send('hello', helloMessage(this.#intervalMs, subscriber.filter));
    const current = this.#keeper.current;
    if (current !== null) this.#deliver(subscriber, current, false);
    if (this.#unsubscribe === null) this.#unsubscribe = this.#keeper.subscribe((snapshot) => this.#broadcast(snapshot));
    if (this.#heartbeat === null) {
      this.#heartbeat = setInterval(() => this.#beat(), this.#limits.heartbeatMs);
      this.#heartbeat.unref();
    }
  }

  #remove(subscriber: Subscriber): void {
    if (!this.#subscribers.delete(subscriber)) return;
    if (this.#subscribers.size > 0) return;
    // Nobody listens: no snapshot subscription and no timer until someone does.
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  #broadcast(snapshot: Snapshot): void {
    for (const subscriber of [...this.#subscribers]) {
      try {
        this.#deliver(subscriber, snapshot, true);
      } catch {
        // A socket that failed under us: its close event removes it.
        subscriber.close(1011, 'write failed');
      }
    }
  }

  #deliver(subscriber: Subscriber, snapshot: Snapshot, withEvents: boolean): void {
    if (subscriber.buffered() > this.#limits.highWaterBytes) {
      subscriber.skipped++;
      if (subscriber.skipped > this.#limits.maxSkipped) {
        this.#droppedSlow++;
        subscriber.close(1008, `too slow: ${subscriber.skipped} sweeps not read`);
        this.#remove(subscriber);
      }
      return;
    }
    const frames = framesOf(snapshot, subscriber.filter);
    if (withEvents) for (const [event, text] of frames.events) subscriber.send(event, text);
    subscriber.send('sweep', sweepMessage(frames, subscriber.skipped));
    subscriber.skipped = 0;
  }

  #beat(): void {
    for (const subscriber of [...this.#subscribers]) {
      if (subscriber.heartbeat() === 'dead') {
        this.#droppedDead++;
        subscriber.close(1008, 'no answer to ping');
        this.#remove(subscriber);
      }
    }
  }

  /**
   * Ends every subscription (the agent is closing) and refuses new ones. WebSockets get a close frame
   * and graceMs to answer it before their connection is cut.
   */
  async close(graceMs = 1000): Promise<void> {
    this.#closed = true;
    const sockets: WebSocket[] = [];
    for (const subscriber of [...this.#subscribers]) {
      subscriber.close(1001, 'the agent is shutting down');
      if (subscriber instanceof WebSocketSubscriber) sockets.push(subscriber.ws);
      this.#remove(subscriber);
    }
    this.#wss.close();
    const open = sockets.filter((ws) => ws.readyState !== ws.CLOSED);
    if (open.length === 0) return;
    await new Promise<void>((resolve) => {
      let left = open.length;
      const cut = setTimeout(() => {
        for (const ws of open) ws.terminate();
      }, graceMs);
      for (const ws of open) {
        ws.once('close', () => {
          if (--left === 0) {
            clearTimeout(cut);
            resolve();
          }
        });
      }
    });
  }
}
