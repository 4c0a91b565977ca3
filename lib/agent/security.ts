// The two checks every request passes before routing: the Host header (DNS rebinding) and the bearer token.
import { createHash, timingSafeEqual } from 'node:crypto';
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

/** Checks `Authorization: Bearer <token>` in constant time (digests of equal length, whatever was sent). */
export class BearerCheck {
  readonly #expected: Buffer;

  constructor(token: string) {
    this.#expected = digest(token);
  }

  accepts(header: string | undefined): boolean {
    const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
    const given = digest(match?.[1] ?? '');
    // Compared even when nothing usable was sent, so that the answer takes the same time.
    return timingSafeEqual(given, this.#expected) && match !== null;
  }
}
