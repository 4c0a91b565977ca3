// Path routing by segments with `:param` placeholders. Routes are registered by modules (acadock, api-v1,
// metrics, health; later the dashboard's `/`, an event stream and WebSocket upgrades), so that adding one
// never touches the others. GET routes also answer HEAD; a path that exists under another method is a 405
// with Allow.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpError } from './http.js';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** Decoded `:param` segments. */
  params: Record<string, string>;
  url: URL;
}

export type RouteHandler = (ctx: RouteContext) => void | Promise<void>;

/** Takes over the socket of an `upgrade` request (a WebSocket); registered by path like a route. */
export type UpgradeHandler = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  params: Record<string, string>,
  url: URL,
) => void;

interface Route<H> {
  segments: string[];
  handler: H;
}

function splitPath(path: string): string[] {
  return path.split('/').slice(1);
}

function match(segments: readonly string[], path: readonly string[]): Record<string, string> | null {
  if (segments.length !== path.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const pattern = segments[i]!;
    const actual = path[i]!;
    if (pattern.startsWith(':')) {
      if (actual === '') return null;
      let value: string;
      try {
        value = decodeURIComponent(actual);
      } catch {
        throw new HttpError(400, 'ERR_BAD_REQUEST', 'The path holds a malformed percent-encoding');
      }
      params[pattern.slice(1)] = value;
    } else if (pattern !== actual) {
      return null;
    }
  }
  return params;
}

export class Router {
  readonly #routes = new Map<string, Array<Route<RouteHandler>>>();
  readonly #upgrades: Array<Route<UpgradeHandler>> = [];

  /** Registers a GET (and HEAD) route such as `/containers/:ref/mem`. */
  get(pattern: string, handler: RouteHandler): this {
    return this.on('GET', pattern, handler);
  }

  on(method: string, pattern: string, handler: RouteHandler): this {
    const list = this.#routes.get(method) ?? [];
    list.push({ segments: splitPath(pattern), handler });
    this.#routes.set(method, list);
    return this;
  }

  /** Registers a handler for `upgrade` requests on a path. */
  upgrade(pattern: string, handler: UpgradeHandler): this {
    this.#upgrades.push({ segments: splitPath(pattern), handler });
    return this;
  }

  /** The handler for a request, or an HttpError (404, 405 with Allow). */
  resolve(method: string, pathname: string): { handler: RouteHandler; params: Record<string, string> } {
    const path = splitPath(pathname);
    const lookup = method === 'HEAD' ? 'GET' : method;
    for (const route of this.#routes.get(lookup) ?? []) {
      const params = match(route.segments, path);
      if (params !== null) return { handler: route.handler, params };
    }
    const allowed: string[] = [];
    for (const [other, routes] of this.#routes) {
      if (routes.some((route) => match(route.segments, path) !== null))
        allowed.push(...(other === 'GET' ? ['GET', 'HEAD'] : [other]));
    }
    if (allowed.length > 0) {
      throw new HttpError(405, 'ERR_METHOD_NOT_ALLOWED', `${method} is not allowed on ${pathname}`, {
        Allow: allowed.join(', '),
      });
    }
    throw new HttpError(404, 'ERR_NOT_FOUND', `No such endpoint: ${pathname}`);
  }

  /** The upgrade handler for a path, or null. */
  resolveUpgrade(pathname: string): { handler: UpgradeHandler; params: Record<string, string> } | null {
    const path = splitPath(pathname);
    for (const route of this.#upgrades) {
      const params = match(route.segments, path);
      if (params !== null) return { handler: route.handler, params };
    }
    return null;
  }
}
