// Properties of reference parsing (lib/discovery/resolve.ts) and the id and name rules (lib/runtimes/ids.ts),
// over generated input: anything is a parsed reference or an InvalidReferenceError that does not echo a
// long input whole, what is valid comes back as it went in, and cgroup paths normalize once and for all.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeCgroupPath, parseContainerRef } from '../../lib/discovery/resolve.js';
import { InvalidReferenceError } from '../../lib/errors.js';
import { CONTAINERD_ID_MAX, HEX64, ID_PREFIX, isContainerdId, isFullId, SAFE_NAME } from '../../lib/runtimes/ids.js';
import type { ContainerRef } from '../../lib/types.js';

const RUNS = { numRuns: 2000 };

/** Calls `run`; a throw must be an InvalidReferenceError, whose message is returned. */
function outcome<T>(run: () => T): { value: T } | { message: string } {
  try {
    return { value: run() };
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidReferenceError);
    expect((err as InvalidReferenceError).code).toBe('ERR_INVALID_REFERENCE');
    return { message: (err as Error).message };
  }
}

const hex = fc.constantFrom(...'0123456789abcdef');
const fullId = fc.string({ unit: hex, minLength: 64, maxLength: 64 });
const nameChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-');
const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
/** What Docker accepts as a container name. */
const dockerName = fc.tuple(alnum, fc.string({ unit: nameChar, maxLength: 254 })).map(([a, b]) => a + b);
const dnsChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
/** A DNS label: Kubernetes namespaces, pods and containers. */
const dnsLabel = fc
  .tuple(
    dnsChar,
    fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-.'), maxLength: 40 }),
    dnsChar,
  )
  .map(([a, b, c]) => a + b + c);
/** Strings with the characters references trip on: separators, dots, controls, NUL, non-ASCII. */
const awkward = fc.string({
  unit: fc.oneof(fc.constantFrom('/', '.', '..', ' ', '\0', '\n', '\x7f', ':', '=', '*', 'é', '\u202e'), nameChar),
  maxLength: 80,
});

describe('parseContainerRef', () => {
  it('anything at all is a parsed reference or an InvalidReferenceError, and its message cuts a long input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          awkward,
          fc.string({ maxLength: 20_000 }),
          fc.record({ id: fc.anything() }),
          fc.record({ name: fc.oneof(awkward, fc.anything()) }),
          fc.record({ pid: fc.oneof(fc.integer(), fc.double(), fc.anything()) }),
          fc.record({ cgroup: fc.oneof(awkward, fc.anything()) }),
        ),
        (ref) => {
          const result = outcome(() => parseContainerRef(ref as ContainerRef));
          if ('message' in result) expect(result.message.length).toBeLessThan(600);
        },
      ),
      RUNS,
    );
  });

  it('a Docker name, a full id or any id prefix is taken as the text it is', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          dockerName,
          fullId,
          fullId.chain((id) => fc.nat(63).map((n) => id.slice(0, n + 1))),
        ),
        (text) => {
          expect(parseContainerRef(text)).toEqual({ kind: 'text', text });
          expect(parseContainerRef({ name: text })).toEqual({ kind: 'name', name: text });
        },
      ),
      RUNS,
    );
  });

  it('{ id } takes every hex prefix and every containerd id', () => {
    fc.assert(
      fc.property(fullId, fc.integer({ min: 1, max: 64 }), (id, length) => {
        expect(parseContainerRef({ id: id.slice(0, length) })).toEqual({ kind: 'id', id: id.slice(0, length) });
      }),
      RUNS,
    );
  });

  it('namespace/pod[/container] round-trips to its parts', () => {
    fc.assert(
      fc.property(dnsLabel, dnsLabel, fc.option(dnsLabel, { nil: null }), (namespace, pod, container) => {
        const text = `${namespace}/${pod}${container === null ? '' : `/${container}`}`;
        expect(parseContainerRef(text)).toEqual({ kind: 'kubernetes', namespace, pod, container });
      }),
      RUNS,
    );
  });

  it('{ pid } is an integer from 1 to PID_MAX_LIMIT, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double(), fc.bigInt(), fc.string()), (pid) => {
        const result = outcome(() => parseContainerRef({ pid } as never));
        const valid = typeof pid === 'number' && Number.isInteger(pid) && pid >= 1 && pid <= 4_194_304;
        expect('value' in result).toBe(valid);
        if ('value' in result) expect(result.value).toEqual({ kind: 'pid', pid });
      }),
      RUNS,
    );
  });

  it('a string that names a parent directory never becomes a reference', () => {
    fc.assert(
      fc.property(awkward, awkward, (before, after) => {
        const text = `${before}../${after}`;
        const result = outcome(() => parseContainerRef(text));
        // Only as namespace/pod/container, where ".." may sit inside a DNS name but never is a part.
        if ('value' in result) {
          expect(result.value.kind).toBe('kubernetes');
          const { namespace, pod, container } = result.value as { namespace: string; pod: string; container: string };
          expect([namespace, pod, container]).not.toContain('..');
        }
        const asCgroup = outcome(() => parseContainerRef({ cgroup: `/${text}` }));
        if ('value' in asCgroup && asCgroup.value.kind === 'cgroup')
          expect(asCgroup.value.path.split('/')).not.toContain('..');
      }),
      RUNS,
    );
  });
});

