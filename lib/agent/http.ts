// Response helpers shared by the routes: JSON bodies, the error shape, HEAD without a body, gzip.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error answered with its status and `{ "error": { "code", "message" } }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
} as const;

/** Sends a body (string or bytes); HEAD gets the same headers and no body. */
export function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': contentType,
    'Content-Length': String(bytes.length),
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

export const JSON_TYPE = 'application/json; charset=utf-8';

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, value: unknown): void {
  send(req, res, status, JSON_TYPE, JSON.stringify(value));
}

/** A JSON text made beforehand (cached per sweep). */
export function sendJsonText(req: IncomingMessage, res: ServerResponse, text: string): void {
  send(req, res, 200, JSON_TYPE, text);
}

export function sendError(req: IncomingMessage, res: ServerResponse, error: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(
    req,
    res,
    error.status,
    JSON_TYPE,
    JSON.stringify({ error: { code: error.code, message: error.message } }),
    error.headers,
  );
}

/** Whether the client takes a gzip body (Prometheus asks for it): "gzip" listed without q=0. */
export function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.split(';').map((item) => item.trim().toLowerCase());
    if (coding !== 'gzip') return false;
    const quality = params.find((param) => param.startsWith('q='));
    return quality === undefined || Number(quality.slice(2)) > 0;
  });
}

/** Entries stringified between two turns of the event loop. */
const JSON_SLICE = 64;

/**
 * JSON.stringify of an object or an array built from many entries, a slice at a time with a turn of the
 * event loop between slices, so that a thousand containers do not hold every other request meanwhile.
 */
export async function stringifyInSlices(
  entries: ReadonlyArray<readonly [string, unknown]> | readonly unknown[],
  asObject: boolean,
): Promise<string> {
  const parts: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    if (i > 0 && i % JSON_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    if (asObject) {
      const [key, value] = entries[i] as readonly [string, unknown];
      parts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
    } else {
      parts.push(JSON.stringify(entries[i]));
    }
  }
  return asObject ? `{${parts.join(',')}}` : `[${parts.join(',')}]`;
}

/** Whether the client is a browser asking for a page (Accept lists text/html). */
export function wantsHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

/** A page's security headers: nothing from outside the agent, no inline script, no framing. */
export const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
} as const;

/** The 401 a browser sees: how to open the dashboard with its token. */
export function sendLoginPage(req: IncomingMessage, res: ServerResponse, error: HttpError): void {
  const body = `<!doctype html><html lang="en"><meta charset="utf-8"><title>ctrstat: token required</title>
<h1>ctrstat: a token is required</h1>
<p>This agent serves only with its token. Open this page once as <code>/?token=&lt;token&gt;</code>; the browser then
keeps a session cookie and the token leaves the address bar.</p>`;
  send(req, res, 401, 'text/html; charset=utf-8', body, { ...error.headers, ...PAGE_HEADERS });
}
