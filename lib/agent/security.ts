// The checks every request passes before routing: the Host header (DNS rebinding), the bearer token (or the
// dashboard's session cookie made from it), and on a WebSocket upgrade the Origin.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { normalizeHostName } from './options.js';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

/** The name part of a Host header ("example.com:4244" → "example.com", "[::1]:80" → "::1"), or null if malformed. */
export function hostHeaderName(header: string | undefined): string | null {
  if (header === undefined || header === '') return null;
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/.exec(header);
  return match === null ? null : normalizeHostName(match[1]!);
}

/**
 * Whether a request with this Host header may be served. A DNS-rebinding page reaches a loopback server
 * under its own domain name, so names are checked against the allowlist. An IP literal cannot be
 * rebound (the browser's origin would be that address, and cross-origin reads are refused without
 * CORS headers, which the agent never sends), so IP literals pass: a DaemonSet is scraped by pod IP.
 */
export function isAllowedHost(header: string | undefined, allowHosts: ReadonlySet<string>): boolean {
  const name = hostHeaderName(header);
  if (name === null) return false;
  return LOOPBACK_NAMES.has(name) || allowHosts.has(name) || isIP(name) !== 0;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The cookie a browser holds once it has shown the token (`/?token=...`): HttpOnly, SameSite=Strict. */
export const SESSION_COOKIE = 'ctrstat_session';

/** The value of a named cookie in a Cookie header, or null. */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return null;
}

/**
 * Checks the token in constant time (digests of equal length, whatever was sent): as
 * `Authorization: Bearer <token>`, as a query parameter (the dashboard's first visit, exchanged for a
 * cookie), or as the session cookie, an HMAC of a fixed label under the token (the token itself never
 * sits in the browser; changing the token ends every session).
 */
export class BearerCheck {
  readonly #expected: Buffer;
  readonly #session: string;
  readonly #sessionDigest: Buffer;

  constructor(token: string) {
    this.#expected = digest(token);
    this.#session = createHmac('sha256', token).update('ctrstat dashboard session').digest('base64url');
    this.#sessionDigest = digest(this.#session);
  }

  /** The session cookie's value. */
  get session(): string {
    return this.#session;
  }

  accepts(header: string | undefined): boolean {
    const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
    // Compared even when nothing usable was sent, so that the answer takes the same time.
    return this.acceptsToken(match?.[1] ?? '') && match !== null;
  }

  acceptsToken(token: string): boolean {
    return timingSafeEqual(digest(token), this.#expected) && token !== '';
  }

  acceptsCookie(header: string | undefined): boolean {
    const value = cookieValue(header, SESSION_COOKIE) ?? '';
    return timingSafeEqual(digest(value), this.#sessionDigest) && value !== '';
  }
}

/**
 * Whether a WebSocket upgrade's Origin may open the stream: none (not a browser), or the agent's own
 * origin (the Host the request was sent to). Another site's page would otherwise ride the browser's
 * session cookie (cross-site WebSocket hijacking).
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (host === undefined) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  try {
    // Both through the URL parser, so that a default port and letter case compare alike.
    return parsed.host === new URL(`${parsed.protocol}//${host}`).host;
  } catch {
    return false;
  }
}