describe('normalizeCgroupPath', () => {
  const segment = fc.string({ unit: fc.constantFrom('a', 'b', '.', '-', '_', ':', '@', ' ', '\\'), maxLength: 6 });
  const path = fc.array(segment, { maxLength: 12 }).map((segments) => segments.join('/'));

  it('gives an absolute path without empty, "." or ".." segments, and is idempotent', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          path,
          path.map((p) => `/${p}`),
          awkward,
        ),
        (input) => {
          const result = outcome(() => normalizeCgroupPath(input));
          if ('message' in result) return;
          const normalized = result.value;
          expect(normalized.startsWith('/')).toBe(true);
          expect(normalizeCgroupPath(normalized)).toBe(normalized);
          if (normalized !== '/') {
            for (const part of normalized.slice(1).split('/')) expect(['', '.', '..']).not.toContain(part);
          }
          // The segments are the input's own, in order.
          expect(normalized.split('/').filter(Boolean)).toEqual(input.split('/').filter((s) => s !== '' && s !== '.'));
        },
      ),
      RUNS,
    );
  });

  it('refuses a relative path and any ".." segment', () => {
    fc.assert(
      fc.property(path, path, (a, b) => {
        expect(() => normalizeCgroupPath(`/${a}/../${b}`)).toThrow(InvalidReferenceError);
        if (!a.startsWith('/')) expect(() => normalizeCgroupPath(a)).toThrow(InvalidReferenceError);
      }),
      RUNS,
    );
  });
});

describe('id rules', () => {
  it('a full id is an id prefix and a containerd id, and so is every prefix of it', () => {
    fc.assert(
      fc.property(fullId, fc.integer({ min: 1, max: 64 }), (id, length) => {
        expect(isFullId(id)).toBe(true);
        expect(HEX64.test(id)).toBe(true);
        expect(ID_PREFIX.test(id.slice(0, length))).toBe(true);
        expect(isContainerdId(id.slice(0, length))).toBe(true);
        expect(isFullId(id.slice(0, length))).toBe(length === 64);
      }),
      RUNS,
    );
  });

  it('a containerd id is at most 76 characters and never holds a path separator or "..": safe in a path', () => {
    fc.assert(
      fc.property(fc.oneof(awkward, fc.string({ unit: nameChar, maxLength: 100 })), (id) => {
        if (!isContainerdId(id)) return;
        expect(id.length).toBeLessThanOrEqual(CONTAINERD_ID_MAX);
        expect(id).not.toContain('/');
        expect(id).not.toContain('..');
        expect(id).not.toMatch(/^[._-]|[._-]$/);
      }),
      RUNS,
    );
  });

  it('a safe name is never "." or "..", and holds no separator', () => {
    fc.assert(
      fc.property(fc.oneof(awkward, dockerName), (name) => {
        if (!SAFE_NAME.test(name)) return;
        expect(['.', '..']).not.toContain(name);
        expect(name).not.toMatch(/[/\0\n]/);
      }),
      RUNS,
    );
  });
});
